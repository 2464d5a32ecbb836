// grantpath/testing/fast-check's generators: every generated organization is one createGraph
// accepts, within the knobs it was asked for (counts, depths, fan-out, expiry), and generated
// write sequences are valid, in order, on the graph they were generated for.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AccessError, createGraph, type GraphInput, isValidId, resolveAccess } from "../../src/index.js";
import {
  applyWrite,
  applyWriteToInput,
  type GraphInputArbitraryOptions,
  type GraphWriteKind,
  graphIdPools,
  graphInputArbitrary,
  graphWritesArbitrary,
  idPool,
  permutationKeysArbitrary,
  REFERENCE_INSTANT,
  reorderGraphInput,
  userIdsToAsk,
} from "../../src/testing/fast-check.js";

/** Knobs across their range, small enough to stay quick. */
const arbKnobs: fc.Arbitrary<GraphInputArbitraryOptions> = fc.record({
  users: fc.integer({ min: 0, max: 8 }),
  departments: fc.integer({ min: 0, max: 8 }),
  roles: fc.integer({ min: 0, max: 4 }),
  slices: fc.integer({ min: 0, max: 9 }),
  grants: fc.integer({ min: 0, max: 30 }),
  departmentDepth: fc.integer({ min: 1, max: 6 }),
  compositeDepth: fc.integer({ min: 0, max: 5 }),
  fanOut: fc.integer({ min: 0, max: 4 }),
  expiring: fc.oneof(fc.boolean(), fc.constantFrom(0, 0.5, 1)),
  adversarialIds: fc.boolean(),
  organizationId: fc.constantFrom("org_acme", "org___proto__"),
});

const withKnobs = arbKnobs.chain((knobs) => graphInputArbitrary(knobs).map((input) => ({ knobs, input })));

/** The limits that hold a graph to the knobs, as createGraph measures depth. */
function limitsOf(knobs: GraphInputArbitraryOptions) {
  return { maxDepartmentDepth: knobs.departmentDepth ?? 3, maxCompositeDepth: Math.max(knobs.compositeDepth ?? 3, 1) };
}

/** The most departments on one chain, counted without the library: parents followed up to the top. */
function departmentDepth(input: GraphInput): number {
  const parent = new Map((input.departments ?? []).map((d) => [d.id, d.parent_id ?? null]));
  let deepest = 0;
  for (const start of parent.keys()) {
    let length = 0;
    for (let at: string | null = start; at !== null; at = parent.get(at) ?? null) length++;
    deepest = Math.max(deepest, length);
  }
  return deepest;
}

/** The most containment steps on one chain, counted without the library. */
function compositeDepth(input: GraphInput): number {
  const members = new Map((input.composites ?? []).map((c) => [c.id, c.member_slice_ids]));
  const below = (id: string): number => Math.max(0, ...(members.get(id) ?? []).map((m) => 1 + below(m)));
  return Math.max(0, ...[...members.keys()].map(below));
}

