/**
 * docs/spec.md §2-§3: how grants reach users, the paths they yield, levels, expiry, filtering,
 * ordering, and the agreement of checkAccess / usersWithAccess with resolveAccess.
 */
import { describe, expect, it } from "vitest";
import { checkAccess, resolveAccess, usersWithAccess } from "../../src/index.js";
import { AT, direct, entity, grant, ks, ksEntity, makeGraph, viaComposite, viaDept, viaRole } from "./fixtures.js";

describe("the three ways a grant reaches a user", () => {
  it("a user grant gives a direct path to that user only", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a" }, { id: "usr_b" }],
      grants: [ks("agrant_1", "kslice_x", "user", "usr_a", "write")],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT })).toStrictEqual({
      user_id: "usr_a",
      entities: [ksEntity("kslice_x", "write", [direct("write", "agrant_1")])],
    });
    expect(resolveAccess(graph, "usr_b", { at: AT })).toStrictEqual({ user_id: "usr_b", entities: [] });
  });

  it("a department grant gives members a department path naming the department", () => {
    const graph = makeGraph({
      users: [
        { id: "usr_a", department_ids: ["dept_eng"] },
        { id: "usr_b", department_ids: ["dept_sales"] },
      ],
      grants: [grant("agrant_1", "vector_store", "vs_docs", "department", "dept_eng", "read")],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT })).toStrictEqual({
      user_id: "usr_a",
      entities: [entity("vector_store", "vs_docs", "read", [viaDept("read", "dept_eng", "agrant_1")])],
    });
    expect(resolveAccess(graph, "usr_b", { at: AT }).entities).toEqual([]);
  });

  it("a role grant gives holders a role path naming the role", () => {
    const graph = makeGraph({
      users: [
        { id: "usr_a", role_ids: ["role_ops"] },
        { id: "usr_b", role_ids: ["role_dev"] },
      ],
      grants: [grant("agrant_1", "assistant", "asst_bot", "role", "role_ops", "admin")],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT })).toStrictEqual({
      user_id: "usr_a",
      entities: [entity("assistant", "asst_bot", "admin", [viaRole("admin", "role_ops", "agrant_1")])],
    });
    expect(resolveAccess(graph, "usr_b", { at: AT }).entities).toEqual([]);
  });

  it("a user in several departments and roles gets one path per reaching grant", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a", department_ids: ["dept_x", "dept_y"], role_ids: ["role_p", "role_q"] }],
      grants: [
        ks("agrant_1", "kslice_s", "department", "dept_x", "read"),
        ks("agrant_2", "kslice_s", "department", "dept_y", "read"),
        ks("agrant_3", "kslice_s", "role", "role_p", "read"),
        ks("agrant_4", "kslice_s", "role", "role_q", "read"),
        ks("agrant_5", "kslice_s", "department", "dept_z", "admin"),
        ks("agrant_6", "kslice_s", "role", "role_r", "admin"),
      ],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_s", "read", [
        viaDept("read", "dept_x", "agrant_1"),
        viaDept("read", "dept_y", "agrant_2"),
        viaRole("read", "role_p", "agrant_3"),
        viaRole("read", "role_q", "agrant_4"),
      ]),
    ]);
  });
});

