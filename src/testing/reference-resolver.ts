/**
 * The brute-force reference resolver: docs/spec.md §3 read as literally as possible, over a
 * plain {@link GraphInput}. It is the oracle of grantpath's own property tests and, exported
 * from `grantpath/testing`, of yours.
 *
 * It shares no code with the library: it imports nothing from `src/` but types (a test holds it
 * to that), so a bug in the engine cannot hide in both. It scans every grant, walks parent and
 * containment chains one step at a time with visited sets (so it terminates on cyclic input),
 * and sorts exactly as docs/spec.md §3 says. Slow on purpose; obviously correct is the only goal.
 * @module
 */
import type {
  AccessCheck,
  AccessLevel,
  EntityType,
  GrantInput,
  GrantPath,
  GrantPathType,
  GraphInput,
  ResolvedAccess,
  ResolvedEntity,
  UserAccess,
  UsersWithAccess,
} from "../core/types.js";

const LEVEL_RANK: Record<AccessLevel, number> = { read: 0, write: 1, admin: 2 };
const TYPE_RANK: Record<GrantPathType, number> = { direct: 0, department: 1, role: 2, composite: 3 };

/**
 * A level's place in the order `read` < `write` < `admin`: 0, 1 or 2.
 *
 * @example
 * ```ts
 * levelRank("admin") > levelRank("read"); // true
 * ```
 */
export function levelRank(level: AccessLevel): number {
  return LEVEL_RANK[level];
}

/**
 * Code-unit order (JS `<`), `null` before any string.
 *
 * @example
 * ```ts
 * compareNullable(null, "a"); // -1
 * compareNullable("B", "a"); // -1: "B" is code unit 66, "a" 97
 * ```
 */
export function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * docs/spec.md §3's path order: type, then level (highest first), then department, role,
 * composite, grant.
 *
 * @example
 * ```ts
 * paths.sort(comparePaths);
 * ```
 */
export function comparePaths(a: GrantPath, b: GrantPath): number {
  return (
    TYPE_RANK[a.type] - TYPE_RANK[b.type] ||
    LEVEL_RANK[b.access_level] - LEVEL_RANK[a.access_level] ||
    compareNullable(a.department_id, b.department_id) ||
    compareNullable(a.role_id, b.role_id) ||
    compareNullable(a.composite_id, b.composite_id) ||
    compareNullable(a.grant_id, b.grant_id)
  );
}

/**
 * A grant is active at `at` iff it has no expiry or `at` is strictly before it.
 *
 * @example
 * ```ts
 * isActive({ ...grant, expires_at: "2025-06-15T10:00:00Z" }, new Date("2025-06-15T10:00:00Z")); // false
 * ```
 */
export function isActive(grant: GrantInput, at: Date): boolean {
  return grant.expires_at === undefined || grant.expires_at === null || at.getTime() < Date.parse(grant.expires_at);
}

function grantId(grant: GrantInput): string {
  if (grant.id === undefined) {
    throw new Error(
      "the reference resolver needs explicit grant ids: give every grant of the GraphInput an id (createGraph would generate them)",
    );
  }
  return grant.id;
}

/** The parent of a department, found by scanning the department list; undeclared: none. */
function parentOf(input: GraphInput, departmentId: string): string | null {
  const declared = (input.departments ?? []).find((d) => d.id === departmentId);
  return declared?.parent_id ?? null;
}

/**
 * Whether a member of `departmentId` belongs to `ancestorId`: it is the department itself or
 * one above it.
 *
 * @example
 * ```ts
 * isWithin({ organization_id: "org_1", departments: [{ id: "dept_b", parent_id: "dept_a" }] }, "dept_b", "dept_a"); // true
 * ```
 */
export function isWithin(input: GraphInput, departmentId: string, ancestorId: string): boolean {
  const visited = new Set<string>();
  let current: string | null = departmentId;
  while (current !== null && !visited.has(current)) {
    if (current === ancestorId) return true;
    visited.add(current);
    current = parentOf(input, current);
  }
  return false;
}

/**
 * Every slice reachable from `sliceId` in one or more containment steps (itself only through a
 * cycle).
 *
 * @example
 * ```ts
 * reachableSlices(input, "kslice_handbook"); // Set { "kslice_policies", … }
 * ```
 */
export function reachableSlices(input: GraphInput, sliceId: string): Set<string> {
  const reached = new Set<string>();
  const stack = [sliceId];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    for (const composite of input.composites ?? []) {
      if (composite.id !== current) continue;
      for (const member of composite.member_slice_ids) {
        if (!reached.has(member)) {
          reached.add(member);
          stack.push(member);
        }
      }
    }
  }
  return reached;
}

