/**
 * docs/spec.md §1 and §5: createGraph validates the whole input and reports the FIRST problem
 * with the exact field path; resolveAccess / checkAccess / usersWithAccess validate arguments.
 */
import { describe, expect, it } from "vitest";
import {
  AccessError,
  type AccessLevel,
  checkAccess,
  createGraph,
  type EntityType,
  type GraphInput,
  getGrant,
  graphToInput,
  resolveAccess,
  usersWithAccess,
} from "../../src/index.js";
import {
  AT,
  bad,
  catchAccessError,
  direct,
  expectCode,
  expectInvalidGraph,
  expectValidationError,
  ks,
  ksEntity,
  makeGraph,
  ORG,
  viaDept,
} from "./fixtures.js";

/** createGraph on a value the types would not allow. */
function create(input: unknown) {
  return createGraph(bad<GraphInput>(input));
}

/** A valid grant object to spread and break. */
const G = {
  entity_type: "knowledge_slice",
  entity_id: "kslice_a",
  grantee_type: "user",
  grantee_id: "usr_a",
  access_level: "read",
} as const;

/** A graph input with `grants` where the index under test is 3 (three valid grants before it). */
function grantsAt3(broken: Record<string, unknown>): unknown {
  return {
    organization_id: ORG,
    grants: [
      { ...G, id: "agrant_0", entity_id: "kslice_0" },
      { ...G, id: "agrant_1", entity_id: "kslice_1" },
      { ...G, id: "agrant_2", entity_id: "kslice_2" },
      broken,
    ],
  };
}

