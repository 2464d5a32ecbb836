/**
 * The grant operations of the service (spec §6): create, bulk create, list, read, update and
 * revoke grants, and list one entity's grants. Each validates its input, checks the actor's
 * permission on the organization's latest state, and commits one atomic batch.
 * @module
 */
import { activeGrantExists, grantNotFound } from "../core/error-constructors.js";
import { validationError } from "../core/errors.js";
import * as graphWrites from "../core/graph-writes.js";
import {
  type AccessGraph,
  ENTITY_TYPES,
  type EntityType,
  findGrant,
  type GraphGrant,
  getGrant,
  isAccessError,
  isValidId,
} from "../core/index.js";
import { expectId, expectTimestamp } from "../core/validate.js";
import { expiresAtOf, toGrantRecord, wireTimestamp } from "../storage/grant-records.js";
import type { GrantRecord, StorageChange } from "../storage/storage-adapter.js";
import type { AccessControl, CallOptions, GrantList } from "./access-control-types.js";
import type { PlannedWrite } from "./organization-cache.js";
import { requireEntityAdmin, requireOwner } from "./permissions.js";
import { answer, queryObject, requireOrganization, type ServiceContext } from "./service-context.js";
import {
  actorArg,
  bulkCreateArg,
  callArg,
  createGrantArg,
  type EntityRef,
  type GranteeLevel,
  listFilterArg,
  organizationArg,
  pageArg,
  updateGrantArg,
} from "./service-input.js";

/** Expired exactly as resolution decides it (the core's timestamp parsing, rounding included). */
function isExpired(grant: GraphGrant, now: Date): boolean {
  const expiresAt = expiresAtOf(grant);
  return expiresAt !== undefined && expectTimestamp(expiresAt, "expires_at") <= now.getTime();
}

/** The stored form of a grant being retired: revoked now, kept for audit. */
export function revokedRecord(grant: GraphGrant, organizationId: string, at: Date): GrantRecord {
  const stamp = wireTimestamp(at);
  return { ...toGrantRecord(grant, organizationId, at), updated_at: stamp, revoked_at: stamp };
}

function page(items: GrantRecord[], total: number, skip: number, limit: number): GrantList {
  return { items, total, skip, limit, has_more: skip + items.length < total };
}

/** The entity type an id's prefix names (`listFilterArg` has already checked it names one). */
function inferEntityType(entityId: string): EntityType {
  const type = ENTITY_TYPES.find((candidate) => isValidId(candidate, entityId));
  if (type === undefined) throw validationError("entity_id", "entity_id must start with kslice_, vs_ or asst_");
  return type;
}

/** The service's grant operations. */
export type GrantOperations = Pick<
  AccessControl,
  | "createGrant"
  | "bulkCreateGrants"
  | "listGrants"
  | "getGrant"
  | "updateGrant"
  | "revokeGrant"
  | "listSliceGrants"
  | "listVectorStoreGrants"
  | "listAssistantGrants"
>;

/** The grant operations over the service's shared parts. */
export function grantOperations(context: ServiceContext): GrantOperations {
  const { storage, newGrantId, now, read, write } = context;

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
        throw activeGrantExists(entity, item, existing.id, where);
      }
      return existing;
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
        next = graphWrites.revokeGrant(next, existing.id);
      }
      // Checked against storage before planning; a race lost meanwhile may have taken it.
      let id = ids[index] ?? newGrantId();
      while (getGrant(next, id)) id = newGrantId();
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
      next = graphWrites.addGrant(next, record);
      changes.push({ type: "put_grant", grant: record });
      records.push(record);
    });
    return { changes, graph: next, result: records };
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
        const grant = getGrant(graph, grantId);
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

  return {
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
          const next = graphWrites.updateGrantLevel(graph, id, level, { updated_at: record.updated_at });
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
          graph: graphWrites.revokeGrant(graph, id),
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
  };
}