describe("nested departments", () => {
  const departments = [
    { id: "dept_root", parent_id: null },
    { id: "dept_eng", parent_id: "dept_root" },
    { id: "dept_backend", parent_id: "dept_eng" },
    { id: "dept_frontend", parent_id: "dept_eng" },
  ];

  it("a grant to an ancestor reaches members of every descendant, naming the grantee department", () => {
    const graph = makeGraph({
      users: [{ id: "usr_be", department_ids: ["dept_backend"] }],
      departments,
      grants: [
        ks("agrant_eng", "kslice_a", "department", "dept_eng", "write"),
        ks("agrant_root", "kslice_b", "department", "dept_root", "read"),
      ],
    });
    expect(resolveAccess(graph, "usr_be", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_a", "write", [viaDept("write", "dept_eng", "agrant_eng")]),
      ksEntity("kslice_b", "read", [viaDept("read", "dept_root", "agrant_root")]),
    ]);
  });

  it("membership does not flow downward: a grant to a sub-department does not reach parent members", () => {
    const graph = makeGraph({
      users: [
        { id: "usr_eng", department_ids: ["dept_eng"] },
        { id: "usr_fe", department_ids: ["dept_frontend"] },
      ],
      departments,
      grants: [ks("agrant_be", "kslice_a", "department", "dept_backend", "admin")],
    });
    expect(resolveAccess(graph, "usr_eng", { at: AT }).entities).toEqual([]);
    // nor sideways to a sibling
    expect(resolveAccess(graph, "usr_fe", { at: AT }).entities).toEqual([]);
  });

  it("a user in two sub-departments of a granted department gets ONE path", () => {
    const graph = makeGraph({
      users: [{ id: "usr_both", department_ids: ["dept_backend", "dept_frontend"] }],
      departments,
      grants: [ks("agrant_eng", "kslice_a", "department", "dept_eng", "write")],
    });
    expect(resolveAccess(graph, "usr_both", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_a", "write", [viaDept("write", "dept_eng", "agrant_eng")]),
    ]);
  });

  it("a user directly in a department and in one of its descendants gets ONE path", () => {
    const graph = makeGraph({
      users: [{ id: "usr_u", department_ids: ["dept_eng", "dept_backend"] }],
      departments,
      grants: [ks("agrant_root", "kslice_a", "department", "dept_root", "read")],
    });
    expect(resolveAccess(graph, "usr_u", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_a", "read", [viaDept("read", "dept_root", "agrant_root")]),
    ]);
  });

  it("grants to the department and to its ancestors each give their own path", () => {
    const graph = makeGraph({
      users: [{ id: "usr_be", department_ids: ["dept_backend"] }],
      departments,
      grants: [
        ks("agrant_1", "kslice_a", "department", "dept_backend", "read"),
        ks("agrant_2", "kslice_a", "department", "dept_eng", "read"),
        ks("agrant_3", "kslice_a", "department", "dept_root", "write"),
      ],
    });
    expect(resolveAccess(graph, "usr_be", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_a", "write", [
        viaDept("write", "dept_root", "agrant_3"),
        viaDept("read", "dept_backend", "agrant_1"),
        viaDept("read", "dept_eng", "agrant_2"),
      ]),
    ]);
  });

  it("parents may be declared after their children and may be implicit", () => {
    const graph = makeGraph({
      users: [{ id: "usr_leaf", department_ids: ["dept_leaf"] }],
      departments: [
        { id: "dept_leaf", parent_id: "dept_mid" },
        { id: "dept_mid", parent_id: "dept_top" },
      ],
      grants: [ks("agrant_top", "kslice_a", "department", "dept_top", "read")],
    });
    expect(resolveAccess(graph, "usr_leaf", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_a", "read", [viaDept("read", "dept_top", "agrant_top")]),
    ]);
  });
});

describe("composite slices", () => {
  it("access on a composite flows transitively to every contained slice, not to the composite as composite", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a" }],
      composites: [
        { id: "kslice_c", member_slice_ids: ["kslice_m1", "kslice_m2"] },
        { id: "kslice_m1", member_slice_ids: ["kslice_deep"] },
      ],
      grants: [ks("agrant_1", "kslice_c", "user", "usr_a", "write")],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_c", "write", [direct("write", "agrant_1")]),
      ksEntity("kslice_deep", "write", [viaComposite("write", "kslice_c", "agrant_1")]),
      ksEntity("kslice_m1", "write", [viaComposite("write", "kslice_c", "agrant_1")]),
      ksEntity("kslice_m2", "write", [viaComposite("write", "kslice_c", "agrant_1")]),
    ]);
  });

  it("composite_id is the granted composite, not the immediate container", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a" }],
      composites: [
        { id: "kslice_outer", member_slice_ids: ["kslice_inner"] },
        { id: "kslice_inner", member_slice_ids: ["kslice_leaf"] },
      ],
      grants: [
        ks("agrant_outer", "kslice_outer", "user", "usr_a", "read"),
        ks("agrant_inner", "kslice_inner", "user", "usr_a", "admin"),
      ],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_inner", "admin", [
        direct("admin", "agrant_inner"),
        viaComposite("read", "kslice_outer", "agrant_outer"),
      ]),
      ksEntity("kslice_leaf", "admin", [
        viaComposite("admin", "kslice_inner", "agrant_inner"),
        viaComposite("read", "kslice_outer", "agrant_outer"),
      ]),
      ksEntity("kslice_outer", "read", [direct("read", "agrant_outer")]),
    ]);
  });

  it("copies department_id from a department grant on the composite (the grantee department, even via a sub-department)", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a", department_ids: ["dept_child"] }],
      departments: [{ id: "dept_child", parent_id: "dept_parent" }],
      composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
      grants: [ks("agrant_d", "kslice_c", "department", "dept_parent", "write")],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_c", "write", [viaDept("write", "dept_parent", "agrant_d")]),
      ksEntity("kslice_m", "write", [viaComposite("write", "kslice_c", "agrant_d", { department_id: "dept_parent" })]),
    ]);
  });

  it("copies role_id from a role grant on the composite", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a", role_ids: ["role_r"] }],
      composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
      grants: [ks("agrant_r", "kslice_c", "role", "role_r", "admin")],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_c", "admin", [viaRole("admin", "role_r", "agrant_r")]),
      ksEntity("kslice_m", "admin", [viaComposite("admin", "kslice_c", "agrant_r", { role_id: "role_r" })]),
    ]);
  });

  it("a slice reached from the composite by two chains gets one composite path per grant", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a", department_ids: ["dept_x", "dept_y"] }],
      departments: [
        { id: "dept_x", parent_id: "dept_p" },
        { id: "dept_y", parent_id: "dept_p" },
      ],
      composites: [
        { id: "kslice_c", member_slice_ids: ["kslice_l", "kslice_r", "kslice_shared"] },
        { id: "kslice_l", member_slice_ids: ["kslice_shared"] },
        { id: "kslice_r", member_slice_ids: ["kslice_shared"] },
      ],
      grants: [
        ks("agrant_1", "kslice_c", "user", "usr_a", "read"),
        ks("agrant_2", "kslice_c", "department", "dept_p", "write"),
      ],
    });
    const shared = resolveAccess(graph, "usr_a", { at: AT }).entities.find((e) => e.entity_id === "kslice_shared");
    expect(shared).toStrictEqual(
      ksEntity("kslice_shared", "write", [
        viaComposite("write", "kslice_c", "agrant_2", { department_id: "dept_p" }),
        viaComposite("read", "kslice_c", "agrant_1"),
      ]),
    );
  });

  it("a slice with a direct grant and a composite grant gets both paths; level is their max", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a" }],
      composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
      grants: [
        ks("agrant_c", "kslice_c", "user", "usr_a", "admin"),
        ks("agrant_m", "kslice_m", "user", "usr_a", "read"),
      ],
    });
    expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_m", { at: AT })).toStrictEqual({
      allowed: true,
      access_level: "admin",
      grant_paths: [direct("read", "agrant_m"), viaComposite("admin", "kslice_c", "agrant_c")],
    });
  });

  it("a grant on a member does not flow up to its composite", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a" }],
      composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
      grants: [ks("agrant_m", "kslice_m", "user", "usr_a", "read")],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_m", "read", [direct("read", "agrant_m")]),
    ]);
  });

  it("a composite with no members gives only its own path", () => {
    const graph = makeGraph({
      composites: [{ id: "kslice_empty", member_slice_ids: [] }],
      grants: [ks("agrant_1", "kslice_empty", "user", "usr_a", "read")],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_empty", "read", [direct("read", "agrant_1")]),
    ]);
  });
});

