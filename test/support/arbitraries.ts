/**
 * fast-check generators of valid {@link GraphInput}s for the property tests. The id pools are
 * small on purpose, so shared grantees, shared departments and colliding slices happen
 * often, and they include ids that break naive object-as-map code (`__proto__`,
 * `constructor`, `toString`) and ids whose code-unit order differs from locale order.
 */
import fc from "fast-check";
import type {
  AccessLevel,
  CompositeInput,
  DepartmentInput,
  EntityType,
  GranteeType,
  GrantInput,
  GraphInput,
  UserInput,
} from "../../src/core/types.js";
import {
  EXPIRY_CHOICES as EXPORTED_EXPIRY_CHOICES,
  instantArbitrary,
  REFERENCE_INSTANT,
} from "../../src/testing/fast-check.js";

export const ORG_ID = "org_acme";
export const OTHER_ORG_ID = "org_other";

/** The instant expiries cluster around (the one grantpath/testing/fast-check's generators use). */
export const REF_INSTANT: number = REFERENCE_INSTANT;

export const USER_POOL = [
  "usr_alice",
  "usr_bob",
  "usr_Bob",
  "usr___proto__",
  "usr_constructor",
  "usr_toString",
  "usr_carol",
  "usr_d-1",
  "usr_e_2",
  "usr_zed",
] as const;
export const DEPT_POOL = [
  "dept_eng",
  "dept_backend",
  "dept_constructor",
  "dept___proto__",
  "dept_ops",
  "dept_Ops",
  "dept_x",
] as const;
export const ROLE_POOL = ["role_admin", "role___proto__", "role_viewer", "role_toString"] as const;
export const SLICE_POOL = [
  "kslice_a",
  "kslice_B",
  "kslice_toString",
  "kslice___proto__",
  "kslice_constructor",
  "kslice_c-1",
  "kslice_Z",
] as const;
export const STORE_POOL = ["vs_1", "vs_constructor", "vs_A"] as const;
export const ASSISTANT_POOL = ["asst_1", "asst___proto__", "asst_b"] as const;

export interface EntityRef {
  readonly entity_type: EntityType;
  readonly entity_id: string;
}

/** Every entity any generated grant can name. */
export const ENTITY_POOL: readonly EntityRef[] = [
  ...SLICE_POOL.map((id) => ({ entity_type: "knowledge_slice" as const, entity_id: id })),
  ...STORE_POOL.map((id) => ({ entity_type: "vector_store" as const, entity_id: id })),
  ...ASSISTANT_POOL.map((id) => ({ entity_type: "assistant" as const, entity_id: id })),
];

/** Grant ids that collide with the auto-generated pattern or with prototype keys. */
const SPECIAL_GRANT_IDS = [
  "agrant___proto__",
  "agrant_constructor",
  "agrant_toString",
  "agrant_auto_0",
  "agrant_auto_1",
];

/** Expiry choices: before, at and after the reference instant, in Z and offset notation. */
export const EXPIRY_CHOICES: readonly string[] = EXPORTED_EXPIRY_CHOICES;

/** `at` instants: exactly at, just before and just after every expiry, and anything near. */
export const arbAt: fc.Arbitrary<Date> = instantArbitrary();

export const arbLevel: fc.Arbitrary<AccessLevel> = fc.constantFrom("read", "write", "admin");
export const arbEntityType: fc.Arbitrary<EntityType> = fc.constantFrom("knowledge_slice", "vector_store", "assistant");
export const arbUserId: fc.Arbitrary<string> = fc.constantFrom(...USER_POOL);
export const arbDeptId: fc.Arbitrary<string> = fc.constantFrom(...DEPT_POOL);
export const arbRoleId: fc.Arbitrary<string> = fc.constantFrom(...ROLE_POOL);
export const arbSliceId: fc.Arbitrary<string> = fc.constantFrom(...SLICE_POOL);
export const arbEntity: fc.Arbitrary<EntityRef> = fc.constantFrom(...ENTITY_POOL);

export const arbGrantee: fc.Arbitrary<{ grantee_type: GranteeType; grantee_id: string }> = fc.oneof(
  { weight: 2, arbitrary: arbUserId.map((id) => ({ grantee_type: "user" as const, grantee_id: id })) },
  { weight: 2, arbitrary: arbDeptId.map((id) => ({ grantee_type: "department" as const, grantee_id: id })) },
  { weight: 1, arbitrary: arbRoleId.map((id) => ({ grantee_type: "role" as const, grantee_id: id })) },
);

