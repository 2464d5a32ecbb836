/**
 * Writes as plain data: `graphWritesArbitrary` generates sequences of them that are valid by
 * construction on a given graph, `applyWrite` applies one with the core's pure writes, and
 * `applyWriteToInput` does the same to a plain {@link GraphInput} — a model to check the
 * graph against (with {@link referenceResolve}).
 * @module
 */
import * as fc from "fast-check";
import type { AccessGraph } from "../../core/graph-state.js";
import {
  addGrant,
  expireGrant,
  moveDepartment,
  revokeGrant,
  setCompositeMembers,
  setUserDepartments,
  setUserRoles,
  updateGrantLevel,
} from "../../core/graph-writes.js";
import type { AccessLevel, GrantInput, GraphInput } from "../../core/types.js";
import { isWithin, reachableSlices } from "../reference-resolver.js";
import {
  buildGrant,
  entitiesOf,
  expiryArbitrary,
  type GraphIdPools,
  type GraphInputArbitraryOptions,
  granteesOf,
  grantPairKey,
  graphIdPools,
  type ResolvedGraphOptions,
  resolveGraphOptions,
} from "./graph-input.js";
import { idPool } from "./id-pools.js";

/**
 * One write to a graph, as plain data (so a failing sequence prints readably): each kind is the
 * core's pure write of that name, with its arguments.
 *
 * @example
 * ```ts
 * const write: GraphWrite = { kind: "moveDepartment", departmentId: "dept_backend", parentId: "dept_eng" };
 * const next = applyWrite(graph, write);
 * ```
 */
export type GraphWrite =
  | { readonly kind: "addGrant"; readonly grant: GrantInput }
  | { readonly kind: "revokeGrant"; readonly grantId: string }
  | { readonly kind: "updateGrantLevel"; readonly grantId: string; readonly level: AccessLevel }
  | { readonly kind: "expireGrant"; readonly grantId: string; readonly expiresAt: string | null }
  | { readonly kind: "setUserDepartments"; readonly userId: string; readonly departmentIds: readonly string[] }
  | { readonly kind: "setUserRoles"; readonly userId: string; readonly roleIds: readonly string[] }
  | { readonly kind: "moveDepartment"; readonly departmentId: string; readonly parentId: string | null }
  | {
      readonly kind: "setCompositeMembers";
      readonly compositeId: string;
      readonly memberSliceIds: readonly string[];
    };

/**
 * The kinds of {@link GraphWrite}.
 *
 * @example
 * ```ts
 * const growthOnly: GraphWriteKind[] = ["addGrant", "setUserDepartments", "setUserRoles"];
 * ```
 */
export type GraphWriteKind = GraphWrite["kind"];

const WRITE_WEIGHTS: Readonly<Record<GraphWriteKind, number>> = {
  addGrant: 3,
  revokeGrant: 1,
  updateGrantLevel: 1,
  expireGrant: 1,
  setUserDepartments: 1,
  setUserRoles: 1,
  moveDepartment: 1,
  setCompositeMembers: 1,
};

/**
 * Options of {@link graphWritesArbitrary}: the knobs the graph was generated with (ids come from
 * the same pools, depths stay within the same bounds), and how many writes of which kinds.
 *
 * @example
 * ```ts
 * const options: GraphWritesArbitraryOptions = { maxWrites: 20, kinds: ["addGrant", "revokeGrant"] };
 * ```
 */
export interface GraphWritesArbitraryOptions extends GraphInputArbitraryOptions {
  /** The most writes in a sequence (default 8). */
  readonly maxWrites?: number | undefined;
  /** The kinds of write to generate (default: all). */
  readonly kinds?: readonly GraphWriteKind[] | undefined;
}

/** What one write is drawn from; turned into a valid write against the model of the graph so far. */
interface WriteDraw {
  readonly kind: GraphWriteKind;
  readonly a: number;
  readonly b: number;
  readonly picks: readonly number[];
  readonly level: AccessLevel;
  /** An added grant's `expires_at`. */
  readonly expiry: string | null | undefined;
  /** What an `expireGrant` sets (`undefined` and `null` clear it). */
  readonly newExpiry: string | null | undefined;
  readonly withOrganization: boolean;
}