describe("long chains", () => {
  it("a grant to the root of a 60-deep department chain reaches the deepest member", () => {
    const depth = 60;
    const departments = Array.from({ length: depth }, (_, i) => ({
      id: `dept_${i}`,
      parent_id: i === 0 ? null : `dept_${i - 1}`,
    }));
    const graph = makeGraph({
      users: [{ id: "usr_deep", department_ids: [`dept_${depth - 1}`] }],
      departments,
      grants: [ks("agrant_root", "kslice_x", "department", "dept_0", "write")],
    });
    expect(resolveAccess(graph, "usr_deep", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_x", "write", [viaDept("write", "dept_0", "agrant_root")]),
    ]);
    expect(usersWithAccess(graph, "knowledge_slice", "kslice_x", { at: AT }).users.map((u) => u.user_id)).toEqual([
      "usr_deep",
    ]);
  });

  it("a grant on the top of a 60-deep composite chain reaches every slice below it", () => {
    const depth = 60;
    const pad = (i: number) => String(i).padStart(3, "0");
    const composites = Array.from({ length: depth }, (_, i) => ({
      id: `kslice_${pad(i)}`,
      member_slice_ids: [`kslice_${pad(i + 1)}`],
    }));
    const graph = makeGraph({ composites, grants: [ks("agrant_top", "kslice_000", "user", "usr_u", "read")] });
    const entities = resolveAccess(graph, "usr_u", { at: AT }).entities;
    expect(entities).toHaveLength(depth + 1);
    expect(entities[0]).toStrictEqual(ksEntity("kslice_000", "read", [direct("read", "agrant_top")]));
    expect(entities[depth]).toStrictEqual(
      ksEntity(`kslice_${pad(depth)}`, "read", [viaComposite("read", "kslice_000", "agrant_top")]),
    );
    expect(usersWithAccess(graph, "knowledge_slice", `kslice_${pad(depth)}`, { at: AT }).users).toStrictEqual([
      { user_id: "usr_u", access_level: "read", grant_paths: [viaComposite("read", "kslice_000", "agrant_top")] },
    ]);
  });
});

describe("access level", () => {
  it("is the maximum of the paths' levels", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a", department_ids: ["dept_d"], role_ids: ["role_r"] }],
      grants: [
        ks("agrant_1", "kslice_x", "user", "usr_a", "read"),
        ks("agrant_2", "kslice_x", "department", "dept_d", "admin"),
        ks("agrant_3", "kslice_x", "role", "role_r", "write"),
        ks("agrant_4", "kslice_y", "user", "usr_a", "write"),
        ks("agrant_5", "kslice_y", "role", "role_r", "read"),
      ],
    });
    const result = resolveAccess(graph, "usr_a", { at: AT });
    expect(result.entities.map((e) => [e.entity_id, e.access_level])).toEqual([
      ["kslice_x", "admin"],
      ["kslice_y", "write"],
    ]);
  });

  it("levels of different entities do not mix", () => {
    const graph = makeGraph({
      grants: [
        ks("agrant_1", "kslice_x", "user", "usr_a", "admin"),
        grant("agrant_2", "vector_store", "vs_x", "user", "usr_a", "read"),
      ],
    });
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toStrictEqual([
      ksEntity("kslice_x", "admin", [direct("admin", "agrant_1")]),
      entity("vector_store", "vs_x", "read", [direct("read", "agrant_2")]),
    ]);
  });
});