describe("id formats (docs/spec.md §1)", () => {
  const TOKEN_128 = "a".repeat(128);
  const TOKEN_129 = "a".repeat(129);

  it("organization_id must be org_ + token", () => {
    expect(() => create({ organization_id: "org_x" })).not.toThrow();
    expect(() => create({ organization_id: `org_${TOKEN_128}` })).not.toThrow();
    for (const value of ["", "org_", "organization_1", "ORG_x", "usr_x", `org_${TOKEN_129}`, "org_a.b", " org_x"]) {
      expectValidationError(() => create({ organization_id: value }), "organization_id");
    }
  });

  it("users[i].id must be usr_ + token", () => {
    expect(() => create({ organization_id: ORG, users: [{ id: `usr_${TOKEN_128}` }] })).not.toThrow();
    for (const value of [
      "usr_",
      "user_a",
      "dept_a",
      `usr_${TOKEN_129}`,
      "usr_a b",
      "usr_a/b",
      "usr_é",
      "usr_a.b",
      "usr_a\n",
      "USR_a",
    ]) {
      expectValidationError(
        () => create({ organization_id: ORG, users: [{ id: "usr_ok" }, { id: value }] }),
        "users[1].id",
      );
    }
  });

  it("department, role, owner and composite ids carry their own prefixes", () => {
    expectValidationError(
      () => create({ organization_id: ORG, users: [{ id: "usr_a", department_ids: ["dept_a", "role_b"] }] }),
      "users[0].department_ids[1]",
    );
    expectValidationError(
      () => create({ organization_id: ORG, users: [{ id: "usr_a", role_ids: ["dept_a"] }] }),
      "users[0].role_ids[0]",
    );
    expectValidationError(
      () => create({ organization_id: ORG, departments: [{ id: "department_a" }] }),
      "departments[0].id",
    );
    expectValidationError(
      () =>
        create({
          organization_id: ORG,
          departments: [{ id: "dept_a" }, { id: "dept_b", parent_id: null }, { id: "dept_c", parent_id: "role_x" }],
        }),
      "departments[2].parent_id",
    );
    expectValidationError(
      () => create({ organization_id: ORG, roles: [{ id: "role_a" }, { id: "rol_b" }] }),
      "roles[1].id",
    );
    expectValidationError(() => create({ organization_id: ORG, owners: ["usr_a", "user_b"] }), "owners[1]");
    expectValidationError(
      () => create({ organization_id: ORG, composites: [{ id: "vs_a", member_slice_ids: [] }] }),
      "composites[0].id",
    );
    expectValidationError(
      () =>
        create({
          organization_id: ORG,
          composites: [{ id: "kslice_a", member_slice_ids: ["kslice_b", "kslice_c", "asst_d"] }],
        }),
      "composites[0].member_slice_ids[2]",
    );
  });

  it("token length: 1..128 accepted, 0 and 129 rejected, for every kind", () => {
    const ok = createGraph({
      organization_id: ORG,
      owners: [`usr_${TOKEN_128}`],
      users: [{ id: `usr_${TOKEN_128}`, department_ids: [`dept_${TOKEN_128}`], role_ids: [`role_${TOKEN_128}`] }],
      grants: [
        ks(`agrant_${TOKEN_128}`, `kslice_${TOKEN_128}`, "department", `dept_${TOKEN_128}`, "read"),
        {
          ...G,
          id: "agrant_x",
          entity_type: "vector_store",
          entity_id: `vs_${TOKEN_128}`,
          grantee_type: "role",
          grantee_id: `role_${TOKEN_128}`,
        },
        { ...G, id: "agrant_1", entity_type: "assistant", entity_id: "asst_1", grantee_id: "usr_1" },
      ],
    });
    expect(resolveAccess(ok, `usr_${TOKEN_128}`, { at: AT }).entities.map((e) => e.entity_id)).toEqual([
      `kslice_${TOKEN_128}`,
      `vs_${TOKEN_128}`,
    ]);
    expectValidationError(
      () => create({ organization_id: ORG, users: [{ id: "usr_a", department_ids: [`dept_${TOKEN_129}`] }] }),
      "users[0].department_ids[0]",
    );
    expectValidationError(
      () => create({ organization_id: ORG, users: [{ id: "usr_a", role_ids: ["role_"] }] }),
      "users[0].role_ids[0]",
    );
    expectValidationError(() => create(grantsAt3({ ...G, id: `agrant_${TOKEN_129}` })), "grants[3].id");
    expectValidationError(() => create(grantsAt3({ ...G, id: "agrant_" })), "grants[3].id");
    expectValidationError(() => create(grantsAt3({ ...G, entity_id: `kslice_${TOKEN_129}` })), "grants[3].entity_id");
    expectValidationError(() => create(grantsAt3({ ...G, entity_id: "kslice_" })), "grants[3].entity_id");
    expectValidationError(() => create(grantsAt3({ ...G, grantee_id: `usr_${TOKEN_129}` })), "grants[3].grantee_id");
  });

  it("token characters: [A-Za-z0-9_-] only", () => {
    const graph = makeGraph({ grants: [ks("agrant_A-z_0", "kslice_Az09-_", "user", "usr_-_-", "read")] });
    expect(resolveAccess(graph, "usr_-_-", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_Az09-_", "read", [direct("read", "agrant_A-z_0")]),
    ]);
    for (const value of [
      "kslice_a+b",
      "kslice_a:b",
      "kslice_a%20",
      "kslice_a'",
      "kslice_ä",
      "kslice_a\u0000",
      "kslice_a\t",
    ]) {
      expectValidationError(() => create(grantsAt3({ ...G, entity_id: value })), "grants[3].entity_id");
    }
  });

  it("ids like __proto__, constructor, toString after a valid prefix are accepted", () => {
    expect(() =>
      create({
        organization_id: "org___proto__",
        owners: ["usr_constructor"],
        users: [{ id: "usr___proto__", department_ids: ["dept_toString"], role_ids: ["role_valueOf"] }],
        departments: [{ id: "dept_toString", parent_id: "dept___proto__" }],
        roles: [{ id: "role_valueOf" }],
        composites: [{ id: "kslice_constructor", member_slice_ids: ["kslice___proto__"] }],
        grants: [{ ...G, id: "agrant_hasOwnProperty", entity_id: "kslice_constructor", grantee_id: "usr___proto__" }],
      }),
    ).not.toThrow();
  });
});

