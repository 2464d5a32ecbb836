/**
 * Pure writes: each takes a graph and returns a new one, leaving the old graph untouched and
 * still valid. Arguments are validated before anything changes, and a write that fails
 * (cycle, conflict, unknown grant) throws and yields no graph at all. Inside, the tries copy
 * only the nodes on the paths a write touches, and the new graph is the old record with the
 * changed fields swapped in (see `writeGraph` in `graph-state.ts`).
 * @module
 */
import { setCompositeMembersIn } from "./composite-containment.js";
import {
  departmentChildren,
  departmentIsKnown,
  departmentParent,
  setDepartmentParent,
  undeclareDepartment,
} from "./department-forest.js";
import { alreadyExists, departmentNotFound } from "./error-constructors.js";
import { type AccessError, validationError } from "./errors.js";
import {
  expiresMs,
  insertGrant,
  nextAutoIds,
  parseGrant,
  removeGrant,
  replaceGrant,
  requireGrant,
  updatedAt,
  withExpiry,
  withLevel,
} from "./grant-index.js";
import { grantSetSize, grantSetValues } from "./grant-set.js";
import { type AccessGraph, stateOf, writeGraph } from "./graph-state.js";
import { trieForEach, trieGet, trieHas } from "./hash-trie.js";
import { membersOf, setDepartmentsOf, setRolesOf, userMemberships } from "./memberships.js";
import type { AccessLevel, DepartmentInput, GrantInput } from "./types.js";
import {
  expectAccessLevel,
  expectArray,
  expectId,
  expectIdList,
  expectObject,
  expectStorableDate,
  expectTimestamp,
  ownOptions,
} from "./validate.js";

/**
 * Adds a grant. Without an `id`, the grant gets the next free `agrant_auto_N`; the counter
 * only grows along this graph's writes, so the id of a revoked grant is not handed out again
 * (a graph rebuilt from `graphToInput` starts counting afresh, skipping ids in use). The
 * grant-management service always passes random ids.
 *
 * @throws {@link AccessError} `VALIDATION_ERROR` for a malformed field or a reused id;
 *   `RESOURCE_ALREADY_EXISTS` (with the existing `grant_id` in `details`) when the grantee
 *   already holds a grant on the entity — change its level with {@link updateGrantLevel}.
 *
 * @example
 * ```ts
 * import { addGrant, createGraph, checkAccess } from "grantpath";
 *
 * const before = createGraph({ organization_id: "org_1" });
 * const after = addGrant(before, { id: "agrant_1", entity_type: "assistant", entity_id: "asst_1",
 *   grantee_type: "user", grantee_id: "usr_1", access_level: "read" });
 * checkAccess(after, "usr_1", "assistant", "asst_1").allowed;  // true
 * checkAccess(before, "usr_1", "assistant", "asst_1").allowed; // false: the old graph is unchanged
 * ```
 */
export function addGrant(graph: AccessGraph, grant: GrantInput): AccessGraph {
  const state = stateOf(graph);
  const autoIds = nextAutoIds(state.lastAutoId, (id) => trieHas(state.grants, id));
  const stored = parseGrant(grant, "", state.organization_id, autoIds.next);
  return writeGraph(graph, (draft) => {
    insertGrant(draft, stored, "");
    draft.lastAutoId = autoIds.last();
  });
}

/**
 * Options of {@link updateGrantLevel}.
 *
 * @example
 * ```ts
 * updateGrantLevel(graph, "agrant_1", "write", { updated_at: "2025-06-16T09:00:00Z" });
 * ```
 */
export interface UpdateGrantOptions {
  /** The new `updated_at` (ISO-8601); the pure core has no clock, so it is kept as it was otherwise. */
  readonly updated_at?: string;
}