describe("expiry", () => {
  const EXPIRES = "2030-01-01T00:00:00Z";
  const graph = makeGraph({
    users: [{ id: "usr_a" }],
    grants: [ks("agrant_1", "kslice_x", "user", "usr_a", "write", { expires_at: EXPIRES })],
  });
  const withPath = [ksEntity("kslice_x", "write", [direct("write", "agrant_1")])];

  it("a grant is active one millisecond before expires_at", () => {
    expect(resolveAccess(graph, "usr_a", { at: new Date(Date.parse(EXPIRES) - 1) }).entities).toStrictEqual(withPath);
  });

  it("a grant is inactive exactly at expires_at", () => {
    expect(resolveAccess(graph, "usr_a", { at: new Date(EXPIRES) }).entities).toEqual([]);
  });

  it("a grant is inactive after expires_at", () => {
    expect(resolveAccess(graph, "usr_a", { at: new Date(Date.parse(EXPIRES) + 1) }).entities).toEqual([]);
    expect(resolveAccess(graph, "usr_a", { at: new Date("2031-06-01T00:00:00Z") }).entities).toEqual([]);
  });

  it("expires_at with a numeric offset denotes the same instant", () => {
    const offset = makeGraph({
      grants: [ks("agrant_1", "kslice_x", "user", "usr_a", "read", { expires_at: "2030-01-01T02:00:00+02:00" })],
    });
    expect(resolveAccess(offset, "usr_a", { at: new Date("2029-12-31T23:59:59.999Z") }).entities).toHaveLength(1);
    expect(resolveAccess(offset, "usr_a", { at: new Date("2030-01-01T00:00:00.000Z") }).entities).toEqual([]);
  });

  it("`at` defaults to now: a grant expired in the past is inactive, one expiring in the far future active", () => {
    const mixed = makeGraph({
      grants: [
        ks("agrant_past", "kslice_past", "user", "usr_a", "admin", { expires_at: "2001-01-01T00:00:00Z" }),
        ks("agrant_future", "kslice_future", "user", "usr_a", "read", { expires_at: "2999-01-01T00:00:00Z" }),
        ks("agrant_never", "kslice_never", "user", "usr_a", "read", { expires_at: null }),
      ],
    });
    expect(resolveAccess(mixed, "usr_a").entities).toStrictEqual([
      ksEntity("kslice_future", "read", [direct("read", "agrant_future")]),
      ksEntity("kslice_never", "read", [direct("read", "agrant_never")]),
    ]);
    expect(checkAccess(mixed, "usr_a", "knowledge_slice", "kslice_past").allowed).toBe(false);
    expect(usersWithAccess(mixed, "knowledge_slice", "kslice_past").users).toEqual([]);
  });

  it("an expired grant on a composite no longer flows to its members; other paths remain", () => {
    const composite = makeGraph({
      users: [{ id: "usr_a", role_ids: ["role_r"] }],
      composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
      grants: [
        ks("agrant_c", "kslice_c", "role", "role_r", "admin", { expires_at: EXPIRES }),
        ks("agrant_m", "kslice_m", "user", "usr_a", "read"),
      ],
    });
    expect(resolveAccess(composite, "usr_a", { at: new Date(EXPIRES) }).entities).toStrictEqual([
      ksEntity("kslice_m", "read", [direct("read", "agrant_m")]),
    ]);
    expect(resolveAccess(composite, "usr_a", { at: new Date("2029-01-01T00:00:00Z") }).entities).toStrictEqual([
      ksEntity("kslice_c", "admin", [viaRole("admin", "role_r", "agrant_c")]),
      ksEntity("kslice_m", "admin", [
        direct("read", "agrant_m"),
        viaComposite("admin", "kslice_c", "agrant_c", { role_id: "role_r" }),
      ]),
    ]);
  });
});

