/**
 * The service's public shapes: its options, the inputs and answers of its operations, and the
 * {@link AccessControl} interface itself. `access-control.ts` implements them.
 * @module
 */
import type {
  AccessChange,
  AccessCheck,
  AccessGraph,
  AccessLevel,
  AccessPageRequest,
  CompositeInput,
  DepartmentInput,
  EntityType,
  ErrorCode,
  ErrorDetails,
  GranteeType,
  GraphInput,
  GraphLimits,
  ResolvedAccess,
  ResolvedAccessPage,
  UsersWithAccess,
  UsersWithAccessPage,
} from "../core/index.js";
import type { ChangePage, GrantFilter, GrantRecord, StorageAdapter } from "../storage/storage-adapter.js";

/**
 * Options of {@link createAccessControl}.
 *
 * @example
 * ```ts
 * const options: AccessControlOptions = { storage: memoryStorage(), clock: () => new Date("2025-06-15T10:00:00Z") };
 * ```
 */
export interface AccessControlOptions {
  /** Where organizations and grants live, e.g. `memoryStorage()`. */
  readonly storage: StorageAdapter;
  /** The clock for `created_at`, `updated_at`, `revoked_at` and for deciding expiry. Default: the system clock. */
  readonly clock?: () => Date;
  /** Generates grant ids (`agrant_*`). Default: 96 random bits from `crypto.getRandomValues`. */
  readonly ids?: () => string;
  /**
   * How many times, in all, a write is tried when it keeps losing races to other writers (≥ 1).
   * Only adapters without `commitLatest` lose races; the built-in ones plan every write under the
   * organization's lock. Default 10.
   */
  readonly maxAttempts?: number;
  /**
   * The most an instance keeps in memory, counted in grants: each organization held weighs its
   * grants, users, departments and composites, plus 100. Past it, the least recently used
   * organizations are let go (and loaded again when next asked for); the one in use is always
   * kept. Default 1 000 000 (about 250 MB of graphs).
   */
  readonly maxCachedGrants?: number;
  /**
   * Bounds every organization's graph keeps: department depth, composite depth and size (see
   * `GraphLimits`; defaults `DEFAULT_LIMITS`). A write past one fails with a `VALIDATION_ERROR`
   * naming it; a stored organization past one does not load (`STORED_DATA_INVALID`, 500).
   */
  readonly limits?: GraphLimits;
  /**
   * Called with errors of work no caller awaits, such as catching up with another instance's
   * commits in the background (the service retries it), and with every `STORED_DATA_INVALID`:
   * stored data that fails validation (the call that met it rejects with the same error, 500).
   * Default: `console.error`.
   */
  readonly onError?: (error: unknown) => void;
}

/**
 * Per-call options every service method takes last: read your writes across instances, and
 * learn the revision an answer reflects (over HTTP, the `Grantpath-Revision` header).
 *
 * @example
 * ```ts
 * let revision = 0;
 * await accessControl.createGrant("org_xyz789", "usr_owner1", grant, { onRevision: (r) => (revision = r) });
 * // on another instance: the answer reflects that grant, or a later state
 * await other.resolveAccess("org_xyz789", "usr_owner1", "usr_def456", {}, { minRevision: revision });
 * ```
 */
export interface CallOptions {
  /**
   * Answer from this revision or a later one: an instance behind it reads the change log first.
   * Beyond the organization's current revision: `VALIDATION_ERROR` naming `min_revision`.
   */
  readonly minRevision?: number;
  /**
   * Called, before the call resolves, with the revision the answer was computed on (a read) or
   * that the write committed (for a write that changed nothing, the current revision).
   */
  readonly onRevision?: (revision: number) => void;
  /**
   * Called by the access questions (`resolveAccess`, `checkAccess`, `bulkCheckAccess`,
   * `usersWithAccess`), before the call resolves, with the instant the answer next changes by
   * itself — the earliest expiry of a grant in it — or `null` if none expires: how long a cache
   * may keep it, unless a write changes it first (the HTTP layer's `Cache-Control`).
   */
  readonly onNextChange?: (nextChangeAt: Date | null) => void;
}

