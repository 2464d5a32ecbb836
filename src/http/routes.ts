/**
 * The REST routes of docs/spec.md §6, §8 and §9, each a path pattern, a method, and the service
 * call it makes. All live under `/v1/organizations/{organization_id}`.
 * @module
 */

import type { EntityType, GranteeType } from "../core/index.js";
import { expectObject } from "../core/validate.js";
import type { AccessControl, CallOptions } from "../service/index.js";
import { includeOf } from "./cache-control.js";
import { takeMinRevision } from "./revisions.js";

/**
 * What a route handler gets: the path's parameters, the query, the JSON body, the caller, and
 * the call options every service call takes last (`min_revision`, and where the revision goes).
 */
export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly actor: string;
  readonly accessControl: AccessControl;
  readonly call: CallOptions;
}

/** A route's answer: a status and a JSON body (none for 204). */
export interface RouteResult {
  readonly status: 200 | 201 | 204;
  readonly body?: unknown;
}

export interface Route {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Segments after the organization: literals, or `{name}` for a parameter. */
  readonly pattern: readonly string[];
  /** Whether the route reads a JSON body. */
  readonly hasBody: boolean;
  /**
   * A read asked with POST because its question is a body (the checks): it writes nothing,
   * never answers 409, and takes `min_revision` from the query as every GET does.
   */
  readonly read?: boolean;
  /** Whether its answer says how long it holds, as `Cache-Control` (resolved access, checks). */
  readonly cacheable?: boolean;
  /** Error fields the service names after its argument, renamed to the path parameter's name. */
  readonly renameFields?: Readonly<Record<string, string>>;
  readonly run: (context: RouteContext) => Promise<RouteResult>;
}

const ok = (body: unknown): RouteResult => ({ status: 200, body });

/**
 * A query parameter as given: the query's own field only, so nothing another library put on
 * `Object.prototype` reads as a parameter.
 */
function param(query: RouteContext["query"], name: string): unknown {
  return Object.hasOwn(query, name) ? query[name] : undefined;
}

/**
 * A query string's page, as the service's options (the service checks the values). The query's
 * wire names map to the service's options here, one by one: a parameter the route does not name
 * is not passed on.
 */
function pageOf(query: RouteContext["query"]): { skip?: number | undefined; limit?: number | undefined } {
  return { skip: param(query, "skip") as number | undefined, limit: param(query, "limit") as number | undefined };
}

/**
 * The call options of a read sent as POST: the handler takes `min_revision` out of a GET's query
 * only, so a POST read takes it here, with the same check (a whole number ≥ 0, else 422).
 */
function postReadCall({ query, call }: RouteContext): CallOptions {
  const { minRevision } = takeMinRevision(query);
  return minRevision === undefined ? call : { ...call, minRevision };
}

/** `GET /…/{id}/grants`: one entity's grants, with errors naming the path parameter. */
function entityGrantsRoute(
  prefix: readonly string[],
  param: string,
  list: "listSliceGrants" | "listVectorStoreGrants" | "listAssistantGrants",
): Route {
  return {
    method: "GET",
    pattern: [...prefix, `{${param}}`, "grants"],
    hasBody: false,
    renameFields: { entity_id: param },
    run: async ({ params, actor, query, accessControl, call }) =>
      ok(
        await accessControl[list](
          params.organization_id as string,
          actor,
          params[param] as string,
          pageOf(query),
          call,
        ),
      ),
  };
}

