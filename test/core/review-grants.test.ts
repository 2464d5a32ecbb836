/**
 * reviewGrants (docs/spec.md §11) on small hand-made graphs: each kind of finding, nested
 * departments, composite grants, expired grants left out, the order and shape of findings,
 * the defaults and the validation of the options.
 */
import { describe, expect, it } from "vitest";
import {
  type GrantFinding,
  type GrantInput,
  type GraphInput,
  graphToInput,
  reviewGrants,
  revokeGrant,
} from "../../src/index.js";
import { AT, expectValidationError, grant, ks, makeGraph, ORG } from "./fixtures.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(AT.getTime() + ms).toISOString();

/** The findings at {@link AT}, with no grant counted as expiring unless asked. */
function review(input: Omit<GraphInput, "organization_id">, expiringWithin = 0): GrantFinding[] {
  return reviewGrants(makeGraph(input), { at: AT, expiringWithin }).findings;
}

/** `kind grant_id` of each finding, in order. */
function kinds(findings: readonly GrantFinding[]): string[] {
  return findings.map((f) => `${f.kind} ${f.grant_id}`);
}

describe("redundant grants", () => {
  it("a direct read covered by the user's department write is redundant; the write is not", () => {
    const findings = review({
      users: [{ id: "usr_def456", department_ids: ["dept_eng01"] }],
      grants: [
        ks("agrant_direct", "kslice_abc123", "user", "usr_def456", "read"),
        ks("agrant_dept", "kslice_abc123", "department", "dept_eng01", "write"),
      ],
    });
    expect(findings).toStrictEqual([
      {
        kind: "redundant",
        grant_id: "agrant_direct",
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        grantee_type: "user",
        grantee_id: "usr_def456",
        access_level: "read",
        user_count: 1,
      },
    ]);
  });

  it("two grants at the same level cover each other: both are redundant", () => {
    const findings = review({
      users: [{ id: "usr_a", department_ids: ["dept_eng"], role_ids: ["role_ops"] }],
      grants: [
        grant("agrant_dept", "assistant", "asst_1", "department", "dept_eng", "write"),
        grant("agrant_role", "assistant", "asst_1", "role", "role_ops", "write"),
      ],
    });
    expect(kinds(findings)).toStrictEqual(["redundant agrant_dept", "redundant agrant_role"]);
  });

  it("a lower level never covers a higher one", () => {
    const findings = review({
      users: [{ id: "usr_a", role_ids: ["role_ops"] }],
      grants: [
        grant("agrant_admin", "vector_store", "vs_1", "user", "usr_a", "admin"),
        grant("agrant_read", "vector_store", "vs_1", "role", "role_ops", "read"),
      ],
    });
    expect(kinds(findings)).toStrictEqual(["redundant agrant_read"]);
  });

  it("a department grant is redundant only when every member it reaches is covered", () => {
    const input = {
      users: [
        { id: "usr_a", department_ids: ["dept_eng"] },
        { id: "usr_b", department_ids: ["dept_eng"] },
      ],
      grants: [
        grant("agrant_dept", "assistant", "asst_1", "department", "dept_eng", "read"),
        grant("agrant_a", "assistant", "asst_1", "user", "usr_a", "write"),
      ],
    };
    expect(review(input)).toStrictEqual([]);
    const covered = review({
      ...input,
      grants: [...input.grants, grant("agrant_b", "assistant", "asst_1", "user", "usr_b", "read")],
    });
    // usr_b's own read and the department's read now cover each other for usr_b.
    expect(covered).toStrictEqual([
      expect.objectContaining({ kind: "redundant", grant_id: "agrant_b", user_count: 1 }),
      expect.objectContaining({ kind: "redundant", grant_id: "agrant_dept", user_count: 2 }),
    ]);
  });

  it("reaches down nested departments, counting a user in two sub-departments once", () => {
    const findings = review({
      departments: [
        { id: "dept_root" },
        { id: "dept_mid", parent_id: "dept_root" },
        { id: "dept_leaf", parent_id: "dept_mid" },
        { id: "dept_side", parent_id: "dept_root" },
      ],
      users: [
        { id: "usr_a", department_ids: ["dept_leaf", "dept_side"] },
        { id: "usr_b", department_ids: ["dept_mid"] },
      ],
      grants: [
        grant("agrant_root", "assistant", "asst_1", "department", "dept_root", "read"),
        grant("agrant_mid", "assistant", "asst_1", "department", "dept_mid", "write"),
      ],
    });
    // agrant_root reaches usr_a (twice over, counted once) and usr_b, both covered by agrant_mid.
    expect(findings).toStrictEqual([
      expect.objectContaining({ kind: "redundant", grant_id: "agrant_root", user_count: 2 }),
    ]);
  });

  it("a grant on a composite is covered only where its composite is: grants on its slices alone do not", () => {
    const composites = [
      { id: "kslice_library", member_slice_ids: ["kslice_handbook"] },
      { id: "kslice_handbook", member_slice_ids: ["kslice_policies", "kslice_inner"] },
      { id: "kslice_inner", member_slice_ids: ["kslice_deep"] },
    ];
    const users = [{ id: "usr_a", department_ids: ["dept_eng"], role_ids: ["role_ops"] }];
    const composite = ks("agrant_composite", "kslice_handbook", "department", "dept_eng", "write");
    // Admin on kslice_policies and kslice_inner (which flows down to kslice_deep).
    const slices = ["kslice_policies", "kslice_inner"].map((slice) =>
      ks(`agrant_${slice.slice(7)}`, slice, "user", "usr_a", "admin"),
    );
    // Every slice is covered, the composite itself is not.
    expect(review({ users, composites, grants: [composite, ...slices] })).toStrictEqual([]);
    // A grant on a composite containing it flows to the composite and, two levels down, kslice_deep.
    const library = (level: "read" | "write") => ks("agrant_library", "kslice_library", "role", "role_ops", level);
    expect(review({ users, composites, grants: [composite, ...slices, library("read")] })).toStrictEqual([]);
    expect(kinds(review({ users, composites, grants: [composite, library("write")] }))).toStrictEqual([
      "redundant agrant_composite",
    ]);
  });

  it("a grant on a slice is covered by a grant on a composite containing it, at an unlisted user too", () => {
    const findings = review({
      composites: [{ id: "kslice_handbook", member_slice_ids: ["kslice_policies"] }],
      grants: [
        ks("agrant_slice", "kslice_policies", "user", "usr_unlisted", "write"),
        ks("agrant_handbook", "kslice_handbook", "user", "usr_unlisted", "admin"),
      ],
    });
    expect(findings).toStrictEqual([
      {
        kind: "redundant",
        grant_id: "agrant_slice",
        entity_type: "knowledge_slice",
        entity_id: "kslice_policies",
        grantee_type: "user",
        grantee_id: "usr_unlisted",
        access_level: "write",
        user_count: 1,
      },
    ]);
  });

  it("a grant on another entity covers nothing", () => {
    const findings = review({
      users: [{ id: "usr_a", role_ids: ["role_ops"] }],
      grants: [
        grant("agrant_1", "assistant", "asst_1", "user", "usr_a", "read"),
        grant("agrant_2", "assistant", "asst_2", "role", "role_ops", "admin"),
      ],
    });
    expect(findings).toStrictEqual([]);
  });
});

