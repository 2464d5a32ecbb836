/**
 * The grant-management service of SPEC section 6 over a storage adapter: every operation
 * validates its input, checks the acting user's permission on the organization's current
 * graph, and stores its changes as one atomic batch.
 * @module
 */

import { validationError } from "../core/errors.js";
import {
  AccessError,
  type AccessGraph,
  addGrant,
  type CompositeInput,
  createDepartment as createDepartmentIn,
  createGraph,
  type DepartmentInput,
  ENTITY_TYPES,
  type EntityType,
  findGrant,
  type GraphGrant,
  type GraphInput,
  getComposite,
  getDepartment,
  getGrant as getGraphGrant,
  getUser,
  graphToInput,
  isValidId,
  moveDepartment as moveDepartmentIn,
  type ResolvedAccess,
  removeDepartment,
  resolveAccess as resolveAccessIn,
  revokeGrant as revokeGraphGrant,
  setCompositeMembers as setCompositeMembersIn,
  setOwners as setOwnersIn,
  setUserDepartments,
  setUserRoles,
  type UsersWithAccess,
  updateGrantLevel,
  usersWithAccess as usersWithAccessIn,
} from "../core/index.js";
import {
  expectEntityType,
  expectId,
  expectIdList,
  expectObject,
  expectTimestamp,
  type UntrustedObject,
} from "../core/validate.js";
import { toGrantRecord, wireTimestamp } from "../storage/grant-records.js";
import type { GrantFilter, GrantRecord, StorageAdapter, StorageChange } from "../storage/storage-adapter.js";
import { randomGrantId } from "./grant-ids.js";
import {
  type CachedOrganization,
  createOrganizationCache,
  organizationNotFound,
  type PlannedWrite,
} from "./organization-cache.js";
import { requireEntityAdmin, requireOwner, requireSelfOrOwner } from "./permissions.js";
import {
  actorArg,
  bulkCreateArg,
  createGrantArg,
  type EntityRef,
  type GranteeLevel,
  listFilterArg,
  organizationArg,
  pageArg,
  updateGrantArg,
} from "./service-input.js";

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
  /** How many times, in all, a write is tried when it keeps losing races to other writers (≥ 1). Default 10. */
  readonly maxAttempts?: number;
}

/**
 * A page of grants (SPEC section 6).
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
 * The query of a grant listing: filters plus paging (`skip` and `limit` are numbers; the HTTP layer converts the query string).
 *
 * @example
 * ```ts
 * const query: ListGrantsQuery = { grantee_type: "role", grantee_id: "role_admin01", skip: 0, limit: 100 };
 * ```
 */
export interface ListGrantsQuery extends GrantFilter {
  /** How many matching grants to skip (default 0). */
  readonly skip?: number;
  /** The page size, 1–100 (default 20). */
  readonly limit?: number;
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
  readonly skip?: number;
  /** The page size, 1–100 (default 20). */
  readonly limit?: number;
}

/**
 * The body of a create-grant request (the seed's fields, plus an optional expiry).
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
 * your authentication says is calling) and the operation's fields, and either resolves with the
 * documented object or rejects with an {@link AccessError} (after `close()`, with a plain
 * `Error`). A rejected call changes nothing.
 *
 * @example
 * ```ts
 * const accessControl: AccessControl = createAccessControl({ storage: memoryStorage() });
 * ```
 */
export interface AccessControl {
  /** Creates an organization with its owners (at least one). `RESOURCE_ALREADY_EXISTS` if it exists. */
  createOrganization(organizationId: string, input: { readonly owners: readonly string[] }): Promise<GraphInput>;
  /** The organization's whole graph as plain JSON (owners only). */
  exportOrganization(organizationId: string, actorId: string): Promise<GraphInput>;
  /** Replaces the owners (owners only; at least one must remain). */
  setOwners(organizationId: string, actorId: string, owners: readonly string[]): Promise<string[]>;

