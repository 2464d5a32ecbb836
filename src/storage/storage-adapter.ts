/**
 * The storage adapter contract: the few methods the grant-management service needs from a
 * database. An adapter stores organizations (their directory and every grant, revoked ones
 * included) and applies batches of changes atomically under optimistic concurrency.
 *
 * Every method may return a value or a promise; the service awaits either. See
 * `docs/storage-adapters.md` for how to write one.
 * @module
 */
import type { CompositeInput, DepartmentInput, GraphGrant, GraphInput, UserInput } from "../core/index.js";

/**
 * A value, or a promise of it: adapters over synchronous drivers need not wrap results.
 *
 * @example
 * ```ts
 * const version: Awaitable<number> = adapter.commit("org_1", 3, changes); // a number or a promise of one
 * ```
 */
export type Awaitable<T> = T | Promise<T>;

/**
 * A grant as stored and as served over the wire (the seed's grant object), plus `revoked_at`
 * once it has been revoked. Revoked grants stay stored for audit.
 *
 * @example
 * ```ts
 * const grant: GrantRecord = {
 *   id: "agrant_abc123def456", entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *   grantee_type: "user", grantee_id: "usr_def456", access_level: "read",
 *   granted_by: "usr_owner1", organization_id: "org_xyz789",
 *   created_at: "2025-06-15T10:00:00Z", updated_at: "2025-06-15T10:00:00Z",
 * };
 * ```
 */
export interface GrantRecord extends Omit<GraphGrant, "created_at" | "updated_at"> {
  /** When the grant was made (ISO-8601). */
  readonly created_at: string;
  /** When the grant last changed (ISO-8601). */
  readonly updated_at: string;
  /** When the grant was revoked; absent while it is active. */
  readonly revoked_at?: string;
}

/**
 * One organization as the service loads it: its graph (with only the grants that are not
 * revoked, each carrying all its fields) and the version that a commit must name.
 *
 * @example
 * ```ts
 * const snapshot: OrganizationSnapshot = { version: 1, graph: { organization_id: "org_1", owners: ["usr_owner1"] } };
 * ```
 */
export interface OrganizationSnapshot {
  /** Grows by at least one with every commit; 0 is never a stored organization's version. */
  readonly version: number;
  /** The directory and the active (not revoked) grants. */
  readonly graph: GraphInput;
}

/**
 * One change in an atomic batch. `put_*` changes insert or replace by id; revoking a grant is
 * a `put_grant` whose grant carries `revoked_at`.
 *
 * @example
 * ```ts
 * const changes: StorageChange[] = [
 *   { type: "create_organization", owners: ["usr_owner1"] },
 *   { type: "put_department", department: { id: "dept_eng01", parent_id: null } },
 * ];
 * ```
 */
export type StorageChange =
  | { readonly type: "create_organization"; readonly owners: readonly string[] }
  | { readonly type: "set_owners"; readonly owners: readonly string[] }
  | { readonly type: "put_grant"; readonly grant: GrantRecord }
  | { readonly type: "put_user"; readonly user: Required<UserInput> }
  | { readonly type: "put_department"; readonly department: Required<DepartmentInput> }
  | { readonly type: "delete_department"; readonly department_id: string }
  | { readonly type: "put_composite"; readonly composite: CompositeInput };

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
 * Called when an organization changed, with the version it has now.
 *
 * @example
 * ```ts
 * const onChange: ChangeListener = (organizationId, version) => console.log(organizationId, version);
 * ```
 */
export type ChangeListener = (organizationId: string, version: number) => void;

/**
 * What the service needs from a database. Implement it to put grantpath on your own store, and
 * check your adapter with `runStorageConformance` from `grantpath/testing`.
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
   * The organization's current snapshot, or `null` when it does not exist.
   */
  loadOrganization(organizationId: string): Awaitable<OrganizationSnapshot | null>;
  /**
   * Applies `changes`, in order, in one atomic step if the organization's version is still
   * `expectedVersion` (0: the organization must not exist yet, and the batch must start with
   * `create_organization`), and returns the new version. Otherwise it changes nothing and throws
   * an `AccessError` with code `VERSION_CONFLICT`; the service then reloads and retries.
   */
  commit(organizationId: string, expectedVersion: number, changes: readonly StorageChange[]): Awaitable<number>;
  /** One grant by id, revoked or not, or `null`. */
  getGrant(organizationId: string, grantId: string): Awaitable<GrantRecord | null>;
  /** A page of the organization's grants that are not revoked and match `filter`. */
  listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): Awaitable<GrantPage>;
  /**
   * Optional: calls `listener` whenever an organization changes, including through other
   * processes (inside `commit` or within about a second); returns a function that stops
   * listening. A listener that throws must not fail the commit. Without it, a service notices
   * other writers only when a commit conflicts or a write it would refuse or skip is re-checked,
   * so its reads can lag: several processes sharing one database should implement it.
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
