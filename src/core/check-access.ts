import { compositeAncestors } from "./composite-containment.js";
import { grantForPair, isActive } from "./grant-index.js";
import { compositePath, finishPaths, ownPath } from "./grant-paths.js";
import { type AccessGraph, stateOf } from "./graph-state.js";
import { levelSatisfies } from "./levels.js";
import { queryEntity, queryInstant, queryLevel, queryUser } from "./query-arguments.js";
import type { AccessCheck, CheckOptions, EntityType, GrantPath } from "./types.js";
import { userGrantees } from "./user-grantees.js";

/**
 * Whether a user may act on one entity, with the same level and paths {@link resolveAccess}
 * gives for that entity. It looks up only the user's grantees on the entity and on the
 * composites that contain it, so its cost does not grow with the organization.
 *
 * @param options - `level` is the level the caller needs (without it any path allows);
 *   `at` (default now) decides which grants are active.
 * @returns `allowed` is true when some path exists and its level is at least `level`;
 *   `access_level` is `null` when no path reaches the entity.
 * @throws {@link AccessError} `VALIDATION_ERROR` for a malformed id, type, level or instant.
 *
 * @example
 * ```ts
 * import { checkAccess, createGraph } from "grantpath";
 *
 * const graph = createGraph({
 *   organization_id: "org_1",
 *   grants: [{ entity_type: "assistant", entity_id: "asst_1",
 *              grantee_type: "user", grantee_id: "usr_1", access_level: "write" }],
 * });
 * checkAccess(graph, "usr_1", "assistant", "asst_1", { level: "admin" }).allowed; // false
 * ```
 */
export function checkAccess(
  graph: AccessGraph,
  userId: string,
  entityType: EntityType,
  entityId: string,
  options: CheckOptions = {},
): AccessCheck {
  const state = stateOf(graph);
  const user = queryUser(userId);
  const entity = queryEntity(entityType, entityId);
  const needed = queryLevel(options?.level);
  const atMs = queryInstant(options?.at);

  const composites = entity.entityType === "knowledge_slice" ? compositeAncestors(state, entity.entityId) : [];
  const paths: GrantPath[] = [];
  for (const { grantee_id, reach } of userGrantees(state, user)) {
    const own = grantForPair(state, entity.entityId, grantee_id);
    if (own && isActive(own, atMs)) paths.push(ownPath(own, reach));
    for (const compositeId of composites) {
      const viaComposite = grantForPair(state, compositeId, grantee_id);
      if (viaComposite && isActive(viaComposite, atMs)) paths.push(compositePath(viaComposite, reach));
    }
  }
  if (paths.length === 0) return { allowed: false, access_level: null, grant_paths: [] };
  const { access_level, grant_paths } = finishPaths(paths);
  return { allowed: needed === undefined || levelSatisfies(access_level, needed), access_level, grant_paths };
}
