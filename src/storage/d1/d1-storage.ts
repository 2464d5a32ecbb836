/**
 * The Cloudflare D1 adapter: organizations and their change logs in a D1 database, shared by
 * every Worker isolate bound to it. D1 has no interactive transactions, so every write is one
 * `batch()` (one transaction) that begins with a guard on the organization's revision: when
 * another writer committed first, the guard fails and with it the whole batch, and the commit
 * answers `VERSION_CONFLICT`. `commitLatest` plans on the latest state and commits it that way,
 * planning again on each commit it lost to.
 * @module
 */

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
import { encodeSnapshot, snapshotRefreshInterval } from "../snapshot-codec.js";
import { GRANT_COLUMNS, type GrantRow, grantFromRow } from "../sql-rows.js";
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
import { changeStatements, seedStatements } from "./change-statements.js";
import type { D1DatabaseLike, D1PreparedStatementLike } from "./d1-binding.js";
import { isRevisionGuard, unlessUnavailable } from "./d1-errors.js";
import { type ChangeRow, loadFromRows, loadFromSnapshot, rowsOf, toCommit } from "./d1-load.js";
import { type D1Watch, d1Watch } from "./d1-watch.js";
import { whenMigrated } from "./migrations.js";
import { snapshotStatements } from "./snapshot-parts.js";

/**
 * Options of {@link d1Storage}: the same `initial`, `clock` and `changeRetention` as every
 * adapter, and how often `watch` looks for other workers' commits.
 *
 * @example
 * ```ts
 * const options: D1StorageOptions = {
 *   initial: [{ organization_id: "org_acme", owners: ["usr_owner1"] }],
 *   changeRetention: { maxCommits: 10_000 },
 * };
 * ```
 */
export interface D1StorageOptions {
  /**
   * Organizations to seed when they do not exist yet, validated like `createGraph` input. Each is
   * stored at revision 1 as a snapshot (its change log begins after it); existing organizations
   * are left as they are. Seeding happens on the first call, with the migrations.
   */
  readonly initial?: readonly GraphInput[];
  /** The clock that dates seeded grants without timestamps, and commits. Default: the system clock. */
  readonly clock?: () => Date;
  /** How much of each organization's change log to keep. Default: all of it. */
  readonly changeRetention?: ChangeRetention;
  /**
   * Gives the adapter a `watch` that hears other workers' commits by reading, this often while
   * someone listens, the revisions of the organizations it has met (its own commits are heard at
   * once). Default 0: no `watch`, which suits Workers, whose timers run only while a request is
   * handled; a service then reads the log before each write and when asked for a `minRevision`.
   * Give it (200, say) in long-lived processes that reach D1 from outside a Worker.
   */
  readonly pollIntervalMs?: number;
}

/** How many times `commitLatest` plans again after losing to other writers before it gives up. */
const COMMIT_LATEST_ATTEMPTS = 1000;

const GRANT_SELECT = GRANT_COLUMNS.join(", ");
const LISTING_ORDER = "ORDER BY created_at COLLATE BINARY, id COLLATE BINARY";

/**
 * Creates the D1 adapter over a D1 binding (`env.DB`). Nothing is read until the first call,
 * which creates or migrates the schema (once per isolate and database) and seeds `initial`
 * organizations that do not exist yet. Every commit is one `batch()`: a guard on the
 * organization's revision, the data, the commit appended to the change log, and the log trimmed
 * as `changeRetention` says, all or nothing. Imports no Node built-in: it runs in workerd.
 *
 * @throws `AccessError` (from `grantpath`) `VALIDATION_ERROR` when `database` is not a D1 binding,
 *   when `pollIntervalMs` or the retention is not a whole number in range, or when an initial
 *   organization is invalid (`initial[i]…`).
 *
 * @example
 * ```ts
 * import { createAccessControl, createHttpHandler } from "grantpath";
 * import { d1Storage } from "grantpath/d1";
 *
 * export default {
 *   fetch: (request: Request, env: { DB: D1Database }) =>
 *     createHttpHandler(createAccessControl({ storage: d1Storage(env.DB) }), {
 *       authenticate: (req) => (req.headers.get("x-user") ? { user_id: req.headers.get("x-user") ?? "" } : null),
 *     })(request),
 * };
 * ```
 */
