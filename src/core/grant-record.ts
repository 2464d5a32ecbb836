/**
 * The one object each grant is stored as, shared by all three grant indexes. It holds only
 * what cannot be derived: a grant's entity and grantee types are read off their ids' prefixes
 * (SPEC section 1 gives every id kind its own prefix), so they cost no memory per grant.
 * @module
 */
import type { GrantDetails, StoredGrant } from "./graph-state.js";
import type { AccessLevel, EntityType, GranteeType } from "./types.js";

/**
 * A stored grant before it is frozen. A bulk build replaces its entity and grantee ids with
 * equal, shared strings, then freezes it.
 */
export class StoredGrantRecord implements StoredGrant {
  constructor(
    readonly id: string,
    public entity_id: string,
    public grantee_id: string,
    readonly access_level: AccessLevel,
    readonly details: GrantDetails | null,
  ) {}

  // Ids are checked against their type's prefix before a record is made, and the prefixes of
  // one kind of id start with different letters (test/core/grant-record.test.ts), so the first
  // letter alone tells the type.

  /** From the entity id's prefix: `kslice_`, `vs_` or `asst_`. */
  get entity_type(): EntityType {
    const initial = this.entity_id.charCodeAt(0);
    return initial === K ? "knowledge_slice" : initial === V ? "vector_store" : "assistant";
  }

  /** From the grantee id's prefix: `usr_`, `dept_` or `role_`. */
  get grantee_type(): GranteeType {
    const initial = this.grantee_id.charCodeAt(0);
    return initial === U ? "user" : initial === D ? "department" : "role";
  }
}

// The types are getters on the prototype, shared by every grant of every graph: frozen, so no
// caller can redefine them (each grant object is frozen too).
Object.freeze(StoredGrantRecord.prototype);
Object.freeze(StoredGrantRecord);

// The first letters of the prefixes, which differ within each kind of id.
const K = "k".charCodeAt(0);
const V = "v".charCodeAt(0);
const U = "u".charCodeAt(0);
const D = "d".charCodeAt(0);

/** A new stored grant, frozen. */
export function storedGrant(
  id: string,
  entityId: string,
  granteeId: string,
  accessLevel: AccessLevel,
  details: GrantDetails | null,
): StoredGrant {
  return Object.freeze(new StoredGrantRecord(id, entityId, granteeId, accessLevel, details));
}
