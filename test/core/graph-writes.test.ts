/**
 * Every write of the pure core: its effect, immutability (a new frozen graph, the old one
 * unchanged and still resolvable), its errors (a failed write changes nothing), and the read
 * helpers getGrant / isOwner / graphToInput.
 */
import { describe, expect, it } from "vitest";
import {
  type AccessLevel,
  addGrant,
  createDepartment,
  createGraph,
  type EntityType,
  expireGrant,
  type GranteeType,
  type GraphInput,
  getGrant,
  graphToInput,
  isOwner,
  moveDepartment,
  removeDepartment,
  resolveAccess,
  revokeGrant,
  setCompositeMembers,
  setOwners,
  setUserDepartments,
  setUserRoles,
  updateGrantLevel,
  usersWithAccess,
} from "../../src/index.js";
import {
  AT,
  bad,
  catchAccessError,
  direct,
  entity,
  expectAssignmentThrows,
  expectCode,
  expectDeepFrozen,
  expectInvalidGraph,
  expectValidationError,
  type Graph,
  grant,
  ks,
  ksEntity,
  ORG,
  observe,
  viaComposite,
  viaDept,
  viaRole,
} from "./fixtures.js";

const BASE_INPUT: GraphInput = {
  organization_id: ORG,
  owners: ["usr_owner"],
  users: [
    { id: "usr_a", department_ids: ["dept_be"], role_ids: ["role_r"] },
    { id: "usr_b", department_ids: ["dept_fe"] },
  ],
  departments: [
    { id: "dept_root", parent_id: null },
    { id: "dept_eng", parent_id: "dept_root" },
    { id: "dept_be", parent_id: "dept_eng" },
    { id: "dept_fe", parent_id: "dept_eng" },
    { id: "dept_sales", parent_id: null },
  ],
  composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
  grants: [
    ks("agrant_direct", "kslice_x", "user", "usr_a", "read"),
    ks("agrant_eng", "kslice_y", "department", "dept_eng", "write"),
    grant("agrant_role", "vector_store", "vs_1", "role", "role_r", "admin"),
    ks("agrant_comp", "kslice_c", "user", "usr_b", "read"),
    ks("agrant_sales", "kslice_s", "department", "dept_sales", "read"),
  ],
};

const USERS = ["usr_a", "usr_b", "usr_c", "usr_owner"] as const;

const BASE_A = [
  ksEntity("kslice_x", "read", [direct("read", "agrant_direct")]),
  ksEntity("kslice_y", "write", [viaDept("write", "dept_eng", "agrant_eng")]),
  entity("vector_store", "vs_1", "admin", [viaRole("admin", "role_r", "agrant_role")]),
];
const BASE_B = [
  ksEntity("kslice_c", "read", [direct("read", "agrant_comp")]),
  ksEntity("kslice_m", "read", [viaComposite("read", "kslice_c", "agrant_comp")]),
  ksEntity("kslice_y", "write", [viaDept("write", "dept_eng", "agrant_eng")]),
];

/**
 * A grant read with getGrant is either frozen (assignment throws) or a copy: changing it has no
 * effect on the graph.
 */
function expectReadOnlyResult(graph: Graph, grantId: string): void {
  const stored = getGrant(graph, grantId);
  expect(stored).toBeDefined();
  if (stored === undefined) return;
  const snapshot = JSON.stringify(stored);
  const users = observe(graph, USERS);
  const writable = stored as unknown as Record<string, unknown>;
  try {
    writable.access_level = "admin";
    writable.grantee_id = "usr_c";
    writable.expires_at = "2000-01-01T00:00:00Z";
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
  }
  expect(JSON.stringify(getGrant(graph, grantId))).toBe(snapshot);
  expect(observe(graph, USERS)).toStrictEqual(users);
}

function base(): Graph {
  return createGraph(BASE_INPUT);
}

function entitiesOf(graph: Graph, user: string, at: Date = AT) {
  return resolveAccess(graph, user, { at }).entities;
}

/** Ids of the grants reaching `user` on any entity. */
function grantIdsOf(graph: Graph, user: string): string[] {
  return [...new Set(entitiesOf(graph, user).flatMap((e) => e.grant_paths.map((p) => p.grant_id)))].sort();
}

describe("the base fixture", () => {
  it("resolves as written", () => {
    const graph = base();
    expect(entitiesOf(graph, "usr_a")).toStrictEqual(BASE_A);
    expect(entitiesOf(graph, "usr_b")).toStrictEqual(BASE_B);
    expect(entitiesOf(graph, "usr_c")).toEqual([]);
  });

  it("createGraph returns a deeply frozen graph", () => {
    const graph = base();
    expect(Object.isFrozen(graph)).toBe(true);
    expectAssignmentThrows(graph);
    expectDeepFrozen(graph);
  });
});

type Write = readonly [name: string, write: (graph: Graph) => Graph];

const VALID_WRITES: readonly Write[] = [
  ["addGrant", (g) => addGrant(g, ks("agrant_new", "kslice_z", "user", "usr_c", "read"))],
  ["updateGrantLevel", (g) => updateGrantLevel(g, "agrant_direct", "admin")],
  ["revokeGrant", (g) => revokeGrant(g, "agrant_direct")],
  ["expireGrant", (g) => expireGrant(g, "agrant_direct", new Date("2020-01-01T00:00:00Z"))],
  ["setUserDepartments", (g) => setUserDepartments(g, "usr_c", ["dept_fe"])],
  ["setUserRoles", (g) => setUserRoles(g, "usr_c", ["role_r"])],
  ["createDepartment", (g) => createDepartment(g, { id: "dept_new", parent_id: "dept_eng" })],
  ["moveDepartment", (g) => moveDepartment(g, "dept_fe", "dept_sales")],
  ["removeDepartment", (g) => removeDepartment(g, "dept_fe")],
  ["setCompositeMembers", (g) => setCompositeMembers(g, "kslice_c", ["kslice_m", "kslice_n"])],
  ["setOwners", (g) => setOwners(g, ["usr_c"])],
];