describe("grant fields", () => {
  it("entity_type must be one of the three types", () => {
    for (const value of ["file", "Knowledge_slice", "", "knowledge_slices", 1, null]) {
      expectValidationError(() => create(grantsAt3({ ...G, entity_type: value })), "grants[3].entity_type");
    }
  });

  it("every entity type accepts its own prefix and rejects the others", () => {
    const cases: ReadonlyArray<readonly [EntityType, string, readonly string[]]> = [
      ["knowledge_slice", "kslice_q", ["vs_q", "asst_q", "usr_q"]],
      ["vector_store", "vs_q", ["kslice_q", "asst_q"]],
      ["assistant", "asst_q", ["kslice_q", "vs_q"]],
    ];
    for (const [entity_type, good, bads] of cases) {
      expect(() => create(grantsAt3({ ...G, entity_type, entity_id: good }))).not.toThrow();
      for (const wrong of bads) {
        expectValidationError(() => create(grantsAt3({ ...G, entity_type, entity_id: wrong })), "grants[3].entity_id");
      }
    }
  });

  it("grantee_type must be user, department or role, and grantee_id must fit it", () => {
    for (const value of ["group", "users", "", 0]) {
      expectValidationError(() => create(grantsAt3({ ...G, grantee_type: value })), "grants[3].grantee_type");
    }
    const cases = [
      ["user", "usr_1", ["dept_1", "role_1"]],
      ["department", "dept_1", ["usr_1", "role_1"]],
      ["role", "role_1", ["usr_1", "dept_1"]],
    ] as const;
    for (const [grantee_type, good, bads] of cases) {
      expect(() => create(grantsAt3({ ...G, grantee_type, grantee_id: good }))).not.toThrow();
      for (const wrong of bads) {
        expectValidationError(
          () => create(grantsAt3({ ...G, grantee_type, grantee_id: wrong })),
          "grants[3].grantee_id",
        );
      }
    }
  });

  it("access_level must be read, write or admin", () => {
    for (const value of ["owner", "READ", "", 2, null]) {
      expectValidationError(() => create(grantsAt3({ ...G, access_level: value })), "grants[3].access_level");
    }
  });

  it("the worked example's error details name the field and list the allowed values", () => {
    const error = expectValidationError(
      () => create({ organization_id: ORG, grants: [{ ...G, entity_type: "file" }] }),
      "grants[0].entity_type",
    );
    expect(error.details.message).toEqual(expect.stringContaining("knowledge_slice"));
    expect(error.details.message).toEqual(expect.stringContaining("vector_store"));
    expect(error.details.message).toEqual(expect.stringContaining("assistant"));
  });

  it("a required field that is missing is named", () => {
    for (const field of ["entity_type", "entity_id", "grantee_type", "grantee_id", "access_level"] as const) {
      const rest = Object.fromEntries(Object.entries(G).filter(([key]) => key !== field));
      expectValidationError(() => create(grantsAt3(rest)), `grants[3].${field}`);
    }
  });

  it("a field of the wrong type is named", () => {
    expectValidationError(() => create(grantsAt3({ ...G, entity_id: 12 })), "grants[3].entity_id");
    expectValidationError(() => create(grantsAt3({ ...G, grantee_id: ["usr_a"] })), "grants[3].grantee_id");
    expectValidationError(() => create(grantsAt3({ ...G, id: 5 })), "grants[3].id");
    expectValidationError(() => create(grantsAt3({ ...G, expires_at: 1893456000000 })), "grants[3].expires_at");
  });

  it("granted_by, when given, must be a user id", () => {
    expect(() => create(grantsAt3({ ...G, granted_by: "usr_owner1" }))).not.toThrow();
    expect(() => create(grantsAt3({ ...G, granted_by: null }))).not.toThrow();
    expectValidationError(() => create(grantsAt3({ ...G, granted_by: "owner1" })), "grants[3].granted_by");
  });

  it("a grant item that is not an object is named by its index", () => {
    expectValidationError(() => create(grantsAt3(bad<Record<string, unknown>>("agrant_x"))), "grants[3]");
    expectValidationError(() => create(grantsAt3(bad<Record<string, unknown>>(null))), "grants[3]");
  });

  it("a grant of another organization is rejected on grants[i].organization_id", () => {
    expect(() => create(grantsAt3({ ...G, organization_id: ORG }))).not.toThrow();
    expectValidationError(() => create(grantsAt3({ ...G, organization_id: "org_other" })), "grants[3].organization_id");
    expectValidationError(
      () => create(grantsAt3({ ...G, organization_id: "organization" })),
      "grants[3].organization_id",
    );
  });

  it("unknown extra fields are ignored and not copied", () => {
    const graph = create({ organization_id: ORG, grants: [{ ...G, id: "agrant_x", color: "blue" }] });
    const stored = getGrant(graph, "agrant_x");
    expect(stored).toBeDefined();
    expect(stored !== undefined && "color" in stored).toBe(false);
  });
});

