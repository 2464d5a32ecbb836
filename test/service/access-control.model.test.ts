/**
 * Model-based test of the grant-management service: random sequences of service
 * operations by random actors run against `createAccessControl` over `memoryStorage`, and
 * against a plain model of the organization. For every operation the model decides, from the spec
 * sections 2, 5 and 6, whether the call is accepted and with which error code it is refused
 * (in the order the service documents: validation, organization, the grant by id,
 * permission, then conflicts); on acceptance the model applies the change and the answer is
 * compared field by field. After every step the service's resolved access of every user in
 * the pools must equal the brute-force reference resolution of the model, and the exported
 * directory must equal the model's, so a refused call provably changed nothing.
 *
 * Two services share the storage (as two processes share a database) and commands switch
 * between them, so the idle one must notice every write through the storage's change
 * notifications; a restart, at random and after every run, rebuilds a third service from the
 * storage alone and compares every grant record, revoked ones included. Another organization
 * in the same storage grants admin on most entities to every pool user, so any leak between
 * organizations shows up as a wrong decision. The number of runs is the global one (500, or
 * FC_NUM_RUNS); a failure prints the seed, the replay path and the shrunk list of calls.
 *
 * Where the spec is silent, the model follows the service's documented behaviour: grants that
 * have expired but are not revoked still list, can be changed and revoked, block deleting the
 * department they name, and are replaced (revoked, then granted anew) by a create for the same
 * pair; a bulk request naming one grantee twice is a VALIDATION_ERROR of its input, found before
 * the organization and the permission are looked at; directory writes check ownership before
 * existence. Generated ids are only required to be fresh and increasing: a refused bulk
 * request may consume ids for the items planned before the one that failed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GrantFilter } from "../../src/adapter.js";
import type { AccessLevel, EntityType, GranteeType, GrantInput, GraphInput } from "../../src/core/types.js";
import {
  type AccessControl,
  AccessError,
  type CreateGrantInput,
  createAccessControl,
  type GrantList,
  type GrantRecord,
  type ListGrantsQuery,
  memoryStorage,
  type PageQuery,
  type StorageAdapter,
} from "../../src/index.js";
import { type ManualClock, manualClock, sequentialIds } from "../../src/testing/test-kit.js";
import { ORG_ID, OTHER_ORG_ID } from "../support/arbitraries.js";
import {
  isWithin,
  reachableSlices,
  referenceCheck,
  referenceResolve,
  referenceUsersWithAccess,
} from "../support/reference.js";

// ---------------------------------------------------------------------------------------------
// Pools: small, so that grants, memberships and containment collide often.

const ORG = ORG_ID;
const MISSING_ORG = "org_missing";
const MALFORMED_ORG = "org acme";
const MALFORMED_ACTOR = "usr_";
const START = "2025-06-15T10:00:00Z";

const USERS = ["usr_alice", "usr_bob", "usr___proto__", "usr_constructor", "usr_carol", "usr_zed"] as const;
const OWNER_CANDIDATES = ["usr_owner1", "usr_owner2", "usr_alice"] as const;
/** Never granted anything, never a member, never an owner. */
const STRANGER = "usr_stranger";
/** The owner of the other organization: nobody in ours. */
const OUTSIDER = "usr_outsider";
const DEPTS = ["dept_eng", "dept_backend", "dept___proto__", "dept_ops"] as const;
const ROLES = ["role_admin", "role___proto__", "role_viewer"] as const;
const SLICES = ["kslice_a", "kslice_B", "kslice_constructor", "kslice_c-1"] as const;
const STORES = ["vs_1", "vs_constructor"] as const;
const ASSISTANTS = ["asst_1", "asst___proto__"] as const;

const CLOCK_STEPS = [1, 999, 1_000, 60_000, 3_600_000] as const;
/** Expiry offsets from the current clock; 0 and below must be refused as not in the future. */
const FUTURE_OFFSETS = [1, 1_000, 60_000, 3_600_000] as const;
const PAST_OFFSETS = [0, -1_000] as const;

type Code =
  | "VALIDATION_ERROR"
  | "RESOURCE_NOT_FOUND"
  | "INSUFFICIENT_PERMISSIONS"
  | "RESOURCE_ALREADY_EXISTS"
  | "INVALID_GRAPH";

interface Entity {
  readonly entity_type: EntityType;
  readonly entity_id: string;
}

interface Grantee {
  readonly grantee_type: GranteeType;
  readonly grantee_id: string;
}

// ---------------------------------------------------------------------------------------------
// The model: a plain description of the organization, and the system under test.

interface Membership {
  department_ids: string[];
  role_ids: string[];
}

interface Model {
  readonly owners: readonly string[];
  clockMs: number;
  /** Listed users and their direct memberships. */
  readonly users: Map<string, Membership>;
  /** Declared departments and their parents. */
  readonly departments: Map<string, string | null>;
  /** Declared composites and their direct members. */
  readonly composites: Map<string, string[]>;
  /** Every grant ever made in the organization, revoked ones included, in creation order. */
  readonly records: Map<string, GrantRecord>;
  /** The newest generated grant id seen per id prefix (each service's sequentialIds count up). */
  readonly lastGrantIds: Map<string, string>;
}

/**
 * Two services over one storage, as two processes over one database: commands go to the
 * `current` one, and both must always see the model (the other one learns of each write only
 * through the storage's change notifications).
 */
class Real {
  current: 0 | 1 = 0;

  constructor(
    readonly services: readonly [AccessControl, AccessControl],
    readonly storage: StorageAdapter,
    readonly clock: ManualClock,
  ) {}

  get ac(): AccessControl {
    return this.services[this.current];
  }
}

const atOf = (m: Model): Date => new Date(m.clockMs);
/** The wire format of `created_at` and friends: UTC, whole seconds. */
const stampOf = (m: Model): string => `${new Date(m.clockMs).toISOString().slice(0, 19)}Z`;
const primaryOwner = (m: Model): string => m.owners[0] ?? "usr_owner1";
const isOwner = (m: Model, userId: string): boolean => m.owners.includes(userId);

function activeRecords(m: Model): GrantRecord[] {
  return [...m.records.values()].filter((record) => record.revoked_at === undefined);
}

function isExpired(record: GrantRecord, ms: number): boolean {
  return record.expires_at !== undefined && Date.parse(record.expires_at) <= ms;
}

function entityOf(record: GrantRecord): Entity {
  return { entity_type: record.entity_type, entity_id: record.entity_id };
}

function granteeOf(record: GrantRecord): Grantee {
  return { grantee_type: record.grantee_type, grantee_id: record.grantee_id };
}

/** The model as the plain GraphInput the reference resolver reads. */
function graphInput(m: Model): GraphInput {
  return {
    organization_id: ORG,
    owners: [...m.owners],
    users: [...m.users].map(([id, user]) => ({
      id,
      department_ids: [...user.department_ids],
      role_ids: [...user.role_ids],
    })),
    departments: [...m.departments].map(([id, parent_id]) => ({ id, parent_id })),
    composites: [...m.composites].map(([id, members]) => ({ id, member_slice_ids: [...members] })),
    grants: activeRecords(m).map(
      (record): GrantInput => ({
        id: record.id,
        entity_type: record.entity_type,
        entity_id: record.entity_id,
        grantee_type: record.grantee_type,
        grantee_id: record.grantee_id,
        access_level: record.access_level,
        ...(record.expires_at === undefined ? {} : { expires_at: record.expires_at }),
      }),
    ),
  };
}

