/**
 * `applyChanges` (docs/spec.md §8): each storage change means what it means to storage, so the
 * graph after a list of changes answers as the graph rebuilt from what storage then holds. Unit
 * cases for every change type, its errors and atomicity, and a property: for any two
 * organizations A and B, applying to A the changes storage would record to turn it into B
 * (worked out here by brute force) answers every question as the brute-force reference does on B.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyChanges,
  createGraph,
  type GrantInput,
  type GraphInput,
  getDepartment,
  graphToInput,
  resolveAccess,
  type StorageChange,
} from "../../src/index.js";
import { arbGraphInput, REF_INSTANT, USER_POOL } from "../support/arbitraries.js";
import { referenceResolve } from "../support/reference.js";
import {
  AT,
  direct,
  expectCode,
  expectInvalidGraph,
  expectValidationError,
  grant,
  ks,
  ksEntity,
  makeGraph,
  ORG,
  viaComposite,
  viaDept,
  viaRole,
} from "./fixtures.js";

/** A stored grant record, as storage logs it. */
function logged(input: GrantInput, extra: Record<string, string> = {}): StorageChange {
  return {
    type: "put_grant",
    grant: {
      organization_id: ORG,
      granted_by: null,
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-15T10:00:00Z",
      ...input,
      ...extra,
    } as never,
  };
}

