/**
 * The grant-management service of SPEC section 6 over a storage adapter: every operation
 * validates its input, checks the acting user's permission on the organization's current
 * graph, and stores its changes as one atomic batch.
 * @module
 */

import { validationError } from "../core/errors.js";
import {
  type AccessCheck,
  AccessError,
  type AccessGraph,
  type AccessPageRequest,
  addGrant,
  checkAccess as checkAccessIn,
  createDepartment as createDepartmentIn,
  createGraph,
  ENTITY_TYPES,
  type EntityType,
  findGrant,
  type GraphGrant,
  getComposite,
  getDepartment,
  getGrant as getGraphGrant,
  getUser,
  graphToInput,
  isAccessError,
  isValidId,
  moveDepartment as moveDepartmentIn,
  type ResolvedAccess,
  type ResolvedAccessPage,
  removeDepartment,
  resolveAccess as resolveAccessIn,
  revokeGrant as revokeGraphGrant,
  setCompositeMembers as setCompositeMembersIn,
  setOwners as setOwnersIn,
  setUserDepartments,
  setUserRoles,
  type UsersWithAccess,
  type UsersWithAccessPage,
  updateGrantLevel,
  usersWithAccess as usersWithAccessIn,
} from "../core/index.js";
import { readLimits } from "../core/limits.js";
import { queryPage } from "../core/query-arguments.js";
import {
  expectEntityType,
  expectId,
  expectIdList,
  expectObject,
  expectTimestamp,
  ownOptions,
  type UntrustedObject,
} from "../core/validate.js";
import { expiresAtOf, toGrantRecord, wireTimestamp } from "../storage/grant-records.js";
import type { GrantRecord, StorageAdapter, StorageChange } from "../storage/storage-adapter.js";
import type {
  AccessControl,
  AccessControlOptions,
  CallOptions,
  CheckAccessItemError,
  GrantList,
  ResolvedAccessQuery,
  UserMemberships,
  UsersWithAccessQuery,
} from "./access-control-types.js";
import { randomGrantId } from "./grant-ids.js";
import { type CachedOrganization, createOrganizationCache, type PlannedWrite } from "./organization-cache.js";
import { requireCheckPermission, requireEntityAdmin, requireOwner, requireSelfOrOwner } from "./permissions.js";
import { departmentNotFound, grantNotFound, organizationNotFound } from "./service-errors.js";
import {
  actorArg,
  bulkCheckArg,
  bulkCreateArg,
  type CheckRequest,
  callArg,
  changesArg,
  checkItemArg,
  checkQueryArg,
  createGrantArg,
  type EntityRef,
  type GranteeLevel,
  listFilterArg,
  organizationArg,
  pageArg,
  updateGrantArg,
  withIndex,
} from "./service-input.js";

function requireOrganization(current: CachedOrganization | null, organizationId: string): AccessGraph {
  if (!current) throw organizationNotFound(organizationId);
  return current.graph;
}

