import { distinctKeys, pageInfo, pageKeys } from "./answer-pages.js";
import { compositeAncestors } from "./composite-containment.js";
import { departmentDescendants } from "./department-forest.js";
import { isActive } from "./grant-index.js";
import { compositePath, finishPaths, ownPath, reachOf } from "./grant-paths.js";
import { grantSetForEach } from "./grant-set.js";
import { type AccessGraph, type GraphState, type StoredGrant, stateOf } from "./graph-state.js";
import { hashKey, trieForEachKey, trieGet } from "./hash-trie.js";
import { membersOf } from "./memberships.js";
import { type PageWindow, queryEntity, queryFlag, queryInstant, queryPage } from "./query-arguments.js";
import { granteeTypeOf } from "./stored-grant.js";
import type {
  AccessPageInfo,
  AccessPageRequest,
  EntityType,
  GrantPath,
  UserAccess,
  UsersWithAccess,
  UsersWithAccessOptions,
  UsersWithAccessPage,
} from "./types.js";
import { userGrantees } from "./user-grantees.js";
import { ownOptions } from "./validate.js";
import { usersWithValidity } from "./validity.js";

/**
 * One page of the users who reach an entity: the users the whole answer (the next signature)
 * has at positions `skip` to `skip + limit - 1` (by `user_id`), each with their level and every
 * path, plus `total`, `skip`, `limit` and `has_more` as in a grant list. Given either of `skip`
 * (default 0) and `limit` (1–1000, default 100), the answer is a page; it costs one pass over the
 * ids of the users the entity's grants reach plus the paths of the page's users, not every path
 * of the whole answer.
 *
 * @param options - as for the whole answer, plus `skip` and `limit`.
 * @throws {@link AccessError} `VALIDATION_ERROR` naming `skip` or `limit` when out of bounds.
 *
 * @example
 * ```ts
 * const page = usersWithAccess(graph, "vector_store", "vs_docs01", { skip: 100, limit: 100 });
 * page.users.map((u) => u.user_id); // the 101st to 200th user, by user_id
 * page.total; // every user who reaches vs_docs01
 * ```
 */
export function usersWithAccess(
  graph: AccessGraph,
  entityType: EntityType,
  entityId: string,
  options: UsersWithAccessOptions & AccessPageRequest,
): UsersWithAccessPage;
/**
 * Every user some active grant reaches on one entity (listed in the graph or not), sorted by
 * `user_id`; each user's level and paths are exactly those {@link resolveAccess} gives them
 * for this entity. It reads only the grants on the entity and on the composites containing
 * it, and the members of the departments and roles those grants name.
 *
 * @param options - `at` (default now) decides which grants are active; `validity: true` adds
 *   each path's `expires_at`, each user's `valid_until` and the answer's `next_change_at`
 *   (docs/spec.md §11). `skip` and `limit` ask for one page of the users instead (see the other
 *   signature).
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
  options?: UsersWithAccessOptions,
): UsersWithAccess;
export function usersWithAccess(
  graph: AccessGraph,
  entityType: EntityType,
  entityId: string,
  options: UsersWithAccessOptions = {},
): UsersWithAccess {
  const state = stateOf(graph);
  const { entityType: entity_type, entityId: entity_id } = queryEntity(entityType, entityId);
  const given = ownOptions(options, "options");
  const atMs = queryInstant(given.at);
  const page = queryPage(given.skip, given.limit);
  const validity = queryFlag(given.validity, "validity");
  const grants = activeGrantsReaching(state, entity_type, entity_id, atMs);
  if (page !== undefined) {
    const answered = { entity_type, entity_id, ...usersPage(state, grants, page) };
    return validity ? usersWithValidity(state, answered) : answered;
  }

  const pathsByUser = new Map<string, GrantPath[]>();
  for (const { grant, viaComposite } of grants) {
    const reach = reachOf(grant);
    const path = viaComposite ? compositePath(grant, reach) : ownPath(grant, reach);
    // A set, so a user in nested departments gets one path per grant.
    const users = new Set<string>();
    forEachUserReachedBy(state, grant, (userId) => users.add(userId));
    for (const userId of users) {
      const paths = pathsByUser.get(userId);
      if (paths) paths.push({ ...path });
      else pathsByUser.set(userId, [{ ...path }]);
    }
  }
  const users: UserAccess[] = [];
  for (const [user_id, paths] of pathsByUser) users.push({ user_id, ...finishPaths(paths) });
  users.sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
  const answer = { entity_type, entity_id, users };
  return validity ? usersWithValidity(state, answer) : answer;
}

/** An active grant whose paths land on the entity: its own grants, and those of the composites containing it. */
interface EntityGrant {
  readonly grant: StoredGrant;
  readonly viaComposite: boolean;
}

