/**
 * Grants: turning untrusted input into a stored grant, and keeping the three grant indexes
 * (by id, by grantee, by entity) in step on every insert, replace and removal.
 * @module
 */
import { grantNotFound } from "./error-constructors.js";
import { AccessError, validationError } from "./errors.js";
import { type GrantSetKey, grantSetAdd, grantSetGet, grantSetRemove, grantSetReplace } from "./grant-set.js";
import type { GrantDetails, GrantSet, GraphState, StoredGrant } from "./graph-state.js";
import { type TrieNode, trieDelete, trieGet, trieHas, trieSet } from "./hash-trie.js";
import { isValidId } from "./ids.js";
import { entityTypeOf, granteeTypeOf, type StoredGrantDraft, storedGrant, storedGrantDraft } from "./stored-grant.js";
import type { AccessLevel, EntityType, GranteeType, GraphGrant } from "./types.js";
import {
  expectAccessLevel,
  expectEntityType,
  expectGranteeType,
  expectId,
  expectObject,
  expectTimestamp,
  fieldPath,
  optionalTimestamp,
} from "./validate.js";

/**
 * Validates one grant's fields. `prefix` is the grant's own field path (`grants[3]`, or `""`
 * for a bare argument), or a function giving it, called only for an error; `fallbackId`
 * supplies an id when the input has none.
 */
export function parseGrant(
  value: unknown,
  prefix: string | (() => string),
  organizationId: string,
  fallbackId: () => string,
): StoredGrant {
  return Object.freeze(parseGrantFields(value, prefix, organizationId, fallbackId));
}

/** {@link parseGrant} without the freeze, for a bulk build that still shares the grant's id strings. */
export function parseGrantFields(
  value: unknown,
  prefix: string | (() => string),
  organizationId: string,
  fallbackId: () => string,
): StoredGrantDraft {
  // Field paths are only built for an error, and no closure is made per grant on the way:
  // a million-grant import must not build millions of either.
  // Every field the grant has is an own property of the copy (undefined when the input lacks
  // it), so no read falls through to Object.prototype, whatever other code put there.
  const input = isObjectRecord(value) ? { ...GRANT_FIELDS_ABSENT, ...value } : expectObject(value, objectLabel(prefix));
  const id =
    input.id === undefined || input.id === null
      ? fallbackId()
      : isValidId("grant", input.id)
        ? input.id
        : expectId("grant", input.id, fieldAt(prefix, "id"));
  const entity_type = isEntityType(input.entity_type)
    ? input.entity_type
    : expectEntityType(input.entity_type, fieldAt(prefix, "entity_type"));
  const entity_id = isValidId(entity_type, input.entity_id)
    ? input.entity_id
    : expectId(entity_type, input.entity_id, fieldAt(prefix, "entity_id"));
  const grantee_type = isGranteeType(input.grantee_type)
    ? input.grantee_type
    : expectGranteeType(input.grantee_type, fieldAt(prefix, "grantee_type"));
  const grantee_id = isValidId(grantee_type, input.grantee_id)
    ? input.grantee_id
    : expectId(grantee_type, input.grantee_id, fieldAt(prefix, "grantee_id"));
  const access_level = isAccessLevel(input.access_level)
    ? input.access_level
    : expectAccessLevel(input.access_level, fieldAt(prefix, "access_level"));
  const granted_by =
    input.granted_by === undefined || input.granted_by === null
      ? null
      : isValidId("user", input.granted_by)
        ? input.granted_by
        : expectId("user", input.granted_by, fieldAt(prefix, "granted_by"));
  if (input.organization_id !== undefined && input.organization_id !== organizationId) {
    const field = fieldAt(prefix, "organization_id");
    throw validationError(field, `${field} must be the graph's organization ${organizationId}`);
  }
  const created_at = timestampAt(input.created_at, prefix, "created_at");
  const updated_at = timestampAt(input.updated_at, prefix, "updated_at");
  const expires =
    input.expires_at === undefined || input.expires_at === null
      ? null
      : { at: input.expires_at as string, ms: expectTimestamp(input.expires_at, fieldAt(prefix, "expires_at")) };
  const details = grantDetails(granted_by, created_at, updated_at, expires);
  return storedGrantDraft(id, entity_id, grantee_id, access_level, details);
}

