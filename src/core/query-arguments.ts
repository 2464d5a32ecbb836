/**
 * Validation of the arguments every query shares, so each query states only what it asks.
 * @module
 */

import type { AccessLevel, EntityType } from "./types.js";
import { expectAccessLevel, expectDate, expectEntityType, expectId } from "./validate.js";

/**
 * The instant a query is asked about, in epoch milliseconds. SPEC section 3 makes "now" the
 * default; this is the one place the core reads the clock, and only when the caller gave no `at`.
 */
export function queryInstant(at: Date | undefined): number {
  return at === undefined ? Date.now() : expectDate(at, "at");
}

export function queryUser(userId: unknown): string {
  return expectId("user", userId, "user_id");
}

export function queryEntity(entityType: unknown, entityId: unknown): { entityType: EntityType; entityId: string } {
  const type = expectEntityType(entityType, "entity_type");
  return { entityType: type, entityId: expectId(type, entityId, "entity_id") };
}

export function queryEntityTypeFilter(entityType: unknown): EntityType | undefined {
  return entityType === undefined || entityType === null ? undefined : expectEntityType(entityType, "entity_type");
}

export function queryLevel(level: unknown): AccessLevel | undefined {
  return level === undefined ? undefined : expectAccessLevel(level, "level");
}
