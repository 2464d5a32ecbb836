/**
 * The SQLite adapter, on better-sqlite3: one file, WAL mode, one `BEGIN IMMEDIATE`
 * transaction per commit, and change notification across connections by polling
 * `PRAGMA data_version`.
 * @module
 */

import Database from "better-sqlite3";
import { organizationNotFound, storageUnavailable, versionConflict } from "../../core/error-constructors.js";
import { validationError } from "../../core/errors.js";
import { type GraphInput, isAccessError } from "../../core/index.js";
import { ownOptions } from "../../core/validate.js";
import { checkBatch } from "../change-batch.js";
import { changeListeners } from "../change-listeners.js";
import { ageCutoff, type ChangeRetention, changesExpired, checkRetention, trimmedByCount } from "../change-log.js";
import { type FilterField, filterEntries } from "../grant-filter.js";
import { wireTimestamp } from "../grant-records.js";
import { seedOrganizations } from "../initial-organizations.js";
import { applyStoredChange, stateToGraph } from "../organization-state.js";
import { decodeSnapshot, encodeSnapshot, snapshotRefreshInterval } from "../snapshot-codec.js";
import { GRANT_COLUMNS, type GrantRow, grantFromRow, grantRowValues, graphFromRows } from "../sql-rows.js";
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
import { migrate } from "./migrations.js";

/**
 * Options of {@link sqliteStorage}.
 *
 * @example
 * ```ts
 * const options: SqliteStorageOptions = {
 *   filename: "grants.sqlite",
 *   initial: [{ organization_id: "org_acme", owners: ["usr_owner1"] }],
 * };
 * ```
 */
export interface SqliteStorageOptions {
  /** The database file (created when missing). Several adapters and processes may share it. */
  readonly filename: string;
  /**
   * Organizations to seed, each validated like `createGraph` input. Only organizations the
   * database does not hold yet are stored (at revision 1, as a snapshot: their change log begins
   * after it); existing ones are left as they are.
   */
  readonly initial?: readonly GraphInput[];
  /** The clock that dates seeded grants without timestamps, and commits. Default: the system clock. */
  readonly clock?: () => Date;
  /** How much of each organization's change log to keep. Default: all of it. */
  readonly changeRetention?: ChangeRetention;
  /**
   * How long a call waits for another connection's write lock before it fails with
   * `STORAGE_UNAVAILABLE` (503: retry). Default 5 000 ms.
   */
  readonly busyTimeoutMs?: number;
}

/** How often another connection's commits are looked for while someone listens. */
const POLL_INTERVAL_MS = 200;
/** How long a writer waits for another connection's write lock before giving up. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

const GRANT_SELECT = GRANT_COLUMNS.join(", ");
const LISTING_ORDER = "ORDER BY created_at COLLATE BINARY, id COLLATE BINARY";

type Statement<Params extends unknown[], Result = unknown> = Database.Statement<Params, Result>;

/**
 * Creates the SQLite adapter over one database file (better-sqlite3, WAL mode). It creates or
 * migrates the schema when it opens, seeds `initial` organizations the file does not hold yet,
 * applies every commit in one `BEGIN IMMEDIATE` transaction, and, while someone watches, hears
 * of other connections' and processes' commits within about 200 ms. Its methods answer
 * synchronously; after `close()` they throw.
 *
 * @throws `AccessError` (from `grantpath`) `VALIDATION_ERROR` when an initial organization is invalid or
 *   appears twice (`initial[i]…`).
 *
 * @example
 * ```ts
 * import { createAccessControl } from "grantpath";
 * import { sqliteStorage } from "grantpath/sqlite";
 *
 * const storage = sqliteStorage({ filename: "grants.sqlite" });
 * const accessControl = createAccessControl({ storage });
 * // … and at shutdown:
 * await accessControl.close();
 * storage.close?.();
 * ```
 */