describe.each(VALID_WRITES)("%s is a pure write", (_name, write) => {
  it("returns a new, deeply frozen graph and leaves the old one unchanged and resolvable", () => {
    const before = base();
    const snapshot = observe(before, USERS);
    const ownerBefore = isOwner(before, "usr_owner");
    const after = write(before);
    expect(after).not.toBe(before);
    expect(Object.isFrozen(after)).toBe(true);
    expectAssignmentThrows(after);
    expectDeepFrozen(after);
    // the old graph is untouched and still answers the same
    expect(observe(before, USERS)).toStrictEqual(snapshot);
    expect(entitiesOf(before, "usr_a")).toStrictEqual(BASE_A);
    expect(entitiesOf(before, "usr_b")).toStrictEqual(BASE_B);
    expect(isOwner(before, "usr_owner")).toBe(ownerBefore);
    expect(Object.isFrozen(before)).toBe(true);
    // and the new graph really differs somewhere
    expect(observe(after, USERS).input).not.toBe(snapshot.input);
  });
});

type FailingWrite = readonly [name: string, write: (graph: Graph) => Graph, code: string, field: string | undefined];

const INVALID_WRITES: readonly FailingWrite[] = [
  [
    "addGrant bad entity_type",
    (g) =>
      addGrant(g, { ...ks("agrant_n", "kslice_n", "user", "usr_a", "read"), entity_type: bad<EntityType>("file") }),
    "VALIDATION_ERROR",
    "entity_type",
  ],
  [
    "addGrant entity id of another type",
    (g) => addGrant(g, grant("agrant_n", "vector_store", "kslice_n", "user", "usr_a", "read")),
    "VALIDATION_ERROR",
    "entity_id",
  ],
  [
    "addGrant bad grantee_type",
    (g) =>
      addGrant(g, { ...ks("agrant_n", "kslice_n", "user", "usr_a", "read"), grantee_type: bad<GranteeType>("group") }),
    "VALIDATION_ERROR",
    "grantee_type",
  ],
  [
    "addGrant grantee id of another type",
    (g) => addGrant(g, ks("agrant_n", "kslice_n", "role", "dept_be", "read")),
    "VALIDATION_ERROR",
    "grantee_id",
  ],
  [
    "addGrant bad access_level",
    (g) =>
      addGrant(g, { ...ks("agrant_n", "kslice_n", "user", "usr_a", "read"), access_level: bad<AccessLevel>("owner") }),
    "VALIDATION_ERROR",
    "access_level",
  ],
  [
    "addGrant other organization",
    (g) => addGrant(g, ks("agrant_n", "kslice_n", "user", "usr_a", "read", { organization_id: "org_other" })),
    "VALIDATION_ERROR",
    "organization_id",
  ],
  [
    "addGrant expires_at without zone",
    (g) => addGrant(g, ks("agrant_n", "kslice_n", "user", "usr_a", "read", { expires_at: "2030-01-01T00:00:00" })),
    "VALIDATION_ERROR",
    "expires_at",
  ],
  ["addGrant bad id", (g) => addGrant(g, ks("grant_n", "kslice_n", "user", "usr_a", "read")), "VALIDATION_ERROR", "id"],
  [
    "addGrant duplicate tuple",
    (g) => addGrant(g, ks("agrant_dup", "kslice_x", "user", "usr_a", "admin")),
    "RESOURCE_ALREADY_EXISTS",
    undefined,
  ],
  [
    "updateGrantLevel unknown grant",
    (g) => updateGrantLevel(g, "agrant_missing", "admin"),
    "RESOURCE_NOT_FOUND",
    undefined,
  ],
  [
    "updateGrantLevel bad level",
    (g) => updateGrantLevel(g, "agrant_direct", bad<AccessLevel>("owner")),
    "VALIDATION_ERROR",
    "access_level",
  ],
  [
    "updateGrantLevel malformed id",
    (g) => updateGrantLevel(g, "grant_direct", "admin"),
    "VALIDATION_ERROR",
    "grant_id",
  ],
  ["revokeGrant unknown grant", (g) => revokeGrant(g, "agrant_missing"), "RESOURCE_NOT_FOUND", undefined],
  ["revokeGrant malformed id", (g) => revokeGrant(g, "agrant_"), "VALIDATION_ERROR", "grant_id"],
  ["expireGrant unknown grant", (g) => expireGrant(g, "agrant_missing", null), "RESOURCE_NOT_FOUND", undefined],
  [
    "expireGrant without zone",
    (g) => expireGrant(g, "agrant_direct", "2030-01-01T00:00:00"),
    "VALIDATION_ERROR",
    "expires_at",
  ],
  [
    "expireGrant invalid Date",
    (g) => expireGrant(g, "agrant_direct", new Date(Number.NaN)),
    "VALIDATION_ERROR",
    "expires_at",
  ],
  ["setUserDepartments bad user", (g) => setUserDepartments(g, "user_a", ["dept_be"]), "VALIDATION_ERROR", "user_id"],
  [
    "setUserDepartments bad department",
    (g) => setUserDepartments(g, "usr_a", ["dept_be", "role_r"]),
    "VALIDATION_ERROR",
    "department_ids[1]",
  ],
  ["setUserRoles bad user", (g) => setUserRoles(g, "dept_a", ["role_r"]), "VALIDATION_ERROR", "user_id"],
  ["setUserRoles bad role", (g) => setUserRoles(g, "usr_a", ["dept_be"]), "VALIDATION_ERROR", "role_ids[0]"],
  [
    "createDepartment already declared",
    (g) => createDepartment(g, { id: "dept_eng", parent_id: null }),
    "RESOURCE_ALREADY_EXISTS",
    undefined,
  ],
  [
    "createDepartment bad parent",
    (g) => createDepartment(g, { id: "dept_new", parent_id: "role_r" }),
    "VALIDATION_ERROR",
    "parent_id",
  ],
  [
    "createDepartment self parent",
    (g) => createDepartment(g, { id: "dept_new", parent_id: "dept_new" }),
    "INVALID_GRAPH",
    undefined,
  ],
  ["moveDepartment into own descendant", (g) => moveDepartment(g, "dept_eng", "dept_be"), "INVALID_GRAPH", undefined],
  ["moveDepartment under itself", (g) => moveDepartment(g, "dept_eng", "dept_eng"), "INVALID_GRAPH", undefined],
  ["moveDepartment bad department", (g) => moveDepartment(g, "usr_a", null), "VALIDATION_ERROR", "department_id"],
  ["moveDepartment bad parent", (g) => moveDepartment(g, "dept_fe", "kslice_x"), "VALIDATION_ERROR", "parent_id"],
  [
    "removeDepartment named by an active grant",
    (g) => removeDepartment(g, "dept_eng"),
    "VALIDATION_ERROR",
    "department_id",
  ],
  ["removeDepartment unknown", (g) => removeDepartment(g, "dept_unknown"), "RESOURCE_NOT_FOUND", undefined],
  ["removeDepartment bad id", (g) => removeDepartment(g, "role_r"), "VALIDATION_ERROR", "department_id"],
  ["setCompositeMembers cycle", (g) => setCompositeMembers(g, "kslice_m", ["kslice_c"]), "INVALID_GRAPH", undefined],
  [
    "setCompositeMembers self member",
    (g) => setCompositeMembers(g, "kslice_c", ["kslice_c"]),
    "INVALID_GRAPH",
    undefined,
  ],
  [
    "setCompositeMembers bad member",
    (g) => setCompositeMembers(g, "kslice_c", ["kslice_m", "vs_1"]),
    "VALIDATION_ERROR",
    "member_slice_ids[1]",
  ],
  ["setOwners bad owner", (g) => setOwners(g, ["usr_c", "org_x"]), "VALIDATION_ERROR", "owners[1]"],
];

