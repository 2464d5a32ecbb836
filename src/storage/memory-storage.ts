/**
 * The embedded default adapter: organizations in memory, for tests, demos, edge workers and
 * single-process services that can rebuild their state at start.
 * @module
 */
import { AccessError, type GraphInput } from "../core/index.js";
import { checkBatch } from "./change-batch.js";
import { seedOrganizations } from "./initial-organizations.js";
import type {
  ChangeListener,
  GrantFilter,
  GrantPage,
  GrantRecord,
  OrganizationSnapshot,
  PageRequest,
  StorageAdapter,
  StorageChange,
} from "./storage-adapter.js";

/**
 * Options of {@link memoryStorage}.
 *
 * @example
 * ```ts
 * const options: MemoryStorageOptions = { initial: [{ organization_id: "org_acme", owners: ["usr_owner1"] }] };
 * ```
 */
export interface MemoryStorageOptions {
  /**
   * Organizations to start with, each validated like `createGraph` input. Grants without
   * timestamps get the time the storage was created; grants without an id get `agrant_auto_N`.
   */
  readonly initial?: readonly GraphInput[];
  /** The clock that dates seeded grants without timestamps. Default: the system clock. */
  readonly clock?: () => Date;
}

interface MemoryOrganization {
  version: number;
  owners: readonly string[];
  readonly users: Map<string, { department_ids: readonly string[]; role_ids: readonly string[] }>;
  readonly departments: Map<string, string | null>;
  readonly roles: readonly string[];
  readonly composites: Map<string, readonly string[]>;
  /** Every grant ever made, revoked ones included, in insertion order. */
  readonly grants: Map<string, GrantRecord>;
}

/**
 * Creates the in-memory adapter. Each instance is its own database: two services given the same
 * instance share it (and hear each other's changes through `watch`), as two processes would
 * share a real database.
 *
 * @throws {@link AccessError} `VALIDATION_ERROR` when an initial organization is invalid or
 *   appears twice (`initial[i]…`).
 *
 * @example
 * ```ts
 * import { createAccessControl, memoryStorage } from "grantpath";
 *
 * const accessControl = createAccessControl({
 *   storage: memoryStorage({ initial: [{ organization_id: "org_acme", owners: ["usr_owner1"] }] }),
 * });
 * ```
 */
export function memoryStorage(options: MemoryStorageOptions = {}): StorageAdapter {
  const organizations = new Map<string, MemoryOrganization>();
  const listeners = new Set<ChangeListener>();
  seed(organizations, options.initial ?? [], (options.clock ?? (() => new Date()))());

  return {
    name: "memory",

    loadOrganization(organizationId: string): OrganizationSnapshot | null {
      const org = organizations.get(organizationId);
      return org ? { version: org.version, graph: snapshotGraph(organizationId, org) } : null;
    },

    commit(organizationId: string, expectedVersion: number, changes: readonly StorageChange[]): number {
      const existing = organizations.get(organizationId);
      const actualVersion = existing?.version ?? 0;
      if (actualVersion !== expectedVersion) {
        throw new AccessError("VERSION_CONFLICT", {
          organization_id: organizationId,
          expected_version: expectedVersion,
          actual_version: actualVersion,
        });
      }
      const org = existing ?? startOrganization(organizationId, changes);
      // Every change is checked first; applying checked changes cannot fail, so the batch
      // lands whole or not at all.
      checkBatch(changes, actualVersion);
      for (const change of changes) applyChange(org, change);
      org.version = actualVersion + 1;
      organizations.set(organizationId, org);
      for (const listener of listeners) notify(listener, organizationId, org.version);
      return org.version;
    },

    getGrant(organizationId: string, grantId: string): GrantRecord | null {
      return organizations.get(organizationId)?.grants.get(grantId) ?? null;
    },

    listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): GrantPage {
      const org = organizations.get(organizationId);
      if (!org) return { items: [], total: 0 };
      const matching = [...org.grants.values()].filter(
        (grant) => grant.revoked_at === undefined && matches(grant, filter),
      );
      matching.sort(compareListed);
      return { items: matching.slice(page.skip, page.skip + page.limit), total: matching.length };
    },

    watch(listener: ChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    close(): void {
      listeners.clear();
    },
  };
}

