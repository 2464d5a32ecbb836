/**
 * A grant listing's filter, read the one way every adapter reads it: its own fields only, so a
 * field the caller did not set is not set, whatever other code has put on `Object.prototype`.
 * @module
 */
import type { GrantFilter, GrantRecord } from "./storage-adapter.js";

/** The fields a listing may filter on, in the order SQL conditions name them. */
export const FILTER_FIELDS = ["entity_type", "entity_id", "grantee_type", "grantee_id"] as const;

/** A filterable field. */
export type FilterField = (typeof FILTER_FIELDS)[number];

/** The fields the filter sets, with their values, in {@link FILTER_FIELDS} order. */
export function filterEntries(filter: GrantFilter): [FilterField, string][] {
  const entries: [FilterField, string][] = [];
  for (const field of FILTER_FIELDS) {
    const value = Object.hasOwn(filter, field) ? filter[field] : undefined;
    if (value !== undefined) entries.push([field, value]);
  }
  return entries;
}

/** Whether a grant matches every field the filter sets. */
export function matchesFilter(grant: GrantRecord, entries: readonly [FilterField, string][]): boolean {
  return entries.every(([field, value]) => grant[field] === value);
}