describe("graphInputArbitrary", () => {
  it("every generated organization passes createGraph, with the defaults and with any knobs", () => {
    fc.assert(
      fc.property(graphInputArbitrary(), (input) => {
        createGraph(input);
      }),
    );
    fc.assert(
      fc.property(withKnobs, ({ knobs, input }) => {
        // Held to limits no looser than the knobs: depths are within them as the library counts.
        createGraph(input, { limits: limitsOf(knobs) });
      }),
    );
  });

  it("stays within every knob: counts, depths, fan-out, ids, expiry", () => {
    fc.assert(
      fc.property(withKnobs, ({ knobs, input }) => {
        const pools = graphIdPools(knobs);
        expect(input.organization_id).toBe(knobs.organizationId);
        expect((input.users ?? []).length).toBeLessThanOrEqual(knobs.users ?? 0);
        expect((input.departments ?? []).length).toBeLessThanOrEqual(knobs.departments ?? 0);
        expect((input.grants ?? []).length).toBeLessThanOrEqual(knobs.grants ?? 0);
        expect(departmentDepth(input)).toBeLessThanOrEqual(knobs.departmentDepth ?? 0);
        expect(compositeDepth(input)).toBeLessThanOrEqual(knobs.compositeDepth ?? 0);
        for (const user of input.users ?? []) {
          expect(pools.users).toContain(user.id);
          expect((user.department_ids ?? []).length).toBeLessThanOrEqual(knobs.fanOut ?? 0);
          expect((user.role_ids ?? []).length).toBeLessThanOrEqual(knobs.fanOut ?? 0);
        }
        for (const composite of input.composites ?? []) {
          expect(composite.member_slice_ids.length).toBeLessThanOrEqual(knobs.fanOut ?? 0);
        }
        const grants = input.grants ?? [];
        const ids = grants.map((g) => g.id);
        expect(ids.every((id) => isValidId("grant", id))).toBe(true);
        expect(new Set(ids).size).toBe(grants.length);
        const pairs = grants.map((g) => `${g.entity_type} ${g.entity_id} ${g.grantee_type} ${g.grantee_id}`);
        expect(new Set(pairs).size).toBe(grants.length);
        const expiring = grants.filter((g) => typeof g.expires_at === "string").length;
        if (knobs.expiring === false || knobs.expiring === 0) expect(expiring).toBe(0);
        if (knobs.expiring === 1) expect(expiring).toBe(grants.length);
        for (const g of grants) {
          if (typeof g.expires_at === "string") {
            expect(Math.abs(Date.parse(g.expires_at) - REFERENCE_INSTANT)).toBeLessThanOrEqual(3_600_000);
          }
        }
      }),
    );
  });

  it("reaches its depth knobs: a generator that only ever nests one level would pass the test above", () => {
    const options = { departments: 8, departmentDepth: 5, slices: 9, compositeDepth: 4, fanOut: 3 };
    const samples = fc.sample(graphInputArbitrary(options), { numRuns: 400, seed: 7 });
    expect(Math.max(...samples.map(departmentDepth))).toBe(5);
    expect(Math.max(...samples.map(compositeDepth))).toBe(4);
    // Flat ones stay common too.
    expect(samples.filter((input) => departmentDepth(input) <= 1).length).toBeGreaterThan(10);
  });

  it("with adversarial ids, prototype keys and case pairs are common; without, none appear", () => {
    const text = (inputs: GraphInput[]) => inputs.map((input) => JSON.stringify(input)).join("\n");
    const adversarial = text(fc.sample(graphInputArbitrary(), { numRuns: 100, seed: 1 }));
    for (const id of ["usr___proto__", "dept_constructor", "kslice_toString", "usr_B", "usr_b"]) {
      expect(adversarial).toContain(`"${id}"`);
    }
    const plain = text(fc.sample(graphInputArbitrary({ adversarialIds: false }), { numRuns: 100, seed: 1 }));
    expect(plain).not.toMatch(/__proto__|constructor|toString/);
  });

  it("id pools are valid, distinct and the same for the same knobs", () => {
    for (const kind of ["user", "department", "role", "knowledge_slice", "grant"] as const) {
      const pool = idPool(kind, 30);
      expect(new Set(pool).size).toBe(30);
      expect(pool.every((id) => isValidId(kind, id))).toBe(true);
    }
    expect(graphIdPools({ users: 3 })).toStrictEqual(graphIdPools({ users: 3 }));
    expect(() => graphInputArbitrary({ departmentDepth: 0 })).toThrow(RangeError);
    expect(() => graphInputArbitrary({ expiring: 2 })).toThrow(RangeError);
  });

  it("reorderGraphInput permutes every list and keeps every element", () => {
    fc.assert(
      fc.property(graphInputArbitrary(), permutationKeysArbitrary(), (input, keys) => {
        const reordered = reorderGraphInput(input, keys);
        const sorted = (items: readonly unknown[] | undefined) => (items ?? []).map((x) => JSON.stringify(x)).sort();
        const deep = (value: GraphInput) => ({
          owners: sorted(value.owners),
          roles: sorted(value.roles),
          departments: sorted(value.departments),
          grants: sorted(value.grants),
          users: sorted(
            (value.users ?? []).map((u) => ({
              ...u,
              department_ids: sorted(u.department_ids),
              role_ids: sorted(u.role_ids),
            })),
          ),
          composites: sorted(
            (value.composites ?? []).map((c) => ({ ...c, member_slice_ids: sorted(c.member_slice_ids) })),
          ),
        });
        expect(deep(reordered)).toStrictEqual(deep(input));
        expect(Object.keys(reordered).sort()).toStrictEqual(Object.keys(input).sort());
        expect(reorderGraphInput(input, [])).toStrictEqual(input);
      }),
    );
  });
});