describe("timestamps", () => {
  const good = [
    "2025-06-15T10:00:00Z",
    "2025-06-15T10:00:00.123Z",
    "2025-06-15T10:00:00+02:00",
    "2025-06-15T10:00:00-05:30",
  ];
  const bads = [
    "2025-06-15T10:00:00",
    "2025-06-15T10:00:00.000",
    "2025-06-15 10:00:00",
    "2025-06-15",
    "June 15, 2025",
    "not a date",
    "",
    "2025-13-45T10:00:00Z",
  ];

  it("ISO-8601 with a time zone is accepted in every timestamp field", () => {
    for (const value of good) {
      for (const field of ["created_at", "updated_at", "expires_at"]) {
        expect(() => create(grantsAt3({ ...G, [field]: value })), `${field}=${value}`).not.toThrow();
      }
    }
  });

  it("timestamps without a time zone (or not timestamps at all) are rejected with the field", () => {
    for (const value of bads) {
      for (const field of ["created_at", "updated_at", "expires_at"]) {
        expectValidationError(() => create(grantsAt3({ ...G, [field]: value })), `grants[3].${field}`);
      }
    }
  });

  it("impossible calendar dates (Feb 30, Apr 31) are rejected, not rolled over", () => {
    for (const value of ["2025-02-30T00:00:00Z", "2025-04-31T12:00:00Z", "2025-02-29T00:00:00Z"]) {
      expectValidationError(() => create(grantsAt3({ ...G, expires_at: value })), "grants[3].expires_at");
    }
    // a real leap day is fine
    expect(() => create(grantsAt3({ ...G, expires_at: "2024-02-29T00:00:00Z" }))).not.toThrow();
  });

  it("null timestamps are allowed and mean none", () => {
    const graph = create({
      organization_id: ORG,
      grants: [{ ...G, id: "agrant_x", created_at: null, updated_at: null, expires_at: null }],
    });
    expect(getGrant(graph, "agrant_x")).toStrictEqual({
      id: "agrant_x",
      entity_type: "knowledge_slice",
      entity_id: "kslice_a",
      grantee_type: "user",
      grantee_id: "usr_a",
      access_level: "read",
      granted_by: null,
      organization_id: ORG,
      created_at: null,
      updated_at: null,
    });
  });
});