/**
 * Which page of the change log to read (`GET /access/changes`).
 *
 * @example
 * ```ts
 * const query: ChangesQuery = { since: 41, limit: 500 }; // the commits after revision 41
 * ```
 */
export interface ChangesQuery {
  /** Commits after this revision (default 0: from the start). */
  readonly since?: number;
  /** The most commits to return, 1–1000 (default 100). */
  readonly limit?: number;
}

/**
 * An organization as of one revision, as plain JSON (`GET /access/snapshot`).
 *
 * @example
 * ```ts
 * const { revision, graph }: SnapshotAnswer = await accessControl.snapshot("org_xyz789", "usr_owner1");
 * ```
 */
export interface SnapshotAnswer {
  /** The revision the graph reflects: follow the change log from here. */
  readonly revision: number;
  /** The organization's graph. */
  readonly graph: GraphInput;
}

/**
 * An organization's immutable graph and its revision, for embedding code that calls the core
 * (`resolveAccess`, `checkAccess`, …) directly.
 *
 * @example
 * ```ts
 * const { revision, graph }: RevisionedGraph = await accessControl.graph("org_xyz789");
 * ```
 */
export interface RevisionedGraph {
  /** The revision the graph reflects. */
  readonly revision: number;
  /** The graph; it never changes (later revisions are new graphs). */
  readonly graph: AccessGraph;
}

/**
 * A page of grants (docs/spec.md §6).
 *
 * @example
 * ```ts
 * const page: GrantList = await accessControl.listGrants("org_xyz789", "usr_owner1", { limit: 50 });
 * page.has_more; // whether to ask for skip: 50 next
 * ```
 */
export interface GrantList {
  /** The grants on this page, ordered by `created_at`, then `id`. */
  readonly items: GrantRecord[];
  /** How many grants match in all. */
  readonly total: number;
  /** How many matching grants came before this page. */
  readonly skip: number;
  /** The page size asked for. */
  readonly limit: number;
  /** Whether more grants follow this page. */
  readonly has_more: boolean;
}

/**
 * The query of a grant listing: filters plus paging (`skip` and `limit` are numbers; the HTTP
 * layer converts the query string). Options are camelCase, as everywhere in the library; the
 * wire's snake_case spellings (`entity_type`, `grantee_id`, ...: a {@link GrantFilter}) are
 * still accepted, and giving both spellings of one filter with different values is a
 * `VALIDATION_ERROR`.
 *
 * @example
 * ```ts
 * const query: ListGrantsQuery = { granteeType: "role", granteeId: "role_admin01", skip: 0, limit: 100 };
 * ```
 */
export interface ListGrantsQuery {
  /** Only grants on this entity type. */
  readonly entityType?: EntityType | undefined;
  /** Only grants on this entity (its prefix implies its type). */
  readonly entityId?: string | undefined;
  /** Only grants to this grantee type. */
  readonly granteeType?: GranteeType | undefined;
  /** Only grants to this grantee (its prefix implies its type). */
  readonly granteeId?: string | undefined;
  /** How many matching grants to skip (default 0). */
  readonly skip?: number | undefined;
  /** The page size, 1–100 (default 20). */
  readonly limit?: number | undefined;
}

/**
 * Paging of a per-entity grant listing.
 *
 * @example
 * ```ts
 * await accessControl.listSliceGrants("org_xyz789", "usr_owner1", "kslice_abc123", { skip: 20, limit: 20 });
 * ```
 */
export interface PageQuery {
  /** How many grants to skip (default 0). */
  readonly skip?: number | undefined;
  /** The page size, 1–100 (default 20). */
  readonly limit?: number | undefined;
}

/**
 * The query of a user's resolved access ({@link AccessControl.resolveAccess}, `GET
 * /users/{user_id}/resolved-access`): an optional entity type and, optionally, a page. Without
 * `skip` and `limit` the answer is the whole resolution; with either, one page of its entities.
 * The same options as the core's `resolveAccess`, less `at` (the service answers now).
 *
 * @example
 * ```ts
 * const query: ResolveAccessQuery = { entityType: "knowledge_slice", skip: 100, limit: 100 };
 * ```
 */
