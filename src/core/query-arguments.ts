/**
 * Validation of the arguments every query shares, so each query states only what it asks.
 * @module
 */

import { validationError } from "./errors.js";
import type { AccessLevel, EntityType } from "./types.js";
import { expectAccessLevel, expectDate, expectEntityType, expectId } from "./validate.js";

/**
 * The instant a query is asked about, in epoch milliseconds. docs/spec.md §3 makes "now" the
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

/**
 * The page size of a paged `resolveAccess` or `usersWithAccess` when only `skip` is given, and
 * the largest allowed. Larger than a grant list's (20, at most 100): an entity or a user with its
 * paths is a few hundred bytes of JSON (1000 entities of a composite with two grants on it:
 * 360 KB; 1000 users: 230 KB), and a page costs mostly one pass over every id the answer reaches
 * whatever its size, so a client walking a 100,000-entity answer is better served by 100 pages
 * than by 1000.
 */
export const DEFAULT_ACCESS_PAGE_LIMIT = 100;
export const MAX_ACCESS_PAGE_LIMIT = 1000;

/** A page of an answer: how many to skip, and how many to take at most. */
export interface PageWindow {
  readonly skip: number;
  readonly limit: number;
}

/**
 * The page asked for, or `undefined` for the whole answer (neither `skip` nor `limit` given;
 * `null` counts as not given, as a JSON caller may send it). `skip` is a whole number ≥ 0
 * (default 0), `limit` one from 1 to {@link MAX_ACCESS_PAGE_LIMIT} (default
 * {@link DEFAULT_ACCESS_PAGE_LIMIT}); anything else is a `VALIDATION_ERROR` naming the field.
 */
export function queryPage(skip: unknown, limit: unknown): PageWindow | undefined {
  const skipGiven = skip !== undefined && skip !== null;
  const limitGiven = limit !== undefined && limit !== null;
  if (!skipGiven && !limitGiven) return undefined;
  return {
    skip: skipGiven ? wholeNumber(skip, "skip", 0, Number.MAX_SAFE_INTEGER) : 0,
    limit: limitGiven ? wholeNumber(limit, "limit", 1, MAX_ACCESS_PAGE_LIMIT) : DEFAULT_ACCESS_PAGE_LIMIT,
  };
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** An optional yes/no option (`validity`, `explain`): absent, `true` or `false`. */
export function queryFlag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw validationError(field, `${field} must be true or false`);
  return value;
}
