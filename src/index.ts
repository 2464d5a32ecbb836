/**
 * grantpath: an embeddable authorization engine. Resolve, for any user, every entity they can
 * reach with the highest effective access level and the grant paths that explain it; manage
 * grants through a service over pluggable storage.
 *
 * This entry uses no Node built-in and runs anywhere JavaScript runs.
 * @packageDocumentation
 */
export * from "./core/index.js";
export * from "./http/index.js";
export * from "./service/index.js";
export * from "./storage/index.js";
