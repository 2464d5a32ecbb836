/**
 * What-if (docs/spec.md §11): a list of writes made on a copy of the organization's graph by
 * the very operations the service writes with — so each is checked, and refused, exactly as the
 * real write would be — and the access they would change. Nothing is stored.
 * @module
 */

import { diffAccess } from "../core/diff-access.js";
import { validationError } from "../core/errors.js";
import * as graphWrites from "../core/graph-writes.js";
import type { AccessGraph } from "../core/index.js";
import { expectArray, expectId, expectObject, type UntrustedObject } from "../core/validate.js";
import type { CallOptions, WhatIfAnswer } from "./access-control-types.js";
import { directoryOperations } from "./directory-operations.js";
import { grantOperations } from "./grant-operations.js";
import type { CachedOrganization, PlannedWrite } from "./organization-cache.js";
import { requireOwner } from "./permissions.js";
import { answer, requireOrganization, type ServiceContext } from "./service-context.js";
import { actorArg, callArg, organizationArg, withIndex } from "./service-input.js";

/** The writes a what-if may try. */
const OPS = [
  "create_grant",
  "update_grant",
  "revoke_grant",
  "set_user_departments",
  "set_user_roles",
  "set_composite_members",
  "move_department",
] as const;

/** The most writes one what-if may try. */
export const MAX_WHAT_IF_CHANGES = 100;

/** A service context whose writes land on a graph held here, never in storage. */
function dryRun(context: ServiceContext, start: CachedOrganization): { context: ServiceContext; graph(): AccessGraph } {
  let current = start;
  const dry: ServiceContext = {
    ...context,
    read: async () => current,
    async write<T>(
      _organizationId: string,
      plan: (state: CachedOrganization | null) => PlannedWrite<T>,
      call: CallOptions,
    ) {
      const planned = plan(current);
      current = { revision: current.revision, graph: planned.graph };
      call.onRevision?.(current.revision);
      return planned.result;
    },
  };
  return { context: dry, graph: () => current.graph };
}

/**
 * Answers `POST /access/what-if`: the writes of `input.changes` tried in order on the
 * organization's current graph (owners only), and the access they would change, as
 * `diffAccess` gives it. A write that would fail fails the what-if with the same error, its
 * `details.index` naming it.
 */
export async function whatIf(
  context: ServiceContext,
  organizationId: unknown,
  actorId: unknown,
  input: unknown,
  options: unknown,
): Promise<WhatIfAnswer> {
  const org = organizationArg(organizationId);
  const actor = actorArg(actorId);
  const body = expectObject(input, "body");
  const changes = expectArray(body.changes, "changes");
  if (changes.length === 0) throw validationError("changes", "changes must list at least one change");
  if (changes.length > MAX_WHAT_IF_CHANGES) {
    throw validationError("changes", `changes may list at most ${MAX_WHAT_IF_CHANGES} changes, got ${changes.length}`);
  }
  const call = callArg(options);
  const start = await context.read(org, call);
  requireOwner(requireOrganization(start, org), actor, "try changes to this organization");
  const dry = dryRun(context, start);
  const grants = grantOperations(dry.context);
  const directory = directoryOperations(dry.context);
  for (const [index, given] of changes.entries()) {
    try {
      await tryChange(expectObject(given, `changes[${index}]`), org, actor, grants, directory, dry);
    } catch (error) {
      throw withIndex(error, index);
    }
  }
  const { changes: diff } = diffAccess(start.graph, dry.graph(), { at: context.now() });
  return answer(call, start.revision, { revision: start.revision, changes: diff });
}

async function tryChange(
  change: UntrustedObject,
  org: string,
  actor: string,
  grants: ReturnType<typeof grantOperations>,
  directory: ReturnType<typeof directoryOperations>,
  dry: { context: ServiceContext; graph(): AccessGraph },
): Promise<void> {
  const op = change.op;
  switch (op) {
    case "create_grant":
      await grants.createGrant(org, actor, change.grant as never);
      return;
    case "update_grant":
      await grants.updateGrant(org, actor, change.grant_id as string, { access_level: change.access_level } as never);
      return;
    case "revoke_grant":
      await grants.revokeGrant(org, actor, change.grant_id as string);
      return;
    case "set_user_departments":
    case "set_user_roles": {
      // No single service write replaces a user's memberships; the core's write checks them.
      const user = expectId("user", change.user_id, "user_id");
      const field = op === "set_user_departments" ? "department_ids" : "role_ids";
      const ids = expectArray(change[field], field) as string[];
      await dry.context.write(
        org,
        (state) => {
          const graph = requireOrganization(state, org);
          const next =
            op === "set_user_departments"
              ? graphWrites.setUserDepartments(graph, user, ids)
              : graphWrites.setUserRoles(graph, user, ids);
          return { changes: [], graph: next, result: undefined };
        },
        {},
      );
      return;
    }
    case "set_composite_members":
      await directory.setCompositeMembers(org, actor, change.composite_id as string, change.member_slice_ids as never);
      return;
    case "move_department":
      await directory.moveDepartment(org, actor, change.department_id as string, change.parent_id as never);
      return;
    default:
      throw validationError("op", `op must be one of ${OPS.join(", ")}`);
  }
}