/**
 * Tells one listener; a listener that throws must not turn a landed commit into a failure, keep
 * the others from hearing it, or take the process down, and its error is reported, not lost.
 */
function notify(listener: ChangeListener, organizationId: string, version: number): void {
  try {
    listener(organizationId, version);
  } catch (error) {
    console.error(`grantpath: a memory storage listener threw on ${organizationId} v${version}`, error);
  }
}

/**
 * Listing order: `created_at`, then `id` (code-unit order).
 *
 * @example
 * ```ts
 * records.sort(compareListed); // created_at, then id
 * ```
 */
export function compareListed(a: GrantRecord, b: GrantRecord): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function matches(grant: GrantRecord, filter: GrantFilter): boolean {
  return (
    (filter.entity_type === undefined || grant.entity_type === filter.entity_type) &&
    (filter.entity_id === undefined || grant.entity_id === filter.entity_id) &&
    (filter.grantee_type === undefined || grant.grantee_type === filter.grantee_type) &&
    (filter.grantee_id === undefined || grant.grantee_id === filter.grantee_id)
  );
}

function startOrganization(organizationId: string, changes: readonly StorageChange[]): MemoryOrganization {
  if (changes[0]?.type !== "create_organization") {
    throw new AccessError(
      "RESOURCE_NOT_FOUND",
      { organization_id: organizationId },
      { system_message: "Organization not found" },
    );
  }
  return {
    version: 0,
    owners: [],
    users: new Map(),
    departments: new Map(),
    roles: [],
    composites: new Map(),
    grants: new Map(),
  };
}

function applyChange(org: MemoryOrganization, change: StorageChange): void {
  switch (change.type) {
    case "create_organization":
    case "set_owners":
      org.owners = Object.freeze([...change.owners]);
      return;
    case "put_grant":
      org.grants.set(change.grant.id, Object.freeze({ ...change.grant }));
      return;
    case "put_user":
      org.users.set(change.user.id, {
        department_ids: Object.freeze([...change.user.department_ids]),
        role_ids: Object.freeze([...change.user.role_ids]),
      });
      return;
    case "put_department":
      org.departments.set(change.department.id, change.department.parent_id);
      return;
    case "delete_department":
      org.departments.delete(change.department_id);
      return;
    case "put_composite":
      org.composites.set(change.composite.id, Object.freeze([...change.composite.member_slice_ids]));
      return;
  }
}

function snapshotGraph(organizationId: string, org: MemoryOrganization): GraphInput {
  return {
    organization_id: organizationId,
    owners: [...org.owners],
    users: [...org.users].map(([id, user]) => ({
      id,
      department_ids: [...user.department_ids],
      role_ids: [...user.role_ids],
    })),
    departments: [...org.departments].map(([id, parent_id]) => ({ id, parent_id })),
    roles: org.roles.map((id) => ({ id })),
    composites: [...org.composites].map(([id, members]) => ({ id, member_slice_ids: [...members] })),
    grants: [...org.grants.values()].filter((grant) => grant.revoked_at === undefined),
  };
}

function seed(organizations: Map<string, MemoryOrganization>, initial: readonly GraphInput[], seededAt: Date): void {
  for (const { graph, grants } of seedOrganizations(initial, seededAt)) {
    organizations.set(graph.organization_id, {
      version: 1,
      owners: Object.freeze([...(graph.owners ?? [])]),
      users: new Map(
        (graph.users ?? []).map((u) => [u.id, { department_ids: u.department_ids ?? [], role_ids: u.role_ids ?? [] }]),
      ),
      departments: new Map((graph.departments ?? []).map((d) => [d.id, d.parent_id ?? null])),
      roles: (graph.roles ?? []).map((r) => r.id),
      composites: new Map((graph.composites ?? []).map((c) => [c.id, c.member_slice_ids])),
      grants: new Map(grants.map((record) => [record.id, record])),
    });
  }
}