describe("the entityType filter", () => {
  const graph = makeGraph({
    users: [{ id: "usr_a", role_ids: ["role_r"] }],
    composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
    grants: [
      grant("agrant_1", "assistant", "asst_1", "user", "usr_a", "read"),
      grant("agrant_2", "vector_store", "vs_1", "role", "role_r", "write"),
      ks("agrant_3", "kslice_c", "user", "usr_a", "admin"),
    ],
  });

  it("without a filter every type is returned, sorted by type", () => {
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities.map((e) => `${e.entity_type}:${e.entity_id}`)).toEqual([
      "assistant:asst_1",
      "knowledge_slice:kslice_c",
      "knowledge_slice:kslice_m",
      "vector_store:vs_1",
    ]);
  });

  it("knowledge_slice keeps slices reached only through a composite path", () => {
    expect(resolveAccess(graph, "usr_a", { entityType: "knowledge_slice", at: AT })).toStrictEqual({
      user_id: "usr_a",
      entities: [
        ksEntity("kslice_c", "admin", [direct("admin", "agrant_3")]),
        ksEntity("kslice_m", "admin", [viaComposite("admin", "kslice_c", "agrant_3")]),
      ],
    });
  });

  it("other types are filtered out", () => {
    expect(resolveAccess(graph, "usr_a", { entityType: "vector_store", at: AT })).toStrictEqual({
      user_id: "usr_a",
      entities: [entity("vector_store", "vs_1", "write", [viaRole("write", "role_r", "agrant_2")])],
    });
    expect(resolveAccess(graph, "usr_a", { entityType: "assistant", at: AT })).toStrictEqual({
      user_id: "usr_a",
      entities: [entity("assistant", "asst_1", "read", [direct("read", "agrant_1")])],
    });
  });

  it("a type the user has nothing of gives an empty list", () => {
    const onlySlices = makeGraph({ grants: [ks("agrant_1", "kslice_x", "user", "usr_a", "read")] });
    expect(resolveAccess(onlySlices, "usr_a", { entityType: "assistant", at: AT })).toStrictEqual({
      user_id: "usr_a",
      entities: [],
    });
  });

  it("an explicit undefined filter means no filter", () => {
    expect(resolveAccess(graph, "usr_a", { entityType: undefined, at: AT }).entities).toHaveLength(4);
  });
});

describe("users the graph does not list, and users nothing reaches", () => {
  const graph = makeGraph({
    users: [{ id: "usr_listed", department_ids: ["dept_d"], role_ids: ["role_r"] }],
    grants: [
      ks("agrant_dept", "kslice_x", "department", "dept_d", "admin"),
      ks("agrant_role", "kslice_x", "role", "role_r", "admin"),
      ks("agrant_ghost", "kslice_x", "user", "usr_ghost", "read"),
    ],
  });

  it("an unlisted user gets their direct grants only", () => {
    expect(resolveAccess(graph, "usr_ghost", { at: AT })).toStrictEqual({
      user_id: "usr_ghost",
      entities: [ksEntity("kslice_x", "read", [direct("read", "agrant_ghost")])],
    });
  });

  it("an unlisted user with no direct grant resolves to no entities", () => {
    expect(resolveAccess(graph, "usr_nobody", { at: AT })).toStrictEqual({ user_id: "usr_nobody", entities: [] });
  });

  it("a listed user with memberships but no reaching grant resolves to {user_id, entities: []}", () => {
    const quiet = makeGraph({
      users: [{ id: "usr_q", department_ids: ["dept_q"], role_ids: ["role_q"] }],
      grants: [ks("agrant_1", "kslice_x", "department", "dept_other", "read")],
    });
    const result = resolveAccess(quiet, "usr_q", { at: AT });
    expect(result).toStrictEqual({ user_id: "usr_q", entities: [] });
    expect(JSON.stringify(result)).toBe('{"user_id":"usr_q","entities":[]}');
  });

  it("an empty graph resolves every user to no entities", () => {
    expect(resolveAccess(makeGraph(), "usr_a", { at: AT })).toStrictEqual({ user_id: "usr_a", entities: [] });
  });
});

