/**
 * Hearing other engines' commits through `LISTEN`/`NOTIFY`: one dedicated connection, checked
 * by a heartbeat, reconnected after any failure, and followed by a catch-up that tells listeners
 * what they may have missed while it was down.
 * @module
 */
import type pg from "pg";
import { changeListeners } from "../change-listeners.js";
import { parseChangePayload } from "../sql-rows.js";
import type { ChangeListener } from "../storage-adapter.js";
import { quoteIdentifier } from "./migrations.js";
import { timedQuery } from "./postgres-query.js";

/** How long to wait before connecting the listening client again after it failed. */
const RECONNECT_DELAY_MS = 250;
/** How many organizations the catch-up after a reconnection asks about (the most recently heard). */
const KNOWN_LIMIT = 100_000;

/** What the adapter needs from its notifier. */
export interface ChangeNotifier {
  /** Adds a listener (connecting on the first); returns the function that removes it. */
  watch(listener: ChangeListener): () => void;
  /** Tells listeners of a commit made through this adapter, now rather than by the round trip. */
  tell(organizationId: string, revision: number): void;
  /** Notes an organization whose commits listeners care about (it is loaded or committed here). */
  remember(organizationId: string): void;
  /** Whether anyone listens. */
  readonly listening: boolean;
  /** Stops listening and releases the connection. */
  close(): Promise<void>;
}

/** Options of {@link postgresNotifier}. */
export interface NotifierOptions {
  /**
   * A pool client within the connect deadline. Not `pool.connect()`: a pool made without a
   * connection timeout would wait on a silent network for ever, and the listener never come back.
   */
  readonly connect: () => Promise<pg.PoolClient>;
  /** The schema, quoted. */
  readonly schema: string;
  /** The notification channel (unquoted). */
  readonly channel: string;
  /** Resolves once the schema is migrated. */
  readonly whenReady: () => Promise<void>;
  /** How often the listening connection proves it is alive. */
  readonly heartbeatMs: number;
  /** How long a heartbeat may take before the connection counts as dead. */
  readonly queryTimeoutMs: number;
}

/** Creates the notifier; nothing connects until the first `watch`. */
export function postgresNotifier(options: NotifierOptions): ChangeNotifier {
  const { schema: s, channel } = options;
  const listeners = changeListeners("postgres");
  /** The newest revision told per organization (insertion order: least recently heard first). */
  const told = new Map<string, number>();
  let client: pg.PoolClient | null = null;
  let connecting: Promise<void> | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  /** Set when the listening connection was lost: notifications may have been missed meanwhile. */
  let missed = false;
  let closed = false;

  function remember(organizationId: string, revision = 0): void {
    const previous = told.get(organizationId) ?? 0;
    told.delete(organizationId);
    told.set(organizationId, Math.max(previous, revision));
    if (told.size > KNOWN_LIMIT) told.delete(told.keys().next().value as string);
  }

  function tell(organizationId: string, revision: number): void {
    if (revision <= (told.get(organizationId) ?? 0)) return;
    remember(organizationId, revision);
    listeners.tell(organizationId, revision);
  }

  function onNotification(message: pg.Notification): void {
    if (message.channel !== channel || message.payload === undefined) return;
    const change = parseChangePayload(message.payload);
    if (change) tell(change.organizationId, change.version);
  }

  /**
   * Tells listeners the current revision of every organization whose commits may have gone
   * unheard. It asks on the listening connection, which has just answered: another connection
   * from the pool could be one of those that went silent with it.
   */
  async function catchUp(listening: pg.PoolClient): Promise<void> {
    if (told.size === 0) return;
    const result = await timedQuery<{ id: string; version: string }>(
      listening,
      options.queryTimeoutMs,
      `SELECT id, version::text AS version FROM ${s}.organizations WHERE id = ANY($1)`,
      [[...told.keys()]],
    );
    for (const row of result.rows) tell(row.id, Number(row.version));
  }

  function connect(): Promise<void> {
    connecting ??= (async () => {
      await options.whenReady();
      const fresh = await options.connect();
      const onError = (error: Error) => fail(fresh, error);
      fresh.on("error", onError);
      fresh.on("notification", onNotification);
      try {
        await timedQuery(fresh, options.queryTimeoutMs, `LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        // The error handler stays: a released client may still report its failure.
        fresh.off("notification", onNotification);
        fresh.release(error instanceof Error ? error : true);
        throw error;
      }
      if (closed) {
        fresh.off("notification", onNotification);
        fresh.release(true);
        return;
      }
      client = fresh;
      startHeartbeat();
      if (missed) {
        missed = false;
        // Unless it catches up, what was missed stays unheard: a failure drops the connection, and
        // the next one tries again.
        await catchUp(fresh).catch((error: unknown) => {
          console.error("grantpath: the postgres storage could not catch up after reconnecting", error);
          fail(fresh, error instanceof Error ? error : new Error(String(error)));
        });
      }
    })().catch((error: unknown) => {
      connecting = null;
      if (!closed) {
        missed = true;
        console.error("grantpath: the postgres storage could not LISTEN; retrying", error);
        scheduleReconnect();
      }
    });
    return connecting;
  }

  /** The listening connection failed (an error, or a heartbeat that did not come back): replace it. */
  function fail(failed: pg.PoolClient, error: Error): void {
    if (client !== failed) return;
    console.error("grantpath: the postgres storage's LISTEN connection failed; reconnecting", error);
    client = null;
    connecting = null;
    missed = true;
    stopHeartbeat();
    failed.removeAllListeners("notification");
    failed.release(error);
    scheduleReconnect();
  }

  function startHeartbeat(): void {
    stopHeartbeat();
    heartbeatTimer = setInterval(() => {
      const current = client;
      if (!current) return;
      timedQuery(current, options.queryTimeoutMs, "SELECT 1").catch((error: unknown) =>
        fail(current, error instanceof Error ? error : new Error(String(error))),
      );
    }, options.heartbeatMs);
    heartbeatTimer.unref?.();
  }

  function stopHeartbeat(): void {
    if (heartbeatTimer !== null) clearInterval(heartbeatTimer);
    heartbeatTimer = null;
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== null || listeners.size === 0) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (!closed && listeners.size > 0) void connect();
    }, RECONNECT_DELAY_MS);
    reconnectTimer.unref?.();
  }

  return {
    watch(listener) {
      const stop = listeners.add(listener);
      if (!closed) void connect();
      return () => {
        stop();
      };
    },

    tell,

    remember(organizationId) {
      if (listeners.size > 0) remember(organizationId, told.get(organizationId) ?? 0);
    },

    get listening() {
      return listeners.size > 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      told.clear();
      stopHeartbeat();
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      if (connecting) await connecting;
      const current = client;
      client = null;
      connecting = null;
      if (current) {
        try {
          await timedQuery(current, options.queryTimeoutMs, `UNLISTEN ${quoteIdentifier(channel)}`);
          current.removeAllListeners("notification");
          current.release();
        } catch (error) {
          current.release(error instanceof Error ? error : true);
        }
      }
    },
  };
}