/**
 * Sequences of writes that are **valid by construction** on `createGraph(input)`, applied in
 * order: an added grant names a fresh entity-and-grantee pair and a fresh id; revokes, level
 * changes and expiries name a grant the graph holds at that point; a department moves only
 * under a declared department outside its own subtree; a composite's new members close no cycle;
 * and department and composite depths stay within `departmentDepth` and `compositeDepth`. So
 * {@link applyWrite} never throws on them (with `createGraph`'s default limits), and
 * {@link applyWriteToInput} gives the input they lead to. Ids come from the pools of
 * {@link graphIdPools}`(options)` and from `input` itself, so it works on your own inputs too;
 * pass the options `input` was generated with. Writes that may be no-ops (setting a level a grant
 * already has) are kept: they must change nothing.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { createGraph } from "grantpath";
 * import { applyWrite, applyWriteToInput, graphInputArbitrary, graphWritesArbitrary } from "grantpath/testing/fast-check";
 *
 * const options = { grants: 10 };
 * const arbitrary = graphInputArbitrary(options).chain((input) =>
 *   graphWritesArbitrary(input, options).map((writes) => ({ input, writes })),
 * );
 * fc.assert(
 *   fc.property(arbitrary, ({ input, writes }) => {
 *     const graph = writes.reduce(applyWrite, createGraph(input));
 *     const model = writes.reduce(applyWriteToInput, input); // what the graph now holds, as a GraphInput
 *   }),
 * );
 * ```
 */
export function graphWritesArbitrary(
  input: GraphInput,
  options: GraphWritesArbitraryOptions = {},
): fc.Arbitrary<GraphWrite[]> {
  const o = resolveGraphOptions(options);
  const maxWrites = options.maxWrites ?? 8;
  if (!Number.isSafeInteger(maxWrites) || maxWrites < 0) {
    throw new RangeError("graphWritesArbitrary: maxWrites must be a whole number ≥ 0");
  }
  const kinds = options.kinds ?? (Object.keys(WRITE_WEIGHTS) as GraphWriteKind[]);
  if (kinds.length === 0) return fc.constant([]);
  const pools = withInputIds(graphIdPools(options), input);
  const draw: fc.Arbitrary<WriteDraw> = fc.record({
    kind: fc.oneof(...kinds.map((kind) => ({ weight: WRITE_WEIGHTS[kind], arbitrary: fc.constant(kind) }))),
    a: fc.nat(),
    b: fc.nat(),
    picks: fc.array(fc.nat(), { maxLength: o.fanOut }),
    level: fc.constantFrom<AccessLevel>("read", "write", "admin"),
    expiry: expiryArbitrary(o.expiringPerMille),
    newExpiry: expiryArbitrary(o.expiringPerMille === 0 ? 0 : 750),
    withOrganization: fc.boolean(),
  });
  return fc.array(draw, { maxLength: maxWrites }).map((draws) => {
    const writes: GraphWrite[] = [];
    const usedIds = new Set((input.grants ?? []).flatMap((g) => (g.id === undefined ? [] : [g.id])));
    let model = input;
    for (const d of draws) {
      const write = writeFor(model, d, o, pools, usedIds);
      if (write === undefined) continue;
      if (write.kind === "addGrant" && write.grant.id !== undefined) usedIds.add(write.grant.id);
      writes.push(write);
      model = applyWriteToInput(model, write);
    }
    return writes;
  });
}