/** docs/spec.md §6: owners may manage every grant; anyone else needs `admin` on the entity, now. */
function mayManage(m: Model, actor: string, entity: Entity): boolean {
  return (
    isOwner(m, actor) ||
    referenceCheck(graphInput(m), actor, entity.entity_type, entity.entity_id, { level: "admin", at: atOf(m) }).allowed
  );
}

/** The grant (not revoked, possibly expired) a grantee holds on an entity. */
function grantForPair(m: Model, entityId: string, granteeId: string): GrantRecord | undefined {
  return activeRecords(m).find((record) => record.entity_id === entityId && record.grantee_id === granteeId);
}

/** A department the organization knows: declared, a parent, holding members, or named by a grant. */
function departmentIsKnown(m: Model, departmentId: string): boolean {
  if (m.departments.has(departmentId)) return true;
  for (const parent of m.departments.values()) if (parent === departmentId) return true;
  for (const user of m.users.values()) if (user.department_ids.includes(departmentId)) return true;
  return activeRecords(m).some((r) => r.grantee_type === "department" && r.grantee_id === departmentId);
}

/** Giving `departmentId` the parent `parentId` would close a cycle. */
function departmentCycle(m: Model, departmentId: string, parentId: string | null): boolean {
  return parentId !== null && (parentId === departmentId || isWithin(graphInput(m), parentId, departmentId));
}

/** Letting `compositeId` contain `members` would close a cycle. */
function compositeCycle(m: Model, compositeId: string, members: readonly string[]): boolean {
  const input = graphInput(m);
  return members.some((member) => member === compositeId || reachableSlices(input, member).has(compositeId));
}

function retire(m: Model, record: GrantRecord): void {
  const stamp = stampOf(m);
  m.records.set(record.id, { ...record, updated_at: stamp, revoked_at: stamp });
}

function expectFreshId(m: Model, id: string): void {
  expect(id, "generated grant ids come from sequentialIds").toMatch(/^agrant_(test|peer)\d{4}$/);
  expect(m.records.has(id), `grant id ${id} is handed out twice`).toBe(false);
  const prefix = id.slice(0, -4);
  const last = m.lastGrantIds.get(prefix) ?? "";
  expect(id > last, `grant id ${id} does not follow ${last}`).toBe(true);
  m.lastGrantIds.set(prefix, id);
}

function newRecord(
  m: Model,
  id: string,
  actor: string,
  entity: Entity,
  grantee: Grantee,
  level: AccessLevel,
  expiresAt: string | undefined,
): GrantRecord {
  const stamp = stampOf(m);
  return {
    id,
    entity_type: entity.entity_type,
    entity_id: entity.entity_id,
    grantee_type: grantee.grantee_type,
    grantee_id: grantee.grantee_id,
    access_level: level,
    granted_by: actor,
    organization_id: ORG,
    created_at: stamp,
    updated_at: stamp,
    ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
  };
}

/** Listing order: `created_at`, then `id`. */
function compareListed(a: GrantRecord, b: GrantRecord): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function expectedPage(m: Model, keep: (record: GrantRecord) => boolean, skip: number, limit: number): GrantList {
  const matching = activeRecords(m).filter(keep).sort(compareListed);
  const items = matching.slice(skip, skip + limit);
  return { items, total: matching.length, skip, limit, has_more: skip + items.length < matching.length };
}

// ---------------------------------------------------------------------------------------------
// Deciding and comparing outcomes.

type OrgChoice = "main" | "missing" | "malformed";

function orgIdOf(choice: OrgChoice): string {
  return choice === "main" ? ORG : choice === "missing" ? MISSING_ORG : MALFORMED_ORG;
}

type Stage = () => Code | null;

/** The first stage that refuses decides the error; none refusing means the call is accepted. */
function decide(...stages: Stage[]): Code | null {
  for (const stage of stages) {
    const code = stage();
    if (code !== null) return code;
  }
  return null;
}

/** The organization and the acting user must be well-formed ids. */
const validCaller =
  (choice: OrgChoice, actor: string): Stage =>
  () =>
    choice === "malformed" || actor === MALFORMED_ACTOR ? "VALIDATION_ERROR" : null;
const organizationExists =
  (choice: OrgChoice): Stage =>
  () =>
    choice === "missing" ? "RESOURCE_NOT_FOUND" : null;
const when =
  (condition: () => boolean, code: Code): Stage =>
  () =>
    condition() ? code : null;

type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: string; readonly message: string };

