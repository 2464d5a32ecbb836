/**
 * What a change does to access (docs/spec.md §11): every (user, entity) whose level differs
 * between two graphs. The graphs share every part a write did not touch, so the parts that
 * differ are found by comparing the two graphs' indexes and skipping what they share; only the
 * users and entities those parts can reach are resolved again. Its cost follows the change,
 * not the organization.
 * @module
 */
import { checkAccess } from "./check-access.js";
import { compositeAncestors, compositeDescendants } from "./composite-containment.js";
import { departmentDescendants } from "./department-forest.js";
import { validationError } from "./errors.js";
import { grantSetForEach } from "./grant-set.js";
import { type AccessGraph, type GraphState, type StoredGrant, stateOf } from "./graph-state.js";
import { trieChangedKeys, trieForEachKey, trieGet } from "./hash-trie.js";
import { membersOf } from "./memberships.js";
import { queryInstant } from "./query-arguments.js";
import { resolveAccess } from "./resolve-access.js";
import { entityTypeOf } from "./stored-grant.js";
import type { AccessLevel, EntityType } from "./types.js";
import { forEachUserReachedBy } from "./users-with-access.js";
import { ownOptions } from "./validate.js";

/**
 * One (user, entity) whose level a change alters: `null` where there is no access.
 *
 * @example
 * ```ts
 * const change: AccessChange = { user_id: "usr_def456", entity_type: "knowledge_slice",
 *   entity_id: "kslice_abc123", before: "write", after: "read" };
 * ```
 */
export interface AccessChange {
  readonly user_id: string;
  readonly entity_type: EntityType;
  readonly entity_id: string;
  readonly before: AccessLevel | null;
  readonly after: AccessLevel | null;
}

/**
 * The answer of {@link diffAccess}: only what differs, sorted by user, entity type, entity id.
 *
 * @example
 * ```ts
 * const { changes }: AccessDiff = diffAccess(before, after);
 * ```
 */
export interface AccessDiff {
  readonly changes: AccessChange[];
}

/**
 * Options of {@link diffAccess}.
 *
 * @example
 * ```ts
 * diffAccess(before, after, { at: new Date("2025-07-01T00:00:00Z") });
 * ```
 */
export interface DiffAccessOptions {
  /** The instant both graphs are resolved at. Default: now. */
  readonly at?: Date | undefined;
}

/** For each user to look at again: the entities to compare, or `"all"` of them. */
type Affected = Map<string, Set<string> | "all">;

function touch(affected: Affected, userId: string, entityIds: Iterable<string> | "all"): void {
  const seen = affected.get(userId);
  if (seen === "all") return;
  if (entityIds === "all") {
    affected.set(userId, "all");
    return;
  }
  const set = seen ?? new Set<string>();
  for (const id of entityIds) set.add(id);
  affected.set(userId, set);
}

/** The entities a grant on `entityId` gives paths to: itself and, for a composite, every slice it reaches. */
function entitiesOfGrant(state: GraphState, grant: StoredGrant): string[] {
  return entityTypeOf(grant) === "knowledge_slice"
    ? [grant.entity_id, ...compositeDescendants(state, grant.entity_id)]
    : [grant.entity_id];
}

/** Every listed member of a department and of the departments below it. */
function departmentMembers(state: GraphState, departmentId: string, visit: (userId: string) => void): void {
  for (const id of [departmentId, ...departmentDescendants(state, departmentId)]) {
    const members = membersOf(state.departmentMembers, id);
    if (members) trieForEachKey(members, (userId) => visit(userId));
  }
}

/** Users reaching a slice through any grant on it or on a composite containing it. */
function usersReachingSlice(state: GraphState, sliceId: string, visit: (userId: string) => void): void {
  for (const id of [sliceId, ...compositeAncestors(state, sliceId)]) {
    const onEntity = trieGet(state.grantsByEntity, id);
    if (!onEntity) continue;
    grantSetForEach(onEntity, (grant) => forEachUserReachedBy(state, grant, (userId) => visit(userId)));
  }
}

