/**
 * The rows both SQL adapters store, and their conversion to and from the adapter contract's
 * shapes, so SQLite and PostgreSQL differ only in their SQL. Lists (owners, memberships,
 * composite members) are stored as JSON text: they are always read and written whole.
 * @module
 */
import { storedDataInvalid, validationError } from "../core/errors.js";
import type { GraphInput } from "../core/index.js";
import { expiresAtOf, revokedAtOf } from "./grant-records.js";
import type { GrantRecord } from "./storage-adapter.js";

/** A row of the `grants` table. */
export interface GrantRow {
  readonly organization_id: string;
  readonly id: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly grantee_type: string;
  readonly grantee_id: string;
  readonly access_level: string;
  readonly granted_by: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
}

/** The rows of one organization, as loaded. */
export interface OrganizationRows {
  readonly owners: string;
  readonly users: readonly { readonly id: string; readonly department_ids: string; readonly role_ids: string }[];
  readonly departments: readonly { readonly id: string; readonly parent_id: string | null }[];
  readonly roles: readonly { readonly id: string }[];
  readonly composites: readonly { readonly id: string; readonly member_slice_ids: string }[];
  /** Active grants only (no `revoked_at`). */
  readonly grants: readonly GrantRow[];
}

/** The wire grant (with `expires_at` / `revoked_at` only when set) from a row. */
export function grantFromRow(row: GrantRow): GrantRecord {
  return Object.freeze({
    id: row.id,
    entity_type: row.entity_type as GrantRecord["entity_type"],
    entity_id: row.entity_id,
    grantee_type: row.grantee_type as GrantRecord["grantee_type"],
    grantee_id: row.grantee_id,
    access_level: row.access_level as GrantRecord["access_level"],
    granted_by: row.granted_by,
    organization_id: row.organization_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...(row.expires_at === null ? {} : { expires_at: row.expires_at }),
    ...(row.revoked_at === null ? {} : { revoked_at: row.revoked_at }),
  });
}

/** The row values of a grant, in the column order of {@link GRANT_COLUMNS}. */
export function grantRowValues(organizationId: string, grant: GrantRecord): (string | null)[] {
  return [
    organizationId,
    grant.id,
    grant.entity_type,
    grant.entity_id,
    grant.grantee_type,
    grant.grantee_id,
    grant.access_level,
    grant.granted_by,
    grant.created_at,
    grant.updated_at,
    expiresAtOf(grant) ?? null,
    revokedAtOf(grant) ?? null,
  ];
}

/** The `grants` columns, in the order {@link grantRowValues} gives them. */
export const GRANT_COLUMNS = [
  "organization_id",
  "id",
  "entity_type",
  "entity_id",
  "grantee_type",
  "grantee_id",
  "access_level",
  "granted_by",
  "created_at",
  "updated_at",
  "expires_at",
  "revoked_at",
] as const;

/**
 * A stored list column. Text that is not a JSON list of strings is stored data that fails
 * validation (`STORED_DATA_INVALID`), never an empty or shortened list: owners dropped without a
 * word would lock every owner out, memberships dropped would quietly narrow access. The ids
 * themselves are checked by `createGraph`.
 */
function parseList(text: string, organizationId: string, storedField: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw storedDataInvalid(organizationId, error, { stored_field: storedField });
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    const problem = validationError(storedField, `${storedField} must be stored as a JSON list of strings`);
    throw storedDataInvalid(organizationId, problem, { stored_field: storedField });
  }
  return value;
}

/** The organization's graph from its rows; `STORED_DATA_INVALID` when a list column is not a JSON list of strings. */
export function graphFromRows(organizationId: string, rows: OrganizationRows): GraphInput {
  return {
    organization_id: organizationId,
    owners: parseList(rows.owners, organizationId, "owners"),
    users: rows.users.map((u) => ({
      id: u.id,
      department_ids: parseList(u.department_ids, organizationId, `users[${u.id}].department_ids`),
      role_ids: parseList(u.role_ids, organizationId, `users[${u.id}].role_ids`),
    })),
    departments: rows.departments.map((d) => ({ id: d.id, parent_id: d.parent_id })),
    roles: rows.roles.map((r) => ({ id: r.id })),
    composites: rows.composites.map((c) => ({
      id: c.id,
      member_slice_ids: parseList(c.member_slice_ids, organizationId, `composites[${c.id}].member_slice_ids`),
    })),
    grants: rows.grants.map(grantFromRow),
  };
}

/** Names the channel/notification payload both SQL adapters use: `organization_id:version`. */
export function changePayload(organizationId: string, version: number): string {
  return `${organizationId}:${version}`;
}

/** The organization and version from a change payload, or `null` when it is not one. */
export function parseChangePayload(payload: string): { organizationId: string; version: number } | null {
  const at = payload.lastIndexOf(":");
  const version = Number(payload.slice(at + 1));
  return at > 0 && Number.isInteger(version) ? { organizationId: payload.slice(0, at), version } : null;
}