describe("structure: wrong types, missing fields, non-array lists", () => {
  it("the input itself must be an object with an organization_id", () => {
    for (const input of [null, undefined, "org_x", 42, []]) {
      expectCode(() => create(input), "VALIDATION_ERROR", 422);
    }
    expectValidationError(() => create({}), "organization_id");
    expectValidationError(() => create({ organization_id: 7 }), "organization_id");
    expectValidationError(() => create({ organization_id: null }), "organization_id");
  });

  it("lists must be arrays", () => {
    for (const list of ["owners", "users", "departments", "roles", "composites", "grants"]) {
      expectValidationError(() => create({ organization_id: ORG, [list]: {} }), list);
      expectValidationError(() => create({ organization_id: ORG, [list]: "x" }), list);
    }
    expectValidationError(
      () => create({ organization_id: ORG, users: [{ id: "usr_a", department_ids: "dept_a" }] }),
      "users[0].department_ids",
    );
    expectValidationError(
      () => create({ organization_id: ORG, users: [{ id: "usr_a", role_ids: { 0: "role_a" } }] }),
      "users[0].role_ids",
    );
    expectValidationError(
      () => create({ organization_id: ORG, composites: [{ id: "kslice_a", member_slice_ids: "kslice_b" }] }),
      "composites[0].member_slice_ids",
    );
  });

  it("required item fields must be present and strings", () => {
    expectValidationError(() => create({ organization_id: ORG, users: [{ department_ids: [] }] }), "users[0].id");
    expectValidationError(() => create({ organization_id: ORG, users: [{ id: 1 }] }), "users[0].id");
    expectValidationError(
      () => create({ organization_id: ORG, departments: [{ parent_id: null }] }),
      "departments[0].id",
    );
    expectValidationError(
      () => create({ organization_id: ORG, departments: [{ id: "dept_a", parent_id: 3 }] }),
      "departments[0].parent_id",
    );
    expectValidationError(() => create({ organization_id: ORG, roles: [{}] }), "roles[0].id");
    expectValidationError(
      () => create({ organization_id: ORG, composites: [{ id: "kslice_a" }] }),
      "composites[0].member_slice_ids",
    );
    expectValidationError(
      () => create({ organization_id: ORG, composites: [{ member_slice_ids: [] }] }),
      "composites[0].id",
    );
    expectValidationError(() => create({ organization_id: ORG, owners: [42] }), "owners[0]");
    expectValidationError(
      () => create({ organization_id: ORG, users: [{ id: "usr_a", department_ids: [null] }] }),
      "users[0].department_ids[0]",
    );
  });

  it("every list is optional", () => {
    const graph = create({ organization_id: ORG });
    expect(resolveAccess(graph, "usr_a", { at: AT })).toStrictEqual({ user_id: "usr_a", entities: [] });
  });
});

describe("duplicates", () => {
  it("duplicate ids are rejected on the later item's id", () => {
    expectValidationError(
      () => create({ organization_id: ORG, users: [{ id: "usr_a" }, { id: "usr_b" }, { id: "usr_a" }] }),
      "users[2].id",
    );
    expectValidationError(
      () => create({ organization_id: ORG, departments: [{ id: "dept_a" }, { id: "dept_a", parent_id: null }] }),
      "departments[1].id",
    );
    expectValidationError(
      () =>
        create({
          organization_id: ORG,
          composites: [
            { id: "kslice_a", member_slice_ids: ["kslice_b"] },
            { id: "kslice_a", member_slice_ids: ["kslice_c"] },
          ],
        }),
      "composites[1].id",
    );
    expectValidationError(
      () =>
        create({
          organization_id: ORG,
          grants: [
            { ...G, id: "agrant_1" },
            { ...G, id: "agrant_1", entity_id: "kslice_other" },
          ],
        }),
      "grants[1].id",
    );
  });

  it("a duplicate (entity, grantee) tuple is RESOURCE_ALREADY_EXISTS naming the first grant", () => {
    const error = expectCode(
      () =>
        create({
          organization_id: ORG,
          grants: [
            { ...G, id: "agrant_first" },
            { ...G, id: "agrant_other", entity_id: "kslice_b" },
            { ...G, id: "agrant_second", access_level: "admin" },
          ],
        }),
      "RESOURCE_ALREADY_EXISTS",
      409,
    );
    expect(error.details.grant_id).toBe("agrant_first");
  });

  it("the same entity id under different grantees or grantee types is not a duplicate", () => {
    const graph = create({
      organization_id: ORG,
      users: [{ id: "usr_a", department_ids: ["dept_a"] }],
      grants: [
        { ...G, id: "agrant_1" },
        { ...G, id: "agrant_2", grantee_type: "department", grantee_id: "dept_a", access_level: "write" },
        { ...G, id: "agrant_3", grantee_id: "usr_b" },
      ],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_a", "write", [direct("read", "agrant_1"), viaDept("write", "dept_a", "agrant_2")]),
    ]);
  });
});