describe("applyChanges: each change type", () => {
  it("an empty list gives back the same graph", () => {
    const graph = makeGraph();
    expect(applyChanges(graph, [])).toBe(graph);
  });

  it("put_grant adds a grant, replaces the grant with its id, and with revoked_at takes it out", () => {
    const before = makeGraph();
    const added = applyChanges(before, [logged(ks("agrant_1", "kslice_a", "user", "usr_a", "read"))]);
    expect(resolveAccess(added, "usr_a", { at: AT }).entities).toEqual([
      ksEntity("kslice_a", "read", [direct("read", "agrant_1")]),
    ]);
    const raised = applyChanges(added, [logged(ks("agrant_1", "kslice_a", "user", "usr_a", "admin"))]);
    expect(resolveAccess(raised, "usr_a", { at: AT }).entities[0]?.access_level).toBe("admin");
    // The same id for another pair: the grant moves.
    const moved = applyChanges(raised, [logged(ks("agrant_1", "kslice_b", "user", "usr_a", "write"))]);
    expect(resolveAccess(moved, "usr_a", { at: AT }).entities.map((e) => e.entity_id)).toEqual(["kslice_b"]);
    const revoked = applyChanges(moved, [
      logged(ks("agrant_1", "kslice_b", "user", "usr_a", "write"), { revoked_at: "2025-06-16T00:00:00Z" }),
    ]);
    expect(resolveAccess(revoked, "usr_a", { at: AT }).entities).toEqual([]);
    // Revoking a grant the graph does not hold changes nothing.
    const again = applyChanges(revoked, [
      logged(ks("agrant_9", "kslice_b", "user", "usr_a", "write"), { revoked_at: "2025-06-16T00:00:00Z" }),
    ]);
    expect(graphToInput(again)).toEqual(graphToInput(revoked));
    // The old graphs are as they were.
    expect(resolveAccess(before, "usr_a", { at: AT }).entities).toEqual([]);
    expect(resolveAccess(added, "usr_a", { at: AT }).entities[0]?.access_level).toBe("read");
  });

  it("put_user sets a user's departments and roles; put_department declares with a parent; put_composite sets members", () => {
    const graph = applyChanges(
      makeGraph({
        grants: [
          ks("agrant_d", "kslice_d", "department", "dept_top", "write"),
          grant("agrant_r", "vector_store", "vs_1", "role", "role_r", "admin"),
          ks("agrant_c", "kslice_c", "user", "usr_a", "read"),
        ],
      }),
      [
        { type: "put_department", department: { id: "dept_top", parent_id: null } },
        { type: "put_department", department: { id: "dept_low", parent_id: "dept_top" } },
        { type: "put_user", user: { id: "usr_a", department_ids: ["dept_low"], role_ids: ["role_r"] } },
        { type: "put_composite", composite: { id: "kslice_c", member_slice_ids: ["kslice_m"] } },
      ],
    );
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities).toEqual([
      ksEntity("kslice_c", "read", [direct("read", "agrant_c")]),
      ksEntity("kslice_d", "write", [viaDept("write", "dept_top", "agrant_d")]),
      ksEntity("kslice_m", "read", [viaComposite("read", "kslice_c", "agrant_c")]),
      {
        entity_type: "vector_store",
        entity_id: "vs_1",
        access_level: "admin",
        grant_paths: [viaRole("admin", "role_r", "agrant_r")],
      },
    ]);
  });

  it("create_organization and set_owners set the owners, sorted and unique", () => {
    const graph = applyChanges(makeGraph(), [
      { type: "create_organization", owners: ["usr_z", "usr_a"] },
      { type: "set_owners", owners: ["usr_b", "usr_a", "usr_b"] },
    ]);
    expect(graphToInput(graph).owners).toEqual(["usr_a", "usr_b"]);
  });

  it("delete_department takes back the declaration only, as storage does: what still names it keeps it, as an undeclared root", () => {
    const input: GraphInput = {
      organization_id: ORG,
      users: [{ id: "usr_a", department_ids: ["dept_mid"] }],
      departments: [
        { id: "dept_top", parent_id: null },
        { id: "dept_mid", parent_id: "dept_top" },
        { id: "dept_low", parent_id: "dept_mid" },
      ],
      grants: [
        ks("agrant_top", "kslice_top", "department", "dept_top", "read"),
        ks("agrant_mid", "kslice_mid", "department", "dept_mid", "read"),
      ],
    };
    const graph = applyChanges(createGraph(input), [{ type: "delete_department", department_id: "dept_mid" }]);
    // Storage now holds dept_top and dept_low (whose parent, dept_mid, is no longer declared).
    const rebuilt = createGraph({ ...input, departments: [input.departments?.[0], input.departments?.[2]] as never });
    for (const user of ["usr_a", "usr_b"]) {
      expect(resolveAccess(graph, user, { at: AT })).toEqual(resolveAccess(rebuilt, user, { at: AT }));
    }
    expect(resolveAccess(graph, "usr_a", { at: AT }).entities.map((e) => e.entity_id)).toEqual(["kslice_mid"]);
    expect(getDepartment(graph, "dept_mid")?.parent_id).toBeNull();
    expect(getDepartment(graph, "dept_low")?.parent_id).toBe("dept_mid");
    expect(graphToInput(graph).departments).toEqual(graphToInput(rebuilt).departments);
    // Deleting a department that is not declared changes nothing.
    expect(graphToInput(applyChanges(graph, [{ type: "delete_department", department_id: "dept_nope" }]))).toEqual(
      graphToInput(graph),
    );
  });
});

describe("applyChanges: errors, and nothing applied when one fails", () => {
  const graph = makeGraph({
    departments: [
      { id: "dept_a", parent_id: null },
      { id: "dept_b", parent_id: "dept_a" },
    ],
  });

  it("names the change and field of a malformed change", () => {
    expectValidationError(() => applyChanges(graph, "nope" as never), "changes");
    expectValidationError(() => applyChanges(graph, [null as never]), "changes[0]");
    expectValidationError(() => applyChanges(graph, [{ type: "put_role" } as never]), "changes[0].type");
    expectValidationError(
      () =>
        applyChanges(graph, [
          { type: "set_owners", owners: [] },
          logged({ ...ks("agrant_1", "kslice_a", "user", "usr_a", "read"), entity_id: "vs_1" }),
        ]),
      "changes[1].grant.entity_id",
    );
    expectValidationError(
      () =>
        applyChanges(graph, [
          logged(ks("agrant_1", "kslice_a", "user", "usr_a", "read"), { organization_id: "org_other" }),
        ]),
      "changes[0].grant.organization_id",
    );
    expectValidationError(
      () =>
        applyChanges(graph, [logged(ks("agrant_1", "kslice_a", "user", "usr_a", "read"), { revoked_at: "yesterday" })]),
      "changes[0].grant.revoked_at",
    );
    expectValidationError(
      () =>
        applyChanges(graph, [{ type: "put_user", user: { id: "usr_a", department_ids: ["role_x"], role_ids: [] } }]),
      "changes[0].user.department_ids[0]",
    );
  });

  it("a cycle is INVALID_GRAPH, a second grant for a pair RESOURCE_ALREADY_EXISTS, and the graph is as it was", () => {
    const before = graphToInput(graph);
    expectInvalidGraph(
      () =>
        applyChanges(graph, [
          { type: "put_user", user: { id: "usr_a", department_ids: ["dept_b"], role_ids: [] } },
          { type: "put_department", department: { id: "dept_a", parent_id: "dept_b" } },
        ]),
      ["dept_a", "dept_b"],
    );
    expectCode(
      () =>
        applyChanges(graph, [
          logged(ks("agrant_1", "kslice_a", "user", "usr_a", "read")),
          logged(ks("agrant_2", "kslice_a", "user", "usr_a", "write")),
        ]),
      "RESOURCE_ALREADY_EXISTS",
      409,
    );
    expect(graphToInput(graph)).toEqual(before);
  });
});

