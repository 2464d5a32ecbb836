/**
 * docs/spec.md §4, property by property, against the brute-force oracle that grantpath/testing
 * exports (src/testing/reference-resolver.ts), on organizations from test/support/arbitraries.ts
 * and from the generators adopters get (grantpath/testing/fast-check). Every property runs the
 * global number of cases (>= 500).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  AccessLevel,
  EntityType,
  GrantInput,
  GraphInput,
  ResolvedAccess,
  UserInput,
} from "../../src/core/types.js";
import {
  AccessError,
  addGrant,
  checkAccess,
  createDepartment,
  createGraph,
  expireGrant,
  graphToInput,
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
  applyWrite as applyGeneratedWrite,
  applyWriteToInput,
  entitiesToAsk,
  type GraphInputArbitraryOptions,
  graphInputArbitrary,
  graphWritesArbitrary,
  instantArbitrary,
  reorderGraphInput,
  userIdsToAsk,
} from "../../src/testing/fast-check.js";
import { referenceCheck, referenceResolve, referenceUsersWithAccess } from "../../src/testing/index.js";
import {
  containedSlices,
  isActive,
  isWithin,
  levelRank,
  reachableSlices,
} from "../../src/testing/reference-resolver.js";
import {
  arbAt,
  arbDeptId,
  arbGrantId,
  arbGraphInput,
  arbLevel,
  arbNewGrant,
  arbPermutationKeys,
  arbRoleId,
  arbSliceId,
  arbUserId,
  EXPIRY_CHOICES,
  entitiesToCheck,
  grantTupleKey,
  ORG_ID,
  OTHER_ORG_ID,
  permute,
  pickEntity,
  pickUser,
  REF_INSTANT,
  USER_POOL,
  usersToCheck,
} from "../support/arbitraries.js";

type Graph = ReturnType<typeof createGraph>;

/** Bigger and deeper than test/support/arbitraries.ts's organizations: chains of 6 departments, 5 composites. */
const DEEP: GraphInputArbitraryOptions = {
  users: 8,
  departments: 9,
  roles: 4,
  slices: 10,
  grants: 40,
  departmentDepth: 6,
  compositeDepth: 5,
  fanOut: 4,
};

const ENTITY_TYPES: readonly EntityType[] = ["assistant", "knowledge_slice", "vector_store"];
const LEVELS: readonly AccessLevel[] = ["read", "write", "admin"];

/** A JSON round trip: compares what the wire would carry, nothing more. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function maxLevel(levels: readonly AccessLevel[]): AccessLevel | undefined {
  let best: AccessLevel | undefined;
  for (const level of levels) if (best === undefined || levelRank(level) > levelRank(best)) best = level;
  return best;
}

/** Every user's resolution as plain JSON, in `users` order (an array: ids like `__proto__` are data). */
function resolveAll(graph: Graph, users: readonly string[], at: Date): unknown[] {
  return users.map((u) => plain(resolveAccess(graph, u, { at })));
}

function usersWithAccessAll(graph: Graph, input: GraphInput, at: Date): unknown[] {
  return entitiesToCheck(input).map((e) => plain(usersWithAccess(graph, e.entity_type, e.entity_id, { at })));
}

/** resolveAccess agrees exactly with the oracle for every user worth asking about. */
function expectMatchesReference(graph: Graph, input: GraphInput, at: Date): void {
  for (const userId of usersToCheck(input)) {
    expect(plain(resolveAccess(graph, userId, { at })), `resolveAccess(${userId})`).toEqual(
      plain(referenceResolve(input, userId, { at })),
    );
  }
}

/** Everything `smaller` reaches, `larger` reaches too, at a level at least as high and by the same paths. */
function expectSubsumed(smaller: ResolvedAccess, larger: ResolvedAccess): void {
  for (const entity of smaller.entities) {
    const other = larger.entities.find((e) => e.entity_type === entity.entity_type && e.entity_id === entity.entity_id);
    const where = `${smaller.user_id} on ${entity.entity_type} ${entity.entity_id}`;
    expect(other, `${where} disappeared`).toBeDefined();
    if (other === undefined) return;
    expect(levelRank(other.access_level), `${where} level dropped`).toBeGreaterThanOrEqual(
      levelRank(entity.access_level),
    );
    const paths = plain(other.grant_paths);
    for (const path of entity.grant_paths) expect(paths, `${where} lost a path`).toContainEqual(plain(path));
  }
}

