// The PostgreSQL adapter against a real server: the whole conformance suite, migrations,
// seeding, restart, and two engines sharing one schema. Needs DATABASE_URL (start a throwaway
// server with `eval "$(scripts/start-postgres.sh)"`); without it these tests are skipped, loudly.
import pg from "pg";
import { afterAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { type AccessControl, AccessError, createAccessControl, type GraphInput } from "../../src/index.js";
import { postgresStorage } from "../../src/storage/postgres/index.js";
import { migrate, POSTGRES_MIGRATIONS } from "../../src/storage/postgres/migrations.js";
import type { StorageAdapter } from "../../src/storage/storage-adapter.js";
import { manualClock, sequentialIds } from "../../src/testing/index.js";
import { runStorageConformance } from "../../src/testing/vitest.js";
import { DATABASE_URL, warnWithoutDatabase } from "../support/postgres-url.js";

const url = DATABASE_URL;
warnWithoutDatabase("the PostgreSQL storage tests", "test/storage/postgres");

const connectionString = url ?? "";
/** Drops the schemas the tests make; ended after the file. */
const admin = url ? new pg.Pool({ connectionString: url, max: 2 }) : null;

let schemaCounter = 0;
/** A schema name no other case or run uses. */
function freshSchema(): string {
  schemaCounter += 1;
  return `gp_test_${process.pid}_${Date.now().toString(36)}_${schemaCounter}`;
}

async function dropSchema(schema: string): Promise<void> {
  await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

afterAll(async () => {
  await admin?.end();
});

const T0 = "2025-06-15T10:00:00Z";
const ORG = "org_pg_a";
const OWNER = "usr_owner1";

describe.skipIf(!url)("postgres storage", () => {
  const schemas = new Map<StorageAdapter, string>();

  runStorageConformance({
    name: "postgres",
    create: () => {
      const schema = freshSchema();
      const adapter = postgresStorage({ connectionString, schema });
      schemas.set(adapter, schema);
      return adapter;
    },
    destroy: async (adapter) => {
      await adapter.close?.();
      const schema = schemas.get(adapter);
      schemas.delete(adapter);
      if (schema !== undefined) await dropSchema(schema);
    },
  });

  describe("postgres storage: migrations and seeding", () => {
    it("migrations are idempotent, also when several engines start at once", async () => {
      const schema = freshSchema();
      const pool = new pg.Pool({ connectionString, max: 6 });
      try {
        // Five engines migrate the same new schema at once: one applies, the others find it done.
        const clients = await Promise.all([1, 2, 3, 4, 5].map(() => pool.connect()));
        const applied = await Promise.all(clients.map((client) => migrate(client, schema)));
        const latest = POSTGRES_MIGRATIONS.map((m) => m.version);
        expect(applied.filter((versions) => versions.length > 0)).toEqual([latest]);
        expect(await migrate(clients[0]!, schema)).toEqual([]);
        for (const client of clients) client.release();
        const recorded = await pool.query<{ version: number }>(
          `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
        );
        expect(recorded.rows.map((row) => row.version)).toEqual(latest);
        // An adapter on the migrated schema works, and opening another migrates nothing twice.
        for (let round = 0; round < 2; round += 1) {
          const adapter = postgresStorage({ pool, schema });
          expect(await adapter.loadOrganization(ORG)).toBeNull();
          await adapter.close?.();
        }
        expect((await pool.query(`SELECT 1 FROM "${schema}".schema_migrations`)).rowCount).toBe(latest.length);
        const indexes = await pool.query<{ indexname: string }>(
          "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'grants' ORDER BY indexname",
          [schema],
        );
        expect(indexes.rows.map((row) => row.indexname)).toEqual([
          "grants_active_pair",
          "grants_entity",
          "grants_grantee",
          "grants_listing",
          "grants_pkey",
        ]);
      } finally {
        await pool.end();
        await dropSchema(schema);
      }
    });

    it("a pool passed in is left open on close(); exactly one of connectionString and pool is required", async () => {
      const schema = freshSchema();
      const pool = new pg.Pool({ connectionString, max: 2 });
      try {
        const adapter = postgresStorage({ pool, schema });
        const stop = adapter.watch?.(() => {});
        await adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
        stop?.();
        await adapter.close?.();
        expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        expect(() => postgresStorage({})).toThrow(AccessError);
        expect(() => postgresStorage({ pool, connectionString })).toThrow(AccessError);
        expect(() => postgresStorage({ pool, schema: 'bad"schema' })).toThrow(AccessError);
      } finally {
        await pool.end();
        await dropSchema(schema);
      }
    });

    it("seeds initial organizations that do not exist yet, and leaves existing ones alone", async () => {
      const schema = freshSchema();
      const acme: GraphInput = {
        organization_id: "org_acme",
        owners: ["usr_owner1"],
        users: [{ id: "usr_def456", department_ids: ["dept_backend01"], role_ids: ["role_admin01"] }],
        departments: [{ id: "dept_backend01", parent_id: "dept_eng01" }],
        composites: [{ id: "kslice_comp789", member_slice_ids: ["kslice_abc123"] }],
        grants: [
          {
            id: "agrant_1",
            entity_type: "knowledge_slice",
            entity_id: "kslice_comp789",
            grantee_type: "department",
            grantee_id: "dept_eng01",
            access_level: "read",
          },
        ],
      };
      const first = postgresStorage({
        connectionString,
        schema,
        initial: [acme],
        clock: () => new Date("2025-03-04T05:06:07.890Z"),
      });
      try {
        const snapshot = await first.loadOrganization("org_acme");
        expect(snapshot?.revision).toBe(1);
        expect(snapshot?.graph.composites).toEqual([{ id: "kslice_comp789", member_slice_ids: ["kslice_abc123"] }]);
        expect(await first.getGrant("org_acme", "agrant_1")).toMatchObject({
          created_at: "2025-03-04T05:06:07Z",
          granted_by: null,
        });
        const ac = createAccessControl({ storage: first, clock: manualClock(T0).now, ids: sequentialIds() });
        const access = await ac.resolveAccess("org_acme", "usr_def456", "usr_def456");
        expect(access.entities.map((e) => e.entity_id)).toEqual(["kslice_abc123", "kslice_comp789"]);
        await ac.setOwners("org_acme", "usr_owner1", ["usr_owner9"]);
        await ac.close();
      } finally {
        await first.close?.();
      }
      // A second start with the same (or a different) initial does not reset the organization.
      const second = postgresStorage({ connectionString, schema, initial: [{ ...acme, owners: ["usr_other"] }] });
      try {
        const snapshot = await second.loadOrganization("org_acme");
        expect(snapshot?.revision).toBe(2);
        expect(snapshot?.graph.owners).toEqual(["usr_owner9"]);
      } finally {
        await second.close?.();
        await dropSchema(schema);
      }
      // Invalid initial data is refused when the adapter is made, before any connection.
      let error: unknown;
      try {
        postgresStorage({ connectionString, schema, initial: [{ organization_id: "acme" }] });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(AccessError);
      expect((error as AccessError).details.field).toBe("initial[0].organization_id");
    });
  });

  describe("postgres storage: restart", () => {
    it("after closing everything, a new engine on the same schema finds every acknowledged write", async () => {
      const schema = freshSchema();
      const clock = manualClock(T0);
      const storage = postgresStorage({ connectionString, schema });
      const ac = createAccessControl({ storage, clock: clock.now, ids: sequentialIds() });
      // Should the first half fail, still close the first engine and drop the schema.
      onTestFinished(async () => {
        await ac.close();
        await storage.close?.();
        await dropSchema(schema);
      });
      await ac.createOrganization(ORG, { owners: [OWNER] });
      await ac.addDepartmentMember(ORG, OWNER, "usr_alice", "dept_eng01");
      await ac.createComposite(ORG, OWNER, { id: "kslice_handbook01", member_slice_ids: ["kslice_policies01"] });
      const kept = await ac.createGrant(ORG, OWNER, {
        entity_type: "knowledge_slice",
        entity_id: "kslice_handbook01",
        grantee_type: "department",
        grantee_id: "dept_eng01",
        access_level: "write",
      });
      const bulk = await ac.bulkCreateGrants(ORG, OWNER, {
        entity_type: "vector_store",
        entity_id: "vs_store01",
        grants: [
          { grantee_type: "user", grantee_id: "usr_bob", access_level: "read" },
          { grantee_type: "user", grantee_id: "usr_carol", access_level: "admin" },
        ],
      });
      clock.advance(60_000);
      await ac.revokeGrant(ORG, OWNER, bulk[0]!.id);
      const revoked = await ac.getGrant(ORG, OWNER, bulk[0]!.id);
      expect(revoked.revoked_at).toBe("2025-06-15T10:01:00Z");
      const exported = await ac.exportOrganization(ORG, OWNER);
      const listed = await ac.listGrants(ORG, OWNER);
      const version = (await storage.loadOrganization(ORG))?.revision;
      await ac.close();
      await storage.close?.();

      const reopened = postgresStorage({ connectionString, schema });
      const again = createAccessControl({ storage: reopened, clock: clock.now, ids: sequentialIds("agrant_next") });
      try {
        expect((await reopened.loadOrganization(ORG))?.revision).toBe(version);
        expect(await again.exportOrganization(ORG, OWNER)).toEqual(exported);
        expect(await again.listGrants(ORG, OWNER)).toEqual(listed);
        expect(await reopened.getGrant(ORG, revoked.id)).toEqual(revoked);
        expect(await reopened.getGrant(ORG, kept.id)).toEqual(kept);
        expect((await again.resolveAccess(ORG, "usr_alice", "usr_alice")).entities.map((e) => e.entity_id)).toEqual([
          "kslice_handbook01",
          "kslice_policies01",
        ]);
        // And it takes writes on top.
        await again.createGrant(ORG, OWNER, {
          entity_type: "vector_store",
          entity_id: "vs_store01",
          grantee_type: "user",
          grantee_id: "usr_bob",
          access_level: "write",
        });
        expect((await reopened.loadOrganization(ORG))?.revision).toBe((version ?? 0) + 1);
      } finally {
        await again.close();
        await reopened.close?.();
        await dropSchema(schema);
      }
    });
  });

  describe("postgres storage: two engines on one schema", () => {
    interface Engine {
      readonly storage: StorageAdapter;
      readonly ac: AccessControl;
    }
    let schema = "";
    let engines: Engine[] = [];

    async function twoEngines(): Promise<[Engine, Engine]> {
      schema = freshSchema();
      const clock = manualClock(T0);
      const make = (prefix: string): Engine => {
        const storage = postgresStorage({ connectionString, schema });
        return { storage, ac: createAccessControl({ storage, clock: clock.now, ids: sequentialIds(prefix) }) };
      };
      engines = [make("agrant_one"), make("agrant_two")];
      return [engines[0]!, engines[1]!];
    }

    async function closeEngines(): Promise<void> {
      for (const engine of engines) {
        await engine.ac.close();
        await engine.storage.close?.();
      }
      engines = [];
      await dropSchema(schema);
    }

    it("a write through one engine is visible through the other within a second (LISTEN/NOTIFY)", async () => {
      const [one, two] = await twoEngines();
      try {
        await one.ac.createOrganization(ORG, { owners: [OWNER] });
        // Engine two caches the organization before engine one writes.
        expect((await two.ac.resolveAccess(ORG, "usr_alice", "usr_alice")).entities).toEqual([]);
        const heard: { version: number; at: number }[] = [];
        const stop = two.storage.watch?.((organizationId, version) => {
          if (organizationId === ORG) heard.push({ version, at: performance.now() });
        });
        const notifyLatencies: number[] = [];
        const visibleLatencies: number[] = [];
        for (let i = 0; i < 5; i += 1) {
          const grantee = `usr_user${i}`;
          const before = performance.now();
          await one.ac.createGrant(ORG, OWNER, {
            entity_type: "knowledge_slice",
            entity_id: "kslice_abc123",
            grantee_type: "user",
            grantee_id: grantee,
            access_level: "read",
          });
          const acknowledged = performance.now();
          const version = (await one.storage.loadOrganization(ORG))?.revision ?? -1;
          for (;;) {
            const access = await two.ac.resolveAccess(ORG, grantee, grantee);
            if (access.entities.length === 1) break;
            if (performance.now() - acknowledged > 2000) throw new Error("engine two never saw the write");
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          visibleLatencies.push(performance.now() - acknowledged);
          const deadline = performance.now() + 2000;
          while (!heard.some((event) => event.version === version) && performance.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          const event = heard.find((e) => e.version === version);
          expect(event).toBeDefined();
          notifyLatencies.push((event?.at ?? Number.POSITIVE_INFINITY) - before);
        }
        stop?.();
        const max = (values: number[]) => Math.max(...values);
        console.log(
          `postgres two engines: notification after commit start max ${max(notifyLatencies).toFixed(1)} ms ` +
            `(${notifyLatencies.map((v) => v.toFixed(1)).join(", ")}); visible through the other engine after ` +
            `acknowledgement max ${max(visibleLatencies).toFixed(1)} ms (${visibleLatencies.map((v) => v.toFixed(1)).join(", ")})`,
        );
        expect(max(notifyLatencies)).toBeLessThan(1000);
        expect(max(visibleLatencies)).toBeLessThan(1000);
      } finally {
        await closeEngines();
      }
    });

    it("a listener that throws fails no commit; a lost LISTEN connection is re-established and catches up", async () => {
      const [one, two] = await twoEngines();
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        const events: [string, number][] = [];
        two.storage.watch?.(() => {
          throw new Error("listener failure");
        });
        two.storage.watch?.((organizationId, version) => events.push([organizationId, version]));
        await one.ac.createOrganization(ORG, { owners: [OWNER] });
        const v1 = (await two.storage.loadOrganization(ORG))?.revision ?? -1;
        await vi.waitFor(() => expect(events).toContainEqual([ORG, v1]), { timeout: 1000, interval: 5 });
        // A commit through engine two itself: its own listeners throw, the commit still lands.
        const v2 = await two.storage.commit(ORG, v1, [{ type: "set_owners", owners: [OWNER, "usr_owner2"] }]);
        expect(events).toContainEqual([ORG, v2]);
        // The server drops engine two's listening connection.
        const killed = await admin?.query<{ ok: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
           WHERE datname = current_database() AND query = 'LISTEN "${schema}_changes"' AND pid <> pg_backend_pid()`,
        );
        expect(killed?.rows.length).toBe(2); // both engines listen; two's is one of them
        // Writes meanwhile are heard once it reconnects (a notification, or the catch-up read).
        await one.ac.createGrant(ORG, OWNER, {
          entity_type: "assistant",
          entity_id: "asst_helper01",
          grantee_type: "user",
          grantee_id: "usr_alice",
          access_level: "read",
        });
        const v3 = (await one.storage.loadOrganization(ORG))?.revision ?? -1;
        await vi.waitFor(() => expect(events).toContainEqual([ORG, v3]), { timeout: 3000, interval: 10 });
        const v4 = await one.storage.commit(ORG, v3, [{ type: "set_owners", owners: [OWNER] }]);
        await vi.waitFor(() => expect(events).toContainEqual([ORG, v4]), { timeout: 1000, interval: 5 });
        expect(errors).toHaveBeenCalled();
      } finally {
        errors.mockRestore();
        await closeEngines();
      }
    });

    it("40 concurrent writes spread over both engines all land", async () => {
      const [one, two] = await twoEngines();
      try {
        await one.ac.createOrganization(ORG, { owners: [OWNER] });
        await two.ac.listGrants(ORG, OWNER);
        const writes = Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? one : two).ac.createGrant(ORG, OWNER, {
            entity_type: "knowledge_slice",
            entity_id: `kslice_item${String(i).padStart(3, "0")}`,
            grantee_type: "user",
            grantee_id: "usr_alice",
            access_level: "read",
          }),
        );
        const created = await Promise.all(writes);
        expect(new Set(created.map((grant) => grant.id)).size).toBe(40);
        const stored = await one.storage.listGrants(ORG, {}, { skip: 0, limit: 100 });
        expect(stored.total).toBe(40);
        for (const engine of [one, two]) {
          const start = performance.now();
          for (;;) {
            const listed = await engine.ac.listGrants(ORG, OWNER, { grantee_id: "usr_alice", limit: 100 });
            if (listed.total === 40) break;
            if (performance.now() - start > 1000) expect(listed.total).toBe(40);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          for (const grant of created) expect(await engine.ac.getGrant(ORG, OWNER, grant.id)).toEqual(grant);
        }
        expect((await one.storage.loadOrganization(ORG))?.graph.grants).toHaveLength(40);
      } finally {
        await closeEngines();
      }
    });

    it("the same grant raced on both engines lands once; the others get RESOURCE_ALREADY_EXISTS", async () => {
      const [one, two] = await twoEngines();
      try {
        await one.ac.createOrganization(ORG, { owners: [OWNER] });
        await two.ac.listGrants(ORG, OWNER);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 === 0 ? one : two).ac.createGrant(ORG, OWNER, {
              entity_type: "knowledge_slice",
              entity_id: "kslice_abc123",
              grantee_type: "user",
              grantee_id: "usr_alice",
              access_level: i % 3 === 0 ? "write" : "read",
            }),
          ),
        );
        const landed = outcomes.filter((o) => o.status === "fulfilled");
        const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
        expect(landed).toHaveLength(1);
        expect(refused.map((o) => (o.reason instanceof AccessError ? o.reason.code : String(o.reason)))).toEqual(
          Array.from({ length: 9 }, () => "RESOURCE_ALREADY_EXISTS"),
        );
        const stored = await two.storage.listGrants(ORG, {}, { skip: 0, limit: 100 });
        expect(stored.total).toBe(1);
      } finally {
        await closeEngines();
      }
    });
  });
});
