import { buildContainment } from "./composite-containment.js";
import { buildDepartmentForest } from "./department-forest.js";
import { validationError } from "./errors.js";
import { type AutoIds, nextAutoIds, parseGrantFields } from "./grant-index.js";
import { firstConflict, writeGrantIndexes } from "./grant-index-builder.js";
import { type AccessGraph, emptyState, freezeGraph } from "./graph-state.js";
import { trieSet } from "./hash-trie.js";
import { type GraphLimits, readLimits } from "./limits.js";
import { writeMemberships } from "./memberships.js";
import type { StoredGrantDraft } from "./stored-grant.js";
import type { GraphInput } from "./types.js";
import { expectId, expectIdList, expectObject, optionalArray, type UntrustedObject } from "./validate.js";

/**
 * Validates a whole {@link GraphInput} and builds the organization's immutable graph.
 *
 * Reads the lists in order (owners, users, departments, roles, composites, grants), checking
 * each one's formats, allowed values and id prefixes and then its structure (department and
 * composite cycles, two grants for one entity and grantee), and throws on the first problem
 * with the exact field path, e.g. `grants[3].entity_type`. Nothing of the input is kept by
 * reference: changing the input afterwards does not change the graph. Grants without an `id`
 * get a deterministic one (`agrant_auto_1`, …) so the same file always yields the same ids.
 *
 * `options.limits` bounds department depth, composite depth and the organization's size (see
 * {@link GraphLimits}); the graph keeps them, and every write on it is held to them too.
 *
 * @throws {@link AccessError} `VALIDATION_ERROR` (malformed or duplicate, or past a limit, with
 *   `details.limit` naming it), `INVALID_GRAPH` (cycle, `details.cycle` lists it),
 *   `RESOURCE_ALREADY_EXISTS` (a second grant for the same entity and grantee).
 *
 * @example
 * ```ts
 * import { createGraph, resolveAccess } from "grantpath";
 *
 * const graph = createGraph({
 *   organization_id: "org_acme",
 *   owners: ["usr_owner1"],
 *   users: [{ id: "usr_def456", department_ids: ["dept_backend"] }],
 *   departments: [{ id: "dept_backend", parent_id: "dept_eng01" }],
 *   grants: [{ entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *              grantee_type: "department", grantee_id: "dept_eng01", access_level: "read" }],
 * });
 * resolveAccess(graph, "usr_def456").entities.length; // 1
 * ```
 */
export function createGraph(input: GraphInput, options: CreateGraphOptions = {}): AccessGraph {
  const limits = readLimits(expectObject(options ?? {}, "options").limits, "limits");
  // Problems are reported in input order: each list is checked whole (formats, then its
  // structure) before the next list is read.
  const root = expectObject(input, "graph");
  const organizationId = expectId("organization", root.organization_id, "organization_id");
  rejectOversized(root, limits.maxOrganizationSize);
  const state = emptyState(organizationId, limits);
  state.owners = [...new Set(expectIdList("user", root.owners, "owners"))].sort();

  const users = parseList(root.users, "users", (item, field) => ({
    id: expectId("user", item.id, `${field}.id`),
    department_ids: expectIdList("department", item.department_ids, `${field}.department_ids`),
    role_ids: expectIdList("role", item.role_ids, `${field}.role_ids`),
  }));
  writeMemberships(state, users);

  const departments = parseList(root.departments, "departments", (item, field) => ({
    id: expectId("department", item.id, `${field}.id`),
    parent_id:
      item.parent_id === undefined || item.parent_id === null
        ? null
        : expectId("department", item.parent_id, `${field}.parent_id`),
  }));
  buildDepartmentForest(state, departments, (index) => `departments[${index}].parent_id`);

  const roles = parseList(root.roles, "roles", (item, field) => ({ id: expectId("role", item.id, `${field}.id`) }));
  for (const role of roles) state.roles = trieSet(state.roles, role.id, true);

  const composites = parseList(root.composites, "composites", (item, field) => {
    if (item.member_slice_ids === undefined || item.member_slice_ids === null) {
      throw validationError(`${field}.member_slice_ids`, `${field}.member_slice_ids is required`);
    }
    return {
      id: expectId("knowledge_slice", item.id, `${field}.id`),
      member_slice_ids: expectIdList("knowledge_slice", item.member_slice_ids, `${field}.member_slice_ids`),
    };
  });
  buildContainment(state, composites, (index) => `composites[${index}].member_slice_ids`);

  const grantItems = optionalArray(root.grants, "grants");
  const autoIds = autoIdSource(grantItems, 0);
  const grants: StoredGrantDraft[] = [];
  grantItems.forEach((item, index) => {
    try {
      grants.push(parseGrantFields(item, () => `grants[${index}]`, organizationId, autoIds.next));
    } catch (error) {
      // Reused ids and granted pairs are found in bulk, after validation; one before this
      // grant is the first problem in input order, so it is the one reported.
      throw firstConflict(grants) ?? error;
    }
  });
  writeGrantIndexes(state, grants);
  state.lastAutoId = autoIds.last();
  return freezeGraph(state);
}

/**
 * Options of {@link createGraph}.
 *
 * @example
 * ```ts
 * const options: CreateGraphOptions = { limits: { maxDepartmentDepth: 20 } };
 * ```
 */
export interface CreateGraphOptions {
  /** Bounds the graph keeps, now and on every write (defaults: {@link DEFAULT_LIMITS}). */
  readonly limits?: GraphLimits;
}

/** Refuses an input holding more entries than `maxOrganizationSize`, before reading any of them. */
function rejectOversized(root: UntrustedObject, max: number): void {
  let size = 0;
  for (const list of ["users", "departments", "composites", "grants"] as const) {
    const value = root[list];
    if (Array.isArray(value)) size += value.length;
  }
  if (size > max) {
    throw validationError(
      "graph",
      `graph holds ${size} users, departments, composites and grants; the limit maxOrganizationSize is ${max}`,
      { limit: "maxOrganizationSize", max, size },
    );
  }
}

/** Parses an optional list of objects, rejecting a second item with the same `id`. */
function parseList<T extends { readonly id: string }>(
  value: unknown,
  field: string,
  parseItem: (item: UntrustedObject, itemField: string) => T,
): T[] {
  const items = optionalArray(value, field).map((item, index) =>
    parseItem(expectObject(item, `${field}[${index}]`), `${field}[${index}]`),
  );
  rejectDuplicateIds(items, field);
  return items;
}

function rejectDuplicateIds(items: readonly { readonly id: string }[], field: string): void {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    rejectDuplicateId(firstIndex, item.id, index, field);
  });
}

function rejectDuplicateId(firstIndex: Map<string, number>, id: string, index: number, field: string): void {
  const earlier = firstIndex.get(id);
  if (earlier !== undefined) {
    throw validationError(`${field}[${index}].id`, `${field}[${index}].id ${id} duplicates ${field}[${earlier}].id`);
  }
  firstIndex.set(id, index);
}

/**
 * Deterministic ids for grants given without one, skipping every id the input uses. The ids
 * in use are collected only when the first grant without an id asks for one.
 */
function autoIdSource(grantItems: readonly unknown[], start: number): AutoIds {
  let taken: Set<unknown> | undefined;
  return nextAutoIds(start, (id) => {
    taken ??= new Set(
      grantItems.map((item) => (typeof item === "object" && item !== null ? (item as UntrustedObject).id : undefined)),
    );
    return taken.has(id);
  });
}
