/**
 * The pure core: types, errors, the immutable access graph, its writes and the three
 * questions (resolve, check, users with access). No I/O, no Node built-ins; it runs
 * unchanged in browsers and edge workers.
 * @module
 */
export { applyChanges } from "./apply-changes.js";
export type { ChangePage, Commit, GrantRecord, OrganizationSnapshot, StorageChange } from "./changes.js";
export { checkAccess } from "./check-access.js";
export { type CreateGraphOptions, createGraph } from "./create-graph.js";
export { type AccessChange, type AccessDiff, type DiffAccessOptions, diffAccess } from "./diff-access.js";
export {
  AccessError,
  type AccessErrorJSON,
  type AccessErrorOptions,
  ERROR_CATALOG,
  type ErrorCatalogEntry,
  type ErrorCode,
  type ErrorDetails,
  isAccessError,
} from "./errors.js";
export { compareGrantPaths } from "./grant-paths.js";
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
} from "./graph-reads.js";
export type { AccessGraph } from "./graph-state.js";
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
} from "./graph-writes.js";
export { ID_PREFIXES, type IdKind, isValidId } from "./ids.js";
export { compareAccessLevels, levelSatisfies } from "./levels.js";
export { DEFAULT_LIMITS, type GraphLimits } from "./limits.js";
export { resolveAccess } from "./resolve-access.js";
export {
  type ExpiringGrantFinding,
  type GrantFinding,
  type GrantFindingBase,
  type GrantReview,
  type RedundantGrantFinding,
  type ReviewGrantsOptions,
  reviewGrants,
  type UnreachableGrantFinding,
} from "./review-grants.js";
export * from "./types.js";
export { usersWithAccess } from "./users-with-access.js";