describe("unreachable grants", () => {
  it("a department with no member in its subtree, and a role nobody holds", () => {
    const findings = review({
      departments: [{ id: "dept_empty" }, { id: "dept_child", parent_id: "dept_empty" }],
      roles: [{ id: "role_nobody" }],
      users: [{ id: "usr_a", department_ids: ["dept_other"], role_ids: ["role_ops"] }],
      grants: [
        grant("agrant_dept", "vector_store", "vs_1", "department", "dept_empty", "read"),
        grant("agrant_role", "assistant", "asst_1", "role", "role_nobody", "write"),
        grant("agrant_ops", "assistant", "asst_1", "role", "role_ops", "write"),
      ],
    });
    expect(findings).toStrictEqual([
      {
        kind: "unreachable",
        grant_id: "agrant_dept",
        entity_type: "vector_store",
        entity_id: "vs_1",
        grantee_type: "department",
        grantee_id: "dept_empty",
        access_level: "read",
      },
      {
        kind: "unreachable",
        grant_id: "agrant_role",
        entity_type: "assistant",
        entity_id: "asst_1",
        grantee_type: "role",
        grantee_id: "role_nobody",
        access_level: "write",
      },
    ]);
  });

  it("a department whose only members sit three levels below it is reachable", () => {
    const findings = review({
      departments: [
        { id: "dept_a" },
        { id: "dept_b", parent_id: "dept_a" },
        { id: "dept_c", parent_id: "dept_b" },
        { id: "dept_d", parent_id: "dept_c" },
      ],
      users: [{ id: "usr_a", department_ids: ["dept_d"] }],
      grants: [grant("agrant_top", "assistant", "asst_1", "department", "dept_a", "read")],
    });
    expect(findings).toStrictEqual([]);
  });

  it("a grant to a user is never unreachable, listed or not", () => {
    expect(review({ grants: [grant("agrant_1", "assistant", "asst_1", "user", "usr_unlisted", "read")] })).toEqual([]);
  });

  it("a grant becomes unreachable when its last member leaves", () => {
    const input = {
      users: [{ id: "usr_a", department_ids: ["dept_eng"] }],
      grants: [grant("agrant_1", "assistant", "asst_1", "department", "dept_eng", "read")],
    };
    expect(review(input)).toEqual([]);
    expect(kinds(review({ ...input, users: [{ id: "usr_a" }] }))).toStrictEqual(["unreachable agrant_1"]);
  });
});

