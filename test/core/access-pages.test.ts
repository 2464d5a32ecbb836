/**
 * Paging of the two answers that grow with the organization: `resolveAccess` and
 * `usersWithAccess` with `skip` / `limit`. Without them, the answer is whole and has the seed's
 * exact shape; with either, it is a page holding what the whole answer holds at those positions,
 * with the grant lists' envelope (`total`, `skip`, `limit`, `has_more`). Expected values are
 * written out from the spec.
 */
import { describe, expect, it } from "vitest";
import { sortedWindow } from "../../src/core/answer-pages.js";
import {
  type ResolvedAccess,
  type ResolvedAccessPage,
  resolveAccess,
  type UsersWithAccessPage,
  usersWithAccess,
} from "../../src/index.js";
import {
  AT,
  direct,
  entity,
  expectValidationError,
  grant,
  ks,
  ksEntity,
  makeGraph,
  viaComposite,
  viaDept,
  viaRole,
} from "./fixtures.js";

/**
 * usr_a reaches, in docs/spec.md §3's order: asst_1 (role), kslice_a (direct + composite), kslice_b
 * (composite), kslice_c (composite), kslice_hub (department), vs_1 (direct). The other users
 * reach vs_1: usr_b and usr_c through dept_sub (under dept_top), usr_d through role_ops.
 */
const graph = makeGraph({
  users: [
    { id: "usr_a", department_ids: ["dept_top"], role_ids: ["role_ops"] },
    { id: "usr_b", department_ids: ["dept_sub"] },
    { id: "usr_c", department_ids: ["dept_sub", "dept_top"] },
    { id: "usr_d", role_ids: ["role_ops"] },
  ],
  departments: [
    { id: "dept_top", parent_id: null },
    { id: "dept_sub", parent_id: "dept_top" },
  ],
  composites: [{ id: "kslice_hub", member_slice_ids: ["kslice_a", "kslice_b", "kslice_c"] }],
  grants: [
    ks("agrant_hub", "kslice_hub", "department", "dept_top", "write"),
    ks("agrant_a", "kslice_a", "user", "usr_a", "admin"),
    grant("agrant_bot", "assistant", "asst_1", "role", "role_ops", "read"),
    grant("agrant_vs", "vector_store", "vs_1", "user", "usr_a", "read"),
    grant("agrant_vs_dept", "vector_store", "vs_1", "department", "dept_top", "write"),
    grant("agrant_vs_role", "vector_store", "vs_1", "role", "role_ops", "admin"),
  ],
});

const USR_A_ENTITIES = [
  entity("assistant", "asst_1", "read", [viaRole("read", "role_ops", "agrant_bot")]),
  ksEntity("kslice_a", "admin", [
    direct("admin", "agrant_a"),
    viaComposite("write", "kslice_hub", "agrant_hub", { department_id: "dept_top" }),
  ]),
  ksEntity("kslice_b", "write", [viaComposite("write", "kslice_hub", "agrant_hub", { department_id: "dept_top" })]),
  ksEntity("kslice_c", "write", [viaComposite("write", "kslice_hub", "agrant_hub", { department_id: "dept_top" })]),
  ksEntity("kslice_hub", "write", [viaDept("write", "dept_top", "agrant_hub")]),
  entity("vector_store", "vs_1", "admin", [
    direct("read", "agrant_vs"),
    viaDept("write", "dept_top", "agrant_vs_dept"),
    viaRole("admin", "role_ops", "agrant_vs_role"),
  ]),
];