describe("deterministic order", () => {
  it("entities are sorted by type then id in code-unit order (not locale order)", () => {
    const graph = makeGraph({
      grants: [
        grant("agrant_01", "vector_store", "vs_a", "user", "usr_u", "read"),
        ks("agrant_02", "kslice_b", "user", "usr_u", "read"),
        ks("agrant_03", "kslice_a", "user", "usr_u", "read"),
        ks("agrant_04", "kslice_B", "user", "usr_u", "read"),
        ks("agrant_05", "kslice_9", "user", "usr_u", "read"),
        ks("agrant_06", "kslice_10", "user", "usr_u", "read"),
        ks("agrant_07", "kslice__", "user", "usr_u", "read"),
        ks("agrant_08", "kslice_-", "user", "usr_u", "read"),
        ks("agrant_09", "kslice_aa", "user", "usr_u", "read"),
        grant("agrant_10", "assistant", "asst_z", "user", "usr_u", "read"),
        grant("agrant_11", "assistant", "asst_Z", "user", "usr_u", "read"),
      ],
    });
    expect(resolveAccess(graph, "usr_u", { at: AT }).entities.map((e) => e.entity_id)).toEqual([
      "asst_Z",
      "asst_z",
      "kslice_-",
      "kslice_10",
      "kslice_9",
      "kslice_B",
      "kslice__",
      "kslice_a",
      "kslice_aa",
      "kslice_b",
      "vs_a",
    ]);
  });

  it("paths are sorted by type, then level (highest first), then department_id, role_id, composite_id (null first, code-unit order)", () => {
    const graph = makeGraph({
      users: [{ id: "usr_u", department_ids: ["dept_a", "dept_B", "dept_c"], role_ids: ["role_x", "role_Y"] }],
      composites: [
        { id: "kslice_c1", member_slice_ids: ["kslice_t"] },
        { id: "kslice_C2", member_slice_ids: ["kslice_t"] },
      ],
      grants: [
        // composite paths
        ks("agrant_g1", "kslice_c1", "user", "usr_u", "read"),
        ks("agrant_g2", "kslice_c1", "department", "dept_a", "read"),
        ks("agrant_g3", "kslice_C2", "role", "role_x", "read"),
        ks("agrant_g4", "kslice_C2", "user", "usr_u", "write"),
        ks("agrant_g5", "kslice_C2", "department", "dept_a", "read"),
        // role paths
        ks("agrant_r1", "kslice_t", "role", "role_x", "read"),
        ks("agrant_r2", "kslice_t", "role", "role_Y", "read"),
        // department paths
        ks("agrant_d1", "kslice_t", "department", "dept_a", "read"),
        ks("agrant_d2", "kslice_t", "department", "dept_B", "read"),
        ks("agrant_d3", "kslice_t", "department", "dept_c", "admin"),
        // direct path
        ks("agrant_u1", "kslice_t", "user", "usr_u", "read"),
      ],
    });
    const t = checkAccess(graph, "usr_u", "knowledge_slice", "kslice_t", { at: AT });
    expect(t.access_level).toBe("admin");
    expect(t.grant_paths).toStrictEqual([
      direct("read", "agrant_u1"),
      viaDept("admin", "dept_c", "agrant_d3"),
      viaDept("read", "dept_B", "agrant_d2"),
      viaDept("read", "dept_a", "agrant_d1"),
      viaRole("read", "role_Y", "agrant_r2"),
      viaRole("read", "role_x", "agrant_r1"),
      viaComposite("write", "kslice_C2", "agrant_g4"),
      viaComposite("read", "kslice_c1", "agrant_g1"),
      viaComposite("read", "kslice_C2", "agrant_g3", { role_id: "role_x" }),
      viaComposite("read", "kslice_C2", "agrant_g5", { department_id: "dept_a" }),
      viaComposite("read", "kslice_c1", "agrant_g2", { department_id: "dept_a" }),
    ]);
  });

  it("the order does not depend on insertion order", () => {
    const grants = [
      ks("agrant_1", "kslice_b", "user", "usr_u", "read"),
      ks("agrant_2", "kslice_a", "department", "dept_y", "read"),
      ks("agrant_3", "kslice_a", "department", "dept_x", "read"),
      ks("agrant_4", "kslice_a", "role", "role_r", "admin"),
    ];
    const users = [{ id: "usr_u", department_ids: ["dept_y", "dept_x"], role_ids: ["role_r"] }];
    const forward = makeGraph({ users, grants });
    const backward = makeGraph({ users, grants: [...grants].reverse() });
    const expected = [
      ksEntity("kslice_a", "admin", [
        viaDept("read", "dept_x", "agrant_3"),
        viaDept("read", "dept_y", "agrant_2"),
        viaRole("admin", "role_r", "agrant_4"),
      ]),
      ksEntity("kslice_b", "read", [direct("read", "agrant_1")]),
    ];
    expect(resolveAccess(forward, "usr_u", { at: AT }).entities).toStrictEqual(expected);
    expect(resolveAccess(backward, "usr_u", { at: AT }).entities).toStrictEqual(expected);
  });
});

describe("ids that look like Object.prototype members are ordinary ids", () => {
  const graph = makeGraph({
    users: [{ id: "usr___proto__", department_ids: ["dept_toString"], role_ids: ["role_hasOwnProperty"] }],
    departments: [{ id: "dept_toString", parent_id: "dept_constructor" }],
    composites: [{ id: "kslice___proto__", member_slice_ids: ["kslice_constructor"] }],
    grants: [
      ks("agrant___proto__", "kslice___proto__", "user", "usr___proto__", "read"),
      ks("agrant_constructor", "kslice_constructor", "department", "dept_constructor", "write"),
      ks("agrant_toString", "kslice_valueOf", "role", "role_hasOwnProperty", "admin"),
    ],
  });

  it("resolve normally", () => {
    expect(resolveAccess(graph, "usr___proto__", { at: AT })).toStrictEqual({
      user_id: "usr___proto__",
      entities: [
        ksEntity("kslice___proto__", "read", [direct("read", "agrant___proto__")]),
        ksEntity("kslice_constructor", "write", [
          viaDept("write", "dept_constructor", "agrant_constructor"),
          viaComposite("read", "kslice___proto__", "agrant___proto__"),
        ]),
        ksEntity("kslice_valueOf", "admin", [viaRole("admin", "role_hasOwnProperty", "agrant_toString")]),
      ],
    });
  });

  it("unlisted users named like prototype members reach nothing", () => {
    for (const user of ["usr_constructor", "usr_toString", "usr_hasOwnProperty", "usr_valueOf", "usr_prototype"]) {
      expect(resolveAccess(graph, user, { at: AT })).toStrictEqual({ user_id: user, entities: [] });
    }
  });

  it("checkAccess and usersWithAccess work with such ids", () => {
    expect(checkAccess(graph, "usr___proto__", "knowledge_slice", "kslice_constructor", { at: AT }).access_level).toBe(
      "write",
    );
    expect(checkAccess(graph, "usr___proto__", "knowledge_slice", "kslice_toString", { at: AT })).toStrictEqual({
      allowed: false,
      access_level: null,
      grant_paths: [],
    });
    expect(
      usersWithAccess(graph, "knowledge_slice", "kslice_constructor", { at: AT }).users.map((u) => u.user_id),
    ).toEqual(["usr___proto__"]);
    expect(usersWithAccess(graph, "knowledge_slice", "kslice_hasOwnProperty", { at: AT }).users).toEqual([]);
  });

  it("do not pollute Object.prototype", () => {
    const probe: Record<string, unknown> = {};
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(probe.read).toBeUndefined();
    expect(probe.kslice_constructor).toBeUndefined();
  });
});

