/**
 * The SQLite schema, as versioned migrations kept in the repository. Each migration runs once,
 * inside the transaction that records it in `schema_migrations`, so opening a database any
 * number of times (from any number of processes) applies each one exactly once.
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";

/** One schema step: applied once, in order of `version`. */
export interface SqliteMigration {
  /** Increases by one from 1; recorded in `schema_migrations.version`. */
  readonly version: number;
  /** What it does, recorded alongside the version. */
  readonly name: string;
  /** The statements, run in one transaction with the bookkeeping. */
  readonly sql: string;
}

/** Every migration, oldest first. Never edit a released one: add the next. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: "organizations, directory and grants",
    sql: `
      CREATE TABLE IF NOT EXISTS organizations (
        id TEXT NOT NULL PRIMARY KEY,
        version INTEGER NOT NULL,
        owners TEXT NOT NULL
      ) STRICT;

      CREATE TABLE IF NOT EXISTS users (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        department_ids TEXT NOT NULL,
        role_ids TEXT NOT NULL,
        PRIMARY KEY (organization_id, id)
      ) STRICT;

      CREATE TABLE IF NOT EXISTS departments (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        parent_id TEXT,
        PRIMARY KEY (organization_id, id)
      ) STRICT;

      CREATE TABLE IF NOT EXISTS roles (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (organization_id, id)
      ) STRICT;

      CREATE TABLE IF NOT EXISTS composites (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        member_slice_ids TEXT NOT NULL,
        PRIMARY KEY (organization_id, id)
      ) STRICT;

      CREATE TABLE IF NOT EXISTS grants (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        grantee_type TEXT NOT NULL,
        grantee_id TEXT NOT NULL,
        access_level TEXT NOT NULL,
        granted_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        PRIMARY KEY (organization_id, id)
      ) STRICT;

      -- Listing active grants: WHERE organization_id = ? AND revoked_at IS NULL ORDER BY created_at, id.
      CREATE INDEX IF NOT EXISTS grants_active_by_created
        ON grants (organization_id, created_at COLLATE BINARY, id COLLATE BINARY)
        WHERE revoked_at IS NULL;
      -- Listing by entity or by grantee (revoked rows included: getGrant-style audit reads).
      CREATE INDEX IF NOT EXISTS grants_by_entity ON grants (organization_id, entity_id);
      CREATE INDEX IF NOT EXISTS grants_by_grantee ON grants (organization_id, grantee_id);
      -- A second line of defence behind the service: one active grant per entity and grantee.
      CREATE UNIQUE INDEX IF NOT EXISTS grants_one_active_pair
        ON grants (organization_id, entity_id, grantee_id)
        WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 2,
    name: "change log",
    sql: `
      -- Revisions up to log_start are not in the log. Organizations stored before the log existed
      -- start it at their current revision: readers before that load a snapshot.
      ALTER TABLE organizations ADD COLUMN log_start INTEGER NOT NULL DEFAULT 0;
      UPDATE organizations SET log_start = version;

      -- One row per commit: its changes as a JSON array, in order.
      CREATE TABLE IF NOT EXISTS changes (
        organization_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        committed_at TEXT NOT NULL,
        changes TEXT NOT NULL,
        PRIMARY KEY (organization_id, revision)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: "stored snapshots",
    sql: `
      -- One organization at one revision as compact JSON text: a cold load reads it and the
      -- commits after it instead of a row per grant.
      CREATE TABLE IF NOT EXISTS snapshots (
        organization_id TEXT NOT NULL PRIMARY KEY,
        revision INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: "grant levels and types checked",
    // SQLite cannot add a CHECK to an existing table, so the table is rebuilt in this migration's
    // transaction (the recipe of sqlite.org/lang_altertable.html, section 7): a new table with
    // the checks, every row copied, the old one dropped, the new one renamed, the indexes made
    // again. Unlike triggers, the checks are then part of the table: every writer meets them,
    // PRAGMA integrity_check verifies them, and none can be dropped on its own. A row already
    // outside the allowed values makes the copy fail: the migration stops, the transaction rolls
    // back, and the database is left exactly as it was (see docs/storage-adapters.md).
    sql: `
      CREATE TABLE grants_checked (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        entity_type TEXT NOT NULL
          CONSTRAINT grants_entity_type_valid CHECK (entity_type IN ('knowledge_slice', 'vector_store', 'assistant')),
        entity_id TEXT NOT NULL,
        grantee_type TEXT NOT NULL
          CONSTRAINT grants_grantee_type_valid CHECK (grantee_type IN ('user', 'department', 'role')),
        grantee_id TEXT NOT NULL,
        access_level TEXT NOT NULL
          CONSTRAINT grants_access_level_valid CHECK (access_level IN ('read', 'write', 'admin')),
        granted_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        PRIMARY KEY (organization_id, id)
      ) STRICT;

      INSERT INTO grants_checked (organization_id, id, entity_type, entity_id, grantee_type, grantee_id,
          access_level, granted_by, created_at, updated_at, expires_at, revoked_at)
        SELECT organization_id, id, entity_type, entity_id, grantee_type, grantee_id,
          access_level, granted_by, created_at, updated_at, expires_at, revoked_at
        FROM grants;
      DROP TABLE grants;
      ALTER TABLE grants_checked RENAME TO grants;

      -- The indexes of migration 1, as they were.
      CREATE INDEX grants_active_by_created
        ON grants (organization_id, created_at COLLATE BINARY, id COLLATE BINARY)
        WHERE revoked_at IS NULL;
      CREATE INDEX grants_by_entity ON grants (organization_id, entity_id);
      CREATE INDEX grants_by_grantee ON grants (organization_id, grantee_id);
      CREATE UNIQUE INDEX grants_one_active_pair
        ON grants (organization_id, entity_id, grantee_id)
        WHERE revoked_at IS NULL;
    `,
  },
];

/**
 * Brings the database's schema up to date: creates `schema_migrations` and applies, in one
 * `BEGIN IMMEDIATE` transaction, every migration it does not record yet. Safe to run on every
 * open and from several connections at once (the write lock serialises them).
 *
 * @throws `Error` naming the migration that failed (its cause the driver's error); the
 *   transaction rolls back, so none of this call's migrations is applied or recorded.
 * @returns the versions applied by this call (empty when the schema was already current).
 */
export function migrate(
  db: BetterSqlite3.Database,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): number[] {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER NOT NULL PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT
  `);
  const run = db.transaction((): number[] => {
    const applied = new Set(
      db
        .prepare<[], { version: number }>("SELECT version FROM schema_migrations")
        .all()
        .map((row) => row.version),
    );
    const record = db.prepare<[number, string, string]>(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
    );
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      try {
        db.exec(migration.sql);
      } catch (error) {
        // Say which step failed; the transaction rolls back, leaving the database as it was.
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `grantpath: sqlite migration ${migration.version} (${migration.name}) failed, nothing was changed: ${reason}`,
          { cause: error },
        );
      }
      record.run(migration.version, migration.name, new Date().toISOString());
      done.push(migration.version);
    }
    return done;
  });
  return run.immediate();
}