async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (error instanceof AccessError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

/** Asserts the service decided as the model did; the accepted value, or null for an expected refusal. */
function settle<T>(label: string, outcome: Outcome<T>, expected: Code | null): { readonly value: T } | null {
  if (expected === null) {
    if (!outcome.ok) {
      throw new Error(`${label}: the model accepts, the service refused with ${outcome.code}: ${outcome.message}`);
    }
    return { value: outcome.value };
  }
  if (outcome.ok) throw new Error(`${label}: the model expects ${expected}, the service accepted`);
  if (outcome.code !== expected) {
    throw new Error(
      `${label}: the model expects ${expected}, the service refused with ${outcome.code}: ${outcome.message}`,
    );
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Checks after every step.

function subjects(m: Model): string[] {
  return [...new Set<string>([...USERS, ...m.owners, "usr_owner2", STRANGER, OUTSIDER])];
}

const sorted = (ids: readonly string[] | undefined): string[] => [...(ids ?? [])].sort();
const byId = <T extends { readonly id: string }>(items: T[]): T[] => items.sort((a, b) => (a.id < b.id ? -1 : 1));

interface DirectoryView {
  readonly owners: string[];
  readonly users: { id: string; department_ids: string[]; role_ids: string[] }[];
  readonly departments: { id: string; parent_id: string | null }[];
  readonly composites: { id: string; member_slice_ids: string[] }[];
  readonly grants: Record<string, string | null>[];
}

/** An exported or modelled graph, in an order- and representation-independent form. */
function directoryView(input: GraphInput): DirectoryView {
  return {
    owners: sorted(input.owners),
    users: byId(
      (input.users ?? [])
        .map((u) => ({ id: u.id, department_ids: sorted(u.department_ids), role_ids: sorted(u.role_ids) }))
        .filter((u) => u.department_ids.length + u.role_ids.length > 0),
    ),
    departments: byId((input.departments ?? []).map((d) => ({ id: d.id, parent_id: d.parent_id ?? null }))),
    composites: byId((input.composites ?? []).map((c) => ({ id: c.id, member_slice_ids: sorted(c.member_slice_ids) }))),
    grants: (input.grants ?? [])
      .map((g) => ({
        id: g.id ?? null,
        entity_type: g.entity_type,
        entity_id: g.entity_id,
        grantee_type: g.grantee_type,
        grantee_id: g.grantee_id,
        access_level: g.access_level,
        expires_at: g.expires_at ?? null,
      }))
      .sort((a, b) => ((a.id ?? "") < (b.id ?? "") ? -1 : 1)),
  };
}

/** Resolution of every user and the whole directory agree with the model. */
async function checkState(m: Model, ac: AccessControl): Promise<void> {
  const owner = primaryOwner(m);
  const input = graphInput(m);
  const at = atOf(m);
  for (const user of subjects(m)) {
    const actual = await ac.resolveAccess(ORG, owner, user);
    expect(actual, `resolved access of ${user}`).toEqual(referenceResolve(input, user, { at }));
  }
  const exported = await ac.exportOrganization(ORG, owner);
  expect(directoryView(exported), "the organization's directory and grants").toEqual(directoryView(input));
}

/** A second service over the same storage (a restart) sees exactly the model, every grant record included. */
async function checkFreshService(m: Model, real: Real): Promise<void> {
  const fresh = createAccessControl({
    storage: real.storage,
    clock: real.clock.now,
    ids: sequentialIds("agrant_fresh"),
  });
  try {
    await checkState(m, fresh);
    const owner = primaryOwner(m);
    const all = expectedPage(m, () => true, 0, Number.MAX_SAFE_INTEGER).items;
    for (let skip = 0; skip === 0 || skip < all.length; skip += 100) {
      const page = await fresh.listGrants(ORG, owner, { skip, limit: 100 });
      expect(page, `grant list from ${skip}`).toStrictEqual(expectedPage(m, () => true, skip, 100));
    }
    for (const record of m.records.values()) {
      expect(await fresh.getGrant(ORG, owner, record.id), `grant ${record.id}`).toStrictEqual(record);
    }
  } finally {
    await fresh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Commands. Arguments are drawn without the model; references to existing state (an actor
// who owns, a grant, a membership) are indices resolved against the model when the command
// runs, and the resolved call is what the command prints.

type ActorChoice =
  | { readonly kind: "owner"; readonly index: number }
  | { readonly kind: "user"; readonly id: string }
  | { readonly kind: "admin"; readonly index: number }
  | { readonly kind: "stranger" }
  | { readonly kind: "outsider" }
  | { readonly kind: "malformed" };

function actorOf(m: Model, choice: ActorChoice): string {
  switch (choice.kind) {
    case "owner":
      return m.owners[choice.index % m.owners.length] ?? primaryOwner(m);
    case "user":
      return choice.id;
    case "admin": {
      // A user who is no owner but administers some entity right now.
      const admins = USERS.filter((user) => !isOwner(m, user) && administered(m, user).length > 0);
      return pick(admins, choice.index) ?? USERS[choice.index % USERS.length] ?? STRANGER;
    }
    case "stranger":
      return STRANGER;
    case "outsider":
      return OUTSIDER;
    case "malformed":
      return MALFORMED_ACTOR;
  }
}

function pick<T>(items: readonly T[], index: number | null): T | undefined {
  return index === null || items.length === 0 ? undefined : items[index % items.length];
}

/** The values a record of arbitraries produces. */
type ArgsOf<T> = { [K in keyof T]: T[K] extends fc.Arbitrary<infer U> ? U : never };

type Step = (m: Model, r: Real, note: (call: string) => void) => Promise<void>;

class Op implements fc.AsyncCommand<Model, Real> {
  private call: string;

  constructor(
    name: string,
    args: unknown,
    private readonly step: Step,
  ) {
    this.call = `${name} ${JSON.stringify(args)}`;
  }

  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    await this.step(m, r, (call) => {
      this.call = call;
    });
    for (const service of r.services) await checkState(m, service);
  }

  toString(): string {
    return this.call;
  }
}

const describeCall = (name: string, args: Record<string, unknown>): string => `${name}(${JSON.stringify(args)})`;

// --- arbitraries shared by the commands

const arbOrg: fc.Arbitrary<OrgChoice> = fc.oneof(
  { weight: 40, arbitrary: fc.constant<OrgChoice>("main") },
  { weight: 1, arbitrary: fc.constant<OrgChoice>("missing") },
  { weight: 1, arbitrary: fc.constant<OrgChoice>("malformed") },
);

function arbActorWith(ownerWeight: number): fc.Arbitrary<ActorChoice> {
  return fc.oneof(
    { weight: 3 * ownerWeight, arbitrary: fc.nat(1).map((index): ActorChoice => ({ kind: "owner", index })) },
    { weight: 12, arbitrary: fc.constantFrom(...USERS).map((id): ActorChoice => ({ kind: "user", id })) },
    { weight: 12, arbitrary: fc.nat().map((index): ActorChoice => ({ kind: "admin", index })) },
    { weight: 3, arbitrary: fc.constant<ActorChoice>({ kind: "stranger" }) },
    { weight: 3, arbitrary: fc.constant<ActorChoice>({ kind: "outsider" }) },
    { weight: 1, arbitrary: fc.constant<ActorChoice>({ kind: "malformed" }) },
  );
}

/** Grant operations: owners, users who may hold admin grants, and nobodies. */
const arbActor = arbActorWith(5);
/** Directory writes succeed for owners only: ask them more often. */
const arbDirectoryActor = arbActorWith(16);

/** Admin often: it is what lets non-owners manage grants. */
const arbLevel: fc.Arbitrary<AccessLevel> = fc.constantFrom("read", "write", "admin", "admin");

const arbEntity: fc.Arbitrary<Entity> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...SLICES).map((id): Entity => ({ entity_type: "knowledge_slice", entity_id: id })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...STORES).map((id): Entity => ({ entity_type: "vector_store", entity_id: id })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...ASSISTANTS).map((id): Entity => ({ entity_type: "assistant", entity_id: id })),
  },
);

const arbGrantee: fc.Arbitrary<Grantee> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...USERS, "usr_owner2").map((id): Grantee => ({ grantee_type: "user", grantee_id: id })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...DEPTS).map((id): Grantee => ({ grantee_type: "department", grantee_id: id })),
  },
  { weight: 2, arbitrary: fc.constantFrom(...ROLES).map((id): Grantee => ({ grantee_type: "role", grantee_id: id })) },
);

/** An expiry offset from now in ms; `null` for none. */
const arbExpiry: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.constantFrom(...FUTURE_OFFSETS) },
  { weight: 1, arbitrary: fc.constantFrom(...PAST_OFFSETS) },
);

/**
 * Which entity (and, for creates, which grantee) an operation targets: the drawn one; the
 * entity and grantee of an existing grant (`again`: conflicts, expired pairs); or an entity the
 * actor administers (`mine`: so that non-owners' calls are accepted often too).
 */
type Target =
  | { readonly kind: "drawn" }
  | { readonly kind: "again"; readonly index: number }
  | { readonly kind: "mine"; readonly index: number };

const arbTarget: fc.Arbitrary<Target> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Target>({ kind: "drawn" }) },
  { weight: 2, arbitrary: fc.nat().map((index): Target => ({ kind: "again", index })) },
  { weight: 3, arbitrary: fc.nat().map((index): Target => ({ kind: "mine", index })) },
);

/** The entities a user holds `admin` on right now, by the reference resolution of the model. */
function administered(m: Model, userId: string): Entity[] {
  return referenceResolve(graphInput(m), userId, { at: atOf(m) })
    .entities.filter((entity) => entity.access_level === "admin")
    .map((entity) => ({ entity_type: entity.entity_type, entity_id: entity.entity_id }));
}

