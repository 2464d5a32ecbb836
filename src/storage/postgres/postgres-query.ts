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
