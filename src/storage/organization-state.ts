/**
 * One organization's stored state as plain maps, and what each storage change does to it. The
 * memory adapter keeps its organizations this way; the SQL adapters rebuild one from a stored
 * snapshot and the commits after it. Either way a change means exactly what it means in a table.
 * @module
 */
import type { GraphInput } from "../core/index.js";
import { revokedAtOf } from "./grant-records.js";
import type { SeedOrganization } from "./initial-organizations.js";
import type { GrantRecord, StorageChange } from "./storage-adapter.js";

/**
 * A user's direct memberships as stored.
 *
 * @example
 * ```ts
 * const user: StoredMemberships = { department_ids: ["dept_eng01"], role_ids: [] };
 * ```
 */
export interface StoredMemberships {
  readonly department_ids: readonly string[];
  readonly role_ids: readonly string[];
}

/**
 * An organization's directory and grants, keyed by id.
 *
 * @example
 * ```ts
 * const state: OrganizationState = stateFromGraph(snapshot.graph);
 * state.grants.get("agrant_1")?.access_level;
 * ```
 */
export interface OrganizationState {
  owners: readonly string[];
  readonly users: Map<string, StoredMemberships>;
  /** Declared department → parent. */
  readonly departments: Map<string, string | null>;
  /** Declared roles (only seeds declare them). */
  readonly roles: readonly string[];
  /** Declared composite → direct members. */
  readonly composites: Map<string, readonly string[]>;
  /** Grants by id, in insertion order; revoked ones (with `revoked_at`) too where the adapter keeps them. */
  readonly grants: Map<string, GrantRecord>;
}

/**
 * An organization with nothing in it yet.
 *
 * @example
 * ```ts
 * const state = emptyState(); // then apply the create_organization batch to it
 * ```
 */
export function emptyState(): OrganizationState {
  return {
    owners: [],
    users: new Map(),
    departments: new Map(),
    roles: [],
    composites: new Map(),
    grants: new Map(),
  };
}

/** The state of a seeded organization (`initial`). */
export function stateFromSeed({ graph, grants }: SeedOrganization): OrganizationState {
  return {
    owners: Object.freeze([...(graph.owners ?? [])]),
    users: new Map(
      (graph.users ?? []).map((u) => [u.id, { department_ids: u.department_ids ?? [], role_ids: u.role_ids ?? [] }]),
    ),
    departments: new Map((graph.departments ?? []).map((d) => [d.id, d.parent_id ?? null])),
    roles: (graph.roles ?? []).map((r) => r.id),
    composites: new Map((graph.composites ?? []).map((c) => [c.id, c.member_slice_ids])),
    grants: new Map(grants.map((record) => [record.id, record])),
  };
}

/**
 * Applies one (checked) change and returns the frozen copy a log keeps of it.
 *
 * @example
 * ```ts
 * const logged = changes.map((change) => applyStoredChange(state, change));
 * ```
 */
export function applyStoredChange(state: OrganizationState, change: StorageChange): StorageChange {
  switch (change.type) {
    case "create_organization":
    case "set_owners": {
      const owners = Object.freeze([...change.owners]);
      state.owners = owners;
      return Object.freeze({ type: change.type, owners });
    }
    case "put_grant": {
      const grant = Object.freeze({ ...change.grant });
      state.grants.set(grant.id, grant);
      return Object.freeze({ type: "put_grant", grant });
    }
    case "put_user": {
      const user = Object.freeze({
        id: change.user.id,
        department_ids: Object.freeze([...change.user.department_ids]),
        role_ids: Object.freeze([...change.user.role_ids]),
      });
      state.users.set(user.id, user);
      return Object.freeze({ type: "put_user", user });
    }
    case "put_department": {
      const department = Object.freeze({ id: change.department.id, parent_id: change.department.parent_id });
      state.departments.set(department.id, department.parent_id);
      return Object.freeze({ type: "put_department", department });
    }
    case "delete_department":
      state.departments.delete(change.department_id);
      return Object.freeze({ type: "delete_department", department_id: change.department_id });
    case "put_composite": {
      const composite = Object.freeze({
        id: change.composite.id,
        member_slice_ids: Object.freeze([...change.composite.member_slice_ids]),
      });
      state.composites.set(composite.id, composite.member_slice_ids);
      return Object.freeze({ type: "put_composite", composite });
    }
    default:
      // Adapters check batches before storing them; a logged change of no known type is damage.
      throw new Error(
        `grantpath: a stored change of unknown type ${JSON.stringify((change as { type?: unknown }).type)}`,
      );
  }
}

/**
 * The state as a `GraphInput`: the directory and the grants that are not revoked.
 *
 * @example
 * ```ts
 * return { revision, graph: stateToGraph(organizationId, state) }; // loadOrganization's answer
 * ```
 */
export function stateToGraph(organizationId: string, state: OrganizationState): GraphInput {
  const grants: GrantRecord[] = [];
  for (const grant of state.grants.values()) if (revokedAtOf(grant) === undefined) grants.push(grant);
  return {
    organization_id: organizationId,
    owners: [...state.owners],
    users: Array.from(state.users, ([id, user]) => ({
      id,
      department_ids: [...user.department_ids],
      role_ids: [...user.role_ids],
    })),
    departments: Array.from(state.departments, ([id, parent_id]) => ({ id, parent_id })),
    roles: state.roles.map((id) => ({ id })),
    composites: Array.from(state.composites, ([id, members]) => ({ id, member_slice_ids: [...members] })),
    grants,
  };
}

/**
 * The state a `GraphInput` of stored records describes (every grant complete, none revoked).
 *
 * @example
 * ```ts
 * const state = stateFromGraph((await adapter.loadOrganization("org_acme"))?.graph ?? { organization_id: "org_acme" });
 * ```
 */
export function stateFromGraph(graph: GraphInput): OrganizationState {
  return stateFromSeed({ graph, grants: (graph.grants ?? []) as readonly GrantRecord[] });
}