describe("checkAccess", () => {
  const graph = makeGraph({
    users: [{ id: "usr_a", department_ids: ["dept_d"] }],
    composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
    grants: [
      ks("agrant_1", "kslice_x", "user", "usr_a", "read"),
      ks("agrant_2", "kslice_x", "department", "dept_d", "write"),
      ks("agrant_3", "kslice_c", "department", "dept_d", "admin"),
    ],
  });
  const xPaths = [direct("read", "agrant_1"), viaDept("write", "dept_d", "agrant_2")];

  it("without a level: allowed when some path exists", () => {
    expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_x", { at: AT })).toStrictEqual({
      allowed: true,
      access_level: "write",
      grant_paths: xPaths,
    });
  });

  it("with a level at or below the effective level: allowed", () => {
    for (const level of ["read", "write"] as const) {
      expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_x", { level, at: AT })).toStrictEqual({
        allowed: true,
        access_level: "write",
        grant_paths: xPaths,
      });
    }
  });

  it("with a level above the effective level: not allowed, but the level and paths are still reported", () => {
    expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_x", { level: "admin", at: AT })).toStrictEqual({
      allowed: false,
      access_level: "write",
      grant_paths: xPaths,
    });
  });

  it("without any path: not allowed, access_level null, no paths", () => {
    const none = { allowed: false, access_level: null, grant_paths: [] };
    expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_nothing", { at: AT })).toStrictEqual(none);
    expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_nothing", { level: "read", at: AT })).toStrictEqual(
      none,
    );
    expect(checkAccess(graph, "usr_zzz", "knowledge_slice", "kslice_x", { at: AT })).toStrictEqual(none);
    // same id string, different entity type: no access
    expect(checkAccess(graph, "usr_a", "vector_store", "vs_x", { at: AT })).toStrictEqual(none);
  });

  it("a composite path counts", () => {
    expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_m", { level: "admin", at: AT })).toStrictEqual({
      allowed: true,
      access_level: "admin",
      grant_paths: [viaComposite("admin", "kslice_c", "agrant_3", { department_id: "dept_d" })],
    });
  });

  it("respects `at`", () => {
    const expiring = makeGraph({
      grants: [ks("agrant_1", "kslice_x", "user", "usr_a", "admin", { expires_at: "2030-01-01T00:00:00Z" })],
    });
    expect(
      checkAccess(expiring, "usr_a", "knowledge_slice", "kslice_x", { at: new Date("2029-12-31T23:59:59.999Z") })
        .allowed,
    ).toBe(true);
    expect(
      checkAccess(expiring, "usr_a", "knowledge_slice", "kslice_x", { at: new Date("2030-01-01T00:00:00Z") }),
    ).toStrictEqual({ allowed: false, access_level: null, grant_paths: [] });
  });

  it("works without options", () => {
    expect(checkAccess(graph, "usr_a", "knowledge_slice", "kslice_x").allowed).toBe(true);
  });
});

