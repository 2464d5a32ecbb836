/**
 * `grantpath/postgres`: the PostgreSQL storage adapter, on the `pg` driver (an optional peer
 * dependency: install it yourself). Nothing in the core or the default entry imports it.
 *
 * @example
 * ```ts
 * import { createAccessControl } from "grantpath";
 * import { postgresStorage } from "grantpath/postgres";
 *
 * const storage = postgresStorage({ connectionString: "postgres://app@db.internal:5432/app" });
 * const accessControl = createAccessControl({ storage });
 * ```
 * @module
 */
export { type PostgresStorageOptions, postgresStorage } from "./postgres-storage.js";