/** The fields a grant is read for, each present and undefined: the base of a grant's copy. */
const GRANT_FIELDS_ABSENT: Readonly<Record<string, undefined>> = Object.freeze({
  id: undefined,
  entity_type: undefined,
  entity_id: undefined,
  grantee_type: undefined,
  grantee_id: undefined,
  access_level: undefined,
  granted_by: undefined,
  organization_id: undefined,
  created_at: undefined,
  updated_at: undefined,
  expires_at: undefined,
});

function isObjectRecord(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectLabel(prefix: string | (() => string)): string {
  const path = typeof prefix === "string" ? prefix : prefix();
  return path === "" ? "grant" : path;
}

function fieldAt(prefix: string | (() => string), name: string): string {
  return fieldPath(typeof prefix === "string" ? prefix : prefix(), name);
}

/** An optional timestamp field; its path is built only when it is present (it is checked). */
function timestampAt(value: unknown, prefix: string | (() => string), name: string): string | null {
  return value === undefined || value === null ? null : optionalTimestamp(value, fieldAt(prefix, name));
}

function isEntityType(value: unknown): value is EntityType {
  return value === "knowledge_slice" || value === "vector_store" || value === "assistant";
}

function isGranteeType(value: unknown): value is GranteeType {
  return value === "user" || value === "department" || value === "role";
}

function isAccessLevel(value: unknown): value is AccessLevel {
  return value === "read" || value === "write" || value === "admin";
}

/** The details object for these facts, or `null` when there are none. */
function grantDetails(
  granted_by: string | null,
  created_at: string | null,
  updated_at: string | null,
  expires: { readonly at: string; readonly ms: number } | null,
): GrantDetails | null {
  if (granted_by === null && created_at === null && updated_at === null && expires === null) return null;
  return Object.freeze({
    granted_by,
    created_at,
    updated_at,
    expires_at: expires === null ? null : expires.at,
    expires_ms: expires === null ? Number.POSITIVE_INFINITY : expires.ms,
  });
}

/** The grant with a new level and `updated_at`. */
export function withLevel(grant: StoredGrant, access_level: AccessLevel, updated_at: string | null): StoredGrant {
  const details = grant.details;
  return storedGrant(
    grant.id,
    grant.entity_id,
    grant.grantee_id,
    access_level,
    grantDetails(details?.granted_by ?? null, details?.created_at ?? null, updated_at, expiryOf(details)),
  );
}

/** The grant with a new expiry (`null`: never expires). */
export function withExpiry(
  grant: StoredGrant,
  expires: { readonly at: string; readonly ms: number } | null,
): StoredGrant {
  const details = grant.details;
  return storedGrant(
    grant.id,
    grant.entity_id,
    grant.grantee_id,
    grant.access_level,
    grantDetails(details?.granted_by ?? null, details?.created_at ?? null, details?.updated_at ?? null, expires),
  );
}

function expiryOf(details: GrantDetails | null): { at: string; ms: number } | null {
  return details === null || details.expires_at === null ? null : { at: details.expires_at, ms: details.expires_ms };
}

/** When the grant last changed, when known. */
export function updatedAt(grant: StoredGrant): string | null {
  return grant.details === null ? null : grant.details.updated_at;
}

/** The grant's expiry in epoch milliseconds; `Infinity` when it never expires. */
export function expiresMs(grant: StoredGrant): number {
  return grant.details === null ? Number.POSITIVE_INFINITY : grant.details.expires_ms;
}

/** A source of `agrant_auto_N` ids, and the last `N` it handed out. */
export interface AutoIds {
  readonly next: () => string;
  readonly last: () => number;
}

/** Counts up from `start`, skipping ids that are taken. */
export function nextAutoIds(start: number, isTaken: (id: string) => boolean): AutoIds {
  let counter = start;
  return {
    next: () => {
      let id: string;
      do id = `agrant_auto_${++counter}`;
      while (isTaken(id));
      return id;
    },
    last: () => counter,
  };
}

/** The wire view of a stored grant, in the field order of the spec's examples. */
export function publicGrant(grant: StoredGrant, organizationId: string): GraphGrant {
  const { id, entity_id, grantee_id, access_level, details } = grant;
  const entity_type = entityTypeOf(grant);
  const grantee_type = granteeTypeOf(grant);
  const base = {
    id,
    entity_type,
    entity_id,
    grantee_type,
    grantee_id,
    access_level,
    granted_by: details === null ? null : details.granted_by,
    organization_id: organizationId,
    created_at: details === null ? null : details.created_at,
    updated_at: details === null ? null : details.updated_at,
  };
  return details === null || details.expires_at === null ? base : { ...base, expires_at: details.expires_at };
}

/** Whether a grant is active at `atMs`: it is inactive at and after its expiry. */
export function isActive(grant: StoredGrant, atMs: number): boolean {
  return grant.details === null || atMs < grant.details.expires_ms;
}

/** The grant already held by this (entity, grantee) pair, if any. */
export function grantForPair(state: GraphState, entityId: string, granteeId: string): StoredGrant | undefined {
  const onEntity = trieGet(state.grantsByEntity, entityId);
  return onEntity && grantSetGet(onEntity, "grantee_id", granteeId);
}

/** Inserts a new grant. Throws on a reused id or an already granted (entity, grantee) pair. */
export function insertGrant(state: GraphState, grant: StoredGrant, field: string): void {
  if (trieHas(state.grants, grant.id)) {
    throw validationError(fieldPath(field, "id"), `grant id ${grant.id} is already used in this organization`);
  }
  const existing = grantForPair(state, grant.entity_id, grant.grantee_id);
  if (existing) throw pairTaken(grant, existing, field);
  state.grants = trieSet(state.grants, grant.id, grant);
  state.grantsByGrantee = trieSet(
    state.grantsByGrantee,
    grant.grantee_id,
    grantSetAdd(trieGet(state.grantsByGrantee, grant.grantee_id), "entity_id", grant),
  );
  state.grantsByEntity = trieSet(
    state.grantsByEntity,
    grant.entity_id,
    grantSetAdd(trieGet(state.grantsByEntity, grant.entity_id), "grantee_id", grant),
  );
}

/** The `RESOURCE_ALREADY_EXISTS` for a grant whose (entity, grantee) pair `existing` holds. */
export function pairTaken(grant: StoredGrant, existing: StoredGrant, field: string): AccessError {
  return new AccessError(
    "RESOURCE_ALREADY_EXISTS",
    {
      ...(field === "" ? {} : { field }),
      grant_id: existing.id,
      entity_type: entityTypeOf(grant),
      entity_id: grant.entity_id,
      grantee_type: granteeTypeOf(grant),
      grantee_id: grant.grantee_id,
    },
    {
      message: `${granteeTypeOf(grant)} ${grant.grantee_id} already holds grant ${existing.id} on ${grant.entity_id}`,
      system_message: "Access grant already exists",
    },
  );
}

/** Puts `next` where `previous` (same id, entity and grantee) was, in all three indexes. */
export function replaceGrant(state: GraphState, previous: StoredGrant, next: StoredGrant): void {
  state.grants = trieSet(state.grants, next.id, next);
  const byGrantee = trieGet(state.grantsByGrantee, next.grantee_id) as GrantSet;
  state.grantsByGrantee = trieSet(
    state.grantsByGrantee,
    next.grantee_id,
    grantSetReplace(byGrantee, "entity_id", previous, next),
  );
  const onEntity = trieGet(state.grantsByEntity, next.entity_id) as GrantSet;
  state.grantsByEntity = trieSet(
    state.grantsByEntity,
    next.entity_id,
    grantSetReplace(onEntity, "grantee_id", previous, next),
  );
}

/** Removes a grant from all three indexes. */
export function removeGrant(state: GraphState, grant: StoredGrant): void {
  state.grants = trieDelete(state.grants, grant.id);
  state.grantsByGrantee = removeFromSet(state.grantsByGrantee, grant.grantee_id, "entity_id", grant);
  state.grantsByEntity = removeFromSet(state.grantsByEntity, grant.entity_id, "grantee_id", grant);
}

/** The stored grant with this id, or a `RESOURCE_NOT_FOUND` naming it. */
export function requireGrant(state: GraphState, grantId: string): StoredGrant {
  const grant = trieGet(state.grants, grantId);
  if (!grant) {
    throw grantNotFound(grantId);
  }
  return grant;
}

function removeFromSet(
  index: TrieNode<GrantSet>,
  id: string,
  key: GrantSetKey,
  grant: StoredGrant,
): TrieNode<GrantSet> {
  const set = trieGet(index, id);
  if (!set) return index;
  const remaining = grantSetRemove(set, key, grant);
  return remaining === undefined ? trieDelete(index, id) : trieSet(index, id, remaining);
}