describe("cycles", () => {
  it("a department that is its own parent is INVALID_GRAPH", () => {
    expectInvalidGraph(
      () => create({ organization_id: ORG, departments: [{ id: "dept_a", parent_id: "dept_a" }] }),
      ["dept_a"],
    );
  });

  it("a department cycle is INVALID_GRAPH", () => {
    expectInvalidGraph(
      () =>
        create({
          organization_id: ORG,
          departments: [
            { id: "dept_a", parent_id: "dept_b" },
            { id: "dept_b", parent_id: "dept_c" },
            { id: "dept_c", parent_id: "dept_a" },
            { id: "dept_d", parent_id: null },
          ],
        }),
      ["dept_a", "dept_b", "dept_c"],
    );
  });

  it("a composite that contains itself is INVALID_GRAPH with the cycle in details", () => {
    expectInvalidGraph(
      () => create({ organization_id: ORG, composites: [{ id: "kslice_a", member_slice_ids: ["kslice_a"] }] }),
      ["kslice_a"],
    );
  });

  it("a composite cycle is INVALID_GRAPH with the cycle in details", () => {
    const error = expectInvalidGraph(
      () =>
        create({
          organization_id: ORG,
          composites: [
            { id: "kslice_a", member_slice_ids: ["kslice_b"] },
            { id: "kslice_b", member_slice_ids: ["kslice_x", "kslice_c"] },
            { id: "kslice_c", member_slice_ids: ["kslice_a"] },
          ],
        }),
      ["kslice_a", "kslice_b", "kslice_c"],
    );
    expect(error.details.cycle).not.toContain("kslice_x");
  });

  it("a composite DAG (shared members) is accepted", () => {
    expect(() =>
      create({
        organization_id: ORG,
        composites: [
          { id: "kslice_a", member_slice_ids: ["kslice_b", "kslice_c"] },
          { id: "kslice_b", member_slice_ids: ["kslice_d"] },
          { id: "kslice_c", member_slice_ids: ["kslice_d"] },
        ],
      }),
    ).not.toThrow();
  });
});

