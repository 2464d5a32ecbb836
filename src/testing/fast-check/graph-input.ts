/**
 * `graphInputArbitrary`: random organizations as plain {@link GraphInput}s that `createGraph`
 * accepts — nested departments, nested composites, expiring grants, unlisted users, implicit
 * departments and roles, and ids that break naive code — sized by a few knobs.
 * @module
 */
import * as fc from "fast-check";
import type {
  AccessLevel,
  CompositeInput,
  DepartmentInput,
  EntityType,
  GranteeType,
  GrantInput,
  GraphInput,
  UserInput,
} from "../../core/types.js";
import { idPool } from "./id-pools.js";
import { EXPIRY_CHOICES } from "./instants.js";

/**
 * The knobs of {@link graphInputArbitrary} (and of {@link graphWritesArbitrary}, which must be
 * given the same ones). Counts are maxima; every generated graph holds anything from none up to
 * them. Depths and counts past `createGraph`'s default limits (100) need raised limits.
 *
 * @example
 * ```ts
 * const options: GraphInputArbitraryOptions = { grants: 40, departmentDepth: 6, expiring: false };
 * ```
 */
export interface GraphInputArbitraryOptions {
  /** The organization every graph belongs to (default `org_acme`). */
  readonly organizationId?: string | undefined;
  /** The most listed users (default 6); the user pool holds two more, who appear only as grantees. */
  readonly users?: number | undefined;
  /** The most declared departments (default 5); the pool holds one more, only ever named implicitly. */
  readonly departments?: number | undefined;
  /** How many roles there are to hold and grant to (default 3). */
  readonly roles?: number | undefined;
  /** How many knowledge slices there are to grant and nest (default 6); plus 3 vector stores and 3 assistants. */
  readonly slices?: number | undefined;
  /** The most grants (default 20); at most one per entity and grantee. */
  readonly grants?: number | undefined;
  /** The most departments on one chain, the top one and the bottom one included (default 3; 1 is flat). */
  readonly departmentDepth?: number | undefined;
  /** The most containment steps on one chain of composites (default 3; 0 means no composite has members). */
  readonly compositeDepth?: number | undefined;
  /** The most direct members of a composite, and departments or roles of a user (default 3). */
  readonly fanOut?: number | undefined;
  /** The share of grants with an `expires_at` near {@link REFERENCE_INSTANT}, 0 to 1 (default 0.25); `true` is 0.25, `false` 0. */
  readonly expiring?: boolean | number | undefined;
  /** Draw ids from {@link ADVERSARIAL_ID_TOKENS} first (default `true`). */
  readonly adversarialIds?: boolean | undefined;
}

/**
 * The ids a generated graph is made of, per kind: {@link graphIdPools} of the same options always
 * gives the same pools.
 *
 * @example
 * ```ts
 * const pools: GraphIdPools = graphIdPools({ users: 2 });
 * pools.users.length; // 4: two to list, two only ever granted to
 * ```
 */
export interface GraphIdPools {
  /** The organization. */
  readonly organizationId: string;
  /** Users: the first ones may be listed, the last two never are. */
  readonly users: readonly string[];
  /** Departments, declared or named implicitly. */
  readonly departments: readonly string[];
  /** Roles. */
  readonly roles: readonly string[];
  /** Knowledge slices, plain or composite. */
  readonly slices: readonly string[];
  /** Vector stores. */
  readonly vectorStores: readonly string[];
  /** Assistants. */
  readonly assistants: readonly string[];
}

/** Options with their defaults, checked. */
export interface ResolvedGraphOptions {
  readonly organizationId: string;
  readonly users: number;
  readonly departments: number;
  readonly roles: number;
  readonly slices: number;
  readonly grants: number;
  readonly departmentDepth: number;
  readonly compositeDepth: number;
  readonly fanOut: number;
  /** Per mille of grants that expire. */
  readonly expiringPerMille: number;
  readonly adversarialIds: boolean;
}

function count(value: number | undefined, fallback: number, name: string, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`graphInputArbitrary: ${name} must be a whole number ≥ ${min}, not ${String(value)}`);
  }
  return value;
}

/** The knobs with their defaults; a `RangeError` for a knob out of range. */
export function resolveGraphOptions(options: GraphInputArbitraryOptions = {}): ResolvedGraphOptions {
  const expiring = options.expiring ?? true;
  const share = expiring === true ? 0.25 : expiring === false ? 0 : expiring;
  if (typeof share !== "number" || !(share >= 0 && share <= 1)) {
    throw new RangeError(`graphInputArbitrary: expiring must be a boolean or a number from 0 to 1`);
  }
  return {
    organizationId: options.organizationId ?? "org_acme",
    users: count(options.users, 6, "users"),
    departments: count(options.departments, 5, "departments"),
    roles: count(options.roles, 3, "roles"),
    slices: count(options.slices, 6, "slices"),
    grants: count(options.grants, 20, "grants"),
    departmentDepth: count(options.departmentDepth, 3, "departmentDepth", 1),
    compositeDepth: count(options.compositeDepth, 3, "compositeDepth"),
    fanOut: count(options.fanOut, 3, "fanOut"),
    expiringPerMille: Math.round(share * 1000),
    adversarialIds: options.adversarialIds ?? true,
  };
}