/**
 * Changes a grant's level, the only thing about a grant that can change.
 * Setting the level it already has returns the same graph.
 *
 * @throws {@link AccessError} `RESOURCE_NOT_FOUND` (`details.grant_id`) for an unknown grant;
 *   `VALIDATION_ERROR` for a bad level or timestamp.
 *
 * @example
 * ```ts
 * import { createGraph, updateGrantLevel, getGrant } from "grantpath";
 *
 * const graph = createGraph({ organization_id: "org_1", grants: [{ id: "agrant_1",
 *   entity_type: "assistant", entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_1",
 *   access_level: "read" }] });
 * getGrant(updateGrantLevel(graph, "agrant_1", "admin"), "agrant_1")?.access_level; // "admin"
 * ```
 */
export function updateGrantLevel(
  graph: AccessGraph,
  grantId: string,
  level: AccessLevel,
  options: UpdateGrantOptions = {},
): AccessGraph {
  const state = stateOf(graph);
  const grant = requireGrant(state, expectId("grant", grantId, "grant_id"));
  const access_level = expectAccessLevel(level, "access_level");
  const given = ownOptions(options, "options");
  const updated_at =
    given.updated_at === undefined ? updatedAt(grant) : timestampString(given.updated_at, "updated_at");
  if (access_level === grant.access_level && updated_at === updatedAt(grant)) return graph;
  return writeGraph(graph, (draft) => replaceGrant(draft, grant, withLevel(grant, access_level, updated_at)));
}

/**
 * Revokes a grant: it leaves the graph and no longer resolves or conflicts, so the same
 * grantee can be granted the entity again. (Keeping revoked grants for audit is the
 * storage layer's job.)
 *
 * @throws {@link AccessError} `RESOURCE_NOT_FOUND` (`details.grant_id`) for an unknown grant.
 *
 * @example
 * ```ts
 * import { createGraph, revokeGrant, getGrant } from "grantpath";
 *
 * const graph = createGraph({ organization_id: "org_1", grants: [{ id: "agrant_1",
 *   entity_type: "assistant", entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_1",
 *   access_level: "read" }] });
 * getGrant(revokeGrant(graph, "agrant_1"), "agrant_1"); // undefined
 * ```
 */
export function revokeGrant(graph: AccessGraph, grantId: string): AccessGraph {
  const grant = requireGrant(stateOf(graph), expectId("grant", grantId, "grant_id"));
  return writeGraph(graph, (draft) => removeGrant(draft, grant));
}

/**
 * Sets (or, with `null`, clears) the instant from which a grant is inactive.
 *
 * @throws {@link AccessError} `RESOURCE_NOT_FOUND` for an unknown grant; `VALIDATION_ERROR`
 *   for an invalid date or a timestamp without a time zone.
 *
 * @example
 * ```ts
 * import { checkAccess, createGraph, expireGrant } from "grantpath";
 *
 * const graph = expireGrant(createGraph({ organization_id: "org_1", grants: [{ id: "agrant_1",
 *   entity_type: "assistant", entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_1",
 *   access_level: "read" }] }), "agrant_1", "2030-01-01T00:00:00Z");
 * checkAccess(graph, "usr_1", "assistant", "asst_1", { at: new Date("2031-01-01") }).allowed; // false
 * ```
 */
export function expireGrant(graph: AccessGraph, grantId: string, expiresAt: Date | string | null): AccessGraph {
  const grant = requireGrant(stateOf(graph), expectId("grant", grantId, "grant_id"));
  let expires: { at: string; ms: number } | null = null;
  if (expiresAt instanceof Date) {
    const at = expectStorableDate(expiresAt, "expires_at");
    expires = { at, ms: expectTimestamp(at, "expires_at") };
  } else if (expiresAt !== null) {
    expires = { at: expiresAt, ms: expectTimestamp(expiresAt, "expires_at") };
  }
  // The same instant spelled differently (…00Z, …00.000Z, a Date) is no change.
  if ((expires?.ms ?? Number.POSITIVE_INFINITY) === expiresMs(grant)) return graph;
  return writeGraph(graph, (draft) => replaceGrant(draft, grant, withExpiry(grant, expires)));
}

