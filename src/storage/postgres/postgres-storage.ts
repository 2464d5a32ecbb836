/**
 * The PostgreSQL adapter: organizations and their change logs in a PostgreSQL schema shared by
 * any number of engine instances, which serialize commits per organization with a row lock and
 * hear of each other's commits through `LISTEN`/`NOTIFY`. Every call has a deadline: a database
 * that does not answer in time is `STORAGE_UNAVAILABLE`, never a hang.
 * @module
 */

import pg from "pg";
import { organizationNotFound, versionConflict } from "../../core/error-constructors.js";
import { isAccessError, validationError } from "../../core/errors.js";
import type { GraphInput } from "../../core/index.js";
import { ownOptions } from "../../core/validate.js";
import { checkBatch } from "../change-batch.js";
import {
  ageCutoff,
  type ChangeRetention,
  changesExpired,
  checkRetention,
  retains,
  trimmedByCount,
} from "../change-log.js";
import { filterEntries } from "../grant-filter.js";
import { wireTimestamp } from "../grant-records.js";
import { seedOrganizations } from "../initial-organizations.js";
import { applyStoredChange, stateToGraph } from "../organization-state.js";
import { decodeSnapshot, encodeSnapshot, snapshotRefreshInterval } from "../snapshot-codec.js";
import {
  changePayload,
  GRANT_COLUMNS,
  type GrantRow,
  grantFromRow,
  graphFromRows,
  type OrganizationRows,
} from "../sql-rows.js";
import type {
  ChangeListener,
  ChangePage,
  Commit,
  CommitOptions,
  CommitPlan,
  GrantFilter,
  GrantPage,
  GrantRecord,
  OrganizationSnapshot,
  PageRequest,
  StorageAdapter,
  StorageChange,
} from "../storage-adapter.js";
import { migrate, quoteIdentifier } from "./migrations.js";
import { isUnavailable, unlessUnavailable } from "./postgres-errors.js";
import { postgresNotifier } from "./postgres-notifier.js";
import { type Queryable, timedQuery, withQueryDeadline } from "./postgres-query.js";
import { postgresWrites } from "./postgres-writes.js";

/**
 * Options of {@link postgresStorage}: where the database is (exactly one of `connectionString`
 * and `pool`), the deadlines, plus the same `initial`, `clock` and `changeRetention` as
 * `memoryStorage`.
 *
 * @example
 * ```ts
 * const options: PostgresStorageOptions = {
 *   connectionString: "postgres://app@db.internal:5432/app",
 *   schema: "grantpath",
 *   queryTimeoutMs: 5_000,
 *   initial: [{ organization_id: "org_acme", owners: ["usr_owner1"] }],
 * };
 * ```
 */
export interface PostgresStorageOptions {
  /** A `postgres://` URL; the adapter makes its own pool and ends it on `close()`. */
  readonly connectionString?: string;
  /** A pool you made; the adapter uses it and leaves it open on `close()`. */
  readonly pool?: pg.Pool;
  /**
   * The schema that holds the tables, created and migrated on first use; it also names the
   * notification channel `<schema>_changes`. Letters, digits and `_`, at most 55 characters.
   * Default: `grantpath`.
   */
  readonly schema?: string;
  /**
   * Organizations to seed when they do not exist yet, validated like `createGraph` input. Each is
   * stored at revision 1 as a snapshot (its change log begins after it); existing organizations
   * are left as they are. Grants without timestamps get the time the storage was created.
   */
  readonly initial?: readonly GraphInput[];
  /** The clock that dates seeded grants without timestamps, and commits. Default: the system clock. */
  readonly clock?: () => Date;
  /** How much of each organization's change log to keep. Default: all of it. */
  readonly changeRetention?: ChangeRetention;
  /**
   * How long getting a connection may take before the call fails with `STORAGE_UNAVAILABLE`.
   * Default 5 000 ms.
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long one statement may take, on the server (`statement_timeout`, for a pool the adapter
   * makes) and as seen from here (a stalled server or network), before the call fails with
   * `STORAGE_UNAVAILABLE`. A pool the adapter makes also ends a transaction left idle for twice
   * this long (`idle_in_transaction_session_timeout`), so a vanished client cannot hold an
   * organization's lock. A pool you pass in keeps its own settings: give it a
   * `connectionTimeoutMillis` too. Default 10 000 ms.
   */
  readonly queryTimeoutMs?: number;
  /**
   * How often the `LISTEN` connection proves it is alive; one that does not answer within
   * `queryTimeoutMs` is replaced, and listeners are told what they may have missed. Default 5 000 ms.
   */
  readonly heartbeatMs?: number;
}

