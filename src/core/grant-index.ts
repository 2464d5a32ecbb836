/**
 * Grants: turning untrusted input into a stored grant, and keeping the three grant indexes
 * (by id, by grantee, by entity) in step on every insert, replace and removal.
 * @module
 */
import { AccessError, validationError } from "./errors.js";
import type { GraphState, StoredGrant } from "./graph-state.js";
import { emptyTrie, type TrieNode, trieDelete, trieGet, trieHas, trieSet } from "./hash-trie.js";
import type { GraphGrant } from "./types.js";
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
 * for a bare argument); `fallbackId` supplies an id when the input has none.
 */
export function parseGrant(
  value: unknown,
  prefix: string,
  organizationId: string,
  fallbackId: () => string,
): StoredGrant {
  const input = expectObject(value, prefix === "" ? "grant" : prefix);
  const field = (name: string) => fieldPath(prefix, name);
  const id = input.id === undefined || input.id === null ? fallbackId() : expectId("grant", input.id, field("id"));
  const entity_type = expectEntityType(input.entity_type, field("entity_type"));
  const entity_id = expectId(entity_type, input.entity_id, field("entity_id"));
  const grantee_type = expectGranteeType(input.grantee_type, field("grantee_type"));
  const grantee_id = expectId(grantee_type, input.grantee_id, field("grantee_id"));
  const access_level = expectAccessLevel(input.access_level, field("access_level"));
  const granted_by =
    input.granted_by === undefined || input.granted_by === null
      ? null
      : expectId("user", input.granted_by, field("granted_by"));
  if (input.organization_id !== undefined && input.organization_id !== organizationId) {
    throw validationError(
      field("organization_id"),
      `${field("organization_id")} must be the graph's organization ${organizationId}`,
    );
  }
  const created_at = optionalTimestamp(input.created_at, field("created_at"));
  const updated_at = optionalTimestamp(input.updated_at, field("updated_at"));
  const expires =
    input.expires_at === undefined || input.expires_at === null
      ? null
      : { at: input.expires_at as string, ms: expectTimestamp(input.expires_at, field("expires_at")) };
  return storedGrant(
    {
      id,
      entity_type,
      entity_id,
      grantee_type,
      grantee_id,
      access_level,
      granted_by,
      organization_id: organizationId,
      created_at,
      updated_at,
    },
    expires,
  );
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

/** Builds a stored grant from wire fields, with or without an expiry. */
export function storedGrant(
  fields: Omit<GraphGrant, "expires_at">,
  expires: { readonly at: string; readonly ms: number } | null,
): StoredGrant {
  const { id, entity_type, entity_id, grantee_type, grantee_id, access_level, granted_by, organization_id } = fields;
  const base = { id, entity_type, entity_id, grantee_type, grantee_id, access_level, granted_by, organization_id };
  const times = { created_at: fields.created_at, updated_at: fields.updated_at };
  return expires === null
    ? { ...base, ...times, expires_ms: Number.POSITIVE_INFINITY }
    : { ...base, ...times, expires_at: expires.at, expires_ms: expires.ms };
}

/** The wire view of a stored grant (without the parsed expiry). */
export function publicGrant(grant: StoredGrant): GraphGrant {
  const { expires_ms: _expiresMs, ...wire } = grant;
  return wire;
}

/** Whether a grant is active at `atMs`: it is inactive at and after its expiry. */
export function isActive(grant: StoredGrant, atMs: number): boolean {
  return atMs < grant.expires_ms;
}

/** The grant already held by this (entity, grantee) pair, if any. */
export function grantForPair(state: GraphState, entityId: string, granteeId: string): StoredGrant | undefined {
  const byGrantee = trieGet(state.grantsByEntity, entityId);
  return byGrantee && trieGet(byGrantee, granteeId);
}

/** Inserts a new grant. Throws on a reused id or an already granted (entity, grantee) pair. */
export function insertGrant(state: GraphState, grant: StoredGrant, field: string): void {
  if (trieHas(state.grants, grant.id)) {
    throw validationError(fieldPath(field, "id"), `grant id ${grant.id} is already used in this organization`);
  }
  const existing = grantForPair(state, grant.entity_id, grant.grantee_id);
  if (existing) {
    throw new AccessError(
      "RESOURCE_ALREADY_EXISTS",
      {
        ...(field === "" ? {} : { field }),
        grant_id: existing.id,
        entity_type: grant.entity_type,
        entity_id: grant.entity_id,
        grantee_type: grant.grantee_type,
        grantee_id: grant.grantee_id,
      },
      {
        message: `${grant.grantee_type} ${grant.grantee_id} already holds grant ${existing.id} on ${grant.entity_id}`,
        system_message: "Access grant already exists",
      },
    );
  }
  putGrant(state, grant);
}

/** Stores `grant` in all three indexes, replacing any grant with the same id and pair. */
export function putGrant(state: GraphState, grant: StoredGrant): void {
  state.grants = trieSet(state.grants, grant.id, grant);
  state.grantsByGrantee = setNested(state.grantsByGrantee, grant.grantee_id, grant.entity_id, grant);
  state.grantsByEntity = setNested(state.grantsByEntity, grant.entity_id, grant.grantee_id, grant);
}

/** Removes a grant from all three indexes. */
export function removeGrant(state: GraphState, grant: StoredGrant): void {
  state.grants = trieDelete(state.grants, grant.id);
  state.grantsByGrantee = deleteNested(state.grantsByGrantee, grant.grantee_id, grant.entity_id);
  state.grantsByEntity = deleteNested(state.grantsByEntity, grant.entity_id, grant.grantee_id);
}

/** The stored grant with this id, or a `RESOURCE_NOT_FOUND` naming it. */
export function requireGrant(state: GraphState, grantId: string): StoredGrant {
  const grant = trieGet(state.grants, grantId);
  if (!grant) {
    throw new AccessError("RESOURCE_NOT_FOUND", { grant_id: grantId }, { system_message: "Access grant not found" });
  }
  return grant;
}

function setNested<V>(outer: TrieNode<TrieNode<V>>, key: string, innerKey: string, value: V): TrieNode<TrieNode<V>> {
  const inner = trieGet(outer, key) ?? emptyTrie<V>();
  return trieSet(outer, key, trieSet(inner, innerKey, value));
}

function deleteNested<V>(outer: TrieNode<TrieNode<V>>, key: string, innerKey: string): TrieNode<TrieNode<V>> {
  const inner = trieGet(outer, key);
  if (!inner) return outer;
  const updated = trieDelete(inner, innerKey);
  return updated.size === 0 ? trieDelete(outer, key) : trieSet(outer, key, updated);
}
