/**
 * What each built-in adapter adds around the change-log contract: seeding as a snapshot (the
 * log starts after revision 1), the `changeRetention` option, the SQL adapters' stored
 * snapshots (a cold load reads one and the commits after it, falls back to the rows when it is
 * unusable, and writes a fresh one), and migrations that take a database made before the log
 * existed forward. SQLite files are real files; PostgreSQL runs with DATABASE_URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  AccessError,
  type ChangeRetention,
  createAccessControl,
  type GrantRecord,
  type GraphInput,
  memoryStorage,
  type StorageAdapter,
} from "../../src/index.js";
import { postgresStorage } from "../../src/storage/postgres/index.js";
import { migrate as migratePostgres, POSTGRES_MIGRATIONS } from "../../src/storage/postgres/migrations.js";
import { sqliteStorage } from "../../src/storage/sqlite/index.js";
import { migrate as migrateSqlite, SQLITE_MIGRATIONS } from "../../src/storage/sqlite/migrations.js";
import { manualClock, sequentialIds } from "../../src/testing/index.js";
import { DATABASE_URL, warnWithoutDatabase } from "../support/postgres-url.js";

const url = DATABASE_URL;
warnWithoutDatabase("the PostgreSQL change-log cases", "test/storage/change-log-storage.test.ts");
const ORG = "org_log01";
const OWNER = "usr_owner1";
const T0 = "2025-06-15T10:00:00Z";
const folder = mkdtempSync(join(tmpdir(), "grantpath-log-"));
const admin = url ? new pg.Pool({ connectionString: url, max: 2 }) : null;
let counter = 0;

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await admin?.end();
});

/** Calls `read` so that a synchronous throw becomes a rejection, as an asynchronous adapter's would. */
async function later<T>(read: () => T | Promise<T>): Promise<T> {
  return read();
}

function grant(id: string, grantee: string, extra: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    entity_type: "knowledge_slice",
    entity_id: "kslice_abc123",
    grantee_type: "user",
    grantee_id: grantee,
    access_level: "read",
    granted_by: OWNER,
    organization_id: ORG,
    created_at: T0,
    updated_at: T0,
    ...extra,
  };
}

/** A database an adapter opens, by kind; `raw` runs SQL against it directly. */
interface Backend {
  readonly name: string;
  open(options?: {
    initial?: readonly GraphInput[];
    changeRetention?: ChangeRetention;
    clock?: () => Date;
  }): StorageAdapter;
  raw(sql: string, values?: unknown[]): Promise<unknown[]>;
  /** Makes the database as the first schema (before the change log) left it. */
  firstSchema(): Promise<void>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  const filename = join(folder, `db-${++counter}.sqlite`);
  return {
    name: "sqlite",
    open: (options = {}) => sqliteStorage({ filename, ...options }),
    async raw(sql, values = []) {
      const db = new Database(filename);
      try {
        const statement = db.prepare(sql);
        return statement.reader ? statement.all(...values) : [statement.run(...values)];
      } finally {
        db.close();
      }
    },
    async firstSchema() {
      const db = new Database(filename);
      try {
        migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, 1));
      } finally {
        db.close();
      }
    },
    async dispose() {},
  };
}

