/**
 * Coverage of a scenario: what the grant paths of the answers its assertions examined went
 * through. A grant is exercised when a path names it; a role or composite when a path names it;
 * a department when a path runs through it — from the user's own department up to the one the
 * grant names, so a sub-department whose members inherit a grant counts too.
 * @module
 */
import { type AccessGraph, type GrantPath, type GrantPathType, graphToInput } from "../../core/index.js";
import type { ScenarioCoverage } from "./scenario-types.js";

const PATH_TYPES: readonly GrantPathType[] = ["direct", "department", "role", "composite"];

/** Records what answers' paths went through, and reports what they never did. */
export interface CoverageTracker {
  /** Paths found for `userId`. */
  paths(userId: string, paths: readonly GrantPath[]): void;
  report(): ScenarioCoverage;
}

/** A tracker over the scenario's own graph: its grants, departments, roles and composites. */
export function coverageTracker(base: AccessGraph): CoverageTracker {
  const input = graphToInput(base);
  const grants = new Set((input.grants ?? []).map((grant) => grant.id as string));
  const parentOf = new Map<string, string | null>();
  for (const department of input.departments ?? []) parentOf.set(department.id, department.parent_id ?? null);
  const departments = new Set(parentOf.keys());
  const roles = new Set((input.roles ?? []).map((role) => role.id));
  for (const user of input.users ?? []) {
    for (const id of user.department_ids ?? []) departments.add(id);
    for (const id of user.role_ids ?? []) roles.add(id);
  }
  for (const grant of input.grants ?? []) {
    if (grant.grantee_type === "department") departments.add(grant.grantee_id);
    if (grant.grantee_type === "role") roles.add(grant.grantee_id);
  }
  const composites = new Set((input.composites ?? []).map((composite) => composite.id));
  // A test adds grants only, so every test's users are the scenario's.
  const userDepartments = new Map((input.users ?? []).map((user) => [user.id, user.department_ids ?? []] as const));

  const used = { grants: new Set<string>(), departments: new Set<string>(), roles: new Set<string>() };
  const usedComposites = new Set<string>();
  const usedTypes = new Set<GrantPathType>();

  /** Marks the departments from `start` up to `target`, if `target` is on that chain. */
  function markChain(start: string, target: string): void {
    const chain: string[] = [];
    const seen = new Set<string>();
    for (let at: string | null = start; at !== null && !seen.has(at); at = parentOf.get(at) ?? null) {
      seen.add(at);
      chain.push(at);
      if (at === target) {
        for (const id of chain) used.departments.add(id);
        return;
      }
    }
  }

  return {
    paths(userId, paths) {
      for (const path of paths) {
        usedTypes.add(path.type);
        used.grants.add(path.grant_id);
        if (path.role_id !== null) used.roles.add(path.role_id);
        if (path.composite_id !== null) usedComposites.add(path.composite_id);
        if (path.department_id !== null) {
          used.departments.add(path.department_id);
          for (const own of userDepartments.get(userId) ?? []) markChain(own, path.department_id);
        }
      }
    },
    report() {
      const unused = (all: Set<string>, seen: Set<string>) => [...all].filter((id) => !seen.has(id)).sort();
      return {
        grants: unused(grants, used.grants),
        departments: unused(departments, used.departments),
        roles: unused(roles, used.roles),
        composites: unused(composites, usedComposites),
        path_types: PATH_TYPES.filter((type) => !usedTypes.has(type)),
        totals: { grants: grants.size, departments: departments.size, roles: roles.size, composites: composites.size },
      };
    },
  };
}