function targetOf(m: Model, actor: string, target: Target, entity: Entity, grantee: Grantee): [Entity, Grantee] {
  if (target.kind === "again") {
    const previous = pick(activeRecords(m), target.index);
    if (previous) return [entityOf(previous), granteeOf(previous)];
  }
  if (target.kind === "mine") return [pick(administered(m, actor), target.index) ?? entity, grantee];
  return [entity, grantee];
}

type GrantRef =
  | { readonly kind: "mine"; readonly index: number }
  | { readonly kind: "active"; readonly index: number }
  | { readonly kind: "any"; readonly index: number }
  | { readonly kind: "unknown"; readonly id: string }
  | { readonly kind: "malformed" };

const arbGrantRef: fc.Arbitrary<GrantRef> = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((index): GrantRef => ({ kind: "mine", index })) },
  { weight: 4, arbitrary: fc.nat().map((index): GrantRef => ({ kind: "active", index })) },
  { weight: 3, arbitrary: fc.nat().map((index): GrantRef => ({ kind: "any", index })) },
  {
    weight: 1,
    // Never made here: a grant id of the other organization, or ids that trip naive maps.
    arbitrary: fc
      .constantFrom("agrant_test0001", "agrant_test0009", "agrant___proto__", "agrant_toString")
      .map((id): GrantRef => ({ kind: "unknown", id })),
  },
  { weight: 1, arbitrary: fc.constant<GrantRef>({ kind: "malformed" }) },
);

/** The grant id a command acts on, and whether it is a well-formed id at all. */
function grantIdOf(m: Model, actor: string, ref: GrantRef): { id: string; wellFormed: boolean } {
  switch (ref.kind) {
    case "mine": {
      // A grant (revoked ones included) on an entity the actor administers.
      const mine = new Set(administered(m, actor).map((e) => `${e.entity_type} ${e.entity_id}`));
      const records = [...m.records.values()].filter((g) => mine.has(`${g.entity_type} ${g.entity_id}`));
      return {
        id: pick(records, ref.index)?.id ?? pick([...m.records.keys()], ref.index) ?? "agrant_unknown",
        wellFormed: true,
      };
    }
    case "active":
      return { id: pick(activeRecords(m), ref.index)?.id ?? "agrant_unknown", wellFormed: true };
    case "any":
      return { id: pick([...m.records.keys()], ref.index) ?? "agrant_unknown", wellFormed: true };
    case "unknown":
      return { id: m.records.has(ref.id) ? "agrant_unknown" : ref.id, wellFormed: true };
    case "malformed":
      return { id: "agrant_not valid", wellFormed: false };
  }
}

function expiresAtOf(m: Model, offset: number | null): string | undefined {
  return offset === null ? undefined : new Date(m.clockMs + offset).toISOString();
}

// --- grants

const createGrantSpec = {
  org: arbOrg,
  actor: arbActor,
  target: arbTarget,
  entity: arbEntity,
  grantee: arbGrantee,
  level: arbLevel,
  expiry: arbExpiry,
};

const createGrantOp = (a: ArgsOf<typeof createGrantSpec>): Op =>
  new Op("createGrant", a, async (m, r, note) => {
    const actor = actorOf(m, a.actor);
    const [entity, grantee] = targetOf(m, actor, a.target, a.entity, a.grantee);
    const expiresAt = expiresAtOf(m, a.expiry);
    const input: CreateGrantInput = {
      ...entity,
      ...grantee,
      access_level: a.level,
      ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
    };
    note(describeCall("createGrant", { org: orgIdOf(a.org), actor, input }));
    const existing = grantForPair(m, entity.entity_id, grantee.grantee_id);
    const expected = decide(
      validCaller(a.org, actor),
      when(() => a.expiry !== null && a.expiry <= 0, "VALIDATION_ERROR"),
      organizationExists(a.org),
      when(() => !mayManage(m, actor, entity), "INSUFFICIENT_PERMISSIONS"),
      when(() => existing !== undefined && !isExpired(existing, m.clockMs), "RESOURCE_ALREADY_EXISTS"),
    );
    const accepted = settle(
      "createGrant",
      await attempt(() => r.ac.createGrant(orgIdOf(a.org), actor, input)),
      expected,
    );
    if (!accepted) return;
    const record = accepted.value;
    const wanted = newRecord(m, record.id, actor, entity, grantee, a.level, expiresAt);
    expect(record, "the created grant").toStrictEqual(wanted);
    expectFreshId(m, record.id);
    // An expired grant of the same pair no longer counts: it is retired and replaced.
    if (existing) retire(m, existing);
    m.records.set(record.id, wanted);
  });

const arbCreateGrant = fc.record(createGrantSpec).map(createGrantOp);

const arbBulkItem = fc.record({ grantee: arbGrantee, level: arbLevel, expiry: arbExpiry });

const arbBulkCreate = fc
  .record({
    org: arbOrg,
    actor: arbActor,
    target: arbTarget,
    entity: arbEntity,
    items: fc.array(arbBulkItem, { minLength: 1, maxLength: 4 }),
    duplicate: fc.nat(4).map((n) => n === 0),
    existingAt: fc.option(fc.nat(), { freq: 2 }),
    noItems: fc.nat(19).map((n) => n === 0),
  })
  .map(
    (a) =>
      new Op("bulkCreateGrants", a, async (m, r, note) => {
        const actor = actorOf(m, a.actor);
        const [entity] = targetOf(m, actor, a.target, a.entity, { grantee_type: "user", grantee_id: STRANGER });
        const items = a.noItems ? [] : [...a.items];
        // Force a conflict: a grantee that already holds a grant on this entity.
        const holder = pick(
          activeRecords(m).filter((record) => record.entity_id === entity.entity_id),
          a.existingAt,
        );
        if (holder && a.existingAt !== null) {
          items.splice(a.existingAt % (items.length + 1), 0, {
            grantee: granteeOf(holder),
            level: "read",
            expiry: null,
          });
        }
        // Force a validation error: the same grantee twice.
        const first = items[0];
        if (a.duplicate && first) items.push({ ...first, level: "write" });
        const grants = items.map((item) => {
          const expiresAt = expiresAtOf(m, item.expiry);
          return {
            ...item.grantee,
            access_level: item.level,
            ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
          };
        });
        const input = { ...entity, grants };
        note(describeCall("bulkCreateGrants", { org: orgIdOf(a.org), actor, input }));

        // All or nothing: the first item that cannot be granted refuses the whole request.
        const replaced: GrantRecord[] = [];
        const planConflicts: Stage = () => {
          for (const item of items) {
            const existing = grantForPair(m, entity.entity_id, item.grantee.grantee_id);
            if (existing && !isExpired(existing, m.clockMs)) return "RESOURCE_ALREADY_EXISTS";
            if (existing) replaced.push(existing);
          }
          return null;
        };
        const expected = decide(
          validCaller(a.org, actor),
          when(() => items.length === 0, "VALIDATION_ERROR"),
          when(() => items.some((item) => item.expiry !== null && item.expiry <= 0), "VALIDATION_ERROR"),
          when(() => new Set(items.map((item) => item.grantee.grantee_id)).size < items.length, "VALIDATION_ERROR"),
          organizationExists(a.org),
          when(() => !mayManage(m, actor, entity), "INSUFFICIENT_PERMISSIONS"),
          planConflicts,
        );
        const accepted = settle(
          "bulkCreateGrants",
          await attempt(() => r.ac.bulkCreateGrants(orgIdOf(a.org), actor, input)),
          expected,
        );
        if (!accepted) return;
        const records = accepted.value;
        expect(records.length, "one grant per item").toBe(items.length);
        const wanted = records.map((record, index) => {
          const item = items[index];
          if (!item) throw new Error("more grants than items");
          return newRecord(m, record.id, actor, entity, item.grantee, item.level, expiresAtOf(m, item.expiry));
        });
        expect(records, "the created grants").toStrictEqual(wanted);
        for (const record of records) expectFreshId(m, record.id);
        for (const existing of replaced) retire(m, existing);
        for (const record of wanted) m.records.set(record.id, record);
      }),
  );

