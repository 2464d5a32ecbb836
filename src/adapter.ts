/**
 * `grantpath/adapter`: what writing a storage adapter takes — the contract's types and the
 * pieces every built-in adapter uses, so yours need not write them again: the listing order,
 * the batch check, the listener set, the change-log errors and retention, grant records in the
 * wire format, and an organization kept as maps with what each change does to it. Check your
 * adapter with `runStorageConformance` from `grantpath/testing/vitest`.
 *
 * @example
 * ```ts
 * import { changeListeners, checkBatch, type StorageAdapter } from "grantpath/adapter";
 * ```
 * @packageDocumentation
 */

export { organizationNotFound, storageUnavailable, versionConflict } from "./core/error-constructors.js";
export { checkBatch } from "./storage/change-batch.js";
export { type ChangeListeners, changeListeners } from "./storage/change-listeners.js";
export {
  type ChangeRetention,
  changesExpired,
  checkRetention,
} from "./storage/change-log.js";
export { expiresAtOf, revokedAtOf, toGrantRecord, wireTimestamp } from "./storage/grant-records.js";
export { compareListed } from "./storage/memory-storage.js";
export {
  applyStoredChange,
  emptyState,
  type OrganizationState,
  type StoredMemberships,
  stateFromGraph,
  stateToGraph,
} from "./storage/organization-state.js";
export type {
  Awaitable,
  ChangeListener,
  ChangePage,
  Commit,
  CommitOptions,
  CommitPlan,
  GrantFilter,
  GrantPage,
  GrantRecord,
  OrganizationSnapshot,
  PageRequest,
  StorageAdapter,
  StorageChange,
  StorageFactory,
} from "./storage/storage-adapter.js";
