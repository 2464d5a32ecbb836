/**
 * The service's access questions (docs/spec.md §3, §9): a user's resolved access, the users who
 * reach an entity, and checks, single and bulk. Each is the core's answer on the organization's
 * graph at the revision read, after the actor's right to ask is checked.
 * @module
 */
import {
  type AccessCheck,
  type AccessError,
  type AccessGraph,
  checkAccess,
  type EntityType,
  isAccessError,
  type ResolvedAccess,
  type ResolvedAccessPage,
  resolveAccess,
  type UsersWithAccess,
  type UsersWithAccessPage,
  usersWithAccess,
} from "../core/index.js";
import { queryPage } from "../core/query-arguments.js";
import { expectEntityType, expectId, type UntrustedObject } from "../core/validate.js";
import type { AccessControl, CallOptions, CheckAccessItemError } from "./access-control-types.js";
import { requireCheckPermission, requireEntityAdmin, requireSelfOrOwner } from "./permissions.js";
import { resolvedAnswers } from "./resolved-answers.js";
import { answer, queryObject, type ServiceContext } from "./service-context.js";
import {
  actorArg,
  bulkCheckArg,
  type CheckRequest,
  callArg,
  checkItemArg,
  checkQueryArg,
  optionOf,
  organizationArg,
  withIndex,
} from "./service-input.js";

/** The service's access questions. */
export type AccessQuestions = Pick<
  AccessControl,
  "resolveAccess" | "resolvedAccess" | "usersWithAccess" | "checkAccess" | "bulkCheckAccess"
>;

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
  return checkAccess(graph, request.user_id, request.entity_type, request.entity_id, { level: request.level, at });
}

/**
 * The entity and page of a users-with-access call, in either form: `(entityType, entityId,
 * query)`, or the first form's `({entity_type, entity_id, skip, limit})`.
 */
function usersWithAccessArgs(rest: readonly unknown[]): {
  entityType: EntityType;
  entityId: string;
  query: UntrustedObject;
  options: unknown;
} {
  const [first, second, third, fourth] = rest;
  if (typeof first === "string" || rest.length >= 3) {
    const entityType = expectEntityType(first, "entity_type");
    return {
      entityType,
      entityId: expectId(entityType, second, "entity_id"),
      query: queryObject(third),
      options: fourth,
    };
  }
  const query = queryObject(first);
  const entityType = expectEntityType(query.entity_type, "entity_type");
  return { entityType, entityId: expectId(entityType, query.entity_id, "entity_id"), query, options: second };
}

/** The access questions over the service's shared parts. */
export function accessQuestions(context: ServiceContext): AccessQuestions {
  const { now, read } = context;
  const resolved = resolvedAnswers();

  function resolveAccessOf(
    organizationId: string,
    actorId: string,
    userId: string,
    query: unknown,
    options: CallOptions,
  ): Promise<ResolvedAccessPage>;
  function resolveAccessOf(
    organizationId: string,
    actorId: string,
    userId: string,
    query?: unknown,
    options?: CallOptions,
  ): Promise<ResolvedAccess>;
  async function resolveAccessOf(
    organizationId: string,
    actorId: string,
    userId: string,
    query?: unknown,
    options?: CallOptions,
  ): Promise<ResolvedAccess> {
    const org = organizationArg(organizationId);
    const actor = actorArg(actorId);
    const user = expectId("user", userId, "user_id");
    const q = queryObject(query);
    const typeOption = optionOf(q, "entityType", "entity_type");
    const entityType = typeOption === undefined ? undefined : expectEntityType(typeOption, "entity_type");
    const page = queryPage(q.skip, q.limit);
    const call = callArg(options);
    const at = now();
    const { graph, revision } = await read(org, call);
    requireSelfOrOwner(graph, actor, user);
    const key = `${entityType ?? ""}\u0000${page?.skip ?? ""}\u0000${page?.limit ?? ""}`;
    const made = resolved.answer(graph, user, key, at, () => resolveAccess(graph, user, { entityType, at, ...page }));
    return answer(call, revision, made);
  }

  function usersWithAccessOf(
    organizationId: string,
    actorId: string,
    ...rest: readonly unknown[]
  ): Promise<UsersWithAccessPage>;
  function usersWithAccessOf(
    organizationId: string,
    actorId: string,
    ...rest: readonly unknown[]
  ): Promise<UsersWithAccess>;
  async function usersWithAccessOf(
    organizationId: string,
    actorId: string,
    ...rest: readonly unknown[]
  ): Promise<UsersWithAccess> {
    const org = organizationArg(organizationId);
    const actor = actorArg(actorId);
    const { entityType, entityId, query, options } = usersWithAccessArgs(rest);
    const page = queryPage(query.skip, query.limit);
    const call = callArg(options);
    const at = now();
    const { graph, revision } = await read(org, call);
    requireEntityAdmin(graph, actor, entityType, entityId, at, "see who can reach this entity");
    return answer(call, revision, usersWithAccess(graph, entityType, entityId, { at, ...page }));
  }

  return {
    resolveAccess: resolveAccessOf,
    resolvedAccess: resolveAccessOf,
    usersWithAccess: usersWithAccessOf,

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
  };
}
