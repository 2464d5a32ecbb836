/**
 * Turning graph grants into stored grant records: every record carries all the wire fields.
 * @module
 */
import type { GrantInput } from "../core/index.js";
import type { GrantRecord } from "./storage-adapter.js";

/**
 * An instant in the wire format (docs/spec.md §12), `2025-06-15T10:00:00Z`: UTC, whole seconds.
 *
 * @example
 * ```ts
 * wireTimestamp(new Date(0)); // "1970-01-01T00:00:00Z"
 * ```
 */
export function wireTimestamp(instant: Date): string {
  return `${instant.toISOString().slice(0, 19)}Z`;
}

/**
 * When a stored grant was revoked, or `undefined` while it is active. Read from the record's own
 * fields: an optional field it lacks must not be found on `Object.prototype` instead.
 *
 * @example
 * ```ts
 * revokedAtOf(record) === undefined; // the grant is active
 * ```
 */
export function revokedAtOf(grant: { readonly revoked_at?: string }): string | undefined {
  return Object.hasOwn(grant, "revoked_at") ? grant.revoked_at : undefined;
}

/**
 * When a grant stops being active, or `undefined` when it never does; read from its own fields.
 *
 * @example
 * ```ts
 * expiresAtOf(record) ?? "never";
 * ```
 */
export function expiresAtOf(grant: { readonly expires_at?: string | null }): string | undefined {
  const value = Object.hasOwn(grant, "expires_at") ? grant.expires_at : undefined;
  return value === null ? undefined : value;
}

/** A graph grant's optional fields, each present and undefined: the base of a grant's copy. */
const GRANT_OPTIONAL_ABSENT = Object.freeze({
  id: undefined,
  granted_by: undefined,
  created_at: undefined,
  updated_at: undefined,
  expires_at: undefined,
});

/**
 * A complete grant record from a validated graph grant: `created_at` and `updated_at` in the
 * wire format (whole seconds, UTC), and `fallback` for those it lacks.
 *
 * @example
 * ```ts
 * toGrantRecord({ id: "agrant_1", entity_type: "assistant", entity_id: "asst_1", grantee_type: "user",
 *   grantee_id: "usr_1", access_level: "read" }, "org_1", new Date());
 * ```
 */
export function toGrantRecord(grant: GrantInput, organizationId: string, fallback: Date): GrantRecord {
  // Own fields only: an optional field the grant lacks must not come from Object.prototype.
  const own = { ...GRANT_OPTIONAL_ABSENT, ...grant };
  // Listings order by created_at as text, so every stored timestamp takes the one wire format.
  const normal = (value: string | null | undefined) => (value ? wireTimestamp(new Date(value)) : null);
  const created_at = normal(own.created_at) ?? wireTimestamp(fallback);
  return Object.freeze({
    id: own.id ?? "",
    entity_type: own.entity_type,
    entity_id: own.entity_id,
    grantee_type: own.grantee_type,
    grantee_id: own.grantee_id,
    access_level: own.access_level,
    granted_by: own.granted_by ?? null,
    organization_id: organizationId,
    created_at,
    updated_at: normal(own.updated_at) ?? created_at,
    ...(own.expires_at ? { expires_at: own.expires_at } : {}),
  });
}