  /** Creates a grant (SPEC `POST /access/grants`): needs `admin` on the entity, or ownership. */
  createGrant(organizationId: string, actorId: string, input: CreateGrantInput): Promise<GrantRecord>;
  /** Creates grants for many grantees on one entity, all or nothing. */
  bulkCreateGrants(organizationId: string, actorId: string, input: BulkCreateGrantsInput): Promise<GrantRecord[]>;
  /** Lists grants; filtered by an entity it needs `admin` on that entity, otherwise ownership. */
  listGrants(organizationId: string, actorId: string, query?: ListGrantsQuery): Promise<GrantList>;
  /** One grant by id, revoked ones included (with `revoked_at`). */
  getGrant(organizationId: string, actorId: string, grantId: string): Promise<GrantRecord>;
  /** Changes a grant's `access_level`, the only field that can change. */
  updateGrant(
    organizationId: string,
    actorId: string,
    grantId: string,
    input: { readonly access_level: GrantRecord["access_level"] },
  ): Promise<GrantRecord>;
  /** Revokes a grant (soft delete): it stays readable by id, with `revoked_at`. */
  revokeGrant(organizationId: string, actorId: string, grantId: string): Promise<void>;
  /** The grants on one knowledge slice. */
  listSliceGrants(organizationId: string, actorId: string, sliceId: string, query?: PageQuery): Promise<GrantList>;
  /** The grants on one vector store. */
  listVectorStoreGrants(
    organizationId: string,
    actorId: string,
    storeId: string,
    query?: PageQuery,
  ): Promise<GrantList>;
  /** The grants on one assistant. */
  listAssistantGrants(
    organizationId: string,
    actorId: string,
    assistantId: string,
    query?: PageQuery,
  ): Promise<GrantList>;
  /** A user's resolved access (readable by that user and by owners). */
  resolvedAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    query?: { readonly entity_type?: EntityType },
  ): Promise<ResolvedAccess>;
  /** Everyone who reaches an entity (needs `admin` on it, or ownership). */
  usersWithAccess(
    organizationId: string,
    actorId: string,
    query: { readonly entity_type: EntityType; readonly entity_id: string },
  ): Promise<UsersWithAccess>;

  /** Adds a user to a department (owners only); already a member is a no-op. */
  addDepartmentMember(
    organizationId: string,
    actorId: string,
    userId: string,
    departmentId: string,
  ): Promise<UserMemberships>;
  /** Removes a user from a department (owners only); `RESOURCE_NOT_FOUND` if not a member. */
  removeDepartmentMember(
    organizationId: string,
    actorId: string,
    userId: string,
    departmentId: string,
  ): Promise<UserMemberships>;
  /** Gives a user a role (owners only); already held is a no-op. */
  addRoleMember(organizationId: string, actorId: string, userId: string, roleId: string): Promise<UserMemberships>;
  /** Takes a role from a user (owners only); `RESOURCE_NOT_FOUND` if not held. */
  removeRoleMember(organizationId: string, actorId: string, userId: string, roleId: string): Promise<UserMemberships>;
  /** Declares a department, optionally under a parent (owners only). */
  createDepartment(organizationId: string, actorId: string, input: DepartmentInput): Promise<Required<DepartmentInput>>;
  /** Moves a department under another, or to the top with `null` (owners only). */
  moveDepartment(
    organizationId: string,
    actorId: string,
    departmentId: string,
    parentId: string | null,
  ): Promise<Required<DepartmentInput>>;
  /** Deletes a department: sub-departments move up, members lose it; refused while grants name it. */
  deleteDepartment(organizationId: string, actorId: string, departmentId: string): Promise<void>;
  /** Declares a composite slice and its members (owners only). */
  createComposite(organizationId: string, actorId: string, input: CompositeInput): Promise<CompositeInput>;
  /** Replaces a declared composite's members (owners only). */
  setCompositeMembers(
    organizationId: string,
    actorId: string,
    compositeId: string,
    memberSliceIds: readonly string[],
  ): Promise<CompositeInput>;

  /**
   * Lets writes under way finish, then stops listening to the storage and drops cached graphs.
   * The storage itself stays open: close it yourself, after this resolves. Later calls reject
   * with a plain `Error` (a programming error, not an access decision).
   */
  close(): Promise<void>;
}