export interface ResolveAccessQuery {
  /** Only entities of this type (composite paths still count for `knowledge_slice`). */
  readonly entityType?: EntityType | undefined;
  /** How many entities to skip, ≥ 0 (default 0 once paging). */
  readonly skip?: number | undefined;
  /** The page size, 1–1000 (default 100 once paging). */
  readonly limit?: number | undefined;
  /**
   * Add each path's `expires_at`, each entity's (or user's) `valid_until` and the answer's
   * `next_change_at` (docs/spec.md §11; HTTP `include=validity`).
   */
  readonly validity?: boolean | undefined;
}

/**
 * {@link ResolveAccessQuery} with the entity type in the wire's spelling, as the service took it
 * before options were camelCase. Still accepted.
 *
 * @deprecated Use {@link ResolveAccessQuery} (`entityType`).
 * @example
 * ```ts
 * const query: ResolvedAccessQuery = { entity_type: "knowledge_slice" };
 * ```
 */
export interface ResolvedAccessQuery {
  /** Only entities of this type. */
  readonly entity_type?: EntityType | undefined;
  /** How many entities to skip, ≥ 0 (default 0 once paging). */
  readonly skip?: number | undefined;
  /** The page size, 1–1000 (default 100 once paging). */
  readonly limit?: number | undefined;
  /**
   * Add each path's `expires_at`, each entity's (or user's) `valid_until` and the answer's
   * `next_change_at` (docs/spec.md §11; HTTP `include=validity`).
   */
  readonly validity?: boolean | undefined;
}

/**
 * A page of users-with-access ({@link AccessControl.usersWithAccess}): without `skip` and
 * `limit`, every user; with either, the users at those positions (by `user_id`).
 *
 * @example
 * ```ts
 * await accessControl.usersWithAccess("org_xyz789", "usr_owner1", "vector_store", "vs_docs01", { limit: 50 });
 * ```
 */
export interface UsersWithAccessQuery {
  /** How many users to skip, ≥ 0 (default 0 once paging). */
  readonly skip?: number | undefined;
  /** The page size, 1–1000 (default 100 once paging). */
  readonly limit?: number | undefined;
  /**
   * Add each path's `expires_at`, each entity's (or user's) `valid_until` and the answer's
   * `next_change_at` (docs/spec.md §11; HTTP `include=validity`).
   */
  readonly validity?: boolean | undefined;
}

/**
 * The entity and page of users-with-access in one object with the wire's field names, as the
 * service took them before the entity became positional (matching the core's
 * `usersWithAccess(graph, entityType, entityId)`). Still accepted.
 *
 * @deprecated Pass the entity type and id as arguments: `usersWithAccess(org, actor, entityType, entityId, { skip, limit })`.
 * @example
 * ```ts
 * const query: UsersWithAccessEntityQuery = { entity_type: "vector_store", entity_id: "vs_docs01", limit: 50 };
 * ```
 */
export interface UsersWithAccessEntityQuery {
  /** The entity's type. */
  readonly entity_type: EntityType;
  /** The entity. */
  readonly entity_id: string;
  /** How many users to skip, ≥ 0 (default 0 once paging). */
  readonly skip?: number | undefined;
  /** The page size, 1–1000 (default 100 once paging). */
  readonly limit?: number | undefined;
}

/**
 * What a single check asks besides the user and the entity (`accessControl.checkAccess`): the
 * level needed and the instant. The call options (`minRevision`, `onRevision`) are not here:
 * like every service method, `checkAccess` takes them as its own last argument, and naming them
 * here is a `VALIDATION_ERROR` rather than an option silently ignored.
 *
 * @example
 * ```ts
 * const query: CheckAccessQuery = { level: "write", at: new Date("2025-07-01T00:00:00Z") };
 * await accessControl.checkAccess("org_xyz789", "usr_owner1", "usr_def456", "vector_store", "vs_docs01", query);
 * ```
 */
