// The D1 adapter against a real D1 inside workerd (Cloudflare's runtime), through miniflare's
// D1 proxies: the whole conformance suite (with watch, and again with the default options),
// migrations (of an older schema, and of a database exported from the SQLite adapter), seeding,
// retention, stored snapshots (in parts past D1's 2 MB per value), two adapters writing at once,
// transient errors, and the adapter bundled into a Worker and served by workerd itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type AccessControl,
  AccessError,
  createAccessControl,
  type GraphInput,
  type StorageAdapter,
  type StorageChange,
} from "../../src/index.js";
import { type D1DatabaseLike, d1Storage } from "../../src/storage/d1/index.js";
import { D1_MIGRATIONS, migrate } from "../../src/storage/d1/migrations.js";
import { splitParts } from "../../src/storage/d1/snapshot-parts.js";
import { sqliteStorage } from "../../src/storage/sqlite/index.js";
import { canonical, record } from "../../src/testing/conformance/support.js";
import { manualClock, sequentialIds } from "../../src/testing/index.js";
import { runStorageConformance } from "../../src/testing/vitest.js";

/** Starting workerd takes a few seconds on a cold or busy machine. */
const WORKERD_TIMEOUT_MS = 120_000;
// Every D1 call from here is a round trip into workerd: the suite's busiest cases need room.
vi.setConfig({ testTimeout: 120_000, hookTimeout: WORKERD_TIMEOUT_MS });

let miniflare: Miniflare | null = null;

async function binding(name: string): Promise<D1DatabaseLike> {
  if (!miniflare) throw new Error("miniflare is not started");
  return (await miniflare.getD1Database(name)) as D1DatabaseLike;
}

beforeAll(async () => {
  miniflare = new Miniflare({
    modules: true,
    script: "export default { fetch: () => new Response(null, { status: 404 }) };",
    // One database per binding: the suite's (emptied between cases), and one per test below.
    d1Databases: [
      "CONFORMANCE",
      "MIGRATE_FRESH",
      "MIGRATE_RACE",
      "MIGRATE_OLD",
      "MIGRATE_BAD",
      "FROM_SQLITE",
      "SEED",
      "CONCURRENT",
      "CREATE_RACE",
      "WATCH",
      "PARTS",
      "UNAVAILABLE",
      "CLOSED",
      "RETENTION_COUNT",
      "RETENTION_AGE",
      "SNAPSHOT_TAIL",
      "SNAPSHOT_BAD",
      "SNAPSHOT_OLD",
    ],
  });
  await miniflare.ready;
}, WORKERD_TIMEOUT_MS);

afterAll(async () => {
  await miniflare?.dispose();
}, WORKERD_TIMEOUT_MS);

/** Empties every grantpath table (the schema stays): a fresh database for the next case. */
async function wipe(database: D1DatabaseLike): Promise<void> {
  const { results } = await database
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'schema_migrations'",
    )
    .all<{ name: string }>();
  if (results.length === 0) return;
  await database.batch(results.map(({ name }) => database.prepare(`DELETE FROM "${name}"`)));
}

runStorageConformance({
  name: "d1",
  create: async () => {
    const database = await binding("CONFORMANCE");
    await wipe(database);
    return d1Storage(database, { pollIntervalMs: 200 });
  },
  destroy: (adapter) => adapter.close?.(),
});

// The suite runs once, with watch on (its watch cases need it). Without watch (the default), the
// adapter makes and reads commits exactly as above; what the default changes, that a service
// learns of other writers' commits only when it reads or writes, is tested below and in the
// worker test, with no case skipped.

const ORG = "org_d1a";
const ORG_B = "org_d1b";
const OWNER = "usr_owner1";
const SLICE = "kslice_abc123";
const ALL_VERSIONS = D1_MIGRATIONS.map((migration) => migration.version);

/** Everything a test opened, closed after it (services first, then adapters). */
let services: AccessControl[] = [];
let adapters: StorageAdapter[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  const openServices = services;
  const openAdapters = adapters;
  services = [];
  adapters = [];
  for (const service of openServices) await service.close();
  for (const adapter of openAdapters) await adapter.close?.();
});

function open(database: D1DatabaseLike, options?: Parameters<typeof d1Storage>[1]): StorageAdapter {
  const adapter = d1Storage(database, options);
  adapters.push(adapter);
  return adapter;
}

