/**
 * The service's per-organization graph cache, observed through the public service: two
 * services over one storage (as two processes over one database) see each other's writes by
 * following the change log (one load, then log reads), never lose an update, and stay
 * consistent without `watch`; a log trimmed past what is held, or a stored change that cannot
 * be applied, falls back to one snapshot load; reads never fail while the log cannot be read;
 * version conflicts (adapters without `commitLatest`) are retried a bounded number of times;
 * other storage errors surface unchanged; a cold organization is loaded once however many
 * reads ask for it at the same time; the service's own writes never force a reload; and the
 * organizations held stay within `maxCachedGrants`, least recently used first out.
 */
import { describe, expect, it } from "vitest";
import type { Awaitable, CommitOptions, CommitPlan } from "../../src/adapter.js";
import {
  type AccessControl,
  AccessError,
  type CreateGrantInput,
  createAccessControl,
  isAccessError,
  memoryStorage,
  type StorageAdapter,
} from "../../src/index.js";
import { type ManualClock, manualClock, sequentialIds } from "../../src/testing/test-kit.js";

const T0 = "2025-06-15T10:00:00Z";
const ORG = "org_acme";
const OWNER = "usr_owner1";
const SLICE = "kslice_target";

const readGrant = (userId: string, entityId = SLICE): CreateGrantInput => ({
  entity_type: "knowledge_slice",
  entity_id: entityId,
  grantee_type: "user",
  grantee_id: userId,
  access_level: "read",
});

const directRead = (entityId: string, grantId: string) => ({
  entity_type: "knowledge_slice",
  entity_id: entityId,
  access_level: "read",
  grant_paths: [
    { type: "direct", access_level: "read", department_id: null, role_id: null, composite_id: null, grant_id: grantId },
  ],
});