export interface CheckAccessQuery {
  /** The level needed; without it (or `null`), any path allows. */
  readonly level?: AccessLevel | null | undefined;
  /** The instant that decides which grants are active. Default: the service's clock, now. */
  readonly at?: Date | undefined;
  /**
   * Add each path's `expires_at`, each entity's (or user's) `valid_until` and the answer's
   * `next_change_at` (docs/spec.md §11; HTTP `include=validity`).
   */
  readonly validity?: boolean | undefined;
  /** When not allowed, add `suggestions`: where one grant at `level` would allow it (docs/spec.md §11). */
  readonly explain?: boolean | undefined;
}

/**
 * One check of a bulk request (`POST /access/check/bulk`), the body of a single one
 * (`POST /access/check`): the wire format's snake_case fields.
 *
 * @example
 * ```ts
 * const item: CheckAccessItem = { user_id: "usr_def456", entity_type: "vector_store", entity_id: "vs_docs01", level: "write" };
 * ```
 */
export interface CheckAccessItem {
  /** The user asked about (`usr_*`). */
  readonly user_id: string;
  /** The entity's type. */
  readonly entity_type: EntityType;
  /** The entity; its prefix must fit `entity_type`. */
  readonly entity_id: string;
  /** The level needed; without it (or `null`), any path allows. */
  readonly level?: AccessLevel | null | undefined;
}

/**
 * The input of `accessControl.bulkCheckAccess`: 1–100 checks, and optionally the instant they
 * are all asked about.
 *
 * @example
 * ```ts
 * const input: BulkCheckAccessInput = { checks: [
 *   { user_id: "usr_def456", entity_type: "knowledge_slice", entity_id: "kslice_abc123", level: "write" },
 *   { user_id: "usr_ghi789", entity_type: "vector_store", entity_id: "vs_docs01" },
 * ] };
 * ```
 */
export interface BulkCheckAccessInput {
  /** The checks, answered in this order (1–100). */
  readonly checks: readonly CheckAccessItem[];
  /** The instant that decides which grants are active, for every check. Default: the service's clock, now. */
  readonly at?: Date | undefined;
  /**
   * Add each path's `expires_at`, each entity's (or user's) `valid_until` and the answer's
   * `next_change_at` (docs/spec.md §11; HTTP `include=validity`).
   */
  readonly validity?: boolean | undefined;
  /** When not allowed, add `suggestions`: where one grant at `level` would allow it (docs/spec.md §11). */
  readonly explain?: boolean | undefined;
}

/**
 * The answer of one bulk item that could not be checked: malformed (`VALIDATION_ERROR`, its
 * field `checks[i].…`) or not the actor's to ask (`INSUFFICIENT_PERMISSIONS`). `details.index`
 * is the item's position. The other items are answered as usual.
 *
 * @example
 * ```ts
 * const failed: CheckAccessItemError = { error: { code: "INSUFFICIENT_PERMISSIONS",
 *   message: "You do not have permission to check another user's access to this entity.",
 *   details: { index: 1, user_id: "usr_ghi789", entity_type: "vector_store", entity_id: "vs_docs01", required_level: "admin" } } };
 * ```
 */
export interface CheckAccessItemError {
  /** Why this item has no answer. */
  readonly error: {
    /** `VALIDATION_ERROR` or `INSUFFICIENT_PERMISSIONS`. */
    readonly code: ErrorCode;
    /** A message for people. */
    readonly message: string;
    /** The field and why (`{field, message, index}`), or the user and entity refused (`{index, user_id, …}`). */
    readonly details: ErrorDetails;
  };
}

/**
 * One result of a bulk check: the check's answer, or the error of that item alone.
 *
 * @example
 * ```ts
 * const result: BulkCheckAccessResult = answer.results[0];
 * if ("error" in result) console.log(result.error.code);
 * else console.log(result.allowed, result.access_level);
 * ```
 */
export type BulkCheckAccessResult = AccessCheck | CheckAccessItemError;

/**
 * The answer of a bulk check: one result per check, in the request's order, all computed on one
 * revision of the organization.
 *
 * @example
 * ```ts
 * const { results }: BulkCheckAccessAnswer = await accessControl.bulkCheckAccess("org_xyz789", "usr_owner1", input);
 * ```
 */