describe("the FIRST problem is reported", () => {
  it("in section order: organization_id, owners, users, departments, roles, composites, grants", () => {
    const broken = {
      organization_id: "org_x",
      owners: ["bad_owner"],
      users: [{ id: "bad_user" }],
      departments: [{ id: "bad_dept" }],
      roles: [{ id: "bad_role" }],
      composites: [{ id: "bad_comp", member_slice_ids: [] }],
      grants: [{ ...G, entity_type: "bad" }],
    };
    expectValidationError(() => create({ ...broken, organization_id: "bad_org" }), "organization_id");
    expectValidationError(() => create(broken), "owners[0]");
    expectValidationError(() => create({ ...broken, owners: [] }), "users[0].id");
    expectValidationError(() => create({ ...broken, owners: [], users: [] }), "departments[0].id");
    expectValidationError(() => create({ ...broken, owners: [], users: [], departments: [] }), "roles[0].id");
    expectValidationError(
      () => create({ ...broken, owners: [], users: [], departments: [], roles: [] }),
      "composites[0].id",
    );
    expectValidationError(
      () => create({ ...broken, owners: [], users: [], departments: [], roles: [], composites: [] }),
      "grants[0].entity_type",
    );
  });

  it("in index order within a list", () => {
    expectValidationError(
      () =>
        create({
          organization_id: ORG,
          grants: [
            { ...G, id: "agrant_0", entity_id: "kslice_0" },
            { ...G, id: "agrant_1", entity_id: "kslice_1" },
            { ...G, id: "agrant_2", access_level: "owner" },
            { ...G, id: "agrant_3", entity_type: "file" },
            { ...G, id: "bad" },
          ],
        }),
      "grants[2].access_level",
    );
    expectValidationError(() => create({ organization_id: ORG, owners: ["usr_ok", "usr_", "nope"] }), "owners[1]");
    expectValidationError(
      () =>
        create({
          organization_id: ORG,
          users: [{ id: "usr_a", department_ids: ["dept_ok", "dept_", "x"], role_ids: ["y"] }],
        }),
      "users[0].department_ids[1]",
    );
  });

  it("a validation problem before a duplicate tuple wins", () => {
    expectValidationError(
      () =>
        create({
          organization_id: ORG,
          grants: [
            { ...G, id: "agrant_1" },
            { ...G, id: "agrant_2", grantee_id: "bad" },
            { ...G, id: "agrant_3" },
          ],
        }),
      "grants[1].grantee_id",
    );
  });

  it("problems are reported in input order, structure included", () => {
    // A duplicate tuple at grants[1] comes before a malformed grants[2].
    const duplicate = catchAccessError(() =>
      create({
        organization_id: ORG,
        grants: [
          { ...G, id: "agrant_1" },
          { ...G, id: "agrant_2" },
          { ...G, id: "agrant_3", grantee_id: "bad" },
        ],
      }),
    );
    expect(duplicate.code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(duplicate.details.field).toBe("grants[1]");
    // A department cycle comes before a malformed composite and a malformed grant.
    const cycle = expectInvalidGraph(
      () =>
        create({
          organization_id: ORG,
          departments: [
            { id: "dept_a", parent_id: "dept_b" },
            { id: "dept_b", parent_id: "dept_a" },
          ],
          composites: [{ id: "bad", member_slice_ids: [] }],
          grants: [{ ...G, entity_type: "file" }],
        }),
      ["dept_a", "dept_b"],
    );
    expect(cycle.details.field).toBe("departments[1].parent_id");
    expect(cycle.details.cycle).toEqual(["dept_b", "dept_a", "dept_b"]);
  });
});

describe("the input is copied", () => {
  it("mutating the input afterwards does not change the graph", () => {
    const departmentIds = ["dept_a"];
    const user = { id: "usr_a", department_ids: departmentIds, role_ids: [] as string[] };
    const departments = [{ id: "dept_a", parent_id: null as string | null }];
    const members = ["kslice_m"];
    const theGrant = { ...G, id: "agrant_1", entity_id: "kslice_c", access_level: "read" as AccessLevel };
    const grants = [
      theGrant,
      { ...G, id: "agrant_2", entity_id: "kslice_d", grantee_type: "department" as const, grantee_id: "dept_p" },
    ];
    const owners = ["usr_owner"];
    const input = {
      organization_id: ORG,
      owners,
      users: [user],
      departments,
      composites: [{ id: "kslice_c", member_slice_ids: members }],
      grants,
    };
    const graph = createGraph(input);
    const before = resolveAccess(graph, "usr_a", { at: AT });
    const inputBefore = JSON.stringify(graphToInput(graph));

    theGrant.access_level = "admin";
    departmentIds.push("dept_p");
    user.role_ids.push("role_r");
    departments[0] = { id: "dept_a", parent_id: "dept_p" };
    members.push("kslice_n");
    grants.push({ ...G, id: "agrant_3", entity_id: "kslice_e", grantee_type: "department", grantee_id: "dept_a" });
    owners.push("usr_a");

    expect(resolveAccess(graph, "usr_a", { at: AT })).toStrictEqual(before);
    expect(before.entities.map((e) => [e.entity_id, e.access_level])).toEqual([
      ["kslice_c", "read"],
      ["kslice_m", "read"],
    ]);
    expect(getGrant(graph, "agrant_1")?.access_level).toBe("read");
    expect(JSON.stringify(graphToInput(graph))).toBe(inputBefore);
  });
});

describe("AccessError", () => {
  it("is an Error with code, status, message, system_message and details", () => {
    const error = catchAccessError(() => create({ organization_id: "bad" }));
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(AccessError);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.status).toBe(422);
    expect(typeof error.message).toBe("string");
    expect(error.message.length).toBeGreaterThan(0);
    expect(typeof error.system_message).toBe("string");
    expect(error.system_message.length).toBeGreaterThan(0);
    expect(error.details).toEqual({ field: "organization_id", message: expect.any(String) });
  });

  it("INVALID_GRAPH details carry field, message and cycle", () => {
    const error = catchAccessError(() =>
      create({ organization_id: ORG, departments: [{ id: "dept_a", parent_id: "dept_a" }] }),
    );
    expect(error).toBeInstanceOf(AccessError);
    expect(error.code).toBe("INVALID_GRAPH");
    expect(error.status).toBe(422);
    expect(error.details).toEqual({
      field: expect.any(String),
      message: expect.any(String),
      cycle: expect.arrayContaining(["dept_a"]),
    });
  });
});