/** Who and what the differences between two graphs' indexes can have changed. */
function affectedBy(before: GraphState, after: GraphState): Affected {
  const affected: Affected = new Map();
  // A grant added, removed or changed: whom it reached before and reaches now, where. (A user
  // it reaches only through a membership, department or composite change is found below.)
  trieChangedKeys(before.grants, after.grants, (grantId) => {
    const was = trieGet(before.grants, grantId);
    const is = trieGet(after.grants, grantId);
    const entities = [...(was ? entitiesOfGrant(before, was) : []), ...(is ? entitiesOfGrant(after, is) : [])];
    if (was) forEachUserReachedBy(before, was, (userId) => touch(affected, userId, entities));
    if (is) forEachUserReachedBy(after, is, (userId) => touch(affected, userId, entities));
  });
  // A user's memberships: everything they reach may change.
  trieChangedKeys(before.users, after.users, (userId) => touch(affected, userId, "all"));
  // A department moved (or declared, or removed): its members, and those below it.
  trieChangedKeys(before.departments, after.departments, (departmentId) => {
    for (const state of [before, after])
      departmentMembers(state, departmentId, (userId) => touch(affected, userId, "all"));
  });
  // A composite's members: the slices it reached before or reaches now, for whoever reaches it.
  trieChangedKeys(before.compositeMembers, after.compositeMembers, (compositeId) => {
    const slices = new Set([
      compositeId,
      ...compositeDescendants(before, compositeId),
      ...compositeDescendants(after, compositeId),
    ]);
    for (const state of [before, after])
      usersReachingSlice(state, compositeId, (userId) => touch(affected, userId, slices));
  });
  return affected;
}

/** A user's level on each entity (of `ids`, or all), as `type id` → level. */
function levelsOf(graph: AccessGraph, userId: string, ids: Set<string> | "all", at: Date): Map<string, AccessLevel> {
  const levels = new Map<string, AccessLevel>();
  if (ids === "all") {
    for (const entity of resolveAccess(graph, userId, { at }).entities)
      levels.set(entity.entity_id, entity.access_level);
    return levels;
  }
  for (const id of ids) {
    const check = checkAccess(graph, userId, entityTypeOfId(id), id, { at });
    if (check.access_level !== null) levels.set(id, check.access_level);
  }
  return levels;
}

function entityTypeOfId(id: string): EntityType {
  return id.startsWith("kslice_") ? "knowledge_slice" : id.startsWith("vs_") ? "vector_store" : "assistant";
}

const TYPE_ORDER: Record<EntityType, number> = { assistant: 0, knowledge_slice: 1, vector_store: 2 };

/**
 * Every (user, entity) whose level differs between `before` and `after` (two graphs of one
 * organization, typically one and the graph a write made from it), with the level on each side
 * (`null`: no access), sorted by user, entity type, entity id. Both are resolved at `at`. It
 * compares the graphs' indexes, skipping what they share, and resolves again only the users and
 * entities the differing parts reach: one grant change costs what that grant reaches.
 *
 * @throws {@link AccessError} `VALIDATION_ERROR` when the graphs are of different organizations,
 *   or for a malformed `at`.
 *
 * @example
 * ```ts
 * import { addGrant, createGraph, diffAccess } from "grantpath";
 *
 * const before = createGraph({ organization_id: "org_1", users: [{ id: "usr_1", role_ids: ["role_a"] }] });
 * const after = addGrant(before, { entity_type: "assistant", entity_id: "asst_1",
 *   grantee_type: "role", grantee_id: "role_a", access_level: "read" });
 * diffAccess(before, after).changes;
 * // [{ user_id: "usr_1", entity_type: "assistant", entity_id: "asst_1", before: null, after: "read" }]
 * ```
 */
export function diffAccess(before: AccessGraph, after: AccessGraph, options: DiffAccessOptions = {}): AccessDiff {
  const old = stateOf(before);
  const now = stateOf(after);
  if (old.organization_id !== now.organization_id) {
    throw validationError("after", "before and after must be graphs of the same organization");
  }
  const given = ownOptions(options, "options");
  const at = new Date(queryInstant(given.at));
  const changes: AccessChange[] = [];
  for (const [user_id, ids] of affectedBy(old, now)) {
    const was = levelsOf(before, user_id, ids, at);
    const is = levelsOf(after, user_id, ids, at);
    for (const entity_id of new Set([...was.keys(), ...is.keys()])) {
      const a = was.get(entity_id) ?? null;
      const b = is.get(entity_id) ?? null;
      if (a !== b) changes.push({ user_id, entity_type: entityTypeOfId(entity_id), entity_id, before: a, after: b });
    }
  }
  changes.sort(
    (x, y) =>
      compare(x.user_id, y.user_id) ||
      TYPE_ORDER[x.entity_type] - TYPE_ORDER[y.entity_type] ||
      compare(x.entity_id, y.entity_id),
  );
  return { changes };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
