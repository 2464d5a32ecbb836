// A write must not copy whole indexes: after one grant is added to a large graph, almost every
// trie node of the old graph is shared (===) by the new one.
import { describe, expect, it } from "vitest";
import { addGrant, createGraph, type GrantInput, revokeGrant } from "../../src/index.js";

function nodes(value: unknown, into: Set<object>): Set<object> {
  if (typeof value !== "object" || value === null || into.has(value)) return into;
  into.add(value);
  for (const key of Object.keys(value)) nodes((value as Record<string, unknown>)[key], into);
  return into;
}

describe("structural sharing", () => {
  const grants: GrantInput[] = Array.from({ length: 20_000 }, (_, i) => ({
    id: `agrant_${i}`,
    entity_type: "knowledge_slice",
    entity_id: `kslice_${i % 5000}_${i}`,
    grantee_type: i % 2 === 0 ? "user" : "department",
    grantee_id: i % 2 === 0 ? `usr_${i % 1000}` : `dept_${i % 200}`,
    access_level: "read",
  }));
  const graph = createGraph({ organization_id: "org_big", grants });
  const before = nodes(graph, new Set());

  it.each([
    [
      "add",
      () =>
        addGrant(graph, {
          id: "agrant_new",
          entity_type: "assistant",
          entity_id: "asst_1",
          grantee_type: "user",
          grantee_id: "usr_1",
          access_level: "write",
        }),
    ],
    ["revoke", () => revokeGrant(graph, "agrant_777")],
  ])("a single %s copies only a few dozen nodes out of tens of thousands", (_name, write) => {
    const after = nodes(write(), new Set());
    const fresh = [...after].filter((node) => !before.has(node)).length;
    expect(before.size).toBeGreaterThan(20_000);
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThan(80);
  });
});
