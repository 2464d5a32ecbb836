/**
 * The PostgreSQL adapter: organizations in a PostgreSQL schema shared by any number of engine
 * instances, which stay consistent through per-organization versions and hear of each other's
 * writes through `LISTEN`/`NOTIFY`.
 * @module
 */
import pg from "pg";
import { validationError } from "../../core/errors.js";
import { AccessError, type GraphInput } from "../../core/index.js";
import { checkBatch } from "../change-batch.js";
import { seedOrganizations } from "../initial-organizations.js";
import {
  changePayload,
  GRANT_COLUMNS,
  type GrantRow,
  grantFromRow,
  grantRowValues,
  graphFromRows,
  type OrganizationRows,
  parseChangePayload,
} from "../sql-rows.js";
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
import { migrate, quoteIdentifier } from "./migrations.js";

/**
 * Options of {@link postgresStorage}: where the database is (exactly one of `connectionString`
 * and `pool`), plus the same `initial` and `clock` as `memoryStorage`.
 *
 * @example
 * ```ts
 * const options: PostgresStorageOptions = {
 *   connectionString: "postgres://app@db.internal:5432/app",
 *   schema: "grantpath",
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
   * Organizations to seed when they do not exist yet, validated like `createGraph` input.
   * Existing organizations are left as they are. Grants without timestamps get the time the
   * storage was created.
   */
  readonly initial?: readonly GraphInput[];
  /** The clock that dates seeded grants without timestamps. Default: the system clock. */
  readonly clock?: () => Date;
}

/** How long to wait before connecting the listening client again after it failed. */
const RECONNECT_DELAY_MS = 250;

const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,54}$/;

/** The grant columns as a select list. */
const GRANT_SELECT = GRANT_COLUMNS.join(", ");

