/**
 * The part of Cloudflare's D1 binding the adapter uses, typed structurally: `env.DB` in a
 * Worker, a session from `env.DB.withSession()`, or miniflare's `getD1Database()` proxy all fit,
 * and nothing of `@cloudflare/workers-types` is needed at run time.
 * @module
 */

/**
 * What a D1 statement answers: its rows (none for a write).
 *
 * @example
 * ```ts
 * const result: D1ResultLike<{ id: string }> = await database.prepare("SELECT id FROM organizations").all();
 * result.results.map((row) => row.id);
 * ```
 */
export interface D1ResultLike<T> {
  /** The rows, as objects keyed by column name. */
  readonly results: T[];
}

/**
 * A prepared D1 statement: values are bound to its `?` parameters, then it runs alone (`all`) or
 * inside a batch.
 *
 * @example
 * ```ts
 * const statement: D1PreparedStatementLike = database.prepare("SELECT version FROM organizations WHERE id = ?");
 * const { results } = await statement.bind("org_acme").all<{ version: number }>();
 * ```
 */
export interface D1PreparedStatementLike {
  /** The statement with these values bound to its parameters, in order. */
  bind(...values: unknown[]): D1PreparedStatementLike;
  /** Runs the statement alone and answers every row. */
  all<T = Record<string, unknown>>(): Promise<D1ResultLike<T>>;
}

/**
 * A D1 database as the adapter needs it: statements, and `batch`, which runs statements in order
 * in one transaction (all of them take effect, or none). Cloudflare's `D1Database` and
 * `D1DatabaseSession` both have this shape.
 *
 * @example
 * ```ts
 * import { d1Storage, type D1DatabaseLike } from "grantpath/d1";
 *
 * export default {
 *   fetch(request: Request, env: { DB: D1DatabaseLike }) {
 *     const storage = d1Storage(env.DB);
 *     // …
 *   },
 * };
 * ```
 */
export interface D1DatabaseLike {
  /** A statement of one SQL command, with `?` or `?NNN` parameters. */
  prepare(query: string): D1PreparedStatementLike;
  /** Runs the statements in order, in one transaction; when one fails, none takes effect. */
  batch<T = unknown>(statements: D1PreparedStatementLike[]): Promise<D1ResultLike<T>[]>;
}