describe.each(INVALID_WRITES)("invalid write: %s", (_name, write, code, field) => {
  it(`throws ${code}${field === undefined ? "" : ` on ${field}`} and changes nothing`, () => {
    const graph = base();
    const snapshot = observe(graph, USERS);
    const error = catchAccessError(() => write(graph));
    expect(error.code).toBe(code);
    expect(error.status).toBe(code === "RESOURCE_NOT_FOUND" ? 404 : code === "RESOURCE_ALREADY_EXISTS" ? 409 : 422);
    if (field !== undefined) expect(error.details.field).toBe(field);
    expect(observe(graph, USERS)).toStrictEqual(snapshot);
    expect(entitiesOf(graph, "usr_a")).toStrictEqual(BASE_A);
    expect(entitiesOf(graph, "usr_b")).toStrictEqual(BASE_B);
  });
});

describe("addGrant", () => {
  it("adds a grant that resolves, and stores it with null timestamps and the graph's organization", () => {
    const graph = addGrant(base(), ks("agrant_new", "kslice_z", "department", "dept_eng", "admin"));
    expect(entitiesOf(graph, "usr_b")).toStrictEqual([
      ...BASE_B,
      ksEntity("kslice_z", "admin", [viaDept("admin", "dept_eng", "agrant_new")]),
    ]);
    const stored = getGrant(graph, "agrant_new");
    expect(stored).toStrictEqual({
      id: "agrant_new",
      entity_type: "knowledge_slice",
      entity_id: "kslice_z",
      grantee_type: "department",
      grantee_id: "dept_eng",
      access_level: "admin",
      granted_by: null,
      organization_id: ORG,
      created_at: null,
      updated_at: null,
    });
    expect(stored !== undefined && "expires_at" in stored).toBe(false);
    expectReadOnlyResult(graph, "agrant_new");
  });

  it("keeps the optional fields it is given", () => {
    const graph = addGrant(
      base(),
      ks("agrant_new", "kslice_z", "user", "usr_c", "read", {
        granted_by: "usr_owner",
        organization_id: ORG,
        created_at: "2025-06-15T10:00:00Z",
        updated_at: "2025-06-16T10:00:00Z",
        expires_at: "2030-01-01T00:00:00Z",
      }),
    );
    const stored = getGrant(graph, "agrant_new");
    expect(stored).toMatchObject({
      granted_by: "usr_owner",
      organization_id: ORG,
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-16T10:00:00Z",
    });
    expect(Date.parse(stored?.expires_at ?? "")).toBe(Date.parse("2030-01-01T00:00:00Z"));
    expect(entitiesOf(graph, "usr_c", new Date("2029-12-31T23:59:59.999Z"))).toStrictEqual([
      ksEntity("kslice_z", "read", [direct("read", "agrant_new")]),
    ]);
    expect(entitiesOf(graph, "usr_c", new Date("2030-01-01T00:00:00Z"))).toEqual([]);
  });

  it("generates an agrant_auto_N id when none is given, distinct per grant", () => {
    const one = addGrant(base(), {
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "user",
      grantee_id: "usr_c",
      access_level: "read",
    });
    const two = addGrant(one, {
      entity_type: "assistant",
      entity_id: "asst_2",
      grantee_type: "user",
      grantee_id: "usr_c",
      access_level: "write",
    });
    const ids = grantIdsOf(two, "usr_c");
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(id).toMatch(/^agrant_auto_\d+$/);
      expect(getGrant(two, id)?.grantee_id).toBe("usr_c");
    }
    expect(new Set(ids).size).toBe(2);
  });

  it("a generated id never collides with an existing id, even after a round trip through graphToInput", () => {
    let graph = createGraph({
      organization_id: ORG,
      grants: [
        ks("agrant_auto_1", "kslice_a", "user", "usr_u", "read"),
        ks("agrant_auto_2", "kslice_b", "user", "usr_u", "read"),
      ],
    });
    graph = addGrant(graph, {
      entity_type: "knowledge_slice",
      entity_id: "kslice_c",
      grantee_type: "user",
      grantee_id: "usr_u",
      access_level: "read",
    });
    graph = createGraph(graphToInput(graph));
    graph = addGrant(graph, {
      entity_type: "knowledge_slice",
      entity_id: "kslice_d",
      grantee_type: "user",
      grantee_id: "usr_u",
      access_level: "read",
    });
    const entities = entitiesOf(graph, "usr_u");
    expect(entities.map((e) => e.entity_id)).toEqual(["kslice_a", "kslice_b", "kslice_c", "kslice_d"]);
    const ids = entities.map((e) => e.grant_paths[0]?.grant_id);
    expect(new Set(ids).size).toBe(4);
    expect(ids.slice(0, 2)).toEqual(["agrant_auto_1", "agrant_auto_2"]);
  });

  it("a duplicate (entity, grantee) tuple is RESOURCE_ALREADY_EXISTS naming the existing grant, whatever the level", () => {
    const graph = base();
    for (const level of ["read", "write", "admin"] as const) {
      const error = expectCode(
        () => addGrant(graph, ks("agrant_dup", "kslice_y", "department", "dept_eng", level)),
        "RESOURCE_ALREADY_EXISTS",
        409,
      );
      expect(error.details.grant_id).toBe("agrant_eng");
    }
    // without an id too
    const error = expectCode(
      () =>
        addGrant(graph, {
          entity_type: "knowledge_slice",
          entity_id: "kslice_x",
          grantee_type: "user",
          grantee_id: "usr_a",
          access_level: "read",
        }),
      "RESOURCE_ALREADY_EXISTS",
      409,
    );
    expect(error.details.grant_id).toBe("agrant_direct");
  });

  it("the same grantee on another entity, or another grantee on the same entity, is not a duplicate", () => {
    let graph = base();
    graph = addGrant(graph, ks("agrant_n1", "kslice_y", "department", "dept_be", "read"));
    graph = addGrant(graph, ks("agrant_n2", "kslice_y2", "department", "dept_eng", "read"));
    graph = addGrant(graph, grant("agrant_n3", "vector_store", "vs_y", "department", "dept_eng", "read"));
    expect(grantIdsOf(graph, "usr_a")).toEqual([
      "agrant_direct",
      "agrant_eng",
      "agrant_n1",
      "agrant_n2",
      "agrant_n3",
      "agrant_role",
    ]);
  });

  it("a revoked tuple can be granted again", () => {
    const revoked = revokeGrant(base(), "agrant_direct");
    const regranted = addGrant(revoked, ks("agrant_again", "kslice_x", "user", "usr_a", "write"));
    expect(entitiesOf(regranted, "usr_a")[0]).toStrictEqual(
      ksEntity("kslice_x", "write", [direct("write", "agrant_again")]),
    );
  });

  it("reusing an existing grant id is rejected", () => {
    const graph = base();
    const error = catchAccessError(() => addGrant(graph, ks("agrant_direct", "kslice_new", "user", "usr_c", "read")));
    expect(["VALIDATION_ERROR", "RESOURCE_ALREADY_EXISTS"]).toContain(error.code);
    expect(entitiesOf(graph, "usr_c")).toEqual([]);
  });
});

