import { compositeAncestors } from "./composite-containment.js";
import { departmentDescendants } from "./department-forest.js";
import { isActive } from "./grant-index.js";
import { compositePath, finishPaths, ownPath, reachOf } from "./grant-paths.js";
import { granteeTypeOf } from "./grant-record.js";
import { grantSetForEach } from "./grant-set.js";
import { type AccessGraph, type GraphState, type StoredGrant, stateOf } from "./graph-state.js";
import { trieForEach, trieGet } from "./hash-trie.js";
import { membersOf } from "./memberships.js";
import { queryEntity, queryInstant } from "./query-arguments.js";
import type { EntityType, GrantPath, UserAccess, UsersWithAccess, UsersWithAccessOptions } from "./types.js";

/**
 * Every user some active grant reaches on one entity (listed in the graph or not), sorted by
 * `user_id`; each user's level and paths are exactly those {@link resolveAccess} gives them
 * for this entity. It reads only the grants on the entity and on the composites containing
 * it, and the members of the departments and roles those grants name.
 *
 * @param options - `at` (default now) decides which grants are active.
 * @throws {@link AccessError} `VALIDATION_ERROR` for a malformed type, id or instant.
 *
 * @example
 * ```ts
 * import { createGraph, usersWithAccess } from "grantpath";
 *
 * const graph = createGraph({
 *   organization_id: "org_1",
 *   users: [{ id: "usr_1", role_ids: ["role_editor"] }],
 *   grants: [{ entity_type: "vector_store", entity_id: "vs_1",
 *              grantee_type: "role", grantee_id: "role_editor", access_level: "write" }],
 * });
 * usersWithAccess(graph, "vector_store", "vs_1").users.map((u) => u.user_id); // ["usr_1"]
 * ```
 */
export function usersWithAccess(
  graph: AccessGraph,
  entityType: EntityType,
  entityId: string,
  options: UsersWithAccessOptions = {},
): UsersWithAccess {
  const state = stateOf(graph);
  const entity = queryEntity(entityType, entityId);
  const atMs = queryInstant(options?.at);

  const pathsByUser = new Map<string, GrantPath[]>();
  const collect = (grant: StoredGrant, viaComposite: boolean) => {
    if (!isActive(grant, atMs)) return;
    const reach = reachOf(grant);
    const path = viaComposite ? compositePath(grant, reach) : ownPath(grant, reach);
    for (const userId of usersReachedBy(state, grant)) {
      const paths = pathsByUser.get(userId);
      if (paths) paths.push({ ...path });
      else pathsByUser.set(userId, [{ ...path }]);
    }
  };
  const grantsOn = (id: string, viaComposite: boolean) => {
    const grants = trieGet(state.grantsByEntity, id);
    if (grants) grantSetForEach(grants, (grant) => collect(grant, viaComposite));
  };

  grantsOn(entity.entityId, false);
  if (entity.entityType === "knowledge_slice") {
    for (const compositeId of compositeAncestors(state, entity.entityId)) grantsOn(compositeId, true);
  }

  const users: UserAccess[] = [];
  for (const [user_id, paths] of pathsByUser) users.push({ user_id, ...finishPaths(paths) });
  users.sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
  return { entity_type: entity.entityType, entity_id: entity.entityId, users };
}

/** The users a grant's grantee stands for; a set, so nested departments count each user once. */
function usersReachedBy(state: GraphState, grant: StoredGrant): Iterable<string> {
  if (granteeTypeOf(grant) === "user") return [grant.grantee_id];
  const users = new Set<string>();
  const addMembers = (index: GraphState["departmentMembers"], groupId: string) => {
    const members = membersOf(index, groupId);
    if (members) trieForEach(members, (_true, userId) => users.add(userId));
  };
  if (granteeTypeOf(grant) === "role") {
    addMembers(state.roleMembers, grant.grantee_id);
    return users;
  }
  addMembers(state.departmentMembers, grant.grantee_id);
  for (const departmentId of departmentDescendants(state, grant.grantee_id)) {
    addMembers(state.departmentMembers, departmentId);
  }
  return users;
}
