/**
 * grantpath: an embeddable authorization engine. Resolve, for any user, every entity they can
 * reach with the highest effective access level and the grant paths that explain it; manage
 * grants through a service over pluggable storage.
 *
 * This is the entry for application code, and it uses no Node built-in: it runs anywhere
 * JavaScript runs. Other audiences have their own entries: `grantpath/adapter` (writing a
 * storage adapter), `grantpath/openapi` (the REST API's OpenAPI document), `grantpath/testing`
 * (a test kit for any runner) and `grantpath/testing/vitest` (the conformance suite);
 * `grantpath/node`, `grantpath/sqlite` and `grantpath/postgres` need Node.
 * @packageDocumentation
 */

// The graph and its questions.
export { applyChanges } from "./core/apply-changes.js";
export type { ChangePage, Commit, GrantRecord, OrganizationSnapshot, StorageChange } from "./core/changes.js";
export { checkAccess } from "./core/check-access.js";
export { type CreateGraphOptions, createGraph } from "./core/create-graph.js";
export { type AccessChange, type AccessDiff, type DiffAccessOptions, diffAccess } from "./core/diff-access.js";
export {
  AccessError,
  type AccessErrorJSON,
  type AccessErrorOptions,
  ERROR_CATALOG,
  type ErrorCatalogEntry,
  type ErrorCode,
  type ErrorDetails,
  isAccessError,
} from "./core/errors.js";
export {
  type DepartmentInfo,
  findGrant,
  type GraphSize,
  getComposite,
  getDepartment,
  getGrant,
  getUser,
  graphSize,
  graphToInput,
  isOwner,
} from "./core/graph-reads.js";
export type { AccessGraph } from "./core/graph-state.js";
export {
  addGrant,
  createDepartment,
  expireGrant,
  moveDepartment,
  removeDepartment,
  revokeGrant,
  setCompositeMembers,
  setOwners,
  setUserDepartments,
  setUserRoles,
  type UpdateGrantOptions,
  updateGrantLevel,
} from "./core/graph-writes.js";
export { ID_PREFIXES, type IdKind, isValidId } from "./core/ids.js";
export { compareAccessLevels, levelSatisfies } from "./core/levels.js";
export { DEFAULT_LIMITS, type GraphLimits } from "./core/limits.js";
export { resolveAccess } from "./core/resolve-access.js";
export {
  type ExpiringGrantFinding,
  type GrantFinding,
  type GrantFindingBase,
  type GrantReview,
  type RedundantGrantFinding,
  type ReviewGrantsOptions,
  reviewGrants,
  type UnreachableGrantFinding,
} from "./core/review-grants.js";
export * from "./core/types.js";
export { usersWithAccess } from "./core/users-with-access.js";

// The service, its embedded storage and the REST handler.
export * from "./http/index.js";
export * from "./service/index.js";
export type { ChangeRetention } from "./storage/change-log.js";
export { type MemoryStorageOptions, memoryStorage } from "./storage/memory-storage.js";
export type { StorageAdapter } from "./storage/storage-adapter.js";
