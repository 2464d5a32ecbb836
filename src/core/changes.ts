/**
 * The change log's shapes (docs/spec.md §8): a stored grant, one change, one commit and a page of
 * commits. Storage writes them, the service and replicas read them, and the core's
 * `applyChanges` turns a graph into the graph after them, so they live here, below every layer.
 * @module
 */
import type { CompositeInput, DepartmentInput, GraphGrant, GraphInput, UserInput } from "./types.js";

/**
 * A grant as stored and as served over the wire (the grant object of docs/spec.md §12), plus `revoked_at`
 * once it has been revoked. Revoked grants stay stored for audit.
 *
 * @example
 * ```ts
 * const grant: GrantRecord = {
 *   id: "agrant_abc123def456", entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *   grantee_type: "user", grantee_id: "usr_def456", access_level: "read",
 *   granted_by: "usr_owner1", organization_id: "org_xyz789",
 *   created_at: "2025-06-15T10:00:00Z", updated_at: "2025-06-15T10:00:00Z",
 * };
 * ```
 */
export interface GrantRecord extends Omit<GraphGrant, "created_at" | "updated_at"> {
  /** When the grant was made (ISO-8601). */
  readonly created_at: string;
  /** When the grant last changed (ISO-8601). */
  readonly updated_at: string;
  /** When the grant was revoked; absent while it is active. */
  readonly revoked_at?: string;
}

/**
 * One change of a commit, as storage records it. `put_*` changes insert or replace by id;
 * revoking a grant is a `put_grant` whose grant carries `revoked_at`; `delete_department` takes
 * back a department's declaration (its parent), leaving sub-departments and members to the
 * `put_department` and `put_user` changes that follow it in the same commit.
 *
 * @example
 * ```ts
 * const changes: StorageChange[] = [
 *   { type: "create_organization", owners: ["usr_owner1"] },
 *   { type: "put_department", department: { id: "dept_eng01", parent_id: null } },
 * ];
 * ```
 */
export type StorageChange =
  | { readonly type: "create_organization"; readonly owners: readonly string[] }
  | { readonly type: "set_owners"; readonly owners: readonly string[] }
  | { readonly type: "put_grant"; readonly grant: GrantRecord }
  | { readonly type: "put_user"; readonly user: Required<UserInput> }
  | { readonly type: "put_department"; readonly department: Required<DepartmentInput> }
  | { readonly type: "delete_department"; readonly department_id: string }
  | { readonly type: "put_composite"; readonly composite: CompositeInput };

/**
 * One committed write: the revision it made, when, and its changes in the order they apply.
 *
 * @example
 * ```ts
 * const commit: Commit = { revision: 2, committed_at: "2025-06-15T10:00:00Z",
 *   changes: [{ type: "set_owners", owners: ["usr_owner1", "usr_owner2"] }] };
 * ```
 */
export interface Commit {
  /** The organization's revision after this commit. */
  readonly revision: number;
  /** When it was committed (ISO-8601, whole seconds, UTC). */
  readonly committed_at: string;
  /** What it changed, in order. */
  readonly changes: readonly StorageChange[];
}

/**
 * A page of the change log (`GET /access/changes`): commits after the asked revision, oldest
 * first, never splitting a commit.
 *
 * @example
 * ```ts
 * const page: ChangePage = { items: [], revision: 7, has_more: false }; // nothing after 7
 * ```
 */
export interface ChangePage {
  /** Commits with a revision greater than `since`, oldest first. */
  readonly items: readonly Commit[];
  /** The organization's current revision. */
  readonly revision: number;
  /** Whether commits after the last item exist (ask again with `since` = its revision). */
  readonly has_more: boolean;
}

/**
 * An organization as of one revision (`GET /access/snapshot`): the start of a replica, which then
 * follows the change log from `revision`.
 *
 * @example
 * ```ts
 * const snapshot: OrganizationSnapshot = { revision: 1, graph: { organization_id: "org_1", owners: ["usr_owner1"] } };
 * ```
 */
export interface OrganizationSnapshot {
  /** The revision the graph reflects; 0 is never a stored organization's revision. */
  readonly revision: number;
  /** The directory and the active (not revoked) grants. */
  readonly graph: GraphInput;
}
