/**
 * The grants table's checks (migration 4 of both SQL schemas): a level, entity type or grantee
 * type outside the allowed values cannot be written, and a database that already holds such a
 * row does not migrate silently or lose it: the migration fails naming the check, nothing is
 * changed, and once the row is mended the next start migrates. SQLite files are real files;
 * PostgreSQL runs with DATABASE_URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { StorageAdapter } from "../../src/index.js";
import { postgresStorage } from "../../src/storage/postgres/index.js";
import { migrate as migratePostgres, POSTGRES_MIGRATIONS } from "../../src/storage/postgres/migrations.js";
import { sqliteStorage } from "../../src/storage/sqlite/index.js";
import { migrate as migrateSqlite, SQLITE_MIGRATIONS } from "../../src/storage/sqlite/migrations.js";
import { DATABASE_URL, warnWithoutDatabase } from "../support/postgres-url.js";

warnWithoutDatabase("the PostgreSQL grants-check cases", "test/storage/grant-checks.test.ts");

const ORG = "org_checks";
const OWNER = "usr_owner1";
const T0 = "2025-06-15T10:00:00Z";
const folder = mkdtempSync(join(tmpdir(), "grantpath-checks-"));
const admin = DATABASE_URL ? new pg.Pool({ connectionString: DATABASE_URL, max: 2 }) : null;
let counter = 0;

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await admin?.end();
});

/** A database of one kind: `raw` runs SQL on it directly (`$schema.` names a table). */
interface Backend {
  readonly name: string;
  open(): StorageAdapter;
  /** Makes the schema as migrations 1–3 left it, before the checks. */
  beforeChecks(): Promise<void>;
  raw(sql: string): Promise<unknown[]>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  const filename = join(folder, `db-${++counter}.sqlite`);
  const adapters: StorageAdapter[] = [];
  return {
    name: "sqlite",
    open() {
      const adapter = sqliteStorage({ filename });
      adapters.push(adapter);
      return adapter;
    },
    async beforeChecks() {
      const db = new Database(filename);
      try {
        migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, 3));
      } finally {
        db.close();
      }
    },
    async raw(sql) {
      const db = new Database(filename);
      try {
        const statement = db.prepare(sql.replaceAll("$schema.", ""));
        return statement.reader ? statement.all() : [statement.run()];
      } finally {
        db.close();
      }
    },
    async dispose() {
      for (const adapter of adapters) adapter.close?.();
    },
  };
}