const arbUpdateGrant = fc.record({ org: arbOrg, actor: arbActor, ref: arbGrantRef, level: arbLevel }).map(
  (a) =>
    new Op("updateGrant", a, async (m, r, note) => {
      const actor = actorOf(m, a.actor);
      const { id, wellFormed } = grantIdOf(m, actor, a.ref);
      note(describeCall("updateGrant", { org: orgIdOf(a.org), actor, id, access_level: a.level }));
      const record = m.records.get(id);
      const active = record?.revoked_at === undefined ? record : undefined;
      const expected = decide(
        validCaller(a.org, actor),
        when(() => !wellFormed, "VALIDATION_ERROR"),
        organizationExists(a.org),
        when(() => active === undefined, "RESOURCE_NOT_FOUND"),
        when(() => active !== undefined && !mayManage(m, actor, entityOf(active)), "INSUFFICIENT_PERMISSIONS"),
      );
      const accepted = settle(
        "updateGrant",
        await attempt(() => r.ac.updateGrant(orgIdOf(a.org), actor, id, { access_level: a.level })),
        expected,
      );
      if (!accepted || !active) return;
      const updated =
        active.access_level === a.level ? active : { ...active, access_level: a.level, updated_at: stampOf(m) };
      expect(accepted.value, "the updated grant").toStrictEqual(updated);
      m.records.set(id, updated);
    }),
);

const arbRevokeGrant = fc.record({ org: arbOrg, actor: arbActor, ref: arbGrantRef }).map(
  (a) =>
    new Op("revokeGrant", a, async (m, r, note) => {
      const actor = actorOf(m, a.actor);
      const { id, wellFormed } = grantIdOf(m, actor, a.ref);
      note(describeCall("revokeGrant", { org: orgIdOf(a.org), actor, id }));
      const record = m.records.get(id);
      const active = record?.revoked_at === undefined ? record : undefined;
      const expected = decide(
        validCaller(a.org, actor),
        when(() => !wellFormed, "VALIDATION_ERROR"),
        organizationExists(a.org),
        when(() => active === undefined, "RESOURCE_NOT_FOUND"),
        when(() => active !== undefined && !mayManage(m, actor, entityOf(active)), "INSUFFICIENT_PERMISSIONS"),
      );
      const accepted = settle(
        "revokeGrant",
        await attempt(() => r.ac.revokeGrant(orgIdOf(a.org), actor, id)),
        expected,
      );
      if (!accepted || !active) return;
      expect(accepted.value).toBeUndefined();
      retire(m, active);
    }),
);

const arbGetGrant = fc.record({ org: arbOrg, actor: arbActor, ref: arbGrantRef }).map(
  (a) =>
    new Op("getGrant", a, async (m, r, note) => {
      const actor = actorOf(m, a.actor);
      const { id, wellFormed } = grantIdOf(m, actor, a.ref);
      note(describeCall("getGrant", { org: orgIdOf(a.org), actor, id }));
      // Revoked grants stay readable by id, with `revoked_at`.
      const record = m.records.get(id);
      const expected = decide(
        validCaller(a.org, actor),
        when(() => !wellFormed, "VALIDATION_ERROR"),
        organizationExists(a.org),
        when(() => record === undefined, "RESOURCE_NOT_FOUND"),
        when(() => record !== undefined && !mayManage(m, actor, entityOf(record)), "INSUFFICIENT_PERMISSIONS"),
      );
      const accepted = settle("getGrant", await attempt(() => r.ac.getGrant(orgIdOf(a.org), actor, id)), expected);
      if (accepted) expect(accepted.value, "the grant read by id").toStrictEqual(record);
    }),
);

/** A listing's wire-spelled query, as given, or with its filters' camelCase names. */
function spelled(
  query: GrantFilter & PageQuery,
  spelling: "camelCase" | "wire",
): ListGrantsQuery | (GrantFilter & PageQuery) {
  if (spelling === "wire") return query;
  const { entity_type, entity_id, grantee_type, grantee_id, ...paging } = query;
  return {
    ...paging,
    ...(entity_type === undefined ? {} : { entityType: entity_type }),
    ...(entity_id === undefined ? {} : { entityId: entity_id }),
    ...(grantee_type === undefined ? {} : { granteeType: grantee_type }),
    ...(grantee_id === undefined ? {} : { granteeId: grantee_id }),
  };
}

type ListShape = "all" | "entity" | "entityIdOnly" | "entityAndGrantee" | "typeOnly" | "granteeOnly" | "perEntity";

const arbListGrants = fc
  .record({
    org: arbOrg,
    actor: arbActor,
    shape: fc.constantFrom<ListShape>(
      "all",
      "entity",
      "entity",
      "entityIdOnly",
      "entityAndGrantee",
      "typeOnly",
      "granteeOnly",
      "perEntity",
      "perEntity",
    ),
    target: arbTarget,
    entity: arbEntity,
    grantee: arbGrantee,
    skip: fc.option(fc.constantFrom(0, 1, 3), { freq: 2 }),
    limit: fc.option(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(1, 2, 5, 100) },
        { weight: 1, arbitrary: fc.constantFrom(0, 101) },
      ),
      { freq: 2 },
    ),
    // The filters' camelCase names, or the wire's spelling the service still accepts.
    spelling: fc.constantFrom<"camelCase" | "wire">("camelCase", "wire"),
  })
  .map(
    (a) =>
      new Op("listGrants", a, async (m, r, note) => {
        const actor = actorOf(m, a.actor);
        const [entity, grantee] = targetOf(m, actor, a.target, a.entity, a.grantee);
        const paging = {
          ...(a.skip === null ? {} : { skip: a.skip }),
          ...(a.limit === null ? {} : { limit: a.limit }),
        };
        const org = orgIdOf(a.org);
        let query: GrantFilter & PageQuery;
        let keep: (record: GrantRecord) => boolean;
        const sameEntity = (g: GrantRecord) => g.entity_type === entity.entity_type && g.entity_id === entity.entity_id;
        const sameGrantee = (g: GrantRecord) =>
          g.grantee_type === grantee.grantee_type && g.grantee_id === grantee.grantee_id;
        switch (a.shape) {
          case "all":
            query = paging;
            keep = () => true;
            break;
          case "entity":
          case "perEntity":
            query = { ...entity, ...paging };
            keep = sameEntity;
            break;
          case "entityIdOnly":
            query = { entity_id: entity.entity_id, ...paging };
            keep = sameEntity;
            break;
          case "entityAndGrantee":
            query = { ...entity, ...grantee, ...paging };
            keep = (g) => sameEntity(g) && sameGrantee(g);
            break;
          case "typeOnly":
            query = { entity_type: entity.entity_type, ...paging };
            keep = (g) => g.entity_type === entity.entity_type;
            break;
          case "granteeOnly":
            query = { ...grantee, ...paging };
            keep = sameGrantee;
            break;
        }
        const call = (): Promise<GrantList> => {
          if (a.shape !== "perEntity") return r.ac.listGrants(org, actor, spelled(query, a.spelling));
          switch (entity.entity_type) {
            case "knowledge_slice":
              return r.ac.listSliceGrants(org, actor, entity.entity_id, paging);
            case "vector_store":
              return r.ac.listVectorStoreGrants(org, actor, entity.entity_id, paging);
            case "assistant":
              return r.ac.listAssistantGrants(org, actor, entity.entity_id, paging);
          }
        };
        note(
          describeCall(a.shape === "perEntity" ? `list ${entity.entity_type} grants` : "listGrants", {
            org,
            actor,
            query,
          }),
        );
        // Grants of one entity: its admins and the owners; anything broader: owners only.
        const ofOneEntity = a.shape !== "all" && a.shape !== "typeOnly" && a.shape !== "granteeOnly";
        const expected = decide(
          validCaller(a.org, actor),
          when(() => a.limit === 0 || a.limit === 101, "VALIDATION_ERROR"),
          organizationExists(a.org),
          when(() => (ofOneEntity ? !mayManage(m, actor, entity) : !isOwner(m, actor)), "INSUFFICIENT_PERMISSIONS"),
        );
        const accepted = settle(`listGrants(${a.shape})`, await attempt(call), expected);
        if (accepted) {
          expect(accepted.value, "the grant page").toStrictEqual(expectedPage(m, keep, a.skip ?? 0, a.limit ?? 20));
        }
      }),
  );