export function sqliteStorage(given: SqliteStorageOptions): StorageAdapter {
  // Only the options the caller gave: nothing another library put on Object.prototype.
  const options = ownOptions(given, "options");
  if (typeof options.filename !== "string" || options.filename === "") {
    throw validationError("filename", "filename must name the database file");
  }
  const filename = options.filename;
  const clock = options.clock ?? (() => new Date());
  const retention = checkRetention(options.changeRetention);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw validationError("busyTimeoutMs", "busyTimeoutMs must be a whole number of milliseconds, at least 0");
  }
  const seeds = seedOrganizations(options.initial ?? [], clock());
  const db = new Database(filename);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const sql = {
    version: db.prepare<[string], { version: number }>("SELECT version FROM organizations WHERE id = ?"),
    versions: db.prepare<[], { id: string; version: number }>("SELECT id, version FROM organizations"),
    owners: db.prepare<[string], { owners: string }>("SELECT owners FROM organizations WHERE id = ?"),
    users: db.prepare<[string], { id: string; department_ids: string; role_ids: string }>(
      "SELECT id, department_ids, role_ids FROM users WHERE organization_id = ? ORDER BY id",
    ),
    departments: db.prepare<[string], { id: string; parent_id: string | null }>(
      "SELECT id, parent_id FROM departments WHERE organization_id = ? ORDER BY id",
    ),
    roles: db.prepare<[string], { id: string }>("SELECT id FROM roles WHERE organization_id = ? ORDER BY id"),
    composites: db.prepare<[string], { id: string; member_slice_ids: string }>(
      "SELECT id, member_slice_ids FROM composites WHERE organization_id = ? ORDER BY id",
    ),
    activeGrants: db.prepare<[string], GrantRow>(
      `SELECT ${GRANT_SELECT} FROM grants WHERE organization_id = ? AND revoked_at IS NULL ${LISTING_ORDER}`,
    ),
    grant: db.prepare<[string, string], GrantRow>(
      `SELECT ${GRANT_SELECT} FROM grants WHERE organization_id = ? AND id = ?`,
    ),
    logStart: db.prepare<[string], { version: number; log_start: number }>(
      "SELECT version, log_start FROM organizations WHERE id = ?",
    ),
    createOrganization: db.prepare<[string, number, string, number]>(
      "INSERT INTO organizations (id, version, owners, log_start) VALUES (?, ?, ?, ?)",
    ),
    logCommit: db.prepare<[string, number, string, string]>(
      "INSERT INTO changes (organization_id, revision, committed_at, changes) VALUES (?, ?, ?, ?)",
    ),
    commitsAfter: db.prepare<[string, number, number], { revision: number; committed_at: string; changes: string }>(
      "SELECT revision, committed_at, changes FROM changes WHERE organization_id = ? AND revision > ? ORDER BY revision LIMIT ?",
    ),
    newestCommitBefore: db.prepare<[string, string], { revision: number | null }>(
      "SELECT max(revision) AS revision FROM changes WHERE organization_id = ? AND committed_at < ?",
    ),
    trimLog: db.prepare<[string, number]>("DELETE FROM changes WHERE organization_id = ? AND revision <= ?"),
    snapshot: db.prepare<[string], { revision: number; data: string }>(
      "SELECT revision, data FROM snapshots WHERE organization_id = ?",
    ),
    // A snapshot never moves backwards (a slower writer of an older one changes nothing); one of
    // the same revision replaces it, which mends a snapshot that could not be read.
    putSnapshot: db.prepare<[string, number, string]>(
      `INSERT INTO snapshots (organization_id, revision, data) VALUES (?, ?, ?)
       ON CONFLICT (organization_id) DO UPDATE SET revision = excluded.revision, data = excluded.data
       WHERE excluded.revision >= snapshots.revision`,
    ),
    setLogStart: db.prepare<[number, string]>("UPDATE organizations SET log_start = ? WHERE id = ?"),
    setOwners: db.prepare<[string, string]>("UPDATE organizations SET owners = ? WHERE id = ?"),
    setVersion: db.prepare<[number, string]>("UPDATE organizations SET version = ? WHERE id = ?"),
    putGrant: db.prepare<(string | null)[]>(
      `INSERT INTO grants (${GRANT_SELECT}) VALUES (${GRANT_COLUMNS.map(() => "?").join(", ")})
       ON CONFLICT (organization_id, id) DO UPDATE SET ${GRANT_COLUMNS.filter(
         (column) => column !== "organization_id" && column !== "id",
       )
         .map((column) => `${column} = excluded.${column}`)
         .join(", ")}`,
    ),
    putUser: db.prepare<[string, string, string, string]>(
      `INSERT INTO users (organization_id, id, department_ids, role_ids) VALUES (?, ?, ?, ?)
       ON CONFLICT (organization_id, id) DO UPDATE SET department_ids = excluded.department_ids, role_ids = excluded.role_ids`,
    ),
    putDepartment: db.prepare<[string, string, string | null]>(
      `INSERT INTO departments (organization_id, id, parent_id) VALUES (?, ?, ?)
       ON CONFLICT (organization_id, id) DO UPDATE SET parent_id = excluded.parent_id`,
    ),
    deleteDepartment: db.prepare<[string, string]>("DELETE FROM departments WHERE organization_id = ? AND id = ?"),
    putRole: db.prepare<[string, string]>("INSERT OR IGNORE INTO roles (organization_id, id) VALUES (?, ?)"),
    putComposite: db.prepare<[string, string, string]>(
      `INSERT INTO composites (organization_id, id, member_slice_ids) VALUES (?, ?, ?)
       ON CONFLICT (organization_id, id) DO UPDATE SET member_slice_ids = excluded.member_slice_ids`,
    ),
  };
  /** Listing statements, one pair per combination of filter fields, prepared on first use. */
  const listings = new Map<string, ListingStatements>();

  const listeners = changeListeners("sqlite");
  /** The version last announced (or committed here) per organization, while watching. */
  const known = new Map<string, number>();
  let lastDataVersion = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let closed = false;

  function open(): void {
    if (closed) throw new Error(`grantpath: the sqlite storage on ${filename} is closed`);
  }

  function applyChange(organizationId: string, change: StorageChange): void {
    switch (change.type) {
      case "create_organization":
        sql.createOrganization.run(organizationId, 0, JSON.stringify([...change.owners]), 0);
        return;
      case "set_owners":
        sql.setOwners.run(JSON.stringify([...change.owners]), organizationId);
        return;
      case "put_grant":
        sql.putGrant.run(...grantRowValues(organizationId, change.grant));
        return;
      case "put_user":
        sql.putUser.run(
          organizationId,
          change.user.id,
          JSON.stringify([...change.user.department_ids]),
          JSON.stringify([...change.user.role_ids]),
        );
        return;
      case "put_department":
        sql.putDepartment.run(organizationId, change.department.id, change.department.parent_id);
        return;
      case "delete_department":
        sql.deleteDepartment.run(organizationId, change.department_id);
        return;
      case "put_composite":
        sql.putComposite.run(
          organizationId,
          change.composite.id,
          JSON.stringify([...change.composite.member_slice_ids]),
        );
        return;
    }
  }

  /** Applies a batch as the revision after `actualRevision` and logs it; inside a write transaction. */
  function store(
    organizationId: string,
    actualRevision: number,
    changes: readonly StorageChange[],
    commitOptions: CommitOptions | undefined,
  ): number {
    if (actualRevision === 0 && changes[0]?.type !== "create_organization") throw organizationNotFound(organizationId);
    // Every change is checked before any is applied: a batch lands whole or not at all (and
    // the transaction rolls back should a statement fail anyway).
    checkBatch(changes, actualRevision);
    for (const change of changes) applyChange(organizationId, change);
    const revision = actualRevision + 1;
    sql.setVersion.run(revision, organizationId);
    const committedAt = commitOptions?.committed_at ?? wireTimestamp(clock());
    sql.logCommit.run(organizationId, revision, committedAt, JSON.stringify(changes));
    applyRetention(organizationId, revision);
    return revision;
  }

  function applyRetention(organizationId: string, revision: number): void {
    let through = trimmedByCount(retention, revision);
    const cutoff = ageCutoff(retention, clock());
    if (cutoff !== null) through = Math.max(through, sql.newestCommitBefore.get(organizationId, cutoff)?.revision ?? 0);
    if (through > 0) trimThrough(organizationId, through);
  }

  /** Drops logged commits up to `throughRevision`; returns the oldest revision kept. */
  function trimThrough(organizationId: string, throughRevision: number): number {
    const organization = sql.logStart.get(organizationId);
    if (!organization) throw organizationNotFound(organizationId);
    const through = Math.min(throughRevision, organization.version);
    if (through <= organization.log_start) return organization.log_start + 1;
    sql.trimLog.run(organizationId, through);
    sql.setLogStart.run(through, organizationId);
    return through + 1;
  }

  /** Up to `limit` commits after `since`; `CHANGES_EXPIRED` when the log was trimmed past it. */
  function commitsAfter(organizationId: string, logStart: number, since: number, limit: number): Commit[] {
    if (since < logStart) throw changesExpired(organizationId, since, logStart + 1);
    return sql.commitsAfter.all(organizationId, since, limit).map((row) => ({
      revision: row.revision,
      committed_at: row.committed_at,
      changes: JSON.parse(row.changes) as StorageChange[],
    }));
  }

  const commitTransaction = db.transaction(
    (
      organizationId: string,
      expectedRevision: number,
      changes: readonly StorageChange[],
      commitOptions: CommitOptions | undefined,
    ): number => {
      const actualRevision = sql.version.get(organizationId)?.version ?? 0;
      if (actualRevision !== expectedRevision) throw versionConflict(organizationId, expectedRevision, actualRevision);
      return store(organizationId, actualRevision, changes, commitOptions);
    },
  );

  const commitLatestTransaction = db.transaction(
    (organizationId: string, knownRevision: number, plan: CommitPlan, commitOptions: CommitOptions | undefined) => {
      const organization = sql.logStart.get(organizationId);
      const actualRevision = organization?.version ?? 0;
      if (actualRevision < knownRevision) throw versionConflict(organizationId, knownRevision, actualRevision);
      const missed =
        organization && actualRevision > knownRevision
          ? commitsAfter(organizationId, organization.log_start, knownRevision, actualRevision - knownRevision)
          : [];
      const changes = plan(missed);
      if (changes.length === 0) return actualRevision;
      return store(organizationId, actualRevision, changes, commitOptions);
    },
  );

  const readChangesTransaction = db.transaction(
    (organizationId: string, since: number, limit: number): ChangePage | null => {
      const organization = sql.logStart.get(organizationId);
      if (!organization) return null;
      const items = commitsAfter(organizationId, organization.log_start, since, limit);
      const last = items.at(-1)?.revision ?? since;
      return { items, revision: organization.version, has_more: last < organization.version };
    },
  );

  /**
   * The organization now: its stored snapshot and the commits after it when the log still
   * reaches back to the snapshot, its rows otherwise; and how many commits the snapshot is behind.
   */
  const loadTransaction = db.transaction(
    (organizationId: string): { snapshot: OrganizationSnapshot; behind: number } | null => {
      const organization = sql.logStart.get(organizationId);
      if (!organization) return null;
      const { version, log_start } = organization;
      const stored = sql.snapshot.get(organizationId);
      if (stored && stored.revision >= log_start && stored.revision <= version) {
        try {
          const state = decodeSnapshot(organizationId, stored.data);
          for (const commit of commitsAfter(organizationId, log_start, stored.revision, version - stored.revision)) {
            for (const change of commit.changes) applyStoredChange(state, change);
          }
          return {
            snapshot: { revision: version, graph: stateToGraph(organizationId, state) },
            behind: version - stored.revision,
          };
        } catch (error) {
          // The rows still hold the organization; the snapshot is written anew below.
          console.error(
            `grantpath: the sqlite snapshot of ${organizationId} could not be read; loading its rows`,
            error,
          );
        }
      }
      const graph = graphFromRows(organizationId, {
        owners: sql.owners.get(organizationId)?.owners ?? "[]",
        users: sql.users.all(organizationId),
        departments: sql.departments.all(organizationId),
        roles: sql.roles.all(organizationId),
        composites: sql.composites.all(organizationId),
        grants: sql.activeGrants.all(organizationId),
      });
      return { snapshot: { revision: version, graph }, behind: Number.POSITIVE_INFINITY };
    },
  );

  function listing(entries: readonly [FilterField, string][]): ListingStatements {
    const fields = entries.map(([field]) => field);
    const key = fields.join(",");
    let statements = listings.get(key);
    if (!statements) {
      const where = ["organization_id = ?", "revoked_at IS NULL", ...fields.map((field) => `${field} = ?`)].join(
        " AND ",
      );
      statements = {
        page: db.prepare<unknown[], GrantRow>(
          `SELECT ${GRANT_SELECT} FROM grants WHERE ${where} ${LISTING_ORDER} LIMIT ? OFFSET ?`,
        ),
        count: db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM grants WHERE ${where}`),
      };
      listings.set(key, statements);
    }
    return statements;
  }

  const listTransaction = db.transaction(
    (organizationId: string, filter: GrantFilter, page: PageRequest): GrantPage => {
      const entries = filterEntries(filter);
      const statements = listing(entries);
      const params = [organizationId, ...entries.map(([, value]) => value)];
      const total = statements.count.get(...params)?.n ?? 0;
      const items = total === 0 ? [] : statements.page.all(...params, page.limit, page.skip).map(grantFromRow);
      return { items, total };
    },
  );

  function announce(organizationId: string, revision: number): void {
    listeners.tell(organizationId, revision);
  }

  /** This connection's own commit: listeners hear it now, not at the next poll. */
  function announceOwn(organizationId: string, revision: number): void {
    if (listeners.size === 0) return;
    if (revision > (known.get(organizationId) ?? 0)) known.set(organizationId, revision);
    announce(organizationId, revision);
  }

  /** Reads every organization's version, announcing those that grew since last heard. */
  function poll(): void {
    if (closed || listeners.size === 0) return;
    try {
      const dataVersion = db.pragma("data_version", { simple: true }) as number;
      if (dataVersion === lastDataVersion) return;
      lastDataVersion = dataVersion;
      for (const { id, version } of sql.versions.all()) {
        if (version > (known.get(id) ?? 0)) {
          known.set(id, version);
          announce(id, version);
        }
      }
    } catch (error) {
      console.error(`grantpath: the sqlite storage could not check ${filename} for changes`, error);
    }
  }

  function startPolling(): void {
    lastDataVersion = db.pragma("data_version", { simple: true }) as number;
    known.clear();
    for (const { id, version } of sql.versions.all()) known.set(id, version);
    timer = setInterval(poll, POLL_INTERVAL_MS);
    timer.unref?.();
  }

  function stopPolling(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  if (seeds.length > 0) {
    db.transaction(() => {
      for (const { graph, grants } of seeds) {
        const id = graph.organization_id;
        if (sql.version.get(id)) continue;
        // A seed is a snapshot, not a commit: revision 1, with a log that begins after it.
        sql.createOrganization.run(id, 1, JSON.stringify(graph.owners ?? []), 1);
        for (const user of graph.users ?? []) {
          sql.putUser.run(id, user.id, JSON.stringify(user.department_ids ?? []), JSON.stringify(user.role_ids ?? []));
        }
        for (const department of graph.departments ?? []) {
          sql.putDepartment.run(id, department.id, department.parent_id ?? null);
        }
        for (const role of graph.roles ?? []) sql.putRole.run(id, role.id);
        for (const composite of graph.composites ?? []) {
          sql.putComposite.run(id, composite.id, JSON.stringify(composite.member_slice_ids));
        }
        for (const grant of grants) sql.putGrant.run(...grantRowValues(id, grant));
        sql.putSnapshot.run(id, 1, encodeSnapshot({ ...graph, grants }));
      }
    }).immediate();
  }

  return {
    name: "sqlite",

    loadOrganization(organizationId: string): OrganizationSnapshot | null {
      open();
      const loaded = unlessBusy(() => loadTransaction.deferred(organizationId), "loadOrganization");
      if (!loaded) return null;
      if (loaded.behind >= snapshotRefreshInterval(retention.maxCommits)) {
        const { revision, graph } = loaded.snapshot;
        try {
          sql.putSnapshot.run(organizationId, revision, encodeSnapshot(graph));
        } catch (error) {
          // Rows that no snapshot can hold faithfully fail the load, as they fail validation.
          if (isAccessError(error, "STORED_DATA_INVALID")) throw error;
          // Otherwise the load stands (the rows are the truth); the next load tries to store it again.
          console.error(`grantpath: the sqlite snapshot of ${organizationId} could not be stored`, error);
        }
      }
      return loaded.snapshot;
    },

    commit(
      organizationId: string,
      expectedRevision: number,
      changes: readonly StorageChange[],
      commitOptions?: CommitOptions,
    ): number {
      open();
      const revision = unlessBusy(
        () => commitTransaction.immediate(organizationId, expectedRevision, changes, commitOptions),
        "commit",
      );
      announceOwn(organizationId, revision);
      return revision;
    },

    commitLatest(
      organizationId: string,
      knownRevision: number,
      plan: CommitPlan,
      commitOptions?: CommitOptions,
    ): number {
      open();
      const before = sql.version.get(organizationId)?.version ?? 0;
      const revision = unlessBusy(
        () => commitLatestTransaction.immediate(organizationId, knownRevision, plan, commitOptions),
        "commitLatest",
      );
      if (revision > before) announceOwn(organizationId, revision);
      return revision;
    },

    readChanges(organizationId: string, since: number, limit: number): ChangePage | null {
      open();
      return unlessBusy(() => readChangesTransaction.deferred(organizationId, since, limit), "readChanges");
    },

    trimChanges(organizationId: string, throughRevision: number): number {
      open();
      return unlessBusy(
        () => db.transaction(() => trimThrough(organizationId, throughRevision)).immediate(),
        "trimChanges",
      );
    },

    getGrant(organizationId: string, grantId: string): GrantRecord | null {
      open();
      const row = sql.grant.get(organizationId, grantId);
      return row ? grantFromRow(row) : null;
    },

    listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): GrantPage {
      open();
      return unlessBusy(() => listTransaction.deferred(organizationId, filter, page), "listGrants");
    },

    watch(listener: ChangeListener): () => void {
      open();
      if (listeners.size === 0) startPolling();
      const stop = listeners.add(listener);
      return () => {
        if (!stop()) return;
        if (listeners.size === 0) stopPolling();
      };
    },

    close(): void {
      if (closed) return;
      closed = true;
      stopPolling();
      listeners.clear();
      db.close();
    },
  };
}

/**
 * Runs `operation`, turning a database another connection keeps locked past the busy timeout
 * into `STORAGE_UNAVAILABLE` (503: the caller may retry); other errors pass through unchanged.
 */
function unlessBusy<T>(operation: () => T, what: string): T {
  try {
    return operation();
  } catch (error) {
    const code = error instanceof Database.SqliteError ? error.code : "";
    if (!code.startsWith("SQLITE_BUSY") && !code.startsWith("SQLITE_LOCKED")) throw error;
    throw storageUnavailable("sqlite", what, error);
  }
}

interface ListingStatements {
  readonly page: Statement<unknown[], GrantRow>;
  readonly count: Statement<unknown[], { n: number }>;
}