export function d1Storage(database: D1DatabaseLike, given?: D1StorageOptions): StorageAdapter {
  if (
    typeof database !== "object" ||
    database === null ||
    typeof database.prepare !== "function" ||
    typeof database.batch !== "function"
  ) {
    throw validationError("database", "database must be a D1 binding (env.DB): an object with prepare() and batch()");
  }
  // Only the options the caller gave: nothing another library put on Object.prototype.
  const options = ownOptions(given, "options");
  const clock = options.clock ?? (() => new Date());
  const retention = checkRetention(options.changeRetention);
  const pollIntervalMs = options.pollIntervalMs ?? 0;
  if (!Number.isSafeInteger(pollIntervalMs) || pollIntervalMs < 0) {
    throw validationError("pollIntervalMs", "pollIntervalMs must be a whole number of milliseconds, at least 0");
  }
  const seeds = seedOrganizations(options.initial ?? [], clock());
  const watcher: D1Watch | null =
    pollIntervalMs > 0 ? d1Watch({ intervalMs: pollIntervalMs, revisions: readRevisions }) : null;
  let ready: Promise<void> | null = null;
  let closed = false;

  const sql = (text: string, ...values: unknown[]): D1PreparedStatementLike => database.prepare(text).bind(...values);

  /** Migrates (once per isolate and database) and seeds (once per adapter); a failure is retried by the next call. */
  function whenReady(): Promise<void> {
    if (closed) return Promise.reject(new Error("grantpath: the d1 storage is closed"));
    ready ??= unlessUnavailable(async () => {
      await whenMigrated(database);
      await seed();
    }, "migrate").catch((error: unknown) => {
      ready = null;
      throw error;
    });
    return ready;
  }

  async function seed(): Promise<void> {
    if (seeds.length === 0) return;
    const ids = seeds.map((s) => s.graph.organization_id);
    const { results } = await sql(
      "SELECT id FROM organizations WHERE id IN (SELECT value FROM json_each(?1))",
      JSON.stringify(ids),
    ).all<{ id: string }>();
    const existing = new Set(results.map((row) => row.id));
    for (const { graph, grants } of seeds) {
      const id = graph.organization_id;
      if (existing.has(id)) continue;
      try {
        // A seed is a snapshot, not a commit: revision 1, with a log that begins after it.
        await database.batch([
          sql(
            "INSERT INTO organizations (id, version, owners, log_start) VALUES (?1, 1, ?2, 1)",
            id,
            JSON.stringify(graph.owners ?? []),
          ),
          ...seedStatements(database, graph, grants),
          ...snapshotStatements(database, id, 1, encodeSnapshot({ ...graph, grants })),
        ]);
      } catch (error) {
        // Another worker seeded it first.
        if (isRevisionGuard(error)) continue;
        throw error;
      }
    }
  }

  async function readRevisions(organizationIds: readonly string[]): Promise<{ id: string; version: number }[]> {
    const { results } = await sql(
      "SELECT id, version FROM organizations WHERE id IN (SELECT value FROM json_each(?1))",
      JSON.stringify(organizationIds),
    ).all<{ id: string; version: number }>();
    return results;
  }

  async function currentRevision(organizationId: string): Promise<number> {
    const { results } = await sql("SELECT version FROM organizations WHERE id = ?1", organizationId).all<{
      version: number;
    }>();
    return results[0]?.version ?? 0;
  }

  /**
   * Commits `changes` as the revision after `expectedRevision`, in one batch whose first two
   * statements fail when the organization is not at `expectedRevision` any more (or, at 0,
   * exists already): then nothing of it is stored and the answer is `VERSION_CONFLICT`.
   */
  async function store(
    organizationId: string,
    expectedRevision: number,
    changes: readonly StorageChange[],
    commitOptions: CommitOptions | undefined,
  ): Promise<number> {
    const first = changes[0];
    if (expectedRevision === 0 && first?.type !== "create_organization") throw organizationNotFound(organizationId);
    // Every change is checked before any is sent: a batch lands whole or not at all.
    checkBatch(changes, expectedRevision);
    const revision = expectedRevision + 1;
    const committedAt = commitOptions?.committed_at ?? wireTimestamp(clock());
    const logged = JSON.stringify(changes);
    const statements: D1PreparedStatementLike[] =
      first?.type === "create_organization"
        ? [
            // Fails (UNIQUE) when the organization exists already.
            sql(
              "INSERT INTO organizations (id, version, owners, log_start) VALUES (?1, 1, ?2, 0)",
              organizationId,
              JSON.stringify([...first.owners]),
            ),
            sql(
              "INSERT INTO changes (organization_id, revision, committed_at, changes) VALUES (?1, 1, ?2, ?3)",
              organizationId,
              committedAt,
              logged,
            ),
          ]
        : [
            // Fails (NOT NULL) when the revision moved on.
            sql(
              "UPDATE organizations SET version = CASE WHEN version = ?2 THEN ?3 END WHERE id = ?1",
              organizationId,
              expectedRevision,
              revision,
            ),
            // Fails (NOT NULL) when the organization does not exist.
            sql(
              `INSERT INTO changes (organization_id, revision, committed_at, changes)
               VALUES (?1, (SELECT version FROM organizations WHERE id = ?1 AND version = ?2), ?3, ?4)`,
              organizationId,
              revision,
              committedAt,
              logged,
            ),
          ];
    statements.push(...changeStatements(database, organizationId, changes));
    if (retains(retention)) {
      statements.push(
        sql(
          `UPDATE organizations SET log_start = max(log_start, ?2, coalesce((SELECT max(revision) FROM changes
             WHERE organization_id = ?1 AND committed_at < ?3), 0)) WHERE id = ?1`,
          organizationId,
          trimmedByCount(retention, revision),
          ageCutoff(retention, clock()),
        ),
        sql(
          "DELETE FROM changes WHERE organization_id = ?1 AND revision <= (SELECT log_start FROM organizations WHERE id = ?1)",
          organizationId,
        ),
      );
    }
    try {
      await database.batch(statements);
    } catch (error) {
      if (isRevisionGuard(error)) throw versionConflict(organizationId, expectedRevision, null, error);
      throw error;
    }
    return revision;
  }

  /**
   * Stores a newer snapshot; a failure is reported, never the load's (the rows stay the truth),
   * except `STORED_DATA_INVALID`: rows no snapshot can hold faithfully fail the load.
   */
  async function storeSnapshot(organizationId: string, revision: number, graph: GraphInput): Promise<void> {
    try {
      await unlessUnavailable(
        () => database.batch(snapshotStatements(database, organizationId, revision, encodeSnapshot(graph))),
        "storeSnapshot",
      );
    } catch (error) {
      if (isAccessError(error, "STORED_DATA_INVALID")) throw error;
      console.error(`grantpath: the d1 snapshot of ${organizationId} could not be stored`, error);
    }
  }

  const adapter: StorageAdapter = {
    name: "d1",

    async loadOrganization(organizationId: string): Promise<OrganizationSnapshot | null> {
      await whenReady();
      const loaded = await unlessUnavailable(
        async () =>
          (await loadFromSnapshot(database, organizationId)) ?? (await loadFromRows(database, organizationId)),
        "loadOrganization",
      );
      if (!loaded) return null;
      watcher?.remember(organizationId, loaded.revision);
      if (loaded.behind >= snapshotRefreshInterval(retention.maxCommits)) {
        await storeSnapshot(organizationId, loaded.revision, loaded.graph);
      }
      return { revision: loaded.revision, graph: loaded.graph };
    },

    async commit(
      organizationId: string,
      expectedRevision: number,
      changes: readonly StorageChange[],
      commitOptions?: CommitOptions,
    ): Promise<number> {
      await whenReady();
      const revision = await unlessUnavailable(async () => {
        if (expectedRevision === 0 && changes[0]?.type !== "create_organization") {
          const current = await currentRevision(organizationId);
          if (current !== 0) throw versionConflict(organizationId, 0, current);
        }
        return store(organizationId, expectedRevision, changes, commitOptions);
      }, "commit");
      watcher?.tell(organizationId, revision);
      return revision;
    },

    async commitLatest(
      organizationId: string,
      knownRevision: number,
      plan: CommitPlan,
      commitOptions?: CommitOptions,
    ): Promise<number> {
      await whenReady();
      // Every commit after knownRevision read so far: each attempt reads only the newer ones.
      const missed: Commit[] = [];
      for (let attempt = 1; ; attempt++) {
        const after = missed.at(-1)?.revision ?? knownRevision;
        const results = await unlessUnavailable(
          () =>
            database.batch([
              sql("SELECT version, log_start FROM organizations WHERE id = ?1", organizationId),
              sql(
                "SELECT revision, committed_at, changes FROM changes WHERE organization_id = ?1 AND revision > ?2 ORDER BY revision",
                organizationId,
                after,
              ),
            ]),
          "commitLatest",
        );
        const organization = rowsOf<{ version: number; log_start: number }>(results, 0)[0];
        const actual = organization?.version ?? 0;
        if (actual < knownRevision) throw versionConflict(organizationId, knownRevision, actual);
        if (organization && actual > after) {
          if (after < organization.log_start) throw changesExpired(organizationId, after, organization.log_start + 1);
          missed.push(...rowsOf<ChangeRow>(results, 1).map(toCommit));
        }
        const changes = plan([...missed]);
        if (changes.length === 0) {
          if (organization) watcher?.remember(organizationId, actual);
          return actual;
        }
        try {
          const revision = await unlessUnavailable(
            () => store(organizationId, actual, changes, commitOptions),
            "commitLatest",
          );
          watcher?.tell(organizationId, revision);
          return revision;
        } catch (error) {
          // Another writer committed first: plan again on top of its commit.
          if (!isAccessError(error, "VERSION_CONFLICT") || attempt >= COMMIT_LATEST_ATTEMPTS) throw error;
        }
      }
    },

    async readChanges(organizationId: string, since: number, limit: number): Promise<ChangePage | null> {
      await whenReady();
      // One batch: the revision, the log's start and the commits come from one state.
      const results = await unlessUnavailable(
        () =>
          database.batch([
            sql("SELECT version, log_start FROM organizations WHERE id = ?1", organizationId),
            sql(
              "SELECT revision, committed_at, changes FROM changes WHERE organization_id = ?1 AND revision > ?2 ORDER BY revision LIMIT ?3",
              organizationId,
              since,
              limit,
            ),
          ]),
        "readChanges",
      );
      const organization = rowsOf<{ version: number; log_start: number }>(results, 0)[0];
      if (!organization) return null;
      if (since < organization.log_start) throw changesExpired(organizationId, since, organization.log_start + 1);
      watcher?.remember(organizationId, organization.version);
      const items = rowsOf<ChangeRow>(results, 1).map(toCommit);
      const last = items.at(-1)?.revision ?? since;
      return { items, revision: organization.version, has_more: last < organization.version };
    },

    async trimChanges(organizationId: string, throughRevision: number): Promise<number> {
      await whenReady();
      const results = await unlessUnavailable(
        () =>
          database.batch([
            sql(
              "UPDATE organizations SET log_start = max(log_start, min(?2, version)) WHERE id = ?1",
              organizationId,
              throughRevision,
            ),
            sql(
              "DELETE FROM changes WHERE organization_id = ?1 AND revision <= (SELECT log_start FROM organizations WHERE id = ?1)",
              organizationId,
            ),
            sql("SELECT log_start FROM organizations WHERE id = ?1", organizationId),
          ]),
        "trimChanges",
      );
      const organization = rowsOf<{ log_start: number }>(results, 2)[0];
      if (!organization) throw organizationNotFound(organizationId);
      return organization.log_start + 1;
    },

    async getGrant(organizationId: string, grantId: string): Promise<GrantRecord | null> {
      await whenReady();
      const { results } = await unlessUnavailable(
        () =>
          sql(
            `SELECT ${GRANT_SELECT} FROM grants WHERE organization_id = ?1 AND id = ?2`,
            organizationId,
            grantId,
          ).all<GrantRow>(),
        "getGrant",
      );
      const row = results[0];
      return row ? grantFromRow(row) : null;
    },

    async listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): Promise<GrantPage> {
      await whenReady();
      const entries = filterEntries(filter);
      const where = [
        "organization_id = ?1",
        "revoked_at IS NULL",
        ...entries.map(([field], index) => `${field} = ?${index + 2}`),
      ].join(" AND ");
      const values = [organizationId, ...entries.map(([, value]) => value)];
      const next = values.length + 1;
      // One batch: the count and the page come from one state.
      const results = await unlessUnavailable(
        () =>
          database.batch([
            sql(`SELECT count(*) AS n FROM grants WHERE ${where}`, ...values),
            sql(
              `SELECT ${GRANT_SELECT} FROM grants WHERE ${where} ${LISTING_ORDER} LIMIT ?${next} OFFSET ?${next + 1}`,
              ...values,
              Math.max(0, Math.trunc(page.limit)),
              Math.max(0, Math.trunc(page.skip)),
            ),
          ]),
        "listGrants",
      );
      const total = rowsOf<{ n: number }>(results, 0)[0]?.n ?? 0;
      return { items: rowsOf<GrantRow>(results, 1).map(grantFromRow), total };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      watcher?.close();
      if (ready) await ready.catch(() => {});
    },
  };

  if (watcher === null) return adapter;
  return {
    ...adapter,
    watch(listener: ChangeListener): () => void {
      if (closed) throw new Error("grantpath: the d1 storage is closed");
      return watcher.watch(listener);
    },
  };
}