function requireOrganization(current: CachedOrganization | null, organizationId: string): AccessGraph {
  if (!current) throw organizationNotFound(organizationId);
  return current.graph;
}

function grantNotFound(grantId: string): AccessError {
  return new AccessError("RESOURCE_NOT_FOUND", { grant_id: grantId }, { system_message: "Access grant not found" });
}

/** Expired exactly as resolution decides it (the core's timestamp parsing, rounding included). */
function isExpired(grant: GraphGrant, now: Date): boolean {
  return grant.expires_at !== undefined && expectTimestamp(grant.expires_at, "expires_at") <= now.getTime();
}

/** The stored form of a grant being retired: revoked now, kept for audit. */
function revokedRecord(grant: GraphGrant, organizationId: string, at: Date): GrantRecord {
  const stamp = wireTimestamp(at);
  return { ...toGrantRecord(grant, organizationId, at), updated_at: stamp, revoked_at: stamp };
}

/** Owners as stored: unique, sorted, at least one. */
function ownerList(value: unknown): string[] {
  const owners = [...new Set(expectIdList("user", value, "owners"))].sort();
  if (owners.length === 0) throw validationError("owners", "owners must name at least one user");
  return owners;
}

function page(items: GrantRecord[], total: number, skip: number, limit: number): GrantList {
  return { items, total, skip, limit, has_more: skip + items.length < total };
}

function queryObject(query: unknown): UntrustedObject {
  return query === undefined || query === null ? {} : expectObject(query, "query");
}

/**
 * Creates the grant-management service over a storage adapter.
 *
 * @example
 * ```ts
 * import { createAccessControl, memoryStorage } from "grantpath";
 *
 * const accessControl = createAccessControl({ storage: memoryStorage() });
 * await accessControl.createOrganization("org_xyz789", { owners: ["usr_owner1"] });
 * const grant = await accessControl.createGrant("org_xyz789", "usr_owner1", {
 *   entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *   grantee_type: "user", grantee_id: "usr_def456", access_level: "read",
 * });
 * await accessControl.resolvedAccess("org_xyz789", "usr_def456", "usr_def456");
 * ```
 */
