/**
 * The service's directory operations (docs/spec.md §6): organizations and their owners,
 * department and role memberships, departments and composites. All are the owners' to make;
 * each is one atomic write planned on the organization's latest state.
 * @module
 */
import {
  alreadyExists,
  compositeNotFound,
  departmentNotFound,
  membershipNotFound,
} from "../core/error-constructors.js";
import { validationError } from "../core/errors.js";
import * as graphWrites from "../core/graph-writes.js";
import { type AccessGraph, createGraph, getComposite, getDepartment, getUser, graphToInput } from "../core/index.js";
import { expectId, expectIdList, expectObject } from "../core/validate.js";
import type { StorageChange } from "../storage/storage-adapter.js";
import type { AccessControl, UserMemberships } from "./access-control-types.js";
import type { PlannedWrite } from "./organization-cache.js";
import { requireOwner } from "./permissions.js";
import { answer, requireOrganization, type ServiceContext } from "./service-context.js";
import { actorArg, callArg, organizationArg } from "./service-input.js";

/** The service's directory operations. */
export type DirectoryOperations = Pick<
  AccessControl,
  | "createOrganization"
  | "exportOrganization"
  | "setOwners"
  | "addDepartmentMember"
  | "removeDepartmentMember"
  | "addRoleMember"
  | "removeRoleMember"
  | "createDepartment"
  | "moveDepartment"
  | "deleteDepartment"
  | "createComposite"
  | "setCompositeMembers"
>;

/** Owners as stored: unique, sorted, at least one. */
function ownerList(value: unknown): string[] {
  const owners = [...new Set(expectIdList("user", value, "owners"))].sort();
  if (owners.length === 0) throw validationError("owners", "owners must name at least one user");
  return owners;
}

/** A user's memberships; a user the graph does not list has none. */
function membershipsOf(graph: AccessGraph, userId: string): UserMemberships {
  return getUser(graph, userId) ?? { id: userId, department_ids: [], role_ids: [] };
}

/** The change that stores a user's memberships as the graph now has them. */
function putUser(graph: AccessGraph, userId: string): StorageChange {
  return { type: "put_user", user: membershipsOf(graph, userId) };
}

/** The directory operations over the service's shared parts. */
export function directoryOperations(context: ServiceContext): DirectoryOperations {
  const { limits, ensureOpen, read, write } = context;

  /** Runs an owner-only directory change. */
  async function ownerWrite<T>(
    organizationId: unknown,
    actorId: unknown,
    action: string,
    options: unknown,
    change: (graph: AccessGraph) => PlannedWrite<T>,
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
        return change(graph);
      },
      call,
    );
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
    return ownerWrite(organizationId, actorId, action, options, (graph) => {
      const user = membershipsOf(graph, userId);
      const held = kind === "department" ? user.department_ids : user.role_ids;
      if (held.includes(groupId) === add) {
        if (add) return { changes: [], graph, result: user };
        throw membershipNotFound(userId, `${kind}_id`, groupId);
      }
      const updated = add ? [...held, groupId] : held.filter((id) => id !== groupId);
      const next =
        kind === "department"
          ? graphWrites.setUserDepartments(graph, userId, updated)
          : graphWrites.setUserRoles(graph, userId, updated);
      return { changes: [putUser(next, userId)], graph: next, result: membershipsOf(next, userId) };
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
          if (current) throw alreadyExists("Organization", org, { organization_id: org });
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
      return ownerWrite(organizationId, actorId, "change the owners", options, (graph) => {
        const next = graphWrites.setOwners(graph, ids);
        return { changes: next === graph ? [] : [{ type: "set_owners", owners: ids }], graph: next, result: ids };
      });
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
      return ownerWrite(organizationId, actorId, "create departments", options, (graph) => {
        const next = graphWrites.createDepartment(graph, { id, parent_id });
        const department = { id, parent_id };
        return { changes: [{ type: "put_department", department }], graph: next, result: department };
      });
    },

    async moveDepartment(organizationId, actorId, departmentId, parentId, options) {
      const id = expectId("department", departmentId, "department_id");
      const parent_id = parentId === null ? null : expectId("department", parentId, "parent_id");
      return ownerWrite(organizationId, actorId, "move departments", options, (graph) => {
        if (!getDepartment(graph, id)) throw departmentNotFound(id);
        const next = graphWrites.moveDepartment(graph, id, parent_id);
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
      await ownerWrite(organizationId, actorId, "delete departments", options, (graph) => {
        const department = getDepartment(graph, id);
        if (!department) throw departmentNotFound(id);
        const next = graphWrites.removeDepartment(graph, id);
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
      return ownerWrite(organizationId, actorId, "create composites", options, (graph) => {
        if (getComposite(graph, id)) throw alreadyExists("Composite", id, { field: "id", composite_id: id });
        const next = graphWrites.setCompositeMembers(graph, id, members);
        const composite = getComposite(next, id) ?? { id, member_slice_ids: [] };
        return { changes: [{ type: "put_composite", composite }], graph: next, result: composite };
      });
    },

    async setCompositeMembers(organizationId, actorId, compositeId, memberSliceIds, options) {
      const id = expectId("knowledge_slice", compositeId, "composite_id");
      const members = expectIdList("knowledge_slice", memberSliceIds, "member_slice_ids");
      return ownerWrite(organizationId, actorId, "change composites", options, (graph) => {
        if (!getComposite(graph, id)) throw compositeNotFound(id);
        const next = graphWrites.setCompositeMembers(graph, id, members);
        const composite = getComposite(next, id) ?? { id, member_slice_ids: [] };
        return {
          changes: next === graph ? [] : [{ type: "put_composite", composite }],
          graph: next,
          result: composite,
        };
      });
    },
  };
}
