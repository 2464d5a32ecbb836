/**
 * A stored grant reads its entity and grantee types off the first letter of their ids
 * (src/core/grant-record.ts). That is sound only while the id prefixes of one kind start with
 * different letters, and only if no caller can redefine the shared getters.
 */
import { describe, expect, it } from "vitest";
import { StoredGrantRecord } from "../../src/core/grant-record.js";
import { createGraph, ID_PREFIXES, resolveAccess } from "../../src/index.js";

describe("stored grant records", () => {
  it("the prefixes of entity ids, and of grantee ids, start with different letters", () => {
    const initials = (prefixes: string[]) => new Set(prefixes.map((prefix) => prefix[0])).size;
    expect(initials([ID_PREFIXES.knowledge_slice, ID_PREFIXES.vector_store, ID_PREFIXES.assistant])).toBe(3);
    expect(initials([ID_PREFIXES.user, ID_PREFIXES.department, ID_PREFIXES.role])).toBe(3);
  });

  it("derive each type from its id", () => {
    const types = [
      ["kslice_a", "usr_a"],
      ["vs_a", "dept_a"],
      ["asst_a", "role_a"],
    ].map(([entity, grantee]) => {
      const record = new StoredGrantRecord("agrant_1", entity as string, grantee as string, "read", null);
      return [record.entity_type, record.grantee_type];
    });
    expect(types).toEqual([
      ["knowledge_slice", "user"],
      ["vector_store", "department"],
      ["assistant", "role"],
    ]);
  });

  it("cannot have their type getters redefined by a caller", () => {
    const graph = createGraph({
      organization_id: "org_1",
      grants: [
        {
          entity_type: "knowledge_slice",
          entity_id: "kslice_a",
          grantee_type: "user",
          grantee_id: "usr_1",
          access_level: "read",
        },
      ],
    });
    const prototype: object = StoredGrantRecord.prototype;
    expect(() => Object.defineProperty(prototype, "entity_type", { get: () => "assistant" })).toThrow(TypeError);
    expect(resolveAccess(graph, "usr_1").entities.map((entity) => entity.entity_type)).toEqual(["knowledge_slice"]);
  });
});