/**
 * Replaces a user's direct department memberships (and lists the user in the graph).
 * Membership flows upward: grants to every ancestor department reach the user too.
 *
 * @example
 * ```ts
 * import { createGraph, setUserDepartments } from "grantpath";
 *
 * const graph = setUserDepartments(createGraph({ organization_id: "org_1" }), "usr_1", ["dept_eng"]);
 * ```
 */
export function setUserDepartments(graph: AccessGraph, userId: string, departmentIds: readonly string[]): AccessGraph {
  const state = stateOf(graph);
  const user = expectId("user", userId, "user_id");
  const ids = expectIdList("department", expectArray(departmentIds, "department_ids"), "department_ids");
  if (trieHas(state.users, user) && sameSet(userMemberships(state, user).department_ids, ids)) return graph;
  return writeGraph(graph, (draft) => setDepartmentsOf(draft, user, ids));
}

/**
 * Replaces the roles a user holds (and lists the user in the graph).
 *
 * @example
 * ```ts
 * import { createGraph, setUserRoles } from "grantpath";
 *
 * const graph = setUserRoles(createGraph({ organization_id: "org_1" }), "usr_1", ["role_admin01"]);
 * ```
 */
export function setUserRoles(graph: AccessGraph, userId: string, roleIds: readonly string[]): AccessGraph {
  const state = stateOf(graph);
  const user = expectId("user", userId, "user_id");
  const ids = expectIdList("role", expectArray(roleIds, "role_ids"), "role_ids");
  if (trieHas(state.users, user) && sameSet(userMemberships(state, user).role_ids, ids)) return graph;
  return writeGraph(graph, (draft) => setRolesOf(draft, user, ids));
}

/**
 * Declares a department, optionally under a parent. A department that was only named
 * implicitly (in a membership, a grant or as a parent) may be declared once.
 *
 * @throws {@link AccessError} `RESOURCE_ALREADY_EXISTS` when it is already declared;
 *   `INVALID_GRAPH` when the parent lies below it; `VALIDATION_ERROR` for malformed ids.
 *
 * @example
 * ```ts
 * import { createDepartment, createGraph } from "grantpath";
 *
 * const graph = createDepartment(createGraph({ organization_id: "org_1" }),
 *   { id: "dept_backend", parent_id: "dept_eng" });
 * ```
 */
export function createDepartment(graph: AccessGraph, department: DepartmentInput): AccessGraph {
  const state = stateOf(graph);
  const input = expectObject(department, "department");
  const id = expectId("department", input.id, "id");
  const parentId =
    input.parent_id === undefined || input.parent_id === null
      ? null
      : expectId("department", input.parent_id, "parent_id");
  if (trieGet(state.departments, id) !== undefined) {
    throw alreadyExists("Department", id, { field: "id", department_id: id });
  }
  return writeGraph(graph, (draft) => setDepartmentParent(draft, id, parentId, "parent_id"));
}

/**
 * Moves a department (with its whole subtree) under a new parent, or to the top with `null`.
 * Grants to the old ancestors stop reaching its members; grants to the new ones start.
 *
 * @throws {@link AccessError} `INVALID_GRAPH` when the new parent is the department itself or
 *   lies below it.
 *
 * @example
 * ```ts
 * import { createGraph, moveDepartment } from "grantpath";
 *
 * const graph = moveDepartment(createGraph({ organization_id: "org_1",
 *   departments: [{ id: "dept_backend", parent_id: "dept_eng" }] }), "dept_backend", "dept_platform");
 * ```
 */
export function moveDepartment(graph: AccessGraph, departmentId: string, parentId: string | null): AccessGraph {
  const state = stateOf(graph);
  const id = expectId("department", departmentId, "department_id");
  const parent = parentId === null ? null : expectId("department", parentId, "parent_id");
  if (trieGet(state.departments, id) !== undefined && departmentParent(state, id) === parent) return graph;
  return writeGraph(graph, (draft) => setDepartmentParent(draft, id, parent, "parent_id"));
}

