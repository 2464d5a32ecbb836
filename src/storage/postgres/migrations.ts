/**
 * The PostgreSQL adapter's schema, as numbered migrations kept in the repository. Each runs
 * once per schema, recorded in `<schema>.schema_migrations`; {@link migrate} applies the missing
 * ones in one transaction under an advisory lock, so several engines starting at once are safe.
 * @module
 */
import type pg from "pg";

/**
 * One schema change: a number that orders it and names it in `schema_migrations`, and the SQL
 * it runs, written for a given (already quoted) schema.
 *
 * @example
 * ```ts
 * const first: PostgresMigration = { version: 1, name: "tables", sql: (s) => [`CREATE TABLE ${s}.t (id text)`] };
 * ```
 */
export interface PostgresMigration {
  /** Applied in increasing order; never reused or renumbered once released. */
  readonly version: number;
  /** A short description, stored with the version. */
  readonly name: string;
  /** The statements, given the quoted schema name. */
  readonly sql: (schema: string) => readonly string[];
}

/**
 * Every migration, in order. Timestamps and ids are `text COLLATE "C"`: timestamps come in the
 * wire format, so code-unit order is time order, and listing orders ids by code unit. Lists
 * (owners, memberships, members) are JSON text, always read and written whole.
 *
 * @example
 * ```ts
 * const latest = POSTGRES_MIGRATIONS.at(-1)?.version; // the schema version a migrated database has
 * ```
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: "organizations, directory and grants",
    sql: (s) => [
      `CREATE TABLE ${s}.organizations (
        id text COLLATE "C" PRIMARY KEY,
        version bigint NOT NULL CHECK (version > 0),
        owners text NOT NULL DEFAULT '[]'
      )`,
      `CREATE TABLE ${s}.users (
        organization_id text COLLATE "C" NOT NULL REFERENCES ${s}.organizations (id),
        id text COLLATE "C" NOT NULL,
        department_ids text NOT NULL DEFAULT '[]',
        role_ids text NOT NULL DEFAULT '[]',
        PRIMARY KEY (organization_id, id)
      )`,
      // No foreign key on parent_id: deleting a department cascades nothing, and a batch moves
      // the children itself.
      `CREATE TABLE ${s}.departments (
        organization_id text COLLATE "C" NOT NULL REFERENCES ${s}.organizations (id),
        id text COLLATE "C" NOT NULL,
        parent_id text COLLATE "C",
        PRIMARY KEY (organization_id, id)
      )`,
      `CREATE TABLE ${s}.roles (
        organization_id text COLLATE "C" NOT NULL REFERENCES ${s}.organizations (id),
        id text COLLATE "C" NOT NULL,
        PRIMARY KEY (organization_id, id)
      )`,
      `CREATE TABLE ${s}.composites (
        organization_id text COLLATE "C" NOT NULL REFERENCES ${s}.organizations (id),
        id text COLLATE "C" NOT NULL,
        member_slice_ids text NOT NULL DEFAULT '[]',
        PRIMARY KEY (organization_id, id)
      )`,
      `CREATE TABLE ${s}.grants (
        organization_id text COLLATE "C" NOT NULL REFERENCES ${s}.organizations (id),
        id text COLLATE "C" NOT NULL,
        entity_type text NOT NULL,
        entity_id text COLLATE "C" NOT NULL,
        grantee_type text NOT NULL,
        grantee_id text COLLATE "C" NOT NULL,
        access_level text NOT NULL,
        granted_by text,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        expires_at text COLLATE "C",
        revoked_at text COLLATE "C",
        PRIMARY KEY (organization_id, id)
      )`,
      // Listing: active grants of an organization in created_at-then-id order.
      `CREATE INDEX grants_listing ON ${s}.grants (organization_id, created_at, id) WHERE revoked_at IS NULL`,
      // Per-entity and per-grantee listings.
      `CREATE INDEX grants_entity ON ${s}.grants (organization_id, entity_id)`,
      `CREATE INDEX grants_grantee ON ${s}.grants (organization_id, grantee_id)`,
      // A second line of defence: one active grant per entity and grantee.
      `CREATE UNIQUE INDEX grants_active_pair ON ${s}.grants (organization_id, entity_id, grantee_id)
        WHERE revoked_at IS NULL`,
    ],
  },
  {
    version: 2,
    name: "change log",
    sql: (s) => [
      // Revisions up to log_start are not in the log. Organizations stored before the log existed
      // start it at their current revision: readers before that load a snapshot.
      `ALTER TABLE ${s}.organizations ADD COLUMN log_start bigint NOT NULL DEFAULT 0`,
      `UPDATE ${s}.organizations SET log_start = version`,
      // One row per commit: its changes as a JSON array, in order.
      `CREATE TABLE ${s}.changes (
        organization_id text COLLATE "C" NOT NULL REFERENCES ${s}.organizations (id),
        revision bigint NOT NULL,
        committed_at text COLLATE "C" NOT NULL,
        changes text NOT NULL,
        PRIMARY KEY (organization_id, revision)
      )`,
    ],
  },
  {
    version: 3,
    name: "stored snapshots",
    sql: (s) => [
      // One organization at one revision as compact JSON text: a cold load reads it and the
      // commits after it instead of a row per grant.
      `CREATE TABLE ${s}.snapshots (
        organization_id text COLLATE "C" PRIMARY KEY REFERENCES ${s}.organizations (id),
        revision bigint NOT NULL,
        data text NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    name: "grant levels and types checked",
    sql: (s) => [
      // Validated against every existing row (one scan, under the table's lock): a row outside
      // the allowed values fails the migration, naming the constraint, and the transaction rolls
      // back, leaving the schema and every row as they were (see docs/storage-adapters.md).
      `ALTER TABLE ${s}.grants
        ADD CONSTRAINT grants_access_level_valid CHECK (access_level IN ('read', 'write', 'admin')),
        ADD CONSTRAINT grants_entity_type_valid CHECK (entity_type IN ('knowledge_slice', 'vector_store', 'assistant')),
        ADD CONSTRAINT grants_grantee_type_valid CHECK (grantee_type IN ('user', 'department', 'role'))`,
    ],
  },
];

/** A key for `pg_advisory_xact_lock(key, hashtext(schema))`: "grantpath" in ASCII, truncated to int4. */
const MIGRATION_LOCK_KEY = 0x67726e74;

/**
 * Brings `schema` up to date on `client` (a connected client not inside a transaction): creates
 * the schema and `schema_migrations` when missing and applies, in one transaction, every
 * migration not yet recorded. Running it again, or from several processes at once, is safe: the
 * second waits for the first's lock and then finds nothing to do. Returns the versions it applied.
 *
 * @example
 * ```ts
 * const client = await pool.connect();
 * try {
 *   await migrate(client, "grantpath"); // [1] the first time, [] afterwards
 * } finally {
 *   client.release();
 * }
 * ```
 */
export async function migrate(
  client: pg.ClientBase,
  schema: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  const s = quoteIdentifier(schema);
  const applied: number[] = [];
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK_KEY, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const done = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
    const known = new Set(done.rows.map((row) => Number(row.version)));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (known.has(migration.version)) continue;
      for (const statement of migration.sql(s)) await client.query(statement);
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
  return applied;
}

/**
 * Quotes a PostgreSQL identifier (`my"schema` becomes `"my""schema"`).
 *
 * @example
 * ```ts
 * quoteIdentifier("grantpath"); // '"grantpath"'
 * ```
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