/**
 * Creates the PostgreSQL adapter. Nothing connects until the first call; the schema is created
 * or migrated then, and `initial` organizations that do not exist yet are seeded. Several
 * engines may share one schema: commits are serialized per organization with `SELECT … FOR
 * UPDATE`, and `watch` hears every engine's commits through `LISTEN`/`NOTIFY` within a moment.
 *
 * @throws `AccessError` (from `grantpath`) `VALIDATION_ERROR` when the options name no database or two, when
 *   `schema` is not a plain identifier, or when an initial organization is invalid
 *   (`initial[i]…`).
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
export function postgresStorage(options: PostgresStorageOptions): StorageAdapter {
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw validationError("connectionString", "postgresStorage needs exactly one of connectionString and pool");
  }
  const schemaName = options.schema ?? "grantpath";
  if (!SCHEMA_PATTERN.test(schemaName)) {
    throw validationError("schema", "schema must be letters, digits and _, start with a letter or _, ≤ 55 characters");
  }
  const seeds = seedOrganizations(options.initial ?? [], (options.clock ?? (() => new Date()))());
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool(options.connectionString === undefined ? {} : { connectionString: options.connectionString });
  if (ownsPool) {
    // An idle client that loses its connection must not take the process down.
    pool.on("error", (error) => console.error("grantpath: postgres pool client error", error));
  }
  const s = quoteIdentifier(schemaName);
  const channel = `${schemaName}_changes`;
  const listeners = new Set<ChangeListener>();
  let closed = false;
  let ready: Promise<void> | null = null;

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
    const client = await pool.connect();
    try {
      await migrate(client, schemaName);
      for (const seed of seeds) await seedOne(client, seed.graph, seed.grants);
    } finally {
      client.release();
    }
  }

  async function seedOne(client: pg.PoolClient, graph: GraphInput, grants: readonly GrantRecord[]): Promise<void> {
    const id = graph.organization_id;
    await transaction(client, async () => {
      const inserted = await client.query(
        `INSERT INTO ${s}.organizations (id, version, owners) VALUES ($1, 1, $2) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, JSON.stringify(graph.owners ?? [])],
      );
      if (inserted.rowCount === 0) return;
      for (const user of graph.users ?? []) {
        await client.query(
          `INSERT INTO ${s}.users (organization_id, id, department_ids, role_ids) VALUES ($1, $2, $3, $4)`,
          [id, user.id, JSON.stringify(user.department_ids ?? []), JSON.stringify(user.role_ids ?? [])],
        );
      }
      for (const department of graph.departments ?? []) {
        await client.query(`INSERT INTO ${s}.departments (organization_id, id, parent_id) VALUES ($1, $2, $3)`, [
          id,
          department.id,
          department.parent_id ?? null,
        ]);
      }
      for (const role of graph.roles ?? []) {
        await client.query(`INSERT INTO ${s}.roles (organization_id, id) VALUES ($1, $2)`, [id, role.id]);
      }
      for (const composite of graph.composites ?? []) {
        await client.query(`INSERT INTO ${s}.composites (organization_id, id, member_slice_ids) VALUES ($1, $2, $3)`, [
          id,
          composite.id,
          JSON.stringify(composite.member_slice_ids),
        ]);
      }
      for (const grant of grants) await putGrant(client, id, grant);
    });
  }

  async function putGrant(client: pg.PoolClient, organizationId: string, grant: GrantRecord): Promise<void> {
    const placeholders = GRANT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
    const updates = GRANT_COLUMNS.filter((c) => c !== "organization_id" && c !== "id")
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(", ");
    await client.query(
      `INSERT INTO ${s}.grants (${GRANT_SELECT}) VALUES (${placeholders})
       ON CONFLICT (organization_id, id) DO UPDATE SET ${updates}`,
      grantRowValues(organizationId, grant),
    );
  }

  async function applyChange(client: pg.PoolClient, organizationId: string, change: StorageChange): Promise<void> {
    switch (change.type) {
      case "create_organization":
      case "set_owners":
        await client.query(`UPDATE ${s}.organizations SET owners = $2 WHERE id = $1`, [
          organizationId,
          JSON.stringify(change.owners),
        ]);
        return;
      case "put_grant":
        await putGrant(client, organizationId, change.grant);
        return;
      case "put_user":
        await client.query(
          `INSERT INTO ${s}.users (organization_id, id, department_ids, role_ids) VALUES ($1, $2, $3, $4)
           ON CONFLICT (organization_id, id) DO UPDATE SET department_ids = EXCLUDED.department_ids, role_ids = EXCLUDED.role_ids`,
          [
            organizationId,
            change.user.id,
            JSON.stringify(change.user.department_ids),
            JSON.stringify(change.user.role_ids),
          ],
        );
        return;
      case "put_department":
        await client.query(
          `INSERT INTO ${s}.departments (organization_id, id, parent_id) VALUES ($1, $2, $3)
           ON CONFLICT (organization_id, id) DO UPDATE SET parent_id = EXCLUDED.parent_id`,
          [organizationId, change.department.id, change.department.parent_id],
        );
        return;
      case "delete_department":
        await client.query(`DELETE FROM ${s}.departments WHERE organization_id = $1 AND id = $2`, [
          organizationId,
          change.department_id,
        ]);
        return;
      case "put_composite":
        await client.query(
          `INSERT INTO ${s}.composites (organization_id, id, member_slice_ids) VALUES ($1, $2, $3)
           ON CONFLICT (organization_id, id) DO UPDATE SET member_slice_ids = EXCLUDED.member_slice_ids`,
          [organizationId, change.composite.id, JSON.stringify(change.composite.member_slice_ids)],
        );
        return;
    }
  }

  // ---------------------------------------------------------------- watching

  let listenClient: pg.PoolClient | null = null;
  let listening: Promise<void> | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set when the listening connection was lost: notifications may have been missed meanwhile. */
  let missedNotifications = false;
  /** The newest version told to listeners per organization, so a commit is told once. */
  const told = new Map<string, number>();
  /** The organizations this adapter has loaded, committed or heard of. */
  const known = new Set<string>();

  /**
   * After a reconnection, tells listeners the current version of every organization this
   * adapter knows whose changes may have gone unheard while it was not listening.
   */
  async function catchUp(): Promise<void> {
    if (known.size === 0) return;
    const result = await pool.query<{ id: string; version: string }>(
      `SELECT id, version::text AS version FROM ${s}.organizations WHERE id = ANY($1)`,
      [[...known]],
    );
    for (const row of result.rows) {
      const version = Number(row.version);
      if (version > (told.get(row.id) ?? 0)) tell(row.id, version);
    }
  }

  /** Tells every listener; one that throws is reported and keeps neither the others nor the commit from going on. */
  function tell(organizationId: string, version: number): void {
    known.add(organizationId);
    if (version > (told.get(organizationId) ?? 0)) told.set(organizationId, version);
    for (const listener of [...listeners]) {
      try {
        listener(organizationId, version);
      } catch (error) {
        console.error(`grantpath: a postgres storage listener threw on ${organizationId} v${version}`, error);
      }
    }
  }

  function onNotification(message: pg.Notification): void {
    if (message.channel !== channel || message.payload === undefined) return;
    const change = parseChangePayload(message.payload);
    // This process's own commits were told inside commit(); so were newer versions.
    if (!change || change.version <= (told.get(change.organizationId) ?? 0)) return;
    tell(change.organizationId, change.version);
  }

  /** Connects the listening client once; resolves when `LISTEN` is in place. */
  function startListening(): Promise<void> {
    listening ??= (async () => {
      await whenReady();
      const client = await pool.connect();
      const onError = (error: Error) => {
        if (listenClient === client) missedNotifications = true;
        console.error("grantpath: the postgres storage's LISTEN connection failed; reconnecting", error);
        dropListenClient(client, error);
        scheduleReconnect();
      };
      client.on("error", onError);
      client.on("notification", onNotification);
      try {
        await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        // The error handler stays: a released client may still report its failure.
        client.off("notification", onNotification);
        client.release(error instanceof Error ? error : true);
        throw error;
      }
      if (closed) {
        client.off("notification", onNotification);
        client.release(true);
        return;
      }
      listenClient = client;
      if (missedNotifications) {
        missedNotifications = false;
        await catchUp().catch((error: unknown) => {
          console.error("grantpath: the postgres storage could not catch up after reconnecting", error);
        });
      }
    })().catch((error: unknown) => {
      listening = null;
      if (!closed) {
        console.error("grantpath: the postgres storage could not LISTEN; retrying", error);
        scheduleReconnect();
      }
    });
    return listening;
  }

  function dropListenClient(client: pg.PoolClient, error: Error): void {
    if (listenClient !== client) return;
    listenClient = null;
    listening = null;
    client.removeAllListeners("notification");
    client.release(error);
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== null || listeners.size === 0) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (!closed && listeners.size > 0) void startListening();
    }, RECONNECT_DELAY_MS);
    reconnectTimer.unref?.();
  }

  return {
    name: "postgres",

    async loadOrganization(organizationId: string): Promise<OrganizationSnapshot | null> {
      await whenReady();
      // One statement, so one consistent snapshot of the organization.
      const result = await pool.query<{ version: string; rows: OrganizationRows }>(
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
      );
      const row = result.rows[0];
      if (!row) return null;
      if (listeners.size > 0) known.add(organizationId);
      return { version: Number(row.version), graph: graphFromRows(organizationId, row.rows) };
    },

    async commit(organizationId: string, expectedVersion: number, changes: readonly StorageChange[]): Promise<number> {
      await whenReady();
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        try {
          const nextVersion = await lockVersion(client, organizationId, expectedVersion, changes);
          checkBatch(changes, expectedVersion);
          for (const change of changes) await applyChange(client, organizationId, change);
          await client.query(`UPDATE ${s}.organizations SET version = $2 WHERE id = $1`, [organizationId, nextVersion]);
          await client.query("SELECT pg_notify($1, $2)", [channel, changePayload(organizationId, nextVersion)]);
          await client.query("COMMIT");
          // Watchers in this process hear it now, inside commit; other processes by NOTIFY.
          if (listeners.size > 0 && nextVersion > (told.get(organizationId) ?? 0)) tell(organizationId, nextVersion);
          return nextVersion;
        } catch (error) {
          await client.query("ROLLBACK").catch((rollbackError: unknown) => {
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
          if (isUniqueViolation(error, "organizations_pkey")) {
            throw versionConflict(organizationId, expectedVersion, null);
          }
          throw error;
        }
      } finally {
        client.release(broken);
      }
    },

    async getGrant(organizationId: string, grantId: string): Promise<GrantRecord | null> {
      await whenReady();
      const result = await pool.query<GrantRow>(
        `SELECT ${GRANT_SELECT} FROM ${s}.grants WHERE organization_id = $1 AND id = $2`,
        [organizationId, grantId],
      );
      const row = result.rows[0];
      return row ? grantFromRow(row) : null;
    },

    async listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): Promise<GrantPage> {
      await whenReady();
      const conditions = ["organization_id = $1", "revoked_at IS NULL"];
      const values: (string | number)[] = [organizationId];
      for (const field of ["entity_type", "entity_id", "grantee_type", "grantee_id"] as const) {
        const value = filter[field];
        if (value === undefined) continue;
        values.push(value);
        conditions.push(`${field} = $${values.length}`);
      }
      values.push(Math.max(0, Math.trunc(page.skip)), Math.max(0, Math.trunc(page.limit)));
      // One statement: the count and the page come from the same snapshot.
      const result = await pool.query<{ total: string; items: GrantRow[] }>(
        `WITH matching AS (SELECT ${GRANT_SELECT} FROM ${s}.grants WHERE ${conditions.join(" AND ")})
         SELECT (SELECT count(*) FROM matching)::text AS total,
           coalesce((SELECT json_agg(p ORDER BY p.created_at COLLATE "C", p.id COLLATE "C") FROM (
             SELECT * FROM matching ORDER BY created_at COLLATE "C", id COLLATE "C"
             OFFSET $${values.length - 1} LIMIT $${values.length}) p), '[]') AS items`,
        values,
      );
      const row = result.rows[0];
      return { items: (row?.items ?? []).map(grantFromRow), total: Number(row?.total ?? 0) };
    },

    watch(listener: ChangeListener): () => void {
      listeners.add(listener);
      if (!closed) void startListening();
      return () => {
        listeners.delete(listener);
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      listeners.clear();
      told.clear();
      known.clear();
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      if (listening) await listening;
      const client = listenClient;
      listenClient = null;
      listening = null;
      if (client) {
        try {
          await client.query(`UNLISTEN ${quoteIdentifier(channel)}`);
          client.removeAllListeners("notification");
          client.release();
        } catch (error) {
          client.release(error instanceof Error ? error : true);
        }
      }
      if (ready) await ready.catch(() => {});
      if (ownsPool) await pool.end();
    },
  };

  /**
   * Takes the organization's row lock (or creates the row, for version 0) and checks the
   * version; returns the version the commit will store.
   */
  async function lockVersion(
    client: pg.PoolClient,
    organizationId: string,
    expectedVersion: number,
    changes: readonly StorageChange[],
  ): Promise<number> {
    if (expectedVersion === 0) {
      const first = changes[0];
      if (first?.type !== "create_organization" || !Array.isArray(first.owners)) {
        const existing = await client.query<{ version: string }>(
          `SELECT version::text AS version FROM ${s}.organizations WHERE id = $1`,
          [organizationId],
        );
        const row = existing.rows[0];
        if (row) throw versionConflict(organizationId, expectedVersion, Number(row.version));
        throw new AccessError(
          "RESOURCE_NOT_FOUND",
          { organization_id: organizationId },
          { system_message: "Organization not found" },
        );
      }
      // Waits for a concurrent creation of the same organization; if that one commits, this one
      // inserts nothing and conflicts.
      const inserted = await client.query(
        `INSERT INTO ${s}.organizations (id, version, owners) VALUES ($1, 1, $2) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [organizationId, JSON.stringify(first.owners)],
      );
      if (inserted.rowCount === 0) throw versionConflict(organizationId, expectedVersion, null);
      return 1;
    }
    const locked = await client.query<{ version: string }>(
      `SELECT version::text AS version FROM ${s}.organizations WHERE id = $1 FOR UPDATE`,
      [organizationId],
    );
    const actual = Number(locked.rows[0]?.version ?? 0);
    if (actual !== expectedVersion) throw versionConflict(organizationId, expectedVersion, actual);
    return actual + 1;
  }
}

/** Runs `body` in a transaction on `client`, rolling back when it throws. */
async function transaction(client: pg.PoolClient, body: () => Promise<void>): Promise<void> {
  await client.query("BEGIN");
  try {
    await body();
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

function versionConflict(organizationId: string, expectedVersion: number, actualVersion: number | null): AccessError {
  return new AccessError("VERSION_CONFLICT", {
    organization_id: organizationId,
    expected_version: expectedVersion,
    ...(actualVersion === null ? {} : { actual_version: actualVersion }),
  });
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return error instanceof pg.DatabaseError && error.code === "23505" && error.constraint === constraint;
}