function postgresBackend(): Backend {
  const schema = `gp_log_${process.pid}_${++counter}`;
  const q = (sql: string) => sql.replaceAll("$schema", `"${schema}"`);
  return {
    name: "postgres",
    open: (options = {}) => postgresStorage({ connectionString: url ?? "", schema, ...options }),
    async raw(sql, values = []) {
      return (await admin?.query(q(sql), values))?.rows ?? [];
    },
    async firstSchema() {
      const client = await admin?.connect();
      try {
        if (client) await migratePostgres(client, schema, POSTGRES_MIGRATIONS.slice(0, 1));
      } finally {
        client?.release();
      }
    },
    async dispose() {
      await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

/** The organizations table and its columns are named alike in both SQL schemas. */
const table = (backend: Backend, name: string) => (backend.name === "postgres" ? `$schema.${name}` : name);

let opened: StorageAdapter[] = [];
let backends: Backend[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const adapter of opened) await adapter.close?.();
  for (const backend of backends) await backend.dispose();
  opened = [];
  backends = [];
});

function track<T extends StorageAdapter>(adapter: T): T {
  opened.push(adapter);
  return adapter;
}

const seed: GraphInput = {
  organization_id: ORG,
  owners: [OWNER],
  users: [{ id: "usr_alice", department_ids: ["dept_eng"], role_ids: [] }],
  grants: [
    {
      id: "agrant_seed1",
      entity_type: "vector_store",
      entity_id: "vs_1",
      grantee_type: "department",
      grantee_id: "dept_eng",
      access_level: "write",
    },
  ],
};

const kinds: [string, () => Backend | null][] = [
  ["memory", () => null],
  ["sqlite", sqliteBackend],
  ...(url ? [["postgres", postgresBackend] as [string, () => Backend]] : []),
];

function adapterOf(kind: () => Backend | null, options: Parameters<Backend["open"]>[0] = {}): StorageAdapter {
  const backend = kind();
  if (backend) backends.push(backend);
  return track(backend ? backend.open(options) : memoryStorage(options));
}

describe.each(kinds)("%s: seeds, retention", (_name, kind) => {
  it("a seeded organization is a snapshot at revision 1: its log starts after it", async () => {
    const adapter = adapterOf(kind, { initial: [seed] });
    expect((await adapter.loadOrganization(ORG))?.revision).toBe(1);
    await expect(later(() => adapter.readChanges(ORG, 0, 10))).rejects.toMatchObject({
      code: "CHANGES_EXPIRED",
      details: { oldest_revision: 2 },
    });
    expect(await adapter.readChanges(ORG, 1, 10)).toEqual({ items: [], revision: 1, has_more: false });
    await adapter.commit(ORG, 1, [{ type: "put_grant", grant: grant("agrant_1", "usr_alice") }]);
    expect((await adapter.readChanges(ORG, 1, 10))?.items.map((c) => c.revision)).toEqual([2]);
  });

  it("changeRetention.maxCommits keeps the newest commits only", async () => {
    const adapter = adapterOf(kind, { changeRetention: { maxCommits: 3 } });
    let revision = await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    for (let i = 1; i <= 6; i++) {
      revision = await adapter.commit(ORG, revision, [{ type: "put_grant", grant: grant(`agrant_${i}`, `usr_u${i}`) }]);
    }
    expect(revision).toBe(7);
    expect((await adapter.readChanges(ORG, 4, 10))?.items.map((c) => c.revision)).toEqual([5, 6, 7]);
    await expect(later(() => adapter.readChanges(ORG, 3, 10))).rejects.toMatchObject({
      code: "CHANGES_EXPIRED",
      details: { oldest_revision: 5 },
    });
    // The data is all there.
    expect((await adapter.loadOrganization(ORG))?.graph.grants).toHaveLength(6);
  });

  it("changeRetention.maxAgeMs drops commits older than the bound, by committed_at", async () => {
    const clock = manualClock(T0);
    const adapter = adapterOf(kind, { changeRetention: { maxAgeMs: 3_600_000 }, clock: clock.now });
    const stamp = () => ({
      committed_at: clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
    });
    let revision = await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }], stamp());
    clock.advance(30 * 60_000);
    revision = await adapter.commit(ORG, revision, [{ type: "set_owners", owners: [OWNER] }], stamp());
    clock.advance(45 * 60_000);
    // 75 minutes after the first commit: it goes, the second (45 minutes old) stays.
    revision = await adapter.commit(ORG, revision, [{ type: "set_owners", owners: [OWNER, "usr_b"] }], stamp());
    expect((await adapter.readChanges(ORG, 1, 10))?.items.map((c) => c.revision)).toEqual([2, 3]);
    await expect(later(() => adapter.readChanges(ORG, 0, 10))).rejects.toMatchObject({ code: "CHANGES_EXPIRED" });
  });

  it("rejects a retention that is not a positive whole number", () => {
    for (const changeRetention of [{ maxCommits: 0 }, { maxAgeMs: -5 }, { maxCommits: 1.5 }]) {
      expect(() => adapterOf(kind, { changeRetention })).toThrow(AccessError);
    }
  });
});

const sqlKinds = kinds.filter(([name]) => name !== "memory") as [string, () => Backend][];