/** Two services' worth of grant ids that never collide. */
function service(storage: StorageAdapter, clock: ManualClock, idPrefix: string, maxAttempts?: number): AccessControl {
  return createAccessControl({
    storage,
    clock: clock.now,
    ids: sequentialIds(idPrefix),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
}

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

async function accessError(call: () => Promise<unknown>): Promise<AccessError> {
  const error = await failure(call);
  if (!(error instanceof AccessError)) throw error;
  return error;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A storage adapter around another that counts calls and can be told to fail commits, loads or log reads. */
interface Instrumented {
  readonly adapter: StorageAdapter;
  readonly counts: { loads: number; commits: number; conflicts: number; changeReads: number };
  /** When set, every commit (and commitLatest) throws (or rejects with) what this returns, without touching the store. */
  commitError: (() => unknown) | null;
  /** When set, every load throws what this returns. */
  loadError: (() => unknown) | null;
  /** When set, every log read throws what this returns. */
  changesError: (() => unknown) | null;
}

interface InstrumentOptions {
  readonly watch: boolean;
  readonly async: boolean;
  /** Whether the adapter offers commitLatest (default: it does when the inner one does). */
  readonly commitLatest?: boolean;
}

function instrument(inner: StorageAdapter, options: InstrumentOptions): Instrumented {
  /** Runs `call` now (a synchronous adapter) or a tick later (an asynchronous one). */
  const later = <T>(call: () => Awaitable<T>): Awaitable<T> => (options.async ? nextTick().then(call) : call());
  const counted = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      if (isAccessError(error, "VERSION_CONFLICT")) probe.counts.conflicts++;
      throw error;
    }
  };
  const innerCommitLatest = inner.commitLatest?.bind(inner);
  const offersCommitLatest = (options.commitLatest ?? true) && innerCommitLatest !== undefined;
  const probe: Instrumented = {
    counts: { loads: 0, commits: 0, conflicts: 0, changeReads: 0 },
    commitError: null,
    loadError: null,
    changesError: null,
    adapter: {
      name: options.watch ? "instrumented" : "instrumented-without-watch",
      loadOrganization: (organizationId) => {
        probe.counts.loads++;
        return later(() => {
          if (probe.loadError) throw probe.loadError();
          return inner.loadOrganization(organizationId);
        });
      },
      commit: (organizationId, expected, changes, commitOptions) => {
        probe.counts.commits++;
        return later(() => {
          if (probe.commitError) throw probe.commitError();
          return counted(() => inner.commit(organizationId, expected, changes, commitOptions));
        });
      },
      ...(offersCommitLatest
        ? {
            commitLatest: (organizationId: string, known: number, plan: CommitPlan, commitOptions?: CommitOptions) => {
              probe.counts.commits++;
              return later(() => {
                if (probe.commitError) throw probe.commitError();
                return counted(() =>
                  (innerCommitLatest as NonNullable<typeof innerCommitLatest>)(
                    organizationId,
                    known,
                    plan,
                    commitOptions,
                  ),
                );
              });
            },
          }
        : {}),
      readChanges: (organizationId, since, limit) => {
        probe.counts.changeReads++;
        return later(() => {
          if (probe.changesError) throw probe.changesError();
          return inner.readChanges(organizationId, since, limit);
        });
      },
      trimChanges: (organizationId, through) => inner.trimChanges(organizationId, through),
      getGrant: (organizationId, grantId) => inner.getGrant(organizationId, grantId),
      listGrants: (organizationId, filter, page) => inner.listGrants(organizationId, filter, page),
      ...(options.watch && inner.watch ? { watch: inner.watch.bind(inner) } : {}),
    },
  };
  return probe;
}

/** What a fresh service, loading everything from the storage, sees of the organization. */
async function stored(storage: StorageAdapter, users: readonly string[], clock = manualClock(T0)): Promise<unknown> {
  const fresh = service(storage, clock, "agrant_fresh");
  try {
    return await observe(fresh, users);
  } finally {
    await fresh.close();
  }
}

async function observe(ac: AccessControl, users: readonly string[]): Promise<unknown> {
  return {
    graph: await ac.exportOrganization(ORG, OWNER),
    grants: await ac.listGrants(ORG, OWNER, { limit: 100 }),
    resolved: await Promise.all(users.map((user) => ac.resolveAccess(ORG, OWNER, user))),
  };
}

describe("two services over one memoryStorage (watch)", () => {
  async function pair() {
    const storage = memoryStorage();
    const clock = manualClock(T0);
    const a = service(storage, clock, "agrant_a");
    const b = service(storage, clock, "agrant_b");
    await a.createOrganization(ORG, { owners: [OWNER] });
    // B has the organization cached before A changes it.
    expect(await b.resolveAccess(ORG, OWNER, "usr_x")).toEqual({ user_id: "usr_x", entities: [] });
    return { storage, a, b };
  }

  it("B sees A's grant writes", async () => {
    const { a, b } = await pair();
    await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    expect(await b.resolveAccess(ORG, OWNER, "usr_x")).toEqual({
      user_id: "usr_x",
      entities: [directRead(SLICE, "agrant_a0001")],
    });
    await a.updateGrant(ORG, OWNER, "agrant_a0001", { access_level: "admin" });
    expect((await b.resolveAccess(ORG, OWNER, "usr_x")).entities[0]?.access_level).toBe("admin");
    // ... and the permission that comes with it.
    await expect(b.listSliceGrants(ORG, "usr_x", SLICE)).resolves.toMatchObject({ total: 1 });
    await a.revokeGrant(ORG, OWNER, "agrant_a0001");
    expect(await b.resolveAccess(ORG, OWNER, "usr_x")).toEqual({ user_id: "usr_x", entities: [] });
    expect((await accessError(() => b.listSliceGrants(ORG, "usr_x", SLICE))).code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("B sees A's directory writes", async () => {
    const { a, b } = await pair();
    await a.createGrant(ORG, OWNER, { ...readGrant("role_r"), grantee_type: "role" });
    await a.addRoleMember(ORG, OWNER, "usr_x", "role_r");
    expect((await b.resolveAccess(ORG, OWNER, "usr_x")).entities).toEqual([
      {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        access_level: "read",
        grant_paths: [
          {
            type: "role",
            access_level: "read",
            department_id: null,
            role_id: "role_r",
            composite_id: null,
            grant_id: "agrant_a0001",
          },
        ],
      },
    ]);
    await a.setOwners(ORG, OWNER, ["usr_x"]);
    await expect(b.exportOrganization(ORG, "usr_x")).resolves.toMatchObject({ owners: ["usr_x"] });
    expect((await accessError(() => b.exportOrganization(ORG, OWNER))).code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("a write on B after A changed the organization lands on fresh state (no lost update)", async () => {
    const { storage, a, b } = await pair();
    await a.addRoleMember(ORG, OWNER, "usr_x", "role_a");
    expect(await b.addRoleMember(ORG, OWNER, "usr_x", "role_b")).toEqual({
      id: "usr_x",
      department_ids: [],
      role_ids: ["role_a", "role_b"],
    });
    await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    // B knows A's grant: the same pair is a conflict, and B can change it.
    expect((await accessError(() => b.createGrant(ORG, OWNER, readGrant("usr_x")))).code).toBe(
      "RESOURCE_ALREADY_EXISTS",
    );
    await b.updateGrant(ORG, OWNER, "agrant_a0001", { access_level: "write" });
    const users = ["usr_x"];
    expect(await stored(storage, users)).toMatchObject({
      graph: { users: [{ id: "usr_x", department_ids: [], role_ids: ["role_a", "role_b"] }] },
      grants: { total: 1, items: [{ id: "agrant_a0001", access_level: "write" }] },
    });
    expect(await observe(a, users)).toEqual(await stored(storage, users));
    expect(await observe(b, users)).toEqual(await stored(storage, users));
  });

  it("concurrent writes through both services all land", async () => {
    const { storage, a, b } = await pair();
    const users = Array.from({ length: 40 }, (_, i) => `usr_c${String(i).padStart(2, "0")}`);
    const results = await Promise.allSettled(
      users.map((user, i) => (i % 2 === 0 ? a : b).createGrant(ORG, OWNER, readGrant(user))),
    );
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const roles = Array.from({ length: 10 }, (_, i) => `role_${i}`);
    const added = await Promise.allSettled(
      roles.map((role, i) => (i % 2 === 0 ? a : b).addRoleMember(ORG, OWNER, "usr_x", role)),
    );
    expect(added.filter((result) => result.status === "rejected")).toEqual([]);

    const truth = await stored(storage, [...users, "usr_x"]);
    expect(truth).toMatchObject({ grants: { total: 40 } });
    // Memberships are a set: every role landed, in whatever order the commits did.
    const memberships = await b.addRoleMember(ORG, OWNER, "usr_x", "role_0");
    expect([...memberships.role_ids].sort()).toEqual(roles);
    expect(await observe(a, [...users, "usr_x"])).toEqual(truth);
    expect(await observe(b, [...users, "usr_x"])).toEqual(truth);
  });

  it("concurrent creates of the same grant through both services: exactly one succeeds", async () => {
    const { storage, a, b } = await pair();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).createGrant(ORG, OWNER, readGrant("usr_x"))),
    );
    const fulfilled = results.filter((result) => result.status === "fulfilled");
    const codes = results.flatMap((result) =>
      result.status === "rejected" && result.reason instanceof AccessError ? [result.reason.code] : [],
    );
    expect(fulfilled).toHaveLength(1);
    expect(codes).toEqual(Array.from({ length: 19 }, () => "RESOURCE_ALREADY_EXISTS"));
    expect(await stored(storage, ["usr_x"])).toMatchObject({ grants: { total: 1 } });
  });

  it("concurrent writes through both services over a slow (async) adapter all land", async () => {
    const inner = memoryStorage();
    const clock = manualClock(T0);
    const a = service(instrument(inner, { watch: true, async: true }).adapter, clock, "agrant_a");
    const b = service(instrument(inner, { watch: true, async: true }).adapter, clock, "agrant_b");
    await a.createOrganization(ORG, { owners: [OWNER] });
    const users = Array.from({ length: 16 }, (_, i) => `usr_s${String(i).padStart(2, "0")}`);
    const results = await Promise.allSettled(
      users.map((user, i) => (i % 2 === 0 ? a : b).createGrant(ORG, OWNER, readGrant(user))),
    );
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const truth = await stored(inner, users);
    expect(truth).toMatchObject({ grants: { total: 16 } });
    expect(await observe(a, users)).toEqual(truth);
    expect(await observe(b, users)).toEqual(truth);
  });
});

describe("an adapter without watch", () => {
  async function pair(adapterOptions: Partial<InstrumentOptions> = {}) {
    const inner = memoryStorage();
    const clock = manualClock(T0);
    const a = service(inner, clock, "agrant_a");
    const probe = instrument(inner, { watch: false, async: false, ...adapterOptions });
    const b = service(probe.adapter, clock, "agrant_b");
    await a.createOrganization(ORG, { owners: [OWNER] });
    await b.resolveAccess(ORG, OWNER, OWNER); // B holds revision 1
    return { inner, a, b, probe };
  }

  it("has no watch method (the premise of these tests)", () => {
    expect(instrument(memoryStorage(), { watch: false, async: false }).adapter.watch).toBeUndefined();
  });

  it.each([
    ["with commitLatest", true],
    ["with commit only", false],
  ])(
    "B's write after A's lands on the latest state read from the log, without a reload or a conflict (%s)",
    async (_how, commitLatest) => {
      const { inner, a, b, probe } = await pair({ commitLatest });
      await a.createGrant(ORG, OWNER, readGrant("usr_x"));
      await b.createGrant(ORG, OWNER, readGrant("usr_y"));
      expect(probe.counts.conflicts).toBe(0);
      expect(probe.counts.loads).toBe(1);
      const users = ["usr_x", "usr_y"];
      const truth = await stored(inner, users);
      expect(truth).toMatchObject({ grants: { total: 2 } });
      expect(await observe(b, users)).toEqual(truth);
      expect(probe.counts.loads).toBe(1);
    },
  );

  it("B's reads stay on the revision it holds until it writes or is asked for a later one (minRevision)", async () => {
    const { a, b, probe } = await pair();
    const revisions: number[] = [];
    await a.createGrant(ORG, OWNER, readGrant("usr_x"), { onRevision: (r) => revisions.push(r) });
    expect((await b.resolveAccess(ORG, OWNER, "usr_x")).entities).toEqual([]);
    const reads = probe.counts.changeReads;
    expect((await b.resolveAccess(ORG, OWNER, "usr_x", {}, { minRevision: revisions[0] as number })).entities).toEqual([
      directRead(SLICE, "agrant_a0001"),
    ]);
    expect(probe.counts.changeReads).toBe(reads + 1);
    expect(probe.counts.loads).toBe(1);
  });

  it("B's update and revoke of a grant A made after B cached the organization are not 'not found'", async () => {
    const { a, b } = await pair();
    const grant = await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    const updated = await b.updateGrant(ORG, OWNER, grant.id, { access_level: "write" });
    expect(updated).toMatchObject({ id: grant.id, access_level: "write" });
    await b.revokeGrant(ORG, OWNER, grant.id);
    expect((await a.getGrant(ORG, OWNER, grant.id)).revoked_at).toBe(T0);
    // A grant that really does not exist is still RESOURCE_NOT_FOUND after the fresh look.
    expect((await accessError(() => b.revokeGrant(ORG, OWNER, "agrant_missing"))).code).toBe("RESOURCE_NOT_FOUND");
  });

  it("B's stale membership change does not undo A's (no lost update)", async () => {
    const { inner, a, b } = await pair();
    await a.addRoleMember(ORG, OWNER, "usr_x", "role_a");
    expect(await b.addRoleMember(ORG, OWNER, "usr_x", "role_b")).toEqual({
      id: "usr_x",
      department_ids: [],
      role_ids: ["role_a", "role_b"],
    });
    expect(await stored(inner, ["usr_x"])).toMatchObject({
      graph: { users: [{ id: "usr_x", department_ids: [], role_ids: ["role_a", "role_b"] }] },
    });
  });

  it("B's stale create of a pair A granted meanwhile ends in RESOURCE_ALREADY_EXISTS, leaving one grant", async () => {
    const { inner, a, b } = await pair();
    await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    expect((await accessError(() => b.createGrant(ORG, OWNER, readGrant("usr_x")))).code).toBe(
      "RESOURCE_ALREADY_EXISTS",
    );
    expect(await stored(inner, ["usr_x"])).toMatchObject({ grants: { total: 1, items: [{ id: "agrant_a0001" }] } });
  });

  it("B may grant a pair A revoked after B cached it: B's stale refusal is checked again on the latest state", async () => {
    const { a, b } = await pair();
    const grant = await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    await b.listGrants(ORG, OWNER); // B holds the grant
    await a.revokeGrant(ORG, OWNER, grant.id);
    expect(await b.createGrant(ORG, OWNER, readGrant("usr_x"))).toMatchObject({ grantee_id: "usr_x" });
  });

  it("B's stale revoke of a grant A already revoked ends in RESOURCE_NOT_FOUND", async () => {
    const { a, b } = await pair();
    await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    await b.createGrant(ORG, OWNER, readGrant("usr_y"));
    await a.revokeGrant(ORG, OWNER, "agrant_a0001");
    const error = await accessError(() => b.revokeGrant(ORG, OWNER, "agrant_a0001"));
    expect(error.code).toBe("RESOURCE_NOT_FOUND");
    expect(error.details).toEqual({ grant_id: "agrant_a0001" });
  });
});

describe("bounded retries and storage errors", () => {
  async function setup(options: { readonly async: boolean }) {
    const inner = memoryStorage();
    const probe = instrument(inner, { watch: true, async: options.async });
    const ac = service(probe.adapter, manualClock(T0), "agrant_test", 3);
    await ac.createOrganization(ORG, { owners: [OWNER] });
    await ac.createGrant(ORG, OWNER, readGrant("usr_before"));
    const users = ["usr_before", "usr_x"];
    const before = await stored(inner, users);
    expect(await observe(ac, users)).toEqual(before);
    return { inner, probe, ac, users, before };
  }

  it("a commit that always loses the race rejects with VERSION_CONFLICT after maxAttempts (3) attempts, changing nothing", async () => {
    const { inner, probe, ac, users, before } = await setup({ async: false });
    probe.commitError = () => new AccessError("VERSION_CONFLICT", { organization_id: ORG });
    const commitsBefore = probe.counts.commits;
    const error = await accessError(() => ac.createGrant(ORG, OWNER, readGrant("usr_x")));
    expect(error.code).toBe("VERSION_CONFLICT");
    expect(error.status).toBe(409);
    expect(probe.counts.commits - commitsBefore).toBe(3);
    probe.commitError = null;
    expect(await stored(inner, users)).toEqual(before);
    expect(await observe(ac, users)).toEqual(before);
  });

  it("a write that keeps finding the log trimmed under it reloads each time, then rejects with VERSION_CONFLICT (409), not 410", async () => {
    const { inner, probe, ac, users, before } = await setup({ async: false });
    probe.commitError = () => new AccessError("CHANGES_EXPIRED", { organization_id: ORG, oldest_revision: 9 });
    const loadsBefore = probe.counts.loads;
    const error = await accessError(() => ac.createGrant(ORG, OWNER, readGrant("usr_x")));
    expect(error).toMatchObject({ code: "VERSION_CONFLICT", status: 409 });
    expect(error.cause).toMatchObject({ code: "CHANGES_EXPIRED" });
    expect(probe.counts.loads - loadsBefore).toBe(2);
    probe.commitError = null;
    expect(await stored(inner, users)).toEqual(before);
  });

  it("the same holds for a directory write", async () => {
    const { inner, probe, ac, users, before } = await setup({ async: true });
    probe.commitError = () => new AccessError("VERSION_CONFLICT", { organization_id: ORG });
    const commitsBefore = probe.counts.commits;
    expect((await accessError(() => ac.addRoleMember(ORG, OWNER, "usr_x", "role_r"))).code).toBe("VERSION_CONFLICT");
    expect(probe.counts.commits - commitsBefore).toBe(3);
    probe.commitError = null;
    expect(await observe(ac, users)).toEqual(before);
    expect(await stored(inner, users)).toEqual(before);
  });

  it.each([
    ["thrown by a synchronous adapter", false],
    ["rejected by an asynchronous adapter", true],
  ])("another commit error surfaces unchanged, is not retried, and changes nothing (%s)", async (_how, isAsync) => {
    const { inner, probe, ac, users, before } = await setup({ async: isAsync });
    const diskFull = new Error("disk full");
    probe.commitError = () => diskFull;
    const commitsBefore = probe.counts.commits;
    expect(await failure(() => ac.createGrant(ORG, OWNER, readGrant("usr_x")))).toBe(diskFull);
    expect(probe.counts.commits - commitsBefore).toBe(1);
    probe.commitError = null;
    expect(await observe(ac, users)).toEqual(before);
    expect(await stored(inner, users)).toEqual(before);
    // The service still works once the storage does.
    expect(await ac.createGrant(ORG, OWNER, readGrant("usr_x"))).toMatchObject({
      grantee_id: "usr_x",
      access_level: "read",
    });
    expect(await stored(inner, users)).toMatchObject({ grants: { total: 2 } });
  });

  it("an AccessError of another code from commit surfaces unchanged too", async () => {
    const { probe, ac } = await setup({ async: false });
    const notFound = new AccessError("RESOURCE_NOT_FOUND", { organization_id: ORG });
    probe.commitError = () => notFound;
    const commitsBefore = probe.counts.commits;
    expect(await failure(() => ac.revokeGrant(ORG, OWNER, "agrant_test0001"))).toBe(notFound);
    expect(probe.counts.commits - commitsBefore).toBe(1);
  });

  it("a load error surfaces unchanged and the next read loads again", async () => {
    const inner = memoryStorage();
    const writer = service(inner, manualClock(T0), "agrant_w");
    await writer.createOrganization(ORG, { owners: [OWNER] });
    const probe = instrument(inner, { watch: true, async: true });
    const ac = service(probe.adapter, manualClock(T0), "agrant_r");
    const offline = new Error("connection refused");
    probe.loadError = () => offline;
    expect(await failure(() => ac.resolveAccess(ORG, OWNER, OWNER))).toBe(offline);
    probe.loadError = null;
    expect(await ac.resolveAccess(ORG, OWNER, OWNER)).toEqual({ user_id: OWNER, entities: [] });
    expect(probe.counts.loads).toBe(2);
  });
});

describe("loading", () => {
  async function coldService() {
    const inner = memoryStorage();
    const writer = service(inner, manualClock(T0), "agrant_w");
    await writer.createOrganization(ORG, { owners: [OWNER] });
    for (const user of ["usr_a", "usr_b", "usr_c"]) await writer.createGrant(ORG, OWNER, readGrant(user));
    await writer.close();
    const probe = instrument(inner, { watch: true, async: true });
    return { probe, ac: service(probe.adapter, manualClock(T0), "agrant_test") };
  }

  it("many concurrent reads of a cold organization load it once", async () => {
    const { probe, ac } = await coldService();
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      reads.push(ac.resolveAccess(ORG, OWNER, "usr_a"));
      reads.push(ac.listGrants(ORG, OWNER));
      reads.push(ac.usersWithAccess(ORG, OWNER, { entity_type: "knowledge_slice", entity_id: SLICE }));
      reads.push(ac.getGrant(ORG, OWNER, "agrant_w0001"));
    }
    const results = await Promise.all(reads);
    expect(probe.counts.loads).toBe(1);
    expect(results[0]).toEqual({ user_id: "usr_a", entities: [directRead(SLICE, "agrant_w0001")] });
    expect(results[1]).toMatchObject({ total: 3 });
    expect(results[2]).toMatchObject({ users: [{ user_id: "usr_a" }, { user_id: "usr_b" }, { user_id: "usr_c" }] });
    expect(results[3]).toMatchObject({ id: "agrant_w0001", grantee_id: "usr_a" });
    // Warm now: more reads load nothing.
    await Promise.all([ac.resolveAccess(ORG, OWNER, "usr_b"), ac.exportOrganization(ORG, OWNER)]);
    expect(probe.counts.loads).toBe(1);
  });

  it("concurrent writes to a cold organization load it once too", async () => {
    const { probe, ac } = await coldService();
    await Promise.all(["usr_d", "usr_e", "usr_f", "usr_g"].map((user) => ac.createGrant(ORG, OWNER, readGrant(user))));
    expect(probe.counts.loads).toBe(1);
    expect(probe.counts.conflicts).toBe(0);
  });

  it("the service's own writes are applied to the cache, never reloaded", async () => {
    const { probe, ac } = await coldService();
    await ac.resolveAccess(ORG, OWNER, "usr_a");
    const created = await ac.createGrant(ORG, OWNER, readGrant("usr_d"));
    await ac.updateGrant(ORG, OWNER, created.id, { access_level: "write" });
    await ac.addDepartmentMember(ORG, OWNER, "usr_d", "dept_x");
    await ac.createDepartment(ORG, OWNER, { id: "dept_y", parent_id: null });
    await ac.moveDepartment(ORG, OWNER, "dept_x", "dept_y");
    await ac.createComposite(ORG, OWNER, { id: "kslice_comp", member_slice_ids: [SLICE] });
    await ac.bulkCreateGrants(ORG, OWNER, {
      entity_type: "knowledge_slice",
      entity_id: "kslice_comp",
      grants: [{ grantee_type: "department", grantee_id: "dept_y", access_level: "admin" }],
    });
    await ac.revokeGrant(ORG, OWNER, created.id);
    await ac.resolveAccess(ORG, OWNER, "usr_d");
    expect(probe.counts.loads).toBe(1);
  });

  it("a graph kept current incrementally equals the graph reloaded from storage, after every kind of write", async () => {
    const inner = memoryStorage();
    const clock = manualClock(T0);
    const ac = service(inner, clock, "agrant_test");
    const users = ["usr_a", "usr_b", "usr_c", "usr_d"];
    const steps: [string, () => Promise<unknown>][] = [
      ["createOrganization", () => ac.createOrganization(ORG, { owners: [OWNER] })],
      ["createDepartment", () => ac.createDepartment(ORG, OWNER, { id: "dept_root", parent_id: null })],
      ["createDepartment child", () => ac.createDepartment(ORG, OWNER, { id: "dept_mid", parent_id: "dept_root" })],
      [
        "createDepartment grandchild",
        () => ac.createDepartment(ORG, OWNER, { id: "dept_leaf", parent_id: "dept_mid" }),
      ],
      ["addDepartmentMember", () => ac.addDepartmentMember(ORG, OWNER, "usr_a", "dept_mid")],
      ["addDepartmentMember leaf", () => ac.addDepartmentMember(ORG, OWNER, "usr_b", "dept_leaf")],
      ["addRoleMember", () => ac.addRoleMember(ORG, OWNER, "usr_c", "role_r")],
      ["createComposite", () => ac.createComposite(ORG, OWNER, { id: "kslice_comp", member_slice_ids: [SLICE] })],
      [
        "createComposite outer",
        () => ac.createComposite(ORG, OWNER, { id: "kslice_outer", member_slice_ids: ["kslice_comp"] }),
      ],
      [
        "bulkCreateGrants",
        () =>
          ac.bulkCreateGrants(ORG, OWNER, {
            entity_type: "knowledge_slice",
            entity_id: "kslice_outer",
            grants: [
              { grantee_type: "department", grantee_id: "dept_root", access_level: "read" },
              { grantee_type: "role", grantee_id: "role_r", access_level: "write" },
              { grantee_type: "user", grantee_id: "usr_d", access_level: "admin", expires_at: "2025-06-15T11:00:00Z" },
            ],
          }),
      ],
      ["createGrant", () => ac.createGrant(ORG, OWNER, readGrant("usr_a"))],
      ["updateGrant", () => ac.updateGrant(ORG, OWNER, "agrant_test0004", { access_level: "admin" })],
      ["setCompositeMembers", () => ac.setCompositeMembers(ORG, OWNER, "kslice_comp", [SLICE, "kslice_more"])],
      ["moveDepartment", () => ac.moveDepartment(ORG, OWNER, "dept_leaf", null)],
      ["moveDepartment back", () => ac.moveDepartment(ORG, OWNER, "dept_leaf", "dept_mid")],
      ["deleteDepartment", () => ac.deleteDepartment(ORG, OWNER, "dept_mid")],
      ["removeRoleMember", () => ac.removeRoleMember(ORG, OWNER, "usr_c", "role_r")],
      ["addRoleMember again", () => ac.addRoleMember(ORG, OWNER, "usr_c", "role_s")],
      ["removeDepartmentMember", () => ac.removeDepartmentMember(ORG, OWNER, "usr_b", "dept_leaf")],
      ["revokeGrant", () => ac.revokeGrant(ORG, OWNER, "agrant_test0004")],
      [
        "re-grant an expired pair",
        async () => {
          clock.set("2025-06-15T12:00:00Z");
          return ac.createGrant(ORG, OWNER, { ...readGrant("usr_d", "kslice_outer"), access_level: "write" });
        },
      ],
      ["setOwners", () => ac.setOwners(ORG, OWNER, [OWNER, "usr_a"])],
    ];
    for (const [name, step] of steps) {
      await step();
      const cached = await observe(ac, users);
      expect({ step: name, state: cached }).toEqual({ step: name, state: await stored(inner, users, clock) });
    }
  });
});

describe("following the log", () => {
  async function pair() {
    const inner = memoryStorage();
    const clock = manualClock(T0);
    const a = service(inner, clock, "agrant_a");
    const probe = instrument(inner, { watch: true, async: true });
    const errors: unknown[] = [];
    const b = createAccessControl({
      storage: probe.adapter,
      clock: clock.now,
      ids: sequentialIds("agrant_b"),
      onError: (error) => errors.push(error),
    });
    await a.createOrganization(ORG, { owners: [OWNER] });
    await b.resolveAccess(ORG, OWNER, OWNER);
    return { inner, a, b, probe, errors };
  }

  it("B applies A's commits from the log: the organization is loaded once however many commits A makes", async () => {
    const { inner, a, b, probe } = await pair();
    const users = Array.from({ length: 12 }, (_, i) => `usr_f${String(i).padStart(2, "0")}`);
    for (const user of users) {
      await a.createGrant(ORG, OWNER, readGrant(user));
      await b.resolveAccess(ORG, OWNER, user);
    }
    expect(await observe(b, users)).toEqual(await stored(inner, users));
    expect(probe.counts.loads).toBe(1);
    expect(probe.counts.changeReads).toBeGreaterThan(0);
  });

  it("a log trimmed past what B holds makes B load a snapshot once, then follow the log again", async () => {
    const { inner, a, b, probe } = await pair();
    await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    await a.createGrant(ORG, OWNER, readGrant("usr_y"));
    await inner.trimChanges(ORG, 3);
    let revision = 0;
    await a.createGrant(ORG, OWNER, readGrant("usr_z"), { onRevision: (r) => (revision = r) });
    const users = ["usr_x", "usr_y", "usr_z"];
    expect((await b.graph(ORG, { minRevision: revision })).revision).toBe(revision);
    expect(await observe(b, users)).toEqual(await stored(inner, users));
    expect(probe.counts.loads).toBe(2);
    await a.createGrant(ORG, OWNER, readGrant("usr_w"));
    expect(await observe(b, [...users, "usr_w"])).toEqual(await stored(inner, [...users, "usr_w"]));
    expect(probe.counts.loads).toBe(2);
  });

  it("a stored change that cannot be applied is reported through onError and B loads the snapshot instead", async () => {
    const inner = memoryStorage();
    const clock = manualClock(T0);
    const a = service(inner, clock, "agrant_a");
    await a.createOrganization(ORG, { owners: [OWNER] });
    const probe = instrument(inner, { watch: true, async: false });
    const errors: unknown[] = [];
    // The log answers a change from another organization: our bug, never the caller's.
    const corrupt: StorageAdapter = {
      ...probe.adapter,
      readChanges: async (organizationId, since, limit) => {
        const page = await inner.readChanges(organizationId, since, limit);
        if (!page) return page;
        return {
          ...page,
          items: page.items.map((commit) => ({
            ...commit,
            changes: commit.changes.map((change) =>
              change.type === "put_grant"
                ? { ...change, grant: { ...change.grant, organization_id: "org_elsewhere" } }
                : change,
            ),
          })),
        };
      },
    };
    const b = createAccessControl({ storage: corrupt, clock: clock.now, onError: (error) => errors.push(error) });
    await b.resolveAccess(ORG, OWNER, OWNER);
    await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    expect((await b.resolveAccess(ORG, OWNER, "usr_x")).entities).toEqual([directRead(SLICE, "agrant_a0001")]);
    expect(errors).toHaveLength(1);
    // Stored data is the server's problem: a 500 naming the organization and commit, the validation error its cause.
    expect(errors[0]).toMatchObject({ code: "STORED_DATA_INVALID", status: 500, details: { organization_id: ORG } });
    expect((errors[0] as AccessError).cause).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(probe.counts.loads).toBe(2);
  });

  it("reads never fail or answer VERSION_CONFLICT while the log cannot be read: B answers from what it holds and reports the error", async () => {
    const { a, b, probe, errors } = await pair();
    probe.changesError = () => new Error("log unavailable");
    await a.createGrant(ORG, OWNER, readGrant("usr_x"));
    for (let i = 0; i < 5; i++) {
      expect((await b.resolveAccess(ORG, OWNER, "usr_x")).user_id).toBe("usr_x");
    }
    expect(errors.length).toBeGreaterThan(0);
    probe.changesError = null;
    expect((await b.resolveAccess(ORG, OWNER, "usr_x")).entities).toEqual([directRead(SLICE, "agrant_a0001")]);
    expect(probe.counts.loads).toBe(1);
  });

  it("a reader never answers VERSION_CONFLICT while a writer commits continuously", async () => {
    const { inner, a, b } = await pair();
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await a.createGrant(ORG, OWNER, readGrant(`usr_c${i}`));
        await nextTick(); // a writer in another process would not hold this event loop
      }
    })();
    const failures: unknown[] = [];
    for (let i = 0; i < 200; i++) {
      await b.resolveAccess(ORG, OWNER, `usr_c${i % 20}`).catch((error: unknown) => failures.push(error));
    }
    writing = false;
    await writer;
    expect(failures).toEqual([]);
    const current = (await inner.loadOrganization(ORG))?.revision ?? 0;
    expect((await b.graph(ORG, { minRevision: current })).revision).toBe(current);
  });
});

