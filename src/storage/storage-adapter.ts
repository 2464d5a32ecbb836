/**
 * The storage adapter contract: the few methods the grant-management service needs from a
 * database. An adapter stores organizations (their directory and every grant, revoked ones
 * included) and their change logs, and applies batches of changes atomically under optimistic
 * concurrency.
 *
 * Every method may return a value or a promise; the service awaits either. See
 * `docs/storage-adapters.md` for how to write one.
 * @module
 */
import type { ChangePage, Commit, GrantRecord, OrganizationSnapshot, StorageChange } from "../core/index.js";

export type { ChangePage, Commit, GrantRecord, OrganizationSnapshot, StorageChange };

/**
 * A value, or a promise of it: adapters over synchronous drivers need not wrap results.
 *
 * @example
 * ```ts
 * const revision: Awaitable<number> = adapter.commit("org_1", 3, changes); // a number or a promise of one
 * ```
 */
export type Awaitable<T> = T | Promise<T>;

/**
 * Which grants a listing asks for; every field given must match. Only grants that are not
 * revoked are listed.
 *
 * @example
 * ```ts
 * const filter: GrantFilter = { entity_type: "knowledge_slice", entity_id: "kslice_abc123" };
 * ```
 */
export interface GrantFilter {
  /** Only grants on this entity type. */
  readonly entity_type?: GrantRecord["entity_type"];
  /** Only grants on this entity. */
  readonly entity_id?: string;
  /** Only grants to this grantee type. */
  readonly grantee_type?: GrantRecord["grantee_type"];
  /** Only grants to this grantee. */
  readonly grantee_id?: string;
}

/**
 * A window into a listing: skip this many, return at most `limit`.
 *
 * @example
 * ```ts
 * const second: PageRequest = { skip: 20, limit: 20 };
 * ```
 */
export interface PageRequest {
  /** How many matching grants to skip (≥ 0). */
  readonly skip: number;
  /** The most grants to return (1–100). */
  readonly limit: number;
}

/**
 * One page of a listing, in the stable order `created_at`, then `id`, and how many match in all.
 *
 * @example
 * ```ts
 * const page: GrantPage = { items: [], total: 0 };
 * ```
 */
export interface GrantPage {
  /** The grants on this page. */
  readonly items: GrantRecord[];
  /** How many grants match the filter in all. */
  readonly total: number;
}

/**
 * Called when an organization changed, with the revision it has now.
 *
 * @example
 * ```ts
 * const onChange: ChangeListener = (organizationId, revision) => console.log(organizationId, revision);
 * ```
 */
export type ChangeListener = (organizationId: string, revision: number) => void;

/**
 * What a commit records besides its changes.
 *
 * @example
 * ```ts
 * const options: CommitOptions = { committed_at: "2025-06-15T10:00:00Z" };
 * ```
 */
export interface CommitOptions {
  /** When the commit happened (wire format: ISO-8601, whole seconds, UTC). Default: the adapter's clock. */
  readonly committed_at?: string;
}

/**
 * Decides a write on the organization's latest state: given the commits after the revision the
 * writer knew (oldest first; empty when it was current), it returns the changes to commit, or
 * throws to commit nothing. It runs synchronously while the adapter holds the organization's
 * write lock, so it must not wait on anything.
 *
 * @example
 * ```ts
 * const plan: CommitPlan = (missed) => (missed.length > 0 ? [] : [{ type: "set_owners", owners: ["usr_owner1"] }]);
 * ```
 */
export type CommitPlan = (missed: readonly Commit[]) => readonly StorageChange[];

/**
 * What the service needs from a database. Implement it to put grantpath on your own store, and
 * check your adapter with `runStorageConformance` from `grantpath/testing/vitest`; the pieces
 * every built-in adapter uses are in `grantpath/adapter`.
 *
 * Every organization has a **revision** that grows by one with each commit, and a **change log**:
 * each commit's changes, stored under its revision in the same atomic step as the data, so that
 * other instances (and replicas) can follow the organization by reading what changed instead of
 * reloading it. The log may be trimmed from its old end ({@link StorageAdapter.trimChanges});
 * it never has gaps.
 *
 * @example
 * ```ts
 * import { createAccessControl, memoryStorage } from "grantpath";
 *
 * const storage: StorageAdapter = memoryStorage();
 * const accessControl = createAccessControl({ storage });
 * ```
 */
