/**
 * `applyChanges`: the graph after a list of storage changes, so a replica built from a snapshot
 * and fed the change log equals the organization at each revision. Each change means exactly
 * what it means to storage, which is what a snapshot loaded from storage rebuilds.
 * @module
 */

import type { StorageChange } from "./changes.js";
import { setCompositeMembersIn } from "./composite-containment.js";
import { setDepartmentParent, undeclareDepartment } from "./department-forest.js";
import { validationError } from "./errors.js";
import { insertGrant, parseGrant, removeGrant, replaceGrant } from "./grant-index.js";
import { type AccessGraph, type GraphState, writeGraph } from "./graph-state.js";
import { trieGet } from "./hash-trie.js";
import { setDepartmentsOf, setRolesOf } from "./memberships.js";
import {
  expectArray,
  expectId,
  expectIdList,
  expectObject,
  fieldPath,
  optionalTimestamp,
  type UntrustedObject,
} from "./validate.js";

/**
 * Returns the graph after `changes`, applied in order, leaving `graph` as it was. Changes come
 * from `GET /access/changes` (each commit's `changes`) or `accessControl.changes`; they are
 * checked like any input, and a list that fails anywhere yields no graph at all.
 *
 * - `create_organization` and `set_owners` set the owners;
 * - `put_grant` adds the grant, replaces the grant with its id, or, when it carries
 *   `revoked_at`, takes it out of the graph;
 * - `put_user` sets a user's direct departments and roles;
 * - `put_department` declares a department with its parent; `delete_department` takes the
 *   declaration back (the commit's following changes move its sub-departments and members);
 * - `put_composite` sets a composite's direct members.
 *
 * @throws {@link AccessError} `VALIDATION_ERROR` naming `changes[i]…` for a malformed change or a
 *   grant of another organization; `INVALID_GRAPH` for a change that would close a cycle;
 *   `RESOURCE_ALREADY_EXISTS` for a grant whose entity and grantee another active grant holds.
 *
 * @example
 * ```ts
 * import { applyChanges, checkAccess, createGraph } from "grantpath";
 *
 * const replica = applyChanges(createGraph({ organization_id: "org_1" }), [
 *   { type: "put_user", user: { id: "usr_1", department_ids: ["dept_eng"], role_ids: [] } },
 *   { type: "put_grant", grant: { id: "agrant_1", entity_type: "assistant", entity_id: "asst_1",
 *     grantee_type: "department", grantee_id: "dept_eng", access_level: "write", granted_by: null,
 *     organization_id: "org_1", created_at: "2025-06-15T10:00:00Z", updated_at: "2025-06-15T10:00:00Z" } },
 * ]);
 * checkAccess(replica, "usr_1", "assistant", "asst_1").access_level; // "write"
 * ```
 */
export function applyChanges(graph: AccessGraph, changes: readonly StorageChange[]): AccessGraph {
  const list = expectArray(changes, "changes");
  if (list.length === 0) return graph;
  return writeGraph(graph, (draft) => {
    list.forEach((change, index) => {
      applyChange(draft, change, `changes[${index}]`);
    });
  });
}

function applyChange(state: GraphState, value: unknown, field: string): void {
  const change = expectObject(value, field);
  switch (change.type) {
    case "create_organization":
    case "set_owners":
      state.owners = [...new Set(expectIdList("user", change.owners, fieldPath(field, "owners")))].sort();
      return;
    case "put_grant":
      putGrant(state, expectObject(change.grant, fieldPath(field, "grant")), fieldPath(field, "grant"));
      return;
    case "put_user": {
      const user = expectObject(change.user, fieldPath(field, "user"));
      const at = fieldPath(field, "user");
      const id = expectId("user", user.id, fieldPath(at, "id"));
      setDepartmentsOf(state, id, expectIdList("department", user.department_ids, fieldPath(at, "department_ids")));
      setRolesOf(state, id, expectIdList("role", user.role_ids, fieldPath(at, "role_ids")));
      return;
    }
    case "put_department": {
      const at = fieldPath(field, "department");
      const department = expectObject(change.department, at);
      const id = expectId("department", department.id, fieldPath(at, "id"));
      const parentId =
        department.parent_id === null || department.parent_id === undefined
          ? null
          : expectId("department", department.parent_id, fieldPath(at, "parent_id"));
      setDepartmentParent(state, id, parentId, fieldPath(at, "parent_id"));
      return;
    }
    case "delete_department": {
      const id = expectId("department", change.department_id, fieldPath(field, "department_id"));
      // As in storage: the department is no longer declared. Sub-departments still name it as
      // their parent, so it stays in the forest as an undeclared root until they move.
      undeclareDepartment(state, id, fieldPath(field, "department_id"));
      return;
    }
    case "put_composite": {
      const at = fieldPath(field, "composite");
      const composite = expectObject(change.composite, at);
      const id = expectId("knowledge_slice", composite.id, fieldPath(at, "id"));
      const members = expectIdList("knowledge_slice", composite.member_slice_ids, fieldPath(at, "member_slice_ids"));
      setCompositeMembersIn(state, id, members, fieldPath(at, "member_slice_ids"));
      return;
    }
    default:
      throw validationError(
        fieldPath(field, "type"),
        `${fieldPath(field, "type")} must be one of create_organization, set_owners, put_grant, put_user, put_department, delete_department, put_composite`,
      );
  }
}

function putGrant(state: GraphState, grant: UntrustedObject, field: string): void {
  const revoked = optionalTimestamp(grant.revoked_at, fieldPath(field, "revoked_at")) !== null;
  const { revoked_at: _revoked, ...fields } = grant;
  const next = parseGrant(fields, field, state.organization_id, () =>
    expectId("grant", grant.id, fieldPath(field, "id")),
  );
  const previous = trieGet(state.grants, next.id);
  if (revoked) {
    if (previous) removeGrant(state, previous);
    return;
  }
  if (previous && previous.entity_id === next.entity_id && previous.grantee_id === next.grantee_id) {
    replaceGrant(state, previous, next);
    return;
  }
  if (previous) removeGrant(state, previous);
  insertGrant(state, next, field);
}