const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,54}$/;

/** A loaded organization and how many commits its stored snapshot was behind (∞: none used). */
interface LoadedOrganization {
  readonly snapshot: OrganizationSnapshot;
  readonly behind: number;
}
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
const DEFAULT_HEARTBEAT_MS = 5_000;

/** The grant columns as a select list. */
const GRANT_SELECT = GRANT_COLUMNS.join(", ");

/**
 * Creates the PostgreSQL adapter. Nothing connects until the first call; the schema is created
 * or migrated then, and `initial` organizations that do not exist yet are seeded. Several
 * engines may share one schema: commits are serialized per organization with `SELECT … FOR
 * UPDATE`, each appends its changes to the organization's change log in the same transaction,
 * and `watch` hears every engine's commits through `LISTEN`/`NOTIFY` within a moment.
 *
 * @throws `AccessError` (from `grantpath`) `VALIDATION_ERROR` when the options name no database or two, when
 *   `schema` is not a plain identifier, when a timeout or the retention is not a positive whole
 *   number, or when an initial organization is invalid (`initial[i]…`).
 *
 * @example
 * ```ts
 * import { createAccessControl } from "grantpath";
 * import { postgresStorage } from "grantpath/postgres";
 *
 * const storage = postgresStorage({ connectionString: process.env.DATABASE_URL ?? "" });
 * const accessControl = createAccessControl({ storage });
 * // … serve …
 * await accessControl.close();
 * await storage.close?.();
 * ```
 */
