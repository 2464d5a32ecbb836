/**
 * The storage conformance suite: every behaviour the grant-management service relies on, run
 * against one adapter. Call {@link runStorageConformance} from a vitest test file with a factory
 * for your adapter; each case gets a fresh adapter and destroys it afterwards.
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessLevel, EntityType, ErrorCode, GranteeType, GraphInput, ResolvedAccess } from "../core/index.js";
import {
  type AccessControl,
  type BulkCreateGrantsInput,
  type CreateGrantInput,
  createAccessControl,
} from "../service/access-control.js";
import type { Awaitable, GrantRecord, StorageAdapter, StorageChange } from "../storage/storage-adapter.js";
import { type ManualClock, manualClock, sequentialIds } from "./test-kit.js";

/**
 * Options of {@link runStorageConformance}.
 *
 * @example
 * ```ts
 * const options: ConformanceOptions = {
 *   name: "memory",
 *   create: () => memoryStorage(),
 *   skip: [{ tests: ["the same grant id in two organizations names two different grants"], reason: "ids are global" }],
 * };
 * ```
 */
export interface ConformanceOptions {
  /** Names the suite: `storage conformance: <name>`. */
  readonly name: string;
  /** Makes a fresh, empty adapter; called once per case. */
  readonly create: () => Awaitable<StorageAdapter>;
  /** Disposes of an adapter after its case. Default: the adapter's own `close()`, if any. */
  readonly destroy?: (adapter: StorageAdapter) => Awaitable<void>;
  /**
   * Cases this adapter does not support, by exact title, each group with the reason the
   * report shows. A title that names no case of the suite fails the suite's last case.
   */
  readonly skip?: readonly { readonly tests: readonly string[]; readonly reason: string }[];
}

/** What one case works with: its own adapter, clock and services. */
interface Fixture {
  readonly adapter: StorageAdapter;
  /** Starts at 2025-06-15T10:00:00Z; shared by every service of the case. */
  readonly clock: ManualClock;
  /** A service over the adapter with the case's clock and ids `agrant_test0001`, … */
  readonly ac: AccessControl;
  /** Another service over the same adapter (closed after the case). */
  service(options?: { readonly ids?: () => string; readonly maxAttempts?: number }): AccessControl;
}

/** An optional adapter method that some cases need. */
type Capability = "watch";

const T0 = "2025-06-15T10:00:00Z";
const ORG = "org_conformance_a";
const ORG_B = "org_conformance_b";
const OWNER = "usr_owner1";
const OWNER_B = "usr_owner2";
const ALICE = "usr_alice";
const BOB = "usr_bob";
const CAROL = "usr_carol";
const STRANGER = "usr_stranger";
const SLICE = "kslice_abc123";
const SLICE_2 = "kslice_def456";
const STORE = "vs_store01";
const ASSISTANT = "asst_helper01";
const ENG = "dept_eng01";
const BACKEND = "dept_backend01";
const PLATFORM = "dept_platform01";
const OPS = "role_ops01";
const HANDBOOK = "kslice_handbook01";
const POLICIES = "kslice_policies01";
const BENEFITS = "kslice_benefits01";
const HOUR = 3_600_000;

/** The keys of a grant record without `expires_at` and `revoked_at`, sorted. */
const GRANT_KEYS = [
  "access_level",
  "created_at",
  "entity_id",
  "entity_type",
  "granted_by",
  "grantee_id",
  "grantee_type",
  "id",
  "organization_id",
  "updated_at",
];

interface Entity {
  readonly entity_type: EntityType;
  readonly entity_id: string;
}

const slice = (id: string): Entity => ({ entity_type: "knowledge_slice", entity_id: id });
const store = (id: string): Entity => ({ entity_type: "vector_store", entity_id: id });
const assistant = (id: string): Entity => ({ entity_type: "assistant", entity_id: id });

function granteeType(id: string): GranteeType {
  if (id.startsWith("dept_")) return "department";
  if (id.startsWith("role_")) return "role";
  return "user";
}

/** A create-grant body for a grantee (its type read from its prefix) on an entity. */
function grantTo(grantee: string, level: AccessLevel = "read", entity: Entity = slice(SLICE)): CreateGrantInput {
  return { ...entity, grantee_type: granteeType(grantee), grantee_id: grantee, access_level: level };
}

/** One item of a bulk create body. */
function bulkItem(grantee: string, level: AccessLevel = "read"): BulkCreateGrantsInput["grants"][number] {
  return { grantee_type: granteeType(grantee), grantee_id: grantee, access_level: level };
}

/** Passes a deliberately ill-typed value where a typed one is expected (to test validation). */
function loose<T>(value: unknown): T {
  return value as T;
}

/** A wire timestamp `minutes` after T0. */
function at(minutes: number): string {
  return `${new Date(Date.parse(T0) + minutes * 60_000).toISOString().slice(0, 19)}Z`;
}

/** Grant ids handed out in the order given. */
function idsFrom(...ids: string[]): () => string {
  let next = 0;
  return () => {
    const id = ids[next++];
    if (id === undefined) throw new Error("conformance: ran out of grant ids");
    return id;
  };
}

/** A complete stored grant record, for adapter-level commits. */
function record(id: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: ALICE,
    access_level: "read",
    granted_by: OWNER,
    organization_id: ORG,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

interface ErrorLike {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly system_message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Whether a thrown value is an AccessError. Checked by shape rather than `instanceof`, so an
 * adapter built against another copy of the library (a CJS/ESM pair) is judged fairly.
 */
function asAccessError(error: unknown): ErrorLike | null {
  if (!(error instanceof Error) || error.name !== "AccessError") return null;
  const fields = error as Error & Partial<Record<keyof ErrorLike, unknown>>;
  if (typeof fields.code !== "string" || typeof fields.details !== "object" || fields.details === null) return null;
  return fields as unknown as ErrorLike;
}

/** Runs `action`, expects it to fail with an AccessError of `code` (and these details), returns the error. */
async function expectAccessError(
  action: () => unknown,
  code: ErrorCode,
  details?: Readonly<Record<string, unknown>>,
): Promise<ErrorLike> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error(`expected an AccessError ${code}, but the call succeeded`);
  const error = asAccessError(thrown);
  if (!error) throw new Error(`expected an AccessError ${code}, got ${String(thrown)}`, { cause: thrown });
  expect({ code: error.code, details: error.details }).toMatchObject({ code, details: details ?? {} });
  return error;
}

/**
 * Retries a check until it passes or `timeoutMs` elapses: adapters may announce changes after
 * `commit` resolves (a database notification arrives a moment later), within a second.
 */
async function eventually(check: () => void | Promise<void>, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Tries to change a value in place, everywhere inside it; frozen parts refuse (and throw), which is fine. */
function tamper(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) tamper(item);
    attempt(() => value.push("tampered"));
    attempt(() => value.reverse());
    return;
  }
  const target = value as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    tamper(target[key]);
    attempt(() => {
      target[key] = typeof target[key] === "number" ? -1 : "tampered";
    });
  }
  attempt(() => {
    target.tampered = true;
  });
}

function attempt(action: () => unknown): void {
  try {
    action();
  } catch {
    // A frozen value refuses the change: exactly what a safe adapter may do.
  }
}

/** A plain JSON copy, to compare later reads with. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The grant ids of a page, in order. */
function ids(page: { readonly items: readonly GrantRecord[] }): string[] {
  return page.items.map((grant) => grant.id);
}

/** The entity ids of a resolved access answer, in order. */
function entityIds(access: ResolvedAccess): string[] {
  return access.entities.map((entity) => entity.entity_id);
}

async function versionOf(adapter: StorageAdapter, organizationId: string): Promise<number | null> {
  return (await adapter.loadOrganization(organizationId))?.version ?? null;
}

async function snapshotOf(adapter: StorageAdapter, organizationId: string): Promise<GraphInput> {
  const snapshot = await adapter.loadOrganization(organizationId);
  if (!snapshot) throw new Error(`conformance: ${organizationId} is not stored`);
  return snapshot.graph;
}

/** A snapshot's graph with every list present and sorted, so two adapters' answers compare equal. */
function canonical(graph: GraphInput): GraphInput {
  const byId = <T extends { readonly id?: string | undefined }>(items: readonly T[] | undefined): T[] =>
    [...(items ?? [])].sort((a, b) => ((a.id ?? "") < (b.id ?? "") ? -1 : 1));
  return {
    organization_id: graph.organization_id,
    owners: [...(graph.owners ?? [])].sort(),
    users: byId(graph.users).map((u) => ({
      id: u.id,
      department_ids: [...(u.department_ids ?? [])].sort(),
      role_ids: [...(u.role_ids ?? [])].sort(),
    })),
    departments: byId(graph.departments).map((d) => ({ id: d.id, parent_id: d.parent_id ?? null })),
    composites: byId(graph.composites).map((c) => ({ id: c.id, member_slice_ids: [...c.member_slice_ids].sort() })),
    grants: byId(graph.grants),
  };
}

/**
 * Registers the storage conformance suite for one adapter with vitest: at least 30 cases over
 * the service's operations and errors, paging, soft delete and expiry, optimistic concurrency,
 * concurrent writers, isolation between organizations and the adapter contract itself. Cases
 * named in `skip`, and cases needing an optional method the adapter lacks (`watch`), are
 * reported as skipped with their reason.
 *
 * @example
 * ```ts
 * // test/storage/my-storage.test.ts
 * import { runStorageConformance } from "grantpath/testing";
 * import { myStorage } from "../src/my-storage.js";
 *
 * runStorageConformance({
 *   name: "my-storage",
 *   create: () => myStorage({ url: process.env.DATABASE_URL }),
 *   destroy: (adapter) => adapter.close?.(),
 * });
 * ```
 */