describe("the bound on organizations held", () => {
  /** Five organizations of 100 grants each in one storage; a reader bounded to `maxCachedGrants`. */
  async function five(maxCachedGrants: number) {
    const inner = memoryStorage({
      initial: [1, 2, 3, 4, 5].map((n) => ({
        organization_id: `org_bound${n}`,
        owners: [OWNER],
        grants: Array.from({ length: 100 }, (_, i) => ({ ...readGrant(`usr_u${i}`), id: `agrant_b${n}x${i}` })),
      })),
    });
    const probe = instrument(inner, { watch: true, async: false });
    const reader = createAccessControl({ storage: probe.adapter, maxCachedGrants });
    return { probe, reader };
  }

  it("holds no more than maxCachedGrants, letting the least recently used organizations go", async () => {
    // Each organization weighs 100 (its grants) + 100 (its base): two fit in 450.
    const { probe, reader } = await five(450);
    for (const n of [1, 2, 3, 4, 5]) await reader.resolveAccess(`org_bound${n}`, OWNER, "usr_u1");
    expect(reader.cacheUsage()).toEqual({ organizations: 2, grants: 400 });
    expect(probe.counts.loads).toBe(5);
    // 4 and 5 are held: reading 4 loads nothing, and makes 5 the least recently used.
    await reader.resolveAccess("org_bound4", OWNER, "usr_u2");
    expect(probe.counts.loads).toBe(5);
    await reader.resolveAccess("org_bound1", OWNER, "usr_u2");
    expect(probe.counts.loads).toBe(6);
    await reader.resolveAccess("org_bound4", OWNER, "usr_u3");
    expect(probe.counts.loads).toBe(6);
    await reader.resolveAccess("org_bound5", OWNER, "usr_u3");
    expect(probe.counts.loads).toBe(7);
    expect(reader.cacheUsage().organizations).toBe(2);
  });

  it("keeps the organization in use even when it alone weighs more than the bound, and answers right after reloading", async () => {
    const { probe, reader } = await five(50);
    const first = await reader.resolveAccess("org_bound1", OWNER, "usr_u7");
    expect(reader.cacheUsage()).toEqual({ organizations: 1, grants: 200 });
    await reader.resolveAccess("org_bound2", OWNER, "usr_u7");
    expect(reader.cacheUsage().organizations).toBe(1);
    expect(await reader.resolveAccess("org_bound1", OWNER, "usr_u7")).toEqual(first);
    expect(probe.counts.loads).toBe(3);
  });

  it("a caller with no rights anywhere cannot grow the process past the bound", async () => {
    const { reader } = await five(450);
    for (const n of [1, 2, 3, 4, 5]) {
      expect((await accessError(() => reader.listGrants(`org_bound${n}`, "usr_nobody"))).code).toBe(
        "INSUFFICIENT_PERMISSIONS",
      );
      expect(reader.cacheUsage().grants).toBeLessThanOrEqual(450);
    }
  });

  it("maxCachedGrants must be a whole number of at least 1", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createAccessControl({ storage: memoryStorage(), maxCachedGrants: bad })).toThrow(AccessError);
    }
  });
});