describe("updateGrantLevel", () => {
  it("changes the level and nothing else", () => {
    const graph = updateGrantLevel(base(), "agrant_eng", "read");
    expect(entitiesOf(graph, "usr_a")[1]).toStrictEqual(
      ksEntity("kslice_y", "read", [viaDept("read", "dept_eng", "agrant_eng")]),
    );
    expect(getGrant(graph, "agrant_eng")).toMatchObject({
      id: "agrant_eng",
      entity_type: "knowledge_slice",
      entity_id: "kslice_y",
      grantee_type: "department",
      grantee_id: "dept_eng",
      access_level: "read",
      organization_id: ORG,
    });
  });

  it("raising the level of a composite grant raises the members' composite paths", () => {
    const graph = updateGrantLevel(base(), "agrant_comp", "admin");
    expect(entitiesOf(graph, "usr_b").slice(0, 2)).toStrictEqual([
      ksEntity("kslice_c", "admin", [direct("admin", "agrant_comp")]),
      ksEntity("kslice_m", "admin", [viaComposite("admin", "kslice_c", "agrant_comp")]),
    ]);
  });

  it("setting the same level leaves every result unchanged", () => {
    const before = base();
    const after = updateGrantLevel(before, "agrant_direct", "read");
    expect(observe(after, USERS).access).toStrictEqual(observe(before, USERS).access);
  });

  it("an unknown grant is RESOURCE_NOT_FOUND with details {grant_id}", () => {
    const error = expectCode(() => updateGrantLevel(base(), "agrant_missing", "read"), "RESOURCE_NOT_FOUND", 404);
    expect(error.details).toEqual({ grant_id: "agrant_missing" });
  });

  it("a revoked grant can no longer be updated", () => {
    const revoked = revokeGrant(base(), "agrant_direct");
    const error = expectCode(() => updateGrantLevel(revoked, "agrant_direct", "admin"), "RESOURCE_NOT_FOUND", 404);
    expect(error.details).toEqual({ grant_id: "agrant_direct" });
  });
});