export function createAccessControl(options: AccessControlOptions): AccessControl {
  const { storage } = options;
  const clock = options.clock ?? (() => new Date());
  const newGrantId = options.ids ?? randomGrantId;
  const maxAttempts = options.maxAttempts ?? 10;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw validationError("maxAttempts", "maxAttempts must be a whole number of at least 1");
  }
  const cache = createOrganizationCache(storage, maxAttempts);
  let closed = false;
  /** Writes under way, so close() can let them finish before it releases the cache. */
  const pending = new Set<Promise<unknown>>();

  function write<T>(organizationId: string, plan: (current: CachedOrganization | null) => PlannedWrite<T>): Promise<T> {
    const running = cache.write(organizationId, plan);
    pending.add(running);
    const forget = () => pending.delete(running);
    running.then(forget, forget);
    return running;
  }

  /**
   * `count` new grant ids that no grant of the organization uses, revoked ones included: an id
   * source that repeats itself (a restarted sequential source, say) must not overwrite an audit
   * record.
   */
  async function freshGrantIds(organizationId: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let draws = 0; ids.length < count; draws++) {
      if (draws > count + 1000) throw new Error("grantpath: the grant id source keeps returning ids already in use");
      const id = newGrantId();
      if (!ids.includes(id) && (await storage.getGrant(organizationId, id)) === null) ids.push(id);
    }
    return ids;
  }

  /** Calls after close() are programming errors, not access decisions: a plain Error says so. */
  const ensureOpen = (): void => {
    if (closed) throw new Error("grantpath: this access control has been closed");
  };
  const now = (): Date => {
    ensureOpen();
    return clock();
  };

  /**
   * Checks that the actor may grant the entity and that no grantee already holds an active
   * grant on it; returns, per item, the expired grant the new one replaces (if any).
   */
  function checkCreates(
    graph: AccessGraph,
    actorId: string,
    entity: EntityRef,
    items: readonly GranteeLevel[],
    at: Date,
    bulk: boolean,
  ): (GraphGrant | undefined)[] {
    requireEntityAdmin(graph, actorId, entity.entity_type, entity.entity_id, at, "grant access to this entity");
    return items.map((item, index) => {
      const existing = findGrant(graph, entity.entity_id, item.grantee_id);
      if (existing && !isExpired(existing, at)) {
        const where = bulk ? { index, field: `grants[${index}].grantee_id` } : {};
        throw new AccessError(
          "RESOURCE_ALREADY_EXISTS",
          {
            ...where,
            grant_id: existing.id,
            entity_type: entity.entity_type,
            entity_id: entity.entity_id,
            grantee_type: item.grantee_type,
            grantee_id: item.grantee_id,
          },
          {
            message: `${item.grantee_type} ${item.grantee_id} already has an active grant on ${entity.entity_id}.`,
            system_message: "Access grant already exists",
          },
        );
      }
      return existing;
    });
  }

  /**
   * Creates grants for several grantees on one entity, all or nothing. A request that the cached
   * graph already refuses fails before any id is drawn; the write then checks again on the
   * organization's current state, so a race lost in between is still caught.
   */
  async function createGrants(
    organizationId: string,
    actorId: string,
    entity: EntityRef,
    items: readonly GranteeLevel[],
    at: Date,
    bulk: boolean,
  ): Promise<GrantRecord[]> {
    checkCreates((await cache.read(organizationId)).graph, actorId, entity, items, at, bulk);
    const ids = await freshGrantIds(organizationId, items.length);
    return write(organizationId, (current) => {
      const graph = requireOrganization(current, organizationId);
      const expired = checkCreates(graph, actorId, entity, items, at, bulk);
      return planCreates(graph, organizationId, actorId, entity, items, at, expired, ids);
    });
  }

  /** Plans the records; an expired grant for a pair is revoked (kept for audit) and replaced. */
  function planCreates(
    graph: AccessGraph,
    organizationId: string,
    actorId: string,
    entity: EntityRef,
    items: readonly GranteeLevel[],
    at: Date,
    expired: readonly (GraphGrant | undefined)[],
    ids: readonly string[],
  ): PlannedWrite<GrantRecord[]> {
    const stamp = wireTimestamp(at);
    const changes: StorageChange[] = [];
    const records: GrantRecord[] = [];
    let next = graph;
    items.forEach((item, index) => {
      const existing = expired[index];
      if (existing) {
        // An expired grant no longer counts as active: retire it so the pair can be granted again.
        changes.push({ type: "put_grant", grant: revokedRecord(existing, organizationId, at) });
        next = revokeGraphGrant(next, existing.id);
      }
      // Checked against storage before planning; a race lost meanwhile may have taken it.
      let id = ids[index] ?? newGrantId();
      while (getGraphGrant(next, id)) id = newGrantId();
      const record: GrantRecord = {
        id,
        entity_type: entity.entity_type,
        entity_id: entity.entity_id,
        grantee_type: item.grantee_type,
        grantee_id: item.grantee_id,
        access_level: item.access_level,
        granted_by: actorId,
        organization_id: organizationId,
        created_at: stamp,
        updated_at: stamp,
        ...(item.expires_at === null ? {} : { expires_at: item.expires_at }),
      };
      next = addGrant(next, record);
      changes.push({ type: "put_grant", grant: record });
      records.push(record);
    });
    return { changes, graph: next, result: records };
  }

  /** Plans a change to one active grant; `RESOURCE_NOT_FOUND` for unknown or revoked ids. */
  function planGrantChange<T>(
    organizationId: string,
    actorId: string,
    grantId: string,
    action: string,
    change: (graph: AccessGraph, grant: GraphGrant) => PlannedWrite<T>,
    at: Date,
  ): Promise<T> {
    return write(organizationId, (current) => {
      const graph = requireOrganization(current, organizationId);
      const grant = getGraphGrant(graph, grantId);
      if (!grant) throw grantNotFound(grantId);
      requireEntityAdmin(graph, actorId, grant.entity_type, grant.entity_id, at, action);
      return change(graph, grant);
    });
  }

  async function listEntityGrants(
    organizationId: unknown,
    actorId: unknown,
    entityType: EntityType,
    entityId: unknown,
    query: unknown,
  ): Promise<GrantList> {
    const org = organizationArg(organizationId);
    const actor = actorArg(actorId);
    const entity_id = expectId(entityType, entityId, "entity_id");
    const paging = pageArg(queryObject(query));
    const at = now();
    const { graph } = await cache.read(org);
    requireEntityAdmin(graph, actor, entityType, entity_id, at, "list this entity's grants");
    const found = await storage.listGrants(org, { entity_type: entityType, entity_id }, paging);
    return page(found.items, found.total, paging.skip, paging.limit);
  }

  /** Runs an owner-only directory change. */
  function directoryWrite<T>(
    organizationId: unknown,
    actorId: unknown,
    action: string,
    change: (graph: AccessGraph, org: string) => PlannedWrite<T>,
  ): Promise<T> {
    const org = organizationArg(organizationId);
    const actor = actorArg(actorId);
    ensureOpen();
    return write(org, (current) => {
      const graph = requireOrganization(current, org);
      requireOwner(graph, actor, action);
      return change(graph, org);
    });
  }

  function memberships(graph: AccessGraph, userId: string): UserMemberships {
    return getUser(graph, userId) ?? { id: userId, department_ids: [], role_ids: [] };
  }

  function putUser(graph: AccessGraph, userId: string): StorageChange {
    return { type: "put_user", user: memberships(graph, userId) };
  }

  async function changeMembership(
    organizationId: unknown,
    actorId: unknown,
    userIdArg: unknown,
    groupIdArg: unknown,
    kind: "department" | "role",
    add: boolean,
  ): Promise<UserMemberships> {
    const userId = expectId("user", userIdArg, "user_id");
    const groupId = expectId(kind, groupIdArg, `${kind}_id`);
    const action = `${add ? "add" : "remove"} ${kind} memberships`;
    return directoryWrite(organizationId, actorId, action, (graph) => {
      const user = memberships(graph, userId);
      const current = kind === "department" ? user.department_ids : user.role_ids;
      const has = current.includes(groupId);
      if (has === add) {
        if (add) return { changes: [], graph, result: user };
        throw new AccessError(
          "RESOURCE_NOT_FOUND",
          { user_id: userId, [`${kind}_id`]: groupId },
          { message: `${userId} does not hold ${groupId}.`, system_message: "Membership not found" },
        );
      }
      const updated = add ? [...current, groupId] : current.filter((id) => id !== groupId);
      const next =
        kind === "department" ? setUserDepartments(graph, userId, updated) : setUserRoles(graph, userId, updated);
      return { changes: [putUser(next, userId)], graph: next, result: memberships(next, userId) };
    });
  }

  return {
    async createOrganization(organizationId, input) {
      const org = organizationArg(organizationId);
      const owners = ownerList(expectObject(input, "body").owners);
      ensureOpen();
      return write(org, (current) => {
        if (current) {
          throw new AccessError(
            "RESOURCE_ALREADY_EXISTS",
            { organization_id: org },
            { message: `Organization ${org} already exists.`, system_message: "Organization already exists" },
          );
        }
        const graph = createGraph({ organization_id: org, owners });
        return { changes: [{ type: "create_organization", owners }], graph, result: graphToInput(graph) };
      });
    },

    async exportOrganization(organizationId, actorId) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      ensureOpen();
      const { graph } = await cache.read(org);
      requireOwner(graph, actor, "export the organization");
      return graphToInput(graph);
    },

    async setOwners(organizationId, actorId, owners) {
      const ids = ownerList(owners);
      return directoryWrite(organizationId, actorId, "change the owners", (graph) => {
        const next = setOwnersIn(graph, ids);
        return { changes: next === graph ? [] : [{ type: "set_owners", owners: ids }], graph: next, result: ids };
      });
    },

    async createGrant(organizationId, actorId, input) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const at = now();
      const body = createGrantArg(input, at.getTime());
      const entity = { entity_type: body.entity_type, entity_id: body.entity_id };
      const [record] = await createGrants(org, actor, entity, [body], at, false);
      return record as GrantRecord;
    },

    async bulkCreateGrants(organizationId, actorId, input) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const at = now();
      const body = bulkCreateArg(input, at.getTime());
      const entity = { entity_type: body.entity_type, entity_id: body.entity_id };
      return createGrants(org, actor, entity, body.grants, at, true);
    },

    async listGrants(organizationId, actorId, query) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const q = queryObject(query);
      const filter = listFilterArg(q);
      const paging = pageArg(q);
      const at = now();
      const { graph } = await cache.read(org);
      if (filter.entity_id === undefined) {
        requireOwner(graph, actor, "list grants across entities");
      } else {
        const entityType = filter.entity_type ?? inferEntityType(filter.entity_id);
        requireEntityAdmin(graph, actor, entityType, filter.entity_id, at, "list this entity's grants");
      }
      const found = await storage.listGrants(org, filter, paging);
      return page(found.items, found.total, paging.skip, paging.limit);
    },

    async getGrant(organizationId, actorId, grantId) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const id = expectId("grant", grantId, "grant_id");
      const at = now();
      const { graph } = await cache.read(org);
      const record = await storage.getGrant(org, id);
      if (!record) throw grantNotFound(id);
      requireEntityAdmin(graph, actor, record.entity_type, record.entity_id, at, "read this entity's grants");
      return record;
    },

    async updateGrant(organizationId, actorId, grantId, input) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const id = expectId("grant", grantId, "grant_id");
      const level = updateGrantArg(input);
      const at = now();
      return planGrantChange(
        org,
        actor,
        id,
        "change this entity's grants",
        (graph, grant) => {
          const current = toGrantRecord(grant, org, at);
          if (grant.access_level === level) return { changes: [], graph, result: current };
          const record = { ...current, access_level: level, updated_at: wireTimestamp(at) };
          const next = updateGrantLevel(graph, id, level, { updated_at: record.updated_at });
          return { changes: [{ type: "put_grant", grant: record }], graph: next, result: record };
        },
        at,
      );
    },

    async revokeGrant(organizationId, actorId, grantId) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const id = expectId("grant", grantId, "grant_id");
      const at = now();
      await planGrantChange(
        org,
        actor,
        id,
        "revoke this entity's grants",
        (graph, grant) => ({
          changes: [{ type: "put_grant", grant: revokedRecord(grant, org, at) }],
          graph: revokeGraphGrant(graph, id),
          result: undefined,
        }),
        at,
      );
    },

    listSliceGrants: (organizationId, actorId, sliceId, query) =>
      listEntityGrants(organizationId, actorId, "knowledge_slice", sliceId, query),
    listVectorStoreGrants: (organizationId, actorId, storeId, query) =>
      listEntityGrants(organizationId, actorId, "vector_store", storeId, query),
    listAssistantGrants: (organizationId, actorId, assistantId, query) =>
      listEntityGrants(organizationId, actorId, "assistant", assistantId, query),

    async resolvedAccess(organizationId, actorId, userId, query) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const user = expectId("user", userId, "user_id");
      const q = queryObject(query);
      const entityType = q.entity_type === undefined ? undefined : expectEntityType(q.entity_type, "entity_type");
      const at = now();
      const { graph } = await cache.read(org);
      requireSelfOrOwner(graph, actor, user);
      return resolveAccessIn(graph, user, { entityType, at });
    },

    async usersWithAccess(organizationId, actorId, query) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const q = queryObject(query);
      const entityType = expectEntityType(q.entity_type, "entity_type");
      const entityId = expectId(entityType, q.entity_id, "entity_id");
      const at = now();
      const { graph } = await cache.read(org);
      requireEntityAdmin(graph, actor, entityType, entityId, at, "see who can reach this entity");
      return usersWithAccessIn(graph, entityType, entityId, { at });
    },

    addDepartmentMember: (org, actor, user, department) =>
      changeMembership(org, actor, user, department, "department", true),
    removeDepartmentMember: (org, actor, user, department) =>
      changeMembership(org, actor, user, department, "department", false),
    addRoleMember: (org, actor, user, role) => changeMembership(org, actor, user, role, "role", true),
    removeRoleMember: (org, actor, user, role) => changeMembership(org, actor, user, role, "role", false),

    async createDepartment(organizationId, actorId, input) {
      const body = expectObject(input, "body");
      const id = expectId("department", body.id, "id");
      const parent_id =
        body.parent_id === undefined || body.parent_id === null
          ? null
          : expectId("department", body.parent_id, "parent_id");
      return directoryWrite(organizationId, actorId, "create departments", (graph) => {
        const next = createDepartmentIn(graph, { id, parent_id });
        const department = { id, parent_id };
        return { changes: [{ type: "put_department", department }], graph: next, result: department };
      });
    },

    async moveDepartment(organizationId, actorId, departmentId, parentId) {
      const id = expectId("department", departmentId, "department_id");
      const parent_id = parentId === null ? null : expectId("department", parentId, "parent_id");
      return directoryWrite(organizationId, actorId, "move departments", (graph) => {
        if (!getDepartment(graph, id)) throw departmentNotFound(id);
        const next = moveDepartmentIn(graph, id, parent_id);
        const department = { id, parent_id };
        return {
          changes: next === graph ? [] : [{ type: "put_department", department }],
          graph: next,
          result: department,
        };
      });
    },

    async deleteDepartment(organizationId, actorId, departmentId) {
      const id = expectId("department", departmentId, "department_id");
      await directoryWrite(organizationId, actorId, "delete departments", (graph) => {
        const department = getDepartment(graph, id);
        if (!department) throw departmentNotFound(id);
        const next = removeDepartment(graph, id);
        const changes: StorageChange[] = [{ type: "delete_department", department_id: id }];
        for (const child of department.child_ids) {
          changes.push({ type: "put_department", department: { id: child, parent_id: department.parent_id } });
        }
        for (const member of department.member_ids) changes.push(putUser(next, member));
        return { changes, graph: next, result: undefined };
      });
    },

    async createComposite(organizationId, actorId, input) {
      const body = expectObject(input, "body");
      const id = expectId("knowledge_slice", body.id, "id");
      const members = expectIdList("knowledge_slice", body.member_slice_ids, "member_slice_ids");
      return directoryWrite(organizationId, actorId, "create composites", (graph) => {
        if (getComposite(graph, id)) {
          throw new AccessError(
            "RESOURCE_ALREADY_EXISTS",
            { field: "id", composite_id: id },
            { message: `Composite ${id} already exists.`, system_message: "Composite already exists" },
          );
        }
        const next = setCompositeMembersIn(graph, id, members);
        const composite = getComposite(next, id) ?? { id, member_slice_ids: [] };
        return { changes: [{ type: "put_composite", composite }], graph: next, result: composite };
      });
    },

    async setCompositeMembers(organizationId, actorId, compositeId, memberSliceIds) {
      const id = expectId("knowledge_slice", compositeId, "composite_id");
      const members = expectIdList("knowledge_slice", memberSliceIds, "member_slice_ids");
      return directoryWrite(organizationId, actorId, "change composites", (graph) => {
        if (!getComposite(graph, id)) {
          throw new AccessError("RESOURCE_NOT_FOUND", { composite_id: id }, { system_message: "Composite not found" });
        }
        const next = setCompositeMembersIn(graph, id, members);
        const composite = getComposite(next, id) ?? { id, member_slice_ids: [] };
        return {
          changes: next === graph ? [] : [{ type: "put_composite", composite }],
          graph: next,
          result: composite,
        };
      });
    },

    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
      cache.close();
    },
  };
}

function departmentNotFound(departmentId: string): AccessError {
  return new AccessError(
    "RESOURCE_NOT_FOUND",
    { department_id: departmentId },
    { system_message: "Department not found" },
  );
}

/** The entity type an id's prefix names (`listFilterArg` has already checked it names one). */
function inferEntityType(entityId: string): EntityType {
  const type = ENTITY_TYPES.find((candidate) => isValidId(candidate, entityId));
  if (type === undefined) throw validationError("entity_id", "entity_id must start with kslice_, vs_ or asst_");
  return type;
}
