/**
 * A stored grant reads its entity and grantee types off the first letter of their ids
 * (src/core/stored-grant.ts). That is sound only while the id prefixes of one kind start with
 * different letters.
 */
import { describe, expect, it } from "vitest";
import { entityTypeOf, granteeTypeOf, storedGrant } from "../../src/core/stored-grant.js";
import { ID_PREFIXES } from "../../src/index.js";

describe("stored grant records", () => {
  it("the prefixes of entity ids, and of grantee ids, start with different letters", () => {
    const initials = (prefixes: string[]) => new Set(prefixes.map((prefix) => prefix[0])).size;
    expect(initials([ID_PREFIXES.knowledge_slice, ID_PREFIXES.vector_store, ID_PREFIXES.assistant])).toBe(3);
    expect(initials([ID_PREFIXES.user, ID_PREFIXES.department, ID_PREFIXES.role])).toBe(3);
  });

  it("tell each type from the id", () => {
    const types = [
      ["kslice_a", "usr_a"],
      ["vs_a", "dept_a"],
      ["asst_a", "role_a"],
    ].map(([entity, grantee]) => {
      const grant = storedGrant("agrant_1", entity as string, grantee as string, "read", null);
      return [entityTypeOf(grant), granteeTypeOf(grant)];
    });
    expect(types).toEqual([
      ["knowledge_slice", "user"],
      ["vector_store", "department"],
      ["assistant", "role"],
    ]);
  });

  it("are plain frozen objects, with nothing on a prototype for a caller to redefine", () => {
    const grant = storedGrant("agrant_1", "kslice_a", "usr_a", "read", null);
    expect(Object.isFrozen(grant)).toBe(true);
    expect(Object.getPrototypeOf(grant)).toBe(Object.prototype);
    expect(Object.keys(grant)).toEqual(["id", "entity_id", "grantee_id", "access_level", "details"]);
  });
});