describe("resolveAccess with skip and limit", () => {
  it("answers the whole resolution, in the worked example's exact shape, when neither is given", () => {
    const whole = resolveAccess(graph, "usr_a", { at: AT });
    expect(whole).toStrictEqual({ user_id: "usr_a", entities: USR_A_ENTITIES });
    expect(Object.keys(whole)).toEqual(["user_id", "entities"]);
    expect(resolveAccess(graph, "usr_a", { at: AT, skip: undefined, limit: undefined })).toStrictEqual(whole);
  });

  it("answers the first page, with the envelope after the entities", () => {
    const page = resolveAccess(graph, "usr_a", { at: AT, limit: 2 });
    expect(page).toStrictEqual({
      user_id: "usr_a",
      entities: USR_A_ENTITIES.slice(0, 2),
      total: 6,
      skip: 0,
      limit: 2,
      has_more: true,
    });
    expect(Object.keys(page)).toEqual(["user_id", "entities", "total", "skip", "limit", "has_more"]);
  });

  it("answers a middle page across entity types, each entity with all its paths", () => {
    expect(resolveAccess(graph, "usr_a", { at: AT, skip: 3, limit: 2 })).toStrictEqual({
      user_id: "usr_a",
      entities: USR_A_ENTITIES.slice(3, 5),
      total: 6,
      skip: 3,
      limit: 2,
      has_more: true,
    });
  });

  it("answers the last page with has_more false, even when it is short", () => {
    expect(resolveAccess(graph, "usr_a", { at: AT, skip: 4, limit: 2 })).toMatchObject({
      entities: USR_A_ENTITIES.slice(4),
      has_more: false,
    });
    expect(resolveAccess(graph, "usr_a", { at: AT, skip: 5, limit: 20 })).toStrictEqual({
      user_id: "usr_a",
      entities: USR_A_ENTITIES.slice(5),
      total: 6,
      skip: 5,
      limit: 20,
      has_more: false,
    });
  });

  it("answers an empty page past the end, still with the total", () => {
    for (const skip of [6, 7, 1_000_000]) {
      expect(resolveAccess(graph, "usr_a", { at: AT, skip, limit: 3 })).toStrictEqual({
        user_id: "usr_a",
        entities: [],
        total: 6,
        skip,
        limit: 3,
        has_more: false,
      });
    }
  });

  it("defaults skip to 0 and limit to 100 once either is given", () => {
    expect(resolveAccess(graph, "usr_a", { at: AT, skip: 1 })).toMatchObject({
      entities: USR_A_ENTITIES.slice(1),
      skip: 1,
      limit: 100,
      has_more: false,
    });
    expect(resolveAccess(graph, "usr_a", { at: AT, limit: 1 })).toMatchObject({ skip: 0, limit: 1, has_more: true });
    // null is "not given", as a JSON caller may send it.
    expect(resolveAccess(graph, "usr_a", { at: AT, skip: 0, limit: null as unknown as number })).toMatchObject({
      limit: 100,
    });
  });

  it("applies entityType before paging: total counts the filtered entities", () => {
    expect(resolveAccess(graph, "usr_a", { at: AT, entityType: "knowledge_slice", skip: 1, limit: 2 })).toStrictEqual({
      user_id: "usr_a",
      entities: USR_A_ENTITIES.slice(2, 4),
      total: 4,
      skip: 1,
      limit: 2,
      has_more: true,
    });
    expect(resolveAccess(graph, "usr_a", { at: AT, entityType: "vector_store", limit: 5 })).toStrictEqual({
      user_id: "usr_a",
      entities: USR_A_ENTITIES.slice(5),
      total: 1,
      skip: 0,
      limit: 5,
      has_more: false,
    });
  });

  it("pages a user no grant reaches as an empty answer of total 0", () => {
    expect(resolveAccess(graph, "usr_nobody", { at: AT, limit: 10 })).toStrictEqual({
      user_id: "usr_nobody",
      entities: [],
      total: 0,
      skip: 0,
      limit: 10,
      has_more: false,
    });
  });

  it("leaves expired grants out of the page and of the total", () => {
    const expiring = makeGraph({
      grants: [
        ks("agrant_old", "kslice_a", "user", "usr_a", "read", { expires_at: "2026-01-01T00:00:00Z" }),
        ks("agrant_new", "kslice_b", "user", "usr_a", "read"),
      ],
    });
    expect(resolveAccess(expiring, "usr_a", { at: AT, limit: 10 })).toMatchObject({
      entities: [ksEntity("kslice_b", "read", [direct("read", "agrant_new")])],
      total: 1,
    });
  });

  it.each<[string, unknown, string]>([
    ["skip", -1, "skip"],
    ["skip", 1.5, "skip"],
    ["skip", "0", "skip"],
    ["skip", Number.NaN, "skip"],
    ["skip", Number.MAX_SAFE_INTEGER + 1, "skip"],
    ["limit", 0, "limit"],
    ["limit", 1001, "limit"],
    ["limit", 2.5, "limit"],
    ["limit", "20", "limit"],
    ["limit", Number.POSITIVE_INFINITY, "limit"],
  ])("rejects %s = %s with a VALIDATION_ERROR naming %s", (name, value, field) => {
    const error = expectValidationError(() => resolveAccess(graph, "usr_a", { at: AT, [name]: value }), field);
    expect(error.details.message).toMatch(new RegExp(`^${field} must be an integer from \\d+ to \\d+$`));
  });

  it("accepts the bounds: skip 0 and the largest safe integer, limit 1 and 1000", () => {
    expect(resolveAccess(graph, "usr_a", { at: AT, skip: 0, limit: 1 }).entities).toHaveLength(1);
    expect(resolveAccess(graph, "usr_a", { at: AT, skip: Number.MAX_SAFE_INTEGER, limit: 1000 })).toMatchObject({
      entities: [],
      total: 6,
      has_more: false,
    });
  });

  it("validates the user before the page", () => {
    expectValidationError(() => resolveAccess(graph, "bad", { skip: -1 }), "user_id");
  });
});

