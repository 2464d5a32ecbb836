/**
 * Reading a graph back: one grant, ownership, and the whole graph as plain JSON.
 * @module
 */
import { publicGrant } from "./grant-index.js";
import { type AccessGraph, stateOf } from "./graph-state.js";
import { trieForEach, trieGet, trieKeys } from "./hash-trie.js";
import type { CompositeInput, DepartmentInput, GrantInput, GraphGrant, GraphInput, UserInput } from "./types.js";

/**
 * The grant with this id, or `undefined` when the graph holds none (revoked grants leave it).
 *
 * @example
 * ```ts
 * import { createGraph, getGrant } from "grantpath";
 *
 * const graph = createGraph({ organization_id: "org_1", grants: [{ id: "agrant_1",
 *   entity_type: "assistant", entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_1",
 *   access_level: "read" }] });
 * getGrant(graph, "agrant_1")?.grantee_id; // "usr_1"
 * ```
 */
export function getGrant(graph: AccessGraph, grantId: string): GraphGrant | undefined {
  const grant = trieGet(stateOf(graph).grants, grantId);
  return grant && publicGrant(grant);
}

/**
 * Whether the user is one of the organization's owners.
 *
 * @example
 * ```ts
 * import { createGraph, isOwner } from "grantpath";
 *
 * isOwner(createGraph({ organization_id: "org_1", owners: ["usr_owner1"] }), "usr_owner1"); // true
 * ```
 */
export function isOwner(graph: AccessGraph, userId: string): boolean {
  return stateOf(graph).owners.includes(userId);
}

/**
 * The graph as a {@link GraphInput}, in a canonical order (every list sorted by id), so it can
 * be saved to a file and `createGraph` rebuilds a graph that answers every question the same.
 *
 * @example
 * ```ts
 * import { createGraph, graphToInput } from "grantpath";
 *
 * const copy = createGraph(graphToInput(createGraph({ organization_id: "org_1" })));
 * ```
 */
export function graphToInput(graph: AccessGraph): GraphInput {
  const state = stateOf(graph);
  const byId = <T extends { readonly id: string }>(items: T[]): T[] => items.sort((a, b) => (a.id < b.id ? -1 : 1));

  const users: UserInput[] = [];
  trieForEach(state.users, (user, id) =>
    users.push({ id, department_ids: [...user.department_ids], role_ids: [...user.role_ids] }),
  );
  const departments: DepartmentInput[] = [];
  trieForEach(state.departments, (parent_id, id) => departments.push({ id, parent_id }));
  const composites: CompositeInput[] = [];
  trieForEach(state.compositeMembers, (members, id) => composites.push({ id, member_slice_ids: [...members] }));
  const grants: GrantInput[] = [];
  trieForEach(state.grants, (stored) => {
    const { granted_by, created_at, updated_at, ...grant } = publicGrant(stored);
    grants.push({
      ...grant,
      ...(granted_by === null ? {} : { granted_by }),
      ...(created_at === null ? {} : { created_at }),
      ...(updated_at === null ? {} : { updated_at }),
    });
  });
  return {
    organization_id: state.organization_id,
    owners: [...state.owners],
    users: byId(users),
    departments: byId(departments),
    roles: trieKeys(state.roles)
      .sort()
      .map((id) => ({ id })),
    composites: byId(composites),
    grants: byId(grants as (GrantInput & { id: string })[]),
  };
}
