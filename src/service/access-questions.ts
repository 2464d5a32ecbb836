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
import { nextExpiryMs } from "../core/next-expiry.js";
import { queryFlag, queryPage } from "../core/query-arguments.js";
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
function checkOn(graph: AccessGraph, actor: string, request: CheckRequest, asked: CheckAsked, now: Date): AccessCheck {
  requireCheckPermission(graph, actor, request.user_id, request.entity_type, request.entity_id, now);
  const { at, validity, explain, nextChange } = asked;
  // Validity is worked out when a caller wants to know when the answer changes, and then shed
  // unless asked for, so the answer keeps its default shape.
  const made = checkAccess(graph, request.user_id, request.entity_type, request.entity_id, {
    level: request.level,
    at,
    validity: validity || nextChange !== undefined,
    explain,
  });
  if (nextChange) nextChange.see(made.next_change_at ?? null);
  return validity ? made : withoutValidity(made);
}

/** How a check is asked: at which instant, with what extras, and who hears when it changes. */
interface CheckAsked {
  readonly at: Date;
  readonly validity: boolean;
  readonly explain: boolean;
  readonly nextChange: NextChange | undefined;
}

/** A check without the validity fields (`expires_at` on paths, `valid_until`, `next_change_at`). */
function withoutValidity(check: AccessCheck): AccessCheck {
  const { valid_until: _until, next_change_at: _next, grant_paths, ...rest } = check;
  return { ...rest, grant_paths: grant_paths.map(({ expires_at: _expires, ...path }) => path) };
}

/** The earliest of the next changes seen, reported to `onNextChange` once. */
interface NextChange {
  see(nextChangeAt: string | null): void;
  report(): void;
}

function nextChangeOf(call: CallOptions): NextChange | undefined {
  const onNextChange = call.onNextChange;
  if (!onNextChange) return undefined;
  let earliest = Number.POSITIVE_INFINITY;
  return {
    see(nextChangeAt) {
      if (nextChangeAt !== null) earliest = Math.min(earliest, Date.parse(nextChangeAt));
    },
    report() {
      onNextChange(Number.isFinite(earliest) ? new Date(earliest) : null);
    },
  };
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
    const validity = queryFlag(q.validity, "validity");
    const call = callArg(options);
    const at = now();
    const { graph, revision } = await read(org, call);
    requireSelfOrOwner(graph, actor, user);
    const key = `${entityType ?? ""}\u0000${page?.skip ?? ""}\u0000${page?.limit ?? ""}\u0000${validity}`;
    const made = resolved.answer(graph, user, key, at, () =>
      resolveAccess(graph, user, { entityType, at, validity, ...page }),
    );
    if (call.onNextChange) {
      const next = made.untilMs ?? nextExpiryMs(graph, user, at.getTime());
      call.onNextChange(Number.isFinite(next) ? new Date(next) : null);
    }
    return answer(call, revision, made.answer);
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
    const validity = queryFlag(query.validity, "validity");
    const call = callArg(options);
    const at = now();
    const { graph, revision } = await read(org, call);
    requireEntityAdmin(graph, actor, entityType, entityId, at, "see who can reach this entity");
    const made = usersWithAccess(graph, entityType, entityId, {
      at,
      ...page,
      validity: validity || !!call.onNextChange,
    });
    if (call.onNextChange) call.onNextChange(made.next_change_at ? new Date(made.next_change_at) : null);
    return answer(call, revision, validity || !call.onNextChange ? made : usersWithoutValidity(made));
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
      const { level, at, validity, explain } = checkQueryArg(query);
      const call = callArg(options);
      const current = now();
      const { graph, revision } = await read(org, call);
      const nextChange = nextChangeOf(call);
      const made = checkOn(
        graph,
        actor,
        { ...asked, level },
        { at: at ?? current, validity, explain, nextChange },
        current,
      );
      nextChange?.report();
      return answer(call, revision, made);
    },

    async bulkCheckAccess(organizationId, actorId, input, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const { checks, at, validity, explain } = bulkCheckArg(input);
      const call = callArg(options);
      const current = now();
      // One read: every item is answered on the same revision, whatever commits meanwhile.
      const { graph, revision } = await read(org, call);
      const nextChange = nextChangeOf(call);
      const asked: CheckAsked = { at: at ?? current, validity, explain, nextChange };
      const results = checks.map((request, index) => {
        if (isAccessError(request)) return itemError(request);
        try {
          return checkOn(graph, actor, request, asked, current);
        } catch (error) {
          // A refusal is this item's answer; anything else (the storage, a bug) fails the call.
          if (!isAccessError(error, "INSUFFICIENT_PERMISSIONS")) throw error;
          return itemError(withIndex(error, index) as AccessError);
        }
      });
      nextChange?.report();
      return answer(call, revision, { results });
    },
  };
}

/** A users-with-access answer without the validity fields. */
function usersWithoutValidity<T extends UsersWithAccess>(answer: T): T {
  const { next_change_at: _next, users, ...rest } = answer;
  const stripped = users.map(({ valid_until: _until, grant_paths, ...user }) => ({
    ...user,
    grant_paths: grant_paths.map(({ expires_at: _expires, ...path }) => path),
  }));
  return { ...rest, users: stripped } as unknown as T;
}