// --- reading access

const arbResolvedAccess = fc
  .record({
    org: arbOrg,
    actor: arbActor,
    subject: fc.option(fc.constantFrom<string>(...USERS, "usr_owner1", STRANGER), { freq: 2 }),
    entityType: fc.option(fc.constantFrom<EntityType>("knowledge_slice", "vector_store", "assistant"), { freq: 3 }),
  })
  .map(
    (a) =>
      new Op("resolveAccess", a, async (m, r, note) => {
        const actor = actorOf(m, a.actor);
        const subject = a.subject ?? actor;
        const query = a.entityType === null ? {} : { entity_type: a.entityType };
        note(describeCall("resolveAccess", { org: orgIdOf(a.org), actor, subject, query }));
        const expected = decide(
          validCaller(a.org, actor),
          organizationExists(a.org),
          when(() => actor !== subject && !isOwner(m, actor), "INSUFFICIENT_PERMISSIONS"),
        );
        const accepted = settle(
          "resolveAccess",
          await attempt(() => r.ac.resolveAccess(orgIdOf(a.org), actor, subject, query)),
          expected,
        );
        if (accepted) {
          const wanted = referenceResolve(graphInput(m), subject, {
            entityType: a.entityType ?? undefined,
            at: atOf(m),
          });
          expect(accepted.value, "the resolved access").toEqual(wanted);
        }
      }),
  );

const arbUsersWithAccess = fc.record({ org: arbOrg, actor: arbActor, target: arbTarget, entity: arbEntity }).map(
  (a) =>
    new Op("usersWithAccess", a, async (m, r, note) => {
      const actor = actorOf(m, a.actor);
      const [entity] = targetOf(m, actor, a.target, a.entity, { grantee_type: "user", grantee_id: STRANGER });
      note(describeCall("usersWithAccess", { org: orgIdOf(a.org), actor, entity }));
      const expected = decide(
        validCaller(a.org, actor),
        organizationExists(a.org),
        when(() => !mayManage(m, actor, entity), "INSUFFICIENT_PERMISSIONS"),
      );
      const accepted = settle(
        "usersWithAccess",
        await attempt(() => r.ac.usersWithAccess(orgIdOf(a.org), actor, entity)),
        expected,
      );
      if (accepted) {
        const wanted = referenceUsersWithAccess(graphInput(m), entity.entity_type, entity.entity_id, { at: atOf(m) });
        expect(accepted.value, "the users with access").toEqual(wanted);
      }
    }),
);

// --- the directory (owners only)

const ownerOnly = (m: Model, actor: string): Stage => when(() => !isOwner(m, actor), "INSUFFICIENT_PERMISSIONS");

const membershipSpec = {
  org: arbOrg,
  actor: arbDirectoryActor,
  kind: fc.constantFrom<"department" | "role">("department", "role"),
  add: fc.boolean(),
  held: fc.option(fc.nat(), { freq: 3 }),
  user: fc.constantFrom<string>(...USERS, "usr_owner1"),
  department: fc.constantFrom<string>(...DEPTS),
  role: fc.constantFrom<string>(...ROLES),
};

const membershipOp = (a: ArgsOf<typeof membershipSpec>): Op =>
  new Op("membership", a, async (m, r, note) => {
    const actor = actorOf(m, a.actor);
    const listOf = (user: Membership): string[] => (a.kind === "department" ? user.department_ids : user.role_ids);
    // Sometimes a membership that is held, so removals succeed and additions are no-ops.
    const held = [...m.users].flatMap(([user, memberships]) =>
      listOf(memberships).map((group) => [user, group] as const),
    );
    const chosen = pick(held, a.held);
    const user = chosen?.[0] ?? a.user;
    const group = chosen?.[1] ?? (a.kind === "department" ? a.department : a.role);
    const name = `${a.add ? "add" : "remove"}${a.kind === "department" ? "Department" : "Role"}Member`;
    note(describeCall(name, { org: orgIdOf(a.org), actor, user, group }));
    const current = m.users.get(user);
    const has = current !== undefined && listOf(current).includes(group);
    const expected = decide(
      validCaller(a.org, actor),
      organizationExists(a.org),
      ownerOnly(m, actor),
      when(() => !a.add && !has, "RESOURCE_NOT_FOUND"),
    );
    const org = orgIdOf(a.org);
    const call =
      a.kind === "department"
        ? a.add
          ? () => r.ac.addDepartmentMember(org, actor, user, group)
          : () => r.ac.removeDepartmentMember(org, actor, user, group)
        : a.add
          ? () => r.ac.addRoleMember(org, actor, user, group)
          : () => r.ac.removeRoleMember(org, actor, user, group);
    const accepted = settle(name, await attempt(call), expected);
    if (!accepted) return;
    const memberships = current ?? { department_ids: [], role_ids: [] };
    if (a.add && !has) listOf(memberships).push(group);
    if (!a.add) {
      if (a.kind === "department") memberships.department_ids = memberships.department_ids.filter((d) => d !== group);
      else memberships.role_ids = memberships.role_ids.filter((d) => d !== group);
    }
    if (a.add || current !== undefined) m.users.set(user, memberships);
    const answer = accepted.value;
    expect(
      { id: answer.id, department_ids: sorted(answer.department_ids), role_ids: sorted(answer.role_ids) },
      "the user's memberships",
    ).toStrictEqual({
      id: user,
      department_ids: sorted(memberships.department_ids),
      role_ids: sorted(memberships.role_ids),
    });
  });

