/**
 * A grantee's or an entity's grants are kept as an array while there are a few hundred of
 * them and as a trie beyond (src/core/grant-set.ts). These tests push sets across that line in
 * both directions, by building and by writes, and compare every answer with the reference.
 */
import { describe, expect, it } from "vitest";
import {
  addGrant,
  checkAccess,
  createGraph,
  findGrant,
  type GrantInput,
  type GraphInput,
  graphToInput,
  resolveAccess,
  revokeGrant,
  updateGrantLevel,
  usersWithAccess,
} from "../../src/index.js";
import { referenceCheck, referenceResolve, referenceUsersWithAccess } from "../support/reference.js";

const at = new Date("2026-01-01T00:00:00Z");
const LEVELS = ["read", "write", "admin"] as const;

/** One department granted `spread` slices, and one slice granted to `crowd` users. */
function organization(spread: number, crowd: number): GraphInput {
  const grants: GrantInput[] = [];
  for (let i = 0; i < spread; i++) {
    grants.push({
      id: `agrant_d${i}`,
      entity_type: "knowledge_slice",
      entity_id: `kslice_${i}`,
      grantee_type: "department",
      grantee_id: "dept_big",
      access_level: LEVELS[i % 3] as (typeof LEVELS)[number],
      ...(i % 7 === 0 ? { expires_at: "2025-06-01T00:00:00Z" } : {}),
    });
  }
  for (let i = 0; i < crowd; i++) {
    grants.push({
      id: `agrant_u${i}`,
      entity_type: "knowledge_slice",
      entity_id: "kslice_hot",
      grantee_type: "user",
      grantee_id: `usr_${i}`,
      access_level: LEVELS[(i + 1) % 3] as (typeof LEVELS)[number],
    });
  }
  return {
    organization_id: "org_sets",
    users: [
      { id: "usr_1", department_ids: ["dept_child"] },
      { id: "usr_2", department_ids: ["dept_big"] },
    ],
    departments: [{ id: "dept_big" }, { id: "dept_child", parent_id: "dept_big" }],
    composites: [{ id: "kslice_0", member_slice_ids: ["kslice_hot", "kslice_1"] }],
    grants,
  };
}

function expectMatchesReference(graph: ReturnType<typeof createGraph>): void {
  const input = graphToInput(graph);
  for (const user of ["usr_1", "usr_2", "usr_3", "usr_299", "usr_nobody"]) {
    expect(resolveAccess(graph, user, { at })).toEqual(referenceResolve(input, user, { at }));
    for (const entity of ["kslice_hot", "kslice_0", "kslice_1", "kslice_299"]) {
      expect(checkAccess(graph, user, "knowledge_slice", entity, { level: "write", at })).toEqual(
        referenceCheck(input, user, "knowledge_slice", entity, { level: "write", at }),
      );
    }
  }
  for (const entity of ["kslice_hot", "kslice_1", "kslice_0"]) {
    expect(usersWithAccess(graph, "knowledge_slice", entity, { at })).toEqual(
      referenceUsersWithAccess(input, "knowledge_slice", entity, { at }),
    );
  }
}

describe("large grant sets", () => {
  it.each([
    [10, 10],
    [300, 300],
    [1000, 700],
  ])("a department with %i grants and an entity with %i grantees resolve like the reference", (spread, crowd) => {
    expectMatchesReference(createGraph(organization(spread, crowd)));
  });

  it("stay correct while writes grow sets past the array limit and shrink them back", () => {
    let graph = createGraph(organization(250, 250));
    // Grow both sets past 256, one grant at a time.
    for (let i = 250; i < 300; i++) {
      graph = addGrant(graph, {
        id: `agrant_d${i}`,
        entity_type: "knowledge_slice",
        entity_id: `kslice_${i}`,
        grantee_type: "department",
        grantee_id: "dept_big",
        access_level: "write",
      });
      graph = addGrant(graph, {
        id: `agrant_u${i}`,
        entity_type: "knowledge_slice",
        entity_id: "kslice_hot",
        grantee_type: "user",
        grantee_id: `usr_${i}`,
        access_level: "admin",
      });
    }
    expectMatchesReference(graph);
    expect(() =>
      addGrant(graph, {
        entity_type: "knowledge_slice",
        entity_id: "kslice_hot",
        grantee_type: "user",
        grantee_id: "usr_280",
        access_level: "read",
      }),
    ).toThrow(expect.objectContaining({ code: "RESOURCE_ALREADY_EXISTS" }));
    graph = updateGrantLevel(graph, "agrant_u3", "admin");
    graph = updateGrantLevel(graph, "agrant_d5", "read");
    expect(findGrant(graph, "kslice_hot", "usr_3")?.access_level).toBe("admin");
    expectMatchesReference(graph);
    // Shrink both well below 128, so they turn back into arrays.
    for (let i = 0; i < 200; i++) {
      graph = revokeGrant(graph, `agrant_d${i + 50}`);
      graph = revokeGrant(graph, `agrant_u${i + 50}`);
    }
    expectMatchesReference(graph);
  });
});