describe("revokeGrant", () => {
  it("removes the grant's paths and the grant", () => {
    const graph = revokeGrant(base(), "agrant_eng");
    expect(entitiesOf(graph, "usr_a")).toStrictEqual([BASE_A[0], BASE_A[2]]);
    expect(entitiesOf(graph, "usr_b")).toStrictEqual([BASE_B[0], BASE_B[1]]);
    expect(getGrant(graph, "agrant_eng")).toBeUndefined();
    expect(usersWithAccess(graph, "knowledge_slice", "kslice_y", { at: AT }).users).toEqual([]);
  });

  it("revoking a composite grant removes the members' composite paths", () => {
    const graph = revokeGrant(base(), "agrant_comp");
    expect(entitiesOf(graph, "usr_b")).toStrictEqual([BASE_B[2]]);
  });

  it("revoking twice is RESOURCE_NOT_FOUND with details {grant_id}", () => {
    const graph = revokeGrant(base(), "agrant_direct");
    const error = expectCode(() => revokeGrant(graph, "agrant_direct"), "RESOURCE_NOT_FOUND", 404);
    expect(error.details).toEqual({ grant_id: "agrant_direct" });
  });

  it("an unknown grant is RESOURCE_NOT_FOUND with details {grant_id}", () => {
    const error = expectCode(() => revokeGrant(base(), "agrant_nope"), "RESOURCE_NOT_FOUND", 404);
    expect(error.details).toEqual({ grant_id: "agrant_nope" });
  });
});

describe("expireGrant", () => {
  it("sets an expiry from a Date: active before, inactive at and after", () => {
    const graph = expireGrant(base(), "agrant_direct", new Date("2030-01-01T00:00:00Z"));
    expect(Date.parse(getGrant(graph, "agrant_direct")?.expires_at ?? "")).toBe(Date.parse("2030-01-01T00:00:00Z"));
    expect(entitiesOf(graph, "usr_a", new Date("2029-12-31T23:59:59.999Z"))).toStrictEqual(BASE_A);
    expect(entitiesOf(graph, "usr_a", new Date("2030-01-01T00:00:00Z"))).toStrictEqual([BASE_A[1], BASE_A[2]]);
  });

  it("sets an expiry from an ISO string with an offset", () => {
    const graph = expireGrant(base(), "agrant_direct", "2030-01-01T01:00:00+01:00");
    expect(Date.parse(getGrant(graph, "agrant_direct")?.expires_at ?? "")).toBe(Date.parse("2030-01-01T00:00:00Z"));
    expect(entitiesOf(graph, "usr_a", new Date("2029-12-31T23:59:59.999Z"))).toStrictEqual(BASE_A);
    expect(entitiesOf(graph, "usr_a", new Date("2030-01-01T00:00:00Z"))).toStrictEqual([BASE_A[1], BASE_A[2]]);
  });

  it("an expiry in the past makes the grant inactive now", () => {
    const graph = expireGrant(base(), "agrant_direct", new Date("2020-01-01T00:00:00Z"));
    expect(resolveAccess(graph, "usr_a").entities.map((e) => e.entity_id)).toEqual(["kslice_y", "vs_1"]);
  });

  it("null clears the expiry", () => {
    const expiring = expireGrant(base(), "agrant_direct", "2020-01-01T00:00:00Z");
    const cleared = expireGrant(expiring, "agrant_direct", null);
    const stored = getGrant(cleared, "agrant_direct");
    expect(stored).toBeDefined();
    expect(stored !== undefined && "expires_at" in stored).toBe(false);
    expect(resolveAccess(cleared, "usr_a").entities).toStrictEqual(BASE_A);
    // the expiring graph is unchanged
    expect(resolveAccess(expiring, "usr_a").entities.map((e) => e.entity_id)).toEqual(["kslice_y", "vs_1"]);
  });

  it("an unknown grant is RESOURCE_NOT_FOUND with details {grant_id}", () => {
    const error = expectCode(
      () => expireGrant(base(), "agrant_nope", new Date("2030-01-01T00:00:00Z")),
      "RESOURCE_NOT_FOUND",
      404,
    );
    expect(error.details).toEqual({ grant_id: "agrant_nope" });
  });
});

describe("setUserDepartments", () => {
  it("replaces the user's direct memberships", () => {
    // usr_a moves from dept_be (under dept_eng) to dept_root: the grant to dept_eng does not flow down to root members
    const graph = setUserDepartments(base(), "usr_a", ["dept_root"]);
    expect(entitiesOf(graph, "usr_a")).toStrictEqual([BASE_A[0], BASE_A[2]]);
    const sales = setUserDepartments(base(), "usr_a", ["dept_sales"]);
    expect(entitiesOf(sales, "usr_a")).toStrictEqual([
      ksEntity("kslice_s", "read", [viaDept("read", "dept_sales", "agrant_sales")]),
      BASE_A[0],
      BASE_A[2],
    ]);
  });

  it("an empty list drops every membership but keeps direct and role paths", () => {
    const graph = setUserDepartments(base(), "usr_a", []);
    expect(entitiesOf(graph, "usr_a")).toStrictEqual([BASE_A[0], BASE_A[2]]);
  });

  it("lists an unlisted user, who then reaches department grants", () => {
    const before = base();
    const graph = setUserDepartments(before, "usr_c", ["dept_fe", "dept_sales"]);
    expect(entitiesOf(graph, "usr_c")).toStrictEqual([
      ksEntity("kslice_s", "read", [viaDept("read", "dept_sales", "agrant_sales")]),
      ksEntity("kslice_y", "write", [viaDept("write", "dept_eng", "agrant_eng")]),
    ]);
    expect(graphToInput(graph).users?.map((u) => u.id)).toContain("usr_c");
    expect(graphToInput(before).users?.map((u) => u.id)).not.toContain("usr_c");
  });

  it("two memberships under the same granted department still give one path", () => {
    const graph = setUserDepartments(base(), "usr_b", ["dept_fe", "dept_be"]);
    expect(entitiesOf(graph, "usr_b")).toStrictEqual(BASE_B);
  });

  it("setting the same memberships leaves every result unchanged", () => {
    const before = base();
    const after = setUserDepartments(before, "usr_a", ["dept_be"]);
    expect(observe(after, USERS).access).toStrictEqual(observe(before, USERS).access);
  });
});

