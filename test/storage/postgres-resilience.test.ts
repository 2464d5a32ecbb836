// The PostgreSQL adapter when the network or the server misbehaves: every call has a deadline
// and fails with STORAGE_UNAVAILABLE (503) instead of hanging, a stalled connection is not
// reused, and the LISTEN connection recovers and tells what it missed. The adapters talk to the
// real server through a TCP proxy that can stall, cut and refuse connections. Needs DATABASE_URL
// (start a throwaway server with `eval "$(scripts/start-postgres.sh)"`); without it these tests
// are skipped, loudly.
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, type MockInstance, onTestFinished, vi } from "vitest";
import {
  AccessError,
  type CreateGrantInput,
  createAccessControl,
  createHttpHandler,
  ERROR_CATALOG,
} from "../../src/index.js";
import { type PostgresStorageOptions, postgresStorage } from "../../src/storage/postgres/index.js";
import type { StorageAdapter } from "../../src/storage/storage-adapter.js";
import { manualClock, sequentialIds } from "../../src/testing/index.js";
import { DATABASE_URL, warnWithoutDatabase } from "../support/postgres-url.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const url = DATABASE_URL;
warnWithoutDatabase("the PostgreSQL resilience tests", "test/storage/postgres");

/** The deadlines the adapters under test get: small, so a stall costs the tests little. */
const QUERY_TIMEOUT_MS = 400;
const CONNECT_TIMEOUT_MS = 800;
const HEARTBEAT_MS = 100;
/**
 * How long a failure may take in these tests. Generous on purpose (timing must never fail a
 * test): a working deadline answers within about a second, a missing one hangs for the 10 s
 * default, or for ever.
 */
const BOUND_MS = 5_000;

const ORG = "org_pg_faults";
const OWNER = "usr_owner1";
const ALICE = "usr_alice";

/** Drops the schemas the tests make and looks at the database directly; ended after the file. */
const admin = url ? new pg.Pool({ connectionString: url, max: 3 }) : null;

afterAll(async () => {
  await admin?.end();
});

let schemaCounter = 0;
/** A schema name no other case or run uses. */
function freshSchema(): string {
  schemaCounter += 1;
  return `gp_fault_${process.pid}_${Date.now().toString(36)}_${schemaCounter}`;
}

/**
 * The adapters log every lost connection, and the tests lose many on purpose, also while
 * cleaning up after a case; some cases look at what was logged.
 */
let errors: MockInstance<typeof console.error>;
beforeAll(() => {
  errors = vi.spyOn(console, "error").mockImplementation(() => {});
});
beforeEach(() => {
  errors.mockClear();
});
afterAll(() => {
  errors.mockRestore();
});

interface Fixture {
  readonly proxy: TcpProxy;
  readonly schema: string;
  /** DATABASE_URL with the proxy's port. */
  readonly proxied: string;
  /** An adapter connected through the proxy, with the small deadlines; closed after the test. */
  adapter(options?: Partial<PostgresStorageOptions>): StorageAdapter;
  /** Runs `close` after the test, before the proxy closes and the schema is dropped (last registered, first run). */
  onClose(close: () => Promise<void> | void): void;
}