describe("argument validation of the read functions", () => {
  const graph = makeGraph({ grants: [ks("agrant_1", "kslice_a", "user", "usr_a", "read")] });

  it("resolveAccess: user_id, entity_type, at", () => {
    for (const user of ["user_a", "usr_", "", "usr_a b", `usr_${"a".repeat(129)}`, "dept_a"]) {
      expectValidationError(() => resolveAccess(graph, user), "user_id");
    }
    expectValidationError(() => resolveAccess(graph, bad<string>(42)), "user_id");
    expectValidationError(() => resolveAccess(graph, "usr_a", { entityType: bad<EntityType>("file") }), "entity_type");
    expectValidationError(() => resolveAccess(graph, "usr_a", { at: new Date(Number.NaN) }), "at");
    expectValidationError(() => resolveAccess(graph, "usr_a", { at: bad<Date>("2025-01-01T00:00:00Z") }), "at");
  });

  it("checkAccess: user_id, entity_type, entity_id, level, at", () => {
    expectValidationError(() => checkAccess(graph, "usr", "knowledge_slice", "kslice_a"), "user_id");
    expectValidationError(() => checkAccess(graph, "usr_a", bad<EntityType>("slice"), "kslice_a"), "entity_type");
    expectValidationError(() => checkAccess(graph, "usr_a", "knowledge_slice", "vs_a"), "entity_id");
    expectValidationError(() => checkAccess(graph, "usr_a", "vector_store", "kslice_a"), "entity_id");
    expectValidationError(() => checkAccess(graph, "usr_a", "assistant", "asst_"), "entity_id");
    expectValidationError(
      () => checkAccess(graph, "usr_a", "knowledge_slice", "kslice_a", { level: bad<AccessLevel>("owner") }),
      "level",
    );
    expectValidationError(
      () => checkAccess(graph, "usr_a", "knowledge_slice", "kslice_a", { at: new Date("nonsense") }),
      "at",
    );
  });

  it("usersWithAccess: entity_type, entity_id, at", () => {
    expectValidationError(() => usersWithAccess(graph, bad<EntityType>("user"), "kslice_a"), "entity_type");
    expectValidationError(() => usersWithAccess(graph, "knowledge_slice", "asst_a"), "entity_id");
    expectValidationError(
      () => usersWithAccess(graph, "knowledge_slice", "kslice_a", { at: new Date(Number.NaN) }),
      "at",
    );
  });

  it("something that is not a graph is rejected with an AccessError", () => {
    for (const notAGraph of [{}, null, { organization_id: ORG }]) {
      expectCode(() => resolveAccess(bad<typeof graph>(notAGraph), "usr_a"), "VALIDATION_ERROR", 422);
      expectCode(
        () => checkAccess(bad<typeof graph>(notAGraph), "usr_a", "knowledge_slice", "kslice_a"),
        "VALIDATION_ERROR",
        422,
      );
      expectCode(
        () => usersWithAccess(bad<typeof graph>(notAGraph), "knowledge_slice", "kslice_a"),
        "VALIDATION_ERROR",
        422,
      );
    }
  });

  it("valid arguments still work after the failures", () => {
    expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_a", { level: "read", at: AT }).allowed).toBe(true);
  });
});