const arbMembership = fc.record(membershipSpec).map(membershipOp);

const arbParent: fc.Arbitrary<string | null> = fc.option(fc.constantFrom<string>(...DEPTS), { freq: 3 });

const createDepartmentSpec = {
  org: arbOrg,
  actor: arbDirectoryActor,
  id: fc.constantFrom<string>(...DEPTS),
  parent: arbParent,
};

const createDepartmentOp = (a: ArgsOf<typeof createDepartmentSpec>): Op =>
  new Op("createDepartment", a, async (m, r, note) => {
    const actor = actorOf(m, a.actor);
    note(describeCall("createDepartment", { org: orgIdOf(a.org), actor, id: a.id, parent_id: a.parent }));
    const expected = decide(
      validCaller(a.org, actor),
      organizationExists(a.org),
      ownerOnly(m, actor),
      when(() => m.departments.has(a.id), "RESOURCE_ALREADY_EXISTS"),
      when(() => departmentCycle(m, a.id, a.parent), "INVALID_GRAPH"),
    );
    const accepted = settle(
      "createDepartment",
      await attempt(() => r.ac.createDepartment(orgIdOf(a.org), actor, { id: a.id, parent_id: a.parent })),
      expected,
    );
    if (!accepted) return;
    expect(accepted.value).toStrictEqual({ id: a.id, parent_id: a.parent });
    m.departments.set(a.id, a.parent);
  });

const arbCreateDepartment = fc.record(createDepartmentSpec).map(createDepartmentOp);

/** Sometimes an index into the departments the organization knows, or the composites it declares. */
const arbKnown: fc.Arbitrary<number | null> = fc.option(fc.nat(), { freq: 2 });

function knownDepartment(m: Model, index: number | null): string | undefined {
  return pick(
    DEPTS.filter((d) => departmentIsKnown(m, d)),
    index,
  );
}

const arbMoveDepartment = fc
  .record({
    org: arbOrg,
    actor: arbDirectoryActor,
    known: arbKnown,
    department: fc.constantFrom<string>(...DEPTS),
    parent: arbParent,
  })
  .map(
    (a) =>
      new Op("moveDepartment", a, async (m, r, note) => {
        const actor = actorOf(m, a.actor);
        const id = knownDepartment(m, a.known) ?? a.department;
        note(describeCall("moveDepartment", { org: orgIdOf(a.org), actor, id, parent_id: a.parent }));
        const expected = decide(
          validCaller(a.org, actor),
          organizationExists(a.org),
          ownerOnly(m, actor),
          when(() => !departmentIsKnown(m, id), "RESOURCE_NOT_FOUND"),
          when(() => departmentCycle(m, id, a.parent), "INVALID_GRAPH"),
        );
        const accepted = settle(
          "moveDepartment",
          await attempt(() => r.ac.moveDepartment(orgIdOf(a.org), actor, id, a.parent)),
          expected,
        );
        if (!accepted) return;
        expect(accepted.value).toStrictEqual({ id, parent_id: a.parent });
        m.departments.set(id, a.parent);
      }),
  );

const arbDeleteDepartment = fc
  .record({ org: arbOrg, actor: arbDirectoryActor, known: arbKnown, department: fc.constantFrom<string>(...DEPTS) })
  .map(
    (a) =>
      new Op("deleteDepartment", a, async (m, r, note) => {
        const actor = actorOf(m, a.actor);
        const id = knownDepartment(m, a.known) ?? a.department;
        note(describeCall("deleteDepartment", { org: orgIdOf(a.org), actor, id }));
        const named = activeRecords(m).some((g) => g.grantee_type === "department" && g.grantee_id === id);
        const expected = decide(
          validCaller(a.org, actor),
          organizationExists(a.org),
          ownerOnly(m, actor),
          when(() => !departmentIsKnown(m, id), "RESOURCE_NOT_FOUND"),
          // Refused while a grant (even an expired one) names it: revoke those first.
          when(() => named, "VALIDATION_ERROR"),
        );
        const accepted = settle(
          "deleteDepartment",
          await attempt(() => r.ac.deleteDepartment(orgIdOf(a.org), actor, id)),
          expected,
        );
        if (!accepted) return;
        expect(accepted.value).toBeUndefined();
        // Sub-departments move up to its parent; its members lose it.
        const parent = m.departments.get(id) ?? null;
        for (const [child, p] of m.departments) if (p === id) m.departments.set(child, parent);
        m.departments.delete(id);
        for (const user of m.users.values()) user.department_ids = user.department_ids.filter((d) => d !== id);
      }),
  );

const arbMembers = fc.array(fc.constantFrom<string>(...SLICES), { maxLength: 3 });

const createCompositeSpec = {
  org: arbOrg,
  actor: arbDirectoryActor,
  id: fc.constantFrom<string>(...SLICES),
  members: arbMembers,
};

const createCompositeOp = (a: ArgsOf<typeof createCompositeSpec>): Op =>
  new Op("createComposite", a, async (m, r, note) => {
    const actor = actorOf(m, a.actor);
    note(describeCall("createComposite", { org: orgIdOf(a.org), actor, id: a.id, member_slice_ids: a.members }));
    const members = [...new Set(a.members)];
    const expected = decide(
      validCaller(a.org, actor),
      organizationExists(a.org),
      ownerOnly(m, actor),
      when(() => m.composites.has(a.id), "RESOURCE_ALREADY_EXISTS"),
      when(() => compositeCycle(m, a.id, members), "INVALID_GRAPH"),
    );
    const accepted = settle(
      "createComposite",
      await attempt(() => r.ac.createComposite(orgIdOf(a.org), actor, { id: a.id, member_slice_ids: a.members })),
      expected,
    );
    if (!accepted) return;
    expect({ id: accepted.value.id, member_slice_ids: sorted(accepted.value.member_slice_ids) }).toStrictEqual({
      id: a.id,
      member_slice_ids: sorted(members),
    });
    m.composites.set(a.id, members);
  });

const arbCreateComposite = fc.record(createCompositeSpec).map(createCompositeOp);

const arbSetCompositeMembers = fc
  .record({
    org: arbOrg,
    actor: arbDirectoryActor,
    declared: arbKnown,
    slice: fc.constantFrom<string>(...SLICES),
    members: arbMembers,
  })
  .map(
    (a) =>
      new Op("setCompositeMembers", a, async (m, r, note) => {
        const actor = actorOf(m, a.actor);
        const id = pick([...m.composites.keys()], a.declared) ?? a.slice;
        note(describeCall("setCompositeMembers", { org: orgIdOf(a.org), actor, id, member_slice_ids: a.members }));
        const members = [...new Set(a.members)];
        const expected = decide(
          validCaller(a.org, actor),
          organizationExists(a.org),
          ownerOnly(m, actor),
          when(() => !m.composites.has(id), "RESOURCE_NOT_FOUND"),
          when(() => compositeCycle(m, id, members), "INVALID_GRAPH"),
        );
        const accepted = settle(
          "setCompositeMembers",
          await attempt(() => r.ac.setCompositeMembers(orgIdOf(a.org), actor, id, a.members)),
          expected,
        );
        if (!accepted) return;
        expect({ id: accepted.value.id, member_slice_ids: sorted(accepted.value.member_slice_ids) }).toStrictEqual({
          id,
          member_slice_ids: sorted(members),
        });
        m.composites.set(id, members);
      }),
  );

