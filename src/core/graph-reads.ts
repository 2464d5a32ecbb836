/**
 * Reading a graph back: one grant, ownership, and the whole graph as plain JSON.
 * @module
 */
import { compositeMembers } from "./composite-containment.js";
import { departmentChildren, departmentIsKnown, departmentParent } from "./department-forest.js";
import { grantForPair, publicGrant } from "./grant-index.js";
import { type AccessGraph, stateOf } from "./graph-state.js";
import { trieForEach, trieGet, trieHas, trieKeys, trieSize } from "./hash-trie.js";
import { membersOf } from "./memberships.js";
import type { CompositeInput, DepartmentInput, GrantInput, GraphGrant, GraphInput, UserInput } from "./types.js";
import { ENTITY_TYPES, GRANTEE_TYPES } from "./types.js";
import { expectId, expectIdOfKinds } from "./validate.js";

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
  const state = stateOf(graph);
  const grant = trieGet(state.grants, expectId("grant", grantId, "grant_id"));
  return grant && publicGrant(grant, state.organization_id);
}

/**
 * The grant a grantee holds on an entity, or `undefined` (at most one exists per pair).
 *
 * @example
 * ```ts
 * import { createGraph, findGrant } from "grantpath";
 *
 * const graph = createGraph({ organization_id: "org_1", grants: [{ id: "agrant_1",
 *   entity_type: "assistant", entity_id: "asst_1", grantee_type: "role", grantee_id: "role_a",
 *   access_level: "read" }] });
 * findGrant(graph, "asst_1", "role_a")?.id; // "agrant_1"
 * ```
 */
export function findGrant(graph: AccessGraph, entityId: string, granteeId: string): GraphGrant | undefined {
  const state = stateOf(graph);
  const entity = expectIdOfKinds(ENTITY_TYPES, entityId, "entity_id");
  const grantee = expectIdOfKinds(GRANTEE_TYPES, granteeId, "grantee_id");
  const grant = grantForPair(state, entity, grantee);
  return grant && publicGrant(grant, state.organization_id);
}

/**
 * A listed user's direct memberships, or `undefined` for a user the graph does not list.
 *
 * @example
 * ```ts
 * import { createGraph, getUser } from "grantpath";
 *
 * const graph = createGraph({ organization_id: "org_1", users: [{ id: "usr_1", role_ids: ["role_a"] }] });
 * getUser(graph, "usr_1"); // { id: "usr_1", department_ids: [], role_ids: ["role_a"] }
 * ```
 */
export function getUser(graph: AccessGraph, userId: string): Required<UserInput> | undefined {
  const state = stateOf(graph);
  const id = expectId("user", userId, "user_id");
  const user = trieGet(state.users, id);
  return user && { id, department_ids: [...user.department_ids], role_ids: [...user.role_ids] };
}

/**
 * A department as {@link getDepartment} describes it.
 *
 * @example
 * ```ts
 * const info: DepartmentInfo | undefined = getDepartment(graph, "dept_eng01");
 * info?.member_ids; // listed users directly in dept_eng01
 * ```
 */
export interface DepartmentInfo {
  /** The department. */
  readonly id: string;
  /** Its parent, or `null` at the top. */
  readonly parent_id: string | null;
  /** Whether it was declared (rather than only named by a membership, grant or child). */
  readonly declared: boolean;
  /** Its direct sub-departments, sorted. */
  readonly child_ids: string[];
  /** Listed users who are direct members, sorted. */
  readonly member_ids: string[];
}

/**
 * What the graph knows of a department, or `undefined` when nothing names it.
 *
 * @example
 * ```ts
 * import { createGraph, getDepartment } from "grantpath";
 *
 * const graph = createGraph({ organization_id: "org_1", departments: [{ id: "dept_b", parent_id: "dept_a" }] });
 * getDepartment(graph, "dept_a")?.child_ids; // ["dept_b"]
 * ```
 */
export function getDepartment(graph: AccessGraph, departmentId: string): DepartmentInfo | undefined {
  const state = stateOf(graph);
  expectId("department", departmentId, "department_id");
  if (!departmentIsKnown(state, departmentId)) return undefined;
  const members = membersOf(state.departmentMembers, departmentId);
  return {
    id: departmentId,
    parent_id: departmentParent(state, departmentId),
    declared: trieHas(state.departments, departmentId),
    child_ids: departmentChildren(state, departmentId).sort(),
    member_ids: members ? trieKeys(members).sort() : [],
  };
}

/**
 * A declared composite and its direct members, or `undefined`.
 *
 * @example
 * ```ts
 * import { createGraph, getComposite } from "grantpath";
 *
 * const graph = createGraph({ organization_id: "org_1",
 *   composites: [{ id: "kslice_all", member_slice_ids: ["kslice_a"] }] });
 * getComposite(graph, "kslice_all"); // { id: "kslice_all", member_slice_ids: ["kslice_a"] }
 * ```
 */
export function getComposite(graph: AccessGraph, compositeId: string): CompositeInput | undefined {
  const state = stateOf(graph);
  expectId("knowledge_slice", compositeId, "composite_id");
  return trieHas(state.compositeMembers, compositeId)
    ? { id: compositeId, member_slice_ids: [...compositeMembers(state, compositeId)] }
    : undefined;
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
  return typeof userId === "string" && stateOf(graph).owners.includes(userId);
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
    const { granted_by, created_at, updated_at, ...grant } = publicGrant(stored, state.organization_id);
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

/**
 * How much a graph holds: its active grants, listed users, declared departments and declared
 * composites. Each count is kept by the graph's indexes, so asking costs nothing.
 *
 * @example
 * ```ts
 * import { createGraph, graphSize } from "grantpath";
 *
 * graphSize(createGraph({ organization_id: "org_1", users: [{ id: "usr_1" }] })).users; // 1
 * ```
 */
export function graphSize(graph: AccessGraph): GraphSize {
  const state = stateOf(graph);
  return {
    grants: trieSize(state.grants),
    users: trieSize(state.users),
    departments: trieSize(state.departments),
    composites: trieSize(state.compositeMembers),
  };
}

/**
 * The counts {@link graphSize} answers.
 *
 * @example
 * ```ts
 * const size: GraphSize = { grants: 100_000, users: 5_000, departments: 120, composites: 40 };
 * ```
 */
export interface GraphSize {
  /** Grants in the graph (revoked ones are not; expired ones are until revoked). */
  readonly grants: number;
  /** Users listed with their memberships. */
  readonly users: number;
  /** Departments declared with a parent (or as roots). */
  readonly departments: number;
  /** Composites declared with their members. */
  readonly composites: number;
}
