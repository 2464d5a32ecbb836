import { compositeDescendants } from "./composite-containment.js";
import { isActive } from "./grant-index.js";
import { compareGrantPaths, compositePath, ownPath } from "./grant-paths.js";
import { grantSetValues } from "./grant-set.js";
import { type AccessGraph, stateOf } from "./graph-state.js";
import { trieGet, trieHas, trieSize } from "./hash-trie.js";
import { maxLevel } from "./levels.js";
import { queryEntityTypeFilter, queryFlag, queryInstant, queryPage, queryUser } from "./query-arguments.js";
import { resolveAccessPage } from "./resolve-access-page.js";
import { entityTypeOf } from "./stored-grant.js";
import {
  type AccessPageRequest,
  ENTITY_TYPES,
  type EntityType,
  type GrantPath,
  type ResolvedAccess,
  type ResolvedAccessPage,
  type ResolvedEntity,
  type ResolveOptions,
} from "./types.js";
import { userGrantees } from "./user-grantees.js";
import { ownOptions } from "./validate.js";
import { resolvedWithValidity } from "./validity.js";

/**
 * One page of a user's resolved access: the entities the whole answer (the next signature) has
 * at positions `skip` to `skip + limit - 1` (in docs/spec.md §3's order, `entityType` applied
 * first), each with its level and every path, plus `total`, `skip`, `limit` and `has_more` as in
 * a grant list. Given either of `skip` (default 0) and `limit` (1–1000, default 100), the answer
 * is a page; it costs one pass over the ids the user reaches plus the paths of the page's
 * entities, not every path of the whole answer.
 *
 * @param options - as for the whole answer, plus `skip` and `limit`.
 * @throws {@link AccessError} `VALIDATION_ERROR` naming `skip` or `limit` when out of bounds.
 *
 * @example
 * ```ts
 * const first = resolveAccess(graph, "usr_def456", { limit: 20 });
 * first.total; // every entity the user reaches
 * const next = first.has_more ? resolveAccess(graph, "usr_def456", { skip: 20, limit: 20 }) : null;
 * ```
 */
export function resolveAccess(
  graph: AccessGraph,
  userId: string,
  options: ResolveOptions & AccessPageRequest,
): ResolvedAccessPage;
/**
 * Every entity a user reaches, with its effective (highest) level and the grant paths that
 * explain it, in docs/spec.md §3's order. Its cost follows the grants that reach the user, not
 * the size of the organization.
 *
 * A user the graph does not list has no memberships, but direct grants still reach them.
 *
 * @param graph - The organization's graph.
 * @param userId - The user to resolve (`usr_*`).
 * @param options - `entityType` filters the entities returned; `at` (default now) decides
 *   which grants are active: a grant is inactive at and after its `expires_at`; `validity:
 *   true` adds each path's `expires_at`, each entity's `valid_until` and the answer's
 *   `next_change_at` (docs/spec.md §11). `skip` and
 *   `limit` ask for one page of the entities instead (see the other signature).
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
export function resolveAccess(graph: AccessGraph, userId: string, options?: ResolveOptions): ResolvedAccess;
export function resolveAccess(graph: AccessGraph, userId: string, options: ResolveOptions = {}): ResolvedAccess {
  const state = stateOf(graph);
  const user_id = queryUser(userId);
  const given = ownOptions(options, "options");
  const filter = queryEntityTypeFilter(given.entityType);
  const atMs = queryInstant(given.at);
  const page = queryPage(given.skip, given.limit);
  const validity = queryFlag(given.validity, "validity");
  if (page !== undefined) {
    const answered = resolveAccessPage(state, user_id, filter, atMs, page);
    return validity ? resolvedWithValidity(state, answered) : answered;
  }

  const found = new Map<string, FoundEntity>();
  // Most slices are not composites; an organization without any skips the lookup per grant.
  const anyComposites = trieSize(state.compositeMembers) > 0;
  // A composite reached through several grants is walked once per question.
  const reachedBy = new Map<string, readonly string[]>();
  for (const { grantee_id, reach } of userGrantees(state, user_id)) {
    const set = trieGet(state.grantsByGrantee, grantee_id);
    if (!set) continue;
    for (const grant of grantSetValues(set)) {
      const type = entityTypeOf(grant);
      // Composite paths land on knowledge slices only, so a filter can skip other types whole.
      if ((filter !== undefined && type !== filter) || !isActive(grant, atMs)) continue;
      addPath(found, type, grant.entity_id, ownPath(grant, reach));
      if (!anyComposites || type !== "knowledge_slice") continue;
      if (!trieHas(state.compositeMembers, grant.entity_id)) continue;
      let slices = reachedBy.get(grant.entity_id);
      if (slices === undefined) {
        slices = compositeDescendants(state, grant.entity_id);
        reachedBy.set(grant.entity_id, slices);
      }
      for (const sliceId of slices) addPath(found, "knowledge_slice", sliceId, compositePath(grant, reach));
    }
  }
  const answer = { user_id, entities: sortedEntities(found) };
  return validity ? resolvedWithValidity(state, answer) : answer;
}

/** A result entry while paths are still being added: its level is the highest so far. */
type FoundEntity = { -readonly [K in keyof ResolvedEntity]: ResolvedEntity[K] };

function addPath(found: Map<string, FoundEntity>, entity_type: EntityType, entity_id: string, path: GrantPath): void {
  const entry = found.get(entity_id);
  if (entry === undefined) {
    found.set(entity_id, { entity_type, entity_id, access_level: path.access_level, grant_paths: [path] });
  } else {
    entry.grant_paths.push(path);
    entry.access_level = maxLevel(entry.access_level, path.access_level);
  }
}

/**
 * docs/spec.md §3's order: by type (assistant, knowledge_slice, vector_store), then id, and each entity's
 * paths in path order. Each type's ids are sorted as plain strings, which V8 sorts natively
 * (in code-unit order, the spec's), faster than objects with a comparator.
 */
function sortedEntities(found: Map<string, FoundEntity>): ResolvedEntity[] {
  const idsByType: Record<EntityType, string[]> = { assistant: [], knowledge_slice: [], vector_store: [] };
  for (const entry of found.values()) {
    idsByType[entry.entity_type].push(entry.entity_id);
    if (entry.grant_paths.length > 1) entry.grant_paths.sort(compareGrantPaths);
  }
  const entities: ResolvedEntity[] = [];
  for (const entity_type of ENTITY_TYPES) {
    for (const entity_id of idsByType[entity_type].sort()) entities.push(found.get(entity_id) as FoundEntity);
  }
  return entities;
}