describe("setUserRoles", () => {
  it("replaces the user's roles", () => {
    const graph = setUserRoles(base(), "usr_a", ["role_other"]);
    expect(entitiesOf(graph, "usr_a")).toStrictEqual([BASE_A[0], BASE_A[1]]);
    const none = setUserRoles(base(), "usr_a", []);
    expect(entitiesOf(none, "usr_a")).toStrictEqual([BASE_A[0], BASE_A[1]]);
  });

  it("gives role paths to a newly listed user", () => {
    const graph = setUserRoles(base(), "usr_c", ["role_r"]);
    expect(entitiesOf(graph, "usr_c")).toStrictEqual([
      entity("vector_store", "vs_1", "admin", [viaRole("admin", "role_r", "agrant_role")]),
    ]);
    expect(usersWithAccess(graph, "vector_store", "vs_1", { at: AT }).users.map((u) => u.user_id)).toEqual([
      "usr_a",
      "usr_c",
    ]);
  });

  it("a role grant on a composite gives the new holder composite paths with role_id", () => {
    const withGrant = addGrant(base(), ks("agrant_rc", "kslice_c", "role", "role_q", "write"));
    const graph = setUserRoles(withGrant, "usr_c", ["role_q"]);
    expect(entitiesOf(graph, "usr_c")).toStrictEqual([
      ksEntity("kslice_c", "write", [viaRole("write", "role_q", "agrant_rc")]),
      ksEntity("kslice_m", "write", [viaComposite("write", "kslice_c", "agrant_rc", { role_id: "role_q" })]),
    ]);
  });

  it("setting the same roles leaves every result unchanged", () => {
    const before = base();
    const after = setUserRoles(before, "usr_a", ["role_r"]);
    expect(observe(after, USERS).access).toStrictEqual(observe(before, USERS).access);
  });
});

describe("createDepartment", () => {
  it("declares a department under a parent; its members reach the ancestors' grants", () => {
    const created = createDepartment(base(), { id: "dept_new", parent_id: "dept_eng" });
    const graph = setUserDepartments(created, "usr_c", ["dept_new"]);
    expect(entitiesOf(graph, "usr_c")).toStrictEqual([
      ksEntity("kslice_y", "write", [viaDept("write", "dept_eng", "agrant_eng")]),
    ]);
    expect(graphToInput(created).departments).toEqual(
      expect.arrayContaining([{ id: "dept_new", parent_id: "dept_eng" }]),
    );
  });

  it("declares a root department without a parent", () => {
    const created = createDepartment(base(), { id: "dept_solo" });
    const graph = setUserDepartments(created, "usr_c", ["dept_solo"]);
    expect(entitiesOf(graph, "usr_c")).toEqual([]);
    const declared = graphToInput(created).departments?.find((d) => d.id === "dept_solo");
    expect(declared?.parent_id ?? null).toBeNull();
  });

  it("declaring an already declared department is RESOURCE_ALREADY_EXISTS", () => {
    const created = createDepartment(base(), { id: "dept_new", parent_id: null });
    expectCode(
      () => createDepartment(created, { id: "dept_new", parent_id: "dept_eng" }),
      "RESOURCE_ALREADY_EXISTS",
      409,
    );
  });

  it("a malformed id is a VALIDATION_ERROR", () => {
    expectCode(() => createDepartment(base(), { id: "department_x" }), "VALIDATION_ERROR", 422);
  });
});

describe("moveDepartment", () => {
  it("re-targets inherited grants", () => {
    const graph = moveDepartment(base(), "dept_fe", "dept_sales");
    expect(entitiesOf(graph, "usr_b")).toStrictEqual([
      BASE_B[0],
      BASE_B[1],
      ksEntity("kslice_s", "read", [viaDept("read", "dept_sales", "agrant_sales")]),
    ]);
    // usr_a's department is not moved
    expect(entitiesOf(graph, "usr_a")).toStrictEqual(BASE_A);
  });

  it("moving a subtree moves its descendants' members along", () => {
    const graph = moveDepartment(base(), "dept_eng", "dept_sales");
    expect(entitiesOf(graph, "usr_a")).toStrictEqual([
      ksEntity("kslice_s", "read", [viaDept("read", "dept_sales", "agrant_sales")]),
      BASE_A[0],
      BASE_A[1],
      BASE_A[2],
    ]);
  });

  it("moving to null makes a root department", () => {
    const graph = moveDepartment(base(), "dept_fe", null);
    expect(entitiesOf(graph, "usr_b")).toStrictEqual([BASE_B[0], BASE_B[1]]);
  });

  it("moving to the current parent leaves every result unchanged", () => {
    const before = base();
    const after = moveDepartment(before, "dept_fe", "dept_eng");
    expect(observe(after, USERS).access).toStrictEqual(observe(before, USERS).access);
  });

  it("a move that would make a cycle is INVALID_GRAPH with the cycle in details", () => {
    const graph = base();
    expectInvalidGraph(() => moveDepartment(graph, "dept_eng", "dept_be"), ["dept_eng", "dept_be"]);
    expectInvalidGraph(() => moveDepartment(graph, "dept_root", "dept_fe"), ["dept_root", "dept_eng", "dept_fe"]);
    expectInvalidGraph(() => moveDepartment(graph, "dept_sales", "dept_sales"), ["dept_sales"]);
  });
});