function activeGrantsReaching(
  state: GraphState,
  entityType: EntityType,
  entityId: string,
  atMs: number,
): EntityGrant[] {
  const found: EntityGrant[] = [];
  const grantsOn = (id: string, viaComposite: boolean) => {
    const grants = trieGet(state.grantsByEntity, id);
    if (grants) grantSetForEach(grants, (grant) => isActive(grant, atMs) && found.push({ grant, viaComposite }));
  };
  grantsOn(entityId, false);
  if (entityType === "knowledge_slice") {
    for (const compositeId of compositeAncestors(state, entityId)) grantsOn(compositeId, true);
  }
  return found;
}

/**
 * A page of the users: first only the ids every grant reaches (for `total`, and to choose the
 * page), then each page user's paths, found from the user's side (their grantees) among the
 * entity's grants. So a page of 20 of 200,000 users builds 20 users' paths.
 */
function usersPage(
  state: GraphState,
  grants: readonly EntityGrant[],
  page: PageWindow,
): { users: UserAccess[] } & AccessPageInfo {
  const reached: string[] = [];
  const hashes: number[] = [];
  // Grantee ids carry their type's prefix, so one map serves users, departments and roles.
  const byGrantee = new Map<string, EntityGrant[]>();
  for (const entry of grants) {
    forEachUserReachedBy(state, entry.grant, (userId, hash) => {
      reached.push(userId);
      hashes.push(hash);
    });
    const list = byGrantee.get(entry.grant.grantee_id);
    if (list) list.push(entry);
    else byGrantee.set(entry.grant.grantee_id, [entry]);
  }
  const { total, keys } = pageKeys([distinctKeys(reached, hashes)], page);
  const users = (keys[0] ?? []).map((user_id): UserAccess => {
    const paths: GrantPath[] = [];
    for (const { grantee_id, reach } of userGrantees(state, user_id)) {
      const entries = byGrantee.get(grantee_id);
      if (!entries) continue;
      for (const { grant, viaComposite } of entries) {
        paths.push(viaComposite ? compositePath(grant, reach) : ownPath(grant, reach));
      }
    }
    return { user_id, ...finishPaths(paths) };
  });
  return { users, ...pageInfo(total, page, users.length) };
}

/**
 * Calls `visit` with each user a grant's grantee stands for, and the user id's hash: the grantee
 * itself, a role's members, or the members of a department and of every department below it (a
 * user in two of those is visited twice).
 */
export function forEachUserReachedBy(
  state: GraphState,
  grant: StoredGrant,
  visit: (userId: string, hash: number) => void,
): void {
  if (granteeTypeOf(grant) === "user") {
    visit(grant.grantee_id, hashKey(grant.grantee_id));
    return;
  }
  const visitMembers = (index: GraphState["departmentMembers"], groupId: string) => {
    const members = membersOf(index, groupId);
    if (members) trieForEachKey(members, visit);
  };
  if (granteeTypeOf(grant) === "role") {
    visitMembers(state.roleMembers, grant.grantee_id);
    return;
  }
  visitMembers(state.departmentMembers, grant.grantee_id);
  for (const departmentId of departmentDescendants(state, grant.grantee_id)) {
    visitMembers(state.departmentMembers, departmentId);
  }
}