export interface BulkCheckAccessAnswer {
  /** One per check, in order. */
  readonly results: BulkCheckAccessResult[];
}

/**
 * The body of a create-grant request (the grant fields of docs/spec.md §12, plus an optional expiry).
 *
 * @example
 * ```ts
 * const body: CreateGrantInput = { entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *   grantee_type: "user", grantee_id: "usr_def456", access_level: "read" };
 * ```
 */
export interface CreateGrantInput {
  /** The type of the entity to grant. */
  readonly entity_type: EntityType;
  /** The entity. */
  readonly entity_id: string;
  /** `user`, `department` or `role`. */
  readonly grantee_type: GrantRecord["grantee_type"];
  /** The grantee, with its type's prefix. */
  readonly grantee_id: string;
  /** `read`, `write` or `admin`. */
  readonly access_level: GrantRecord["access_level"];
  /** Optional: from this instant (ISO-8601, in the future) the grant is inactive. */
  readonly expires_at?: string;
}

/**
 * The body of a bulk create request: one entity, one or more grantees.
 *
 * @example
 * ```ts
 * const body: BulkCreateGrantsInput = { entity_type: "vector_store", entity_id: "vs_docs01",
 *   grants: [{ grantee_type: "role", grantee_id: "role_admin01", access_level: "admin" },
 *            { grantee_type: "department", grantee_id: "dept_eng01", access_level: "read" }] };
 * ```
 */
export interface BulkCreateGrantsInput {
  /** The type of the entity to grant. */
  readonly entity_type: EntityType;
  /** The entity. */
  readonly entity_id: string;
  /** The grantees and their levels (1–1000). */
  readonly grants: readonly Omit<CreateGrantInput, "entity_type" | "entity_id">[];
}

/**
 * A user's direct memberships, as the directory operations answer them.
 *
 * @example
 * ```ts
 * const user: UserMemberships = await accessControl.addRoleMember("org_xyz789", "usr_owner1", "usr_def456", "role_admin01");
 * ```
 */
export interface UserMemberships {
  /** The user. */
  readonly id: string;
  /** Departments the user belongs to directly. */
  readonly department_ids: readonly string[];
  /** Roles the user holds. */
  readonly role_ids: readonly string[];
}

/**
 * The grant-management service. Every method takes the organization, the acting user (whoever
 * your authentication says is calling), the operation's fields and, last, {@link CallOptions}
 * (`minRevision`, `onRevision`); it either resolves with the documented object or rejects with
 * an `AccessError` (after `close()`, with a plain `Error`). A rejected call changes nothing.
 *
 * @example
 * ```ts
 * const accessControl: AccessControl = createAccessControl({ storage: memoryStorage() });
 * ```
 */
export interface AccessControl {
  /** Creates an organization with its owners (at least one). `RESOURCE_ALREADY_EXISTS` if it exists. */
  createOrganization(
    organizationId: string,
    input: { readonly owners: readonly string[] },
    options?: CallOptions,
  ): Promise<GraphInput>;
  /** The organization's whole graph as plain JSON (owners only). */
  exportOrganization(organizationId: string, actorId: string, options?: CallOptions): Promise<GraphInput>;
  /** Replaces the owners (owners only; at least one must remain). */
  setOwners(
    organizationId: string,
    actorId: string,
    owners: readonly string[],
    options?: CallOptions,
  ): Promise<string[]>;