describe("removeDepartment", () => {
  const chain: GraphInput = {
    organization_id: ORG,
    users: [
      { id: "usr_leaf", department_ids: ["dept_leaf"] },
      { id: "usr_mid", department_ids: ["dept_mid", "dept_side"] },
    ],
    departments: [
      { id: "dept_top", parent_id: null },
      { id: "dept_mid", parent_id: "dept_top" },
      { id: "dept_leaf", parent_id: "dept_mid" },
      { id: "dept_side", parent_id: null },
    ],
    grants: [ks("agrant_top", "kslice_t", "department", "dept_top", "write")],
  };
  const topPath = [ksEntity("kslice_t", "write", [viaDept("write", "dept_top", "agrant_top")])];

  it("drops memberships in it and re-parents its children to its parent", () => {
    const before = createGraph(chain);
    const graph = removeDepartment(before, "dept_mid");
    expect(entitiesOf(graph, "usr_leaf")).toStrictEqual(topPath);
    expect(entitiesOf(graph, "usr_mid")).toEqual([]);
    const input = graphToInput(graph);
    expect(input.departments?.find((d) => d.id === "dept_leaf")?.parent_id).toBe("dept_top");
    expect(input.departments?.some((d) => d.id === "dept_mid")).toBe(false);
    const mid = input.users?.find((u) => u.id === "usr_mid");
    expect(mid?.department_ids ?? []).toEqual(["dept_side"]);
    // the old graph still has the department
    expect(entitiesOf(before, "usr_mid")).toStrictEqual(topPath);
  });

  it("removing a root department makes its children roots", () => {
    const graph = removeDepartment(revokeGrant(createGraph(chain), "agrant_top"), "dept_top");
    expect(graphToInput(graph).departments?.find((d) => d.id === "dept_mid")?.parent_id ?? null).toBeNull();
  });

  it("is rejected while an active grant names the department, allowed after revoking it", () => {
    const graph = createGraph(chain);
    expectValidationError(() => removeDepartment(graph, "dept_top"), "department_id");
    expect(entitiesOf(graph, "usr_leaf")).toStrictEqual(topPath);
    const revoked = revokeGrant(graph, "agrant_top");
    const removed = removeDepartment(revoked, "dept_top");
    expect(graphToInput(removed).departments?.some((d) => d.id === "dept_top")).toBe(false);
  });

  it("an implicit department (named only in a membership) can be removed", () => {
    const graph = createGraph({
      organization_id: ORG,
      users: [{ id: "usr_u", department_ids: ["dept_implicit", "dept_kept"] }],
    });
    const removed = removeDepartment(graph, "dept_implicit");
    expect(graphToInput(removed).users?.find((u) => u.id === "usr_u")?.department_ids).toEqual(["dept_kept"]);
  });

  it("an unknown department is RESOURCE_NOT_FOUND with details {department_id}", () => {
    const error = expectCode(() => removeDepartment(createGraph(chain), "dept_ghost"), "RESOURCE_NOT_FOUND", 404);
    expect(error.details).toEqual({ department_id: "dept_ghost" });
  });
});

describe("setCompositeMembers", () => {
  it("replaces a composite's members", () => {
    const graph = setCompositeMembers(base(), "kslice_c", ["kslice_n"]);
    expect(entitiesOf(graph, "usr_b")).toStrictEqual([
      BASE_B[0],
      ksEntity("kslice_n", "read", [viaComposite("read", "kslice_c", "agrant_comp")]),
      BASE_B[2],
    ]);
  });

  it("turns a plain slice into a composite, and [] turns it back", () => {
    const composite = setCompositeMembers(base(), "kslice_x", ["kslice_q"]);
    expect(entitiesOf(composite, "usr_a")).toStrictEqual([
      ksEntity("kslice_q", "read", [viaComposite("read", "kslice_x", "agrant_direct")]),
      ...BASE_A,
    ]);
    const plain = setCompositeMembers(composite, "kslice_x", []);
    expect(entitiesOf(plain, "usr_a")).toStrictEqual(BASE_A);
    const emptied = setCompositeMembers(base(), "kslice_c", []);
    expect(entitiesOf(emptied, "usr_b")).toStrictEqual([BASE_B[0], BASE_B[2]]);
  });

  it("nesting composites flows access transitively", () => {
    const graph = setCompositeMembers(base(), "kslice_m", ["kslice_leaf"]);
    expect(entitiesOf(graph, "usr_b")).toStrictEqual([
      BASE_B[0],
      ksEntity("kslice_leaf", "read", [viaComposite("read", "kslice_c", "agrant_comp")]),
      BASE_B[1],
      BASE_B[2],
    ]);
  });

  it("setting the same members leaves every result unchanged", () => {
    const before = base();
    const after = setCompositeMembers(before, "kslice_c", ["kslice_m"]);
    expect(observe(after, USERS).access).toStrictEqual(observe(before, USERS).access);
  });

  it("a cycle or self-membership is INVALID_GRAPH with the cycle in details, and changes nothing", () => {
    const graph = base();
    expectInvalidGraph(() => setCompositeMembers(graph, "kslice_m", ["kslice_c"]), ["kslice_c", "kslice_m"]);
    expectInvalidGraph(() => setCompositeMembers(graph, "kslice_c", ["kslice_m", "kslice_c"]), ["kslice_c"]);
    const longer = setCompositeMembers(graph, "kslice_m", ["kslice_n"]);
    expectInvalidGraph(
      () => setCompositeMembers(longer, "kslice_n", ["kslice_c"]),
      ["kslice_c", "kslice_m", "kslice_n"],
    );
    expect(entitiesOf(graph, "usr_b")).toStrictEqual(BASE_B);
  });

  it("a DAG (shared member, no cycle) is accepted", () => {
    let graph = setCompositeMembers(base(), "kslice_c", ["kslice_m", "kslice_shared"]);
    graph = setCompositeMembers(graph, "kslice_m", ["kslice_shared"]);
    const shared = entitiesOf(graph, "usr_b").find((e) => e.entity_id === "kslice_shared");
    expect(shared).toStrictEqual(ksEntity("kslice_shared", "read", [viaComposite("read", "kslice_c", "agrant_comp")]));
  });
});