/** The pools, plus every id of each kind that `input` names. */
function withInputIds(pools: GraphIdPools, input: GraphInput): GraphIdPools {
  const users = new Set(pools.users);
  const departments = new Set(pools.departments);
  const roles = new Set(pools.roles);
  const slices = new Set(pools.slices);
  const vectorStores = new Set(pools.vectorStores);
  const assistants = new Set(pools.assistants);
  for (const user of input.users ?? []) {
    users.add(user.id);
    for (const id of user.department_ids ?? []) departments.add(id);
    for (const id of user.role_ids ?? []) roles.add(id);
  }
  for (const department of input.departments ?? []) {
    departments.add(department.id);
    if (department.parent_id) departments.add(department.parent_id);
  }
  for (const role of input.roles ?? []) roles.add(role.id);
  for (const composite of input.composites ?? []) {
    slices.add(composite.id);
    for (const id of composite.member_slice_ids) slices.add(id);
  }
  for (const grant of input.grants ?? []) {
    const entities = { knowledge_slice: slices, vector_store: vectorStores, assistant: assistants };
    entities[grant.entity_type].add(grant.entity_id);
    const grantees = { user: users, department: departments, role: roles };
    grantees[grant.grantee_type].add(grant.grantee_id);
  }
  return {
    organizationId: pools.organizationId,
    users: [...users],
    departments: [...departments],
    roles: [...roles],
    slices: [...slices],
    vectorStores: [...vectorStores],
    assistants: [...assistants],
  };
}

/** Distinct members of `pool` chosen by `picks`, in pick order. */
function picked(pool: readonly string[], picks: readonly number[]): string[] {
  if (pool.length === 0) return [];
  return [...new Set(picks.map((n) => pool[n % pool.length] as string))];
}

/** The write `d` stands for on `model`, or none when its kind has nothing to act on. */
function writeFor(
  model: GraphInput,
  d: WriteDraw,
  o: ResolvedGraphOptions,
  pools: GraphIdPools,
  usedIds: ReadonlySet<string>,
): GraphWrite | undefined {
  const grants = model.grants ?? [];
  const grant = grants.length === 0 ? undefined : grants[d.a % grants.length];
  switch (d.kind) {
    case "addGrant":
      return newGrant(model, d, o, pools, usedIds);
    case "revokeGrant":
      return grant?.id === undefined ? undefined : { kind: "revokeGrant", grantId: grant.id };
    case "updateGrantLevel":
      return grant?.id === undefined ? undefined : { kind: "updateGrantLevel", grantId: grant.id, level: d.level };
    case "expireGrant":
      return grant?.id === undefined
        ? undefined
        : { kind: "expireGrant", grantId: grant.id, expiresAt: d.newExpiry ?? null };
    case "setUserDepartments":
      return {
        kind: "setUserDepartments",
        userId: pools.users[d.a % pools.users.length] as string,
        departmentIds: picked(pools.departments, d.picks),
      };
    case "setUserRoles":
      return {
        kind: "setUserRoles",
        userId: pools.users[d.a % pools.users.length] as string,
        roleIds: picked(pools.roles, d.picks),
      };
    case "moveDepartment":
      return departmentMove(model, d, o);
    case "setCompositeMembers":
      return compositeMembers(model, d, o, pools);
  }
}

function newGrant(
  model: GraphInput,
  d: WriteDraw,
  o: ResolvedGraphOptions,
  pools: GraphIdPools,
  usedIds: ReadonlySet<string>,
): GraphWrite | undefined {
  const entities = entitiesOf(pools);
  const grantees = granteesOf(pools);
  const pairs = entities.length * grantees.length;
  const taken = new Set((model.grants ?? []).map(grantPairKey));
  for (let step = 0; step < pairs; step++) {
    const n = (d.a + step) % pairs;
    const target = {
      ...(entities[n % entities.length] as (typeof entities)[number]),
      ...(grantees[Math.floor(n / entities.length)] as (typeof grantees)[number]),
    };
    if (taken.has(grantPairKey(target))) continue;
    const candidates = o.adversarialIds ? [...idPool("grant", 4), "agrant_auto_3"] : [];
    let id = d.b % 2 === 0 ? candidates.find((c) => !usedIds.has(c)) : undefined;
    for (let i = 0; id === undefined; i++) if (!usedIds.has(`agrant_w${i}`)) id = `agrant_w${i}`;
    const organization = d.withOrganization ? o.organizationId : undefined;
    return { kind: "addGrant", grant: buildGrant(target, id, d.level, d.expiry, organization) };
  }
  return undefined;
}