export function postgresStorage(given: PostgresStorageOptions): StorageAdapter {
  // Only the options the caller gave: nothing another library put on Object.prototype.
  const options = ownOptions(given, "options");
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw validationError("connectionString", "postgresStorage needs exactly one of connectionString and pool");
  }
  const schemaName = options.schema ?? "grantpath";
  if (!SCHEMA_PATTERN.test(schemaName)) {
    throw validationError("schema", "schema must be letters, digits and _, start with a letter or _, ≤ 55 characters");
  }
  const connectTimeoutMs = positive(options.connectTimeoutMs, "connectTimeoutMs", DEFAULT_CONNECT_TIMEOUT_MS);
  const queryTimeoutMs = positive(options.queryTimeoutMs, "queryTimeoutMs", DEFAULT_QUERY_TIMEOUT_MS);
  const heartbeatMs = positive(options.heartbeatMs, "heartbeatMs", DEFAULT_HEARTBEAT_MS);
  const retention = checkRetention(options.changeRetention);
  const clock = options.clock ?? (() => new Date());
  const seeds = seedOrganizations(options.initial ?? [], clock());
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: queryTimeoutMs,
      // A client that vanished mid-transaction (a blackholed network) must not hold the
      // organization's row lock, and with it every other instance's commits, for long.
      idle_in_transaction_session_timeout: queryTimeoutMs * 2,
      keepAlive: true,
    });
  if (ownsPool) {
    // An idle client that loses its connection must not take the process down.
    pool.on("error", (error) => console.error("grantpath: postgres pool client error", error));
  }
  const s = quoteIdentifier(schemaName);
  const channel = `${schemaName}_changes`;
  const writes = postgresWrites(s, queryTimeoutMs);
  let closed = false;
  let ready: Promise<void> | null = null;
  const notifier = postgresNotifier({ connect, schema: s, channel, whenReady, heartbeatMs, queryTimeoutMs });

  /** Migrates and seeds once; a failure is retried by the next call. */
  function whenReady(): Promise<void> {
    if (closed) return Promise.reject(new Error("grantpath: the postgres storage is closed"));
    ready ??= prepare().catch((error: unknown) => {
      ready = null;
      throw error;
    });
    return ready;
  }

  async function prepare(): Promise<void> {
    await withClient("migrate", async (client) => {
      await migrate(withQueryDeadline(client, queryTimeoutMs), schemaName);
      for (const seed of seeds) {
        await inTransaction(client, () => writes.seedOrganization(client, seed.graph, seed.grants));
      }
    });
  }

  /** A pool client within `connectTimeoutMs`, even from a pool made without a connection timeout. */
  async function connect(): Promise<pg.PoolClient> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const connecting = pool.connect();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error("timeout exceeded when trying to connect"));
      }, connectTimeoutMs);
    });
    try {
      return await Promise.race([connecting, deadline]);
    } finally {
      clearTimeout(timer);
      // A connection that arrives after the deadline goes straight back.
      if (timedOut)
        connecting.then(
          (late) => late.release(),
          () => {},
        );
    }
  }

  /** Runs `body` on a pool client, within the deadlines; an unreachable database is `STORAGE_UNAVAILABLE`. */
  async function withClient<T>(what: string, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return unlessUnavailable(() => onPoolClient(body), what);
  }

  /**
   * Runs `body` on a pool client got within `connectTimeoutMs`. A client that failed in a way
   * that may leave it mid-statement (a timeout, a lost connection) is destroyed rather than reused.
   */
  async function onPoolClient<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await connect();
    let broken: Error | undefined;
    // The pool listens for errors on idle clients only: without this, a connection lost in the
    // middle of a call would be an uncaught 'error' event.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on("error", onError);
    try {
      return await body(client);
    } catch (error) {
      if (isUnavailable(error)) broken ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }

  /**
   * A query with the client-side deadline (a stalled server cannot enforce its own). On the pool
   * it takes a client within the connect deadline too: `pool.query` would wait for a connection
   * as long as the pool's own settings say, for ever in a pool made without a timeout.
   */
  function query<R extends pg.QueryResultRow>(
    target: Queryable,
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    if (target === pool) return onPoolClient((client) => timedQuery<R>(client, queryTimeoutMs, text, values));
    return timedQuery<R>(target, queryTimeoutMs, text, values);
  }

  /** Runs `body` between BEGIN and COMMIT, rolling back when it throws. */
  async function inTransaction<T>(client: pg.PoolClient, body: () => Promise<T>): Promise<T> {
    await query(client, "BEGIN");
    try {
      const result = await body();
      await query(client, "COMMIT");
      return result;
    } catch (error) {
      // A connection that timed out or was lost is destroyed, which ends the transaction; a
      // ROLLBACK sent on it would only wait out a second deadline before the caller hears.
      if (!isUnavailable(error)) await query(client, "ROLLBACK").catch(() => {});
      throw error;
    }
  }

  /**
   * Stores a checked batch as `revision` inside the commit's transaction: the data, the
   * revision, the log entry and the notification, then trims the log as the retention says.
   */
  async function store(
    client: pg.PoolClient,
    organizationId: string,
    revision: number,
    changes: readonly StorageChange[],
    commitOptions: CommitOptions | undefined,
  ): Promise<void> {
    checkBatch(changes, revision - 1);
    await writes.applyBatch(client, organizationId, changes);
    // One round trip for the revision, the log entry and the notification.
    await query(
      client,
      `WITH revision AS (UPDATE ${s}.organizations SET version = $2 WHERE id = $1),
            logged AS (INSERT INTO ${s}.changes (organization_id, revision, committed_at, changes) VALUES ($1, $2, $3, $4))
       SELECT pg_notify($5, $6)`,
      [
        organizationId,
        revision,
        commitOptions?.committed_at ?? wireTimestamp(clock()),
        JSON.stringify(changes),
        channel,
        changePayload(organizationId, revision),
      ],
    );
    if (retains(retention)) {
      await query(
        client,
        `WITH through AS (
           SELECT greatest($2::bigint, coalesce((SELECT max(revision) FROM ${s}.changes
             WHERE organization_id = $1 AND committed_at < $3), 0)) AS revision),
         dropped AS (DELETE FROM ${s}.changes WHERE organization_id = $1 AND revision <= (SELECT revision FROM through))
         UPDATE ${s}.organizations SET log_start = greatest(log_start, (SELECT revision FROM through)) WHERE id = $1`,
        [organizationId, trimmedByCount(retention, revision), ageCutoff(retention, clock())],
      );
    }
  }

  /**
   * Takes the organization's row lock and reads its revision and log start; for a missing
   * organization, `null` (nothing to lock: creating it inserts the row, which conflicts with a
   * concurrent creation).
   */
  async function lockOrganization(
    client: pg.PoolClient,
    organizationId: string,
  ): Promise<{ revision: number; logStart: number } | null> {
    const locked = await query<{ version: string; log_start: string }>(
      client,
      `SELECT version::text AS version, log_start::text AS log_start FROM ${s}.organizations WHERE id = $1 FOR UPDATE`,
      [organizationId],
    );
    const row = locked.rows[0];
    return row ? { revision: Number(row.version), logStart: Number(row.log_start) } : null;
  }

  /** Inserts the row of an organization being created; a concurrent creation that won makes it a conflict. */
  async function createOrganizationRow(
    client: pg.PoolClient,
    organizationId: string,
    changes: readonly StorageChange[],
  ): Promise<void> {
    const first = changes[0];
    if (first?.type !== "create_organization" || !Array.isArray(first.owners))
      throw organizationNotFound(organizationId);
    // Waits for a concurrent creation of the same organization; if that one commits, this one
    // inserts nothing and conflicts.
    const inserted = await query(
      client,
      `INSERT INTO ${s}.organizations (id, version, owners, log_start) VALUES ($1, 1, $2, 0)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [organizationId, JSON.stringify(first.owners)],
    );
    if (inserted.rowCount === 0) throw versionConflict(organizationId, 0, null);
  }

  /** Up to `limit` commits after `since`, oldest first (inside the caller's snapshot). */
  async function commitsAfter(
    client: Queryable,
    organizationId: string,
    since: number,
    limit: number,
  ): Promise<Commit[]> {
    const result = await query<{ revision: string; committed_at: string; changes: string }>(
      client,
      // bigint arrives as text; ordering by the column itself keeps the order numeric.
      `SELECT revision, committed_at, changes FROM ${s}.changes
       WHERE organization_id = $1 AND revision > $2 ORDER BY revision LIMIT $3`,
      [organizationId, since, limit],
    );
    return result.rows.map(toCommit);
  }

  /**
   * The organization from its stored snapshot and the commits after it, in one statement (one
   * consistent state); `undefined` when there is no usable snapshot (none yet, older than the
   * log, or unreadable), `null` when the organization does not exist.
   */
  async function loadFromSnapshot(organizationId: string): Promise<LoadedOrganization | null | undefined> {
    const result = await unlessUnavailable(
      () =>
        query<{
          version: string;
          log_start: string;
          snapshot_revision: string | null;
          snapshot: string | null;
          tail: { revision: number; committed_at: string; changes: string }[] | null;
        }>(
          pool,
          `SELECT o.version::text AS version, o.log_start::text AS log_start,
             sn.revision::text AS snapshot_revision, sn.data AS snapshot,
             CASE WHEN sn.revision IS NULL OR sn.revision < o.log_start THEN NULL
               ELSE coalesce((SELECT json_agg(json_build_object('revision', c.revision, 'committed_at', c.committed_at,
                 'changes', c.changes) ORDER BY c.revision) FROM ${s}.changes c
                 WHERE c.organization_id = o.id AND c.revision > sn.revision), '[]') END AS tail
           FROM ${s}.organizations o LEFT JOIN ${s}.snapshots sn ON sn.organization_id = o.id
           WHERE o.id = $1`,
          [organizationId],
        ),
      "loadOrganization",
    );
    const row = result.rows[0];
    if (!row) return null;
    if (row.snapshot === null || row.snapshot_revision === null || row.tail === null) return undefined;
    const revision = Number(row.version);
    const snapshotRevision = Number(row.snapshot_revision);
    try {
      const state = decodeSnapshot(organizationId, row.snapshot);
      for (const commit of row.tail.map(toCommit)) {
        for (const change of commit.changes) applyStoredChange(state, change);
      }
      return {
        snapshot: { revision, graph: stateToGraph(organizationId, state) },
        behind: revision - snapshotRevision,
      };
    } catch (error) {
      // The rows still hold the organization; the snapshot is written anew after loading them.
      console.error(`grantpath: the postgres snapshot of ${organizationId} could not be read; loading its rows`, error);
      return undefined;
    }
  }

  /** The organization from its rows, in one statement (one consistent state); `null` when it does not exist. */
  async function loadFromRows(organizationId: string): Promise<LoadedOrganization | null> {
    const result = await unlessUnavailable(
      () =>
        query<{ version: string; rows: OrganizationRows }>(
          pool,
          `SELECT o.version::text AS version, json_build_object(
           'owners', o.owners,
           'users', coalesce((SELECT json_agg(json_build_object('id', u.id, 'department_ids', u.department_ids,
               'role_ids', u.role_ids) ORDER BY u.id) FROM ${s}.users u WHERE u.organization_id = o.id), '[]'),
           'departments', coalesce((SELECT json_agg(json_build_object('id', d.id, 'parent_id', d.parent_id) ORDER BY d.id)
               FROM ${s}.departments d WHERE d.organization_id = o.id), '[]'),
           'roles', coalesce((SELECT json_agg(json_build_object('id', r.id) ORDER BY r.id)
               FROM ${s}.roles r WHERE r.organization_id = o.id), '[]'),
           'composites', coalesce((SELECT json_agg(json_build_object('id', c.id, 'member_slice_ids', c.member_slice_ids)
               ORDER BY c.id) FROM ${s}.composites c WHERE c.organization_id = o.id), '[]'),
           'grants', coalesce((SELECT json_agg(g ORDER BY g.created_at, g.id) FROM (SELECT ${GRANT_SELECT}
               FROM ${s}.grants WHERE organization_id = o.id AND revoked_at IS NULL) g), '[]')
         ) AS rows
         FROM ${s}.organizations o WHERE o.id = $1`,
          [organizationId],
        ),
      "loadOrganization",
    );
    const row = result.rows[0];
    if (!row) return null;
    const graph = graphFromRows(organizationId, row.rows);
    return { snapshot: { revision: Number(row.version), graph }, behind: Number.POSITIVE_INFINITY };
  }

  /**
   * Stores a newer snapshot; a failure is reported, never the load's (the rows stay the truth),
   * except `STORED_DATA_INVALID`: rows no snapshot can hold faithfully fail the load.
   */
  async function storeSnapshot(organizationId: string, snapshot: OrganizationSnapshot): Promise<void> {
    try {
      await unlessUnavailable(
        () =>
          query(
            pool,
            // Never backwards (a slower writer of an older one changes nothing); the same revision
            // replaces it, which mends a snapshot that could not be read.
            `INSERT INTO ${s}.snapshots (organization_id, revision, data) VALUES ($1, $2, $3)
             ON CONFLICT (organization_id) DO UPDATE SET revision = EXCLUDED.revision, data = EXCLUDED.data
             WHERE EXCLUDED.revision >= ${s}.snapshots.revision`,
            [organizationId, snapshot.revision, encodeSnapshot(snapshot.graph)],
          ),
        "storeSnapshot",
      );
    } catch (error) {
      // Rows that no snapshot can hold faithfully fail the load, as they fail validation.
      if (isAccessError(error, "STORED_DATA_INVALID")) throw error;
      console.error(`grantpath: the postgres snapshot of ${organizationId} could not be stored`, error);
    }
  }

  return {
    name: "postgres",

    async loadOrganization(organizationId: string): Promise<OrganizationSnapshot | null> {
      await whenReady();
      const loaded = (await loadFromSnapshot(organizationId)) ?? (await loadFromRows(organizationId));
      if (!loaded) return null;
      notifier.remember(organizationId);
      if (loaded.behind >= snapshotRefreshInterval(retention.maxCommits))
        await storeSnapshot(organizationId, loaded.snapshot);
      return loaded.snapshot;
    },

    async commit(
      organizationId: string,
      expectedRevision: number,
      changes: readonly StorageChange[],
      commitOptions?: CommitOptions,
    ): Promise<number> {
      await whenReady();
      const revision = await withClient("commit", (client) =>
        inTransaction(client, async () => {
          if (expectedRevision === 0) {
            await createOrganizationRow(client, organizationId, changes);
          } else {
            const actual = (await lockOrganization(client, organizationId))?.revision ?? 0;
            if (actual !== expectedRevision) throw versionConflict(organizationId, expectedRevision, actual);
          }
          await store(client, organizationId, expectedRevision + 1, changes, commitOptions);
          return expectedRevision + 1;
        }),
      );
      // Watchers in this process hear it now, inside commit; other processes by NOTIFY.
      notifier.tell(organizationId, revision);
      return revision;
    },

    async commitLatest(
      organizationId: string,
      knownRevision: number,
      plan: CommitPlan,
      commitOptions?: CommitOptions,
    ): Promise<number> {
      await whenReady();
      const outcome = await withClient("commitLatest", (client) =>
        inTransaction(client, async () => {
          const locked = await lockOrganization(client, organizationId);
          const actual = locked?.revision ?? 0;
          if (actual < knownRevision) throw versionConflict(organizationId, knownRevision, actual);
          let missed: Commit[] = [];
          if (locked && actual > knownRevision) {
            if (knownRevision < locked.logStart)
              throw changesExpired(organizationId, knownRevision, locked.logStart + 1);
            missed = await commitsAfter(client, organizationId, knownRevision, actual - knownRevision);
          }
          const changes = plan(missed);
          if (changes.length === 0) return { revision: actual, committed: false };
          if (!locked) await createOrganizationRow(client, organizationId, changes);
          await store(client, organizationId, actual + 1, changes, commitOptions);
          return { revision: actual + 1, committed: true };
        }),
      );
      if (outcome.committed) notifier.tell(organizationId, outcome.revision);
      return outcome.revision;
    },

    async readChanges(organizationId: string, since: number, limit: number): Promise<ChangePage | null> {
      await whenReady();
      // One statement: the revision, the log's start and the commits come from one snapshot.
      const result = await unlessUnavailable(
        () =>
          query<{
            version: string;
            log_start: string;
            items: { revision: number; committed_at: string; changes: string }[];
          }>(
            pool,
            `SELECT o.version::text AS version, o.log_start::text AS log_start,
               coalesce((SELECT json_agg(json_build_object('revision', c.revision, 'committed_at', c.committed_at,
                 'changes', c.changes) ORDER BY c.revision) FROM (SELECT revision, committed_at, changes FROM ${s}.changes
                 WHERE organization_id = o.id AND revision > $2 ORDER BY revision LIMIT $3) c), '[]') AS items
             FROM ${s}.organizations o WHERE o.id = $1`,
            [organizationId, since, limit],
          ),
        "readChanges",
      );
      const row = result.rows[0];
      if (!row) return null;
      const revision = Number(row.version);
      const logStart = Number(row.log_start);
      if (since < logStart) throw changesExpired(organizationId, since, logStart + 1);
      const items = row.items.map(toCommit);
      const last = items.at(-1)?.revision ?? since;
      return { items, revision, has_more: last < revision };
    },

    async trimChanges(organizationId: string, throughRevision: number): Promise<number> {
      await whenReady();
      return withClient("trimChanges", (client) =>
        inTransaction(client, async () => {
          const locked = await lockOrganization(client, organizationId);
          if (!locked) throw organizationNotFound(organizationId);
          const through = Math.min(throughRevision, locked.revision);
          if (through <= locked.logStart) return locked.logStart + 1;
          await query(client, `DELETE FROM ${s}.changes WHERE organization_id = $1 AND revision <= $2`, [
            organizationId,
            through,
          ]);
          await query(client, `UPDATE ${s}.organizations SET log_start = $2 WHERE id = $1`, [organizationId, through]);
          return through + 1;
        }),
      );
    },

    async getGrant(organizationId: string, grantId: string): Promise<GrantRecord | null> {
      await whenReady();
      const result = await unlessUnavailable(
        () =>
          query<GrantRow>(pool, `SELECT ${GRANT_SELECT} FROM ${s}.grants WHERE organization_id = $1 AND id = $2`, [
            organizationId,
            grantId,
          ]),
        "getGrant",
      );
      const row = result.rows[0];
      return row ? grantFromRow(row) : null;
    },

    async listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): Promise<GrantPage> {
      await whenReady();
      const conditions = ["organization_id = $1", "revoked_at IS NULL"];
      const values: (string | number)[] = [organizationId];
      for (const [field, value] of filterEntries(filter)) {
        values.push(value);
        conditions.push(`${field} = $${values.length}`);
      }
      values.push(Math.max(0, Math.trunc(page.skip)), Math.max(0, Math.trunc(page.limit)));
      // One statement: the count and the page come from the same snapshot.
      const result = await unlessUnavailable(
        () =>
          query<{ total: string; items: GrantRow[] }>(
            pool,
            `WITH matching AS (SELECT ${GRANT_SELECT} FROM ${s}.grants WHERE ${conditions.join(" AND ")})
         SELECT (SELECT count(*) FROM matching)::text AS total,
           coalesce((SELECT json_agg(p ORDER BY p.created_at COLLATE "C", p.id COLLATE "C") FROM (
             SELECT * FROM matching ORDER BY created_at COLLATE "C", id COLLATE "C"
             OFFSET $${values.length - 1} LIMIT $${values.length}) p), '[]') AS items`,
            values,
          ),
        "listGrants",
      );
      const row = result.rows[0];
      return { items: (row?.items ?? []).map(grantFromRow), total: Number(row?.total ?? 0) };
    },

    watch(listener: ChangeListener): () => void {
      return notifier.watch(listener);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await notifier.close();
      if (ready) await ready.catch(() => {});
      if (ownsPool) await pool.end();
    },
  };
}

function toCommit(row: { revision: string | number; committed_at: string; changes: string }): Commit {
  return {
    revision: Number(row.revision),
    committed_at: row.committed_at,
    changes: JSON.parse(row.changes) as StorageChange[],
  };
}

function positive(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1)
    throw validationError(field, `${field} must be a whole number of milliseconds, at least 1`);
  return value;
}