describe("expiring grants", () => {
  const grants: GrantInput[] = [
    grant("agrant_at", "assistant", "asst_1", "user", "usr_a", "read", { expires_at: at(0) }),
    grant("agrant_soon", "assistant", "asst_2", "user", "usr_a", "read", { expires_at: at(1) }),
    grant("agrant_edge", "assistant", "asst_3", "user", "usr_a", "read", { expires_at: at(DAY) }),
    grant("agrant_after", "assistant", "asst_4", "user", "usr_a", "read", { expires_at: at(DAY + 1) }),
    grant("agrant_never", "assistant", "asst_5", "user", "usr_a", "read"),
  ];

  it("at < expires_at <= at + expiringWithin, with the grant's expires_at as it holds it", () => {
    const findings = review({ users: [{ id: "usr_a" }], grants }, DAY);
    expect(findings).toStrictEqual([
      {
        kind: "expiring",
        grant_id: "agrant_edge",
        entity_type: "assistant",
        entity_id: "asst_3",
        grantee_type: "user",
        grantee_id: "usr_a",
        access_level: "read",
        expires_at: at(DAY),
      },
      {
        kind: "expiring",
        grant_id: "agrant_soon",
        entity_type: "assistant",
        entity_id: "asst_2",
        grantee_type: "user",
        grantee_id: "usr_a",
        access_level: "read",
        expires_at: at(1),
      },
    ]);
    expect(review({ users: [{ id: "usr_a" }], grants }, 0)).toStrictEqual([]);
  });

  it("keeps the expiry text as written (an offset, no milliseconds)", () => {
    const findings = review(
      {
        grants: [
          grant("agrant_1", "assistant", "asst_1", "user", "usr_a", "read", {
            expires_at: "2026-03-01T14:30:00+02:00",
          }),
        ],
      },
      HOUR,
    );
    expect(findings).toStrictEqual([
      expect.objectContaining({ kind: "expiring", expires_at: "2026-03-01T14:30:00+02:00" }),
    ]);
  });

  it("expiringWithin defaults to seven days", () => {
    const graph = makeGraph({
      grants: [
        grant("agrant_week", "assistant", "asst_1", "user", "usr_a", "read", { expires_at: at(7 * DAY) }),
        grant("agrant_later", "assistant", "asst_2", "user", "usr_a", "read", { expires_at: at(7 * DAY + 1) }),
      ],
    });
    expect(kinds(reviewGrants(graph, { at: AT }).findings)).toStrictEqual(["expiring agrant_week"]);
  });

  it("a grant can be expiring and redundant, or expiring and unreachable", () => {
    const findings = review(
      {
        users: [{ id: "usr_a", department_ids: ["dept_eng"] }],
        grants: [
          grant("agrant_dept", "assistant", "asst_1", "department", "dept_eng", "admin"),
          grant("agrant_user", "assistant", "asst_1", "user", "usr_a", "read", { expires_at: at(HOUR) }),
          grant("agrant_role", "assistant", "asst_1", "role", "role_nobody", "read", { expires_at: at(HOUR) }),
        ],
      },
      DAY,
    );
    expect(kinds(findings)).toStrictEqual([
      "redundant agrant_user",
      "unreachable agrant_role",
      "expiring agrant_role",
      "expiring agrant_user",
    ]);
  });
});