export interface StorageAdapter {
  /** A short name for logs and test titles, e.g. `memory` or `sqlite`. */
  readonly name: string;
  /**
   * The organization's current snapshot, or `null` when it does not exist. It must be one
   * consistent state: the graph exactly as of the revision it reports.
   */
  loadOrganization(organizationId: string): Awaitable<OrganizationSnapshot | null>;
  /**
   * Applies `changes`, in order, in one atomic step if the organization's revision is still
   * `expectedRevision` (0: the organization must not exist yet, and the batch must start with
   * `create_organization`), appends them to the change log as the next revision, and returns
   * that revision. Otherwise it changes nothing and throws an `AccessError` with code
   * `VERSION_CONFLICT`; the service then catches up and tries again.
   */
  commit(
    organizationId: string,
    expectedRevision: number,
    changes: readonly StorageChange[],
    options?: CommitOptions,
  ): Awaitable<number>;
  /**
   * Optional: commits on the latest state under the organization's write lock, so a writer never
   * loses a race. It passes `plan` every commit after `knownRevision` (all of them, oldest first),
   * commits what `plan` returns as the next revision and returns it; when `plan` returns no
   * changes it commits nothing and returns the current revision; when `plan` throws it commits
   * nothing and throws the same error. It throws `CHANGES_EXPIRED` when the log no longer reaches
   * back to `knownRevision`. Without it, the service retries `commit` on version conflicts, and a
   * writer that keeps losing to busier ones may give up with `VERSION_CONFLICT`.
   */
  commitLatest?(
    organizationId: string,
    knownRevision: number,
    plan: CommitPlan,
    options?: CommitOptions,
  ): Awaitable<number>;
  /**
   * The commits after revision `since`, oldest first, at most `limit` of them (whole commits,
   * never part of one), with the organization's current revision; `null` when the organization
   * does not exist. Throws an `AccessError` `CHANGES_EXPIRED` (with `details.oldest_revision`,
   * the oldest revision the log still holds) when the log was trimmed past `since`. A `since` at
   * or beyond the current revision answers no commits.
   */
  readChanges(organizationId: string, since: number, limit: number): Awaitable<ChangePage | null>;
  /**
   * Drops the log's commits up to and including `throughRevision` (at most the current
   * revision), so readers asking for changes since an earlier revision get `CHANGES_EXPIRED`
   * and start again from a snapshot. Returns the oldest revision the log still holds (one past
   * the current revision when it holds none); trimming never touches the data.
   */
  trimChanges(organizationId: string, throughRevision: number): Awaitable<number>;
  /** One grant by id, revoked or not, or `null`. */
  getGrant(organizationId: string, grantId: string): Awaitable<GrantRecord | null>;
  /** A page of the organization's grants that are not revoked and match `filter`. */
  listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): Awaitable<GrantPage>;
  /**
   * Optional: calls `listener` whenever an organization changes, including through other
   * processes (inside `commit` or within about a second); returns a function that stops
   * listening. A listener that throws must not fail the commit. Without it, a service notices
   * other writers only when it writes or is asked for a `minRevision`, so its reads can lag:
   * several processes sharing one database should implement it.
   */
  watch?(listener: ChangeListener): () => void;
  /** Optional: releases connections, files and timers. */
  close?(): Awaitable<void>;
}

/**
 * A function that makes an adapter from its options, such as `memoryStorage`.
 *
 * @example
 * ```ts
 * const factory: StorageFactory<MemoryStorageOptions> = memoryStorage;
 * ```
 */
export type StorageFactory<Options> = (options: Options) => StorageAdapter;
