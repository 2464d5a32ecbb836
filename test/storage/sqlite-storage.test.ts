import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  type AccessControl,
  AccessError,
  createAccessControl,
  type GraphInput,
  type StorageAdapter,
} from "../../src/index.js";
import { sqliteStorage } from "../../src/storage/sqlite/index.js";
import { SQLITE_MIGRATIONS } from "../../src/storage/sqlite/migrations.js";
import { sequentialIds } from "../../src/testing/index.js";
import { runStorageConformance } from "../../src/testing/vitest.js";

const folder = mkdtempSync(join(tmpdir(), "grantpath-sqlite-"));
let fileCount = 0;
/** A path to a database file no case has used. */
function freshFile(): string {
  return join(folder, `case-${++fileCount}.sqlite`);
}

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

runStorageConformance({
  name: "sqlite",
  create: () => sqliteStorage({ filename: freshFile() }),
  destroy: (adapter) => adapter.close?.(),
});

const ORG = "org_sqlite01";
const OWNER = "usr_owner1";
const SLICE = "kslice_abc123";

/** Everything a case opened, closed after it (services first, then adapters). */
let services: AccessControl[] = [];
let adapters: StorageAdapter[] = [];

function open(filename: string, initial?: readonly GraphInput[]): StorageAdapter {
  const adapter = sqliteStorage({ filename, ...(initial === undefined ? {} : { initial }) });
  adapters.push(adapter);
  return adapter;
}

function serviceOn(storage: StorageAdapter, idPrefix = "agrant_test"): AccessControl {
  const service = createAccessControl({ storage, ids: sequentialIds(idPrefix) });
  services.push(service);
  return service;
}

async function closeAll(): Promise<void> {
  const openServices = services;
  const openAdapters = adapters;
  services = [];
  adapters = [];
  for (const service of openServices) await service.close();
  for (const adapter of openAdapters) await adapter.close?.();
}

afterEach(async () => {
  vi.restoreAllMocks();
  await closeAll();
});