/**
 * The id pools {@link graphInputArbitrary} draws from for these options: handy for asking about
 * users and entities a graph does not mention, or for generating more data in the same id space.
 *
 * @example
 * ```ts
 * import { graphIdPools } from "grantpath/testing/fast-check";
 *
 * const { users, slices } = graphIdPools({ users: 3, slices: 4 });
 * ```
 */
export function graphIdPools(options: GraphInputArbitraryOptions = {}): GraphIdPools {
  const o = resolveGraphOptions(options);
  const ids = { adversarial: o.adversarialIds };
  return {
    organizationId: o.organizationId,
    users: idPool("user", o.users + 2, ids),
    departments: idPool("department", o.departments + 1, ids),
    roles: idPool("role", o.roles, ids),
    slices: idPool("knowledge_slice", o.slices, ids),
    vectorStores: idPool("vector_store", 3, ids),
    assistants: idPool("assistant", 3, ids),
  };
}

/** Distinct ids from `pool`, in random order, at most `max` of them. */
export function someOf(pool: readonly string[], max: number): fc.Arbitrary<string[]> {
  if (pool.length === 0 || max === 0) return fc.constant([]);
  return fc.uniqueArray(fc.constantFrom(...pool), { maxLength: Math.min(max, pool.length) });
}

/** A grant's entity and grantee, at most one grant per pair. */
interface GrantTarget {
  readonly entity_type: EntityType;
  readonly entity_id: string;
  readonly grantee_type: GranteeType;
  readonly grantee_id: string;
}

/** The key of docs/spec.md §2's "at most one grant per entity and grantee". */
export function grantPairKey(grant: GrantTarget): string {
  return `${grant.entity_type} ${grant.entity_id} ${grant.grantee_type} ${grant.grantee_id}`;
}

/** Every entity of the pools, with its type. */
export function entitiesOf(pools: GraphIdPools): { entity_type: EntityType; entity_id: string }[] {
  return [
    ...pools.slices.map((id) => ({ entity_type: "knowledge_slice" as const, entity_id: id })),
    ...pools.vectorStores.map((id) => ({ entity_type: "vector_store" as const, entity_id: id })),
    ...pools.assistants.map((id) => ({ entity_type: "assistant" as const, entity_id: id })),
  ];
}

/** Every grantee of the pools, with its type. */
export function granteesOf(pools: GraphIdPools): { grantee_type: GranteeType; grantee_id: string }[] {
  return [
    ...pools.users.map((id) => ({ grantee_type: "user" as const, grantee_id: id })),
    ...pools.departments.map((id) => ({ grantee_type: "department" as const, grantee_id: id })),
    ...pools.roles.map((id) => ({ grantee_type: "role" as const, grantee_id: id })),
  ];
}

const arbLevel: fc.Arbitrary<AccessLevel> = fc.constantFrom("read", "write", "admin");

/** Picks from the non-empty pools, weighted. */
function weighted<T>(choices: readonly { readonly weight: number; readonly pool: readonly T[] }[]): fc.Arbitrary<T> {
  const usable = choices.filter((choice) => choice.pool.length > 0);
  return fc.oneof(...usable.map((choice) => ({ weight: choice.weight, arbitrary: fc.constantFrom(...choice.pool) })));
}

/** An `expires_at` choice: absent, explicitly `null`, or one of {@link EXPIRY_CHOICES} (shrinks towards absent). */
export function expiryArbitrary(perMille: number): fc.Arbitrary<string | null | undefined> {
  return fc
    .tuple(fc.integer({ min: 0, max: 999 }), fc.nat(EXPIRY_CHOICES.length - 1), fc.boolean())
    .map(([draw, choice, explicitNull]) =>
      draw >= 1000 - perMille ? EXPIRY_CHOICES[choice] : explicitNull ? null : undefined,
    );
}

/** Builds a grant, leaving out the keys a caller may leave out. */
export function buildGrant(
  target: GrantTarget,
  id: string,
  level: AccessLevel,
  expiry: string | null | undefined,
  organizationId: string | undefined,
): GrantInput {
  return {
    id,
    entity_type: target.entity_type,
    entity_id: target.entity_id,
    grantee_type: target.grantee_type,
    grantee_id: target.grantee_id,
    access_level: level,
    ...(organizationId === undefined ? {} : { organization_id: organizationId }),
    ...(expiry === undefined ? {} : { expires_at: expiry }),
  };
}