/** The changes storage records to turn organization A into B (both with grant ids), by brute force. */
function storageChangesBetween(a: GraphInput, b: GraphInput): StorageChange[] {
  const changes: StorageChange[] = [];
  const pair = (g: GrantInput) => `${g.entity_id} ${g.grantee_id}`;
  const bGrants = new Map((b.grants ?? []).map((g) => [g.id as string, g]));
  // Grants that go, or that change their pair, are revoked first: the pairs they held are free then.
  for (const g of a.grants ?? []) {
    const next = bGrants.get(g.id as string);
    if (!next || pair(next) !== pair(g)) changes.push(logged(g, { revoked_at: "2025-06-16T00:00:00Z" }));
  }
  const declared = new Set((b.departments ?? []).map((d) => d.id));
  for (const d of a.departments ?? []) {
    if (!declared.has(d.id)) changes.push({ type: "delete_department", department_id: d.id });
  }
  // Every department a root first, then B's parents: no step can close a cycle.
  for (const d of b.departments ?? [])
    changes.push({ type: "put_department", department: { id: d.id, parent_id: null } });
  for (const d of b.departments ?? []) {
    changes.push({ type: "put_department", department: { id: d.id, parent_id: d.parent_id ?? null } });
  }
  const bUsers = new Set((b.users ?? []).map((u) => u.id));
  for (const u of a.users ?? []) {
    if (!bUsers.has(u.id)) changes.push({ type: "put_user", user: { id: u.id, department_ids: [], role_ids: [] } });
  }
  for (const u of b.users ?? []) {
    changes.push({
      type: "put_user",
      user: { id: u.id, department_ids: u.department_ids ?? [], role_ids: u.role_ids ?? [] },
    });
  }
  // Every composite emptied first, then B's members.
  for (const c of [...(a.composites ?? []), ...(b.composites ?? [])]) {
    changes.push({ type: "put_composite", composite: { id: c.id, member_slice_ids: [] } });
  }
  for (const c of b.composites ?? []) changes.push({ type: "put_composite", composite: c });
  for (const g of b.grants ?? []) changes.push(logged(g));
  changes.push({ type: "set_owners", owners: b.owners ?? [] });
  return changes;
}

describe("applyChanges: the property", () => {
  it("A after the changes that make it B answers every user as the brute-force reference does on B", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbGraphInput(), fc.integer({ min: -3, max: 3 }), (inputA, inputB, hours) => {
        // Canonical forms: every grant has an id, as stored grants do.
        const a = graphToInput(createGraph(inputA));
        const b = graphToInput(createGraph(inputB));
        const after = applyChanges(createGraph(a), storageChangesBetween(a, b));
        const at = new Date(REF_INSTANT + hours * 3_600_000);
        for (const user of USER_POOL) {
          expect(resolveAccess(after, user, { at })).toEqual(referenceResolve(b, user, { at }));
        }
      }),
    );
  });
});
