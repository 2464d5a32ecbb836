/**
 * grantpath: an embeddable authorization engine. Resolve, for any user, every entity they can
 * reach with the highest effective access level and the grant paths that explain it.
 *
 * This entry is the pure core and runs anywhere JavaScript runs.
 * @packageDocumentation
 */
export * from "./core/index.js";
