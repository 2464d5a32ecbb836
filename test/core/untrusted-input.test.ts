// JavaScript callers can pass anything: sparse arrays, getters, null options, dates outside
// what ISO-8601 can write. Each must end in an AccessError or a correct answer, never a
// TypeError or a silently wrong graph.
import { describe, expect, it } from "vitest";
import {
  AccessError,
  checkAccess,
  createGraph,
  expireGrant,
  type GrantInput,
  type GraphInput,
  getGrant,
  graphToInput,
  isOwner,
  resolveAccess,
  setCompositeMembers,
  setUserRoles,
  updateGrantLevel,
} from "../../src/index.js";

const grant = {
  id: "agrant_1",
  entity_type: "assistant",
  entity_id: "asst_1",
  grantee_type: "user",
  grantee_id: "usr_1",
  access_level: "read",
} as const;

function failure(run: () => unknown): AccessError {
  try {
    run();
  } catch (error) {
    if (error instanceof AccessError) return error;
    throw error;
  }
  throw new Error("expected an AccessError");
}

const sparse = (length: number): unknown[] => new Array(length);

describe("sparse arrays", () => {
  it.each([
    ["users", { users: sparse(2) }, "users[0]"],
    ["department_ids", { users: [{ id: "usr_1", department_ids: sparse(1) }] }, "users[0].department_ids[0]"],
    ["departments", { departments: sparse(1) }, "departments[0]"],
    ["grants", { grants: sparse(2) }, "grants[0]"],
    ["owners", { owners: sparse(1) }, "owners[0]"],
    [
      "composite members",
      { composites: [{ id: "kslice_c", member_slice_ids: sparse(1) }] },
      "composites[0].member_slice_ids[0]",
    ],
  ])("a hole in %s is a VALIDATION_ERROR naming the missing item", (_name, lists, field) => {
    const error = failure(() => createGraph({ organization_id: "org_1", ...lists } as unknown as GraphInput));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details.field).toBe(field);
  });

  it("holes in write arguments are rejected too", () => {
    const graph = createGraph({ organization_id: "org_1" });
    expect(failure(() => setUserRoles(graph, "usr_1", sparse(1) as string[])).details.field).toBe("role_ids[0]");
    expect(failure(() => setCompositeMembers(graph, "kslice_c", sparse(1) as string[])).details.field).toBe(
      "member_slice_ids[0]",
    );
  });

  it("isOwner is false for anything that is not an owner's id", () => {
    const graph = createGraph({ organization_id: "org_1", owners: ["usr_owner1"] });
    expect(isOwner(graph, undefined as unknown as string)).toBe(false);
    expect(isOwner(graph, "usr_owner1")).toBe(true);
  });
});

describe("values read once", () => {
  it("a getter cannot pass validation with one value and be stored with another", () => {
    let reads = 0;
    const tricky = {
      ...grant,
      get expires_at() {
        reads++;
        return reads === 1 ? "2030-01-01T00:00:00Z" : "not-a-date";
      },
    };
    const graph = createGraph({ organization_id: "org_1", grants: [tricky] as unknown as GrantInput[] });
    expect(getGrant(graph, "agrant_1")?.expires_at).toBe("2030-01-01T00:00:00Z");
    expect(() => createGraph(graphToInput(graph))).not.toThrow();
  });
});

describe("timestamps", () => {
  it("digits below the millisecond round the expiry up, so the grant is active before it", () => {
    const graph = createGraph({
      organization_id: "org_1",
      grants: [{ ...grant, expires_at: "2025-06-15T10:00:00.0005Z" }],
    });
    const check = (at: string) => checkAccess(graph, "usr_1", "assistant", "asst_1", { at: new Date(at) }).allowed;
    expect(check("2025-06-15T10:00:00.000Z")).toBe(true);
    expect(check("2025-06-15T10:00:00.001Z")).toBe(false);
  });

  it("years 0000–0099 keep their own leap years", () => {
    expect(() =>
      createGraph({ organization_id: "org_1", grants: [{ ...grant, created_at: "0000-02-29T00:00:00Z" }] }),
    ).not.toThrow();
    expect(
      failure(() =>
        createGraph({ organization_id: "org_1", grants: [{ ...grant, created_at: "0001-02-29T00:00:00Z" }] }),
      ).details.field,
    ).toBe("grants[0].created_at");
  });

  it("expireGrant refuses a Date that ISO-8601 cannot write, so the graph stays round-trippable", () => {
    const graph = createGraph({ organization_id: "org_1", grants: [grant] });
    expect(failure(() => expireGrant(graph, "agrant_1", new Date(8.64e15))).details.field).toBe("expires_at");
  });

  it("expireGrant with the same instant spelled differently returns the same graph", () => {
    const graph = expireGrant(
      createGraph({ organization_id: "org_1", grants: [grant] }),
      "agrant_1",
      "2030-01-01T00:00:00Z",
    );
    expect(expireGrant(graph, "agrant_1", "2030-01-01T00:00:00.000Z")).toBe(graph);
    expect(expireGrant(graph, "agrant_1", new Date("2030-01-01T00:00:00Z"))).toBe(graph);
    expect(expireGrant(graph, "agrant_1", "2030-01-01T01:00:00+01:00")).toBe(graph);
  });
});

describe("null where an object or id is expected", () => {
  const graph = createGraph({ organization_id: "org_1", grants: [grant] });

  it("null options behave like no options", () => {
    const updated = updateGrantLevel(graph, "agrant_1", "write", null as unknown as undefined);
    expect(getGrant(updated, "agrant_1")?.access_level).toBe("write");
    expect(
      resolveAccess(graph, "usr_1", { entityType: null as unknown as undefined, at: new Date(0) }).entities,
    ).toHaveLength(1);
  });

  it("getGrant with a malformed id is a VALIDATION_ERROR on grant_id", () => {
    expect(failure(() => getGrant(graph, null as unknown as string)).details.field).toBe("grant_id");
  });

  it("a composite with member_slice_ids null is told the field is required", () => {
    const error = failure(() =>
      createGraph({
        organization_id: "org_1",
        composites: [{ id: "kslice_c", member_slice_ids: null }],
      } as unknown as GraphInput),
    );
    expect(error.details.field).toBe("composites[0].member_slice_ids");
  });
});
