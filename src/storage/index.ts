/**
 * Storage: the adapter contract and the embedded in-memory adapter.
 * @module
 */
export type { ChangeRetention } from "./change-log.js";
export { toGrantRecord, wireTimestamp } from "./grant-records.js";
export { compareListed, type MemoryStorageOptions, memoryStorage } from "./memory-storage.js";
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
} from "./storage-adapter.js";
