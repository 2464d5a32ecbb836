/**
 * Turning graph grants into stored grant records: every record carries all the wire fields.
 * @module
 */
import type { GrantInput } from "../core/index.js";
import type { GrantRecord } from "./storage-adapter.js";

/**
 * An instant in the seed's wire format, `2025-06-15T10:00:00Z`: UTC, whole seconds.
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
  // Listings order by created_at as text, so every stored timestamp takes the one wire format.
  const normal = (value: string | null | undefined) => (value ? wireTimestamp(new Date(value)) : null);
  const created_at = normal(grant.created_at) ?? wireTimestamp(fallback);
  return Object.freeze({
    id: grant.id ?? "",
    entity_type: grant.entity_type,
    entity_id: grant.entity_id,
    grantee_type: grant.grantee_type,
    grantee_id: grant.grantee_id,
    access_level: grant.access_level,
    granted_by: grant.granted_by ?? null,
    organization_id: organizationId,
    created_at,
    updated_at: normal(grant.updated_at) ?? created_at,
    ...(grant.expires_at ? { expires_at: grant.expires_at } : {}),
  });
}
