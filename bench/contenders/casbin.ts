/**
 * casbin, modelled as faithfully as it allows.
 *
 * Model: RBAC with three role hierarchies.
 * - `g`  subject inheritance: user → each of their departments, department → its parent (so a
 *        department grant reaches members of sub-departments through role inheritance), and
 *        user → each of their roles.
 * - `g2` resource grouping: member slice → composite, so a grant on a composite covers every
 *        slice reachable through containment (and the composite itself, as a direct grant).
 * - `g3` action hierarchy: admin → write → read, so `enforce(u, e, "read")` is allowed by a
 *        write or admin grant.
 * One policy `p, grantee, entity, level` per grant. Objects are `type:id`.
 *
 * What casbin cannot express:
 * - grant paths: `enforce` answers allow/deny; it cannot say which grant, department, role or
 *   composite chain allowed it (`enforceEx` names one matching policy, not all paths);
 * - expiry at an instant: policies have no validity interval, so expired grants are dropped
 *   when the model is built, for the benchmark instant only (a real deployment would have to
 *   remove policies on a timer, or move the instant into the request and a custom matcher);
 * - "every entity a user reaches with its level": there is no such query. The closest is
 *   `getImplicitPermissionsForUser` (the policies of the user and of every role it inherits
 *   through `g`), which ignores `g2`; composite coverage is then expanded by walking the `g2`
 *   role manager, and the max level per entity is taken by hand;
 * - "every user with access to an entity": no index from object to subjects through `g`; it is
 *   one `enforce` per candidate user and level, each of which scans every policy.
 */
import { type Enforcer, newEnforcer, newModelFromString } from "casbin";
import type { AccessLevel, EntityType, GraphInput } from "../../src/index.js";
import { activeGrants, candidateUsers, entityKey, type Levels, raise } from "./levels.js";

const MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _
g2 = _, _
g3 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && g2(r.obj, p.obj) && g3(p.act, r.act)
`;

const obj = (type: EntityType, id: string): string => `${type}:${id}`;
const LEVELS: readonly AccessLevel[] = ["admin", "write", "read"];

export interface CasbinContender {
  readonly enforcer: Enforcer;
  resolveLevels(userId: string): Promise<Levels>;
  check(userId: string, type: EntityType, id: string, level: AccessLevel): boolean;
  usersWithAccess(type: EntityType, id: string): Map<string, AccessLevel>;
}

export async function buildCasbin(input: GraphInput, at: Date): Promise<CasbinContender> {
  const enforcer = await newEnforcer(newModelFromString(MODEL));
  const subjects: string[][] = [];
  for (const user of input.users ?? []) {
    for (const d of user.department_ids ?? []) subjects.push([user.id, d]);
    for (const r of user.role_ids ?? []) subjects.push([user.id, r]);
  }
  for (const d of input.departments ?? []) if (d.parent_id) subjects.push([d.id, d.parent_id]);
  const resources: string[][] = [];
  for (const c of input.composites ?? []) {
    for (const m of c.member_slice_ids) resources.push([obj("knowledge_slice", m), obj("knowledge_slice", c.id)]);
  }
  await enforcer.addNamedGroupingPolicies("g", subjects);
  await enforcer.addNamedGroupingPolicies("g2", resources);
  await enforcer.addNamedGroupingPolicies("g3", [
    ["admin", "write"],
    ["write", "read"],
  ]);
  await enforcer.addPolicies(
    activeGrants(input, at).map((g) => [g.grantee_id, obj(g.entity_type, g.entity_id), g.access_level]),
  );
  const resourceRoles = enforcer.getNamedRoleManager("g2");
  if (resourceRoles === undefined) throw new Error("casbin: no g2 role manager");
  const users = candidateUsers(input);

  return {
    enforcer,
    async resolveLevels(userId) {
      const levels: Levels = new Map();
      for (const [, object, act] of await enforcer.getImplicitPermissionsForUser(userId)) {
        if (object === undefined) continue;
        const level = act as AccessLevel;
        const split = object.indexOf(":");
        const type = object.slice(0, split) as EntityType;
        raise(levels, entityKey(type, object.slice(split + 1)), level);
        // Composite coverage: every slice that (transitively) belongs to this object in g2.
        const stack = [object];
        const seen = new Set<string>();
        for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
          for (const member of await resourceRoles.getUsers(current)) {
            if (seen.has(member)) continue;
            seen.add(member);
            stack.push(member);
            raise(levels, entityKey("knowledge_slice", member.slice(member.indexOf(":") + 1)), level);
          }
        }
      }
      return levels;
    },
    check(userId, type, id, level) {
      return enforcer.enforceSync(userId, obj(type, id), level);
    },
    usersWithAccess(type, id) {
      const found = new Map<string, AccessLevel>();
      for (const user of users) {
        for (const level of LEVELS) {
          if (enforcer.enforceSync(user, obj(type, id), level)) {
            found.set(user, level);
            break;
          }
        }
      }
      return found;
    },
  };
}