/** A grant's target: slices weigh most (composites act on them), then departments and users as grantees. */
export function grantTargetArbitrary(pools: GraphIdPools): fc.Arbitrary<GrantTarget> {
  const entity = weighted<{ entity_type: EntityType; entity_id: string }>([
    {
      weight: 3,
      pool: pools.slices.map((id) => ({ entity_type: "knowledge_slice" as const, entity_id: id })),
    },
    { weight: 1, pool: pools.vectorStores.map((id) => ({ entity_type: "vector_store" as const, entity_id: id })) },
    { weight: 1, pool: pools.assistants.map((id) => ({ entity_type: "assistant" as const, entity_id: id })) },
  ]);
  const grantee = weighted<{ grantee_type: GranteeType; grantee_id: string }>([
    { weight: 2, pool: pools.users.map((id) => ({ grantee_type: "user" as const, grantee_id: id })) },
    { weight: 2, pool: pools.departments.map((id) => ({ grantee_type: "department" as const, grantee_id: id })) },
    { weight: 1, pool: pools.roles.map((id) => ({ grantee_type: "role" as const, grantee_id: id })) },
  ]);
  return fc.tuple(entity, grantee).map(([e, g]) => ({ ...e, ...g }));
}

/** Grant ids: adversarial ones and ones in the pattern `createGraph` generates, then `agrant_<n>`. */
function grantIdArbitrary(o: ResolvedGraphOptions): fc.Arbitrary<string> {
  const numbered = fc.nat(4 * o.grants + 10).map((n) => `agrant_${n}`);
  if (!o.adversarialIds) return numbered;
  const special = [...idPool("grant", 4), "agrant_auto_1", "agrant_auto_2"];
  return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...special) }, { weight: 3, arbitrary: numbered });
}

function grantsArbitrary(o: ResolvedGraphOptions, pools: GraphIdPools): fc.Arbitrary<GrantInput[]> {
  if (o.grants === 0) return fc.constant([]);
  const body = fc.record({
    target: grantTargetArbitrary(pools),
    level: arbLevel,
    expiry: expiryArbitrary(o.expiringPerMille),
    withOrganization: fc.boolean(),
  });
  return fc
    .tuple(
      // Lengths across the whole range, not only small ones: paths must pile up.
      fc.uniqueArray(body, { maxLength: o.grants, size: "max", selector: (b) => grantPairKey(b.target) }),
      fc.uniqueArray(grantIdArbitrary(o), { minLength: o.grants, maxLength: o.grants }),
    )
    .map(([bodies, ids]) =>
      bodies.map((b, i) =>
        buildGrant(
          b.target,
          ids[i] ?? `agrant_${i}`,
          b.level,
          b.expiry,
          b.withOrganization ? o.organizationId : undefined,
        ),
      ),
    );
}

function usersArbitrary(o: ResolvedGraphOptions, pools: GraphIdPools): fc.Arbitrary<UserInput[]> {
  const listable = pools.users.slice(0, o.users);
  if (listable.length === 0) return fc.constant([]);
  const user = fc
    .record({
      id: fc.constantFrom(...listable),
      departments: someOf(pools.departments, o.fanOut),
      roles: someOf(pools.roles, o.fanOut),
      omitEmpty: fc.boolean(),
    })
    .map(({ id, departments, roles, omitEmpty }) => ({
      id,
      ...(departments.length === 0 && omitEmpty ? {} : { department_ids: departments }),
      ...(roles.length === 0 && omitEmpty ? {} : { role_ids: roles }),
    }));
  return fc.uniqueArray(user, { maxLength: o.users, selector: (u) => u.id });
}

/**
 * A forest: each declared department's parent is none, an earlier declared one whose chain is
 * still short enough, or an undeclared (implicit, top-level) one.
 */
function departmentsArbitrary(o: ResolvedGraphOptions, pools: GraphIdPools): fc.Arbitrary<DepartmentInput[]> {
  if (o.departments === 0) return fc.constant([]);
  const size = o.departments;
  return fc
    .tuple(
      fc.shuffledSubarray([...pools.departments], { maxLength: size }),
      fc.array(fc.nat(), { minLength: size, maxLength: size }),
      fc.array(fc.boolean(), { minLength: size, maxLength: size }),
    )
    .map(([ids, choices, explicitNull]) => {
      const declared = new Set(ids);
      const implicit = pools.departments.filter((id) => !declared.has(id));
      const chain = new Map<string, number>(implicit.map((id) => [id, 1]));
      return ids.map((id, i): DepartmentInput => {
        const parents: (string | null)[] = [null];
        for (const earlier of ids.slice(0, i)) if ((chain.get(earlier) ?? 1) < o.departmentDepth) parents.push(earlier);
        if (o.departmentDepth > 1) parents.push(...implicit);
        const parent = parents[(choices[i] ?? 0) % parents.length] ?? null;
        chain.set(id, parent === null ? 1 : (chain.get(parent) ?? 1) + 1);
        if (parent !== null) return { id, parent_id: parent };
        return explicitNull[i] === true ? { id, parent_id: null } : { id };
      });
    });
}