function readRaw<T>(filename: string, sql: string): T[] {
  const db = new Database(filename, { readonly: true });
  try {
    return db.prepare<[], T>(sql).all();
  } finally {
    db.close();
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AccessError) return error.code;
    throw error;
  }
  return "none";
}

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("sqliteStorage schema", () => {
  it("runs its migrations once: reopening applies nothing again and schema_migrations has one row per migration", async () => {
    const filename = freshFile();
    open(filename);
    await closeAll();
    open(filename);
    open(filename);
    await closeAll();
    const rows = readRaw<{ version: number; name: string }>(
      filename,
      "SELECT version, name FROM schema_migrations ORDER BY version",
    );
    expect(rows).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    const names = readRaw<{ name: string }>(
      filename,
      "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name",
    ).map((row) => row.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "organizations",
        "users",
        "departments",
        "roles",
        "composites",
        "grants",
        "schema_migrations",
        "grants_active_by_created",
        "grants_by_entity",
        "grants_by_grantee",
        "grants_one_active_pair",
      ]),
    );
  });

  it("lists active grants through the listing index, without sorting", () => {
    const filename = freshFile();
    open(filename);
    const db = new Database(filename, { readonly: true });
    try {
      const plan = db
        .prepare<[], { detail: string }>(
          `EXPLAIN QUERY PLAN SELECT id FROM grants WHERE organization_id = 'org_1' AND revoked_at IS NULL
           ORDER BY created_at COLLATE BINARY, id COLLATE BINARY LIMIT 20 OFFSET 0`,
        )
        .all()
        .map((row) => row.detail)
        .join("\n");
      expect(plan).toContain("grants_active_by_created");
      expect(plan).not.toContain("TEMP B-TREE");
    } finally {
      db.close();
    }
  });

  it("turns on WAL mode", () => {
    const filename = freshFile();
    open(filename);
    const db = new Database(filename, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("refuses a second active grant for the same entity and grantee at the database too, and keeps the batch out", async () => {
    const adapter = open(freshFile());
    const v1 = await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    const grant = (id: string) => ({
      id,
      entity_type: "knowledge_slice" as const,
      entity_id: SLICE,
      grantee_type: "user" as const,
      grantee_id: "usr_alice",
      access_level: "read" as const,
      granted_by: OWNER,
      organization_id: ORG,
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-15T10:00:00Z",
    });
    expect(() =>
      adapter.commit(ORG, v1, [
        { type: "put_grant", grant: grant("agrant_one") },
        { type: "put_grant", grant: grant("agrant_two") },
      ]),
    ).toThrow();
    expect(await adapter.loadOrganization(ORG)).toMatchObject({ revision: v1 });
    expect(await adapter.getGrant(ORG, "agrant_one")).toBeNull();
  });
});

describe("sqliteStorage lifecycle", () => {
  it("throws a plain Error from every method after close, and close twice is fine", async () => {
    const adapter = sqliteStorage({ filename: freshFile() });
    await adapter.close?.();
    await adapter.close?.();
    expect(() => adapter.loadOrganization(ORG)).toThrow(/closed/);
    expect(() => adapter.getGrant(ORG, "agrant_1")).toThrow(/closed/);
    expect(() => adapter.listGrants(ORG, {}, { skip: 0, limit: 20 })).toThrow(/closed/);
    expect(() => adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }])).toThrow(/closed/);
    expect(() => adapter.watch?.(() => {})).toThrow(/closed/);
    try {
      adapter.getGrant(ORG, "agrant_1");
    } catch (error) {
      expect(error).not.toBeInstanceOf(AccessError);
    }
  });

  it("a file another connection keeps locked past busyTimeoutMs is STORAGE_UNAVAILABLE (503), and nothing is committed", async () => {
    const filename = freshFile();
    const adapter = sqliteStorage({ filename, busyTimeoutMs: 50 });
    adapters.push(adapter);
    const v1 = await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    const other = new Database(filename);
    try {
      other.exec("BEGIN IMMEDIATE");
      const started = Date.now();
      let thrown: unknown;
      try {
        adapter.commit(ORG, v1, [{ type: "set_owners", owners: ["usr_other"] }]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AccessError);
      expect(thrown).toMatchObject({ code: "STORAGE_UNAVAILABLE", status: 503, details: { operation: "commit" } });
      expect(Date.now() - started).toBeLessThan(5000);
      other.exec("ROLLBACK");
    } finally {
      other.close();
    }
    expect((await adapter.loadOrganization(ORG))?.revision).toBe(v1);
    expect(() => sqliteStorage({ filename, busyTimeoutMs: -1 })).toThrow(AccessError);
  });

  it("a listener that throws does not fail the commit nor keep the others from hearing it", async () => {
    const adapter = open(freshFile());
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const heard: number[] = [];
    adapter.watch?.(() => {
      throw new Error("listener broke");
    });
    adapter.watch?.((_, version) => heard.push(version));
    const v1 = await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    expect(heard).toEqual([v1]);
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it("restart: every acknowledged write, revoked_at included, is there after closing everything and reopening", async () => {
    const filename = freshFile();
    const ac = serviceOn(open(filename));
    await ac.createOrganization(ORG, { owners: [OWNER] });
    await ac.addDepartmentMember(ORG, OWNER, "usr_alice", "dept_eng01");
    const kept = await ac.createGrant(ORG, OWNER, {
      entity_type: "knowledge_slice",
      entity_id: SLICE,
      grantee_type: "department",
      grantee_id: "dept_eng01",
      access_level: "write",
    });
    const revoked = await ac.createGrant(ORG, OWNER, {
      entity_type: "vector_store",
      entity_id: "vs_store01",
      grantee_type: "user",
      grantee_id: "usr_bob",
      access_level: "read",
    });
    await ac.revokeGrant(ORG, OWNER, revoked.id);
    const before = await ac.listGrants(ORG, OWNER);
    const revokedBefore = await adapters[0]?.getGrant(ORG, revoked.id);
    expect(revokedBefore?.revoked_at).toBeDefined();
    await closeAll();

    const storage = open(filename);
    const again = serviceOn(storage, "agrant_again");
    expect(await again.listGrants(ORG, OWNER)).toEqual(before);
    expect(await storage.getGrant(ORG, kept.id)).toEqual(kept);
    expect(await storage.getGrant(ORG, revoked.id)).toEqual(revokedBefore);
    expect((await again.resolveAccess(ORG, "usr_alice", "usr_alice")).entities.map((e) => e.entity_id)).toEqual([
      SLICE,
    ]);
    // The reopened engine goes on writing where the first left off.
    const regrant = await again.createGrant(ORG, OWNER, {
      entity_type: "vector_store",
      entity_id: "vs_store01",
      grantee_type: "user",
      grantee_id: "usr_bob",
      access_level: "admin",
    });
    expect((await again.listGrants(ORG, OWNER)).items.map((g) => g.id)).toContain(regrant.id);
  });
});

describe("sqliteStorage initial", () => {
  const SEED: GraphInput = {
    organization_id: "org_seeded",
    owners: [OWNER],
    users: [{ id: "usr_alice", department_ids: ["dept_eng01"] }],
    departments: [{ id: "dept_eng01", parent_id: null }],
    roles: [{ id: "role_ops01" }],
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

  it("seeds an empty file, and a reopened one keeps its own data instead of the seed", async () => {
    const filename = freshFile();
    const first = open(filename, [SEED]);
    const seeded = await first.loadOrganization("org_seeded");
    expect(seeded?.revision).toBe(1);
    expect(seeded?.graph.roles).toEqual([{ id: "role_ops01" }]);
    expect(seeded?.graph.users).toEqual([{ id: "usr_alice", department_ids: ["dept_eng01"], role_ids: [] }]);
    expect(await first.getGrant("org_seeded", "agrant_seed1")).toMatchObject({
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
      organization_id: "org_seeded",
    });
    const ac = serviceOn(first);
    await ac.revokeGrant("org_seeded", OWNER, "agrant_seed1");
    await ac.setOwners("org_seeded", OWNER, ["usr_owner2"]);
    const after = await first.loadOrganization("org_seeded");
    await closeAll();

    const reopened = open(filename, [SEED, { organization_id: "org_new", owners: ["usr_owner3"] }]);
    expect(await reopened.loadOrganization("org_seeded")).toEqual(after);
    expect((await reopened.getGrant("org_seeded", "agrant_seed1"))?.revoked_at).toBeDefined();
    expect((await reopened.loadOrganization("org_new"))?.graph.owners).toEqual(["usr_owner3"]);
  });

  it("rejects an invalid seed before touching the file", () => {
    const filename = freshFile();
    expect(() => sqliteStorage({ filename, initial: [{ organization_id: "bad id", owners: [] }] })).toThrow(
      AccessError,
    );
    expect(existsSync(filename)).toBe(false);
  });
});

describe("sqliteStorage: two engines on one file", () => {
  function twoEngines(): { a: AccessControl; b: AccessControl } {
    const filename = freshFile();
    return { a: serviceOn(open(filename), "agrant_a"), b: serviceOn(open(filename), "agrant_b") };
  }

  const grantTo = (grantee: string, entityId = SLICE) => ({
    entity_type: "knowledge_slice" as const,
    entity_id: entityId,
    grantee_type: "user" as const,
    grantee_id: grantee,
    access_level: "read" as const,
  });

  it("a write through one is visible through the other within one second, without the other writing", async () => {
    const { a, b } = twoEngines();
    await a.createOrganization(ORG, { owners: [OWNER] });
    // b loads and caches the organization before a writes.
    expect((await b.resolveAccess(ORG, "usr_alice", "usr_alice")).entities).toEqual([]);
    await a.createGrant(ORG, OWNER, grantTo("usr_alice"));
    const grantSeen = await within(1000, async () => {
      return (await b.resolveAccess(ORG, "usr_alice", "usr_alice")).entities.length === 1;
    });
    expect(grantSeen).toBeLessThan(1000);
    await a.setOwners(ORG, OWNER, ["usr_owner2"]);
    const ownersSeen = await within(1000, async () => (await codeOf(b.listGrants(ORG, OWNER))) !== "none");
    expect(ownersSeen).toBeLessThan(1000);
    expect(await codeOf(b.listGrants(ORG, OWNER))).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("40 concurrent writes spread over both engines all land", async () => {
    const { a, b } = twoEngines();
    await a.createOrganization(ORG, { owners: [OWNER] });
    await b.listGrants(ORG, OWNER);
    const grantees = Array.from({ length: 40 }, (_, i) => `usr_w${String(i).padStart(2, "0")}`);
    const made = await Promise.all(
      grantees.map((grantee, i) => (i % 2 === 0 ? a : b).createGrant(ORG, OWNER, grantTo(grantee))),
    );
    expect(new Set(made.map((grant) => grant.id)).size).toBe(40);
    for (const engine of [a, b]) {
      await within(1000, async () => (await engine.listGrants(ORG, OWNER, { limit: 100 })).total === 40);
      const listed = await engine.listGrants(ORG, OWNER, { limit: 100 });
      expect(listed.items.map((grant) => grant.grantee_id).sort()).toEqual(grantees);
    }
  });

  it("the same grant raced on both engines lands once and the others get RESOURCE_ALREADY_EXISTS", async () => {
    const { a, b } = twoEngines();
    await a.createOrganization(ORG, { owners: [OWNER] });
    await b.listGrants(ORG, OWNER);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).createGrant(ORG, OWNER, grantTo("usr_race"))),
    );
    const landed = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === "rejected" && outcome.reason instanceof AccessError ? [outcome.reason.code] : [],
    );
    expect(landed).toHaveLength(1);
    expect(refused).toEqual(Array.from({ length: 9 }, () => "RESOURCE_ALREADY_EXISTS"));
    for (const engine of [a, b]) {
      await within(1000, async () => (await engine.listGrants(ORG, OWNER)).total === 1);
    }
  });
});