describe("grants inactive at `at`", () => {
  it("give no finding of any kind", () => {
    const findings = review(
      {
        users: [{ id: "usr_a", department_ids: ["dept_eng"] }],
        grants: [
          grant("agrant_dept", "assistant", "asst_1", "department", "dept_eng", "admin"),
          // Would be redundant, unreachable and (with any window) expiring, were it active.
          grant("agrant_old", "assistant", "asst_1", "user", "usr_a", "read", { expires_at: at(-1) }),
          grant("agrant_gone", "vector_store", "vs_1", "role", "role_nobody", "read", { expires_at: at(0) }),
        ],
      },
      DAY,
    );
    expect(findings).toStrictEqual([]);
  });

  it("cover nothing: an expired admin leaves the active read needed", () => {
    const findings = review({
      users: [{ id: "usr_a", department_ids: ["dept_eng"] }],
      grants: [
        grant("agrant_dept", "assistant", "asst_1", "department", "dept_eng", "admin", { expires_at: at(-HOUR) }),
        grant("agrant_user", "assistant", "asst_1", "user", "usr_a", "read"),
      ],
    });
    expect(findings).toStrictEqual([]);
  });

  it("are judged at `at`: the same graph an hour earlier has the admin active", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a", department_ids: ["dept_eng"] }],
      grants: [
        grant("agrant_dept", "assistant", "asst_1", "department", "dept_eng", "admin", { expires_at: at(HOUR) }),
        grant("agrant_user", "assistant", "asst_1", "user", "usr_a", "read"),
      ],
    });
    expect(kinds(reviewGrants(graph, { at: AT, expiringWithin: 0 }).findings)).toStrictEqual(["redundant agrant_user"]);
    expect(reviewGrants(graph, { at: new Date(AT.getTime() + HOUR), expiringWithin: 0 }).findings).toStrictEqual([]);
  });

  it("revoked grants are gone from the graph and from the review", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a" }],
      grants: [
        grant("agrant_1", "assistant", "asst_1", "user", "usr_a", "read"),
        grant("agrant_2", "assistant", "asst_1", "role", "role_nobody", "read"),
      ],
    });
    expect(kinds(reviewGrants(revokeGrant(graph, "agrant_2"), { at: AT }).findings)).toStrictEqual([]);
  });
});