describe("usersWithAccess with skip and limit", () => {
  const everyone = [
    { user_id: "usr_a", access_level: "admin", grant_paths: USR_A_ENTITIES[5]?.grant_paths },
    { user_id: "usr_b", access_level: "write", grant_paths: [viaDept("write", "dept_top", "agrant_vs_dept")] },
    { user_id: "usr_c", access_level: "write", grant_paths: [viaDept("write", "dept_top", "agrant_vs_dept")] },
    { user_id: "usr_d", access_level: "admin", grant_paths: [viaRole("admin", "role_ops", "agrant_vs_role")] },
  ];

  it("answers every user, in the exact unpaged shape, when neither is given", () => {
    const whole = usersWithAccess(graph, "vector_store", "vs_1", { at: AT });
    expect(whole).toStrictEqual({ entity_type: "vector_store", entity_id: "vs_1", users: everyone });
    expect(Object.keys(whole)).toEqual(["entity_type", "entity_id", "users"]);
  });

  it("answers the first, a middle and the last page, by user_id", () => {
    const first = usersWithAccess(graph, "vector_store", "vs_1", { at: AT, limit: 2 });
    expect(first).toStrictEqual({
      entity_type: "vector_store",
      entity_id: "vs_1",
      users: everyone.slice(0, 2),
      total: 4,
      skip: 0,
      limit: 2,
      has_more: true,
    });
    expect(Object.keys(first)).toEqual(["entity_type", "entity_id", "users", "total", "skip", "limit", "has_more"]);
    expect(usersWithAccess(graph, "vector_store", "vs_1", { at: AT, skip: 1, limit: 2 })).toMatchObject({
      users: everyone.slice(1, 3),
      has_more: true,
    });
    expect(usersWithAccess(graph, "vector_store", "vs_1", { at: AT, skip: 2, limit: 2 })).toMatchObject({
      users: everyone.slice(2),
      total: 4,
      has_more: false,
    });
  });

  it("counts a user reached through nested departments and a role once", () => {
    // usr_c is in dept_sub and dept_top; both lead to agrant_vs_dept.
    expect(usersWithAccess(graph, "vector_store", "vs_1", { at: AT, skip: 2, limit: 1 }).users).toStrictEqual([
      everyone[2],
    ]);
  });

  it("answers an empty page past the end, and total 0 for an entity nobody reaches", () => {
    expect(usersWithAccess(graph, "vector_store", "vs_1", { at: AT, skip: 4 })).toStrictEqual({
      entity_type: "vector_store",
      entity_id: "vs_1",
      users: [],
      total: 4,
      skip: 4,
      limit: 100,
      has_more: false,
    });
    expect(usersWithAccess(graph, "assistant", "asst_none", { at: AT, limit: 1 })).toMatchObject({
      users: [],
      total: 0,
      has_more: false,
    });
  });

  it("pages users reached through a composite with their composite paths", () => {
    // usr_a, usr_b (through dept_sub) and usr_c reach kslice_a through the grant on kslice_hub.
    expect(usersWithAccess(graph, "knowledge_slice", "kslice_a", { at: AT, skip: 1, limit: 1 })).toStrictEqual({
      entity_type: "knowledge_slice",
      entity_id: "kslice_a",
      users: [
        {
          user_id: "usr_b",
          access_level: "write",
          grant_paths: [viaComposite("write", "kslice_hub", "agrant_hub", { department_id: "dept_top" })],
        },
      ],
      total: 3,
      skip: 1,
      limit: 1,
      has_more: true,
    });
    expect(usersWithAccess(graph, "knowledge_slice", "kslice_a", { at: AT, limit: 1 }).users).toStrictEqual([
      { user_id: "usr_a", access_level: "admin", grant_paths: USR_A_ENTITIES[1]?.grant_paths },
    ]);
  });

  it.each<[string, unknown]>([
    ["skip", -1],
    ["skip", 0.5],
    ["limit", 0],
    ["limit", 1001],
    ["limit", "5"],
  ])("rejects %s = %s with a VALIDATION_ERROR naming it", (field, value) => {
    expectValidationError(() => usersWithAccess(graph, "vector_store", "vs_1", { at: AT, [field]: value }), field);
  });
});

