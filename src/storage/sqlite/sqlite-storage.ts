/**
 * The SQLite adapter, on better-sqlite3: one file, WAL mode, one `BEGIN IMMEDIATE`
 * transaction per commit, and change notification across connections by polling
 * `PRAGMA data_version`.
 * @module
 */
import Database from "better-sqlite3";
import { AccessError, type GraphInput } from "../../core/index.js";
import { checkBatch } from "../change-batch.js";
import { seedOrganizations } from "../initial-organizations.js";
import { GRANT_COLUMNS, type GrantRow, grantFromRow, grantRowValues, graphFromRows } from "../sql-rows.js";
import type {
  ChangeListener,
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
   * database does not hold yet are stored (at version 1); existing ones are left as they are.
   */
  readonly initial?: readonly GraphInput[];
  /** The clock that dates seeded grants without timestamps. Default: the system clock. */
  readonly clock?: () => Date;
}

/** How often another connection's commits are looked for while someone listens. */
const POLL_INTERVAL_MS = 200;
/** How long a writer waits for another connection's write lock before giving up. */
const BUSY_TIMEOUT_MS = 5000;

const GRANT_SELECT = GRANT_COLUMNS.join(", ");
const LISTING_ORDER = "ORDER BY created_at COLLATE BINARY, id COLLATE BINARY";
const FILTER_FIELDS = ["entity_type", "entity_id", "grantee_type", "grantee_id"] as const;

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
export function sqliteStorage(options: SqliteStorageOptions): StorageAdapter {
  const seeds = seedOrganizations(options.initial ?? [], (options.clock ?? (() => new Date()))());
  const db = new Database(options.filename);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
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
    createOrganization: db.prepare<[string, number, string]>(
      "INSERT INTO organizations (id, version, owners) VALUES (?, ?, ?)",
    ),
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

  const listeners = new Set<ChangeListener>();
  /** The version last announced (or committed here) per organization, while watching. */
  const known = new Map<string, number>();
  let lastDataVersion = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let closed = false;

  function open(): void {
    if (closed) throw new Error(`grantpath: the sqlite storage on ${options.filename} is closed`);
  }

  function applyChange(organizationId: string, change: StorageChange): void {
    switch (change.type) {
      case "create_organization":
        sql.createOrganization.run(organizationId, 0, JSON.stringify([...change.owners]));
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

  const commitTransaction = db.transaction(
    (organizationId: string, expectedVersion: number, changes: readonly StorageChange[]): number => {
      const actualVersion = sql.version.get(organizationId)?.version ?? 0;
      if (actualVersion !== expectedVersion) {
        throw new AccessError("VERSION_CONFLICT", {
          organization_id: organizationId,
          expected_version: expectedVersion,
          actual_version: actualVersion,
        });
      }
      if (actualVersion === 0 && changes[0]?.type !== "create_organization") {
        throw new AccessError(
          "RESOURCE_NOT_FOUND",
          { organization_id: organizationId },
          { system_message: "Organization not found" },
        );
      }
      // Every change is checked before any is applied: a batch lands whole or not at all (and
      // the transaction rolls back should a statement fail anyway).
      checkBatch(changes, actualVersion);
      for (const change of changes) applyChange(organizationId, change);
      const version = actualVersion + 1;
      sql.setVersion.run(version, organizationId);
      return version;
    },
  );

  const loadTransaction = db.transaction((organizationId: string): OrganizationSnapshot | null => {
    const organization = sql.version.get(organizationId);
    if (!organization) return null;
    const graph = graphFromRows(organizationId, {
      owners: sql.owners.get(organizationId)?.owners ?? "[]",
      users: sql.users.all(organizationId),
      departments: sql.departments.all(organizationId),
      roles: sql.roles.all(organizationId),
      composites: sql.composites.all(organizationId),
      grants: sql.activeGrants.all(organizationId),
    });
    return { version: organization.version, graph };
  });

  function listing(filter: GrantFilter): { fields: (typeof FILTER_FIELDS)[number][]; statements: ListingStatements } {
    const fields = FILTER_FIELDS.filter((field) => filter[field] !== undefined);
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
    return { fields, statements };
  }

  const listTransaction = db.transaction(
    (organizationId: string, filter: GrantFilter, page: PageRequest): GrantPage => {
      const { fields, statements } = listing(filter);
      const params = [organizationId, ...fields.map((field) => filter[field])];
      const total = statements.count.get(...params)?.n ?? 0;
      const items = total === 0 ? [] : statements.page.all(...params, page.limit, page.skip).map(grantFromRow);
      return { items, total };
    },
  );

  function announce(organizationId: string, version: number): void {
    for (const listener of [...listeners]) notify(listener, organizationId, version);
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
      console.error(`grantpath: the sqlite storage could not check ${options.filename} for changes`, error);
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
        sql.createOrganization.run(id, 1, JSON.stringify(graph.owners ?? []));
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
      }
    }).immediate();
  }

  return {
    name: "sqlite",

    loadOrganization(organizationId: string): OrganizationSnapshot | null {
      open();
      return loadTransaction.deferred(organizationId);
    },

    commit(organizationId: string, expectedVersion: number, changes: readonly StorageChange[]): number {
      open();
      const version = commitTransaction.immediate(organizationId, expectedVersion, changes);
      if (listeners.size > 0) {
        if (version > (known.get(organizationId) ?? 0)) known.set(organizationId, version);
        announce(organizationId, version);
      }
      return version;
    },

    getGrant(organizationId: string, grantId: string): GrantRecord | null {
      open();
      const row = sql.grant.get(organizationId, grantId);
      return row ? grantFromRow(row) : null;
    },

    listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): GrantPage {
      open();
      return listTransaction.deferred(organizationId, filter, page);
    },

    watch(listener: ChangeListener): () => void {
      open();
      const wrapped: ChangeListener = (organizationId, version) => listener(organizationId, version);
      if (listeners.size === 0) startPolling();
      listeners.add(wrapped);
      return () => {
        if (!listeners.delete(wrapped)) return;
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

interface ListingStatements {
  readonly page: Statement<unknown[], GrantRow>;
  readonly count: Statement<unknown[], { n: number }>;
}

/**
 * Tells one listener; a listener that throws must not turn a landed commit into a failure, keep
 * the others from hearing it, or take the process down, and its error is reported, not lost.
 */
function notify(listener: ChangeListener, organizationId: string, version: number): void {
  try {
    listener(organizationId, version);
  } catch (error) {
    console.error(`grantpath: a sqlite storage listener threw on ${organizationId} v${version}`, error);
  }
}