// --- time and restarts

const arbAdvanceClock = fc.constantFrom(...CLOCK_STEPS).map(
  (ms) =>
    new Op("advanceClock", ms, async (m, r, note) => {
      note(`advanceClock(${ms})`);
      m.clockMs += ms;
      r.clock.advance(ms);
    }),
);

const arbRestart = fc.constant(null).map(
  () =>
    new Op("restart", null, async (m, r, note) => {
      note("restart(): a second service over the same storage sees the model");
      await checkFreshService(m, r);
    }),
);

const arbSwitchService = fc.constant(null).map(
  () =>
    new Op("switchService", null, async (_m, r, note) => {
      r.current = r.current === 0 ? 1 : 0;
      note(`switchService(): commands now go to service ${r.current}`);
    }),
);

const arbExportOrganization = fc.record({ org: arbOrg, actor: arbActor }).map(
  (a) =>
    new Op("exportOrganization", a, async (m, r, note) => {
      const actor = actorOf(m, a.actor);
      note(describeCall("exportOrganization", { org: orgIdOf(a.org), actor }));
      const expected = decide(validCaller(a.org, actor), organizationExists(a.org), ownerOnly(m, actor));
      const accepted = settle(
        "exportOrganization",
        await attempt(() => r.ac.exportOrganization(orgIdOf(a.org), actor)),
        expected,
      );
      if (accepted) expect(directoryView(accepted.value)).toEqual(directoryView(graphInput(m)));
    }),
);

const arbCommand: fc.Arbitrary<fc.AsyncCommand<Model, Real>> = fc.oneof(
  { weight: 6, arbitrary: arbCreateGrant },
  { weight: 3, arbitrary: arbBulkCreate },
  { weight: 3, arbitrary: arbUpdateGrant },
  { weight: 3, arbitrary: arbRevokeGrant },
  { weight: 2, arbitrary: arbGetGrant },
  { weight: 3, arbitrary: arbListGrants },
  { weight: 2, arbitrary: arbResolvedAccess },
  { weight: 2, arbitrary: arbUsersWithAccess },
  { weight: 5, arbitrary: arbMembership },
  { weight: 2, arbitrary: arbCreateDepartment },
  { weight: 2, arbitrary: arbMoveDepartment },
  { weight: 1, arbitrary: arbDeleteDepartment },
  { weight: 2, arbitrary: arbCreateComposite },
  { weight: 2, arbitrary: arbSetCompositeMembers },
  { weight: 2, arbitrary: arbAdvanceClock },
  { weight: 1, arbitrary: arbRestart },
  { weight: 2, arbitrary: arbSwitchService },
  { weight: 1, arbitrary: arbExportOrganization },
);

// ---------------------------------------------------------------------------------------------
// Setup.

/**
 * Another organization over the same storage, whose owner and grants would, if they leaked,
 * give admin on most entities to every user of the pools.
 */
async function seedOtherOrganization(ac: AccessControl): Promise<void> {
  const other = OTHER_ORG_ID;
  await ac.createOrganization(other, { owners: [OUTSIDER] });
  await ac.createDepartment(other, OUTSIDER, { id: "dept_backend", parent_id: "dept_eng" });
  await ac.createComposite(other, OUTSIDER, { id: "kslice_a", member_slice_ids: ["kslice_B", "kslice_c-1"] });
  for (const user of USERS) {
    await ac.addDepartmentMember(other, OUTSIDER, user, "dept_backend");
    await ac.addRoleMember(other, OUTSIDER, user, "role_admin");
  }
  await ac.bulkCreateGrants(other, OUTSIDER, {
    entity_type: "knowledge_slice",
    entity_id: "kslice_a",
    grants: USERS.map((id) => ({ grantee_type: "user" as const, grantee_id: id, access_level: "admin" as const })),
  });
  const grant = (entity: Entity, grantee: Grantee) =>
    ac.createGrant(other, OUTSIDER, { ...entity, ...grantee, access_level: "admin" });
  await grant(
    { entity_type: "vector_store", entity_id: "vs_1" },
    { grantee_type: "department", grantee_id: "dept_eng" },
  );
  await grant({ entity_type: "assistant", entity_id: "asst_1" }, { grantee_type: "role", grantee_id: "role_admin" });
  await grant(
    { entity_type: "knowledge_slice", entity_id: "kslice_constructor" },
    { grantee_type: "role", grantee_id: "role_admin" },
  );
}

async function createSystem(owners: readonly string[]): Promise<{ model: Model; real: Real }> {
  const storage = memoryStorage();
  const clock = manualClock(START);
  const ac = createAccessControl({ storage, clock: clock.now, ids: sequentialIds() });
  await ac.createOrganization(ORG, { owners });
  await seedOtherOrganization(ac);
  const model: Model = {
    owners: [...owners],
    clockMs: Date.parse(START),
    users: new Map(),
    departments: new Map(),
    composites: new Map(),
    records: new Map(),
    lastGrantIds: new Map(),
  };
  const peer = createAccessControl({ storage, clock: clock.now, ids: sequentialIds("agrant_peer") });
  return { model, real: new Real([ac, peer], storage, clock) };
}

/**
 * An opening of owner-made grants and directory entries, every one checked like any command,
 * so that the commands run on organizations where non-owners hold admin through users,
 * departments, roles and composites.
 */
const OWNER: ActorChoice = { kind: "owner", index: 0 };
const byOwner = { org: fc.constant<OrgChoice>("main"), actor: fc.constant(OWNER) };
const arbPrelude: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .record({
          ...createGrantSpec,
          ...byOwner,
          target: fc.constant<Target>({ kind: "drawn" }),
          level: fc.constantFrom<AccessLevel>("read", "write", "admin", "admin", "admin"),
        })
        .map(createGrantOp),
    },
    {
      weight: 3,
      arbitrary: fc
        .record({ ...membershipSpec, ...byOwner, add: fc.constant(true), held: fc.constant(null) })
        .map(membershipOp),
    },
    { weight: 1, arbitrary: fc.record({ ...createDepartmentSpec, ...byOwner }).map(createDepartmentOp) },
    { weight: 1, arbitrary: fc.record({ ...createCompositeSpec, ...byOwner }).map(createCompositeOp) },
  ),
  { minLength: 2, maxLength: 16, size: "max" },
);

const arbOwners = fc.uniqueArray(fc.constantFrom<string>(...OWNER_CANDIDATES), { minLength: 1, maxLength: 2 });

describe("createAccessControl: model-based", () => {
  it("agrees with the spec's permission rules and with resolution over a plain model, step by step", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbOwners,
        arbPrelude,
        fc.commands([arbCommand], { maxCommands: 30, size: "max" }),
        async (owners, prelude, commands) => {
          const system = await createSystem(owners);
          try {
            for (const service of system.real.services) await checkState(system.model, service);
            for (const op of prelude) await op.run(system.model, system.real);
            await fc.asyncModelRun(() => system, commands);
            await checkFreshService(system.model, system.real);
          } finally {
            for (const service of system.real.services) await service.close();
          }
        },
      ),
    );
  }, 120_000);
});