/**
 * Removes a department. Its sub-departments move up to its parent (so they keep what they
 * inherit from above), and its direct members lose that membership. A department that is still
 * the grantee of a grant cannot be removed: revoke those grants first, so no access is
 * removed silently and none revives if the id is reused.
 *
 * @throws {@link AccessError} `VALIDATION_ERROR` (`department_id`) while grants name it;
 *   `RESOURCE_NOT_FOUND` (`details.department_id`) when the graph does not know it.
 *
 * @example
 * ```ts
 * import { createGraph, removeDepartment } from "grantpath";
 *
 * const graph = removeDepartment(createGraph({ organization_id: "org_1",
 *   departments: [{ id: "dept_old" }] }), "dept_old");
 * ```
 */
export function removeDepartment(graph: AccessGraph, departmentId: string): AccessGraph {
  const state = stateOf(graph);
  const id = expectId("department", departmentId, "department_id");
  if (!departmentIsKnown(state, id)) {
    throw departmentNotFound(id);
  }
  const grants = trieGet(state.grantsByGrantee, id);
  if (grants) {
    throw validationError(
      "department_id",
      `department ${id} is the grantee of ${grantSetSize(grants)} grant(s); revoke them before removing it`,
      {
        grant_ids: grantSetValues(grants)
          .map((grant) => grant.id)
          .sort(),
      },
    );
  }
  const parent = departmentParent(state, id);
  const children = departmentChildren(state, id);
  const members = membersOf(state.departmentMembers, id);
  return writeGraph(graph, (draft) => {
    for (const child of children) setDepartmentParent(draft, child, parent, "department_id");
    undeclareDepartment(draft, id, "department_id");
    if (members) {
      trieForEach(members, (_true, userId) => {
        const remaining = userMemberships(draft, userId).department_ids.filter((d) => d !== id);
        setDepartmentsOf(draft, userId, remaining);
      });
    }
  });
}

/**
 * Replaces the slices a composite directly contains; `[]` makes it a plain slice again.
 * A grant on the composite flows to every slice it reaches.
 *
 * @throws {@link AccessError} `INVALID_GRAPH` (with `details.cycle`) when a member is the
 *   composite itself or already contains it.
 *
 * @example
 * ```ts
 * import { createGraph, setCompositeMembers } from "grantpath";
 *
 * const graph = setCompositeMembers(createGraph({ organization_id: "org_1" }),
 *   "kslice_handbook", ["kslice_policies", "kslice_benefits"]);
 * ```
 */
export function setCompositeMembers(
  graph: AccessGraph,
  compositeId: string,
  memberSliceIds: readonly string[],
): AccessGraph {
  const state = stateOf(graph);
  const id = expectId("knowledge_slice", compositeId, "composite_id");
  const members = expectIdList("knowledge_slice", expectArray(memberSliceIds, "member_slice_ids"), "member_slice_ids");
  const current = trieGet(state.compositeMembers, id);
  if (current !== undefined && sameSet(current, members)) return graph;
  return writeGraph(graph, (draft) => setCompositeMembersIn(draft, id, members, "member_slice_ids"));
}

/**
 * Replaces the organization's owners, who may manage every grant (docs/spec.md §6).
 *
 * @example
 * ```ts
 * import { createGraph, isOwner, setOwners } from "grantpath";
 *
 * isOwner(setOwners(createGraph({ organization_id: "org_1" }), ["usr_owner1"]), "usr_owner1"); // true
 * ```
 */
export function setOwners(graph: AccessGraph, ownerIds: readonly string[]): AccessGraph {
  const state = stateOf(graph);
  const owners = [...new Set(expectIdList("user", expectArray(ownerIds, "owners"), "owners"))].sort();
  if (sameSet(state.owners, owners)) return graph;
  return writeGraph(graph, (draft) => {
    draft.owners = owners;
  });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((id) => right.has(id));
}

function timestampString(value: unknown, field: string): string {
  expectTimestamp(value, field);
  return value as string;
}
