/**
 * `grantpath/d1`: the Cloudflare D1 storage adapter. It talks to D1 only through the binding you
 * give it (`env.DB`), imports no Node built-in and no package, and runs in workerd.
 *
 * @example
 * ```ts
 * import { createAccessControl } from "grantpath";
 * import { d1Storage } from "grantpath/d1";
 *
 * const accessControl = createAccessControl({ storage: d1Storage(env.DB) });
 * ```
 * @module
 */
export type { D1DatabaseLike, D1PreparedStatementLike, D1ResultLike } from "./d1-binding.js";
export { type D1StorageOptions, d1Storage } from "./d1-storage.js";