describe.each(sqlKinds)("%s: stored snapshots and migrations", (_name, kind) => {
  function backend(): Backend {
    const made = kind();
    backends.push(made);
    return made;
  }

  /** The organization with 30 commits of grants after its creation, through a service. */
  async function busyOrganization(b: Backend): Promise<GraphInput> {
    const adapter = track(b.open());
    const ac = createAccessControl({ storage: adapter, ids: sequentialIds("agrant_busy"), clock: manualClock(T0).now });
    await ac.createOrganization(ORG, { owners: [OWNER] });
    for (let i = 0; i < 30; i++) {
      await ac.createGrant(ORG, OWNER, {
        entity_type: "knowledge_slice",
        entity_id: `kslice_${i % 4}`,
        grantee_type: "user",
        grantee_id: `usr_u${i}`,
        access_level: "read",
      });
    }
    await ac.revokeGrant(ORG, OWNER, "agrant_busy0003");
    await ac.addDepartmentMember(ORG, OWNER, "usr_u1", "dept_eng");
    await ac.close();
    const graph = (await adapter.loadOrganization(ORG))?.graph;
    if (!graph) throw new Error("not stored");
    return graph;
  }

  const sorted = (graph: GraphInput | undefined) => ({
    ...graph,
    users: [...(graph?.users ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1)),
    grants: [...(graph?.grants ?? [])].sort((a, b) => ((a.id ?? "") < (b.id ?? "") ? -1 : 1)),
  });

  it("a load uses the stored snapshot and the commits after it, and answers exactly what the rows hold", async () => {
    const b = backend();
    const fromRows = await busyOrganization(b); // the first load had no snapshot: it read the rows, then stored one
    expect(await b.raw(`SELECT revision FROM ${table(b, "snapshots")}`)).toEqual([{ revision: expect.anything() }]);
    const adapter = track(b.open());
    await adapter.commit(ORG, 33, [{ type: "put_grant", grant: grant("agrant_late", "usr_late") }]);
    const loaded = await adapter.loadOrganization(ORG);
    expect(loaded?.revision).toBe(34);
    expect(sorted(loaded?.graph)).toEqual(
      sorted({ ...fromRows, grants: [...(fromRows.grants ?? []), grant("agrant_late", "usr_late")] }),
    );
  });

  it("an unreadable snapshot is reported and the rows answer; a fresh snapshot replaces it", async () => {
    const b = backend();
    const fromRows = await busyOrganization(b);
    await b.raw(`UPDATE ${table(b, "snapshots")} SET data = 'not json'`);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const adapter = track(b.open());
    expect(sorted((await adapter.loadOrganization(ORG))?.graph)).toEqual(sorted(fromRows));
    expect(errors).toHaveBeenCalledTimes(1);
    expect(sorted((await adapter.loadOrganization(ORG))?.graph)).toEqual(sorted(fromRows));
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it("a snapshot older than the trimmed log is not used: the rows answer", async () => {
    const b = backend();
    const adapter = track(b.open());
    await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    await adapter.loadOrganization(ORG); // stores a snapshot at revision 1
    await adapter.commit(ORG, 1, [{ type: "put_grant", grant: grant("agrant_a", "usr_a") }]);
    await adapter.commit(ORG, 2, [{ type: "put_grant", grant: grant("agrant_b", "usr_b") }]);
    await adapter.trimChanges(ORG, 3);
    const loaded = await track(b.open()).loadOrganization(ORG);
    expect(loaded?.graph.grants?.map((g) => g.id).sort()).toEqual(["agrant_a", "agrant_b"]);
  });

  it("migrations take a database made before the change log forward: data kept, the log starting at each organization's revision", async () => {
    const b = backend();
    await b.firstSchema();
    await b.raw(`INSERT INTO ${table(b, "organizations")} (id, version, owners) VALUES ('${ORG}', 3, '["${OWNER}"]')`);
    await b.raw(
      `INSERT INTO ${table(b, "grants")} (organization_id, id, entity_type, entity_id, grantee_type, grantee_id, access_level, granted_by, created_at, updated_at)
       VALUES ('${ORG}', 'agrant_old', 'knowledge_slice', 'kslice_abc123', 'user', 'usr_alice', 'write', '${OWNER}', '${T0}', '${T0}')`,
    );
    const adapter = track(b.open());
    const loaded = await adapter.loadOrganization(ORG);
    expect(loaded?.revision).toBe(3);
    expect(loaded?.graph.grants?.map((g) => g.id)).toEqual(["agrant_old"]);
    await expect(later(() => adapter.readChanges(ORG, 2, 10))).rejects.toMatchObject({
      code: "CHANGES_EXPIRED",
      details: { oldest_revision: 4 },
    });
    expect(await adapter.readChanges(ORG, 3, 10)).toEqual({ items: [], revision: 3, has_more: false });
    const ac = createAccessControl({ storage: adapter, ids: sequentialIds("agrant_new") });
    await ac.createGrant(ORG, OWNER, {
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "user",
      grantee_id: "usr_alice",
      access_level: "read",
    });
    expect((await adapter.readChanges(ORG, 3, 10))?.items.map((c) => c.revision)).toEqual([4]);
    expect((await ac.resolveAccess(ORG, OWNER, "usr_alice")).entities.map((e) => e.entity_id)).toEqual([
      "asst_1",
      "kslice_abc123",
    ]);
    await ac.close();
  });
});
