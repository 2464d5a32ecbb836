/**
 * The graph's limits: department depth, composite depth and the organization's size,
 * with their defaults, enforced by createGraph on the whole input and by every write on the
 * graph it made — applyChanges included — each with a VALIDATION_ERROR naming the limit, and
 * nothing changed by a refused write.
 */
import { describe, expect, it } from "vitest";
import {
  addGrant,
  applyChanges,
  createDepartment,
  createGraph,
  DEFAULT_LIMITS,
  type GraphInput,
  graphToInput,
  moveDepartment,
  setCompositeMembers,
  setUserDepartments,
} from "../../src/index.js";
import { catchAccessError, ORG } from "./fixtures.js";

/** A chain of `length` departments, `dept_0` at the top. */
function departmentChain(length: number): NonNullable<GraphInput["departments"]> {
  return Array.from({ length }, (_, i) => ({ id: `dept_${i}`, parent_id: i === 0 ? null : `dept_${i - 1}` }));
}

/** `steps` composites, each containing the next: `steps` containment steps down to `kslice_{steps}`. */
function compositeChain(steps: number): NonNullable<GraphInput["composites"]> {
  return Array.from({ length: steps }, (_, i) => ({ id: `kslice_${i}`, member_slice_ids: [`kslice_${i + 1}`] }));
}

function expectLimit(fn: () => unknown, limit: string, field: string): void {
  const error = catchAccessError(fn);
  expect(error.code).toBe("VALIDATION_ERROR");
  expect(error.details).toMatchObject({ field, limit, max: expect.any(Number) });
  expect(String(error.details.message)).toContain(limit);
}

describe("graph limits", () => {
  it("defaults to 100-deep departments, 100-step composite chains and 5,000,000 entries", () => {
    expect(DEFAULT_LIMITS).toEqual({ maxDepartmentDepth: 100, maxCompositeDepth: 100, maxOrganizationSize: 5_000_000 });
    expect(() => createGraph({ organization_id: ORG, departments: departmentChain(100) })).not.toThrow();
    expectLimit(
      () => createGraph({ organization_id: ORG, departments: departmentChain(101) }),
      "maxDepartmentDepth",
      "departments[100].parent_id",
    );
    expect(() => createGraph({ organization_id: ORG, composites: compositeChain(100) })).not.toThrow();
    expectLimit(
      () => createGraph({ organization_id: ORG, composites: compositeChain(101) }),
      "maxCompositeDepth",
      "composites[0].member_slice_ids",
    );
  });

  it("department depth: createDepartment, moveDepartment and setting a parent under a deep chain are refused past it, changing nothing", () => {
    const graph = createGraph(
      { organization_id: ORG, departments: departmentChain(5) },
      { limits: { maxDepartmentDepth: 5 } },
    );
    const before = graphToInput(graph);
    expectLimit(
      () => createDepartment(graph, { id: "dept_new", parent_id: "dept_4" }),
      "maxDepartmentDepth",
      "parent_id",
    );
    // A two-deep subtree moved under the third department would end six deep.
    const side = createDepartment(createDepartment(graph, { id: "dept_side", parent_id: null }), {
      id: "dept_side2",
      parent_id: "dept_side",
    });
    expectLimit(() => moveDepartment(side, "dept_side", "dept_3"), "maxDepartmentDepth", "parent_id");
    expect(moveDepartment(side, "dept_side", "dept_2")).toBeDefined();
    expect(graphToInput(graph)).toEqual(before);
    // An undeclared parent counts too: a user's department is not part of the chain, a parent is.
    expectLimit(
      () => applyChanges(graph, [{ type: "put_department", department: { id: "dept_x", parent_id: "dept_4" } }]),
      "maxDepartmentDepth",
      "changes[0].department.parent_id",
    );
    expect(() => setUserDepartments(graph, "usr_1", ["dept_4"])).not.toThrow();
  });

  it("composite depth: a member added at the bottom or a composite placed on top is refused past it", () => {
    const graph = createGraph(
      { organization_id: ORG, composites: compositeChain(3) },
      { limits: { maxCompositeDepth: 3 } },
    );
    expectLimit(() => setCompositeMembers(graph, "kslice_3", ["kslice_4"]), "maxCompositeDepth", "member_slice_ids");
    expectLimit(() => setCompositeMembers(graph, "kslice_top", ["kslice_0"]), "maxCompositeDepth", "member_slice_ids");
    // Wide is fine: many members one step down.
    expect(() => setCompositeMembers(graph, "kslice_2", ["kslice_3", "kslice_x", "kslice_y"])).not.toThrow();
    // A composite in the middle of two chains counts the longest way through it.
    const two = setCompositeMembers(graph, "kslice_other", ["kslice_1"]);
    expectLimit(
      () => setCompositeMembers(two, "kslice_above", ["kslice_other"]),
      "maxCompositeDepth",
      "member_slice_ids",
    );
    expectLimit(
      () =>
        applyChanges(graph, [{ type: "put_composite", composite: { id: "kslice_3", member_slice_ids: ["kslice_4"] } }]),
      "maxCompositeDepth",
      "changes[0].composite.member_slice_ids",
    );
  });

  it("organization size: the whole input, and every write that adds an entry", () => {
    const limits = { maxOrganizationSize: 3 };
    expectLimit(
      () =>
        createGraph(
          { organization_id: ORG, users: [{ id: "usr_1" }, { id: "usr_2" }], departments: departmentChain(2) },
          { limits },
        ),
      "maxOrganizationSize",
      "graph",
    );
    const graph = createGraph(
      { organization_id: ORG, users: [{ id: "usr_1" }, { id: "usr_2" }], departments: departmentChain(1) },
      { limits },
    );
    const grant = {
      id: "agrant_1",
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "user",
      grantee_id: "usr_1",
      access_level: "read",
    } as const;
    expectLimit(() => addGrant(graph, grant), "maxOrganizationSize", "organization");
    expectLimit(() => setUserDepartments(graph, "usr_3", []), "maxOrganizationSize", "organization");
    // Writes that add nothing still pass at the limit.
    expect(() => setUserDepartments(graph, "usr_1", ["dept_0"])).not.toThrow();
  });

  it("the limits a graph was made with stay with it through its writes", () => {
    const graph = createGraph({ organization_id: ORG }, { limits: { maxDepartmentDepth: 2 } });
    const grown = createDepartment(graph, { id: "dept_a", parent_id: null });
    const deeper = createDepartment(grown, { id: "dept_b", parent_id: "dept_a" });
    expectLimit(
      () => createDepartment(deeper, { id: "dept_c", parent_id: "dept_b" }),
      "maxDepartmentDepth",
      "parent_id",
    );
  });

  it("a limit that is not a whole number of at least 1 is a VALIDATION_ERROR naming it", () => {
    for (const bad of [0, -1, 2.5, Number.NaN, "10"]) {
      const error = catchAccessError(() =>
        createGraph({ organization_id: ORG }, { limits: { maxDepartmentDepth: bad as number } }),
      );
      expect(error.details.field).toBe("limits.maxDepartmentDepth");
    }
    expect(
      catchAccessError(() => createGraph({ organization_id: ORG }, { limits: "big" as never })).details.field,
    ).toBe("limits");
  });
});