function parentIn(model: GraphInput, departmentId: string): string | null {
  return (model.departments ?? []).find((d) => d.id === departmentId)?.parent_id ?? null;
}

/** How many departments are on the chain from the top down to `departmentId`, itself included. */
function chainLength(model: GraphInput, departmentId: string): number {
  const seen = new Set<string>();
  let length = 0;
  for (let at: string | null = departmentId; at !== null && !seen.has(at); at = parentIn(model, at)) {
    seen.add(at);
    length++;
  }
  return length;
}

/** How many departments are on the longest chain from `departmentId` down, itself included. */
function heightOf(model: GraphInput, departmentId: string, seen: Set<string> = new Set()): number {
  if (seen.has(departmentId)) return 0;
  seen.add(departmentId);
  let below = 0;
  for (const child of model.departments ?? []) {
    if (child.parent_id === departmentId) below = Math.max(below, heightOf(model, child.id, seen));
  }
  seen.delete(departmentId);
  return 1 + below;
}

function departmentMove(model: GraphInput, d: WriteDraw, o: ResolvedGraphOptions): GraphWrite | undefined {
  const declared = (model.departments ?? []).map((dept) => dept.id);
  if (declared.length === 0) return undefined;
  const departmentId = declared[d.a % declared.length] as string;
  const height = heightOf(model, departmentId);
  const parents: (string | null)[] = [
    null,
    ...declared.filter((p) => !isWithin(model, p, departmentId) && chainLength(model, p) + height <= o.departmentDepth),
  ];
  return { kind: "moveDepartment", departmentId, parentId: parents[d.b % parents.length] ?? null };
}

function membersIn(model: GraphInput, sliceId: string): readonly string[] {
  return (model.composites ?? []).find((c) => c.id === sliceId)?.member_slice_ids ?? [];
}

/** The most containment steps below `sliceId` (0 for a plain slice). */
function stepsBelow(model: GraphInput, sliceId: string, seen: Set<string> = new Set()): number {
  if (seen.has(sliceId)) return 0;
  seen.add(sliceId);
  let most = 0;
  for (const member of membersIn(model, sliceId)) most = Math.max(most, 1 + stepsBelow(model, member, seen));
  seen.delete(sliceId);
  return most;
}

/** The most containment steps above `sliceId` (0 when no composite contains it). */
function stepsAbove(model: GraphInput, sliceId: string, seen: Set<string> = new Set()): number {
  if (seen.has(sliceId)) return 0;
  seen.add(sliceId);
  let most = 0;
  for (const composite of model.composites ?? []) {
    if (composite.member_slice_ids.includes(sliceId)) most = Math.max(most, 1 + stepsAbove(model, composite.id, seen));
  }
  seen.delete(sliceId);
  return most;
}

function compositeMembers(
  model: GraphInput,
  d: WriteDraw,
  o: ResolvedGraphOptions,
  pools: GraphIdPools,
): GraphWrite | undefined {
  if (pools.slices.length === 0) return undefined;
  const compositeId = pools.slices[d.a % pools.slices.length] as string;
  const above = stepsAbove(model, compositeId);
  const candidates = pools.slices.filter(
    (m) =>
      m !== compositeId &&
      !reachableSlices(model, m).has(compositeId) &&
      above + 1 + stepsBelow(model, m) <= o.compositeDepth,
  );
  return { kind: "setCompositeMembers", compositeId, memberSliceIds: picked(candidates, d.picks) };
}

/**
 * Applies one {@link GraphWrite} with the core's pure write of its kind, returning the new graph.
 * It does not check or skip anything: a write that the core refuses (an unknown grant, a cycle,
 * a second grant for a pair) throws the core's `AccessError`. Writes from
 * {@link graphWritesArbitrary} are valid by construction and never do.
 *
 * @example
 * ```ts
 * import { createGraph } from "grantpath";
 * import { applyWrite } from "grantpath/testing/fast-check";
 *
 * const graph = applyWrite(createGraph({ organization_id: "org_1" }), {
 *   kind: "setUserRoles", userId: "usr_1", roleIds: ["role_admin"],
 * });
 * ```
 */