describe("the answer", () => {
  it("orders findings by kind, then grant_id in code-unit order", () => {
    const findings = review(
      {
        users: [{ id: "usr_a", role_ids: ["role_ops"] }],
        grants: [
          grant("agrant_z", "assistant", "asst_1", "role", "role_ops", "admin"),
          grant("agrant_b", "assistant", "asst_1", "user", "usr_a", "read", { expires_at: at(HOUR) }),
          grant("agrant_B", "assistant", "asst_1", "department", "dept_empty", "read", { expires_at: at(HOUR) }),
          grant("agrant_a", "assistant", "asst_2", "department", "dept_empty", "read"),
          grant("agrant_A", "assistant", "asst_3", "user", "usr_a", "read", { expires_at: at(2 * HOUR) }),
          grant("agrant_C", "assistant", "asst_3", "role", "role_ops", "write"),
        ],
      },
      DAY,
    );
    expect(kinds(findings)).toStrictEqual([
      "redundant agrant_A",
      "redundant agrant_b",
      "unreachable agrant_B",
      "unreachable agrant_a",
      "expiring agrant_A",
      "expiring agrant_B",
      "expiring agrant_b",
    ]);
  });

  it("gives every finding's keys in one order: kind, grant_id, the grant's tuple, then the kind's own field", () => {
    const findings = review(
      {
        users: [{ id: "usr_a", role_ids: ["role_ops"] }],
        grants: [
          grant("agrant_1", "assistant", "asst_1", "role", "role_ops", "admin"),
          grant("agrant_2", "assistant", "asst_1", "user", "usr_a", "read", { expires_at: at(HOUR) }),
          grant("agrant_3", "assistant", "asst_1", "department", "dept_empty", "read"),
        ],
      },
      DAY,
    );
    const tuple = ["grant_id", "entity_type", "entity_id", "grantee_type", "grantee_id", "access_level"];
    expect(findings.map((f) => Object.keys(f))).toStrictEqual([
      ["kind", ...tuple, "user_count"],
      ["kind", ...tuple],
      ["kind", ...tuple, "expires_at"],
    ]);
  });

  it("is empty for an empty graph and for one without findings", () => {
    expect(review({})).toStrictEqual([]);
    expect(
      review({
        users: [{ id: "usr_a", department_ids: ["dept_eng"] }],
        grants: [grant("agrant_1", "assistant", "asst_1", "department", "dept_eng", "read")],
      }),
    ).toStrictEqual([]);
  });

  it("`at` defaults to now", () => {
    // Expired long ago, and expiring in the far future: neither is within the default week of now.
    const graph = makeGraph({
      grants: [
        grant("agrant_past", "assistant", "asst_1", "role", "role_nobody", "read", {
          expires_at: "2000-01-01T00:00:00Z",
        }),
        grant("agrant_future", "assistant", "asst_2", "role", "role_nobody", "read", {
          expires_at: "9999-01-01T00:00:00Z",
        }),
      ],
    });
    expect(kinds(reviewGrants(graph).findings)).toStrictEqual(["unreachable agrant_future"]);
  });

  it("does not change the graph", () => {
    const graph = makeGraph({
      users: [{ id: "usr_a" }],
      grants: [grant("agrant_1", "assistant", "asst_1", "user", "usr_a", "read")],
    });
    const before = graphToInput(graph);
    reviewGrants(graph, { at: AT });
    expect(graphToInput(graph)).toStrictEqual(before);
    expect(before.organization_id).toBe(ORG);
  });
});

describe("validation", () => {
  const graph = makeGraph({ grants: [grant("agrant_1", "assistant", "asst_1", "user", "usr_a", "read")] });

  it("expiringWithin must be a whole number of milliseconds from 0", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "1000", true, {}]) {
      expectValidationError(
        () => reviewGrants(graph, { at: AT, expiringWithin: bad as unknown as number }),
        "expiring_within",
      );
    }
    expect(reviewGrants(graph, { at: AT, expiringWithin: Number.MAX_SAFE_INTEGER }).findings).toStrictEqual([]);
  });

  it("at must be a valid Date", () => {
    for (const bad of [new Date(Number.NaN), "2026-03-01T12:00:00Z", 0]) {
      expectValidationError(() => reviewGrants(graph, { at: bad as unknown as Date }), "at");
    }
  });

  it("options must be an object, and the graph one this library made", () => {
    expectValidationError(() => reviewGrants(graph, "soon" as unknown as { at: Date }), "options");
    expectValidationError(() => reviewGrants({ ...graph }), "graph");
  });
});
