/**
 * The D1 schema, as versioned migrations kept in the repository and applied on first use.
 * Versions 1 to 4 are the SQLite adapter's, statement for statement, so a database exported from
 * `grantpath/sqlite` and imported into D1 is one this adapter opens and takes forward; the steps
 * only D1 needs are numbered from 101, so that neither list can give one number two meanings.
 * Each migration is one `batch()`, which records it in `schema_migrations` as it applies it: it
 * takes effect whole or not at all, and two workers migrating at once apply it once.
 * @module
 */
import type { D1DatabaseLike } from "./d1-binding.js";
import { isUnavailable } from "./d1-errors.js";

/** One schema step: applied once, in order of `version`. */
export interface D1Migration {
  /** Orders the steps; recorded in `schema_migrations.version`. Never reused once released. */
  readonly version: number;
  /** What it does, recorded alongside the version. */
  readonly name: string;
  /** Its statements, one SQL command each, run in one batch with the record of the step. */
  readonly statements: readonly string[];
}

/** `grants` with its checked levels and types (migration 4), under the name given. */
function checkedGrantsTable(name: string): string {
  return `CREATE TABLE ${name} (
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
  ) STRICT`;
}

/** The grant indexes of migration 1 (made again by migration 4, after the table is rebuilt). */
function grantIndexes(ifNotExists: string): string[] {
  return [
    // Listing active grants: WHERE organization_id = ? AND revoked_at IS NULL ORDER BY created_at, id.
    `CREATE INDEX ${ifNotExists}grants_active_by_created
       ON grants (organization_id, created_at COLLATE BINARY, id COLLATE BINARY) WHERE revoked_at IS NULL`,
    `CREATE INDEX ${ifNotExists}grants_by_entity ON grants (organization_id, entity_id)`,
    `CREATE INDEX ${ifNotExists}grants_by_grantee ON grants (organization_id, grantee_id)`,
    // A second line of defence behind the service: one active grant per entity and grantee.
    `CREATE UNIQUE INDEX ${ifNotExists}grants_one_active_pair
       ON grants (organization_id, entity_id, grantee_id) WHERE revoked_at IS NULL`,
  ];
}

/** Every migration, oldest first. Never edit a released one: add the next. */
export const D1_MIGRATIONS: readonly D1Migration[] = [
  {
    version: 1,
    name: "organizations, directory and grants",
    statements: [
      `CREATE TABLE IF NOT EXISTS organizations (
        id TEXT NOT NULL PRIMARY KEY,
        version INTEGER NOT NULL,
        owners TEXT NOT NULL
      ) STRICT`,
      `CREATE TABLE IF NOT EXISTS users (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        department_ids TEXT NOT NULL,
        role_ids TEXT NOT NULL,
        PRIMARY KEY (organization_id, id)
      ) STRICT`,
      `CREATE TABLE IF NOT EXISTS departments (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        parent_id TEXT,
        PRIMARY KEY (organization_id, id)
      ) STRICT`,
      `CREATE TABLE IF NOT EXISTS roles (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (organization_id, id)
      ) STRICT`,
      `CREATE TABLE IF NOT EXISTS composites (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        member_slice_ids TEXT NOT NULL,
        PRIMARY KEY (organization_id, id)
      ) STRICT`,
      `CREATE TABLE IF NOT EXISTS grants (
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
      ) STRICT`,
      ...grantIndexes("IF NOT EXISTS "),
    ],
  },
  {
    version: 2,
    name: "change log",
    statements: [
      // Revisions up to log_start are not in the log. Organizations stored before the log existed
      // start it at their current revision: readers before that load a snapshot.
      "ALTER TABLE organizations ADD COLUMN log_start INTEGER NOT NULL DEFAULT 0",
      "UPDATE organizations SET log_start = version",
      // One row per commit: its changes as a JSON array, in order.
      `CREATE TABLE IF NOT EXISTS changes (
        organization_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        committed_at TEXT NOT NULL,
        changes TEXT NOT NULL,
        PRIMARY KEY (organization_id, revision)
      ) STRICT`,
    ],
  },
  {
    version: 3,
    name: "stored snapshots",
    statements: [
      // One organization at one revision as compact JSON text: a cold load reads it and the
      // commits after it instead of a row per grant.
      `CREATE TABLE IF NOT EXISTS snapshots (
        organization_id TEXT NOT NULL PRIMARY KEY,
        revision INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT`,
    ],
  },
  {
    version: 4,
    name: "grant levels and types checked",
    // SQLite cannot add a CHECK to a table: it is rebuilt (sqlite.org/lang_altertable.html,
    // section 7) inside this migration's batch. A row already outside the allowed values fails
    // the copy, and the batch leaves the database as it was (see docs/storage-adapters.md).
    statements: [
      checkedGrantsTable("grants_checked"),
      `INSERT INTO grants_checked (organization_id, id, entity_type, entity_id, grantee_type, grantee_id,
          access_level, granted_by, created_at, updated_at, expires_at, revoked_at)
        SELECT organization_id, id, entity_type, entity_id, grantee_type, grantee_id,
          access_level, granted_by, created_at, updated_at, expires_at, revoked_at
        FROM grants`,
      "DROP TABLE grants",
      "ALTER TABLE grants_checked RENAME TO grants",
      ...grantIndexes(""),
    ],
  },
  {
    version: 101,
    name: "snapshots in parts",
    statements: [
      // A D1 row holds at most 2 MB: a snapshot longer than one part keeps its first part in
      // snapshots.data and the others here, numbered from 1.
      `CREATE TABLE IF NOT EXISTS snapshot_parts (
        organization_id TEXT NOT NULL,
        part INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (organization_id, part)
      ) STRICT`,
    ],
  },
];

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