/** Expired exactly as resolution decides it (the core's timestamp parsing, rounding included). */
function isExpired(grant: GraphGrant, now: Date): boolean {
  const expiresAt = expiresAtOf(grant);
  return expiresAt !== undefined && expectTimestamp(expiresAt, "expires_at") <= now.getTime();
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

/** Tells the caller the revision an answer was computed on, and passes the answer through. */
function answer<T>(call: CallOptions, revision: number, value: T): T {
  call.onRevision?.(revision);
  return value;
}

/** A bulk item's error as its result: the code, the message and the details (with the item's `index`). */
function itemError(error: AccessError): CheckAccessItemError {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

/**
 * One check on a graph: the actor's right to ask is decided at `now` (as every permission is),
 * the answer at `at`.
 */
function checkOn(graph: AccessGraph, actor: string, request: CheckRequest, at: Date, now: Date): AccessCheck {
  requireCheckPermission(graph, actor, request.user_id, request.entity_type, request.entity_id, now);
  return checkAccessIn(graph, request.user_id, request.entity_type, request.entity_id, { level: request.level, at });
}

function queryObject(query: unknown): UntrustedObject {
  return query === undefined || query === null ? {} : expectObject(query, "query");
}

/** The storage option, checked to be an adapter (an object with the contract's required methods). */
function storageArg(value: unknown): StorageAdapter {
  const adapter = value as Partial<StorageAdapter> | null | undefined;
  const required = ["loadOrganization", "commit", "readChanges", "trimChanges", "getGrant", "listGrants"] as const;
  if (
    typeof adapter !== "object" ||
    adapter === null ||
    required.some((method) => typeof adapter[method] !== "function")
  ) {
    throw validationError(
      "storage",
      `storage must be a storage adapter (such as memoryStorage()) with ${required.join(", ")}`,
    );
  }
  return adapter as StorageAdapter;
}

/** The default bound on the graphs an instance holds: see `AccessControlOptions.maxCachedGrants`. */
const DEFAULT_MAX_CACHED_GRANTS = 1_000_000;

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
export function createAccessControl(given: AccessControlOptions): AccessControl {
  // Only the options the caller gave: nothing another library put on Object.prototype.
  const options = ownOptions(given, "options");
  const storage = storageArg(options.storage);
  const clock = options.clock ?? (() => new Date());
  const newGrantId = options.ids ?? randomGrantId;
  const maxAttempts = options.maxAttempts ?? 10;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw validationError("maxAttempts", "maxAttempts must be a whole number of at least 1");
  }
  const maxCachedGrants = options.maxCachedGrants ?? DEFAULT_MAX_CACHED_GRANTS;
  if (!Number.isSafeInteger(maxCachedGrants) || maxCachedGrants < 1) {
    throw validationError("maxCachedGrants", "maxCachedGrants must be a whole number of at least 1");
  }
  const limits = readLimits(options.limits);
  const onError = options.onError ?? ((error: unknown) => console.error("grantpath: background work failed", error));
  const cache = createOrganizationCache({ storage, maxAttempts, maxWeight: maxCachedGrants, onError, limits });
  let closed = false;
  /** Writes under way, so close() can let them finish before it releases the cache. */
  const pending = new Set<Promise<unknown>>();

  /** Commits a planned write and tells the caller the revision it made. */
  async function write<T>(
    organizationId: string,
    plan: (current: CachedOrganization | null) => PlannedWrite<T>,
    call: CallOptions,
  ): Promise<T> {
    const running = cache.write(organizationId, plan, { committed_at: wireTimestamp(clock()) });
    pending.add(running);
    const forget = () => pending.delete(running);
    running.then(forget, forget);
    const outcome = await running;
    call.onRevision?.(outcome.revision);
    return outcome.result;
  }

  /** The organization's state for a read, at the caller's `minRevision` or later. */
  function read(organizationId: string, call: CallOptions): Promise<CachedOrganization> {
    ensureOpen();
    return cache.read(organizationId, call.minRevision);
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
   * Creates grants for several grantees on one entity, all or nothing. A request that the held
   * graph already refuses fails before any id is drawn (when the adapter tells this instance of
   * other writers' commits); the write then checks again on the organization's latest state, so
   * a race lost in between is still caught.
   */
  async function createGrants(
    organizationId: string,
    actorId: string,
    entity: EntityRef,
    items: readonly GranteeLevel[],
    at: Date,
    bulk: boolean,
    call: CallOptions,
  ): Promise<GrantRecord[]> {
    try {
      checkCreates((await read(organizationId, call)).graph, actorId, entity, items, at, bulk);
    } catch (error) {
      // Without watch the held graph may be stale: the write below checks again on the latest state.
      if (storage.watch !== undefined || !isAccessError(error)) throw error;
    }
    const ids = await freshGrantIds(organizationId, items.length);
    return write(
      organizationId,
      (current) => {
        const graph = requireOrganization(current, organizationId);
        const expired = checkCreates(graph, actorId, entity, items, at, bulk);
        return planCreates(graph, organizationId, actorId, entity, items, at, expired, ids);
      },
      call,
    );
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
    call: CallOptions,
  ): Promise<T> {
    return write(
      organizationId,
      (current) => {
        const graph = requireOrganization(current, organizationId);
        const grant = getGraphGrant(graph, grantId);
        if (!grant) throw grantNotFound(grantId);
        requireEntityAdmin(graph, actorId, grant.entity_type, grant.entity_id, at, action);
        return change(graph, grant);
      },
      call,
    );
  }

  async function listEntityGrants(
    organizationId: unknown,
    actorId: unknown,
    entityType: EntityType,
    entityId: unknown,
    query: unknown,
    options: unknown,
  ): Promise<GrantList> {
    const org = organizationArg(organizationId);
    const actor = actorArg(actorId);
    const entity_id = expectId(entityType, entityId, "entity_id");
    const paging = pageArg(queryObject(query));
    const call = callArg(options);
    const at = now();
    const { graph, revision } = await read(org, call);
    requireEntityAdmin(graph, actor, entityType, entity_id, at, "list this entity's grants");
    const found = await storage.listGrants(org, { entity_type: entityType, entity_id }, paging);
    return answer(call, revision, page(found.items, found.total, paging.skip, paging.limit));
  }

  function resolvedAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    query: ResolvedAccessQuery & AccessPageRequest,
    options?: CallOptions,
  ): Promise<ResolvedAccessPage>;
  function resolvedAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    query?: ResolvedAccessQuery,
    options?: CallOptions,
  ): Promise<ResolvedAccess>;
  async function resolvedAccess(
    organizationId: string,
    actorId: string,
    userId: string,
    query?: ResolvedAccessQuery,
    options?: CallOptions,
  ): Promise<ResolvedAccess> {
    const org = organizationArg(organizationId);
    const actor = actorArg(actorId);
    const user = expectId("user", userId, "user_id");
    const q = queryObject(query);
    const entityType = q.entity_type === undefined ? undefined : expectEntityType(q.entity_type, "entity_type");
    const page = queryPage(q.skip, q.limit);
    const call = callArg(options);
    const at = now();
    const { graph, revision } = await read(org, call);
    requireSelfOrOwner(graph, actor, user);
    return answer(call, revision, resolveAccessIn(graph, user, { entityType, at, ...page }));
  }

  function usersWithAccess(
    organizationId: string,
    actorId: string,
    query: UsersWithAccessQuery & AccessPageRequest,
    options?: CallOptions,
  ): Promise<UsersWithAccessPage>;
  function usersWithAccess(
    organizationId: string,
    actorId: string,
    query: UsersWithAccessQuery,
    options?: CallOptions,
  ): Promise<UsersWithAccess>;
  async function usersWithAccess(
    organizationId: string,
    actorId: string,
    query: UsersWithAccessQuery,
    options?: CallOptions,
  ): Promise<UsersWithAccess> {
    const org = organizationArg(organizationId);
    const actor = actorArg(actorId);
    const q = queryObject(query);
    const entityType = expectEntityType(q.entity_type, "entity_type");
    const entityId = expectId(entityType, q.entity_id, "entity_id");
    const page = queryPage(q.skip, q.limit);
    const call = callArg(options);
    const at = now();
    const { graph, revision } = await read(org, call);
    requireEntityAdmin(graph, actor, entityType, entityId, at, "see who can reach this entity");
    return answer(call, revision, usersWithAccessIn(graph, entityType, entityId, { at, ...page }));
  }

  /** Runs an owner-only directory change. */
  function directoryWrite<T>(
    organizationId: unknown,
    actorId: unknown,
    action: string,
    options: unknown,
    change: (graph: AccessGraph, org: string) => PlannedWrite<T>,
  ): Promise<T> {
    const org = organizationArg(organizationId);
    const actor = actorArg(actorId);
    const call = callArg(options);
    ensureOpen();
    return write(
      org,
      (current) => {
        const graph = requireOrganization(current, org);
        requireOwner(graph, actor, action);
        return change(graph, org);
      },
      call,
    );
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
    options: unknown,
  ): Promise<UserMemberships> {
    const userId = expectId("user", userIdArg, "user_id");
    const groupId = expectId(kind, groupIdArg, `${kind}_id`);
    const action = `${add ? "add" : "remove"} ${kind} memberships`;
    return directoryWrite(organizationId, actorId, action, options, (graph) => {
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
    async createOrganization(organizationId, input, options) {
      const org = organizationArg(organizationId);
      const owners = ownerList(expectObject(input, "body").owners);
      const call = callArg(options);
      ensureOpen();
      return write(
        org,
        (current) => {
          if (current) {
            throw new AccessError(
              "RESOURCE_ALREADY_EXISTS",
              { organization_id: org },
              { message: `Organization ${org} already exists.`, system_message: "Organization already exists" },
            );
          }
          const graph = createGraph({ organization_id: org, owners }, { limits });
          return { changes: [{ type: "create_organization", owners }], graph, result: graphToInput(graph) };
        },
        call,
      );
    },

    async exportOrganization(organizationId, actorId, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const call = callArg(options);
      const { graph, revision } = await read(org, call);
      requireOwner(graph, actor, "export the organization");
      return answer(call, revision, graphToInput(graph));
    },

    async setOwners(organizationId, actorId, owners, options) {
      const ids = ownerList(owners);
      return directoryWrite(organizationId, actorId, "change the owners", options, (graph) => {
        const next = setOwnersIn(graph, ids);
        return { changes: next === graph ? [] : [{ type: "set_owners", owners: ids }], graph: next, result: ids };
      });
    },

    async createGrant(organizationId, actorId, input, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const at = now();
      const body = createGrantArg(input, at.getTime());
      const call = callArg(options);
      const entity = { entity_type: body.entity_type, entity_id: body.entity_id };
      const [record] = await createGrants(org, actor, entity, [body], at, false, call);
      return record as GrantRecord;
    },

    async bulkCreateGrants(organizationId, actorId, input, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const at = now();
      const body = bulkCreateArg(input, at.getTime());
      const call = callArg(options);
      const entity = { entity_type: body.entity_type, entity_id: body.entity_id };
      return createGrants(org, actor, entity, body.grants, at, true, call);
    },

    async listGrants(organizationId, actorId, query, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const q = queryObject(query);
      const filter = listFilterArg(q);
      const paging = pageArg(q);
      const call = callArg(options);
      const at = now();
      const { graph, revision } = await read(org, call);
      if (filter.entity_id === undefined) {
        requireOwner(graph, actor, "list grants across entities");
      } else {
        const entityType = filter.entity_type ?? inferEntityType(filter.entity_id);
        requireEntityAdmin(graph, actor, entityType, filter.entity_id, at, "list this entity's grants");
      }
      const found = await storage.listGrants(org, filter, paging);
      return answer(call, revision, page(found.items, found.total, paging.skip, paging.limit));
    },

    async getGrant(organizationId, actorId, grantId, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const id = expectId("grant", grantId, "grant_id");
      const call = callArg(options);
      const at = now();
      const { graph, revision } = await read(org, call);
      const record = await storage.getGrant(org, id);
      if (!record) throw grantNotFound(id);
      requireEntityAdmin(graph, actor, record.entity_type, record.entity_id, at, "read this entity's grants");
      return answer(call, revision, record);
    },

    async updateGrant(organizationId, actorId, grantId, input, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const id = expectId("grant", grantId, "grant_id");
      const level = updateGrantArg(input);
      const call = callArg(options);
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
        call,
      );
    },

    async revokeGrant(organizationId, actorId, grantId, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const id = expectId("grant", grantId, "grant_id");
      const call = callArg(options);
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
        call,
      );
    },

    listSliceGrants: (organizationId, actorId, sliceId, query, options) =>
      listEntityGrants(organizationId, actorId, "knowledge_slice", sliceId, query, options),
    listVectorStoreGrants: (organizationId, actorId, storeId, query, options) =>
      listEntityGrants(organizationId, actorId, "vector_store", storeId, query, options),
    listAssistantGrants: (organizationId, actorId, assistantId, query, options) =>
      listEntityGrants(organizationId, actorId, "assistant", assistantId, query, options),

    resolvedAccess,
    usersWithAccess,

    async checkAccess(organizationId, actorId, userId, entityType, entityId, query, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      // The same field rules as a bulk item's (and the HTTP body's), named without a prefix.
      const asked = checkItemArg({ user_id: userId, entity_type: entityType, entity_id: entityId }, "");
      const { level, at } = checkQueryArg(query);
      const call = callArg(options);
      const current = now();
      const { graph, revision } = await read(org, call);
      return answer(call, revision, checkOn(graph, actor, { ...asked, level }, at ?? current, current));
    },

    async bulkCheckAccess(organizationId, actorId, input, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const { checks, at } = bulkCheckArg(input);
      const call = callArg(options);
      const current = now();
      // One read: every item is answered on the same revision, whatever commits meanwhile.
      const { graph, revision } = await read(org, call);
      const results = checks.map((request, index) => {
        if (isAccessError(request)) return itemError(request);
        try {
          return checkOn(graph, actor, request, at ?? current, current);
        } catch (error) {
          // A refusal is this item's answer; anything else (the storage, a bug) fails the call.
          if (!isAccessError(error, "INSUFFICIENT_PERMISSIONS")) throw error;
          return itemError(withIndex(error, index) as AccessError);
        }
      });
      return answer(call, revision, { results });
    },

    addDepartmentMember: (org, actor, user, department, options) =>
      changeMembership(org, actor, user, department, "department", true, options),
    removeDepartmentMember: (org, actor, user, department, options) =>
      changeMembership(org, actor, user, department, "department", false, options),
    addRoleMember: (org, actor, user, role, options) => changeMembership(org, actor, user, role, "role", true, options),
    removeRoleMember: (org, actor, user, role, options) =>
      changeMembership(org, actor, user, role, "role", false, options),

    async createDepartment(organizationId, actorId, input, options) {
      const body = expectObject(input, "body");
      const id = expectId("department", body.id, "id");
      const parent_id =
        body.parent_id === undefined || body.parent_id === null
          ? null
          : expectId("department", body.parent_id, "parent_id");
      return directoryWrite(organizationId, actorId, "create departments", options, (graph) => {
        const next = createDepartmentIn(graph, { id, parent_id });
        const department = { id, parent_id };
        return { changes: [{ type: "put_department", department }], graph: next, result: department };
      });
    },

    async moveDepartment(organizationId, actorId, departmentId, parentId, options) {
      const id = expectId("department", departmentId, "department_id");
      const parent_id = parentId === null ? null : expectId("department", parentId, "parent_id");
      return directoryWrite(organizationId, actorId, "move departments", options, (graph) => {
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

    async deleteDepartment(organizationId, actorId, departmentId, options) {
      const id = expectId("department", departmentId, "department_id");
      await directoryWrite(organizationId, actorId, "delete departments", options, (graph) => {
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

    async createComposite(organizationId, actorId, input, options) {
      const body = expectObject(input, "body");
      const id = expectId("knowledge_slice", body.id, "id");
      const members = expectIdList("knowledge_slice", body.member_slice_ids, "member_slice_ids");
      return directoryWrite(organizationId, actorId, "create composites", options, (graph) => {
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

    async setCompositeMembers(organizationId, actorId, compositeId, memberSliceIds, options) {
      const id = expectId("knowledge_slice", compositeId, "composite_id");
      const members = expectIdList("knowledge_slice", memberSliceIds, "member_slice_ids");
      return directoryWrite(organizationId, actorId, "change composites", options, (graph) => {
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

    async changes(organizationId, actorId, query, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const { since, limit } = changesArg(queryObject(query));
      const call = callArg(options);
      const { graph } = await read(org, call);
      requireOwner(graph, actor, "read the change log");
      const found = await storage.readChanges(org, since, limit);
      if (!found) throw organizationNotFound(org);
      if (since > found.revision) {
        throw validationError(
          "since",
          `since ${since} is beyond the organization's current revision ${found.revision}`,
          {
            revision: found.revision,
          },
        );
      }
      return answer(call, found.revision, found);
    },

    async snapshot(organizationId, actorId, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const call = callArg(options);
      const { graph, revision } = await read(org, call);
      requireOwner(graph, actor, "read the organization's snapshot");
      return answer(call, revision, { revision, graph: graphToInput(graph) });
    },

    async graph(organizationId, options) {
      const org = organizationArg(organizationId);
      const call = callArg(options);
      const { graph, revision } = await read(org, call);
      return { revision, graph };
    },

    cacheUsage() {
      const held = cache.held();
      return { organizations: held.organizations, grants: held.weight };
    },

    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
      cache.close();
    },
  };
}

/** The entity type an id's prefix names (`listFilterArg` has already checked it names one). */
function inferEntityType(entityId: string): EntityType {
  const type = ENTITY_TYPES.find((candidate) => isValidId(candidate, entityId));
  if (type === undefined) throw validationError("entity_id", "entity_id must start with kslice_, vs_ or asst_");
  return type;
}