describe("usersWithAccess", () => {
  const graph = makeGraph({
    users: [
      { id: "usr_b", department_ids: ["dept_child"] },
      { id: "usr_c", role_ids: ["role_r"] },
      { id: "usr_d" },
      { id: "usr_A", department_ids: ["dept_parent"], role_ids: ["role_r"] },
      { id: "usr_none", department_ids: ["dept_other"], role_ids: ["role_other"] },
    ],
    departments: [{ id: "dept_child", parent_id: "dept_parent" }],
    composites: [
      { id: "kslice_top", member_slice_ids: ["kslice_mid"] },
      { id: "kslice_mid", member_slice_ids: ["kslice_t"] },
    ],
    grants: [
      ks("agrant_ghost", "kslice_t", "user", "usr_ghost", "read"),
      ks("agrant_dept", "kslice_t", "department", "dept_parent", "write"),
      ks("agrant_role", "kslice_t", "role", "role_r", "read"),
      ks("agrant_top", "kslice_top", "user", "usr_d", "admin"),
      ks("agrant_mid", "kslice_mid", "role", "role_r", "write"),
      ks("agrant_exp", "kslice_t", "user", "usr_e", "admin", { expires_at: "2026-01-01T00:00:00Z" }),
      ks("agrant_other", "kslice_other", "user", "usr_none", "admin"),
    ],
  });

  const expected = {
    entity_type: "knowledge_slice",
    entity_id: "kslice_t",
    users: [
      {
        user_id: "usr_A",
        access_level: "write",
        grant_paths: [
          viaDept("write", "dept_parent", "agrant_dept"),
          viaRole("read", "role_r", "agrant_role"),
          viaComposite("write", "kslice_mid", "agrant_mid", { role_id: "role_r" }),
        ],
      },
      { user_id: "usr_b", access_level: "write", grant_paths: [viaDept("write", "dept_parent", "agrant_dept")] },
      {
        user_id: "usr_c",
        access_level: "write",
        grant_paths: [
          viaRole("read", "role_r", "agrant_role"),
          viaComposite("write", "kslice_mid", "agrant_mid", { role_id: "role_r" }),
        ],
      },
      { user_id: "usr_d", access_level: "admin", grant_paths: [viaComposite("admin", "kslice_top", "agrant_top")] },
      { user_id: "usr_ghost", access_level: "read", grant_paths: [direct("read", "agrant_ghost")] },
    ],
  };

  it("lists every reached user (members of descendants, role holders, composite ancestors' grantees, unlisted direct grantees), sorted by user_id", () => {
    const result = usersWithAccess(graph, "knowledge_slice", "kslice_t", { at: AT });
    expect(result).toStrictEqual(expected);
    expect(Object.keys(result)).toEqual(["entity_type", "entity_id", "users"]);
    for (const user of result.users) expect(Object.keys(user)).toEqual(["user_id", "access_level", "grant_paths"]);
  });

  it("each user's paths are exactly resolveAccess's paths for that entity", () => {
    const result = usersWithAccess(graph, "knowledge_slice", "kslice_t", { at: AT });
    for (const user of result.users) {
      const resolved = resolveAccess(graph, user.user_id, { at: AT }).entities.find(
        (e) => e.entity_type === "knowledge_slice" && e.entity_id === "kslice_t",
      );
      expect(resolved?.grant_paths).toStrictEqual(user.grant_paths);
      expect(resolved?.access_level).toBe(user.access_level);
    }
  });

  it("respects expiry", () => {
    const before = usersWithAccess(graph, "knowledge_slice", "kslice_t", { at: new Date("2025-12-31T23:59:59.999Z") });
    expect(before.users.map((u) => u.user_id)).toEqual(["usr_A", "usr_b", "usr_c", "usr_d", "usr_e", "usr_ghost"]);
    expect(before.users.find((u) => u.user_id === "usr_e")).toStrictEqual({
      user_id: "usr_e",
      access_level: "admin",
      grant_paths: [direct("admin", "agrant_exp")],
    });
    const atExpiry = usersWithAccess(graph, "knowledge_slice", "kslice_t", { at: new Date("2026-01-01T00:00:00Z") });
    expect(atExpiry.users.map((u) => u.user_id)).toEqual(["usr_A", "usr_b", "usr_c", "usr_d", "usr_ghost"]);
  });

  it("the composite itself is reached by its own grants, not by its members' grants", () => {
    const result = usersWithAccess(graph, "knowledge_slice", "kslice_mid", { at: AT });
    expect(result).toStrictEqual({
      entity_type: "knowledge_slice",
      entity_id: "kslice_mid",
      users: [
        { user_id: "usr_A", access_level: "write", grant_paths: [viaRole("write", "role_r", "agrant_mid")] },
        { user_id: "usr_c", access_level: "write", grant_paths: [viaRole("write", "role_r", "agrant_mid")] },
        { user_id: "usr_d", access_level: "admin", grant_paths: [viaComposite("admin", "kslice_top", "agrant_top")] },
      ],
    });
  });

  it("an entity nobody reaches has no users", () => {
    expect(usersWithAccess(graph, "vector_store", "vs_nothing", { at: AT })).toStrictEqual({
      entity_type: "vector_store",
      entity_id: "vs_nothing",
      users: [],
    });
  });

  it("a user reaching a department grant through two sub-departments is listed once with one path", () => {
    const twice = makeGraph({
      users: [{ id: "usr_u", department_ids: ["dept_x", "dept_y"] }],
      departments: [
        { id: "dept_x", parent_id: "dept_p" },
        { id: "dept_y", parent_id: "dept_p" },
      ],
      grants: [grant("agrant_1", "assistant", "asst_1", "department", "dept_p", "read")],
    });
    expect(usersWithAccess(twice, "assistant", "asst_1", { at: AT }).users).toStrictEqual([
      { user_id: "usr_u", access_level: "read", grant_paths: [viaDept("read", "dept_p", "agrant_1")] },
    ]);
  });

  it("works without options (at = now)", () => {
    const simple = makeGraph({
      grants: [
        grant("agrant_1", "assistant", "asst_1", "user", "usr_a", "read", { expires_at: "2999-01-01T00:00:00Z" }),
        grant("agrant_2", "assistant", "asst_1", "user", "usr_b", "read", { expires_at: "2001-01-01T00:00:00Z" }),
      ],
    });
    expect(usersWithAccess(simple, "assistant", "asst_1").users.map((u) => u.user_id)).toEqual(["usr_a"]);
  });
});
