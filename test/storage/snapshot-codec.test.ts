/**
 * The SQL adapters' stored snapshots: encoding an organization and decoding it gives back the
 * same organization, for any organization (a property), and a damaged snapshot is refused with
 * a plain Error, so the adapter falls back to the rows.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seedOrganizations } from "../../src/storage/initial-organizations.js";
import { stateToGraph } from "../../src/storage/organization-state.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/storage/snapshot-codec.js";
import { arbGraphInput, ORG_ID } from "../support/arbitraries.js";

describe("stored snapshots", () => {
  it("decode(encode(organization)) is the organization", () => {
    fc.assert(
      fc.property(arbGraphInput(), fc.boolean(), (input, stamped) => {
        const [seeded] = seedOrganizations([input], new Date("2025-06-15T10:00:00Z"));
        if (!seeded) throw new Error("no seed");
        // Grants as stored: complete records, some with an author and an expiry.
        const grants = seeded.grants.map((grant, i) =>
          stamped && i % 2 === 0 ? { ...grant, granted_by: "usr_author", updated_at: "2025-06-16T00:00:00Z" } : grant,
        );
        const graph = { ...seeded.graph, grants };
        expect(stateToGraph(ORG_ID, decodeSnapshot(ORG_ID, encodeSnapshot(graph)))).toEqual({
          organization_id: ORG_ID,
          owners: graph.owners ?? [],
          users: (graph.users ?? []).map((u) => ({
            id: u.id,
            department_ids: u.department_ids ?? [],
            role_ids: u.role_ids ?? [],
          })),
          departments: (graph.departments ?? []).map((d) => ({ id: d.id, parent_id: d.parent_id ?? null })),
          roles: graph.roles ?? [],
          composites: graph.composites ?? [],
          grants,
        });
      }),
    );
  });

  it("refuses text that is not a snapshot of its format, or refers to strings it does not hold", () => {
    const good = JSON.parse(
      encodeSnapshot({
        organization_id: ORG_ID,
        grants: [
          {
            id: "agrant_1",
            entity_type: "assistant",
            entity_id: "asst_1",
            grantee_type: "user",
            grantee_id: "usr_1",
            access_level: "read",
            granted_by: null,
            organization_id: ORG_ID,
            created_at: "2025-06-15T10:00:00Z",
            updated_at: "2025-06-15T10:00:00Z",
          } as never,
        ],
      }),
    );
    for (const damaged of [
      "not json",
      "null",
      JSON.stringify({ ...good, format: 99 }),
      JSON.stringify({ ...good, grants: "x" }),
      JSON.stringify({ ...good, strings: [] }),
      JSON.stringify({ ...good, grants: [["agrant_1", "file_1", "usr_1", 0, -1, 1, 1, -1]] }),
    ]) {
      expect(() => decodeSnapshot(ORG_ID, damaged), damaged.slice(0, 40)).toThrow(Error);
    }
  });
});
