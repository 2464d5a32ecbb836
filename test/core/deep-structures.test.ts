// Deep department chains and composite chains are valid graphs when the limits allow them:
// building and changing them stays proportional to what changes (closures per level made a
// 10 000-deep chain take seconds per write), and every level must still be reached.
import { describe, expect, it } from "vitest";
import {
  addGrant,
  checkAccess,
  createDepartment,
  createGraph,
  moveDepartment,
  resolveAccess,
  revokeGrant,
  usersWithAccess,
} from "../../src/index.js";

const at = new Date("2025-06-15T10:00:00Z");

describe("deep structures", () => {
  it("a 10 000-deep department chain, declared leaf first, reaches the leaf's member from the root", () => {
    const depth = 10_000;
    const departments = Array.from({ length: depth }, (_, i) => ({
      id: `dept_${depth - 1 - i}`,
      parent_id: depth - 1 - i === 0 ? null : `dept_${depth - 2 - i}`,
    }));
    const graph = createGraph(
      {
        organization_id: "org_deep",
        users: [{ id: "usr_leaf", department_ids: [`dept_${depth - 1}`] }],
        departments,
        grants: [
          {
            id: "agrant_root",
            entity_type: "assistant",
            entity_id: "asst_1",
            grantee_type: "department",
            grantee_id: "dept_0",
            access_level: "admin",
          },
        ],
      },
      { limits: { maxDepartmentDepth: depth } },
    );
    expect(checkAccess(graph, "usr_leaf", "assistant", "asst_1", { at }).grant_paths).toEqual([
      {
        type: "department",
        access_level: "admin",
        department_id: "dept_0",
        role_id: null,
        composite_id: null,
        grant_id: "agrant_root",
      },
    ]);
    expect(usersWithAccess(graph, "assistant", "asst_1", { at }).users.map((u) => u.user_id)).toEqual(["usr_leaf"]);
    // Cutting the chain in the middle cuts the leaf off from the root's grant.
    const cut = moveDepartment(graph, `dept_${depth / 2}`, null);
    expect(checkAccess(cut, "usr_leaf", "assistant", "asst_1", { at }).allowed).toBe(false);
    // Joined again: back to the limit exactly. One department more below the leaf is past it.
    const joined = moveDepartment(cut, `dept_${depth / 2}`, `dept_${depth / 2 - 1}`);
    expect(checkAccess(joined, "usr_leaf", "assistant", "asst_1", { at }).allowed).toBe(true);
    expect(() => createDepartment(joined, { id: "dept_below", parent_id: `dept_${depth - 1}` })).toThrow(
      expect.objectContaining({
        code: "VALIDATION_ERROR",
        details: expect.objectContaining({ limit: "maxDepartmentDepth" }),
      }),
    );
  });

  it("a 10 000-deep composite chain passes a grant on the top down to the bottom slice", () => {
    const depth = 10_000;
    const composites = Array.from({ length: depth }, (_, i) => ({
      id: `kslice_${i}`,
      member_slice_ids: [`kslice_${i + 1}`],
    }));
    const graph = createGraph(
      {
        organization_id: "org_deep",
        composites,
        grants: [
          {
            id: "agrant_top",
            entity_type: "knowledge_slice",
            entity_id: "kslice_0",
            grantee_type: "user",
            grantee_id: "usr_1",
            access_level: "read",
          },
        ],
      },
      { limits: { maxCompositeDepth: depth } },
    );
    const resolved = resolveAccess(graph, "usr_1", { at });
    expect(resolved.entities).toHaveLength(depth + 1);
    expect(checkAccess(graph, "usr_1", "knowledge_slice", `kslice_${depth}`, { at }).grant_paths).toEqual([
      {
        type: "composite",
        access_level: "read",
        department_id: null,
        role_id: null,
        composite_id: "kslice_0",
        grant_id: "agrant_top",
      },
    ]);
  });
});

describe("generated grant ids", () => {
  it("are never handed out again after the grant they named is revoked", () => {
    const grant = {
      entity_type: "assistant",
      grantee_type: "user",
      grantee_id: "usr_1",
      access_level: "read",
    } as const;
    const first = addGrant(createGraph({ organization_id: "org_1" }), { ...grant, entity_id: "asst_1" });
    const revoked = revokeGrant(first, "agrant_auto_1");
    const second = addGrant(revoked, { ...grant, entity_id: "asst_2" });
    expect(checkAccess(second, "usr_1", "assistant", "asst_2", { at }).grant_paths[0]?.grant_id).toBe("agrant_auto_2");
  });

  it("skip ids the input already uses", () => {
    const graph = createGraph({
      organization_id: "org_1",
      grants: [
        {
          entity_type: "assistant",
          entity_id: "asst_1",
          grantee_type: "user",
          grantee_id: "usr_1",
          access_level: "read",
        },
        {
          id: "agrant_auto_1",
          entity_type: "assistant",
          entity_id: "asst_2",
          grantee_type: "user",
          grantee_id: "usr_1",
          access_level: "read",
        },
      ],
    });
    const ids = resolveAccess(graph, "usr_1", { at }).entities.map((e) => e.grant_paths[0]?.grant_id);
    expect(ids).toEqual(["agrant_auto_2", "agrant_auto_1"]);
  });
});

describe("cyclic input at scale", () => {
  it("a 3 000-composite ring is rejected with its cycle, in one walk (not one replay per composite)", () => {
    const size = 3000;
    const composites = Array.from({ length: size }, (_, i) => ({
      id: `kslice_${i}`,
      member_slice_ids: [`kslice_${(i + 1) % size}`],
    }));
    let error: unknown;
    try {
      createGraph({ organization_id: "org_ring", composites });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: "INVALID_GRAPH",
      details: { field: `composites[${size - 1}].member_slice_ids[0]` },
    });
    const cycle = (error as { details: { cycle: string[] } }).details.cycle;
    expect(cycle).toHaveLength(size + 1);
    expect(cycle[0]).toBe(`kslice_${size - 1}`);
    expect(cycle[1]).toBe("kslice_0");
    expect(cycle.at(-1)).toBe(`kslice_${size - 1}`);
  });
});
