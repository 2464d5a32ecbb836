/**
 * Validation of the service's inputs: whatever a JavaScript caller or an HTTP body passes is
 * checked field by field, failing with `VALIDATION_ERROR` and the field's name (for bulk items,
 * `grants[i].field` and the item `index`).
 * @module
 */
import { validationError } from "../core/errors.js";
import {
  AccessError,
  type AccessLevel,
  ENTITY_TYPES,
  type EntityType,
  GRANTEE_TYPES,
  type GranteeType,
  ID_PREFIXES,
  type IdKind,
  isAccessError,
  isValidId,
} from "../core/index.js";
import { queryFlag } from "../core/query-arguments.js";
import {
  expectAccessLevel,
  expectArray,
  expectDate,
  expectEntityType,
  expectGranteeType,
  expectId,
  expectObject,
  expectTimestamp,
  fieldPath,
  type UntrustedObject,
} from "../core/validate.js";
import type { GrantFilter, PageRequest } from "../storage/storage-adapter.js";
import type { CallOptions } from "./access-control-types.js";

/** The most grants one bulk request may create. */
export const MAX_BULK_GRANTS = 1000;
/** The default and largest page sizes of docs/spec.md §6. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export interface EntityRef {
  readonly entity_type: EntityType;
  readonly entity_id: string;
}

export interface GranteeLevel {
  readonly grantee_type: GranteeType;
  readonly grantee_id: string;
  readonly access_level: AccessLevel;
  readonly expires_at: string | null;
}

export function organizationArg(value: unknown): string {
  return expectId("organization", value, "organization_id");
}

export function actorArg(value: unknown): string {
  return expectId("user", value, "actor_id");
}

export function entityArg(body: UntrustedObject): EntityRef {
  const entity_type = expectEntityType(body.entity_type, "entity_type");
  return { entity_type, entity_id: expectId(entity_type, body.entity_id, "entity_id") };
}

/** A grantee and level, as one grant of a create or bulk request; `prefix` is `""` or `grants[i]`. */
export function granteeArg(body: UntrustedObject, prefix: string, nowMs: number): GranteeLevel {
  const field = (name: string) => (prefix === "" ? name : `${prefix}.${name}`);
  const grantee_type = expectGranteeType(body.grantee_type, field("grantee_type"));
  const grantee_id = expectId(grantee_type, body.grantee_id, field("grantee_id"));
  const access_level = expectAccessLevel(body.access_level, field("access_level"));
  let expires_at: string | null = null;
  if (body.expires_at !== undefined && body.expires_at !== null) {
    if (expectTimestamp(body.expires_at, field("expires_at")) <= nowMs) {
      throw validationError(field("expires_at"), `${field("expires_at")} must be in the future`);
    }
    expires_at = body.expires_at as string;
  }
  return { grantee_type, grantee_id, access_level, expires_at };
}

/** The body of a create request. */
export function createGrantArg(body: unknown, nowMs: number): EntityRef & GranteeLevel {
  const input = expectObject(body, "body");
  return { ...entityArg(input), ...granteeArg(input, "", nowMs) };
}

/** The body of a bulk create request: one entity, 1–1000 grantees. */
export function bulkCreateArg(body: unknown, nowMs: number): EntityRef & { grants: GranteeLevel[] } {
  const input = expectObject(body, "body");
  const entity = entityArg(input);
  if (!Array.isArray(input.grants)) throw validationError("grants", "grants must be an array of grants");
  if (input.grants.length === 0) throw validationError("grants", "grants must contain at least one grant");
  if (input.grants.length > MAX_BULK_GRANTS) {
    throw validationError("grants", `grants may contain at most ${MAX_BULK_GRANTS} grants`);
  }
  const firstIndex = new Map<string, number>();
  const grants = input.grants.map((item: unknown, index: number) => {
    let grant: GranteeLevel;
    try {
      grant = granteeArg(expectObject(item, `grants[${index}]`), `grants[${index}]`, nowMs);
    } catch (error) {
      throw withIndex(error, index);
    }
    const earlier = firstIndex.get(grant.grantee_id);
    if (earlier !== undefined) {
      const field = `grants[${index}].grantee_id`;
      throw validationError(field, `${field} ${grant.grantee_id} is already granted by grants[${earlier}]`, { index });
    }
    firstIndex.set(grant.grantee_id, index);
    return grant;
  });
  return { ...entity, grants };
}

/** Adds the bulk item's `index` to an error's details. */
export function withIndex(error: unknown, index: number): unknown {
  if (!(error instanceof AccessError)) return error;
  return new AccessError(
    error.code,
    { ...error.details, index },
    { message: error.message, system_message: error.system_message, cause: error },
  );
}