describe("the types of paged answers", () => {
  it("type a call with skip or limit as a page, and a call without as the whole answer", () => {
    const page: ResolvedAccessPage = resolveAccess(graph, "usr_a", { at: AT, limit: 2 });
    const skipped: ResolvedAccessPage = resolveAccess(graph, "usr_a", { at: AT, skip: 2 });
    const users: UsersWithAccessPage = usersWithAccess(graph, "vector_store", "vs_1", { at: AT, limit: 2 });
    const whole: ResolvedAccess = resolveAccess(graph, "usr_a", { at: AT });
    // @ts-expect-error: without skip or limit the answer has no envelope.
    const notAPage: ResolvedAccessPage = resolveAccess(graph, "usr_a", { at: AT });
    expect([page.total, skipped.total, users.total, whole.entities.length, notAPage.total]).toEqual([
      6,
      6,
      4,
      6,
      undefined,
    ]);
  });
});

describe("sortedWindow", () => {
  /** A deterministic shuffle (mulberry32), so a failure replays. */
  function shuffled(keys: readonly string[], seed: number): string[] {
    let state = seed >>> 0;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const out = [...keys];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j] as string, out[i] as string];
    }
    return out;
  }

  const keys = Array.from({ length: 2000 }, (_, i) => `usr_${(i * 7919) % 2000}`);
  const sorted = [...keys].sort();

  it("takes any window of the code-unit order of shuffled, sorted and reversed keys", () => {
    const inputs = [shuffled(keys, 1), shuffled(keys, 2), sorted, [...sorted].reverse()];
    const windows = [
      [0, 20],
      [0, 1],
      [1, 2],
      [990, 1010],
      [1980, 2000],
      [1999, 2000],
      [37, 137],
      [0, 600],
      [500, 2000],
    ] as const;
    for (const input of inputs) {
      for (const [from, to] of windows) {
        expect(sortedWindow([...input], from, to)).toEqual(sorted.slice(from, to));
      }
    }
  });

  it("orders by code unit, as the spec sorts ids", () => {
    const ids = Array.from({ length: 300 }, (_, i) => `kslice_${i % 2 === 0 ? "B" : "a"}${i}`);
    expect(sortedWindow(shuffled(ids, 3), 140, 160)).toEqual([...ids].sort().slice(140, 160));
  });
});