/**
 * The slices a grant on `compositeId` flows down to: everything it contains, never itself.
 *
 * @example
 * ```ts
 * containedSlices(input, "kslice_handbook").has("kslice_handbook"); // false
 * ```
 */
export function containedSlices(input: GraphInput, compositeId: string): Set<string> {
  const reached = reachableSlices(input, compositeId);
  reached.delete(compositeId);
  return reached;
}

/**
 * How a grant reaches a user, as the (department_id, role_id, type) of its path, or null.
 * Unlisted users have no memberships, so only direct grants reach them.
 */
function reach(
  input: GraphInput,
  userId: string,
  grant: GrantInput,
): { type: "direct" | "department" | "role"; department_id: string | null; role_id: string | null } | null {
  const user = (input.users ?? []).find((u) => u.id === userId);
  switch (grant.grantee_type) {
    case "user":
      return grant.grantee_id === userId ? { type: "direct", department_id: null, role_id: null } : null;
    case "department": {
      const memberships = user?.department_ids ?? [];
      return memberships.some((d) => isWithin(input, d, grant.grantee_id))
        ? { type: "department", department_id: grant.grantee_id, role_id: null }
        : null;
    }
    case "role":
      return (user?.role_ids ?? []).includes(grant.grantee_id)
        ? { type: "role", department_id: null, role_id: grant.grantee_id }
        : null;
  }
}

/**
 * Options of {@link referenceResolve}. Unlike `resolveAccess`, `at` is required: the oracle
 * never reads the clock.
 *
 * @example
 * ```ts
 * const options: ReferenceResolveOptions = { entityType: "knowledge_slice", at: new Date("2025-06-15T10:00:00Z") };
 * ```
 */
export interface ReferenceResolveOptions {
  /** Only entities of this type (composite paths still count for `knowledge_slice`). */
  readonly entityType?: EntityType | undefined;
  /** The instant that decides which grants are active. */
  readonly at: Date;
}

/**
 * Options of {@link referenceCheck}.
 *
 * @example
 * ```ts
 * const options: ReferenceCheckOptions = { level: "write", at: new Date("2025-06-15T10:00:00Z") };
 * ```
 */
export interface ReferenceCheckOptions {
  /** The level asked for; without it, any path allows. */
  readonly level?: AccessLevel | undefined;
  /** The instant that decides which grants are active. */
  readonly at: Date;
}

/**
 * Options of {@link referenceUsersWithAccess}.
 *
 * @example
 * ```ts
 * const options: ReferenceUsersWithAccessOptions = { at: new Date("2025-06-15T10:00:00Z") };
 * ```
 */
export interface ReferenceUsersWithAccessOptions {
  /** The instant that decides which grants are active. */
  readonly at: Date;
}

/**
 * `resolveAccess` by brute force: what docs/spec.md §3 says a user reaches in the graph
 * `input` at `options.at`, as the same JSON (values, order and key order) the library answers
 * with. Slow by design, an oracle for tests: it scans every grant and walks every chain for
 * every question, sharing no code with the engine. Every grant of `input` needs an explicit
 * `id` (it throws otherwise); give it inputs that `createGraph` accepts.
 *
 * @example
 * ```ts
 * import { createGraph, resolveAccess } from "grantpath";
 * import { referenceResolve } from "grantpath/testing";
 *
 * const at = new Date("2025-06-15T10:00:00Z");
 * const expected = referenceResolve(input, "usr_def456", { at });
 * const actual = myAuthz.resolve(createGraph(input), "usr_def456", at); // your wrapper
 * assert.deepStrictEqual(actual, expected);
 * ```
 */