/** The grant fields an update may not name: only `access_level` changes. */
export const IMMUTABLE_GRANT_FIELDS = [
  "id",
  "entity_type",
  "entity_id",
  "grantee_type",
  "grantee_id",
  "granted_by",
  "organization_id",
  "created_at",
  "updated_at",
  "revoked_at",
  "expires_at",
] as const;

/** The body of an update: `access_level`, the only field of a grant that can change. */
export function updateGrantArg(body: unknown): AccessLevel {
  const input = expectObject(body, "body");
  for (const field of IMMUTABLE_GRANT_FIELDS) {
    if (input[field] !== undefined) {
      throw validationError(
        field,
        `${field} cannot be changed; only access_level can (revoke and grant again instead)`,
      );
    }
  }
  return expectAccessLevel(input.access_level, "access_level");
}

function optionalInteger(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** `skip` (default 0) and `limit` (default 20, 1–100). */
export function pageArg(query: UntrustedObject): PageRequest {
  return {
    skip: optionalInteger(query.skip, "skip", 0, 0, Number.MAX_SAFE_INTEGER),
    limit: optionalInteger(query.limit, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
  };
}

/** An id of any of `kinds` (its prefix says which), e.g. an entity id given without its type. */
function idOfSomeKind(kinds: readonly IdKind[], value: unknown, field: string): string {
  if (kinds.some((kind) => isValidId(kind, value))) return value as string;
  const prefixes = kinds.map((kind) => `"${ID_PREFIXES[kind]}"`).join(", ");
  throw validationError(field, `${field} must be an id starting with one of ${prefixes}`);
}

/** An id filter: it must fit the type given beside it, or else one of `kinds` by its prefix. */
function idFilter(kinds: readonly IdKind[], type: IdKind | undefined, value: unknown, field: string): string {
  return type === undefined ? idOfSomeKind(kinds, value, field) : expectId(type, value, field);
}

/**
 * An option given under its camelCase name or, as the service first took it, under the wire's
 * snake_case one. Both given with different values is a `VALIDATION_ERROR` naming the wire field.
 */
export function optionOf(query: UntrustedObject, name: string, wireName: string): unknown {
  const value = query[name];
  const wireValue = query[wireName];
  if (value !== undefined && wireValue !== undefined && value !== wireValue) {
    throw validationError(wireName, `${name} and ${wireName} are two spellings of one option: give one`);
  }
  return value ?? wireValue;
}

/**
 * The filters of a grant listing (`entityType`, `entityId`, `granteeType`, `granteeId`, or their
 * wire spellings), as the storage contract's {@link GrantFilter}; each id must fit its type
 * (given or implied by its prefix).
 */
export function listFilterArg(query: UntrustedObject): GrantFilter {
  // No prototype: a field not set here is not set, whatever other code put on Object.prototype.
  const filter: { -readonly [K in keyof GrantFilter]: GrantFilter[K] } = Object.create(null);
  const entityType = optionOf(query, "entityType", "entity_type");
  const entityId = optionOf(query, "entityId", "entity_id");
  const granteeType = optionOf(query, "granteeType", "grantee_type");
  const granteeId = optionOf(query, "granteeId", "grantee_id");
  if (entityType !== undefined) filter.entity_type = expectEntityType(entityType, "entity_type");
  if (entityId !== undefined) filter.entity_id = idFilter(ENTITY_TYPES, filter.entity_type, entityId, "entity_id");
  if (granteeType !== undefined) filter.grantee_type = expectGranteeType(granteeType, "grantee_type");
  if (granteeId !== undefined) {
    filter.grantee_id = idFilter(GRANTEE_TYPES, filter.grantee_type, granteeId, "grantee_id");
  }
  return filter;
}

/** The default and largest page of the change log, in commits. */
export const DEFAULT_CHANGES_LIMIT = 100;
export const MAX_CHANGES_LIMIT = 1000;

/** Which page of the change log: `since` (default 0) and `limit` (1–1000, default 100). */
export function changesArg(query: UntrustedObject): { readonly since: number; readonly limit: number } {
  return {
    since: optionalInteger(query.since, "since", 0, 0, Number.MAX_SAFE_INTEGER),
    limit: optionalInteger(query.limit, "limit", DEFAULT_CHANGES_LIMIT, 1, MAX_CHANGES_LIMIT),
  };
}

/** A call's options: `minRevision` a whole number ≥ 0 (named `min_revision`, as on the wire), `onRevision` a function. */
export function callArg(options: unknown): CallOptions {
  if (options === undefined || options === null) return {};
  const given = expectObject(options, "options");
  const minRevision =
    given.minRevision === undefined
      ? undefined
      : optionalInteger(given.minRevision, "min_revision", 0, 0, Number.MAX_SAFE_INTEGER);
  for (const name of ["onRevision", "onNextChange"]) {
    if (given[name] !== undefined && typeof given[name] !== "function") {
      throw validationError(name, `${name} must be a function`);
    }
  }
  return {
    ...(minRevision === undefined ? {} : { minRevision }),
    ...(given.onRevision === undefined ? {} : { onRevision: given.onRevision as (revision: number) => void }),
    ...(given.onNextChange === undefined
      ? {}
      : { onNextChange: given.onNextChange as (nextChangeAt: Date | null) => void }),
  };
}

/** The most checks one bulk check may ask (docs/spec.md §9). */
export const MAX_BULK_CHECKS = 100;

/** One check, validated: the user, the entity, and the level needed (if any). */
export interface CheckRequest extends EntityRef {
  readonly user_id: string;
  readonly level: AccessLevel | undefined;
}

/** The level a check needs: absent or `null` (as a JSON caller may send it) asks for none. */
function checkLevelArg(value: unknown, field: string): AccessLevel | undefined {
  return value === undefined || value === null ? undefined : expectAccessLevel(value, field);
}

/** The instant a check is asked about: absent or `null` is the service's now. */
function checkInstantArg(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  expectDate(value, field);
  return value as Date;
}

/**
 * The check options of `checkAccess`: `level` and `at`. `minRevision` and `onRevision` belong in
 * the last argument, as for every method; found here they are refused, since ignoring them would
 * silently drop a read-your-writes request.
 */
export function checkQueryArg(query: unknown): {
  readonly level: AccessLevel | undefined;
  readonly at: Date | undefined;
  readonly validity: boolean;
  readonly explain: boolean;
} {
  const given = query === undefined || query === null ? {} : expectObject(query, "query");
  for (const misplaced of ["minRevision", "onRevision", "onNextChange"]) {
    if (given[misplaced] !== undefined) {
      throw validationError(
        misplaced,
        `${misplaced} is a call option: pass it in checkAccess's last argument, after { level, at }`,
      );
    }
  }
  return {
    level: checkLevelArg(given.level, "level"),
    at: checkInstantArg(given.at, "at"),
    validity: queryFlag(given.validity, "validity"),
    explain: queryFlag(given.explain, "explain"),
  };
}

/** The fields of one check; `prefix` is `""` for a single check, `checks[i]` for a bulk item. */
export function checkItemArg(item: UntrustedObject, prefix: string): CheckRequest {
  const field = (name: string) => fieldPath(prefix, name);
  const user_id = expectId("user", item.user_id, field("user_id"));
  const entity_type = expectEntityType(item.entity_type, field("entity_type"));
  const entity_id = expectId(entity_type, item.entity_id, field("entity_id"));
  return { user_id, entity_type, entity_id, level: checkLevelArg(item.level, field("level")) };
}

/**
 * The input of a bulk check. What makes it a list of 1–100 objects is the whole call's: a
 * failure there is thrown (naming `checks`, or `checks[i]` with its `index`). What an item's own
 * fields say is that item's: a malformed item becomes its `VALIDATION_ERROR` (naming
 * `checks[i].field`, with the `index`), in its place, and the others are still answered.
 */
export function bulkCheckArg(input: unknown): {
  readonly checks: readonly (CheckRequest | AccessError)[];
  readonly at: Date | undefined;
  readonly validity: boolean;
  readonly explain: boolean;
} {
  const body = expectObject(input, "body");
  const items = expectArray(body.checks, "checks");
  if (items.length === 0) throw validationError("checks", "checks must contain at least one check");
  if (items.length > MAX_BULK_CHECKS) {
    throw validationError("checks", `checks may contain at most ${MAX_BULK_CHECKS} checks, got ${items.length}`);
  }
  const checks = items.map((item, index): CheckRequest | AccessError => {
    const prefix = `checks[${index}]`;
    let fields: UntrustedObject;
    try {
      fields = expectObject(item, prefix);
    } catch (error) {
      throw withIndex(error, index);
    }
    try {
      return checkItemArg(fields, prefix);
    } catch (error) {
      if (isAccessError(error, "VALIDATION_ERROR")) return withIndex(error, index) as AccessError;
      throw error;
    }
  });
  return {
    checks,
    at: checkInstantArg(body.at, "at"),
    validity: queryFlag(body.validity, "validity"),
    explain: queryFlag(body.explain, "explain"),
  };
}