  /** Creates a grant (docs/spec.md §6, `POST /access/grants`): needs `admin` on the entity, or ownership. */
  createGrant(
    organizationId: string,
    actorId: string,
    input: CreateGrantInput,
    options?: CallOptions,
  ): Promise<GrantRecord>;
  /** Creates grants for many grantees on one entity, all or nothing. */
  bulkCreateGrants(
    organizationId: string,
    actorId: string,
    input: BulkCreateGrantsInput,
    options?: CallOptions,
  ): Promise<GrantRecord[]>;
  /**
   * Lists grants, oldest first; filtered by an entity it needs `admin` on that entity, otherwise
   * ownership. Filters are camelCase ({@link ListGrantsQuery}); the wire's snake_case spellings
   * ({@link GrantFilter}) are still accepted.
   */
  listGrants(
    organizationId: string,
    actorId: string,
    query?: ListGrantsQuery | (GrantFilter & PageQuery),
    options?: CallOptions,
  ): Promise<GrantList>;
  /** One grant by id, revoked ones included (with `revoked_at`). */
  getGrant(organizationId: string, actorId: string, grantId: string, options?: CallOptions): Promise<GrantRecord>;
  /** Changes a grant's `access_level`, the only field that can change. */
  updateGrant(
    organizationId: string,
    actorId: string,
    grantId: string,
    input: { readonly access_level: GrantRecord["access_level"] },
    options?: CallOptions,
  ): Promise<GrantRecord>;
  /** Revokes a grant (soft delete): it stays readable by id, with `revoked_at`. */
  revokeGrant(organizationId: string, actorId: string, grantId: string, options?: CallOptions): Promise<void>;
  /** The grants on one knowledge slice. */
  listSliceGrants(
    organizationId: string,
    actorId: string,
    sliceId: string,
    query?: PageQuery,
    options?: CallOptions,
  ): Promise<GrantList>;
  /** The grants on one vector store. */
  listVectorStoreGrants(
    organizationId: string,
    actorId: string,
    storeId: string,
    query?: PageQuery,
    options?: CallOptions,
  ): Promise<GrantList>;
  /** The grants on one assistant. */
  listAssistantGrants(
    organizationId: string,
    actorId: string,
    assistantId: string,
    query?: PageQuery,
    options?: CallOptions,
  ): Promise<GrantList>;
  /**
   * One page of a user's resolved access (readable by that user and by owners): given `skip` or
   * `limit`, the entities the whole answer has at those positions, with `total`, `skip`, `limit`
   * and `has_more`. `VALIDATION_ERROR` naming `skip` (≥ 0) or `limit` (1–1000).
   */
  resolveAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    query: (ResolveAccessQuery | ResolvedAccessQuery) & AccessPageRequest,
    options?: CallOptions,
  ): Promise<ResolvedAccessPage>;
  /**
   * A user's resolved access, the core's `resolveAccess` answer on the organization's current
   * graph (readable by that user and by owners): the whole of it without `skip` and `limit`.
   */
  resolveAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    query?: ResolveAccessQuery | ResolvedAccessQuery,
    options?: CallOptions,
  ): Promise<ResolvedAccess>;
  /**
   * The same as {@link AccessControl.resolveAccess}, under the name the service first had.
   *
   * @deprecated Use `resolveAccess`, the core's name for the same question.
   */
  resolvedAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    query: (ResolveAccessQuery | ResolvedAccessQuery) & AccessPageRequest,
    options?: CallOptions,
  ): Promise<ResolvedAccessPage>;
  /**
   * The same as {@link AccessControl.resolveAccess}, under the name the service first had.
   *
   * @deprecated Use `resolveAccess`, the core's name for the same question.
   */
  resolvedAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    query?: ResolveAccessQuery | ResolvedAccessQuery,
    options?: CallOptions,
  ): Promise<ResolvedAccess>;
  /**
   * One page of the users who reach an entity (needs `admin` on it, or ownership): given `skip`
   * or `limit`, the users the whole answer has at those positions, by `user_id`, with `total`,
   * `skip`, `limit` and `has_more`.
   */
  usersWithAccess(
    organizationId: string,
    actorId: string,
    entityType: EntityType,
    entityId: string,
    query: UsersWithAccessQuery & AccessPageRequest,
    options?: CallOptions,
  ): Promise<UsersWithAccessPage>;
  /**
   * Everyone who reaches an entity, the core's `usersWithAccess` answer on the organization's
   * current graph (needs `admin` on the entity, or ownership): all of them without `skip` and
   * `limit`.
   */
  usersWithAccess(
    organizationId: string,
    actorId: string,
    entityType: EntityType,
    entityId: string,
    query?: UsersWithAccessQuery,
    options?: CallOptions,
  ): Promise<UsersWithAccess>;
  /**
   * The entity named in one object with the wire's field names, as the service first took it.
   *
   * @deprecated Pass the entity as arguments: `usersWithAccess(org, actor, entityType, entityId, { skip, limit })`.
   */
  usersWithAccess(
    organizationId: string,
    actorId: string,
    query: UsersWithAccessEntityQuery & AccessPageRequest,
    options?: CallOptions,
  ): Promise<UsersWithAccessPage>;
  /**
   * The entity named in one object with the wire's field names, as the service first took it.
   *
   * @deprecated Pass the entity as arguments: `usersWithAccess(org, actor, entityType, entityId)`.
   */
  usersWithAccess(
    organizationId: string,
    actorId: string,
    query: UsersWithAccessEntityQuery,
    options?: CallOptions,
  ): Promise<UsersWithAccess>;
  /**
   * Whether a user may act on one entity (docs/spec.md §9): the core's `checkAccess` answer,
   * `{allowed, access_level, grant_paths}`, on the organization's current graph (or the one at
   * `minRevision`). Asked by the user themself, an owner, or an actor with `admin` on the entity
   * (decided now, whatever `at`); anyone else gets `INSUFFICIENT_PERMISSIONS`. The call options
   * come last, as for every method, not inside `query`.
   */
  checkAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    entityType: EntityType,
    entityId: string,
    query?: CheckAccessQuery,
    options?: CallOptions,
  ): Promise<AccessCheck>;
  /**
   * Up to 100 checks on one revision of the organization, answered in order. A malformed or
   * forbidden item is answered with its own error (`{error: {code, message, details}}`) and does
   * not fail the others; input that is not a list of 1–100 objects fails the whole call
   * (`VALIDATION_ERROR` naming `checks` or `checks[i]`), as does an unknown organization.
   */
  bulkCheckAccess(
    organizationId: string,
    actorId: string,
    input: BulkCheckAccessInput,
    options?: CallOptions,
  ): Promise<BulkCheckAccessAnswer>;

  /** Adds a user to a department (owners only); already a member is a no-op. */
  addDepartmentMember(
    organizationId: string,
    actorId: string,
    userId: string,
    departmentId: string,
    options?: CallOptions,
  ): Promise<UserMemberships>;
  /** Removes a user from a department (owners only); `RESOURCE_NOT_FOUND` if not a member. */
  removeDepartmentMember(
    organizationId: string,
    actorId: string,
    userId: string,
    departmentId: string,
    options?: CallOptions,
  ): Promise<UserMemberships>;
  /** Gives a user a role (owners only); already held is a no-op. */
  addRoleMember(
    organizationId: string,
    actorId: string,
    userId: string,
    roleId: string,
    options?: CallOptions,
  ): Promise<UserMemberships>;
  /** Takes a role from a user (owners only); `RESOURCE_NOT_FOUND` if not held. */
  removeRoleMember(
    organizationId: string,
    actorId: string,
    userId: string,
    roleId: string,
    options?: CallOptions,
  ): Promise<UserMemberships>;
  /** Declares a department, optionally under a parent (owners only). */
  createDepartment(
    organizationId: string,
    actorId: string,
    input: DepartmentInput,
    options?: CallOptions,
  ): Promise<Required<DepartmentInput>>;
  /** Moves a department under another, or to the top with `null` (owners only). */
  moveDepartment(
    organizationId: string,
    actorId: string,
    departmentId: string,
    parentId: string | null,
    options?: CallOptions,
  ): Promise<Required<DepartmentInput>>;
  /** Deletes a department: sub-departments move up, members lose it; refused while grants name it. */
  deleteDepartment(organizationId: string, actorId: string, departmentId: string, options?: CallOptions): Promise<void>;
  /** Declares a composite slice and its members (owners only). */
  createComposite(
    organizationId: string,
    actorId: string,
    input: CompositeInput,
    options?: CallOptions,
  ): Promise<CompositeInput>;
  /** Replaces a declared composite's members (owners only). */
  setCompositeMembers(
    organizationId: string,
    actorId: string,
    compositeId: string,
    memberSliceIds: readonly string[],
    options?: CallOptions,
  ): Promise<CompositeInput>;

  /**
   * A page of the organization's change log (docs/spec.md §8; owners only): the commits after
   * `since`, oldest first, with the current revision. `CHANGES_EXPIRED` (410, with
   * `details.oldest_revision`) when the log was trimmed past `since`; `VALIDATION_ERROR` naming
   * `since` when it is beyond the current revision.
   */
  changes(organizationId: string, actorId: string, query?: ChangesQuery, options?: CallOptions): Promise<ChangePage>;
  /**
   * What these writes would do to access (docs/spec.md §11; owners only): each is tried in order
   * on a copy of the organization's graph, checked and refused exactly as the real write would
   * be (the error's `details.index` names it), and the answer lists every (user, entity) whose
   * level would change. Nothing is stored; the cost follows what the writes touch.
   *
   * @example
   * ```ts
   * const { changes } = await accessControl.whatIf("org_xyz789", "usr_owner1", {
   *   changes: [{ op: "revoke_grant", grant_id: "agrant_eng01write" }],
   * });
   * ```
   */
  whatIf(organizationId: string, actorId: string, input: WhatIfInput, options?: CallOptions): Promise<WhatIfAnswer>;
  /** The organization's graph as plain JSON with its revision (owners only): where a replica starts. */
  snapshot(organizationId: string, actorId: string, options?: CallOptions): Promise<SnapshotAnswer>;
  /**
   * The organization's immutable graph and its revision, for trusted embedding code that calls
   * the core directly. No permission check: never hand it to callers on their word.
   */
  graph(organizationId: string, options?: Pick<CallOptions, "minRevision">): Promise<RevisionedGraph>;
  /** How many organizations this instance holds in memory, and their weight against `maxCachedGrants`. */
  cacheUsage(): { readonly organizations: number; readonly grants: number };

  /**
   * Lets writes under way finish, then stops listening to the storage and drops cached graphs.
   * The storage itself stays open: close it yourself, after this resolves. Later calls reject
   * with a plain `Error` (a programming error, not an access decision).
   */
  close(): Promise<void>;
}