export function runStorageConformance(options: ConformanceOptions): void {
  const skipReasons = new Map<string, string>();
  for (const group of options.skip ?? []) {
    for (const title of group.tests) skipReasons.set(title, group.reason);
  }
  const titles = new Set<string>();

  describe(`storage conformance: ${options.name}`, () => {
    let adapter: StorageAdapter | null = null;
    let services: AccessControl[] = [];

    beforeEach(() => {
      adapter = null;
      services = [];
    });

    afterEach(async () => {
      const open = services;
      services = [];
      for (const service of open) await service.close();
      const used = adapter;
      adapter = null;
      if (used === null) return;
      if (options.destroy) await options.destroy(used);
      else await used.close?.();
    });

    async function fixture(): Promise<Fixture> {
      const created = await options.create();
      adapter = created;
      const clock = manualClock(T0);
      const service = (serviceOptions: { readonly ids?: () => string; readonly maxAttempts?: number } = {}) => {
        const made = createAccessControl({
          storage: created,
          clock: clock.now,
          ids: serviceOptions.ids ?? sequentialIds(),
          ...(serviceOptions.maxAttempts === undefined ? {} : { maxAttempts: serviceOptions.maxAttempts }),
        });
        services.push(made);
        return made;
      };
      return { adapter: created, clock, ac: service(), service };
    }

    /** Registers one case; it is skipped (with the reason) when named in `skip` or missing a capability. */
    function conformance(title: string, body: (f: Fixture) => Promise<void>, needs: readonly Capability[] = []): void {
      if (titles.has(title)) throw new Error(`conformance: two cases are titled "${title}"`);
      titles.add(title);
      it(title, async (ctx) => {
        const reason = skipReasons.get(title);
        if (reason !== undefined) ctx.skip(reason);
        const f = await fixture();
        for (const need of needs) {
          if (need === "watch" && typeof f.adapter.watch !== "function") {
            ctx.skip(
              `${options.name} has no watch(): without it a service notices other writers only when a commit conflicts`,
            );
          }
        }
        await body(f);
      });
    }

    /** Creates the organization with its owner, through the given service. */
    async function organization(ac: AccessControl, organizationId = ORG, owners: readonly string[] = [OWNER]) {
      return ac.createOrganization(organizationId, { owners });
    }

    // ---------------------------------------------------------------- organizations

    conformance(
      "createOrganization stores an organization that loadOrganization returns at version 1 or more",
      async (f) => {
        const created = await organization(f.ac);
        expect(created.organization_id).toBe(ORG);
        expect(created.owners).toEqual([OWNER]);
        const snapshot = await f.adapter.loadOrganization(ORG);
        expect(snapshot).not.toBeNull();
        expect(snapshot?.version).toBeGreaterThanOrEqual(1);
        expect(snapshot?.graph.organization_id).toBe(ORG);
        expect(snapshot?.graph.owners).toEqual([OWNER]);
        expect(snapshot?.graph.grants ?? []).toEqual([]);
        const fresh = f.service();
        expect(await fresh.exportOrganization(ORG, OWNER)).toMatchObject({ organization_id: ORG, owners: [OWNER] });
      },
    );

    conformance(
      "createOrganization of an existing organization fails with RESOURCE_ALREADY_EXISTS and keeps its owners",
      async (f) => {
        await organization(f.ac);
        const version = await versionOf(f.adapter, ORG);
        await expectAccessError(() => organization(f.ac, ORG, [STRANGER]), "RESOURCE_ALREADY_EXISTS", {
          organization_id: ORG,
        });
        // A service that has never seen the organization learns it from the storage.
        await expectAccessError(() => organization(f.service(), ORG, [STRANGER]), "RESOURCE_ALREADY_EXISTS");
        expect(await versionOf(f.adapter, ORG)).toBe(version);
        expect((await snapshotOf(f.adapter, ORG)).owners).toEqual([OWNER]);
      },
    );

    conformance(
      "createOrganization rejects a malformed organization id or owner list with VALIDATION_ERROR naming the field",
      async (f) => {
        await expectAccessError(() => f.ac.createOrganization("acme", { owners: [OWNER] }), "VALIDATION_ERROR", {
          field: "organization_id",
        });
        await expectAccessError(() => f.ac.createOrganization(ORG, { owners: ["owner1"] }), "VALIDATION_ERROR", {
          field: "owners[0]",
        });
        await expectAccessError(() => f.ac.createOrganization(ORG, { owners: [] }), "VALIDATION_ERROR", {
          field: "owners",
        });
        expect(await f.adapter.loadOrganization(ORG)).toBeNull();
      },
    );

    // ---------------------------------------------------------------- createGrant

    conformance(
      "createGrant answers the seed's grant object: granted_by is the actor, timestamps from the clock, no expires_at or revoked_at",
      async (f) => {
        await organization(f.ac);
        const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE));
        const expected = {
          id: "agrant_test0001",
          entity_type: "knowledge_slice",
          entity_id: SLICE,
          grantee_type: "user",
          grantee_id: ALICE,
          access_level: "read",
          granted_by: OWNER,
          organization_id: ORG,
          created_at: T0,
          updated_at: T0,
        };
        expect(grant).toEqual(expected);
        expect(Object.keys(grant).sort()).toEqual(GRANT_KEYS);
        const stored = await f.adapter.getGrant(ORG, grant.id);
        expect(stored).toEqual(expected);
        expect(Object.keys(stored ?? {}).sort()).toEqual(GRANT_KEYS);
        const read = await f.ac.getGrant(ORG, OWNER, grant.id);
        expect(read).toEqual(expected);
        expect(Object.keys(read).sort()).toEqual(GRANT_KEYS);
        expect(JSON.parse(JSON.stringify(read))).toEqual(expected);
        // Whole seconds in UTC, whatever the clock's milliseconds.
        f.clock.advance(90 * 60_000 + 750);
        const later = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "write", store(STORE)));
        expect(later).toMatchObject({ id: "agrant_test0002", created_at: at(90), updated_at: at(90) });
        expect(await f.adapter.getGrant(ORG, later.id)).toMatchObject({ created_at: at(90), updated_at: at(90) });
      },
    );

    conformance("createGrant keeps a given expires_at on the stored record and refuses one in the past", async (f) => {
      await organization(f.ac);
      const expires_at = at(24 * 60);
      const grant = await f.ac.createGrant(ORG, OWNER, { ...grantTo(ALICE), expires_at });
      expect(grant.expires_at).toBe(expires_at);
      expect(Object.keys(grant).sort()).toEqual([...GRANT_KEYS, "expires_at"].sort());
      const stored = await f.adapter.getGrant(ORG, grant.id);
      expect(stored).toEqual(grant);
      expect(Object.keys(stored ?? {}).sort()).toEqual([...GRANT_KEYS, "expires_at"].sort());
      expect(await f.ac.getGrant(ORG, OWNER, grant.id)).toEqual(grant);
      await expectAccessError(
        () => f.ac.createGrant(ORG, OWNER, { ...grantTo(BOB), expires_at: at(-1) }),
        "VALIDATION_ERROR",
        {
          field: "expires_at",
        },
      );
      expect((await f.ac.listGrants(ORG, OWNER)).total).toBe(1);
    });

    conformance(
      "createGrant errors: RESOURCE_NOT_FOUND for an unknown organization, INSUFFICIENT_PERMISSIONS for strangers, VALIDATION_ERROR naming the field",
      async (f) => {
        await organization(f.ac);
        await expectAccessError(() => f.ac.createGrant(ORG_B, OWNER, grantTo(ALICE)), "RESOURCE_NOT_FOUND", {
          organization_id: ORG_B,
        });
        await expectAccessError(() => f.ac.createGrant(ORG, STRANGER, grantTo(ALICE)), "INSUFFICIENT_PERMISSIONS");
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
        // write is not admin: a grantee below admin may not grant.
        await expectAccessError(() => f.ac.createGrant(ORG, ALICE, grantTo(BOB)), "INSUFFICIENT_PERMISSIONS");
        const invalid: [unknown, string][] = [
          [{ ...grantTo(BOB), entity_type: "document" }, "entity_type"],
          [{ ...grantTo(BOB), entity_id: STORE }, "entity_id"],
          [{ ...grantTo(BOB), grantee_type: "group" }, "grantee_type"],
          [{ ...grantTo(BOB), grantee_id: ENG }, "grantee_id"],
          [{ ...grantTo(BOB), access_level: "owner" }, "access_level"],
          [{ ...grantTo(BOB), access_level: undefined }, "access_level"],
        ];
        for (const [body, field] of invalid) {
          await expectAccessError(
            () => f.ac.createGrant(ORG, OWNER, loose<CreateGrantInput>(body)),
            "VALIDATION_ERROR",
            {
              field,
            },
          );
        }
        await expectAccessError(() => f.ac.createGrant(ORG, "owner1", grantTo(BOB)), "VALIDATION_ERROR", {
          field: "actor_id",
        });
        expect((await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).total).toBe(1);
      },
    );

    conformance(
      "createGrant of a pair that already has an active grant fails with RESOURCE_ALREADY_EXISTS naming that grant, at any level",
      async (f) => {
        await organization(f.ac);
        const first = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE));
        for (const level of ["read", "admin"] as const) {
          await expectAccessError(
            () => f.ac.createGrant(ORG, OWNER, grantTo(ALICE, level)),
            "RESOURCE_ALREADY_EXISTS",
            {
              grant_id: first.id,
            },
          );
        }
        // The same grantee on another entity, and another grantee on the entity, are different pairs.
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE_2)));
        await f.ac.createGrant(ORG, OWNER, grantTo(BOB));
        const listed = await f.ac.listGrants(ORG, OWNER);
        expect(listed.total).toBe(3);
        expect(listed.items.find((g) => g.id === first.id)?.access_level).toBe("read");
      },
    );

    conformance(
      "an entity admin who is not an owner may grant that entity (as granted_by) but not another entity",
      async (f) => {
        await organization(f.ac);
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin"));
        const granted = await f.ac.createGrant(ORG, ALICE, grantTo(BOB, "write"));
        expect(granted.granted_by).toBe(ALICE);
        expect((await f.adapter.getGrant(ORG, granted.id))?.granted_by).toBe(ALICE);
        await expectAccessError(
          () => f.ac.createGrant(ORG, ALICE, grantTo(BOB, "read", slice(SLICE_2))),
          "INSUFFICIENT_PERMISSIONS",
        );
        // Admin through a department works as well.
        await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "admin", store(STORE)));
        await f.ac.addDepartmentMember(ORG, OWNER, CAROL, ENG);
        const viaDepartment = await f.ac.createGrant(ORG, CAROL, grantTo(BOB, "read", store(STORE)));
        expect(viaDepartment.granted_by).toBe(CAROL);
      },
    );

    // ---------------------------------------------------------------- bulkCreateGrants

    conformance(
      "bulkCreateGrants creates every item in request order with distinct ids, all stored and listed",
      async (f) => {
        await organization(f.ac);
        const created = await f.ac.bulkCreateGrants(ORG, OWNER, {
          ...slice(SLICE),
          grants: [bulkItem(ALICE), bulkItem(ENG, "write"), bulkItem(OPS, "admin")],
        });
        expect(created.map((g) => [g.id, g.grantee_type, g.grantee_id, g.access_level])).toEqual([
          ["agrant_test0001", "user", ALICE, "read"],
          ["agrant_test0002", "department", ENG, "write"],
          ["agrant_test0003", "role", OPS, "admin"],
        ]);
        for (const grant of created) {
          expect(grant).toMatchObject({
            ...slice(SLICE),
            granted_by: OWNER,
            organization_id: ORG,
            created_at: T0,
            updated_at: T0,
          });
          expect(Object.keys(grant).sort()).toEqual(GRANT_KEYS);
          expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
        }
        const listed = await f.ac.listSliceGrants(ORG, OWNER, SLICE);
        expect(ids(listed)).toEqual(created.map((g) => g.id));
        expect(listed.total).toBe(3);
      },
    );

    conformance(
      "bulkCreateGrants with a malformed grantee id at index 3 fails with VALIDATION_ERROR (index 3) and stores nothing",
      async (f) => {
        await organization(f.ac);
        const version = await versionOf(f.adapter, ORG);
        await expectAccessError(
          () =>
            f.ac.bulkCreateGrants(ORG, OWNER, {
              ...slice(SLICE),
              grants: [
                bulkItem(ALICE),
                bulkItem(BOB),
                bulkItem(CAROL),
                { ...bulkItem(ALICE), grantee_id: "bob" },
                bulkItem(ENG),
              ],
            }),
          "VALIDATION_ERROR",
          { index: 3, field: "grants[3].grantee_id" },
        );
        expect(await versionOf(f.adapter, ORG)).toBe(version);
        expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({ items: [], total: 0 });
        expect((await f.ac.resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      },
    );

    conformance(
      "bulkCreateGrants naming a pair that already exists fails with RESOURCE_ALREADY_EXISTS (details.index) and stores nothing new",
      async (f) => {
        await organization(f.ac);
        const existing = await f.ac.createGrant(ORG, OWNER, grantTo(CAROL));
        const version = await versionOf(f.adapter, ORG);
        await expectAccessError(
          () =>
            f.ac.bulkCreateGrants(ORG, OWNER, {
              ...slice(SLICE),
              grants: [bulkItem(ALICE), bulkItem(BOB), bulkItem(CAROL, "admin"), bulkItem(ENG)],
            }),
          "RESOURCE_ALREADY_EXISTS",
          { index: 2, grant_id: existing.id },
        );
        expect(await versionOf(f.adapter, ORG)).toBe(version);
        expect(ids(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 }))).toEqual([existing.id]);
        expect((await f.ac.resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
        expect((await f.service().resolvedAccess(ORG, BOB, BOB)).entities).toEqual([]);
      },
    );

    conformance(
      "bulkCreateGrants errors: an empty list or a grantee named twice is VALIDATION_ERROR, strangers are refused, unknown organizations are not found",
      async (f) => {
        await organization(f.ac);
        await expectAccessError(
          () => f.ac.bulkCreateGrants(ORG, OWNER, { ...slice(SLICE), grants: [] }),
          "VALIDATION_ERROR",
          {
            field: "grants",
          },
        );
        await expectAccessError(
          () =>
            f.ac.bulkCreateGrants(ORG, OWNER, { ...slice(SLICE), grants: [bulkItem(ALICE), bulkItem(ALICE, "write")] }),
          "VALIDATION_ERROR",
          { index: 1, field: "grants[1].grantee_id" },
        );
        await expectAccessError(
          () =>
            f.ac.bulkCreateGrants(ORG, OWNER, {
              ...slice(SLICE),
              grants: [bulkItem(ALICE), loose({ ...bulkItem(BOB), access_level: "all" })],
            }),
          "VALIDATION_ERROR",
          { index: 1, field: "grants[1].access_level" },
        );
        await expectAccessError(
          () => f.ac.bulkCreateGrants(ORG, STRANGER, { ...slice(SLICE), grants: [bulkItem(ALICE)] }),
          "INSUFFICIENT_PERMISSIONS",
        );
        await expectAccessError(
          () => f.ac.bulkCreateGrants(ORG_B, OWNER, { ...slice(SLICE), grants: [bulkItem(ALICE)] }),
          "RESOURCE_NOT_FOUND",
        );
        expect((await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).total).toBe(0);
      },
    );

    // ---------------------------------------------------------------- listGrants

    conformance(
      "listGrants filters by entity_type, entity_id, grantee_type and grantee_id and reports the matching total",
      async (f) => {
        await organization(f.ac);
        const g1 = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE)));
        const g2 = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "write", slice(SLICE)));
        const g3 = await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "read", slice(SLICE)));
        const g4 = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", store(STORE)));
        const g5 = await f.ac.createGrant(ORG, OWNER, grantTo(OPS, "read", assistant(ASSISTANT)));
        const all = await f.ac.listGrants(ORG, OWNER);
        expect(all).toMatchObject({ total: 5, skip: 0, limit: 20, has_more: false });
        expect(ids(all)).toEqual([g1.id, g2.id, g3.id, g4.id, g5.id]);
        const cases: [Parameters<AccessControl["listGrants"]>[2], string[]][] = [
          [{ entity_type: "knowledge_slice" }, [g1.id, g2.id, g3.id]],
          [{ entity_id: STORE }, [g4.id]],
          [{ grantee_type: "user" }, [g1.id, g2.id, g4.id]],
          [{ grantee_id: ALICE }, [g1.id, g4.id]],
          [{ entity_id: SLICE, grantee_type: "department" }, [g3.id]],
          [{ entity_type: "assistant", entity_id: ASSISTANT, grantee_type: "role", grantee_id: OPS }, [g5.id]],
          [{ entity_type: "vector_store", grantee_id: BOB }, []],
          [{ grantee_id: "usr_nobody" }, []],
        ];
        for (const [query, expected] of cases) {
          const page = await f.ac.listGrants(ORG, OWNER, query);
          expect({ query, ids: ids(page), total: page.total, has_more: page.has_more }).toEqual({
            query,
            ids: expected,
            total: expected.length,
            has_more: false,
          });
        }
      },
    );

    conformance(
      "listGrants permissions and validation: the unfiltered list is for owners, an entity admin lists only their entity, bad filters name the field",
      async (f) => {
        await organization(f.ac);
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin"));
        await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "read", store(STORE)));
        await expectAccessError(() => f.ac.listGrants(ORG, ALICE), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.listGrants(ORG, ALICE, { grantee_id: ALICE }), "INSUFFICIENT_PERMISSIONS");
        expect((await f.ac.listGrants(ORG, ALICE, { entity_id: SLICE })).total).toBe(1);
        expect((await f.ac.listGrants(ORG, ALICE, { entity_type: "knowledge_slice", entity_id: SLICE })).total).toBe(1);
        await expectAccessError(() => f.ac.listGrants(ORG, ALICE, { entity_id: STORE }), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.listGrants(ORG, STRANGER), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.listGrants(ORG_B, OWNER), "RESOURCE_NOT_FOUND");
        await expectAccessError(
          () => f.ac.listGrants(ORG, OWNER, loose({ entity_type: "document" })),
          "VALIDATION_ERROR",
          {
            field: "entity_type",
          },
        );
        await expectAccessError(() => f.ac.listGrants(ORG, OWNER, { grantee_id: "alice" }), "VALIDATION_ERROR", {
          field: "grantee_id",
        });
        await expectAccessError(
          () => f.ac.listGrants(ORG, OWNER, { entity_type: "vector_store", entity_id: SLICE }),
          "VALIDATION_ERROR",
          {
            field: "entity_id",
          },
        );
      },
    );

    // ---------------------------------------------------------------- paging

    /** 25 grants on SLICE, all at T0, ids agrant_test0001…0025. */
    async function twentyFive(f: Fixture): Promise<string[]> {
      await organization(f.ac);
      const grantees = Array.from({ length: 25 }, (_, i) => `usr_paged${String(i).padStart(2, "0")}`);
      const created = await f.ac.bulkCreateGrants(ORG, OWNER, {
        ...slice(SLICE),
        grants: grantees.map((g) => bulkItem(g)),
      });
      return created.map((g) => g.id);
    }

    conformance(
      "paging: skip 0 with limit 1 gives the first grant and has_more, limit 100 gives all, the default is 20",
      async (f) => {
        const all = await twentyFive(f);
        const first = await f.ac.listGrants(ORG, OWNER, { skip: 0, limit: 1 });
        expect(first).toMatchObject({ total: 25, skip: 0, limit: 1, has_more: true });
        expect(ids(first)).toEqual(all.slice(0, 1));
        const everything = await f.ac.listGrants(ORG, OWNER, { limit: 100 });
        expect(everything).toMatchObject({ total: 25, skip: 0, limit: 100, has_more: false });
        expect(ids(everything)).toEqual(all);
        const byDefault = await f.ac.listGrants(ORG, OWNER);
        expect(byDefault).toMatchObject({ total: 25, skip: 0, limit: 20, has_more: true });
        expect(ids(byDefault)).toEqual(all.slice(0, 20));
        const slicePage = await f.ac.listSliceGrants(ORG, OWNER, SLICE, { skip: 24, limit: 1 });
        expect(slicePage).toMatchObject({ total: 25, skip: 24, limit: 1, has_more: false });
        expect(ids(slicePage)).toEqual(all.slice(24));
      },
    );

    conformance(
      "paging: the exact last page has has_more false, pages tile the listing, and skip beyond the total gives no items",
      async (f) => {
        const all = await twentyFive(f);
        const last = await f.ac.listGrants(ORG, OWNER, { skip: 20, limit: 5 });
        expect(last).toMatchObject({ total: 25, skip: 20, limit: 5, has_more: false });
        expect(ids(last)).toEqual(all.slice(20));
        const beforeLast = await f.ac.listGrants(ORG, OWNER, { skip: 15, limit: 5 });
        expect(beforeLast.has_more).toBe(true);
        const tiled: string[] = [];
        for (let skip = 0; skip < 25; skip += 7)
          tiled.push(...ids(await f.ac.listGrants(ORG, OWNER, { skip, limit: 7 })));
        expect(tiled).toEqual(all);
        for (const skip of [25, 26, 1000]) {
          const beyond = await f.ac.listGrants(ORG, OWNER, { skip, limit: 10 });
          expect(beyond).toEqual({ items: [], total: 25, skip, limit: 10, has_more: false });
        }
        expect(await f.ac.listVectorStoreGrants(ORG, OWNER, STORE, { skip: 5 })).toEqual({
          items: [],
          total: 0,
          skip: 5,
          limit: 20,
          has_more: false,
        });
      },
    );

    conformance(
      "paging: limit 0, limit 101, a non-integer limit and a negative or fractional skip fail with VALIDATION_ERROR naming skip or limit",
      async (f) => {
        await twentyFive(f);
        const invalid: [Record<string, unknown>, string][] = [
          [{ limit: 0 }, "limit"],
          [{ limit: 101 }, "limit"],
          [{ limit: 2.5 }, "limit"],
          [{ limit: -1 }, "limit"],
          [{ limit: Number.NaN }, "limit"],
          [{ skip: -1 }, "skip"],
          [{ skip: 1.5 }, "skip"],
        ];
        for (const [query, field] of invalid) {
          await expectAccessError(() => f.ac.listGrants(ORG, OWNER, query), "VALIDATION_ERROR", { field });
          await expectAccessError(() => f.ac.listSliceGrants(ORG, OWNER, SLICE, query), "VALIDATION_ERROR", { field });
        }
        await expectAccessError(
          () => f.ac.listAssistantGrants(ORG, OWNER, ASSISTANT, { limit: 101 }),
          "VALIDATION_ERROR",
          {
            field: "limit",
          },
        );
      },
    );

    conformance("listing order: a grant created later lists later even when its id sorts first", async (f) => {
      await organization(f.ac);
      const ac = f.service({ ids: idsFrom("agrant_c03", "agrant_b02", "agrant_a01") });
      for (const user of [ALICE, BOB, CAROL]) {
        f.clock.advance(1000);
        await ac.createGrant(ORG, OWNER, grantTo(user));
      }
      const expected = ["agrant_c03", "agrant_b02", "agrant_a01"];
      expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual(expected);
      expect(ids(await f.ac.listSliceGrants(ORG, OWNER, SLICE))).toEqual(expected);
      expect(ids(await f.adapter.listGrants(ORG, { entity_id: SLICE }, { skip: 0, limit: 100 }))).toEqual(expected);
      expect(ids(await f.ac.listGrants(ORG, OWNER, { skip: 1, limit: 1 }))).toEqual(["agrant_b02"]);
      // Later than an hour's worth of seconds apart too: created_at must compare as time, not as a number of digits.
      f.clock.advance(10 * HOUR);
      const later = await f.service({ ids: idsFrom("agrant_0") }).createGrant(ORG, OWNER, grantTo(STRANGER));
      expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual([...expected, later.id]);
    });

    conformance(
      "listing order: grants with equal created_at list by id in code-unit order, whatever the insertion order",
      async (f) => {
        await organization(f.ac);
        f.clock.advance(1000);
        const earlier = await f.service({ ids: idsFrom("agrant_zz") }).createGrant(ORG, OWNER, grantTo(STRANGER));
        f.clock.advance(1000);
        const ac = f.service({ ids: idsFrom("agrant_m5", "agrant_a", "agrant_Z9", "agrant_B1", "agrant_q7") });
        for (const user of [ALICE, BOB, CAROL, OWNER, OWNER_B]) await ac.createGrant(ORG, OWNER, grantTo(user));
        // Code-unit order: upper case before lower case.
        const expected = [earlier.id, "agrant_B1", "agrant_Z9", "agrant_a", "agrant_m5", "agrant_q7"];
        expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual(expected);
        expect(ids(await f.ac.listGrants(ORG, OWNER, { skip: 2, limit: 2 }))).toEqual(expected.slice(2, 4));
        expect(ids(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 }))).toEqual(expected);
      },
    );

    // ---------------------------------------------------------------- getGrant

    conformance(
      "getGrant answers owners and entity admins; RESOURCE_NOT_FOUND names an unknown grant_id, malformed ids are VALIDATION_ERROR, strangers are refused",
      async (f) => {
        await organization(f.ac);
        const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
        await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
        expect(await f.ac.getGrant(ORG, OWNER, grant.id)).toEqual(grant);
        expect(await f.ac.getGrant(ORG, BOB, grant.id)).toEqual(grant);
        const missing = await expectAccessError(() => f.ac.getGrant(ORG, OWNER, "agrant_nope"), "RESOURCE_NOT_FOUND", {
          grant_id: "agrant_nope",
        });
        expect(missing.status).toBe(404);
        expect(missing.system_message).toBe("Access grant not found");
        await expectAccessError(() => f.ac.getGrant(ORG, OWNER, "grant_1"), "VALIDATION_ERROR", { field: "grant_id" });
        await expectAccessError(() => f.ac.getGrant(ORG, STRANGER, grant.id), "INSUFFICIENT_PERMISSIONS");
        // Holding read on the entity is not enough to read its grants.
        await expectAccessError(() => f.ac.getGrant(ORG, ALICE, grant.id), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.getGrant(ORG_B, OWNER, grant.id), "RESOURCE_NOT_FOUND");
      },
    );

    // ---------------------------------------------------------------- updateGrant

    conformance(
      "updateGrant changes only access_level and updated_at (from the clock), stores it, and the same level is a no-op",
      async (f) => {
        await organization(f.ac);
        const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
        f.clock.advance(HOUR);
        const updated = await f.ac.updateGrant(ORG, OWNER, grant.id, { access_level: "write" });
        expect(updated).toEqual({ ...grant, access_level: "write", updated_at: at(60) });
        expect(Object.keys(updated).sort()).toEqual(GRANT_KEYS);
        expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(updated);
        expect(await f.service().getGrant(ORG, OWNER, grant.id)).toEqual(updated);
        expect((await f.ac.resolvedAccess(ORG, ALICE, ALICE)).entities[0]?.access_level).toBe("write");
        const version = await versionOf(f.adapter, ORG);
        f.clock.advance(HOUR);
        expect(await f.ac.updateGrant(ORG, OWNER, grant.id, { access_level: "write" })).toEqual(updated);
        expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(updated);
        expect(await versionOf(f.adapter, ORG)).toBe(version);
        expect((await f.ac.listGrants(ORG, OWNER)).total).toBe(1);
      },
    );

    conformance(
      "updateGrant errors: unknown grant RESOURCE_NOT_FOUND, bad level or an immutable field VALIDATION_ERROR, non-admins refused, nothing stored",
      async (f) => {
        await organization(f.ac);
        const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
        await expectAccessError(
          () => f.ac.updateGrant(ORG, OWNER, "agrant_nope", { access_level: "write" }),
          "RESOURCE_NOT_FOUND",
          {
            grant_id: "agrant_nope",
          },
        );
        await expectAccessError(
          () => f.ac.updateGrant(ORG, OWNER, grant.id, loose({ access_level: "owner" })),
          "VALIDATION_ERROR",
          {
            field: "access_level",
          },
        );
        await expectAccessError(
          () => f.ac.updateGrant(ORG, OWNER, grant.id, loose({ access_level: "write", entity_id: SLICE_2 })),
          "VALIDATION_ERROR",
          { field: "entity_id" },
        );
        await expectAccessError(
          () => f.ac.updateGrant(ORG, OWNER, grant.id, loose({ access_level: "write", grantee_id: BOB })),
          "VALIDATION_ERROR",
          { field: "grantee_id" },
        );
        await expectAccessError(
          () => f.ac.updateGrant(ORG, STRANGER, grant.id, { access_level: "admin" }),
          "INSUFFICIENT_PERMISSIONS",
        );
        await expectAccessError(
          () => f.ac.updateGrant(ORG, ALICE, grant.id, { access_level: "admin" }),
          "INSUFFICIENT_PERMISSIONS",
        );
        await expectAccessError(
          () => f.ac.updateGrant(ORG_B, OWNER, grant.id, { access_level: "admin" }),
          "RESOURCE_NOT_FOUND",
        );
        expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
      },
    );

    // ---------------------------------------------------------------- revokeGrant

    conformance(
      "revokeGrant is a soft delete: getGrant still returns the grant, with revoked_at and updated_at from the clock",
      async (f) => {
        await organization(f.ac);
        const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
        f.clock.advance(HOUR);
        expect(await f.ac.revokeGrant(ORG, OWNER, grant.id)).toBeUndefined();
        const expected = { ...grant, updated_at: at(60), revoked_at: at(60) };
        expect(await f.ac.getGrant(ORG, OWNER, grant.id)).toEqual(expected);
        expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(expected);
        expect(await f.service().getGrant(ORG, OWNER, grant.id)).toEqual(expected);
        expect(Object.keys((await f.adapter.getGrant(ORG, grant.id)) ?? {}).sort()).toEqual(
          [...GRANT_KEYS, "revoked_at"].sort(),
        );
      },
    );

    conformance(
      "a revoked grant is neither listed nor resolved, nor in usersWithAccess or the loaded snapshot",
      async (f) => {
        await organization(f.ac);
        const kept = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "read"));
        const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
        await f.ac.revokeGrant(ORG, OWNER, grant.id);
        for (const ac of [f.ac, f.service()]) {
          expect(ids(await ac.listGrants(ORG, OWNER))).toEqual([kept.id]);
          expect((await ac.listGrants(ORG, OWNER, { grantee_id: ALICE })).total).toBe(0);
          expect(ids(await ac.listSliceGrants(ORG, OWNER, SLICE))).toEqual([kept.id]);
          expect(await ac.resolvedAccess(ORG, ALICE, ALICE)).toEqual({ user_id: ALICE, entities: [] });
          const users = await ac.usersWithAccess(ORG, OWNER, slice(SLICE));
          expect(users.users.map((u) => u.user_id)).toEqual([BOB]);
        }
        expect(await f.adapter.listGrants(ORG, { grantee_id: ALICE }, { skip: 0, limit: 100 })).toEqual({
          items: [],
          total: 0,
        });
        expect(((await snapshotOf(f.adapter, ORG)).grants ?? []).map((g) => g.id)).toEqual([kept.id]);
      },
    );

    conformance("a revoked grant does not conflict: granting the same pair again succeeds with a new id", async (f) => {
      await organization(f.ac);
      const first = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      await f.ac.revokeGrant(ORG, OWNER, first.id);
      f.clock.advance(HOUR);
      const again = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
      expect(again.id).not.toBe(first.id);
      expect(again).toMatchObject({ grantee_id: ALICE, access_level: "read", created_at: at(60) });
      expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual([again.id]);
      expect((await f.adapter.getGrant(ORG, first.id))?.revoked_at).toBe(T0);
      expect((await f.service().resolvedAccess(ORG, ALICE, ALICE)).entities).toMatchObject([
        { entity_id: SLICE, access_level: "read", grant_paths: [{ type: "direct", grant_id: again.id }] },
      ]);
      await expectAccessError(() => f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin")), "RESOURCE_ALREADY_EXISTS", {
        grant_id: again.id,
      });
    });

    conformance(
      "a revoked grant cannot be revoked again or updated (RESOURCE_NOT_FOUND) and stays as it was",
      async (f) => {
        await organization(f.ac);
        const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
        await expectAccessError(() => f.ac.revokeGrant(ORG, STRANGER, grant.id), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.revokeGrant(ORG, OWNER, "agrant_nope"), "RESOURCE_NOT_FOUND", {
          grant_id: "agrant_nope",
        });
        await f.ac.revokeGrant(ORG, OWNER, grant.id);
        const revoked = await f.adapter.getGrant(ORG, grant.id);
        f.clock.advance(HOUR);
        for (const ac of [f.ac, f.service()]) {
          await expectAccessError(() => ac.revokeGrant(ORG, OWNER, grant.id), "RESOURCE_NOT_FOUND", {
            grant_id: grant.id,
          });
          await expectAccessError(
            () => ac.updateGrant(ORG, OWNER, grant.id, { access_level: "admin" }),
            "RESOURCE_NOT_FOUND",
            {
              grant_id: grant.id,
            },
          );
        }
        expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(revoked);
      },
    );

    // ---------------------------------------------------------------- per-entity listings

    conformance(
      "listSliceGrants, listVectorStoreGrants and listAssistantGrants list only their entity's active grants, paged",
      async (f) => {
        await organization(f.ac);
        const a = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE)));
        const b = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "read", slice(SLICE)));
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE_2)));
        const c = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", store(STORE)));
        const d = await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "read", store(STORE)));
        const e = await f.ac.createGrant(ORG, OWNER, grantTo(OPS, "admin", assistant(ASSISTANT)));
        const revoked = await f.ac.createGrant(ORG, OWNER, grantTo(CAROL, "admin", assistant(ASSISTANT)));
        await f.ac.revokeGrant(ORG, OWNER, revoked.id);
        expect(await f.ac.listSliceGrants(ORG, OWNER, SLICE)).toEqual({
          items: [a, b],
          total: 2,
          skip: 0,
          limit: 20,
          has_more: false,
        });
        expect(await f.ac.listSliceGrants(ORG, OWNER, SLICE, { limit: 1 })).toEqual({
          items: [a],
          total: 2,
          skip: 0,
          limit: 1,
          has_more: true,
        });
        expect(ids(await f.ac.listSliceGrants(ORG, OWNER, SLICE, { skip: 1, limit: 1 }))).toEqual([b.id]);
        expect(ids(await f.ac.listVectorStoreGrants(ORG, OWNER, STORE))).toEqual([c.id, d.id]);
        expect(await f.ac.listAssistantGrants(ORG, OWNER, ASSISTANT)).toEqual({
          items: [e],
          total: 1,
          skip: 0,
          limit: 20,
          has_more: false,
        });
        expect((await f.ac.listAssistantGrants(ORG, OWNER, "asst_none")).total).toBe(0);
        // The grantee with admin on an entity may list it.
        expect(ids(await f.ac.listVectorStoreGrants(ORG, ALICE, STORE))).toEqual([c.id, d.id]);
      },
    );

    conformance(
      "per-entity listings: an id of the wrong kind is VALIDATION_ERROR on entity_id, non-admins are refused, unknown organizations are not found",
      async (f) => {
        await organization(f.ac);
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", slice(SLICE)));
        await expectAccessError(() => f.ac.listSliceGrants(ORG, OWNER, STORE), "VALIDATION_ERROR", {
          field: "entity_id",
        });
        await expectAccessError(() => f.ac.listVectorStoreGrants(ORG, OWNER, SLICE), "VALIDATION_ERROR", {
          field: "entity_id",
        });
        await expectAccessError(() => f.ac.listAssistantGrants(ORG, OWNER, "assistant1"), "VALIDATION_ERROR", {
          field: "entity_id",
        });
        expect((await f.ac.listSliceGrants(ORG, ALICE, SLICE)).total).toBe(1);
        await expectAccessError(() => f.ac.listSliceGrants(ORG, ALICE, SLICE_2), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.listVectorStoreGrants(ORG, ALICE, STORE), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.listAssistantGrants(ORG, STRANGER, ASSISTANT), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.listSliceGrants(ORG_B, OWNER, SLICE), "RESOURCE_NOT_FOUND");
      },
    );

    // ---------------------------------------------------------------- resolution

    conformance(
      "resolvedAccess gives direct, department (through an ancestor), role and composite paths from the stored directory",
      async (f) => {
        await organization(f.ac);
        await f.ac.createDepartment(ORG, OWNER, { id: BACKEND, parent_id: ENG });
        await f.ac.addDepartmentMember(ORG, OWNER, ALICE, BACKEND);
        await f.ac.addRoleMember(ORG, OWNER, ALICE, OPS);
        await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES] });
        const direct = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE)));
        const viaDepartment = await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "write", slice(SLICE)));
        const viaRole = await f.ac.createGrant(ORG, OWNER, grantTo(OPS, "admin", store(STORE)));
        const onComposite = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(HANDBOOK)));
        const none = { department_id: null, role_id: null, composite_id: null };
        const expected: ResolvedAccess = {
          user_id: ALICE,
          entities: [
            {
              ...slice(SLICE),
              access_level: "write",
              grant_paths: [
                { type: "direct", access_level: "read", ...none, grant_id: direct.id },
                { type: "department", access_level: "write", ...none, department_id: ENG, grant_id: viaDepartment.id },
              ],
            },
            {
              ...slice(HANDBOOK),
              access_level: "read",
              grant_paths: [{ type: "direct", access_level: "read", ...none, grant_id: onComposite.id }],
            },
            {
              ...slice(POLICIES),
              access_level: "read",
              grant_paths: [
                { type: "composite", access_level: "read", ...none, composite_id: HANDBOOK, grant_id: onComposite.id },
              ],
            },
            {
              ...store(STORE),
              access_level: "admin",
              grant_paths: [{ type: "role", access_level: "admin", ...none, role_id: OPS, grant_id: viaRole.id }],
            },
          ],
        };
        expect(await f.ac.resolvedAccess(ORG, ALICE, ALICE)).toEqual(expected);
        // A service that loads everything from the storage resolves the same.
        const fresh = f.service();
        expect(await fresh.resolvedAccess(ORG, OWNER, ALICE)).toEqual(expected);
        expect(await fresh.resolvedAccess(ORG, ALICE, ALICE, { entity_type: "vector_store" })).toEqual({
          user_id: ALICE,
          entities: expected.entities.filter((e) => e.entity_type === "vector_store"),
        });
      },
    );

    conformance(
      "resolvedAccess is readable by the user and by owners only; a user no grant reaches resolves to no entities",
      async (f) => {
        await organization(f.ac);
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin"));
        expect(entityIds(await f.ac.resolvedAccess(ORG, ALICE, ALICE))).toEqual([SLICE]);
        expect(entityIds(await f.ac.resolvedAccess(ORG, OWNER, ALICE))).toEqual([SLICE]);
        await expectAccessError(() => f.ac.resolvedAccess(ORG, BOB, ALICE), "INSUFFICIENT_PERMISSIONS");
        // Even admin on every entity ALICE reaches does not make one an owner.
        await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
        await expectAccessError(() => f.ac.resolvedAccess(ORG, BOB, ALICE), "INSUFFICIENT_PERMISSIONS");
        expect(await f.ac.resolvedAccess(ORG, STRANGER, STRANGER)).toEqual({ user_id: STRANGER, entities: [] });
        expect(await f.ac.resolvedAccess(ORG, ALICE, ALICE, { entity_type: "assistant" })).toEqual({
          user_id: ALICE,
          entities: [],
        });
        await expectAccessError(() => f.ac.resolvedAccess(ORG, OWNER, "alice"), "VALIDATION_ERROR", {
          field: "user_id",
        });
        await expectAccessError(
          () => f.ac.resolvedAccess(ORG, ALICE, ALICE, loose({ entity_type: "slice" })),
          "VALIDATION_ERROR",
          {
            field: "entity_type",
          },
        );
        await expectAccessError(() => f.ac.resolvedAccess(ORG_B, ALICE, ALICE), "RESOURCE_NOT_FOUND");
      },
    );

    conformance(
      "usersWithAccess lists every reached user sorted by user_id, for owners and entity admins only",
      async (f) => {
        await organization(f.ac);
        await f.ac.addDepartmentMember(ORG, OWNER, CAROL, ENG);
        await f.ac.addDepartmentMember(ORG, OWNER, ALICE, ENG);
        const viaDepartment = await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "read"));
        const direct = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
        const none = { department_id: null, role_id: null, composite_id: null };
        const departmentPath = {
          type: "department",
          access_level: "read",
          ...none,
          department_id: ENG,
          grant_id: viaDepartment.id,
        };
        const expected = {
          ...slice(SLICE),
          users: [
            { user_id: ALICE, access_level: "read", grant_paths: [departmentPath] },
            {
              user_id: BOB,
              access_level: "admin",
              grant_paths: [{ type: "direct", access_level: "admin", ...none, grant_id: direct.id }],
            },
            { user_id: CAROL, access_level: "read", grant_paths: [departmentPath] },
          ],
        };
        expect(await f.ac.usersWithAccess(ORG, OWNER, slice(SLICE))).toEqual(expected);
        expect(await f.service().usersWithAccess(ORG, BOB, slice(SLICE))).toEqual(expected);
        expect(await f.ac.usersWithAccess(ORG, OWNER, slice(SLICE_2))).toEqual({ ...slice(SLICE_2), users: [] });
        await expectAccessError(() => f.ac.usersWithAccess(ORG, ALICE, slice(SLICE)), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.usersWithAccess(ORG, STRANGER, slice(SLICE)), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(
          () => f.ac.usersWithAccess(ORG, OWNER, loose({ entity_type: "knowledge_slice" })),
          "VALIDATION_ERROR",
          {
            field: "entity_id",
          },
        );
        await expectAccessError(
          () => f.ac.usersWithAccess(ORG, OWNER, loose({ entity_id: SLICE })),
          "VALIDATION_ERROR",
          {
            field: "entity_type",
          },
        );
        await expectAccessError(() => f.ac.usersWithAccess(ORG_B, OWNER, slice(SLICE)), "RESOURCE_NOT_FOUND");
      },
    );

    // ---------------------------------------------------------------- expiry

    conformance(
      "an expired grant stops resolving once the clock reaches expires_at, and granting the pair again revokes it and succeeds",
      async (f) => {
        await organization(f.ac);
        const expiring = await f.ac.createGrant(ORG, OWNER, { ...grantTo(ALICE, "write"), expires_at: at(60) });
        f.clock.advance(HOUR - 1000);
        expect(entityIds(await f.ac.resolvedAccess(ORG, ALICE, ALICE))).toEqual([SLICE]);
        f.clock.advance(1000);
        expect(await f.ac.resolvedAccess(ORG, ALICE, ALICE)).toEqual({ user_id: ALICE, entities: [] });
        expect((await f.ac.usersWithAccess(ORG, OWNER, slice(SLICE))).users).toEqual([]);
        expect(await f.service().resolvedAccess(ORG, ALICE, ALICE)).toEqual({ user_id: ALICE, entities: [] });
        const again = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
        expect(again.id).not.toBe(expiring.id);
        expect(again).toMatchObject({ created_at: at(60), access_level: "read" });
        expect(await f.adapter.getGrant(ORG, expiring.id)).toEqual({
          ...expiring,
          updated_at: at(60),
          revoked_at: at(60),
        });
        expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual([again.id]);
        expect((await f.service().resolvedAccess(ORG, ALICE, ALICE)).entities).toMatchObject([
          { entity_id: SLICE, access_level: "read", grant_paths: [{ grant_id: again.id }] },
        ]);
      },
    );

    // ---------------------------------------------------------------- directory

    conformance(
      "department membership: adding lets department grants reach the user, removing takes them away, removing a missing membership is RESOURCE_NOT_FOUND",
      async (f) => {
        await organization(f.ac);
        await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "write"));
        expect(await f.ac.addDepartmentMember(ORG, OWNER, ALICE, ENG)).toEqual({
          id: ALICE,
          department_ids: [ENG],
          role_ids: [],
        });
        expect(entityIds(await f.service().resolvedAccess(ORG, ALICE, ALICE))).toEqual([SLICE]);
        const version = await versionOf(f.adapter, ORG);
        expect(await f.ac.addDepartmentMember(ORG, OWNER, ALICE, ENG)).toEqual({
          id: ALICE,
          department_ids: [ENG],
          role_ids: [],
        });
        expect(await versionOf(f.adapter, ORG)).toBe(version);
        expect(await f.ac.removeDepartmentMember(ORG, OWNER, ALICE, ENG)).toEqual({
          id: ALICE,
          department_ids: [],
          role_ids: [],
        });
        expect((await f.ac.resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
        expect((await f.service().resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
        await expectAccessError(() => f.ac.removeDepartmentMember(ORG, OWNER, ALICE, ENG), "RESOURCE_NOT_FOUND", {
          user_id: ALICE,
          department_id: ENG,
        });
        await expectAccessError(() => f.ac.addDepartmentMember(ORG, OWNER, ALICE, "eng"), "VALIDATION_ERROR", {
          field: "department_id",
        });
        await expectAccessError(() => f.ac.addDepartmentMember(ORG, OWNER, "alice", ENG), "VALIDATION_ERROR", {
          field: "user_id",
        });
        await expectAccessError(() => f.ac.addDepartmentMember(ORG_B, OWNER, ALICE, ENG), "RESOURCE_NOT_FOUND");
      },
    );

    conformance(
      "role membership: adding lets role grants reach the user, removing takes them away, removing a role not held is RESOURCE_NOT_FOUND",
      async (f) => {
        await organization(f.ac);
        await f.ac.createGrant(ORG, OWNER, grantTo(OPS, "admin", assistant(ASSISTANT)));
        await f.ac.addDepartmentMember(ORG, OWNER, BOB, ENG);
        expect(await f.ac.addRoleMember(ORG, OWNER, BOB, OPS)).toEqual({
          id: BOB,
          department_ids: [ENG],
          role_ids: [OPS],
        });
        expect(await f.service().resolvedAccess(ORG, BOB, BOB)).toMatchObject({
          entities: [{ ...assistant(ASSISTANT), access_level: "admin", grant_paths: [{ type: "role", role_id: OPS }] }],
        });
        // Holding admin through the role lets BOB manage the assistant's grants.
        expect((await f.ac.listAssistantGrants(ORG, BOB, ASSISTANT)).total).toBe(1);
        expect(await f.ac.removeRoleMember(ORG, OWNER, BOB, OPS)).toEqual({
          id: BOB,
          department_ids: [ENG],
          role_ids: [],
        });
        expect((await f.service().resolvedAccess(ORG, BOB, BOB)).entities).toEqual([]);
        await expectAccessError(() => f.ac.listAssistantGrants(ORG, BOB, ASSISTANT), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => f.ac.removeRoleMember(ORG, OWNER, BOB, OPS), "RESOURCE_NOT_FOUND", {
          role_id: OPS,
        });
        await expectAccessError(() => f.ac.addRoleMember(ORG, OWNER, BOB, "ops"), "VALIDATION_ERROR", {
          field: "role_id",
        });
      },
    );

    conformance(
      "createDepartment, moveDepartment and deleteDepartment are stored, and grants follow the department forest as it changes",
      async (f) => {
        await organization(f.ac);
        expect(await f.ac.createDepartment(ORG, OWNER, { id: BACKEND, parent_id: ENG })).toEqual({
          id: BACKEND,
          parent_id: ENG,
        });
        expect(await f.ac.createDepartment(ORG, OWNER, { id: PLATFORM })).toEqual({ id: PLATFORM, parent_id: null });
        await f.ac.addDepartmentMember(ORG, OWNER, ALICE, BACKEND);
        await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "read", slice(SLICE)));
        await f.ac.createGrant(ORG, OWNER, grantTo(PLATFORM, "write", store(STORE)));
        expect(entityIds(await f.service().resolvedAccess(ORG, ALICE, ALICE))).toEqual([SLICE]);
        expect(await f.ac.moveDepartment(ORG, OWNER, BACKEND, PLATFORM)).toEqual({ id: BACKEND, parent_id: PLATFORM });
        expect(entityIds(await f.ac.resolvedAccess(ORG, ALICE, ALICE))).toEqual([STORE]);
        expect(entityIds(await f.service().resolvedAccess(ORG, ALICE, ALICE))).toEqual([STORE]);
        expect(canonical(await snapshotOf(f.adapter, ORG)).departments).toContainEqual({
          id: BACKEND,
          parent_id: PLATFORM,
        });
        expect(await f.ac.moveDepartment(ORG, OWNER, BACKEND, null)).toEqual({ id: BACKEND, parent_id: null });
        expect((await f.service().resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
        await f.ac.moveDepartment(ORG, OWNER, BACKEND, ENG);
        await f.ac.createDepartment(ORG, OWNER, { id: "dept_api01", parent_id: BACKEND });
        await f.ac.addDepartmentMember(ORG, OWNER, BOB, "dept_api01");
        // Deleting BACKEND lifts dept_api01 to ENG (BOB keeps ENG's grant) and drops ALICE's membership.
        expect(await f.ac.deleteDepartment(ORG, OWNER, BACKEND)).toBeUndefined();
        const fresh = f.service();
        expect((await fresh.resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
        expect(entityIds(await fresh.resolvedAccess(ORG, BOB, BOB))).toEqual([SLICE]);
        const stored = canonical(await snapshotOf(f.adapter, ORG));
        expect(stored.departments).toContainEqual({ id: "dept_api01", parent_id: ENG });
        expect(stored.departments?.map((d) => d.id)).not.toContain(BACKEND);
        expect(stored.users?.find((u) => u.id === ALICE)?.department_ids ?? []).toEqual([]);
        expect(canonical(await fresh.exportOrganization(ORG, OWNER))).toEqual(
          canonical(await f.ac.exportOrganization(ORG, OWNER)),
        );
      },
    );

    conformance(
      "department errors: a cycle is INVALID_GRAPH, an unknown department RESOURCE_NOT_FOUND, a second declaration RESOURCE_ALREADY_EXISTS, deleting one that grants name VALIDATION_ERROR",
      async (f) => {
        await organization(f.ac);
        await f.ac.createDepartment(ORG, OWNER, { id: ENG });
        await f.ac.createDepartment(ORG, OWNER, { id: BACKEND, parent_id: ENG });
        await f.ac.createGrant(ORG, OWNER, grantTo(ENG));
        const version = await versionOf(f.adapter, ORG);
        await expectAccessError(() => f.ac.moveDepartment(ORG, OWNER, ENG, BACKEND), "INVALID_GRAPH");
        await expectAccessError(() => f.ac.moveDepartment(ORG, OWNER, ENG, ENG), "INVALID_GRAPH");
        await expectAccessError(
          () => f.ac.createDepartment(ORG, OWNER, { id: ENG, parent_id: BACKEND }),
          "RESOURCE_ALREADY_EXISTS",
        );
        await expectAccessError(() => f.ac.moveDepartment(ORG, OWNER, "dept_nope", null), "RESOURCE_NOT_FOUND", {
          department_id: "dept_nope",
        });
        await expectAccessError(() => f.ac.deleteDepartment(ORG, OWNER, "dept_nope"), "RESOURCE_NOT_FOUND", {
          department_id: "dept_nope",
        });
        await expectAccessError(() => f.ac.deleteDepartment(ORG, OWNER, ENG), "VALIDATION_ERROR", {
          field: "department_id",
        });
        await expectAccessError(() => f.ac.createDepartment(ORG, OWNER, { id: "engineering" }), "VALIDATION_ERROR", {
          field: "id",
        });
        await expectAccessError(
          () => f.ac.createDepartment(ORG, OWNER, { id: PLATFORM, parent_id: "eng" }),
          "VALIDATION_ERROR",
          {
            field: "parent_id",
          },
        );
        expect(await versionOf(f.adapter, ORG)).toBe(version);
        expect(canonical(await snapshotOf(f.adapter, ORG)).departments).toEqual([
          { id: BACKEND, parent_id: ENG },
          { id: ENG, parent_id: null },
        ]);
      },
    );

    conformance(
      "composites: createComposite and setCompositeMembers are stored and carry grants down; cycles are INVALID_GRAPH, duplicates RESOURCE_ALREADY_EXISTS, unknown composites RESOURCE_NOT_FOUND",
      async (f) => {
        await organization(f.ac);
        expect(await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES] })).toEqual({
          id: HANDBOOK,
          member_slice_ids: [POLICIES],
        });
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(HANDBOOK)));
        expect(entityIds(await f.service().resolvedAccess(ORG, ALICE, ALICE))).toEqual([HANDBOOK, POLICIES]);
        expect(await f.ac.setCompositeMembers(ORG, OWNER, HANDBOOK, [BENEFITS])).toEqual({
          id: HANDBOOK,
          member_slice_ids: [BENEFITS],
        });
        expect(entityIds(await f.service().resolvedAccess(ORG, ALICE, ALICE))).toEqual([BENEFITS, HANDBOOK]);
        const version = await versionOf(f.adapter, ORG);
        await expectAccessError(
          () => f.ac.createComposite(ORG, OWNER, { id: BENEFITS, member_slice_ids: [HANDBOOK] }),
          "INVALID_GRAPH",
        );
        await expectAccessError(() => f.ac.setCompositeMembers(ORG, OWNER, HANDBOOK, [HANDBOOK]), "INVALID_GRAPH");
        await expectAccessError(
          () => f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [] }),
          "RESOURCE_ALREADY_EXISTS",
        );
        await expectAccessError(
          () => f.ac.setCompositeMembers(ORG, OWNER, "kslice_unknown", [POLICIES]),
          "RESOURCE_NOT_FOUND",
          {
            composite_id: "kslice_unknown",
          },
        );
        await expectAccessError(
          () => f.ac.createComposite(ORG, OWNER, { id: "kslice_x1", member_slice_ids: [STORE] }),
          "VALIDATION_ERROR",
          {
            field: "member_slice_ids[0]",
          },
        );
        expect(await versionOf(f.adapter, ORG)).toBe(version);
        expect(canonical(await snapshotOf(f.adapter, ORG)).composites).toEqual([
          { id: HANDBOOK, member_slice_ids: [BENEFITS] },
        ]);
      },
    );

    conformance(
      "directory writes are for owners only: strangers and entity admins get INSUFFICIENT_PERMISSIONS and nothing changes",
      async (f) => {
        await organization(f.ac);
        await f.ac.createDepartment(ORG, OWNER, { id: ENG });
        await f.ac.addDepartmentMember(ORG, OWNER, BOB, ENG);
        await f.ac.addRoleMember(ORG, OWNER, BOB, OPS);
        await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES] });
        await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", slice(HANDBOOK)));
        const before = await snapshotOf(f.adapter, ORG);
        const version = await versionOf(f.adapter, ORG);
        for (const actor of [STRANGER, ALICE]) {
          const writes: (() => Promise<unknown>)[] = [
            () => f.ac.addDepartmentMember(ORG, actor, ALICE, ENG),
            () => f.ac.removeDepartmentMember(ORG, actor, BOB, ENG),
            () => f.ac.addRoleMember(ORG, actor, ALICE, OPS),
            () => f.ac.removeRoleMember(ORG, actor, BOB, OPS),
            () => f.ac.createDepartment(ORG, actor, { id: PLATFORM }),
            () => f.ac.moveDepartment(ORG, actor, ENG, PLATFORM),
            () => f.ac.deleteDepartment(ORG, actor, ENG),
            () => f.ac.createComposite(ORG, actor, { id: "kslice_new01", member_slice_ids: [] }),
            () => f.ac.setCompositeMembers(ORG, actor, HANDBOOK, []),
            () => f.ac.setOwners(ORG, actor, [actor]),
            () => f.ac.exportOrganization(ORG, actor),
          ];
          for (const write of writes) await expectAccessError(write, "INSUFFICIENT_PERMISSIONS");
        }
        expect(await versionOf(f.adapter, ORG)).toBe(version);
        expect(canonical(await snapshotOf(f.adapter, ORG))).toEqual(canonical(before));
      },
    );

    conformance(
      "a fresh service over the same adapter sees everything written, so no state lives only in a service's cache",
      async (f) => {
        await organization(f.ac, ORG, [OWNER, OWNER_B]);
        await f.ac.createDepartment(ORG, OWNER, { id: BACKEND, parent_id: ENG });
        await f.ac.addDepartmentMember(ORG, OWNER, ALICE, BACKEND);
        await f.ac.addRoleMember(ORG, OWNER, BOB, OPS);
        await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES, BENEFITS] });
        await f.ac.bulkCreateGrants(ORG, OWNER, {
          ...slice(HANDBOOK),
          grants: [bulkItem(ENG), bulkItem(OPS, "write")],
        });
        const updated = await f.ac.createGrant(ORG, OWNER, grantTo(CAROL, "read", store(STORE)));
        f.clock.advance(HOUR);
        await f.ac.updateGrant(ORG, OWNER, updated.id, { access_level: "admin" });
        const revoked = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", assistant(ASSISTANT)));
        await f.ac.revokeGrant(ORG, OWNER, revoked.id);
        await f.ac.setOwners(ORG, OWNER, [OWNER]);
        const fresh = f.service();
        expect(canonical(await fresh.exportOrganization(ORG, OWNER))).toEqual(
          canonical(await f.ac.exportOrganization(ORG, OWNER)),
        );
        expect(await fresh.listGrants(ORG, OWNER, { limit: 100 })).toEqual(
          await f.ac.listGrants(ORG, OWNER, { limit: 100 }),
        );
        for (const user of [ALICE, BOB, CAROL]) {
          expect(await fresh.resolvedAccess(ORG, OWNER, user)).toEqual(await f.ac.resolvedAccess(ORG, OWNER, user));
        }
        await expectAccessError(() => fresh.listGrants(ORG, OWNER_B), "INSUFFICIENT_PERMISSIONS");
        expect((await fresh.getGrant(ORG, OWNER, revoked.id)).revoked_at).toBe(at(60));
      },
    );

    // ---------------------------------------------------------------- the adapter contract

    conformance(
      "adapter: loadOrganization is null, getGrant null and listGrants empty for an unknown organization",
      async (f) => {
        expect(await f.adapter.loadOrganization(ORG)).toBeNull();
        expect(await f.adapter.getGrant(ORG, "agrant_test0001")).toBeNull();
        expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 20 })).toEqual({ items: [], total: 0 });
        expect(await f.adapter.listGrants(ORG, { entity_id: SLICE }, { skip: 5, limit: 100 })).toEqual({
          items: [],
          total: 0,
        });
        expect(typeof f.adapter.name).toBe("string");
        expect(f.adapter.name.length).toBeGreaterThan(0);
      },
    );

    conformance(
      "adapter: commit at version 0 creates the organization, and every commit returns a greater version that loadOrganization reports",
      async (f) => {
        const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
        expect(v1).toBeGreaterThanOrEqual(1);
        expect(await versionOf(f.adapter, ORG)).toBe(v1);
        const v2 = await f.adapter.commit(ORG, v1, [
          { type: "put_department", department: { id: ENG, parent_id: null } },
        ]);
        expect(v2).toBeGreaterThan(v1);
        expect(await versionOf(f.adapter, ORG)).toBe(v2);
        const grant = record("agrant_commit01");
        const v3 = await f.adapter.commit(ORG, v2, [{ type: "put_grant", grant }]);
        expect(v3).toBeGreaterThan(v2);
        const snapshot = await f.adapter.loadOrganization(ORG);
        expect(snapshot?.version).toBe(v3);
        expect(canonical(snapshot?.graph ?? { organization_id: "" })).toEqual({
          organization_id: ORG,
          owners: [OWNER],
          users: [],
          departments: [{ id: ENG, parent_id: null }],
          composites: [],
          grants: [grant],
        });
        expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
        // Another organization has its own versions.
        expect(
          await f.adapter.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER_B] }]),
        ).toBeGreaterThanOrEqual(1);
        expect(await versionOf(f.adapter, ORG)).toBe(v3);
      },
    );

    conformance(
      "adapter: a commit naming a stale or future version throws VERSION_CONFLICT and changes nothing",
      async (f) => {
        const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
        const v2 = await f.adapter.commit(ORG, v1, [{ type: "put_grant", grant: record("agrant_first") }]);
        const before = await snapshotOf(f.adapter, ORG);
        const batch: StorageChange[] = [
          { type: "put_grant", grant: record("agrant_lost", { grantee_id: BOB }) },
          { type: "put_department", department: { id: ENG, parent_id: null } },
          { type: "set_owners", owners: [STRANGER] },
        ];
        for (const expected of [v1, v2 + 1, v2 + 100]) {
          const error = await expectAccessError(() => f.adapter.commit(ORG, expected, batch), "VERSION_CONFLICT");
          expect(error.status).toBe(409);
        }
        expect(await versionOf(f.adapter, ORG)).toBe(v2);
        expect(await f.adapter.getGrant(ORG, "agrant_lost")).toBeNull();
        expect(canonical(await snapshotOf(f.adapter, ORG))).toEqual(canonical(before));
        expect((await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).total).toBe(1);
      },
    );

    conformance(
      "adapter: commit at version 0 for an existing organization throws VERSION_CONFLICT and keeps it as it was",
      async (f) => {
        const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
        await expectAccessError(
          () =>
            f.adapter.commit(ORG, 0, [
              { type: "create_organization", owners: [STRANGER] },
              { type: "put_grant", grant: record("agrant_sneaky") },
            ]),
          "VERSION_CONFLICT",
        );
        expect(await versionOf(f.adapter, ORG)).toBe(v1);
        expect((await snapshotOf(f.adapter, ORG)).owners).toEqual([OWNER]);
        expect(await f.adapter.getGrant(ORG, "agrant_sneaky")).toBeNull();
        // The same race through two services: the second creation is refused.
        await expectAccessError(() => organization(f.ac, ORG, [STRANGER]), "RESOURCE_ALREADY_EXISTS");
      },
    );

    conformance(
      "adapter: a batch at version 0 that does not start with create_organization is refused and creates nothing",
      async (f) => {
        let refused = false;
        try {
          await f.adapter.commit(ORG, 0, [{ type: "put_grant", grant: record("agrant_orphan") }]);
        } catch {
          refused = true;
        }
        expect(refused).toBe(true);
        expect(await f.adapter.loadOrganization(ORG)).toBeNull();
        expect(await f.adapter.getGrant(ORG, "agrant_orphan")).toBeNull();
      },
    );

    conformance(
      "adapter: getGrant returns a revoked grant with revoked_at, while listGrants and the snapshot leave it out",
      async (f) => {
        const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
        const active = record("agrant_active", { grantee_id: BOB });
        const grant = record("agrant_soft");
        const v2 = await f.adapter.commit(ORG, v1, [
          { type: "put_grant", grant },
          { type: "put_grant", grant: active },
        ]);
        const revoked: GrantRecord = { ...grant, updated_at: at(5), revoked_at: at(5) };
        await f.adapter.commit(ORG, v2, [{ type: "put_grant", grant: revoked }]);
        expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(revoked);
        expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({ items: [active], total: 1 });
        expect(await f.adapter.listGrants(ORG, { grantee_id: ALICE }, { skip: 0, limit: 100 })).toEqual({
          items: [],
          total: 0,
        });
        expect((await snapshotOf(f.adapter, ORG)).grants ?? []).toEqual([active]);
        expect(await f.adapter.getGrant(ORG, "agrant_unknown")).toBeNull();
        // Other organizations' grants are not found by id.
        await f.adapter.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER_B] }]);
        expect(await f.adapter.getGrant(ORG_B, active.id)).toBeNull();
      },
    );

    conformance(
      "adapter: put_grant replaces by id, and listGrants filters, counts and pages in created_at-then-id order",
      async (f) => {
        const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
        const grants = [
          record("agrant_b", { created_at: at(10), updated_at: at(10) }),
          record("agrant_a", { created_at: at(20), updated_at: at(20), grantee_id: BOB }),
          record("agrant_C", { created_at: at(10), updated_at: at(10), grantee_id: CAROL }),
          record("agrant_d", { ...store(STORE), created_at: at(0), updated_at: at(0) }),
          record("agrant_e", { created_at: at(6000), updated_at: at(6000), grantee_type: "role", grantee_id: OPS }),
        ];
        const v2 = await f.adapter.commit(
          ORG,
          v1,
          grants.map((grant) => ({ type: "put_grant", grant })),
        );
        const replaced = {
          ...record("agrant_b", { created_at: at(10) }),
          access_level: "admin" as const,
          updated_at: at(30),
        };
        await f.adapter.commit(ORG, v2, [{ type: "put_grant", grant: replaced }]);
        const all = await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 });
        expect(ids(all)).toEqual(["agrant_d", "agrant_C", "agrant_b", "agrant_a", "agrant_e"]);
        expect(all.total).toBe(5);
        expect(all.items[2]).toEqual(replaced);
        expect(await f.adapter.listGrants(ORG, {}, { skip: 1, limit: 2 })).toEqual({
          items: all.items.slice(1, 3),
          total: 5,
        });
        expect(await f.adapter.listGrants(ORG, {}, { skip: 5, limit: 2 })).toEqual({ items: [], total: 5 });
        expect(
          ids(
            await f.adapter.listGrants(
              ORG,
              { entity_type: "knowledge_slice", grantee_type: "user" },
              { skip: 0, limit: 100 },
            ),
          ),
        ).toEqual(["agrant_C", "agrant_b", "agrant_a"]);
        expect(await f.adapter.listGrants(ORG, { entity_id: SLICE, grantee_id: ALICE }, { skip: 0, limit: 1 })).toEqual(
          {
            items: [replaced],
            total: 1,
          },
        );
        expect(ids(await f.adapter.listGrants(ORG, { grantee_type: "role" }, { skip: 0, limit: 100 }))).toEqual([
          "agrant_e",
        ]);
        expect(ids(await f.adapter.listGrants(ORG, { entity_type: "vector_store" }, { skip: 0, limit: 100 }))).toEqual([
          "agrant_d",
        ]);
      },
    );

    conformance(
      "adapter: put_user, put_department, delete_department, put_composite and set_owners land in the snapshot",
      async (f) => {
        const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
        const v2 = await f.adapter.commit(ORG, v1, [
          { type: "put_department", department: { id: ENG, parent_id: null } },
          { type: "put_department", department: { id: BACKEND, parent_id: ENG } },
          { type: "put_user", user: { id: ALICE, department_ids: [BACKEND], role_ids: [OPS] } },
          { type: "put_user", user: { id: BOB, department_ids: [ENG], role_ids: [] } },
          { type: "put_composite", composite: { id: HANDBOOK, member_slice_ids: [POLICIES, BENEFITS] } },
          { type: "set_owners", owners: [OWNER, OWNER_B] },
        ]);
        await f.adapter.commit(ORG, v2, [
          { type: "delete_department", department_id: ENG },
          { type: "put_department", department: { id: BACKEND, parent_id: null } },
          { type: "put_user", user: { id: ALICE, department_ids: [BACKEND], role_ids: [] } },
          { type: "put_user", user: { id: BOB, department_ids: [], role_ids: [] } },
          { type: "put_composite", composite: { id: HANDBOOK, member_slice_ids: [POLICIES] } },
        ]);
        const graph = canonical(await snapshotOf(f.adapter, ORG));
        expect(graph.owners).toEqual([OWNER, OWNER_B]);
        expect(graph.departments).toEqual([{ id: BACKEND, parent_id: null }]);
        expect(graph.composites).toEqual([{ id: HANDBOOK, member_slice_ids: [POLICIES] }]);
        expect(graph.users?.find((u) => u.id === ALICE)).toEqual({
          id: ALICE,
          department_ids: [BACKEND],
          role_ids: [],
        });
        expect(graph.users?.find((u) => u.id === BOB) ?? { id: BOB, department_ids: [], role_ids: [] }).toEqual({
          id: BOB,
          department_ids: [],
          role_ids: [],
        });
        // The stored directory drives a service's resolution.
        await f.adapter.commit(ORG, (await versionOf(f.adapter, ORG)) ?? 0, [
          {
            type: "put_grant",
            grant: record("agrant_handbook", { entity_id: HANDBOOK, grantee_type: "department", grantee_id: BACKEND }),
          },
        ]);
        expect(entityIds(await f.ac.resolvedAccess(ORG, OWNER_B, ALICE))).toEqual([HANDBOOK, POLICIES]);
      },
    );

    conformance(
      "adapter: records it returns, and objects given to commit, cannot be used to change what it stores",
      async (f) => {
        const owners = [OWNER];
        const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners }]);
        const grant = { ...record("agrant_safe01") };
        const user = { id: ALICE, department_ids: [ENG], role_ids: [OPS] };
        const composite = { id: HANDBOOK, member_slice_ids: [POLICIES] };
        const department = { id: BACKEND, parent_id: ENG };
        await f.adapter.commit(ORG, v1, [
          { type: "put_grant", grant },
          { type: "put_user", user },
          { type: "put_composite", composite },
          { type: "put_department", department },
        ]);
        const expectedGrant = copy(grant);
        const expectedGraph = canonical(await snapshotOf(f.adapter, ORG));
        // What went in.
        tamper(owners);
        tamper(grant);
        tamper(user);
        tamper(composite);
        tamper(department);
        // What came out.
        tamper(await f.adapter.getGrant(ORG, grant.id));
        tamper(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 }));
        tamper(await f.adapter.loadOrganization(ORG));
        expect(await f.adapter.getGrant(ORG, expectedGrant.id)).toEqual(expectedGrant);
        expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({
          items: [expectedGrant],
          total: 1,
        });
        expect(canonical(await snapshotOf(f.adapter, ORG))).toEqual(expectedGraph);
        // Through a service: what it answers cannot reach back into the storage either.
        const created = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "read", store(STORE)));
        const createdCopy = copy(created);
        tamper(created);
        tamper(await f.ac.getGrant(ORG, OWNER, createdCopy.id));
        tamper(await f.ac.listGrants(ORG, OWNER));
        tamper(await f.ac.exportOrganization(ORG, OWNER));
        expect(await f.adapter.getGrant(ORG, createdCopy.id)).toEqual(createdCopy);
        expect(await f.ac.getGrant(ORG, OWNER, createdCopy.id)).toEqual(createdCopy);
        expect(entityIds(await f.ac.resolvedAccess(ORG, OWNER, BOB))).toEqual([STORE]);
      },
    );

    conformance(
      "adapter: watch reports a commit with the organization and its new version, and stops after unsubscribing",
      async (f) => {
        const events: [string, number][] = [];
        const stop = f.adapter.watch?.((organizationId, version) => events.push([organizationId, version]));
        if (!stop) throw new Error("conformance: watch returned no unsubscribe function");
        const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
        const v2 = await f.adapter.commit(ORG, v1, [
          { type: "put_department", department: { id: ENG, parent_id: null } },
        ]);
        await eventually(() => {
          expect(events).toContainEqual([ORG, v1]);
          expect(events).toContainEqual([ORG, v2]);
        });
        const vb = await f.adapter.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER_B] }]);
        await eventually(() => expect(events).toContainEqual([ORG_B, vb]));
        stop();
        const seen = events.length;
        await f.adapter.commit(ORG, v2, [{ type: "put_department", department: { id: BACKEND, parent_id: ENG } }]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(events.length).toBe(seen);
      },
      ["watch"],
    );

    // ---------------------------------------------------------------- two services on one adapter

    conformance(
      "two services on one adapter: a write through one is visible through the other without it writing (watch)",
      async (f) => {
        const a = f.ac;
        const b = f.service({ ids: sequentialIds("agrant_other") });
        await organization(a);
        // b caches the organization before a writes.
        expect((await b.resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
        await expectAccessError(() => b.listSliceGrants(ORG, BOB, SLICE), "INSUFFICIENT_PERMISSIONS");
        const grant = await a.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
        await eventually(async () => expect(entityIds(await b.resolvedAccess(ORG, ALICE, ALICE))).toEqual([SLICE]));
        await a.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
        await eventually(async () => expect((await b.listSliceGrants(ORG, BOB, SLICE)).total).toBe(2));
        await a.addDepartmentMember(ORG, OWNER, CAROL, ENG);
        await a.createGrant(ORG, OWNER, grantTo(ENG, "read", store(STORE)));
        await eventually(async () => expect(entityIds(await b.resolvedAccess(ORG, CAROL, CAROL))).toEqual([STORE]));
        await a.revokeGrant(ORG, OWNER, grant.id);
        await eventually(async () => expect((await b.resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]));
        await a.setOwners(ORG, OWNER, [OWNER_B]);
        await eventually(() =>
          expectAccessError(() => b.listGrants(ORG, OWNER), "INSUFFICIENT_PERMISSIONS").then(() => {}),
        );
        expect((await b.listGrants(ORG, OWNER_B)).total).toBe(2);
      },
      ["watch"],
    );

    conformance(
      "two services on one adapter: a grant made through one can be updated and revoked through the other, which had already loaded the organization (watch)",
      async (f) => {
        const a = f.ac;
        const b = f.service({ ids: sequentialIds("agrant_other") });
        await organization(a);
        expect(await b.listGrants(ORG, OWNER)).toMatchObject({ total: 0 });
        const grant = await a.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
        f.clock.advance(HOUR);
        expect(await b.updateGrant(ORG, OWNER, grant.id, { access_level: "admin" })).toEqual({
          ...grant,
          access_level: "admin",
          updated_at: at(60),
        });
        expect((await a.resolvedAccess(ORG, ALICE, ALICE)).entities[0]?.access_level).toBe("admin");
        // ALICE's new admin level, granted through b, lets her act through a.
        const byAlice = await a.createGrant(ORG, ALICE, grantTo(BOB, "read"));
        await b.revokeGrant(ORG, ALICE, byAlice.id);
        expect((await a.resolvedAccess(ORG, BOB, BOB)).entities).toEqual([]);
        await expectAccessError(() => a.revokeGrant(ORG, OWNER, byAlice.id), "RESOURCE_NOT_FOUND");
        // A re-grant through a of the pair b revoked is no conflict.
        expect((await a.createGrant(ORG, OWNER, grantTo(BOB, "write"))).access_level).toBe("write");
      },
      ["watch"],
    );

    conformance(
      "two services on one adapter: writes through a service that has not heard of the other's writes act on the stored state, not on its stale view",
      async (f) => {
        const a = f.ac;
        const b = f.service({ ids: sequentialIds("agrant_other") });
        await organization(a);
        await a.addDepartmentMember(ORG, OWNER, ALICE, ENG);
        // b loads the organization now; without watch it hears of a's later writes only through conflicts.
        expect((await b.listGrants(ORG, OWNER)).total).toBe(0);
        const grant = await a.createGrant(ORG, OWNER, grantTo(BOB, "read"));
        expect((await b.updateGrant(ORG, OWNER, grant.id, { access_level: "write" })).access_level).toBe("write");
        await b.revokeGrant(ORG, OWNER, grant.id);
        // a made the grant and b revoked it: a may grant the pair again.
        const again = await a.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
        expect((await f.adapter.getGrant(ORG, grant.id))?.revoked_at).toBe(T0);
        expect(ids(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 }))).toEqual([again.id]);
        // a membership b still believes in, removed through a, is added back for real.
        await a.removeDepartmentMember(ORG, OWNER, ALICE, ENG);
        expect(await b.addDepartmentMember(ORG, OWNER, ALICE, ENG)).toEqual({
          id: ALICE,
          department_ids: [ENG],
          role_ids: [],
        });
        const stored = canonical(await snapshotOf(f.adapter, ORG));
        expect(stored.users?.find((u) => u.id === ALICE)?.department_ids).toEqual([ENG]);
        // a level b still believes in, changed through a, is set back for real.
        await a.updateGrant(ORG, OWNER, again.id, { access_level: "read" });
        expect((await b.updateGrant(ORG, OWNER, again.id, { access_level: "admin" })).access_level).toBe("admin");
        expect((await f.adapter.getGrant(ORG, again.id))?.access_level).toBe("admin");
        expect(entityIds(await f.service().resolvedAccess(ORG, ALICE, ALICE))).toEqual([]);
      },
    );

    conformance(
      "two services on one adapter: a service with a stale view loses the version race, retries on fresh state, and both then agree",
      async (f) => {
        const a = f.ac;
        const b = f.service({ ids: sequentialIds("agrant_other") });
        await organization(a);
        expect((await b.resolvedAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
        const first = await a.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
        // b may still hold the organization as it was: its write must not duplicate the pair.
        await expectAccessError(() => b.createGrant(ORG, OWNER, grantTo(ALICE, "read")), "RESOURCE_ALREADY_EXISTS", {
          grant_id: first.id,
        });
        const second = await b.createGrant(ORG, OWNER, grantTo(BOB, "read"));
        // (Its planning may have used up ids on the attempt that lost the race.)
        expect(second.id.startsWith("agrant_other")).toBe(true);
        // a's view may now be stale; its next write still lands on top of b's.
        const third = await a.createGrant(ORG, OWNER, grantTo(CAROL, "read"));
        for (const ac of [a, b, f.service()]) {
          expect(ids(await ac.listGrants(ORG, OWNER))).toEqual([first.id, third.id, second.id].sort());
          expect(await ac.getGrant(ORG, OWNER, second.id)).toEqual(second);
        }
        expect(entityIds(await f.service().resolvedAccess(ORG, CAROL, CAROL))).toEqual([SLICE]);
        expect(entityIds(await f.service().resolvedAccess(ORG, BOB, BOB))).toEqual([SLICE]);
        expect(((await snapshotOf(f.adapter, ORG)).grants ?? []).length).toBe(3);
      },
    );

    // ---------------------------------------------------------------- concurrency

    conformance(
      "50 concurrent creates of distinct grants through one service all land: total 50, every id readable",
      async (f) => {
        await organization(f.ac);
        const version = (await versionOf(f.adapter, ORG)) ?? 0;
        const slices = Array.from({ length: 50 }, (_, i) => `kslice_c${String(i).padStart(2, "0")}`);
        const created = await Promise.all(
          slices.map((id) => f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(id)))),
        );
        expect(new Set(created.map((g) => g.id)).size).toBe(50);
        const listed = await f.ac.listGrants(ORG, OWNER, { limit: 100 });
        expect(listed.total).toBe(50);
        expect(new Set(ids(listed))).toEqual(new Set(created.map((g) => g.id)));
        for (const grant of created) expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
        expect((await versionOf(f.adapter, ORG)) ?? 0).toBeGreaterThanOrEqual(version + 1);
        expect((await f.service().resolvedAccess(ORG, ALICE, ALICE)).entities).toHaveLength(50);
      },
    );

    conformance(
      "50 concurrent creates of distinct grants through five services sharing the adapter all land, version conflicts being retried",
      async (f) => {
        await organization(f.ac);
        const version = (await versionOf(f.adapter, ORG)) ?? 0;
        const writers = Array.from({ length: 5 }, (_, i) =>
          f.service({ ids: sequentialIds(`agrant_w${i}_`), maxAttempts: 50 }),
        );
        const created = await Promise.all(
          Array.from({ length: 50 }, (_, i) => {
            const writer = writers[i % 5] ?? f.ac;
            return writer.createGrant(
              ORG,
              OWNER,
              grantTo(ALICE, "read", slice(`kslice_c${String(i).padStart(2, "0")}`)),
            );
          }),
        );
        expect(new Set(created.map((g) => g.id)).size).toBe(50);
        const listed = await f.ac.listGrants(ORG, OWNER, { limit: 100 });
        expect(listed.total).toBe(50);
        for (const grant of created) expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
        // No write was lost: every one of them committed on top of the one before.
        expect((await versionOf(f.adapter, ORG)) ?? 0).toBeGreaterThanOrEqual(version + 50);
        expect((await snapshotOf(f.adapter, ORG)).grants ?? []).toHaveLength(50);
        expect((await f.service().resolvedAccess(ORG, ALICE, ALICE)).entities).toHaveLength(50);
      },
    );

    conformance(
      "20 concurrent creates of the same grant through one service: exactly one succeeds, 19 get RESOURCE_ALREADY_EXISTS, one grant is stored",
      async (f) => {
        await organization(f.ac);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, () => f.ac.createGrant(ORG, OWNER, grantTo(ALICE))),
        );
        const succeeded = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
        const codes = outcomes.flatMap((o) =>
          o.status === "rejected" ? [asAccessError(o.reason)?.code ?? String(o.reason)] : [],
        );
        expect(succeeded).toHaveLength(1);
        expect(codes).toEqual(Array.from({ length: 19 }, () => "RESOURCE_ALREADY_EXISTS"));
        const listed = await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 });
        expect(listed).toEqual({ items: succeeded, total: 1 });
      },
    );

    conformance(
      "20 concurrent creates of the same grant through twenty services sharing the adapter: exactly one succeeds, 19 get RESOURCE_ALREADY_EXISTS",
      async (f) => {
        await organization(f.ac);
        const writers = Array.from({ length: 20 }, (_, i) => f.service({ ids: sequentialIds(`agrant_w${i}_`) }));
        const outcomes = await Promise.allSettled(
          writers.map((w) => w.createGrant(ORG, OWNER, grantTo(ALICE, "write"))),
        );
        const succeeded = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
        const codes = outcomes.flatMap((o) =>
          o.status === "rejected" ? [asAccessError(o.reason)?.code ?? String(o.reason)] : [],
        );
        expect(succeeded).toHaveLength(1);
        expect(codes).toEqual(Array.from({ length: 19 }, () => "RESOURCE_ALREADY_EXISTS"));
        expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({ items: succeeded, total: 1 });
        expect((await snapshotOf(f.adapter, ORG)).grants ?? []).toHaveLength(1);
      },
    );

    // ---------------------------------------------------------------- isolation

    conformance(
      "two organizations never see each other's grants: listings, getGrant and the adapter's reads stay within one organization",
      async (f) => {
        await organization(f.ac, ORG, [OWNER]);
        await organization(f.ac, ORG_B, [OWNER_B]);
        const inA = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
        const inB = await f.ac.createGrant(ORG_B, OWNER_B, grantTo(BOB, "read"));
        expect(inB.organization_id).toBe(ORG_B);
        expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual([inA.id]);
        expect(ids(await f.ac.listGrants(ORG_B, OWNER_B))).toEqual([inB.id]);
        expect(ids(await f.ac.listSliceGrants(ORG_B, OWNER_B, SLICE))).toEqual([inB.id]);
        await expectAccessError(() => f.ac.getGrant(ORG_B, OWNER_B, inA.id), "RESOURCE_NOT_FOUND", {
          grant_id: inA.id,
        });
        await expectAccessError(() => f.ac.revokeGrant(ORG_B, OWNER_B, inA.id), "RESOURCE_NOT_FOUND");
        await expectAccessError(
          () => f.ac.updateGrant(ORG_B, OWNER_B, inA.id, { access_level: "admin" }),
          "RESOURCE_NOT_FOUND",
        );
        expect(await f.adapter.getGrant(ORG_B, inA.id)).toBeNull();
        expect(await f.adapter.getGrant(ORG, inB.id)).toBeNull();
        expect(ids(await f.adapter.listGrants(ORG, { entity_id: SLICE }, { skip: 0, limit: 100 }))).toEqual([inA.id]);
        expect(((await snapshotOf(f.adapter, ORG_B)).grants ?? []).map((g) => g.id)).toEqual([inB.id]);
        // The same pair in both organizations is no conflict.
        await f.ac.createGrant(ORG_B, OWNER_B, grantTo(ALICE, "admin"));
        expect((await f.adapter.getGrant(ORG, inA.id))?.access_level).toBe("write");
      },
    );

    conformance(
      "two organizations never affect each other's resolution: the same users, departments, roles and composites in both",
      async (f) => {
        await organization(f.ac, ORG, [OWNER]);
        await organization(f.ac, ORG_B, [OWNER_B]);
        await f.ac.addDepartmentMember(ORG, OWNER, ALICE, ENG);
        await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES] });
        await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "admin", slice(HANDBOOK)));
        await f.ac.addRoleMember(ORG_B, OWNER_B, ALICE, OPS);
        await f.ac.createGrant(ORG_B, OWNER_B, grantTo(OPS, "read", store(STORE)));
        // In B, a department grant on the slice that is a composite in A only.
        await f.ac.addDepartmentMember(ORG_B, OWNER_B, BOB, ENG);
        await f.ac.createGrant(ORG_B, OWNER_B, grantTo(ENG, "write", slice(HANDBOOK)));
        for (const ac of [f.ac, f.service()]) {
          expect(entityIds(await ac.resolvedAccess(ORG, ALICE, ALICE))).toEqual([HANDBOOK, POLICIES]);
          expect(entityIds(await ac.resolvedAccess(ORG_B, ALICE, ALICE))).toEqual([STORE]);
          expect(entityIds(await ac.resolvedAccess(ORG_B, BOB, BOB))).toEqual([HANDBOOK]);
          expect((await ac.resolvedAccess(ORG, BOB, BOB)).entities).toEqual([]);
          expect((await ac.usersWithAccess(ORG, OWNER, slice(POLICIES))).users.map((u) => u.user_id)).toEqual([ALICE]);
          expect((await ac.usersWithAccess(ORG_B, OWNER_B, slice(POLICIES))).users).toEqual([]);
          expect((await ac.usersWithAccess(ORG_B, OWNER_B, store(STORE))).users.map((u) => u.user_id)).toEqual([ALICE]);
          expect((await ac.usersWithAccess(ORG, OWNER, store(STORE))).users).toEqual([]);
        }
      },
    );

    conformance(
      "an owner of one organization is nobody in another: INSUFFICIENT_PERMISSIONS for every owner operation there",
      async (f) => {
        await organization(f.ac, ORG, [OWNER]);
        await organization(f.ac, ORG_B, [OWNER_B]);
        const inB = await f.ac.createGrant(ORG_B, OWNER_B, grantTo(BOB, "read"));
        const refused: (() => Promise<unknown>)[] = [
          () => f.ac.createGrant(ORG_B, OWNER, grantTo(ALICE)),
          () => f.ac.bulkCreateGrants(ORG_B, OWNER, { ...slice(SLICE), grants: [bulkItem(ALICE)] }),
          () => f.ac.listGrants(ORG_B, OWNER),
          () => f.ac.listSliceGrants(ORG_B, OWNER, SLICE),
          () => f.ac.getGrant(ORG_B, OWNER, inB.id),
          () => f.ac.updateGrant(ORG_B, OWNER, inB.id, { access_level: "admin" }),
          () => f.ac.revokeGrant(ORG_B, OWNER, inB.id),
          () => f.ac.resolvedAccess(ORG_B, OWNER, BOB),
          () => f.ac.usersWithAccess(ORG_B, OWNER, slice(SLICE)),
          () => f.ac.addDepartmentMember(ORG_B, OWNER, ALICE, ENG),
          () => f.ac.createComposite(ORG_B, OWNER, { id: HANDBOOK, member_slice_ids: [] }),
          () => f.ac.exportOrganization(ORG_B, OWNER),
          () => f.ac.setOwners(ORG_B, OWNER, [OWNER]),
        ];
        for (const call of refused) await expectAccessError(call, "INSUFFICIENT_PERMISSIONS");
        expect(await f.adapter.getGrant(ORG_B, inB.id)).toEqual(inB);
        expect((await snapshotOf(f.adapter, ORG_B)).owners).toEqual([OWNER_B]);
      },
    );

    conformance("the same grant id in two organizations names two different grants", async (f) => {
      await organization(f.ac, ORG, [OWNER]);
      await organization(f.ac, ORG_B, [OWNER_B]);
      // Two services with the same id sequence: both organizations get agrant_test0001.
      // (Each service works on one organization only, so neither needs to hear of the other's writes.)
      const a = f.service();
      const b = f.service();
      const inA = await a.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      const inB = await b.createGrant(ORG_B, OWNER_B, grantTo(BOB, "read", store(STORE)));
      expect(inA.id).toBe(inB.id);
      expect(await f.adapter.getGrant(ORG, inA.id)).toEqual(inA);
      expect(await f.adapter.getGrant(ORG_B, inB.id)).toEqual(inB);
      expect(await b.getGrant(ORG_B, OWNER_B, inB.id)).toEqual(inB);
      await a.revokeGrant(ORG, OWNER, inA.id);
      expect((await a.getGrant(ORG, OWNER, inA.id)).revoked_at).toBe(T0);
      expect((await f.adapter.getGrant(ORG_B, inB.id))?.revoked_at).toBeUndefined();
      expect(ids(await f.adapter.listGrants(ORG_B, {}, { skip: 0, limit: 100 }))).toEqual([inB.id]);
      expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({ items: [], total: 0 });
    });

    // ---------------------------------------------------------------- ids

    conformance(
      "ids such as __proto__, constructor and toString are stored and read back as ordinary ids",
      async (f) => {
        const org = "org___proto__";
        const ac = f.service({ ids: idsFrom("agrant___proto__", "agrant_constructor") });
        await ac.createOrganization(org, { owners: ["usr_constructor"] });
        await ac.addDepartmentMember(org, "usr_constructor", "usr___proto__", "dept_toString");
        await ac.createComposite(org, "usr_constructor", {
          id: "kslice_constructor",
          member_slice_ids: ["kslice___proto__"],
        });
        const toDepartment = await ac.createGrant(org, "usr_constructor", {
          ...slice("kslice_constructor"),
          grantee_type: "department",
          grantee_id: "dept_toString",
          access_level: "write",
        });
        const toUser = await ac.createGrant(
          org,
          "usr_constructor",
          grantTo("usr_hasOwnProperty", "read", slice("kslice___proto__")),
        );
        expect([toDepartment.id, toUser.id]).toEqual(["agrant___proto__", "agrant_constructor"]);
        expect(await f.adapter.getGrant(org, "agrant___proto__")).toEqual(toDepartment);
        expect(await f.adapter.getGrant(org, "agrant_toString")).toBeNull();
        expect(await f.adapter.getGrant("org_constructor", "agrant___proto__")).toBeNull();
        expect(await f.adapter.loadOrganization("org_toString")).toBeNull();
        const fresh = f.service();
        expect(await fresh.resolvedAccess(org, "usr___proto__", "usr___proto__")).toMatchObject({
          entities: [
            { entity_id: "kslice___proto__", grant_paths: [{ type: "composite", department_id: "dept_toString" }] },
            { entity_id: "kslice_constructor", access_level: "write" },
          ],
        });
        expect(ids(await fresh.listGrants(org, "usr_constructor", { grantee_id: "usr_hasOwnProperty" }))).toEqual([
          toUser.id,
        ]);
        expect(ids(await fresh.listGrants(org, "usr_constructor", { grantee_id: "usr_constructor" }))).toEqual([]);
      },
    );

    it("the skip list names only cases of this suite", () => {
      expect([...skipReasons.keys()].filter((title) => !titles.has(title))).toEqual([]);
    });
  });
}
