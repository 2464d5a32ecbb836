import { compositeDescendants } from "./composite-containment.js";
import { isActive } from "./grant-index.js";
import { compositePath, finishPaths, ownPath } from "./grant-paths.js";
import { type AccessGraph, stateOf } from "./graph-state.js";
import { trieForEach, trieGet } from "./hash-trie.js";
import { queryEntityTypeFilter, queryInstant, queryUser } from "./query-arguments.js";
import type { EntityType, GrantPath, ResolvedAccess, ResolvedEntity, ResolveOptions } from "./types.js";
import { userGrantees } from "./user-grantees.js";

/**
 * Every entity a user reaches, with its effective (highest) level and the grant paths that
 * explain it, in SPEC section 3's order. Its cost follows the grants that reach the user, not
 * the size of the organization.
 *
 * A user the graph does not list has no memberships, but direct grants still reach them.
 *
 * @param graph - The organization's graph.
 * @param userId - The user to resolve (`usr_*`).
 * @param options - `entityType` filters the entities returned; `at` (default now) decides
 *   which grants are active: a grant is inactive at and after its `expires_at`.
 * @throws {@link AccessError} `VALIDATION_ERROR` for a malformed id, type or instant.
 *
 * @example
 * ```ts
 * import { createGraph, resolveAccess } from "grantpath";
 *
 * const graph = createGraph({
 *   organization_id: "org_xyz789",
 *   users: [{ id: "usr_def456", department_ids: ["dept_eng01"] }],
 *   grants: [
 *     { entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *       grantee_type: "department", grantee_id: "dept_eng01", access_level: "write" },
 *   ],
 * });
 * resolveAccess(graph, "usr_def456").entities[0]?.access_level; // "write"
 * ```
 */
export function resolveAccess(graph: AccessGraph, userId: string, options: ResolveOptions = {}): ResolvedAccess {
  const state = stateOf(graph);
  const user_id = queryUser(userId);
  const filter = queryEntityTypeFilter(options?.entityType);
  const atMs = queryInstant(options?.at);

  const found = new Map<string, { entity_type: EntityType; paths: GrantPath[] }>();
  const addPath = (entity_type: EntityType, entity_id: string, path: GrantPath) => {
    const entry = found.get(entity_id);
    if (entry) entry.paths.push(path);
    else found.set(entity_id, { entity_type, paths: [path] });
  };

  for (const { grantee_id, reach } of userGrantees(state, user_id)) {
    const grants = trieGet(state.grantsByGrantee, grantee_id);
    if (!grants) continue;
    trieForEach(grants, (grant) => {
      // Composite paths land on knowledge slices only, so a filter can skip other types whole.
      if ((filter !== undefined && grant.entity_type !== filter) || !isActive(grant, atMs)) return;
      addPath(grant.entity_type, grant.entity_id, ownPath(grant, reach));
      if (grant.entity_type !== "knowledge_slice") return;
      for (const sliceId of compositeDescendants(state, grant.entity_id)) {
        addPath("knowledge_slice", sliceId, compositePath(grant, reach));
      }
    });
  }

  const entities: ResolvedEntity[] = [];
  for (const [entity_id, { entity_type, paths }] of found) {
    const { access_level, grant_paths } = finishPaths(paths);
    entities.push({ entity_type, entity_id, access_level, grant_paths });
  }
  entities.sort((a, b) =>
    a.entity_type !== b.entity_type
      ? a.entity_type < b.entity_type
        ? -1
        : 1
      : a.entity_id < b.entity_id
        ? -1
        : a.entity_id > b.entity_id
          ? 1
          : 0,
  );
  return { user_id, entities };
}
