import { compositeAncestors } from "./composite-containment.js";
import { isActive } from "./grant-index.js";
import { compositePath, finishPaths, ownPath } from "./grant-paths.js";
import { grantSetGet } from "./grant-set.js";
import { type AccessGraph, stateOf } from "./graph-state.js";
import { trieGet } from "./hash-trie.js";
import { levelSatisfies } from "./levels.js";
import { queryEntity, queryFlag, queryInstant, queryLevel, queryUser } from "./query-arguments.js";
import { suggestGrants } from "./suggest-grants.js";
import type { AccessCheck, CheckOptions, EntityType, GrantPath } from "./types.js";
import { userGrantees } from "./user-grantees.js";
import { ownOptions } from "./validate.js";
import { nextChangeAt, pathsWithValidity } from "./validity.js";

/**
 * Whether a user may act on one entity, with the same level and paths {@link resolveAccess}
 * gives for that entity. It looks up only the user's grantees on the entity and on the
 * composites that contain it, so its cost does not grow with the organization.
 *
 * @param options - `level` is the level the caller needs (without it any path allows);
 *   `at` (default now) decides which grants are active; `validity: true` adds `expires_at` to
 *   each path, `valid_until` and `next_change_at`; `explain: true` adds, when not allowed,
 *   `suggestions`: where one grant at `level` would allow it, nearest first (docs/spec.md §11).
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
  const given = ownOptions(options, "options");
  const needed = queryLevel(given.level);
  const atMs = queryInstant(given.at);
  const validity = queryFlag(given.validity, "validity");
  const explain = queryFlag(given.explain, "explain");

  const grantees = userGrantees(state, user);
  const paths: GrantPath[] = [];
  // The entity's grants are looked up once; each of the user's grantees is then found in them.
  const collect = (id: string, path: typeof ownPath) => {
    const onEntity = trieGet(state.grantsByEntity, id);
    if (!onEntity) return;
    for (const { grantee_id, reach } of grantees) {
      const grant = grantSetGet(onEntity, "grantee_id", grantee_id);
      if (grant && isActive(grant, atMs)) paths.push(path(grant, reach));
    }
  };
  collect(entity.entityId, ownPath);
  if (entity.entityType === "knowledge_slice") {
    for (const compositeId of compositeAncestors(state, entity.entityId)) collect(compositeId, compositePath);
  }
  let answer: AccessCheck;
  if (paths.length === 0) {
    answer = validity
      ? { allowed: false, access_level: null, grant_paths: [], valid_until: null, next_change_at: null }
      : { allowed: false, access_level: null, grant_paths: [] };
  } else {
    const { access_level, grant_paths } = finishPaths(paths);
    const allowed = needed === undefined || levelSatisfies(access_level, needed);
    if (validity) {
      const valid = pathsWithValidity(state, access_level, grant_paths);
      answer = {
        allowed,
        access_level,
        grant_paths: valid.grant_paths,
        valid_until: valid.valid_until,
        next_change_at: nextChangeAt([valid.earliestMs]),
      };
    } else {
      answer = { allowed, access_level, grant_paths };
    }
  }
  if (!explain || answer.allowed) return answer;
  return { ...answer, suggestions: suggestGrants(graph, user, entity.entityType, entity.entityId) };
}
