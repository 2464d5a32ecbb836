/**
 * The one object each grant is stored as, shared by all three grant indexes. It holds only
 * what cannot be derived: a grant's entity and grantee types are read off their ids' prefixes
 * (docs/spec.md §1 gives every id kind its own prefix), so they cost no memory per grant.
 *
 * Records are plain frozen objects. (Getters on a class prototype would have to be frozen
 * against callers, and a frozen prototype made V8's property reads measurably slower.)
 * @module
 */
import type { GrantDetails, StoredGrant } from "./graph-state.js";
import type { AccessLevel, EntityType, GranteeType } from "./types.js";

/**
 * A stored grant before it is frozen. A bulk build replaces its entity and grantee ids with
 * equal, shared strings, then freezes it.
 */
export type StoredGrantDraft = { -readonly [K in keyof StoredGrant]: StoredGrant[K] };

/** A new, unfrozen record; every record is made here, so all share one hidden class. */
export function storedGrantDraft(
  id: string,
  entity_id: string,
  grantee_id: string,
  access_level: AccessLevel,
  details: GrantDetails | null,
): StoredGrantDraft {
  return { id, entity_id, grantee_id, access_level, details };
}

/** A new stored grant, frozen. */
export function storedGrant(
  id: string,
  entityId: string,
  granteeId: string,
  accessLevel: AccessLevel,
  details: GrantDetails | null,
): StoredGrant {
  return Object.freeze(storedGrantDraft(id, entityId, granteeId, accessLevel, details));
}

// Ids are checked against their type's prefix before a record is made, and the prefixes of
// one kind of id start with different letters (test/core/stored-grant.test.ts), so the first
// letter alone tells the type.
const K = "k".charCodeAt(0);
const V = "v".charCodeAt(0);
const U = "u".charCodeAt(0);
const D = "d".charCodeAt(0);

/** The grant's entity type, from its entity id's prefix: `kslice_`, `vs_` or `asst_`. */
export function entityTypeOf(grant: StoredGrant): EntityType {
  const initial = grant.entity_id.charCodeAt(0);
  return initial === K ? "knowledge_slice" : initial === V ? "vector_store" : "assistant";
}

/** The grant's grantee type, from its grantee id's prefix: `usr_`, `dept_` or `role_`. */
export function granteeTypeOf(grant: StoredGrant): GranteeType {
  const initial = grant.grantee_id.charCodeAt(0);
  return initial === U ? "user" : initial === D ? "department" : "role";
}