export function referenceResolve(input: GraphInput, userId: string, options: ReferenceResolveOptions): ResolvedAccess {
  // entity key -> (path key -> path); Maps, so ids like "__proto__" are ordinary keys.
  const found = new Map<string, { entity_type: EntityType; entity_id: string; paths: Map<string, GrantPath> }>();
  const add = (entityType: EntityType, entityId: string, path: GrantPath): void => {
    const entityKey = `${entityType} ${entityId}`;
    let entity = found.get(entityKey);
    if (entity === undefined) {
      entity = { entity_type: entityType, entity_id: entityId, paths: new Map() };
      found.set(entityKey, entity);
    }
    entity.paths.set(`${path.grant_id} ${path.type} ${path.composite_id ?? ""}`, path);
  };

  for (const grant of input.grants ?? []) {
    if (!isActive(grant, options.at)) continue;
    const how = reach(input, userId, grant);
    if (how === null) continue;
    const id = grantId(grant);
    add(grant.entity_type, grant.entity_id, {
      type: how.type,
      access_level: grant.access_level,
      department_id: how.department_id,
      role_id: how.role_id,
      composite_id: null,
      grant_id: id,
    });
    if (grant.entity_type === "knowledge_slice") {
      for (const member of containedSlices(input, grant.entity_id)) {
        add("knowledge_slice", member, {
          type: "composite",
          access_level: grant.access_level,
          department_id: how.department_id,
          role_id: how.role_id,
          composite_id: grant.entity_id,
          grant_id: id,
        });
      }
    }
  }

  const entities: ResolvedEntity[] = [];
  for (const entity of found.values()) {
    if (options.entityType !== undefined && entity.entity_type !== options.entityType) continue;
    const paths = [...entity.paths.values()].sort(comparePaths);
    let level: AccessLevel = "read";
    for (const path of paths) if (LEVEL_RANK[path.access_level] > LEVEL_RANK[level]) level = path.access_level;
    entities.push({
      entity_type: entity.entity_type,
      entity_id: entity.entity_id,
      access_level: level,
      grant_paths: paths,
    });
  }
  entities.sort((a, b) => compareNullable(a.entity_type, b.entity_type) || compareNullable(a.entity_id, b.entity_id));
  return { user_id: userId, entities };
}

/**
 * `checkAccess` by brute force: the entity's entry of {@link referenceResolve}'s answer, and
 * whether it allows `options.level`. Slow by design, an oracle for tests (it resolves the user's
 * whole access to answer one question).
 *
 * @example
 * ```ts
 * import { checkAccess, createGraph } from "grantpath";
 * import { referenceCheck } from "grantpath/testing";
 *
 * const options = { level: "write", at: new Date("2025-06-15T10:00:00Z") } as const;
 * assert.deepStrictEqual(
 *   checkAccess(createGraph(input), "usr_def456", "knowledge_slice", "kslice_abc123", options),
 *   referenceCheck(input, "usr_def456", "knowledge_slice", "kslice_abc123", options),
 * );
 * ```
 */
export function referenceCheck(
  input: GraphInput,
  userId: string,
  entityType: EntityType,
  entityId: string,
  options: ReferenceCheckOptions,
): AccessCheck {
  const entity = referenceResolve(input, userId, { entityType, at: options.at }).entities.find(
    (e) => e.entity_id === entityId,
  );
  if (entity === undefined) return { allowed: false, access_level: null, grant_paths: [] };
  const allowed = options.level === undefined || LEVEL_RANK[entity.access_level] >= LEVEL_RANK[options.level];
  return { allowed, access_level: entity.access_level, grant_paths: entity.grant_paths };
}

/**
 * Every user the graph lists, plus every grantee of a user grant: the users
 * {@link referenceUsersWithAccess} considers (nobody else can be reached).
 *
 * @example
 * ```ts
 * referenceCandidateUsers(input).includes("usr_def456");
 * ```
 */
export function referenceCandidateUsers(input: GraphInput): string[] {
  const ids = new Set<string>();
  for (const user of input.users ?? []) ids.add(user.id);
  for (const grant of input.grants ?? []) if (grant.grantee_type === "user") ids.add(grant.grantee_id);
  return [...ids];
}

/**
 * `usersWithAccess` by brute force: {@link referenceCheck} for every candidate user (every
 * listed user and every user grantee), keeping those reached, sorted by `user_id`. Slow by
 * design, an oracle for tests.
 *
 * @example
 * ```ts
 * import { createGraph, usersWithAccess } from "grantpath";
 * import { referenceUsersWithAccess } from "grantpath/testing";
 *
 * const at = new Date("2025-06-15T10:00:00Z");
 * assert.deepStrictEqual(
 *   usersWithAccess(createGraph(input), "vector_store", "vs_docs01", { at }),
 *   referenceUsersWithAccess(input, "vector_store", "vs_docs01", { at }),
 * );
 * ```
 */
export function referenceUsersWithAccess(
  input: GraphInput,
  entityType: EntityType,
  entityId: string,
  options: ReferenceUsersWithAccessOptions,
): UsersWithAccess {
  const users: UserAccess[] = [];
  for (const userId of referenceCandidateUsers(input)) {
    const check = referenceCheck(input, userId, entityType, entityId, { at: options.at });
    if (check.access_level === null) continue;
    users.push({ user_id: userId, access_level: check.access_level, grant_paths: check.grant_paths });
  }
  users.sort((a, b) => compareNullable(a.user_id, b.user_id));
  return { entity_type: entityType, entity_id: entityId, users };
}