function serviceOn(storage: StorageAdapter, idPrefix: string, maxAttempts?: number): AccessControl {
  const service = createAccessControl({
    storage,
    ids: sequentialIds(idPrefix),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
  services.push(service);
  return service;
}

async function rows<T>(database: D1DatabaseLike, sql: string, ...values: unknown[]): Promise<T[]> {
  return (
    await database
      .prepare(sql)
      .bind(...values)
      .all<T>()
  ).results;
}

async function recordedVersions(database: D1DatabaseLike): Promise<number[]> {
  return (await rows<{ version: number }>(database, "SELECT version FROM schema_migrations ORDER BY version")).map(
    (row) => row.version,
  );
}

const grantTo = (grantee: string, entityId = SLICE) => ({
  entity_type: "knowledge_slice" as const,
  entity_id: entityId,
  grantee_type: "user" as const,
  grantee_id: grantee,
  access_level: "read" as const,
});

describe("d1Storage migrations", () => {
  it("applies every migration on first use, once: applying them again is a no-op", async () => {
    const database = await binding("MIGRATE_FRESH");
    expect(await migrate(database)).toEqual(ALL_VERSIONS);
    expect(await migrate(database)).toEqual([]);
    const recorded = await rows<{ version: number; name: string }>(
      database,
      "SELECT version, name FROM schema_migrations ORDER BY version",
    );
    expect(recorded).toEqual(D1_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    const names = (
      await rows<{ name: string }>(
        database,
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
      )
    ).map((row) => row.name);
    expect(names).toEqual(
      [
        "changes",
        "composites",
        "departments",
        "grants",
        "grants_active_by_created",
        "grants_by_entity",
        "grants_by_grantee",
        "grants_one_active_pair",
        "organizations",
        "roles",
        "schema_migrations",
        "snapshot_parts",
        "snapshots",
        "users",
      ].sort(),
    );
    // An adapter on the migrated database works, and two more open it without migrating again.
    for (let round = 0; round < 2; round += 1) {
      const adapter = open(database);
      expect(await adapter.loadOrganization(ORG)).toBeNull();
    }
    expect(await recordedVersions(database)).toEqual(ALL_VERSIONS);
  });

  it("workers migrating at once apply each migration exactly once", async () => {
    const database = await binding("MIGRATE_RACE");
    const applied = await Promise.all([1, 2, 3, 4].map(() => migrate(database)));
    expect(applied.flat().sort((a, b) => a - b)).toEqual(ALL_VERSIONS);
    expect(await recordedVersions(database)).toEqual(ALL_VERSIONS);
  });

  it("takes a database of an older schema forward: its organization keeps its rows, and its log starts at its revision", async () => {
    const database = await binding("MIGRATE_OLD");
    // The schema before the change log (migration 1 only), holding an organization at revision 3.
    expect(await migrate(database, D1_MIGRATIONS.slice(0, 1))).toEqual([1]);
    await database.batch([
      database.prepare("INSERT INTO organizations (id, version, owners) VALUES (?, 3, ?)").bind(ORG, `["${OWNER}"]`),
      database
        .prepare("INSERT INTO users (organization_id, id, department_ids, role_ids) VALUES (?, ?, ?, ?)")
        .bind(ORG, "usr_alice", '["dept_eng01"]', "[]"),
      database
        .prepare(
          `INSERT INTO grants (organization_id, id, entity_type, entity_id, grantee_type, grantee_id, access_level,
             granted_by, created_at, updated_at) VALUES (?, ?, 'knowledge_slice', ?, 'department', 'dept_eng01',
             'write', ?, '2025-06-15T10:00:00Z', '2025-06-15T10:00:00Z')`,
        )
        .bind(ORG, "agrant_old01", SLICE, OWNER),
    ]);
    const adapter = open(database);
    const loaded = await adapter.loadOrganization(ORG);
    expect(loaded?.revision).toBe(3);
    expect(loaded?.graph.grants?.map((grant) => grant.id)).toEqual(["agrant_old01"]);
    expect(await recordedVersions(database)).toEqual(ALL_VERSIONS);
    await expect(adapter.readChanges(ORG, 2, 10)).rejects.toMatchObject({
      code: "CHANGES_EXPIRED",
      details: { oldest_revision: 4 },
    });
    expect(await adapter.readChanges(ORG, 3, 10)).toEqual({ items: [], revision: 3, has_more: false });
    const ac = serviceOn(adapter, "agrant_new");
    expect((await ac.resolveAccess(ORG, OWNER, "usr_alice")).entities.map((e) => e.access_level)).toEqual(["write"]);
    await ac.createGrant(ORG, OWNER, grantTo("usr_bob"));
    expect((await adapter.readChanges(ORG, 3, 10))?.items.map((commit) => commit.revision)).toEqual([4]);
  });

  it("a migration that fails (a stored grant outside the checked values) is not applied, and the next call tries again", async () => {
    const database = await binding("MIGRATE_BAD");
    await migrate(database, D1_MIGRATIONS.slice(0, 3));
    await database.batch([
      database
        .prepare("INSERT INTO organizations (id, version, owners, log_start) VALUES (?, 1, ?, 1)")
        .bind(ORG, "[]"),
      database
        .prepare(
          `INSERT INTO grants (organization_id, id, entity_type, entity_id, grantee_type, grantee_id, access_level,
             granted_by, created_at, updated_at) VALUES (?, 'agrant_bad01', 'knowledge_slice', ?, 'user', 'usr_alice',
             'owner', NULL, '2025-06-15T10:00:00Z', '2025-06-15T10:00:00Z')`,
        )
        .bind(ORG, SLICE),
    ]);
    const adapter = open(database);
    await expect(adapter.loadOrganization(ORG)).rejects.toThrow(
      /d1 migration 4 \(grant levels and types checked\) failed and was not applied: .*CHECK constraint failed: grants_access_level_valid/,
    );
    expect(await recordedVersions(database)).toEqual([1, 2, 3]);
    const [grants] = await rows<{ sql: string }>(database, "SELECT sql FROM sqlite_master WHERE name = 'grants'");
    expect(grants?.sql).not.toContain("grants_access_level_valid");
    expect(await rows(database, "SELECT access_level FROM grants")).toEqual([{ access_level: "owner" }]);
    // Mended, the database migrates on the adapter's next call.
    await database.prepare("UPDATE grants SET access_level = 'read'").all();
    expect((await adapter.loadOrganization(ORG))?.graph.grants?.map((grant) => grant.access_level)).toEqual(["read"]);
    expect(await recordedVersions(database)).toEqual(ALL_VERSIONS);
  });

  it("opens a database exported from the SQLite adapter as it is, and goes on with its log", async () => {
    const folder = mkdtempSync(join(tmpdir(), "grantpath-d1-"));
    try {
      const filename = join(folder, "export.sqlite");
      // Written through grantpath/sqlite: commits, a revoke, a snapshot (made by a fresh load).
      const sqlite = sqliteStorage({ filename });
      const writer = createAccessControl({ storage: sqlite, ids: sequentialIds("agrant_sql") });
      await writer.createOrganization(ORG, { owners: [OWNER] });
      await writer.addDepartmentMember(ORG, OWNER, "usr_alice", "dept_eng01");
      await writer.createGrant(ORG, OWNER, { ...grantTo("dept_eng01"), grantee_type: "department" });
      const revoked = await writer.createGrant(ORG, OWNER, grantTo("usr_bob"));
      await writer.revokeGrant(ORG, OWNER, revoked.id);
      await writer.close();
      const reopened = sqliteStorage({ filename });
      const fromSqlite = await reopened.loadOrganization(ORG);
      const logFromSqlite = await reopened.readChanges(ORG, 0, 100);
      await reopened.close?.();
      await sqlite.close?.();

      // What `sqlite3 export.sqlite .dump` then `wrangler d1 execute --file` would do: the schema
      // as SQLite stored it, then every row.
      const database = await binding("FROM_SQLITE");
      const file = new Database(filename, { readonly: true });
      try {
        const schema = file
          .prepare<[], { name: string; type: string; sql: string }>(
            "SELECT name, type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid",
          )
          .all();
        expect(schema.filter((entry) => entry.type === "table").map((entry) => entry.name)).toContain("snapshots");
        const statements = schema.map((entry) => database.prepare(entry.sql));
        for (const { name } of schema.filter((entry) => entry.type === "table")) {
          for (const row of file.prepare<[], Record<string, unknown>>(`SELECT * FROM "${name}"`).all()) {
            const columns = Object.keys(row);
            statements.push(
              database
                .prepare(`INSERT INTO "${name}" (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
                .bind(...columns.map((column) => row[column])),
            );
          }
        }
        await database.batch(statements);
      } finally {
        file.close();
      }

      const adapter = open(database);
      const loaded = await adapter.loadOrganization(ORG);
      expect(loaded?.revision).toBe(fromSqlite?.revision);
      expect(canonical(loaded?.graph ?? { organization_id: ORG })).toEqual(
        canonical(fromSqlite?.graph ?? { organization_id: "" }),
      );
      expect(await adapter.readChanges(ORG, 0, 100)).toEqual(logFromSqlite);
      expect(await recordedVersions(database)).toEqual(ALL_VERSIONS);
      expect((await adapter.getGrant(ORG, revoked.id))?.revoked_at).toBeDefined();
      const ac = serviceOn(adapter, "agrant_d1");
      const grant = await ac.createGrant(ORG, OWNER, grantTo("usr_bob", "kslice_def456"));
      const next = await adapter.readChanges(ORG, fromSqlite?.revision ?? 0, 10);
      expect(next?.items.map((commit) => commit.revision)).toEqual([(fromSqlite?.revision ?? 0) + 1]);
      expect(await adapter.getGrant(ORG, grant.id)).toEqual(grant);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("d1Storage options and seeding", () => {
  const SEED: GraphInput = {
    organization_id: "org_seeded",
    owners: [OWNER],
    users: [{ id: "usr_alice", department_ids: ["dept_eng01"] }],
    departments: [{ id: "dept_eng01", parent_id: null }],
    roles: [{ id: "role_ops01" }],
    composites: [{ id: "kslice_handbook01", member_slice_ids: ["kslice_policies01"] }],
    grants: [
      {
        id: "agrant_seed1",
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        grantee_type: "department",
        grantee_id: "dept_eng01",
        access_level: "read",
        created_at: "2025-01-01T00:00:00Z",
      },
    ],
  };

  it("seeds a database that lacks the organization, and a later adapter keeps its data instead of the seed", async () => {
    const database = await binding("SEED");
    const first = open(database, { initial: [SEED] });
    const seeded = await first.loadOrganization("org_seeded");
    expect(seeded?.revision).toBe(1);
    expect(seeded?.graph.roles).toEqual([{ id: "role_ops01" }]);
    expect(seeded?.graph.composites).toEqual([{ id: "kslice_handbook01", member_slice_ids: ["kslice_policies01"] }]);
    expect(await first.getGrant("org_seeded", "agrant_seed1")).toMatchObject({
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
      organization_id: "org_seeded",
    });
    expect(await first.readChanges("org_seeded", 1, 10)).toEqual({ items: [], revision: 1, has_more: false });
    const ac = serviceOn(first, "agrant_a");
    await ac.revokeGrant("org_seeded", OWNER, "agrant_seed1");
    const after = await first.loadOrganization("org_seeded");

    const second = open(database, { initial: [SEED, { organization_id: "org_new", owners: ["usr_owner3"] }] });
    expect(await second.loadOrganization("org_seeded")).toEqual(after);
    expect((await second.loadOrganization("org_new"))?.graph.owners).toEqual(["usr_owner3"]);
  });

  it("refuses what is not a D1 binding, bad options and invalid seeds before touching the database", () => {
    const untouched: D1DatabaseLike = {
      prepare: () => {
        throw new Error("touched");
      },
      batch: () => Promise.reject(new Error("touched")),
    };
    const fieldOf = (make: () => unknown): unknown => {
      try {
        make();
      } catch (error) {
        if (error instanceof AccessError) return error.details.field;
        throw error;
      }
      return "nothing thrown";
    };
    expect(fieldOf(() => d1Storage({} as D1DatabaseLike))).toBe("database");
    expect(fieldOf(() => d1Storage(untouched, { pollIntervalMs: -1 }))).toBe("pollIntervalMs");
    expect(fieldOf(() => d1Storage(untouched, { pollIntervalMs: 1.5 }))).toBe("pollIntervalMs");
    expect(() => d1Storage(untouched, { changeRetention: { maxCommits: 0 } })).toThrow(AccessError);
    expect(() => d1Storage(untouched, { initial: [{ organization_id: "bad id", owners: [] }] })).toThrow(AccessError);
    // Without pollIntervalMs there is no watch: services read the log before writing instead.
    expect(d1Storage(untouched).watch).toBeUndefined();
    expect(typeof d1Storage(untouched, { pollIntervalMs: 100 }).watch).toBe("function");
  });

  it("after close, every method rejects with a plain Error, and close twice is fine", async () => {
    const adapter = d1Storage(await binding("CLOSED"), { pollIntervalMs: 100 });
    await adapter.close?.();
    await adapter.close?.();
    await expect(adapter.loadOrganization(ORG)).rejects.toThrow(/closed/);
    await expect(adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }])).rejects.toThrow(/closed/);
    await expect(adapter.getGrant(ORG, "agrant_1")).rejects.not.toBeInstanceOf(AccessError);
    expect(() => adapter.watch?.(() => {})).toThrow(/closed/);
  });

  it("D1's transient errors are STORAGE_UNAVAILABLE (503), and nothing is committed", async () => {
    const real = await binding("UNAVAILABLE");
    let failing = false;
    const flaky: D1DatabaseLike = {
      prepare: (query) => real.prepare(query),
      batch: (statements) =>
        failing ? Promise.reject(new Error("D1_ERROR: Network connection lost.")) : real.batch(statements),
    };
    const adapter = open(flaky);
    const v1 = await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    failing = true;
    await expect(adapter.commit(ORG, v1, [{ type: "set_owners", owners: ["usr_other"] }])).rejects.toMatchObject({
      code: "STORAGE_UNAVAILABLE",
      status: 503,
      details: { storage: "d1", operation: "commit" },
    });
    await expect(adapter.loadOrganization(ORG)).rejects.toMatchObject({ code: "STORAGE_UNAVAILABLE" });
    await expect(adapter.readChanges(ORG, 0, 10)).rejects.toMatchObject({ code: "STORAGE_UNAVAILABLE" });
    failing = false;
    expect((await adapter.loadOrganization(ORG))?.graph.owners).toEqual([OWNER]);
  });
});

describe("d1Storage: two adapters on one database", () => {
  it("writing at once through a service each (maxAttempts 1): no commit lost or duplicated, the log without gaps", async () => {
    // Two bindings to one database, as two isolates have.
    const a = open(await binding("CONCURRENT"));
    const b = open(await binding("CONCURRENT"));
    const sa = serviceOn(a, "agrant_a", 1);
    const sb = serviceOn(b, "agrant_b", 1);
    await sa.createOrganization(ORG, { owners: [OWNER] });
    await sb.listGrants(ORG, OWNER);
    const grantees = Array.from({ length: 30 }, (_, i) => `usr_w${String(i).padStart(2, "0")}`);
    const made = await Promise.all(
      grantees.map((grantee, i) => (i % 2 === 0 ? sa : sb).createGrant(ORG, OWNER, grantTo(grantee))),
    );
    expect(new Set(made.map((grant) => grant.id)).size).toBe(30);
    const log = await a.readChanges(ORG, 0, 1000);
    expect(log?.has_more).toBe(false);
    expect(log?.items.map((commit) => commit.revision)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    const logged = (log?.items ?? []).flatMap((commit) =>
      commit.changes.flatMap((change) => (change.type === "put_grant" ? [change.grant.id] : [])),
    );
    expect([...logged].sort()).toEqual(made.map((grant) => grant.id).sort());
    for (const adapter of [a, b]) {
      expect((await adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).total).toBe(30);
      expect((await adapter.loadOrganization(ORG))?.revision).toBe(31);
    }
    for (const service of [sa, sb]) {
      expect((await service.listGrants(ORG, OWNER, { limit: 100 }, { minRevision: 31 })).total).toBe(30);
    }
  });

  it("the same revision committed through both at once: one lands, the other is VERSION_CONFLICT and logs nothing", async () => {
    const a = open(await binding("CREATE_RACE"));
    const b = open(await binding("CREATE_RACE"));
    const created = await Promise.allSettled([
      a.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]),
      b.commit(ORG, 0, [{ type: "create_organization", owners: ["usr_owner2"] }]),
    ]);
    expect(created.map((outcome) => outcome.status).sort()).toEqual(["fulfilled", "rejected"]);
    for (let round = 0; round < 5; round += 1) {
      const revision = (await a.loadOrganization(ORG))?.revision ?? 0;
      const batches: StorageChange[][] = [
        [
          {
            type: "put_grant",
            grant: record(`agrant_a${round}`, { organization_id: ORG, grantee_id: `usr_a${round}` }),
          },
        ],
        [
          {
            type: "put_grant",
            grant: record(`agrant_b${round}`, { organization_id: ORG, grantee_id: `usr_b${round}` }),
          },
        ],
      ];
      const outcomes = await Promise.allSettled([
        a.commit(ORG, revision, batches[0] ?? []),
        b.commit(ORG, revision, batches[1] ?? []),
      ]);
      const landed = outcomes.flatMap((outcome, index) => (outcome.status === "fulfilled" ? [index] : []));
      expect(landed).toHaveLength(1);
      const lost = outcomes.find((outcome) => outcome.status === "rejected");
      expect(lost?.status === "rejected" ? lost.reason : null).toMatchObject({ code: "VERSION_CONFLICT" });
      const page = await b.readChanges(ORG, revision, 10);
      expect(page?.items.map((commit) => commit.revision)).toEqual([revision + 1]);
      expect(page?.items[0]?.changes).toEqual(batches[landed[0] ?? 0]);
    }
    // commitLatest through both at once: every plan lands, on top of the other's commits.
    const before = (await a.loadOrganization(ORG))?.revision ?? 0;
    const plans = Array.from({ length: 10 }, (_, i) => {
      const adapter = i % 2 === 0 ? a : b;
      const grant = record(`agrant_latest${i}`, { organization_id: ORG, grantee_id: `usr_latest${i}` });
      return adapter.commitLatest?.(ORG, before, () => [{ type: "put_grant", grant }]);
    });
    const revisions = await Promise.all(plans);
    expect([...revisions].sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(
      Array.from({ length: 10 }, (_, i) => before + i + 1),
    );
    // One grant from each race above, and the ten planned ones.
    expect((await a.listGrants(ORG, {}, { skip: 0, limit: 100 })).total).toBe(15);
  });

  it("with pollIntervalMs, an adapter hears another's commits on the organizations it has met", async () => {
    const writer = open(await binding("WATCH"));
    const listener = open(await binding("WATCH"), { pollIntervalMs: 50 });
    const v1 = await writer.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    await writer.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER] }]);
    const heard: [string, number][] = [];
    listener.watch?.((organizationId, revision) => heard.push([organizationId, revision]));
    expect((await listener.loadOrganization(ORG))?.revision).toBe(v1);
    const v2 = await writer.commit(ORG, v1, [{ type: "set_owners", owners: [OWNER, "usr_owner2"] }]);
    await writer.commit(ORG_B, 1, [{ type: "set_owners", owners: ["usr_owner2"] }]);
    const started = Date.now();
    while (!heard.some(([id, revision]) => id === ORG && revision === v2)) {
      if (Date.now() - started > 2000) throw new Error(`not heard within 2 s: ${JSON.stringify(heard)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // ORG_B was never met through this adapter: nobody asked about it.
    expect(heard.filter(([id]) => id === ORG_B)).toEqual([]);
  });
});

describe("d1Storage change log retention", () => {
  it("changeRetention.maxCommits keeps the newest commits only, in the commit's own batch", async () => {
    const adapter = open(await binding("RETENTION_COUNT"), { changeRetention: { maxCommits: 3 } });
    let revision = await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    for (let i = 1; i <= 6; i++) {
      revision = await adapter.commit(ORG, revision, [
        { type: "put_grant", grant: record(`agrant_${i}`, { organization_id: ORG, grantee_id: `usr_u${i}` }) },
      ]);
    }
    expect(revision).toBe(7);
    expect((await adapter.readChanges(ORG, 4, 10))?.items.map((c) => c.revision)).toEqual([5, 6, 7]);
    await expect(adapter.readChanges(ORG, 3, 10)).rejects.toMatchObject({
      code: "CHANGES_EXPIRED",
      details: { oldest_revision: 5 },
    });
    expect((await adapter.loadOrganization(ORG))?.graph.grants).toHaveLength(6);
  });

  it("changeRetention.maxAgeMs drops commits older than the bound, by committed_at", async () => {
    const clock = manualClock("2025-06-15T10:00:00Z");
    const adapter = open(await binding("RETENTION_AGE"), {
      changeRetention: { maxAgeMs: 3_600_000 },
      clock: clock.now,
    });
    let revision = await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    clock.advance(30 * 60_000);
    revision = await adapter.commit(ORG, revision, [{ type: "set_owners", owners: [OWNER] }]);
    clock.advance(45 * 60_000);
    // 75 minutes after the first commit: it goes, the second (45 minutes old) stays.
    revision = await adapter.commit(ORG, revision, [{ type: "set_owners", owners: [OWNER, "usr_b"] }]);
    expect((await adapter.readChanges(ORG, 1, 10))?.items.map((c) => c.revision)).toEqual([2, 3]);
    await expect(adapter.readChanges(ORG, 0, 10)).rejects.toMatchObject({ code: "CHANGES_EXPIRED" });
  });
});

describe("d1Storage stored snapshots", () => {
  /** An organization with 20 commits of grants after its creation, and a snapshot (its first load stored one). */
  async function busyOrganization(database: D1DatabaseLike): Promise<GraphInput> {
    const adapter = open(database);
    const ac = serviceOn(adapter, "agrant_busy");
    await ac.createOrganization(ORG, { owners: [OWNER] });
    for (let i = 0; i < 20; i++) await ac.createGrant(ORG, OWNER, grantTo(`usr_u${i}`, `kslice_${i % 4}`));
    await ac.revokeGrant(ORG, OWNER, "agrant_busy0003");
    await ac.addDepartmentMember(ORG, OWNER, "usr_u1", "dept_eng");
    const graph = (await open(database).loadOrganization(ORG))?.graph;
    if (!graph) throw new Error("not stored");
    expect(await rows(database, "SELECT revision FROM snapshots")).toEqual([{ revision: 23 }]);
    return graph;
  }

  it("a load reads the stored snapshot and the commits after it, and answers exactly what the rows hold", async () => {
    const database = await binding("SNAPSHOT_TAIL");
    const before = await busyOrganization(database);
    const adapter = open(database);
    const late = record("agrant_late", { organization_id: ORG, grantee_id: "usr_late" });
    await adapter.commit(ORG, 23, [{ type: "put_grant", grant: late }]);
    const loaded = await open(database).loadOrganization(ORG);
    expect(loaded?.revision).toBe(24);
    expect(canonical(loaded?.graph ?? { organization_id: ORG })).toEqual(
      canonical({ ...before, grants: [...(before.grants ?? []), late] }),
    );
    // The snapshot stays at 23 (one commit behind is no reason to write it again).
    expect(await rows(database, "SELECT revision FROM snapshots")).toEqual([{ revision: 23 }]);
  });

  it("an unreadable snapshot is reported and the rows answer; a fresh snapshot replaces it", async () => {
    const database = await binding("SNAPSHOT_BAD");
    const before = await busyOrganization(database);
    await database.prepare("UPDATE snapshots SET data = 'not json'").all();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const adapter = open(database);
    expect(canonical((await adapter.loadOrganization(ORG))?.graph ?? { organization_id: ORG })).toEqual(
      canonical(before),
    );
    expect(errors).toHaveBeenCalledTimes(1);
    expect(canonical((await adapter.loadOrganization(ORG))?.graph ?? { organization_id: ORG })).toEqual(
      canonical(before),
    );
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it("a snapshot older than the trimmed log is not used: the rows answer", async () => {
    const database = await binding("SNAPSHOT_OLD");
    const adapter = open(database);
    await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    await adapter.loadOrganization(ORG); // stores a snapshot at revision 1
    await adapter.commit(ORG, 1, [{ type: "put_grant", grant: record("agrant_a", { organization_id: ORG }) }]);
    await adapter.commit(ORG, 2, [
      { type: "put_grant", grant: record("agrant_b", { organization_id: ORG, grantee_id: "usr_b" }) },
    ]);
    expect(await adapter.trimChanges(ORG, 3)).toBe(4);
    const loaded = await open(database).loadOrganization(ORG);
    expect(loaded?.graph.grants?.map((g) => g.id).sort()).toEqual(["agrant_a", "agrant_b"]);
  });
});

describe("d1Storage snapshots in parts", () => {
  it("splits text into parts without cutting a surrogate pair", () => {
    expect(splitParts("")).toEqual([""]);
    expect(splitParts("abcdef", 4)).toEqual(["abcd", "ef"]);
    const parts = splitParts("ab😀cd", 3);
    expect(parts.join("")).toBe("ab😀cd");
    expect(parts[0]).toBe("ab");
    expect(splitParts("x".repeat(10), 5)).toEqual(["xxxxx", "xxxxx"]);
  });

  it("stores a snapshot longer than a D1 value in parts, and loads it back whole", async () => {
    const database = await binding("PARTS");
    const grants = Array.from({ length: 12_000 }, (_, i) => ({
      id: `agrant_bulk${String(i).padStart(6, "0")}`,
      entity_type: "knowledge_slice" as const,
      entity_id: `kslice_bulk${String(i).padStart(6, "0")}`,
      grantee_type: "user" as const,
      grantee_id: `usr_bulk${String(i % 500).padStart(4, "0")}`,
      access_level: "read" as const,
      created_at: "2025-06-15T10:00:00Z",
    }));
    const errors = vi.spyOn(console, "error");
    const seeded = open(database, { initial: [{ organization_id: ORG, owners: [OWNER], grants }] });
    const fromSeed = await seeded.loadOrganization(ORG);
    expect(fromSeed?.graph.grants).toHaveLength(12_000);
    const [parts] = await rows<{ n: number }>(
      database,
      "SELECT count(*) AS n FROM snapshot_parts WHERE organization_id = ?",
      ORG,
    );
    expect(parts?.n).toBeGreaterThan(0);
    // A fresh adapter reads the parts; without a snapshot it reads the rows: the same organization.
    expect(await open(database).loadOrganization(ORG)).toEqual(fromSeed);
    expect(errors).not.toHaveBeenCalled();
    await database.batch([
      database.prepare("DELETE FROM snapshots").bind(),
      database.prepare("DELETE FROM snapshot_parts").bind(),
    ]);
    const fromRows = await open(database).loadOrganization(ORG);
    expect(canonical(fromRows?.graph ?? { organization_id: ORG })).toEqual(
      canonical(fromSeed?.graph ?? { organization_id: "" }),
    );
    // That load wrote the snapshot again.
    const [stored] = await rows<{ revision: number }>(
      database,
      "SELECT revision FROM snapshots WHERE organization_id = ?",
      ORG,
    );
    expect(stored?.revision).toBe(1);
  });
});

describe("d1Storage in a Worker", () => {
  let worker: Miniflare | null = null;
  const BASE = "http://worker.test/v1/organizations/org_xyz789";

  beforeAll(async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL("./d1-worker.ts", import.meta.url))],
      bundle: true,
      write: false,
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      format: "esm",
      target: "es2022",
      tsconfigRaw: "{}",
      // Kept out of the bundle rather than failing the build, so the test can name any that appear.
      external: ["node:*"],
      logLevel: "silent",
    });
    const code = result.outputFiles[0]?.text;
    if (code === undefined) throw new Error("esbuild produced no output");
    // Nothing of Node: the adapter and the library run in workerd as they are.
    expect(code.match(/\bfrom\s*["']node:[^"']+["']/g) ?? []).toEqual([]);
    worker = new Miniflare({ modules: true, script: code, compatibilityDate: "2025-06-01", d1Databases: ["DB"] });
    await worker.ready;
  }, WORKERD_TIMEOUT_MS);

  afterAll(async () => {
    await worker?.dispose();
  }, WORKERD_TIMEOUT_MS);

  it("serves the REST API from D1: a grant made by one request is answered by the next", async () => {
    if (!worker) throw new Error("the worker did not start");
    const owner = { authorization: "Bearer owner-token", "content-type": "application/json" };
    const created = await worker.dispatchFetch(`${BASE}/access/grants`, {
      method: "POST",
      headers: owner,
      body: JSON.stringify(grantTo("usr_def456", "kslice_def456")),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("grantpath-revision")).toBe("2");
    const access = await worker.dispatchFetch(`${BASE}/users/usr_def456/resolved-access`, {
      headers: { authorization: "Bearer user-token" },
    });
    expect(access.status).toBe(200);
    const body = (await access.json()) as { entities: { entity_id: string; access_level: string }[] };
    expect(body.entities.map((entity) => [entity.entity_id, entity.access_level])).toEqual([
      ["kslice_abc123", "write"],
      ["kslice_def456", "read"],
    ]);
    const again = await worker.dispatchFetch(`${BASE}/access/grants`, {
      method: "POST",
      headers: owner,
      body: JSON.stringify(grantTo("usr_def456", "kslice_def456")),
    });
    expect(again.status).toBe(409);
    const changes = await worker.dispatchFetch(`${BASE}/access/changes?since=1`, { headers: owner });
    expect(((await changes.json()) as { items: { revision: number }[] }).items.map((item) => item.revision)).toEqual([
      2,
    ]);
    const database = (await worker.getD1Database("DB")) as D1DatabaseLike;
    expect(await recordedVersions(database)).toEqual(ALL_VERSIONS);
  });
});