export function applyWrite(graph: AccessGraph, write: GraphWrite): AccessGraph {
  switch (write.kind) {
    case "addGrant":
      return addGrant(graph, write.grant);
    case "revokeGrant":
      return revokeGrant(graph, write.grantId);
    case "updateGrantLevel":
      return updateGrantLevel(graph, write.grantId, write.level);
    case "expireGrant":
      return expireGrant(graph, write.grantId, write.expiresAt);
    case "setUserDepartments":
      return setUserDepartments(graph, write.userId, write.departmentIds);
    case "setUserRoles":
      return setUserRoles(graph, write.userId, write.roleIds);
    case "moveDepartment":
      return moveDepartment(graph, write.departmentId, write.parentId);
    case "setCompositeMembers":
      return setCompositeMembers(graph, write.compositeId, write.memberSliceIds);
  }
}

/**
 * What a {@link GraphWrite} does, done to a plain {@link GraphInput}: the model of
 * {@link applyWrite}. For a valid write, `createGraph(applyWriteToInput(input, write))` answers
 * every question as `applyWrite(createGraph(input), write)` does, so the reference can be asked
 * about the graph after any writes. It checks nothing: give it valid writes.
 *
 * @example
 * ```ts
 * import { referenceResolve } from "grantpath/testing";
 * import { applyWriteToInput } from "grantpath/testing/fast-check";
 *
 * const after = writes.reduce(applyWriteToInput, input);
 * const expected = referenceResolve(after, "usr_a", { at });
 * ```
 */
export function applyWriteToInput(input: GraphInput, write: GraphWrite): GraphInput {
  const grants = input.grants ?? [];
  switch (write.kind) {
    case "addGrant":
      return { ...input, grants: [...grants, write.grant] };
    case "revokeGrant":
      return { ...input, grants: grants.filter((g) => g.id !== write.grantId) };
    case "updateGrantLevel":
      return {
        ...input,
        grants: grants.map((g) => (g.id === write.grantId ? { ...g, access_level: write.level } : g)),
      };
    case "expireGrant":
      return {
        ...input,
        grants: grants.map((g) => {
          if (g.id !== write.grantId) return g;
          const { expires_at: _previous, ...rest } = g;
          return write.expiresAt === null ? rest : { ...rest, expires_at: write.expiresAt };
        }),
      };
    case "setUserDepartments":
      return withUser(input, write.userId, { department_ids: [...write.departmentIds] });
    case "setUserRoles":
      return withUser(input, write.userId, { role_ids: [...write.roleIds] });
    case "moveDepartment": {
      const departments = input.departments ?? [];
      const moved = { id: write.departmentId, parent_id: write.parentId };
      return departments.some((d) => d.id === write.departmentId)
        ? { ...input, departments: departments.map((d) => (d.id === write.departmentId ? moved : d)) }
        : { ...input, departments: [...departments, moved] };
    }
    case "setCompositeMembers": {
      const composites = input.composites ?? [];
      const set = { id: write.compositeId, member_slice_ids: [...write.memberSliceIds] };
      return composites.some((c) => c.id === write.compositeId)
        ? { ...input, composites: composites.map((c) => (c.id === write.compositeId ? set : c)) }
        : { ...input, composites: [...composites, set] };
    }
  }
}

function withUser(
  input: GraphInput,
  userId: string,
  change: { readonly department_ids: string[] } | { readonly role_ids: string[] },
): GraphInput {
  const users = input.users ?? [];
  if (users.some((u) => u.id === userId)) {
    return { ...input, users: users.map((u) => (u.id === userId ? { ...u, ...change } : u)) };
  }
  return { ...input, users: [...users, { id: userId, department_ids: [], role_ids: [], ...change }] };
}