function expectAccessError(run: () => unknown, code: string, field?: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected AccessError ${code}`).toBeInstanceOf(AccessError);
  if (!(thrown instanceof AccessError)) return;
  expect(thrown.code).toBe(code);
  if (field !== undefined) expect(thrown.details.field).toBe(field);
}

// ---------------------------------------------------------------------------------------
// Writes: one union so random sequences of them can be generated, applied and modelled.

type Write =
  | { readonly kind: "addGrant"; readonly grant: GrantInput }
  | { readonly kind: "revokeGrant"; readonly grantId: string }
  | { readonly kind: "updateGrantLevel"; readonly grantId: string; readonly level: AccessLevel }
  | { readonly kind: "expireGrant"; readonly grantId: string; readonly expiresAt: Date | string | null }
  | { readonly kind: "setUserDepartments"; readonly userId: string; readonly departmentIds: string[] }
  | { readonly kind: "setUserRoles"; readonly userId: string; readonly roleIds: string[] }
  | { readonly kind: "setCompositeMembers"; readonly compositeId: string; readonly memberSliceIds: string[] }
  | { readonly kind: "moveDepartment"; readonly departmentId: string; readonly parentId: string | null }
  | { readonly kind: "createDepartment"; readonly departmentId: string; readonly parentId: string | null }
  | { readonly kind: "removeDepartment"; readonly departmentId: string }
  | { readonly kind: "setOwners"; readonly owners: string[] };

function applyWrite(graph: Graph, w: Write): Graph {
  switch (w.kind) {
    case "addGrant":
      return addGrant(graph, w.grant);
    case "revokeGrant":
      return revokeGrant(graph, w.grantId);
    case "updateGrantLevel":
      return updateGrantLevel(graph, w.grantId, w.level);
    case "expireGrant":
      return expireGrant(graph, w.grantId, w.expiresAt);
    case "setUserDepartments":
      return setUserDepartments(graph, w.userId, w.departmentIds);
    case "setUserRoles":
      return setUserRoles(graph, w.userId, w.roleIds);
    case "setCompositeMembers":
      return setCompositeMembers(graph, w.compositeId, w.memberSliceIds);
    case "moveDepartment":
      return moveDepartment(graph, w.departmentId, w.parentId);
    case "createDepartment":
      return createDepartment(graph, { id: w.departmentId, parent_id: w.parentId });
    case "removeDepartment":
      return removeDepartment(graph, w.departmentId);
    case "setOwners":
      return setOwners(graph, w.owners);
  }
}

/** Applies a write that may legitimately be refused; any other failure is a bug. */
function tryWrite(graph: Graph, w: Write): Graph | undefined {
  try {
    return applyWrite(graph, w);
  } catch (error) {
    if (error instanceof AccessError) return undefined;
    throw error;
  }
}

function arbWrite(knownGrantIds: readonly string[], orgId: string): fc.Arbitrary<Write> {
  const grantId =
    knownGrantIds.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...knownGrantIds) }, { weight: 1, arbitrary: arbGrantId })
      : arbGrantId;
  const departments = fc.uniqueArray(arbDeptId, { maxLength: 3 });
  return fc.oneof(
    arbNewGrant(orgId).map((grant): Write => ({ kind: "addGrant", grant })),
    grantId.map((id): Write => ({ kind: "revokeGrant", grantId: id })),
    fc.tuple(grantId, arbLevel).map(([id, level]): Write => ({ kind: "updateGrantLevel", grantId: id, level })),
    fc
      .tuple(grantId, fc.oneof(fc.constant(null), fc.constantFrom(...EXPIRY_CHOICES), arbAt))
      .map(([id, expiresAt]): Write => ({ kind: "expireGrant", grantId: id, expiresAt })),
    fc
      .tuple(arbUserId, departments)
      .map(([userId, departmentIds]): Write => ({ kind: "setUserDepartments", userId, departmentIds })),
    fc
      .tuple(arbUserId, fc.uniqueArray(arbRoleId, { maxLength: 3 }))
      .map(([userId, roleIds]): Write => ({ kind: "setUserRoles", userId, roleIds })),
    fc
      .tuple(arbSliceId, fc.uniqueArray(arbSliceId, { maxLength: 3 }))
      .map(([compositeId, memberSliceIds]): Write => ({ kind: "setCompositeMembers", compositeId, memberSliceIds })),
    fc
      .tuple(arbDeptId, fc.option(arbDeptId, { nil: null }))
      .map(([departmentId, parentId]): Write => ({ kind: "moveDepartment", departmentId, parentId })),
    fc
      .tuple(arbDeptId, fc.option(arbDeptId, { nil: null }))
      .map(([departmentId, parentId]): Write => ({ kind: "createDepartment", departmentId, parentId })),
    arbDeptId.map((departmentId): Write => ({ kind: "removeDepartment", departmentId })),
    fc.subarray([...USER_POOL], { maxLength: 2 }).map((owners): Write => ({ kind: "setOwners", owners })),
  );
}

function grantIdsOf(input: GraphInput): string[] {
  return (input.grants ?? []).flatMap((g) => (g.id === undefined ? [] : [g.id]));
}

/** An input, a few random writes against it, and an instant. */
function arbInputWithWrites(maxWrites: number, orgId: string = ORG_ID) {
  return arbGraphInput({ orgId }).chain((input) =>
    fc.tuple(fc.constant(input), fc.array(arbWrite(grantIdsOf(input), orgId), { maxLength: maxWrites }), arbAt),
  );
}

// The model: what each write should do to a plain GraphInput.

type ModelOutcome =
  | { readonly kind: "ok"; readonly input: GraphInput }
  | { readonly kind: "error"; readonly code: string }
  | { readonly kind: "skip" };

function withUser(input: GraphInput, userId: string, change: (u: UserInput) => UserInput): GraphInput {
  const users = input.users ?? [];
  const listed = users.some((u) => u.id === userId);
  return {
    ...input,
    users: listed ? users.map((u) => (u.id === userId ? change(u) : u)) : [...users, change({ id: userId })],
  };
}

function withGrant(input: GraphInput, grantId: string, change: (g: GrantInput) => GrantInput): GraphInput {
  return { ...input, grants: (input.grants ?? []).map((g) => (g.id === grantId ? change(g) : g)) };
}

function withoutExpiry(g: GrantInput): GrantInput {
  return {
    ...(g.id === undefined ? {} : { id: g.id }),
    entity_type: g.entity_type,
    entity_id: g.entity_id,
    grantee_type: g.grantee_type,
    grantee_id: g.grantee_id,
    access_level: g.access_level,
  };
}

function withMembers(input: GraphInput, compositeId: string, members: readonly string[]): GraphInput {
  const composites = (input.composites ?? []).filter((c) => c.id !== compositeId);
  return { ...input, composites: [...composites, { id: compositeId, member_slice_ids: members }] };
}

function hasContainmentCycle(input: GraphInput): boolean {
  return (input.composites ?? []).some((c) => reachableSlices(input, c.id).has(c.id));
}

/** What `w` should do to `input`; "skip" for writes whose outcome the spec leaves open. */
function model(input: GraphInput, w: Write): ModelOutcome {
  const grants = input.grants ?? [];
  const known = (id: string) => grants.some((g) => g.id === id);
  switch (w.kind) {
    case "addGrant": {
      // A reused id: the spec does not say which error wins, so leave it out.
      if (w.grant.id !== undefined && known(w.grant.id)) return { kind: "skip" };
      if (grants.some((g) => grantTupleKey(g) === grantTupleKey(w.grant))) {
        return { kind: "error", code: "RESOURCE_ALREADY_EXISTS" };
      }
      return { kind: "ok", input: { ...input, grants: [...grants, w.grant] } };
    }
    case "revokeGrant":
      if (!known(w.grantId)) return { kind: "error", code: "RESOURCE_NOT_FOUND" };
      return { kind: "ok", input: { ...input, grants: grants.filter((g) => g.id !== w.grantId) } };
    case "updateGrantLevel":
      if (!known(w.grantId)) return { kind: "error", code: "RESOURCE_NOT_FOUND" };
      return { kind: "ok", input: withGrant(input, w.grantId, (g) => ({ ...g, access_level: w.level })) };
    case "expireGrant": {
      if (!known(w.grantId)) return { kind: "error", code: "RESOURCE_NOT_FOUND" };
      const expiresAt = w.expiresAt;
      const change =
        expiresAt === null
          ? withoutExpiry
          : (g: GrantInput): GrantInput => ({
              ...withoutExpiry(g),
              expires_at: typeof expiresAt === "string" ? expiresAt : expiresAt.toISOString(),
            });
      return { kind: "ok", input: withGrant(input, w.grantId, change) };
    }
    case "setUserDepartments":
      return {
        kind: "ok",
        input: withUser(input, w.userId, (u) => ({ ...u, department_ids: w.departmentIds })),
      };
    case "setUserRoles":
      return { kind: "ok", input: withUser(input, w.userId, (u) => ({ ...u, role_ids: w.roleIds })) };
    case "setCompositeMembers": {
      const next = withMembers(input, w.compositeId, w.memberSliceIds);
      return hasContainmentCycle(next) ? { kind: "error", code: "INVALID_GRAPH" } : { kind: "ok", input: next };
    }
    case "moveDepartment": {
      const declared = (id: string) => (input.departments ?? []).some((d) => d.id === id);
      if (!declared(w.departmentId) || (w.parentId !== null && !declared(w.parentId))) return { kind: "skip" };
      if (w.parentId !== null && isWithin(input, w.parentId, w.departmentId)) {
        return { kind: "error", code: "INVALID_GRAPH" };
      }
      const departments = (input.departments ?? []).map((d) =>
        d.id === w.departmentId ? { id: d.id, parent_id: w.parentId } : d,
      );
      return { kind: "ok", input: { ...input, departments } };
    }
    case "setOwners":
      return { kind: "ok", input: { ...input, owners: w.owners } };
    case "createDepartment":
    case "removeDepartment":
      return { kind: "skip" };
  }
}

/** After an addGrant without an id, the model learns the id the library generated. */
function learnGeneratedId(modelInput: GraphInput, before: GraphInput, graph: Graph, grant: GrantInput): GraphInput {
  if (grant.id !== undefined) return modelInput;
  const stored = (graphToInput(graph).grants ?? []).find((g) => grantTupleKey(g) === grantTupleKey(grant));
  expect(stored?.id, "generated grant id").toMatch(/^agrant_[A-Za-z0-9_-]{1,128}$/);
  const id = stored?.id ?? "";
  expect(grantIdsOf(before), "generated id must be fresh").not.toContain(id);
  const grants = (modelInput.grants ?? []).map((g) =>
    g.id === undefined && grantTupleKey(g) === grantTupleKey(grant) ? { ...g, id } : g,
  );
  return { ...modelInput, grants };
}

// ---------------------------------------------------------------------------------------

describe("invariant 1: max", () => {
  it("an entity's level is the max of its paths' levels and no path exceeds it", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, (input, at) => {
        const graph = createGraph(input);
        for (const userId of usersToCheck(input)) {
          for (const entity of resolveAccess(graph, userId, { at }).entities) {
            expect(entity.grant_paths.length).toBeGreaterThan(0);
            expect(entity.access_level).toBe(maxLevel(entity.grant_paths.map((p) => p.access_level)));
          }
        }
        for (const e of entitiesToCheck(input)) {
          for (const user of usersWithAccess(graph, e.entity_type, e.entity_id, { at }).users) {
            expect(user.grant_paths.length).toBeGreaterThan(0);
            expect(user.access_level).toBe(maxLevel(user.grant_paths.map((p) => p.access_level)));
          }
        }
      }),
    );
  });
});

describe("invariant 2: soundness and completeness", () => {
  it("resolveAccess equals the brute-force reference for every user", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, (input, at) => {
        expectMatchesReference(createGraph(input), input, at);
      }),
    );
  });

  it("all three questions equal the reference on bigger, deeper organizations (the adopters' generator)", () => {
    fc.assert(
      fc.property(graphInputArbitrary(DEEP), instantArbitrary(), (input, at) => {
        const graph = createGraph(input);
        const users = userIdsToAsk(input);
        for (const userId of users) {
          expect(JSON.stringify(resolveAccess(graph, userId, { at })), userId).toBe(
            JSON.stringify(referenceResolve(input, userId, { at })),
          );
        }
        for (const [i, e] of entitiesToAsk(input).entries()) {
          expect(plain(usersWithAccess(graph, e.entity_type, e.entity_id, { at }))).toEqual(
            plain(referenceUsersWithAccess(input, e.entity_type, e.entity_id, { at })),
          );
          const userId = users[i % users.length] ?? "usr_nobody";
          const options = { level: LEVELS[i % LEVELS.length], at };
          expect(plain(checkAccess(graph, userId, e.entity_type, e.entity_id, options))).toEqual(
            plain(referenceCheck(input, userId, e.entity_type, e.entity_id, options)),
          );
        }
      }),
    );
  });

  it("resolveAccess with an entityType filter equals the filtered reference", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, (input, at) => {
        const graph = createGraph(input);
        for (const userId of usersToCheck(input)) {
          for (const entityType of ENTITY_TYPES) {
            expect(plain(resolveAccess(graph, userId, { entityType, at })), `${userId} ${entityType}`).toEqual(
              plain(referenceResolve(input, userId, { entityType, at })),
            );
          }
        }
      }),
    );
  });

  it("serializes byte for byte like the reference (documented key order)", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, fc.nat(), (input, at, n) => {
        const userId = pickUser(input, n);
        expect(JSON.stringify(resolveAccess(createGraph(input), userId, { at }))).toBe(
          JSON.stringify(referenceResolve(input, userId, { at })),
        );
      }),
    );
  });

  it("every path names an active grant that reaches the user by the rule of its type", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, (input, at) => {
        const graph = createGraph(input);
        for (const userId of usersToCheck(input)) {
          const user = (input.users ?? []).find((u) => u.id === userId);
          for (const entity of resolveAccess(graph, userId, { at }).entities) {
            for (const path of entity.grant_paths) {
              const grant = (input.grants ?? []).find((g) => g.id === path.grant_id);
              expect(grant, `path names unknown grant ${path.grant_id}`).toBeDefined();
              if (grant === undefined) continue;
              expect(isActive(grant, at), "path from an inactive grant").toBe(true);
              expect(path.access_level).toBe(grant.access_level);
              if (path.type === "composite") {
                expect(grant.entity_type).toBe("knowledge_slice");
                expect(path.composite_id).toBe(grant.entity_id);
                expect(entity.entity_type).toBe("knowledge_slice");
                expect(containedSlices(input, grant.entity_id).has(entity.entity_id)).toBe(true);
              } else {
                expect(path.composite_id).toBeNull();
                expect([entity.entity_type, entity.entity_id]).toEqual([grant.entity_type, grant.entity_id]);
              }
              const via = path.type === "composite" ? grant.grantee_type : path.type;
              switch (via) {
                case "direct":
                case "user":
                  expect(grant.grantee_type).toBe("user");
                  expect(grant.grantee_id).toBe(userId);
                  expect([path.department_id, path.role_id]).toEqual([null, null]);
                  break;
                case "department":
                  expect(grant.grantee_type).toBe("department");
                  expect(path.department_id).toBe(grant.grantee_id);
                  expect(path.role_id).toBeNull();
                  expect((user?.department_ids ?? []).some((d) => isWithin(input, d, grant.grantee_id))).toBe(true);
                  break;
                case "role":
                  expect(grant.grantee_type).toBe("role");
                  expect(path.role_id).toBe(grant.grantee_id);
                  expect(path.department_id).toBeNull();
                  expect(user?.role_ids ?? []).toContain(grant.grantee_id);
                  break;
              }
            }
          }
        }
      }),
    );
  });

  it.skipIf(Date.now() < REF_INSTANT + 3 * 3_600_000)("`at` defaults to now", () => {
    fc.assert(
      fc.property(arbGraphInput(), fc.nat(), (input, n) => {
        const userId = pickUser(input, n);
        expect(plain(resolveAccess(createGraph(input), userId))).toEqual(
          plain(referenceResolve(input, userId, { at: new Date() })),
        );
      }),
    );
  });
});

describe("invariant 3: monotonicity", () => {
  /** Checks old ⊆ new for every user, and that `after` is exactly the reference of `modelAfter`. */
  function expectGrowth(before: Graph, after: Graph, modelAfter: GraphInput, at: Date): void {
    for (const userId of usersToCheck(modelAfter)) {
      expectSubsumed(resolveAccess(before, userId, { at }), resolveAccess(after, userId, { at }));
    }
    expectMatchesReference(after, modelAfter, at);
  }

  it("adding a grant never lowers a level nor removes a path", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbNewGrant(), arbAt, (input, grant, at) => {
        const grants = input.grants ?? [];
        fc.pre(!grants.some((g) => grantTupleKey(g) === grantTupleKey(grant)));
        const before = createGraph(input);
        const after = addGrant(before, grant);
        const modelAfter = learnGeneratedId({ ...input, grants: [...grants, grant] }, input, after, grant);
        expectGrowth(before, after, modelAfter, at);
      }),
    );
  });

  it("adding department memberships never lowers a level nor removes a path", () => {
    fc.assert(
      fc.property(
        arbGraphInput(),
        arbUserId,
        fc.uniqueArray(arbDeptId, { minLength: 1, maxLength: 3 }),
        arbAt,
        (input, userId, extra, at) => {
          const current = (input.users ?? []).find((u) => u.id === userId)?.department_ids ?? [];
          const superset = [...current, ...extra.filter((d) => !current.includes(d))];
          const before = createGraph(input);
          const after = setUserDepartments(before, userId, superset);
          expectGrowth(
            before,
            after,
            withUser(input, userId, (u) => ({ ...u, department_ids: superset })),
            at,
          );
        },
      ),
    );
  });

  it("adding roles never lowers a level nor removes a path", () => {
    fc.assert(
      fc.property(
        arbGraphInput(),
        arbUserId,
        fc.uniqueArray(arbRoleId, { minLength: 1, maxLength: 3 }),
        arbAt,
        (input, userId, extra, at) => {
          const current = (input.users ?? []).find((u) => u.id === userId)?.role_ids ?? [];
          const superset = [...current, ...extra.filter((r) => !current.includes(r))];
          const before = createGraph(input);
          const after = setUserRoles(before, userId, superset);
          expectGrowth(
            before,
            after,
            withUser(input, userId, (u) => ({ ...u, role_ids: superset })),
            at,
          );
        },
      ),
    );
  });

  it("adding an acyclic containment edge never lowers a level nor removes a path", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbSliceId, arbSliceId, arbAt, (input, compositeId, memberId, at) => {
        const current = (input.composites ?? []).find((c) => c.id === compositeId)?.member_slice_ids ?? [];
        fc.pre(memberId !== compositeId && !current.includes(memberId));
        fc.pre(!reachableSlices(input, memberId).has(compositeId));
        const superset = [...current, memberId];
        const before = createGraph(input);
        const after = setCompositeMembers(before, compositeId, superset);
        expectGrowth(before, after, withMembers(input, compositeId, superset), at);
      }),
    );
  });

  it("revoking a grant never raises a level nor adds a path", () => {
    fc.assert(
      fc.property(arbGraphInput(), fc.nat(), arbAt, (input, n, at) => {
        const grants = input.grants ?? [];
        fc.pre(grants.length > 0);
        const revoked = grants[n % grants.length]?.id ?? "";
        const before = createGraph(input);
        const after = revokeGrant(before, revoked);
        const modelAfter = { ...input, grants: grants.filter((g) => g.id !== revoked) };
        for (const userId of usersToCheck(input)) {
          expectSubsumed(resolveAccess(after, userId, { at }), resolveAccess(before, userId, { at }));
        }
        expectMatchesReference(after, modelAfter, at);
      }),
    );
  });
});

describe("invariant 4: order independence", () => {
  it("reordering grants, users, departments, composites and member lists changes nothing", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbPermutationKeys, arbAt, (input, keys, at) => {
        const original = createGraph(input);
        const shuffled = createGraph(reorderGraphInput(input, keys));
        const users = usersToCheck(input);
        expect(resolveAll(shuffled, users, at)).toEqual(resolveAll(original, users, at));
        expect(usersWithAccessAll(shuffled, input, at)).toEqual(usersWithAccessAll(original, input, at));
      }),
    );
  });

  it("building the same state by writes in any order gives the same results", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbPermutationKeys, arbAt, (input, keys, at) => {
        const writes: Write[] = [
          ...(input.grants ?? []).map((grant): Write => ({ kind: "addGrant", grant })),
          ...(input.users ?? []).flatMap((u): Write[] => [
            { kind: "setUserDepartments", userId: u.id, departmentIds: [...(u.department_ids ?? [])] },
            { kind: "setUserRoles", userId: u.id, roleIds: [...(u.role_ids ?? [])] },
          ]),
          ...(input.composites ?? []).map(
            (c): Write => ({ kind: "setCompositeMembers", compositeId: c.id, memberSliceIds: [...c.member_slice_ids] }),
          ),
        ];
        // Containment only grows towards the final DAG, so no intermediate state has a cycle.
        let graph = createGraph({ organization_id: input.organization_id, departments: input.departments ?? [] });
        for (const w of permute(writes, keys)) graph = applyWrite(graph, w);
        const direct = createGraph(input);
        const users = usersToCheck(input);
        expect(resolveAll(graph, users, at)).toEqual(resolveAll(direct, users, at));
        expect(usersWithAccessAll(graph, input, at)).toEqual(usersWithAccessAll(direct, input, at));
        expectMatchesReference(graph, input, at);
      }),
    );
  });
});

describe("invariant 5: idempotence", () => {
  it("re-setting memberships, roles, composite members and grant levels changes nothing", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbPermutationKeys, arbAt, (input, keys, at) => {
        const listed = new Set((input.users ?? []).map((u) => u.id));
        const compositeIds = new Set((input.composites ?? []).map((c) => c.id));
        const writes: Write[] = [
          ...(input.users ?? []).flatMap((u): Write[] => [
            { kind: "setUserDepartments", userId: u.id, departmentIds: permute(u.department_ids ?? [], keys) },
            { kind: "setUserRoles", userId: u.id, roleIds: permute(u.role_ids ?? [], keys) },
          ]),
          // An unlisted user has no memberships: setting none is a no-op too.
          ...USER_POOL.filter((id) => !listed.has(id)).flatMap((userId): Write[] => [
            { kind: "setUserDepartments", userId, departmentIds: [] },
            { kind: "setUserRoles", userId, roleIds: [] },
          ]),
          ...(input.composites ?? []).map(
            (c): Write => ({
              kind: "setCompositeMembers",
              compositeId: c.id,
              memberSliceIds: permute(c.member_slice_ids, keys),
            }),
          ),
          // A slice that is not a composite contains nothing already.
          ...["kslice_a", "kslice___proto__"]
            .filter((id) => !compositeIds.has(id))
            .map((id): Write => ({ kind: "setCompositeMembers", compositeId: id, memberSliceIds: [] })),
          ...(input.grants ?? []).map(
            (g): Write => ({ kind: "updateGrantLevel", grantId: g.id ?? "", level: g.access_level }),
          ),
        ];
        const original = createGraph(input);
        let graph = original;
        for (const w of permute(writes, keys.slice().reverse())) graph = applyWrite(graph, w);
        const users = usersToCheck(input);
        expect(resolveAll(graph, users, at)).toEqual(resolveAll(original, users, at));
        expect(usersWithAccessAll(graph, input, at)).toEqual(usersWithAccessAll(original, input, at));
      }),
    );
  });

  it("each single no-op write leaves every result unchanged", () => {
    fc.assert(
      fc.property(arbGraphInput(), fc.nat(), fc.nat(3), arbAt, (input, n, which, at) => {
        const users = input.users ?? [];
        const composites = input.composites ?? [];
        const grants = input.grants ?? [];
        const user = users[n % Math.max(users.length, 1)];
        const composite = composites[n % Math.max(composites.length, 1)];
        const grant = grants[n % Math.max(grants.length, 1)];
        let w: Write | undefined;
        if (which === 0 && user !== undefined)
          w = { kind: "setUserDepartments", userId: user.id, departmentIds: [...(user.department_ids ?? [])] };
        if (which === 1 && user !== undefined)
          w = { kind: "setUserRoles", userId: user.id, roleIds: [...(user.role_ids ?? [])] };
        if (which === 2 && composite !== undefined)
          w = {
            kind: "setCompositeMembers",
            compositeId: composite.id,
            memberSliceIds: [...composite.member_slice_ids],
          };
        if (which === 3 && grant?.id !== undefined)
          w = { kind: "updateGrantLevel", grantId: grant.id, level: grant.access_level };
        fc.pre(w !== undefined);
        if (w === undefined) return;
        const original = createGraph(input);
        const everyone = usersToCheck(input);
        expect(resolveAll(applyWrite(original, w), everyone, at)).toEqual(resolveAll(original, everyone, at));
      }),
    );
  });
});

describe("invariant 6: agreement", () => {
  it("checkAccess agrees with resolveAccess and the reference, with and without `level`", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, fc.nat(2), (input, at, shift) => {
        const graph = createGraph(input);
        const entities = entitiesToCheck(input);
        for (const [u, userId] of usersToCheck(input).entries()) {
          const resolved = resolveAccess(graph, userId, { at });
          for (const [i, e] of entities.entries()) {
            const entity = resolved.entities.find(
              (x) => x.entity_type === e.entity_type && x.entity_id === e.entity_id,
            );
            // No level, plus one level per pair, rotating so every level meets every pair over the runs.
            for (const level of [undefined, LEVELS[(u + i + shift) % LEVELS.length]]) {
              const check = checkAccess(graph, userId, e.entity_type, e.entity_id, { level, at });
              const where = `${userId} ${e.entity_type} ${e.entity_id} level=${level ?? "-"}`;
              expect(plain(check), where).toEqual(
                plain({
                  allowed:
                    entity !== undefined && (level === undefined || levelRank(entity.access_level) >= levelRank(level)),
                  access_level: entity?.access_level ?? null,
                  grant_paths: entity?.grant_paths ?? [],
                }),
              );
            }
          }
        }
      }),
    );
  });

  it("checkAccess equals referenceCheck", () => {
    fc.assert(
      fc.property(
        arbGraphInput(),
        fc.nat(),
        fc.nat(),
        fc.option(arbLevel, { nil: undefined }),
        arbAt,
        (input, u, e, level, at) => {
          const userId = pickUser(input, u);
          const entity = pickEntity(input, e);
          const options = level === undefined ? { at } : { level, at };
          expect(plain(checkAccess(createGraph(input), userId, entity.entity_type, entity.entity_id, options))).toEqual(
            plain(referenceCheck(input, userId, entity.entity_type, entity.entity_id, options)),
          );
        },
      ),
    );
  });

  it("usersWithAccess agrees with the reference and with resolveAccess of every user", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, (input, at) => {
        const graph = createGraph(input);
        const users = usersToCheck(input);
        const resolved = users.map((u) => resolveAccess(graph, u, { at }));
        for (const e of entitiesToCheck(input)) {
          const answer = usersWithAccess(graph, e.entity_type, e.entity_id, { at });
          expect(plain(answer), `${e.entity_type} ${e.entity_id}`).toEqual(
            plain(referenceUsersWithAccess(input, e.entity_type, e.entity_id, { at })),
          );
          const fromResolve = resolved.flatMap((r) => {
            const entity = r.entities.find((x) => x.entity_type === e.entity_type && x.entity_id === e.entity_id);
            return entity === undefined
              ? []
              : [{ user_id: r.user_id, access_level: entity.access_level, grant_paths: entity.grant_paths }];
          });
          fromResolve.sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
          expect(plain(answer.users)).toEqual(plain(fromResolve));
        }
      }),
    );
  });
});

describe("invariant 7: isolation", () => {
  it("writes to one organization's graph never change another's results", () => {
    fc.assert(
      fc.property(
        arbInputWithWrites(6, ORG_ID),
        arbGraphInput({ orgId: OTHER_ORG_ID }),
        ([inputA, writes, at], inputB) => {
          const graphB = createGraph(inputB);
          const users = usersToCheck(inputB);
          const before = resolveAll(graphB, users, at);
          const beforeWithAccess = usersWithAccessAll(graphB, inputB, at);
          let graphA = createGraph(inputA);
          for (const w of writes) graphA = tryWrite(graphA, w) ?? graphA;
          expect(resolveAll(graphB, users, at)).toEqual(before);
          expect(usersWithAccessAll(graphB, inputB, at)).toEqual(beforeWithAccess);
          expectMatchesReference(graphB, inputB, at);
        },
      ),
    );
  });

  it("a grant carrying another organization's id is rejected by createGraph and addGrant", () => {
    fc.assert(
      fc.property(arbGraphInput(), fc.nat(), arbNewGrant(OTHER_ORG_ID), (input, n, foreign) => {
        const grants = input.grants ?? [];
        if (grants.length > 0) {
          const i = n % grants.length;
          const tampered = grants.map((g, j) => (j === i ? { ...g, organization_id: OTHER_ORG_ID } : g));
          expectAccessError(
            () => createGraph({ ...input, grants: tampered }),
            "VALIDATION_ERROR",
            `grants[${i}].organization_id`,
          );
        }
        // The same grant appended to the list, as if copied from the other organization.
        const copied = { ...foreign, id: "agrant_foreign", organization_id: OTHER_ORG_ID };
        expectAccessError(
          () => createGraph({ ...input, grants: [...grants, copied] }),
          "VALIDATION_ERROR",
          `grants[${grants.length}].organization_id`,
        );
        fc.pre(!grants.some((g) => grantTupleKey(g) === grantTupleKey(foreign)));
        expectAccessError(
          () => addGrant(createGraph(input), { ...foreign, id: "agrant_foreign", organization_id: OTHER_ORG_ID }),
          "VALIDATION_ERROR",
          "organization_id",
        );
      }),
    );
  });
});

describe("persistence and round trips", () => {
  it("every write leaves the previous graph's results unchanged", () => {
    fc.assert(
      fc.property(arbInputWithWrites(6), ([input, writes, at]) => {
        const users = usersToCheck(input);
        let graph = createGraph(input);
        const history: { graph: Graph; results: unknown[] }[] = [{ graph, results: resolveAll(graph, users, at) }];
        for (const w of writes) {
          const next = tryWrite(graph, w);
          if (next === undefined) continue;
          graph = next;
          history.push({ graph, results: resolveAll(graph, users, at) });
        }
        for (const [i, entry] of history.entries()) {
          expect(resolveAll(entry.graph, users, at), `graph #${i}`).toEqual(entry.results);
        }
      }),
    );
  });

  it("mutating the input or a result after the fact changes nothing", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, fc.nat(), (input, at, n) => {
        const copy = structuredClone(input) as DeepMutable<GraphInput>;
        const graph = createGraph(copy);
        const users = usersToCheck(input);
        const before = resolveAll(graph, users, at);
        copy.grants?.reverse().pop();
        for (const user of copy.users ?? []) {
          user.department_ids = ["dept_eng"];
          user.role_ids?.push("role_admin");
        }
        for (const composite of copy.composites ?? []) composite.member_slice_ids.push("kslice_a");
        for (const department of copy.departments ?? []) department.parent_id = null;
        const result = resolveAccess(graph, pickUser(input, n), { at }) as DeepMutable<ResolvedAccess>;
        try {
          result.entities.reverse();
          for (const entity of result.entities) {
            entity.access_level = "admin";
            entity.grant_paths.pop();
          }
        } catch (error) {
          // Frozen results are fine too.
          if (!(error instanceof TypeError)) throw error;
        }
        expect(resolveAll(graph, users, at)).toEqual(before);
        expectMatchesReference(graph, input, at);
      }),
    );
  });

  it("createGraph(graphToInput(g)) resolves identically, also after writes", () => {
    fc.assert(
      fc.property(arbInputWithWrites(4), ([input, writes, at]) => {
        let graph = createGraph(input);
        for (const w of writes) graph = tryWrite(graph, w) ?? graph;
        const exported = graphToInput(graph);
        const again = createGraph(exported);
        const users = usersToCheck(input);
        expect(resolveAll(again, users, at)).toEqual(resolveAll(graph, users, at));
        expect(usersWithAccessAll(again, input, at)).toEqual(usersWithAccessAll(graph, input, at));
        // The export is faithful enough for the oracle too.
        expectMatchesReference(graph, exported, at);
        expect(plain(graphToInput(again))).toEqual(plain(exported));
      }),
    );
  });

  it("valid write sequences on deep organizations answer as the reference does on the modelled input", () => {
    const arbitrary = graphInputArbitrary(DEEP).chain((input) =>
      fc.tuple(fc.constant(input), graphWritesArbitrary(input, { ...DEEP, maxWrites: 10 }), instantArbitrary()),
    );
    fc.assert(
      fc.property(arbitrary, ([input, writes, at]) => {
        let graph = createGraph(input);
        let modelInput = input;
        for (const write of writes) {
          const before = graph;
          const asked = userIdsToAsk(modelInput);
          const answersBefore = resolveAll(before, asked, at);
          graph = applyGeneratedWrite(graph, write);
          modelInput = applyWriteToInput(modelInput, write);
          for (const userId of userIdsToAsk(modelInput)) {
            expect(JSON.stringify(resolveAccess(graph, userId, { at })), userId).toBe(
              JSON.stringify(referenceResolve(modelInput, userId, { at })),
            );
          }
          // The graph written to answers as before (persistence).
          expect(resolveAll(before, asked, at)).toEqual(answersBefore);
        }
      }),
    );
  });

  it("writes do exactly what the model says (checked against the reference after each)", () => {
    fc.assert(
      fc.property(arbInputWithWrites(6), ([input, writes, at]) => {
        let graph = createGraph(input);
        let modelInput = input;
        for (const w of writes) {
          const outcome = model(modelInput, w);
          if (outcome.kind === "skip") continue;
          if (outcome.kind === "error") {
            expectAccessError(() => applyWrite(graph, w), outcome.code);
            continue;
          }
          const next = applyWrite(graph, w);
          modelInput =
            w.kind === "addGrant" ? learnGeneratedId(outcome.input, modelInput, next, w.grant) : outcome.input;
          graph = next;
          expectMatchesReference(graph, modelInput, at);
        }
      }),
    );
  });
});

type DeepMutable<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;