/** A grant's target, biased to knowledge slices (where composites act). */
export const arbGrantEntity: fc.Arbitrary<EntityRef> = fc.oneof(
  { weight: 3, arbitrary: arbSliceId.map((id) => ({ entity_type: "knowledge_slice" as const, entity_id: id })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...STORE_POOL).map((id) => ({ entity_type: "vector_store" as const, entity_id: id })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...ASSISTANT_POOL).map((id) => ({ entity_type: "assistant" as const, entity_id: id })),
  },
);

/** The identity of a grant: at most one exists per tuple. */
export function grantTupleKey(g: {
  entity_type: EntityType;
  entity_id: string;
  grantee_type: GranteeType;
  grantee_id: string;
}): string {
  return `${g.entity_type} ${g.entity_id} ${g.grantee_type} ${g.grantee_id}`;
}

interface GrantBody {
  readonly entity: EntityRef;
  readonly grantee: { grantee_type: GranteeType; grantee_id: string };
  readonly level: AccessLevel;
  /** undefined: no key; null: explicit "never expires". */
  readonly expiry: string | null | undefined;
  readonly withOrg: boolean;
}

const arbGrantBody: fc.Arbitrary<GrantBody> = fc.record({
  entity: arbGrantEntity,
  grantee: arbGrantee,
  level: arbLevel,
  expiry: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.constantFrom(...EXPIRY_CHOICES) },
  ),
  withOrg: fc.boolean(),
});

function buildGrant(body: GrantBody, id: string | undefined, orgId: string): GrantInput {
  return {
    ...(id === undefined ? {} : { id }),
    entity_type: body.entity.entity_type,
    entity_id: body.entity.entity_id,
    grantee_type: body.grantee.grantee_type,
    grantee_id: body.grantee.grantee_id,
    access_level: body.level,
    ...(body.withOrg ? { organization_id: orgId } : {}),
    ...(body.expiry === undefined ? {} : { expires_at: body.expiry }),
  };
}

export const arbGrantId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPECIAL_GRANT_IDS),
  fc.nat(99).map((n) => `agrant_${n}`),
);

/** Grants with unique tuples and unique ids. */
function arbGrants(orgId: string, maxLength: number): fc.Arbitrary<GrantInput[]> {
  return fc
    .uniqueArray(arbGrantBody, {
      maxLength,
      // Lengths across the whole range, not only small ones: paths must pile up.
      size: "max",
      selector: (b) => grantTupleKey({ ...b.entity, ...b.grantee }),
    })
    .chain((bodies) =>
      fc
        .uniqueArray(arbGrantId, { minLength: bodies.length, maxLength: bodies.length })
        .map((ids) => bodies.map((body, i) => buildGrant(body, ids[i], orgId))),
    );
}

/** A single grant for `addGrant`; the caller must still check its tuple is fresh. */
export function arbNewGrant(orgId: string = ORG_ID): fc.Arbitrary<GrantInput> {
  return fc
    .tuple(arbGrantBody, fc.option(fc.constantFrom("agrant_new", "agrant_new___proto__"), { nil: undefined }))
    .map(([body, id]) => buildGrant(body, id, orgId));
}

/** A forest: each department's parent is an earlier one, and no chain is deeper than 4. */
const arbDepartments: fc.Arbitrary<DepartmentInput[]> = fc
  .tuple(
    fc.shuffledSubarray([...DEPT_POOL], { minLength: 1, maxLength: 6 }),
    fc.array(fc.nat(), { minLength: DEPT_POOL.length, maxLength: DEPT_POOL.length }),
  )
  .map(([ids, choices]) => {
    const depth: number[] = [];
    return ids.map((id, i) => {
      const options: (number | null)[] = [null];
      for (let j = 0; j < i; j++) if ((depth[j] ?? 0) < 3) options.push(j);
      const choice = choices[i] ?? 0;
      const parent = options[choice % options.length] ?? null;
      depth.push(parent === null ? 0 : (depth[parent] ?? 0) + 1);
      if (parent === null) return choice % 2 === 0 ? { id } : { id, parent_id: null };
      return { id, parent_id: ids[parent] ?? null };
    });
  });

/** A DAG: a composite only contains later-indexed slices, and nests at most 4 deep. */
const arbComposites: fc.Arbitrary<CompositeInput[]> = fc
  .tuple(
    fc.shuffledSubarray([...SLICE_POOL], { minLength: 2 }),
    fc.array(fc.record({ composite: fc.boolean(), mask: fc.nat(127), allowEmpty: fc.boolean() }), {
      minLength: SLICE_POOL.length,
      maxLength: SLICE_POOL.length,
    }),
  )
  .map(([ids, shapes]) => {
    const height = ids.map(() => 0);
    const composites: CompositeInput[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const shape = shapes[i];
      const id = ids[i];
      if (shape === undefined || id === undefined || !shape.composite) continue;
      const members: string[] = [];
      for (let j = i + 1; j < ids.length; j++) {
        const member = ids[j];
        if (member !== undefined && (shape.mask >> (j - i - 1)) & 1 && (height[j] ?? 0) < 4) {
          members.push(member);
          height[i] = Math.max(height[i] ?? 0, (height[j] ?? 0) + 1);
        }
      }
      // An empty composite is a plain slice; keep a few to exercise that case.
      if (members.length > 0 || (shape.allowEmpty && shape.mask % 8 === 0)) {
        composites.unshift({ id, member_slice_ids: members });
      }
    }
    return composites;
  });