async function appliedVersions(database: D1DatabaseLike): Promise<Set<number>> {
  const [, listed] = await database.batch<{ version: number }>([
    database.prepare(MIGRATIONS_TABLE),
    database.prepare("SELECT version FROM schema_migrations"),
  ]);
  return new Set((listed?.results ?? []).map((row) => row.version));
}

/**
 * Brings the database's schema up to date: applies, in order, every migration
 * `schema_migrations` does not record yet, each in one batch with its record. Safe to run on
 * every start and from several workers at once: a step another worker applied meanwhile is
 * skipped.
 *
 * @throws `Error` naming the migration that failed (its cause D1's error); that migration is not
 *   applied nor recorded, the ones before it stay applied. D1's transient errors pass through as
 *   they are, for the caller to report as unavailable.
 * @returns the versions applied by this call (empty when the schema was already current).
 */
export async function migrate(
  database: D1DatabaseLike,
  migrations: readonly D1Migration[] = D1_MIGRATIONS,
): Promise<number[]> {
  const applied = await appliedVersions(database);
  const done: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    try {
      await database.batch([
        // First, so that a worker applying the same step at the same moment fails here.
        database
          .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .bind(migration.version, migration.name, new Date().toISOString()),
        ...migration.statements.map((statement) => database.prepare(statement)),
      ]);
      done.push(migration.version);
    } catch (error) {
      if (isUnavailable(error)) throw error;
      if ((await appliedVersions(database)).has(migration.version)) continue;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `grantpath: d1 migration ${migration.version} (${migration.name}) failed and was not applied: ${reason}`,
        { cause: error },
      );
    }
  }
  return done;
}

/**
 * The databases this isolate has migrated. Only finished migrations are remembered, never one
 * under way: a Worker cancels a request's I/O with the request, so a promise shared with later
 * requests could leave them waiting on a migration nobody finishes. Requests arriving together
 * each migrate, which is safe (a step another applied is skipped).
 */
const migrated = new WeakSet<D1DatabaseLike>();

/**
 * Resolves once the database's schema is current: at once when this isolate has migrated it
 * before, otherwise after {@link migrate}.
 */
export async function whenMigrated(database: D1DatabaseLike): Promise<void> {
  if (migrated.has(database)) return;
  await migrate(database);
  migrated.add(database);
}