/** A proxy in front of the server and a fresh schema, both gone after the test. */
async function fixture(): Promise<Fixture> {
  const target = new URL(url ?? "");
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxiedUrl = new URL(target.href);
  proxiedUrl.port = String(proxy.port);
  const proxied = proxiedUrl.href;
  const schema = freshSchema();
  const closers: (() => Promise<void> | void)[] = [];
  onTestFinished(async () => {
    // Closing first makes every held-back call fail at once, so nothing waits on a stall.
    await proxy.close();
    for (const close of closers.reverse()) {
      await Promise.resolve()
        .then(close)
        .catch(() => {});
    }
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
  return {
    proxy,
    schema,
    proxied,
    adapter(options = {}) {
      const storage = postgresStorage({
        ...(options.pool === undefined ? { connectionString: proxied } : {}),
        schema,
        queryTimeoutMs: QUERY_TIMEOUT_MS,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        heartbeatMs: HEARTBEAT_MS,
        ...options,
      });
      closers.push(() => storage.close?.());
      return storage;
    },
    onClose(close) {
      closers.push(close);
    },
  };
}

/** What a call that must fail came to, and how long it took. */
interface Failure {
  readonly error: unknown;
  readonly elapsed: number;
}

/**
 * Runs `call`, which must fail; gives up (as a failure of the test, not a hang) after twice
 * {@link BOUND_MS}.
 */
async function failure(call: () => unknown): Promise<Failure> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), 2 * BOUND_MS);
  });
  try {
    const outcome = await Promise.race([
      // Called now, not a tick later: a case may close the adapter right after starting a call.
      (async () => call())().then(
        () => ({ error: new Error("the call succeeded") }),
        (error: unknown) => ({ error }),
      ),
      hung,
    ]);
    if (outcome === "hung") return { error: new Error(`no answer after ${2 * BOUND_MS} ms`), elapsed: Infinity };
    return { error: outcome.error, elapsed: performance.now() - start };
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that `outcome` is STORAGE_UNAVAILABLE (503), reached within {@link BOUND_MS}. */
function expectUnavailable(outcome: Failure, what: string): void {
  const { error, elapsed } = outcome;
  expect(error, what).toBeInstanceOf(AccessError);
  expect({ what, code: (error as AccessError).code, status: (error as AccessError).status }).toEqual({
    what,
    code: "STORAGE_UNAVAILABLE",
    status: 503,
  });
  expect(elapsed, `${what} took ${elapsed.toFixed(0)} ms`).toBeLessThan(BOUND_MS);
}

/** The revision and log length the database holds for `ORG`, read directly (not through the proxy). */
async function stored(schema: string): Promise<{ revision: number; logged: number }> {
  const result = await admin?.query<{ revision: number; logged: number }>(
    `SELECT o.version::int AS revision, (SELECT count(*)::int FROM "${schema}".changes c WHERE c.organization_id = o.id) AS logged
     FROM "${schema}".organizations o WHERE o.id = $1`,
    [ORG],
  );
  const row = result?.rows[0];
  if (!row) throw new Error(`${ORG} is not stored in ${schema}`);
  return row;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const create = { type: "create_organization", owners: [OWNER] } as const;
const owners = (...ids: string[]) => ({ type: "set_owners", owners: ids }) as const;

describe.skipIf(!url)("postgres storage: deadlines and recovery on a faulty network", () => {
  describe("a stalled database", () => {
    it("every call fails with STORAGE_UNAVAILABLE within the deadline, nothing is committed, and after resume() the adapter works again", async () => {
      const f = await fixture();
      const storage = f.adapter();
      await storage.commit(ORG, 0, [create]);
      await storage.commit(ORG, 1, [owners(OWNER, "usr_owner2")]);
      expect(await stored(f.schema)).toEqual({ revision: 2, logged: 2 });

      f.proxy.stall();
      const calls: Record<string, () => unknown> = {
        loadOrganization: () => storage.loadOrganization(ORG),
        commit: () => storage.commit(ORG, 2, [owners(OWNER)]),
        commitLatest: async () => storage.commitLatest?.(ORG, 2, () => [owners(OWNER)]),
        readChanges: () => storage.readChanges(ORG, 0, 10),
        listGrants: () => storage.listGrants(ORG, {}, { skip: 0, limit: 10 }),
        getGrant: () => storage.getGrant(ORG, "agrant_missing"),
        trimChanges: () => storage.trimChanges(ORG, 1),
      };
      const outcomes = await Promise.all(
        Object.entries(calls).map(async ([name, call]) => [name, await failure(call)] as const),
      );
      console.log(
        `postgres stalled: ${outcomes.map(([name, o]) => `${name} ${o.elapsed.toFixed(0)} ms`).join(", ")} ` +
          `(queryTimeoutMs ${QUERY_TIMEOUT_MS}, connectTimeoutMs ${CONNECT_TIMEOUT_MS})`,
      );
      for (const [name, outcome] of outcomes) expectUnavailable(outcome, name);
      const first = outcomes[0]?.[1].error as AccessError;
      expect(first.details).toMatchObject({ storage: "postgres", operation: "loadOrganization" });
      expect(first.cause).toBeInstanceOf(Error);
      expect(await stored(f.schema)).toEqual({ revision: 2, logged: 2 });

      f.proxy.resume();
      expect((await storage.loadOrganization(ORG))?.revision).toBe(2);
      expect(await storage.commit(ORG, 2, [owners(OWNER)])).toBe(3);
      const page = await storage.readChanges(ORG, 0, 10);
      expect(page?.items.map((commit) => commit.revision)).toEqual([1, 2, 3]);
      // More calls at once than the pool holds connections: none meets a client left stuck.
      const loads = await Promise.all(Array.from({ length: 15 }, () => storage.loadOrganization(ORG)));
      expect(loads.map((snapshot) => snapshot?.revision)).toEqual(Array.from({ length: 15 }, () => 3));
      expect(await stored(f.schema)).toEqual({ revision: 3, logged: 3 });
    });

    it("a connection that timed out is dropped, not reused: after a failover every call answers from new connections", async () => {
      const f = await fixture();
      const pool = new pg.Pool({ connectionString: f.proxied, max: 2, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
      f.onClose(() => pool.end());
      const storage = f.adapter({ pool });
      await storage.commit(ORG, 0, [create]);
      // Two connections in the pool, both idle.
      await Promise.all([storage.loadOrganization(ORG), storage.loadOrganization(ORG)]);
      expect({ total: pool.totalCount, idle: pool.idleCount }).toEqual({ total: 2, idle: 2 });

      f.proxy.stall();
      // Each takes one of the idle connections, which never answers again.
      const committing = await failure(() => storage.commit(ORG, 1, [owners(OWNER, "usr_owner2")]));
      const loading = await failure(() => storage.loadOrganization(ORG));
      console.log(
        `postgres stalled connection: commit ${committing.elapsed.toFixed(0)} ms, loadOrganization ${loading.elapsed.toFixed(0)} ms (queryTimeoutMs ${QUERY_TIMEOUT_MS})`,
      );
      expectUnavailable(committing, "commit");
      expectUnavailable(loading, "loadOrganization");
      expect(pool.totalCount).toBe(0);

      // The old connections stay stalled for good; new ones reach the server.
      f.proxy.failover();
      expect(await stored(f.schema)).toEqual({ revision: 1, logged: 1 });
      for (let round = 0; round < 3; round += 1) {
        expect((await storage.loadOrganization(ORG))?.revision).toBe(1 + round);
        expect(await storage.commit(ORG, 1 + round, [owners(OWNER, `usr_owner${round + 2}`)])).toBe(2 + round);
        expect((await storage.listGrants(ORG, {}, { skip: 0, limit: 10 })).total).toBe(0);
      }
      expect(await stored(f.schema)).toEqual({ revision: 4, logged: 4 });
    });

    it("a stall in the middle of a transaction fails within one deadline, not one for the statement and another for the ROLLBACK", async () => {
      const f = await fixture();
      // Long enough that one deadline and two are told apart whatever the machine's load.
      const queryTimeoutMs = 1_000;
      const storage = f.adapter({ queryTimeoutMs });
      await storage.commit(ORG, 0, [create]);
      // The plan runs inside the transaction, with the organization's row locked: the network goes silent then.
      const outcome = await failure(() =>
        storage.commitLatest?.(ORG, 1, () => {
          f.proxy.stall();
          return [owners(OWNER, "usr_owner2")];
        }),
      );
      console.log(
        `postgres stalled inside a transaction: commitLatest ${outcome.elapsed.toFixed(0)} ms (queryTimeoutMs ${queryTimeoutMs})`,
      );
      expectUnavailable(outcome, "commitLatest");
      expect(outcome.elapsed).toBeLessThan(1.9 * queryTimeoutMs);
      f.proxy.resume();
      expect(await storage.commit(ORG, 1, [owners(OWNER, "usr_owner2")])).toBe(2);
      expect(await stored(f.schema)).toEqual({ revision: 2, logged: 2 });
    });

    it("a connection cut in the middle of a commit: STORAGE_UNAVAILABLE, nothing committed, nothing left unhandled", async () => {
      const f = await fixture();
      const storage = f.adapter({ queryTimeoutMs: 10_000 });
      await storage.commit(ORG, 0, [create]);
      f.proxy.stall();
      const pending = failure(() => storage.commit(ORG, 1, [owners(OWNER, "usr_owner2")]));
      await sleep(100);
      f.proxy.cut();
      expectUnavailable(await pending, "commit");
      expect(await stored(f.schema)).toEqual({ revision: 1, logged: 1 });
      f.proxy.resume();
      expect(await storage.commit(ORG, 1, [owners(OWNER, "usr_owner2")])).toBe(2);
    });

    it("close() while the database is stalled returns within the deadlines", async () => {
      const f = await fixture();
      const storage = f.adapter();
      storage.watch?.(() => {});
      await storage.commit(ORG, 0, [create]);
      f.proxy.stall();
      const reading = failure(() => storage.loadOrganization(ORG));
      const start = performance.now();
      await storage.close?.();
      const elapsed = performance.now() - start;
      expect(elapsed, `close() took ${elapsed.toFixed(0)} ms`).toBeLessThan(BOUND_MS);
      expectUnavailable(await reading, "loadOrganization");
    });
  });

  describe("connecting", () => {
    it("while new connections are refused, or stall: STORAGE_UNAVAILABLE within the connect deadline; connects once the database is back", async () => {
      const f = await fixture();
      await f.proxy.refuse();
      const refused = f.adapter();
      const outcome = await failure(() => refused.loadOrganization(ORG));
      expectUnavailable(outcome, "loadOrganization, refused");
      await f.proxy.accept();
      expect(await refused.commit(ORG, 0, [create])).toBe(1);

      f.proxy.stall();
      const stalled = f.adapter();
      expectUnavailable(await failure(() => stalled.loadOrganization(ORG)), "loadOrganization, stalled");
      expectUnavailable(await failure(() => stalled.commit(ORG, 1, [owners(OWNER)])), "commit, stalled");
      f.proxy.resume();
      expect((await stalled.loadOrganization(ORG))?.revision).toBe(1);
    });

    it("a pool passed in without a connection timeout of its own still gets the adapter's", async () => {
      const f = await fixture();
      const pool = new pg.Pool({ connectionString: f.proxied, max: 4 });
      pool.on("error", () => {});
      f.onClose(() => pool.end());
      const storage = f.adapter({ pool });
      // Not even migrated yet: the first call must connect.
      f.proxy.stall();
      expectUnavailable(await failure(() => storage.loadOrganization(ORG)), "loadOrganization before migrating");
      f.proxy.resume();
      // Connected, then stalled while migrating.
      await pool.query("SELECT 1");
      f.proxy.stall();
      expectUnavailable(await failure(() => storage.loadOrganization(ORG)), "loadOrganization while migrating");
      f.proxy.resume();
      await storage.commit(ORG, 0, [create]);
      // Migrated, and no connection left in the pool: every call must make one.
      f.proxy.cut();
      await vi.waitFor(() => expect(pool.totalCount).toBe(0), { timeout: BOUND_MS, interval: 5 });
      f.proxy.stall();
      const calls: Record<string, () => unknown> = {
        loadOrganization: () => storage.loadOrganization(ORG),
        commit: () => storage.commit(ORG, 1, [owners(OWNER, "usr_owner2")]),
        readChanges: () => storage.readChanges(ORG, 0, 10),
        listGrants: () => storage.listGrants(ORG, {}, { skip: 0, limit: 10 }),
        getGrant: () => storage.getGrant(ORG, "agrant_missing"),
      };
      // More calls at once than the pool has room for: the last ones wait for a place, within the deadline too.
      const outcomes = await Promise.all(
        Object.entries(calls).map(async ([name, call]) => [name, await failure(call)] as const),
      );
      for (const [name, outcome] of outcomes) expectUnavailable(outcome, name);
    });
  });

  describe("a pool passed in", () => {
    it("gets the per-query deadline: a statement stuck behind a lock, or on a stalled connection, fails in time", async () => {
      const f = await fixture();
      // No statement_timeout, no query_timeout, no connection timeout: only the adapter's own.
      const pool = new pg.Pool({ connectionString: f.proxied, max: 3 });
      pool.on("error", () => {});
      f.onClose(() => pool.end());
      const storage = f.adapter({ pool });
      await storage.commit(ORG, 0, [create]);

      // Someone else holds the organization's row lock for longer than the deadline.
      const holder = await admin?.connect();
      if (!holder) throw new Error("no admin connection");
      try {
        await holder.query("BEGIN");
        await holder.query(`SELECT 1 FROM "${f.schema}".organizations WHERE id = $1 FOR UPDATE`, [ORG]);
        expectUnavailable(await failure(() => storage.commit(ORG, 1, [owners(OWNER, "usr_owner2")])), "commit, locked");
      } finally {
        await holder.query("ROLLBACK");
        holder.release();
      }
      expect(await stored(f.schema)).toEqual({ revision: 1, logged: 1 });
      expect(await storage.commit(ORG, 1, [owners(OWNER, "usr_owner2")])).toBe(2);

      f.proxy.stall();
      expectUnavailable(await failure(() => storage.loadOrganization(ORG)), "loadOrganization, stalled");
      expectUnavailable(
        await failure(() => storage.listGrants(ORG, {}, { skip: 0, limit: 10 })),
        "listGrants, stalled",
      );
      f.proxy.resume();
      expect((await storage.loadOrganization(ORG))?.revision).toBe(2);
    });
  });

  describe("through the service", () => {
    it("an organization held in memory is still read while the database is stalled; a write answers STORAGE_UNAVAILABLE, over HTTP a 503 envelope", async () => {
      const f = await fixture();
      const storage = f.adapter();
      const ac = createAccessControl({
        storage,
        clock: manualClock("2025-06-15T10:00:00Z").now,
        ids: sequentialIds(),
        onError: () => {},
      });
      f.onClose(() => ac.close());
      const tokens = new Map([
        ["tok-owner", OWNER],
        ["tok-alice", ALICE],
      ]);
      const unexpected = vi.fn();
      const handler = createHttpHandler(ac, {
        authenticate: (request) => {
          const user_id = tokens.get(request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "");
          return user_id ? { user_id } : null;
        },
        onError: unexpected,
      });
      const request = (path: string, token: string, init: RequestInit = {}) =>
        handler(
          new Request(`http://grantpath.test/v1/organizations/${ORG}${path}`, {
            ...init,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          }),
        );
      const grant = (entity_id: string): CreateGrantInput => ({
        entity_type: "knowledge_slice",
        entity_id,
        grantee_type: "user",
        grantee_id: ALICE,
        access_level: "read",
      });

      await ac.createOrganization(ORG, { owners: [OWNER] });
      expect(
        (await request("/access/grants", "tok-owner", { method: "POST", body: JSON.stringify(grant("kslice_one")) }))
          .status,
      ).toBe(201);

      f.proxy.stall();
      const access = await ac.resolveAccess(ORG, ALICE, ALICE);
      expect(access.entities.map((entity) => entity.entity_id)).toEqual(["kslice_one"]);
      const read = await request(`/users/${ALICE}/resolved-access`, "tok-alice");
      expect(read.status).toBe(200);
      expect(read.headers.get("grantpath-revision")).toBe("2");

      const written = await failure(() => ac.createGrant(ORG, OWNER, grant("kslice_two")));
      expectUnavailable(written, "createGrant");
      const start = performance.now();
      const response = await request("/access/grants", "tok-owner", {
        method: "POST",
        body: JSON.stringify(grant("kslice_two")),
      });
      expect(performance.now() - start).toBeLessThan(BOUND_MS);
      expect(response.status).toBe(503);
      const body: unknown = await response.json();
      expect(body).toEqual({
        success: false,
        error: {
          code: "STORAGE_UNAVAILABLE",
          message: ERROR_CATALOG.STORAGE_UNAVAILABLE.message,
          system_message: "Storage unavailable",
          type: "server_error",
          status: 503,
          details: expect.objectContaining({ storage: "postgres" }),
          trace_id: expect.any(String),
          timestamp: expect.any(String),
        },
      });
      // Whatever the handler reports is that same failure, not an internal error of its own.
      for (const [reported] of unexpected.mock.calls) expect(reported).toMatchObject({ code: "STORAGE_UNAVAILABLE" });
      expect(await stored(f.schema)).toEqual({ revision: 2, logged: 2 });

      f.proxy.resume();
      const retried = await request("/access/grants", "tok-owner", {
        method: "POST",
        body: JSON.stringify(grant("kslice_two")),
      });
      expect(retried.status).toBe(201);
      expect(retried.headers.get("grantpath-revision")).toBe("3");
    });
  });

  describe("the LISTEN connection", () => {
    /** Two services on one schema: `direct` talks to the server, `proxied` through the proxy. */
    async function twoServices(f: Fixture, options: Partial<PostgresStorageOptions> = {}) {
      const direct = postgresStorage({ connectionString: url ?? "", schema: f.schema });
      f.onClose(() => direct.close?.());
      const proxied = f.adapter(options);
      const clock = manualClock("2025-06-15T10:00:00Z");
      const make = (storage: StorageAdapter, prefix: string) => {
        const ac = createAccessControl({ storage, clock: clock.now, ids: sequentialIds(prefix), onError: () => {} });
        f.onClose(() => ac.close());
        return ac;
      };
      const writer = make(direct, "agrant_direct");
      const reader = make(proxied, "agrant_proxied");
      await writer.createOrganization(ORG, { owners: [OWNER] });
      // The proxied service holds the organization; its adapter's watcher records what it hears.
      expect((await reader.resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      const heard: number[] = [];
      proxied.watch?.((organizationId, revision) => {
        // Revision 1 (the creation) may be heard or not, depending on when LISTEN began.
        if (organizationId === ORG && revision > 1) heard.push(revision);
      });
      const grant = (entity_id: string) =>
        writer.createGrant(ORG, OWNER, {
          entity_type: "knowledge_slice",
          entity_id,
          grantee_type: "user",
          grantee_id: ALICE,
          access_level: "read",
        });
      const readable = async () =>
        (await reader.resolveAccess(ORG, ALICE, ALICE)).entities.map((entity) => entity.entity_id).sort();
      return { heard, grant, readable };
    }

    it("commits made while it was cut are announced after it reconnects, and later commits are heard as usual", async () => {
      const f = await fixture();
      const { heard, grant, readable } = await twoServices(f);
      await grant("kslice_one");
      await vi.waitFor(() => expect(heard).toEqual([2]), { timeout: BOUND_MS, interval: 5 });

      // Down, and kept down for a while: the reconnection attempts are refused.
      await f.proxy.refuse();
      f.proxy.cut();
      await grant("kslice_two");
      await grant("kslice_three");
      await sleep(600);
      expect(heard).toEqual([2]);

      await f.proxy.accept();
      // The catch-up after reconnecting tells the current revision.
      await vi.waitFor(() => expect(heard).toEqual([2, 4]), { timeout: BOUND_MS, interval: 5 });
      await vi.waitFor(async () => expect(await readable()).toEqual(["kslice_one", "kslice_three", "kslice_two"]), {
        timeout: BOUND_MS,
        interval: 10,
      });
      await grant("kslice_four");
      await vi.waitFor(() => expect(heard).toEqual([2, 4, 5]), { timeout: BOUND_MS, interval: 5 });
      await vi.waitFor(async () => expect(await readable()).toContain("kslice_four"), {
        timeout: BOUND_MS,
        interval: 10,
      });
    });

    it("a connection that went silent is noticed by the heartbeat, and after resume() the watcher hears what it missed", async () => {
      const f = await fixture();
      const { heard, grant, readable } = await twoServices(f);
      await grant("kslice_one");
      await vi.waitFor(() => expect(heard).toEqual([2]), { timeout: BOUND_MS, interval: 5 });

      f.proxy.stall();
      await grant("kslice_two");
      // Noticed while still stalled: nothing failed on the socket, only the heartbeat went unanswered.
      await vi.waitFor(
        () =>
          expect(errors).toHaveBeenCalledWith(
            expect.stringContaining("LISTEN connection failed"),
            expect.objectContaining({ message: expect.stringContaining("timeout") }),
          ),
        { timeout: BOUND_MS, interval: 10 },
      );
      expect(heard).toEqual([2]);

      f.proxy.resume();
      await vi.waitFor(() => expect(heard).toEqual([2, 3]), { timeout: BOUND_MS, interval: 5 });
      await vi.waitFor(async () => expect(await readable()).toEqual(["kslice_one", "kslice_two"]), {
        timeout: BOUND_MS,
        interval: 10,
      });
      await grant("kslice_three");
      await vi.waitFor(() => expect(heard).toEqual([2, 3, 4]), { timeout: BOUND_MS, interval: 5 });
    });

    it("reconnecting on a silent network gives up in time and tries again: after a failover it listens on a new connection, also with a pool passed in that has no timeouts", async () => {
      const f = await fixture();
      const pool = new pg.Pool({ connectionString: f.proxied, max: 10 });
      pool.on("error", () => {});
      f.onClose(() => pool.end());
      const { heard, grant, readable } = await twoServices(f, { pool });
      await grant("kslice_one");
      await vi.waitFor(() => expect(heard).toEqual([2]), { timeout: BOUND_MS, interval: 5 });
      const accepted = f.proxy.acceptedConnections;

      // Every connection is lost, and the network goes silent: the reconnection meets a stall.
      f.proxy.stall();
      f.proxy.cut();
      await grant("kslice_two");
      await vi.waitFor(() => expect(f.proxy.acceptedConnections).toBeGreaterThan(accepted), {
        timeout: BOUND_MS,
        interval: 10,
      });
      // The stalled attempts never come back; new connections reach the server.
      f.proxy.failover();
      await vi.waitFor(() => expect(heard).toEqual([2, 3]), { timeout: BOUND_MS, interval: 5 });
      await vi.waitFor(async () => expect(await readable()).toEqual(["kslice_one", "kslice_two"]), {
        timeout: BOUND_MS,
        interval: 10,
      });
      await grant("kslice_three");
      await vi.waitFor(() => expect(heard).toEqual([2, 3, 4]), { timeout: BOUND_MS, interval: 5 });
    });
  });
});