const arbUser: fc.Arbitrary<UserInput> = fc
  .record({
    id: arbUserId,
    departments: fc.uniqueArray(arbDeptId, { maxLength: 3 }),
    roles: fc.uniqueArray(arbRoleId, { maxLength: 3 }),
    omitEmpty: fc.boolean(),
  })
  .map(({ id, departments, roles, omitEmpty }) => ({
    id,
    ...(departments.length === 0 && omitEmpty ? {} : { department_ids: departments }),
    ...(roles.length === 0 && omitEmpty ? {} : { role_ids: roles }),
  }));

export interface GraphInputOptions {
  readonly orgId?: string;
  readonly maxGrants?: number;
}

/**
 * A valid GraphInput. Users are a subset of {@link USER_POOL}, so the other pool users are
 * unlisted (only direct grants reach them); departments and roles named only in memberships
 * or grants exist implicitly.
 */
export function arbGraphInput(options: GraphInputOptions = {}): fc.Arbitrary<GraphInput> {
  const orgId = options.orgId ?? ORG_ID;
  return fc
    .record({
      owners: fc.option(fc.subarray([...USER_POOL], { maxLength: 2 }), { nil: undefined }),
      users: fc.uniqueArray(arbUser, { maxLength: 8, size: "max", selector: (u) => u.id }),
      departments: arbDepartments,
      roles: fc.option(fc.subarray([...ROLE_POOL]), { nil: undefined }),
      composites: arbComposites,
      grants: arbGrants(orgId, options.maxGrants ?? 30),
    })
    .map(({ owners, users, departments, roles, composites, grants }) => ({
      organization_id: orgId,
      ...(owners === undefined ? {} : { owners }),
      users,
      departments,
      ...(roles === undefined ? {} : { roles: roles.map((id) => ({ id })) }),
      composites,
      grants,
    }));
}

/** Every user worth asking about: the whole pool (listed, unlisted) plus every grantee. */
export function usersToCheck(input: GraphInput): string[] {
  const ids = new Set<string>(USER_POOL);
  for (const user of input.users ?? []) ids.add(user.id);
  for (const grant of input.grants ?? []) if (grant.grantee_type === "user") ids.add(grant.grantee_id);
  return [...ids];
}

/** Every entity worth asking about: the whole pool plus every granted or composite entity. */
export function entitiesToCheck(input: GraphInput): EntityRef[] {
  const seen = new Map<string, EntityRef>();
  const add = (e: EntityRef): void => {
    seen.set(`${e.entity_type} ${e.entity_id}`, e);
  };
  ENTITY_POOL.forEach(add);
  for (const g of input.grants ?? []) add({ entity_type: g.entity_type, entity_id: g.entity_id });
  for (const c of input.composites ?? []) {
    add({ entity_type: "knowledge_slice", entity_id: c.id });
    for (const m of c.member_slice_ids) add({ entity_type: "knowledge_slice", entity_id: m });
  }
  return [...seen.values()];
}

/** Picks a user by index among {@link usersToCheck}, so listed users and grantees come up often. */
export function pickUser(input: GraphInput, n: number): string {
  const users = usersToCheck(input);
  return users[n % users.length] ?? USER_POOL[0];
}

/** Picks an entity by index, preferring the ones grants actually name. */
export function pickEntity(input: GraphInput, n: number): EntityRef {
  const granted = (input.grants ?? []).map((g) => ({ entity_type: g.entity_type, entity_id: g.entity_id }));
  const pool = n % 3 === 0 || granted.length === 0 ? entitiesToCheck(input) : granted;
  return pool[Math.floor(n / 3) % pool.length] ?? { entity_type: "knowledge_slice", entity_id: SLICE_POOL[0] };
}

/** Reorders `items` by sort keys (stable), so a random key array gives a random permutation. */
export function permute<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, i, key: keys[i % Math.max(keys.length, 1)] ?? 0 }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map((entry) => entry.item);
}

/** Sort keys for {@link permute}: longer than any generated list. */
export const arbPermutationKeys: fc.Arbitrary<number[]> = fc.array(fc.nat(1000), { minLength: 64, maxLength: 64 });