describe("setOwners and isOwner", () => {
  it("isOwner reflects the owners list", () => {
    const graph = base();
    expect(isOwner(graph, "usr_owner")).toBe(true);
    expect(isOwner(graph, "usr_a")).toBe(false);
    expect(isOwner(graph, "usr___proto__")).toBe(false);
    expect(isOwner(graph, "usr_constructor")).toBe(false);
  });

  it("setOwners replaces the owners; the old graph keeps its owners", () => {
    const before = base();
    const after = setOwners(before, ["usr_c", "usr_a"]);
    expect([isOwner(after, "usr_c"), isOwner(after, "usr_a"), isOwner(after, "usr_owner")]).toEqual([
      true,
      true,
      false,
    ]);
    expect([isOwner(before, "usr_c"), isOwner(before, "usr_owner")]).toEqual([false, true]);
    expect(setOwners(before, []) !== before && !isOwner(setOwners(before, []), "usr_owner")).toBe(true);
  });

  it("ownership does not change resolution", () => {
    const before = base();
    const after = setOwners(before, ["usr_c", "usr_a"]);
    expect(observe(after, USERS).access).toStrictEqual(observe(before, USERS).access);
  });
});

describe("getGrant", () => {
  it("returns the stored grant, frozen, or undefined", () => {
    const graph = base();
    const stored = getGrant(graph, "agrant_role");
    expect(stored).toMatchObject({
      id: "agrant_role",
      entity_type: "vector_store",
      entity_id: "vs_1",
      grantee_type: "role",
      grantee_id: "role_r",
      access_level: "admin",
      organization_id: ORG,
    });
    expectReadOnlyResult(graph, "agrant_role");
    expect(getGrant(graph, "agrant_missing")).toBeUndefined();
    expect(getGrant(graph, "agrant___proto__")).toBeUndefined();
    expect(getGrant(graph, "agrant_constructor")).toBeUndefined();
    expect(getGrant(graph, "agrant_toString")).toBeUndefined();
  });
});

describe("graphToInput", () => {
  function expectSameResults(a: Graph, b: Graph): void {
    const users = ["usr_a", "usr_b", "usr_c", "usr_owner", "usr_leaf", "usr_ghost"];
    for (const user of users) {
      for (const at of [AT, new Date("2029-12-31T23:59:59.999Z"), new Date("2030-01-01T00:00:00Z")]) {
        expect(resolveAccess(b, user, { at })).toStrictEqual(resolveAccess(a, user, { at }));
      }
      expect(isOwner(b, user)).toBe(isOwner(a, user));
    }
    for (const [type, id] of [
      ["knowledge_slice", "kslice_m"],
      ["knowledge_slice", "kslice_y"],
      ["vector_store", "vs_1"],
    ] as const) {
      expect(usersWithAccess(b, type, id, { at: AT })).toStrictEqual(usersWithAccess(a, type, id, { at: AT }));
    }
  }

  it("round-trips: createGraph(graphToInput(g)) resolves identically", () => {
    const graph = base();
    expectSameResults(graph, createGraph(graphToInput(graph)));
    for (const id of ["agrant_direct", "agrant_eng", "agrant_role", "agrant_comp", "agrant_sales"]) {
      expect(getGrant(createGraph(graphToInput(graph)), id)).toStrictEqual(getGrant(graph, id));
    }
  });

  it("round-trips after writes (auto ids, expiry, moves, memberships, composites, owners)", () => {
    let graph = base();
    graph = addGrant(graph, {
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "user",
      grantee_id: "usr_ghost",
      access_level: "read",
    });
    graph = expireGrant(graph, "agrant_eng", "2030-01-01T00:00:00Z");
    graph = moveDepartment(graph, "dept_fe", "dept_sales");
    graph = setUserDepartments(graph, "usr_leaf", ["dept_be"]);
    graph = setUserRoles(graph, "usr_c", ["role_r"]);
    graph = setCompositeMembers(graph, "kslice_m", ["kslice_deeper"]);
    graph = setOwners(graph, ["usr_c"]);
    const copy = createGraph(graphToInput(graph));
    expectSameResults(graph, copy);
    expect(resolveAccess(copy, "usr_ghost", { at: AT }).entities.map((e) => e.entity_id)).toEqual(["asst_1"]);
  });

  it("is plain JSON with the graph's organization", () => {
    const input = graphToInput(base());
    expect(input.organization_id).toBe(ORG);
    expect(JSON.parse(JSON.stringify(input))).toStrictEqual(input);
  });

  it("mutating its result (if possible) does not change the graph", () => {
    const graph = base();
    const input = graphToInput(graph) as unknown as { grants?: unknown[]; owners?: unknown[] };
    try {
      input.grants?.splice(0);
      input.owners?.splice(0);
    } catch {
      // a frozen result is fine
    }
    expect(entitiesOf(graph, "usr_a")).toStrictEqual(BASE_A);
    expect(isOwner(graph, "usr_owner")).toBe(true);
  });
});