/**
 * A DAG: a composite contains only slices after it in a shuffled order, at most `fanOut` of
 * them, and only those whose own chain leaves room within `compositeDepth`.
 */
function compositesArbitrary(o: ResolvedGraphOptions, pools: GraphIdPools): fc.Arbitrary<CompositeInput[]> {
  const size = pools.slices.length;
  if (size === 0) return fc.constant([]);
  const shape = fc.record({
    composite: fc.boolean(),
    offsets: o.fanOut === 0 ? fc.constant([]) : fc.uniqueArray(fc.nat(Math.max(0, size - 2)), { maxLength: o.fanOut }),
    keepEmpty: fc.boolean(),
  });
  return fc
    .tuple(
      fc.shuffledSubarray([...pools.slices], { minLength: size, maxLength: size }),
      fc.array(shape, { minLength: size, maxLength: size }),
    )
    .map(([ids, shapes]) => {
      const height = ids.map(() => 0);
      const composites: CompositeInput[] = [];
      for (let i = ids.length - 1; i >= 0; i--) {
        const s = shapes[i];
        const id = ids[i];
        if (s === undefined || id === undefined || !s.composite) continue;
        const members: string[] = [];
        for (const offset of s.offsets) {
          const j = i + 1 + offset;
          const member = ids[j];
          if (member === undefined || (height[j] ?? 0) + 1 > o.compositeDepth) continue;
          members.push(member);
          height[i] = Math.max(height[i] ?? 0, (height[j] ?? 0) + 1);
        }
        // An empty composite is a plain slice; keep a few to exercise that case.
        if (members.length > 0 || s.keepEmpty) composites.unshift({ id, member_slice_ids: members });
      }
      return composites;
    });
}

/**
 * Random valid organizations as plain {@link GraphInput}s: every one passes `createGraph` (with
 * its default limits, as long as the depth knobs stay within them).
 *
 * What you get: listed users with department and role memberships, and users only ever named as
 * grantees (unlisted: only direct grants reach them); departments nested up to `departmentDepth`,
 * some only ever named (implicit); composites nested up to `compositeDepth` without cycles, some
 * empty; roles listed or not; grants with explicit, unique ids, at most one per entity and
 * grantee, some expiring near {@link REFERENCE_INSTANT}, some carrying `organization_id`; and,
 * by default, ids such as `usr___proto__` and `kslice_constructor`. Small pools make shared
 * grantees and overlapping paths common. Every grant has an `id`, so the inputs suit
 * `referenceResolve` (from `grantpath/testing`) as they are.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { createGraph } from "grantpath";
 * import { referenceResolve } from "grantpath/testing";
 * import { graphInputArbitrary, instantArbitrary, userIdsToAsk } from "grantpath/testing/fast-check";
 *
 * fc.assert(
 *   fc.property(graphInputArbitrary({ grants: 30, departmentDepth: 4 }), instantArbitrary(), (input, at) => {
 *     const graph = createGraph(input);
 *     for (const userId of userIdsToAsk(input)) {
 *       assert.deepStrictEqual(myWrapper.resolve(graph, userId, at), referenceResolve(input, userId, { at }));
 *     }
 *   }),
 * );
 * ```
 */
export function graphInputArbitrary(options: GraphInputArbitraryOptions = {}): fc.Arbitrary<GraphInput> {
  const o = resolveGraphOptions(options);
  const pools = graphIdPools(options);
  return fc
    .record({
      owners: fc.option(someOf(pools.users, 2), { nil: undefined }),
      users: usersArbitrary(o, pools),
      departments: departmentsArbitrary(o, pools),
      roles: fc.option(someOf(pools.roles, pools.roles.length), { nil: undefined }),
      composites: compositesArbitrary(o, pools),
      grants: grantsArbitrary(o, pools),
    })
    .map(
      ({ owners, users, departments, roles, composites, grants }): GraphInput => ({
        organization_id: o.organizationId,
        ...(owners === undefined ? {} : { owners }),
        users,
        departments,
        ...(roles === undefined ? {} : { roles: roles.map((id) => ({ id })) }),
        composites,
        grants,
      }),
    );
}
