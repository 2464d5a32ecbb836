/**
 * Grant paths: how one grant reaches one user (docs/spec.md §3), and the one order in which
 * every answer lists them.
 * @module
 */

import type { StoredGrant } from "./graph-state.js";
import { compareAccessLevels, maxLevel } from "./levels.js";
import { granteeTypeOf } from "./stored-grant.js";
import type { AccessLevel, GrantPath, GrantPathType } from "./types.js";

/** How a grant's grantee reaches a user: the path type and the department or role it went through. */
export interface Reach {
  readonly type: Exclude<GrantPathType, "composite">;
  readonly department_id: string | null;
  readonly role_id: string | null;
}

/** The reach of a grant whose grantee is the user themself. */
export const DIRECT_REACH: Reach = Object.freeze({ type: "direct", department_id: null, role_id: null });

/** The reach of a grant through its grantee type, for a user the grant is known to reach. */
export function reachOf(grant: StoredGrant): Reach {
  switch (granteeTypeOf(grant)) {
    case "user":
      return DIRECT_REACH;
    case "department":
      return { type: "department", department_id: grant.grantee_id, role_id: null };
    case "role":
      return { type: "role", department_id: null, role_id: grant.grantee_id };
  }
}

/** The path a grant gives on its own entity. */
export function ownPath(grant: StoredGrant, reach: Reach): GrantPath {
  return {
    type: reach.type,
    access_level: grant.access_level,
    department_id: reach.department_id,
    role_id: reach.role_id,
    composite_id: null,
    grant_id: grant.id,
  };
}

/** The path a grant on composite `grant.entity_id` gives on a slice the composite contains. */
export function compositePath(grant: StoredGrant, reach: Reach): GrantPath {
  return {
    type: "composite",
    access_level: grant.access_level,
    department_id: reach.department_id,
    role_id: reach.role_id,
    composite_id: grant.entity_id,
    grant_id: grant.id,
  };
}

const TYPE_ORDER: Readonly<Record<GrantPathType, number>> = { direct: 0, department: 1, role: 2, composite: 3 };

/** Code-unit order with `null` before any string. */
export function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * docs/spec.md §3's order: type, level (highest first), department_id, role_id, composite_id, grant_id.
 *
 * @example
 * ```ts
 * const paths = [...resolveAccess(graph, "usr_1").entities[0]?.grant_paths ?? []];
 * paths.sort(compareGrantPaths); // already in this order
 * ```
 */
export function compareGrantPaths(a: GrantPath, b: GrantPath): number {
  return (
    TYPE_ORDER[a.type] - TYPE_ORDER[b.type] ||
    compareAccessLevels(b.access_level, a.access_level) ||
    compareNullable(a.department_id, b.department_id) ||
    compareNullable(a.role_id, b.role_id) ||
    compareNullable(a.composite_id, b.composite_id) ||
    compareNullable(a.grant_id, b.grant_id)
  );
}

/** Sorts paths in place into docs/spec.md §3's order and returns them with their highest level. */
export function finishPaths(paths: GrantPath[]): { access_level: AccessLevel; grant_paths: GrantPath[] } {
  if (paths.length > 1) paths.sort(compareGrantPaths);
  let level: AccessLevel = "read";
  for (const path of paths) level = maxLevel(level, path.access_level);
  return { access_level: level, grant_paths: paths };
}
