/**
 * A query with a client-side deadline. node-postgres honours `query_timeout` per query, though
 * its type definitions leave it out; a stalled server cannot enforce its own `statement_timeout`.
 * @module
 */
import type pg from "pg";

/** What runs queries: a pool or a client. */
export type Queryable = pg.ClientBase | pg.Pool;

/** Runs `text` with `values`, failing with node-postgres' `Query read timeout` after `timeoutMs`. */
export function timedQuery<R extends pg.QueryResultRow>(
  target: Queryable,
  timeoutMs: number,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const config: pg.QueryConfig & { readonly query_timeout: number } = { text, values, query_timeout: timeoutMs };
  return target.query<R>(config);
}

/**
 * `client` with a deadline on every `query(text, values)` and `query(config)` it is asked for,
 * for code that calls `client.query` itself (the migrations): without it, a connection that goes
 * silent while migrating would hold the first call for ever. Other members pass through.
 */
export function withQueryDeadline<C extends pg.ClientBase>(client: C, timeoutMs: number): C {
  const query = (textOrConfig: string | pg.QueryConfig, values?: unknown[]) =>
    typeof textOrConfig === "string"
      ? timedQuery(client, timeoutMs, textOrConfig, values)
      : client.query({ ...textOrConfig, query_timeout: timeoutMs } as pg.QueryConfig);
  return new Proxy(client, {
    get: (target, property) => (property === "query" ? query : Reflect.get(target, property, target)),
  });
}