export const ROUTES: readonly Route[] = [
  {
    method: "POST",
    pattern: ["access", "grants"],
    hasBody: true,
    run: async ({ params, actor, body, accessControl, call }) => ({
      status: 201,
      body: await accessControl.createGrant(params.organization_id as string, actor, body as never, call),
    }),
  },
  {
    method: "POST",
    pattern: ["access", "grants", "bulk"],
    hasBody: true,
    run: async ({ params, actor, body, accessControl, call }) => ({
      status: 201,
      body: await accessControl.bulkCreateGrants(params.organization_id as string, actor, body as never, call),
    }),
  },
  {
    method: "GET",
    pattern: ["access", "grants"],
    hasBody: false,
    run: async ({ params, actor, query, accessControl, call }) =>
      ok(
        await accessControl.listGrants(
          params.organization_id as string,
          actor,
          {
            entityType: param(query, "entity_type") as EntityType | undefined,
            entityId: param(query, "entity_id") as string | undefined,
            granteeType: param(query, "grantee_type") as GranteeType | undefined,
            granteeId: param(query, "grantee_id") as string | undefined,
            ...pageOf(query),
          },
          call,
        ),
      ),
  },
  {
    method: "GET",
    pattern: ["access", "grants", "{grant_id}"],
    hasBody: false,
    run: async ({ params, actor, accessControl, call }) =>
      ok(await accessControl.getGrant(params.organization_id as string, actor, params.grant_id as string, call)),
  },
  {
    method: "PATCH",
    pattern: ["access", "grants", "{grant_id}"],
    hasBody: true,
    run: async ({ params, actor, body, accessControl, call }) =>
      ok(
        await accessControl.updateGrant(
          params.organization_id as string,
          actor,
          params.grant_id as string,
          body as never,
          call,
        ),
      ),
  },
  {
    method: "DELETE",
    pattern: ["access", "grants", "{grant_id}"],
    hasBody: false,
    run: async ({ params, actor, accessControl, call }) => {
      await accessControl.revokeGrant(params.organization_id as string, actor, params.grant_id as string, call);
      return { status: 204 };
    },
  },
  entityGrantsRoute(["knowledge", "slices"], "slice_id", "listSliceGrants"),
  entityGrantsRoute(["vector-stores"], "store_id", "listVectorStoreGrants"),
  entityGrantsRoute(["assistants"], "assistant_id", "listAssistantGrants"),
  {
    method: "GET",
    pattern: ["users", "{user_id}", "resolved-access"],
    hasBody: false,
    cacheable: true,
    run: async ({ params, actor, query, accessControl, call }) =>
      ok(
        await accessControl.resolveAccess(
          params.organization_id as string,
          actor,
          params.user_id as string,
          {
            entityType: param(query, "entity_type") as EntityType | undefined,
            ...pageOf(query),
            validity: includeOf(param(query, "include")).validity,
          },
          call,
        ),
      ),
  },
  {
    method: "GET",
    pattern: ["access", "users-with-access"],
    hasBody: false,
    run: async ({ params, actor, query, accessControl, call }) =>
      ok(
        await accessControl.usersWithAccess(
          params.organization_id as string,
          actor,
          param(query, "entity_type") as EntityType,
          param(query, "entity_id") as string,
          { ...pageOf(query), validity: includeOf(param(query, "include")).validity },
          call,
        ),
      ),
  },
  {
    method: "POST",
    pattern: ["access", "check"],
    hasBody: true,
    read: true,
    cacheable: true,
    run: async (context) => {
      const call = postReadCall(context);
      // Only the wire format's fields: the service's `at` (a Date) is not part of the HTTP body.
      const { user_id, entity_type, entity_id, level, explain } = expectObject(context.body, "body");
      const { params, actor, accessControl } = context;
      const { validity } = includeOf(param(context.query, "include"));
      return ok(
        await accessControl.checkAccess(
          params.organization_id as string,
          actor,
          user_id as string,
          entity_type as never,
          entity_id as string,
          { level: level as never, validity, explain: explain as never },
          call,
        ),
      );
    },
  },
  {
    method: "POST",
    pattern: ["access", "check", "bulk"],
    hasBody: true,
    read: true,
    cacheable: true,
    run: async (context) => {
      const call = postReadCall(context);
      const { checks, explain } = expectObject(context.body, "body");
      const { params, actor, accessControl } = context;
      const { validity } = includeOf(param(context.query, "include"));
      const input = { checks: checks as never, validity, explain: explain as never };
      return ok(await accessControl.bulkCheckAccess(params.organization_id as string, actor, input, call));
    },
  },
  {
    method: "POST",
    pattern: ["access", "what-if"],
    hasBody: true,
    read: true,
    run: async (context) => {
      const call = postReadCall(context);
      const { params, actor, accessControl, body } = context;
      return ok(await accessControl.whatIf(params.organization_id as string, actor, body as never, call));
    },
  },
  {
    method: "GET",
    pattern: ["access", "changes"],
    hasBody: false,
    run: async ({ params, actor, query, accessControl, call }) =>
      ok(await accessControl.changes(params.organization_id as string, actor, query, call)),
  },
  {
    method: "GET",
    pattern: ["access", "snapshot"],
    hasBody: false,
    run: async ({ params, actor, accessControl, call }) =>
      ok(await accessControl.snapshot(params.organization_id as string, actor, call)),
  },
];

/** The routes whose pattern matches the path, with the parameters each would bind. */
export function matchRoutes(segments: readonly string[]): { route: Route; params: Record<string, string> }[] {
  if (segments.length < 3 || segments[0] !== "v1" || segments[1] !== "organizations") return [];
  const [, , organizationId, ...rest] = segments;
  const matches: { route: Route; params: Record<string, string>; literals: number }[] = [];
  for (const route of ROUTES) {
    if (route.pattern.length !== rest.length) continue;
    const params: Record<string, string> = { organization_id: organizationId as string };
    let literals = 0;
    const fits = route.pattern.every((part, i) => {
      const segment = rest[i] as string;
      if (part.startsWith("{")) {
        params[part.slice(1, -1)] = segment;
        return true;
      }
      literals++;
      return part === segment;
    });
    if (fits) matches.push({ route, params, literals });
  }
  // A literal segment beats a parameter: /access/grants/bulk is the bulk route, not grant "bulk".
  const best = Math.max(0, ...matches.map((m) => m.literals));
  return matches.filter((m) => m.literals === best).map(({ route, params }) => ({ route, params }));
}