/**
 * One write a what-if tries (`POST /access/what-if`), in the wire format.
 *
 * @example
 * ```ts
 * const change: WhatIfChange = { op: "update_grant", grant_id: "agrant_eng01write", access_level: "read" };
 * ```
 */
export type WhatIfChange =
  | { readonly op: "create_grant"; readonly grant: CreateGrantInput }
  | { readonly op: "update_grant"; readonly grant_id: string; readonly access_level: AccessLevel }
  | { readonly op: "revoke_grant"; readonly grant_id: string }
  | { readonly op: "set_user_departments"; readonly user_id: string; readonly department_ids: readonly string[] }
  | { readonly op: "set_user_roles"; readonly user_id: string; readonly role_ids: readonly string[] }
  | {
      readonly op: "set_composite_members";
      readonly composite_id: string;
      readonly member_slice_ids: readonly string[];
    }
  | { readonly op: "move_department"; readonly department_id: string; readonly parent_id: string | null };

/**
 * The writes of a what-if, tried in order (1–100).
 *
 * @example
 * ```ts
 * const input: WhatIfInput = { changes: [{ op: "revoke_grant", grant_id: "agrant_eng01write" }] };
 * ```
 */
export interface WhatIfInput {
  readonly changes: readonly WhatIfChange[];
}

/**
 * A what-if's answer: the revision it was tried on, and every (user, entity) whose level would
 * change, as `diffAccess` gives it.
 *
 * @example
 * ```ts
 * const answer: WhatIfAnswer = { revision: 7, changes: [{ user_id: "usr_def456",
 *   entity_type: "knowledge_slice", entity_id: "kslice_abc123", before: "write", after: "read" }] };
 * ```
 */
export interface WhatIfAnswer {
  readonly revision: number;
  readonly changes: AccessChange[];
}