describe("graphWritesArbitrary", () => {
  const withWrites = arbKnobs.chain((knobs) =>
    graphInputArbitrary(knobs).chain((input) =>
      graphWritesArbitrary(input, { ...knobs, maxWrites: 12 }).map((writes) => ({ knobs, input, writes })),
    ),
  );

  it("writes are valid in order: applyWrite never throws, and the model stays within the knobs", () => {
    fc.assert(
      fc.property(withWrites, ({ knobs, input, writes }) => {
        expect(writes.length).toBeLessThanOrEqual(12);
        const limits = limitsOf(knobs);
        let graph = createGraph(input, { limits });
        let model = input;
        for (const [i, write] of writes.entries()) {
          try {
            graph = applyWrite(graph, write);
          } catch (error) {
            const code = error instanceof AccessError ? error.code : String(error);
            throw new Error(`write #${i} ${JSON.stringify(write)} was refused: ${code}`);
          }
          model = applyWriteToInput(model, write);
        }
        createGraph(model, { limits });
        expect(departmentDepth(model)).toBeLessThanOrEqual(knobs.departmentDepth ?? 0);
        expect(compositeDepth(model)).toBeLessThanOrEqual(knobs.compositeDepth ?? 0);
        // The model answers as the written graph does (the reference's view of it: invariants test).
        const modelGraph = createGraph(model);
        const at = new Date(REFERENCE_INSTANT);
        for (const userId of userIdsToAsk(model)) {
          expect(resolveAccess(graph, userId, { at })).toStrictEqual(resolveAccess(modelGraph, userId, { at }));
        }
      }),
    );
  });

  it("generates every kind, only the kinds asked for, and none for maxWrites 0", () => {
    const seen = new Set<GraphWriteKind>();
    for (const { input, writes } of fc.sample(withWrites, { numRuns: 200, seed: 3 })) {
      expect(input.organization_id).toMatch(/^org_/);
      for (const write of writes) seen.add(write.kind);
    }
    expect([...seen].sort()).toStrictEqual([
      "addGrant",
      "expireGrant",
      "moveDepartment",
      "revokeGrant",
      "setCompositeMembers",
      "setUserDepartments",
      "setUserRoles",
      "updateGrantLevel",
    ]);
    const only = graphInputArbitrary().chain((input) =>
      graphWritesArbitrary(input, { kinds: ["addGrant", "setUserRoles"] }),
    );
    for (const writes of fc.sample(only, { numRuns: 100, seed: 4 })) {
      for (const write of writes) expect(["addGrant", "setUserRoles"]).toContain(write.kind);
    }
    const none = graphInputArbitrary().chain((input) => graphWritesArbitrary(input, { maxWrites: 0 }));
    expect(fc.sample(none, { numRuns: 20, seed: 5 }).every((writes) => writes.length === 0)).toBe(true);
  });

  it("works on a hand-written input, with its own ids", () => {
    const input: GraphInput = {
      organization_id: "org_mine",
      users: [{ id: "usr_me", department_ids: ["dept_mine"] }],
      departments: [{ id: "dept_mine", parent_id: "dept_top" }],
      grants: [
        {
          id: "agrant_mine",
          entity_type: "assistant",
          entity_id: "asst_mine",
          grantee_type: "department",
          grantee_id: "dept_top",
          access_level: "read",
        },
      ],
    };
    fc.assert(
      fc.property(graphWritesArbitrary(input, { organizationId: "org_mine", maxWrites: 10 }), (writes) => {
        writes.reduce(applyWrite, createGraph(input));
        createGraph(writes.reduce(applyWriteToInput, input));
      }),
    );
  });
});