function postgresBackend(): Backend {
  const schema = `gp_checks_${process.pid}_${++counter}`;
  const adapters: StorageAdapter[] = [];
  return {
    name: "postgres",
    open() {
      const adapter = postgresStorage({ connectionString: DATABASE_URL ?? "", schema });
      adapters.push(adapter);
      return adapter;
    },
    async beforeChecks() {
      const client = await admin?.connect();
      try {
        if (client) await migratePostgres(client, schema, POSTGRES_MIGRATIONS.slice(0, 3));
      } finally {
        client?.release();
      }
    },
    async raw(sql) {
      return (await admin?.query(sql.replaceAll("$schema.", `"${schema}".`)))?.rows ?? [];
    },
    async dispose() {
      for (const adapter of adapters) await adapter.close?.();
      await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

const kinds: [string, () => Backend][] = [["sqlite", sqliteBackend]];
if (DATABASE_URL) kinds.push(["postgres", postgresBackend]);

let backends: Backend[] = [];
afterEach(async () => {
  for (const backend of backends) await backend.dispose();
  backends = [];
});

/** An INSERT of one grant row, `fields` replacing the valid defaults. */
function insertGrant(
  id: string,
  fields: Partial<Record<"entity_type" | "grantee_type" | "access_level", string>> = {},
) {
  const row = { entity_type: "knowledge_slice", grantee_type: "user", access_level: "read", ...fields };
  return `INSERT INTO $schema.grants (organization_id, id, entity_type, entity_id, grantee_type, grantee_id,
      access_level, granted_by, created_at, updated_at)
    VALUES ('${ORG}', '${id}', '${row.entity_type}', 'kslice_${id}', '${row.grantee_type}', 'usr_${id}',
      '${row.access_level}', '${OWNER}', '${T0}', '${T0}')`;
}

const ORGANIZATION_ROW = `INSERT INTO $schema.organizations (id, version, owners, log_start) VALUES ('${ORG}', 1, '["${OWNER}"]', 1)`;

/** The error a promise (or a call that throws at once) ends with. */
async function failure(call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

/** The message of an error and of its causes. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at instanceof Error; at = at.cause) parts.push(at.message);
  return parts.join(" <- ");
}

const BAD_VALUES: readonly [string, Parameters<typeof insertGrant>[1], string][] = [
  ["a level", { access_level: "owner" }, "grants_access_level_valid"],
  ["an entity type", { entity_type: "folder" }, "grants_entity_type_valid"],
  ["a grantee type", { grantee_type: "group" }, "grants_grantee_type_valid"],
];

describe.each(kinds)("%s: the grants table's checks", (_name, kind) => {
  function backend(): Backend {
    const made = kind();
    backends.push(made);
    return made;
  }

  /** A migrated database holding the organization. */
  async function migrated(): Promise<Backend> {
    const b = backend();
    await b.open().loadOrganization(ORG); // creates and migrates the schema
    await b.raw(ORGANIZATION_ROW);
    return b;
  }

  it.each(BAD_VALUES)(
    "refuses %s outside the allowed values, on insert and on update",
    async (_what, fields, check) => {
      const b = await migrated();
      expect(messages(await failure(() => b.raw(insertGrant("bad", fields))))).toContain(check);
      await b.raw(insertGrant("good"));
      const [column, value] = Object.entries(fields ?? {})[0] ?? ["", ""];
      expect(messages(await failure(() => b.raw(`UPDATE $schema.grants SET ${column} = '${value}'`)))).toContain(check);
      expect(await b.raw(`SELECT id, ${column} AS value FROM $schema.grants`)).toEqual([
        {
          id: "good",
          value: column === "access_level" ? "read" : column === "entity_type" ? "knowledge_slice" : "user",
        },
      ]);
    },
  );

  it("accepts every allowed level, entity type and grantee type", async () => {
    const b = await migrated();
    let n = 0;
    for (const access_level of ["read", "write", "admin"]) {
      for (const entity_type of ["knowledge_slice", "vector_store", "assistant"]) {
        for (const grantee_type of ["user", "department", "role"]) {
          await b.raw(insertGrant(`ok${++n}`, { access_level, entity_type, grantee_type }));
        }
      }
    }
    expect(await b.raw("SELECT count(*) AS n FROM $schema.grants")).toEqual([{ n: b.name === "postgres" ? "27" : 27 }]);
  });

  it("a database that already holds a bad row is not migrated: the failure names the check, nothing changes, nothing is lost", async () => {
    const b = backend();
    await b.beforeChecks();
    await b.raw(ORGANIZATION_ROW);
    await b.raw(insertGrant("kept"));
    await b.raw(insertGrant("bad", { access_level: "owner" }));
    await b.raw(`UPDATE $schema.grants SET revoked_at = '${T0}' WHERE id = 'kept'`);

    const error = await failure(() => b.open().loadOrganization(ORG));
    expect(messages(error)).toContain("grants_access_level_valid");
    if (b.name === "sqlite")
      expect(error.message).toMatch(/^grantpath: sqlite migration 4 \(.+\) failed, nothing was changed/);
    // Not recorded, not half-applied: still the third schema, every row as it was.
    const versions = await b.raw("SELECT version FROM $schema.schema_migrations ORDER BY version");
    expect(versions.map((row) => Number((row as { version: unknown }).version))).toEqual([1, 2, 3]);
    expect(await b.raw("SELECT id, access_level, revoked_at FROM $schema.grants ORDER BY id")).toEqual([
      { id: "bad", access_level: "owner", revoked_at: null },
      { id: "kept", access_level: "read", revoked_at: T0 },
    ]);

    // Mended by hand, the next start migrates, keeps every row and enforces the checks.
    await b.raw("UPDATE $schema.grants SET access_level = 'admin' WHERE id = 'bad'");
    const loaded = await b.open().loadOrganization(ORG);
    expect(loaded?.graph.grants?.map((grant) => [grant.id, grant.access_level])).toEqual([["bad", "admin"]]);
    expect(await b.raw("SELECT id, access_level, revoked_at FROM $schema.grants ORDER BY id")).toEqual([
      { id: "bad", access_level: "admin", revoked_at: null },
      { id: "kept", access_level: "read", revoked_at: T0 },
    ]);
    expect(messages(await failure(() => b.raw(insertGrant("late", { access_level: "owner" }))))).toContain(
      "grants_access_level_valid",
    );
  });
});

describe("sqlite: the rebuilt grants table", () => {
  it("keeps the indexes of the first schema, the one-active-grant rule among them", async () => {
    const b = sqliteBackend();
    backends.push(b);
    await b.beforeChecks();
    const indexes = () =>
      b.raw(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'grants' AND sql IS NOT NULL ORDER BY name",
      );
    const normalize = (rows: unknown[]) =>
      (rows as { name: string; sql: string }[]).map(({ name, sql }) => ({
        name,
        sql: sql.replace(/\s+/g, " ").replace("IF NOT EXISTS ", ""),
      }));
    const before = normalize(await indexes());
    b.open();
    expect(normalize(await indexes())).toEqual(before);
    expect(before.map((index) => index.name)).toEqual([
      "grants_active_by_created",
      "grants_by_entity",
      "grants_by_grantee",
      "grants_one_active_pair",
    ]);
    await b.raw(ORGANIZATION_ROW);
    await b.raw(insertGrant("one"));
    const twice = insertGrant("one").replace("'one'", "'two'");
    expect(messages(await failure(() => b.raw(twice)))).toContain("UNIQUE constraint failed");
    expect(await b.raw("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
  });
});
