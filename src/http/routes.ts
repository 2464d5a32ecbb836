/**
 * The REST routes of SPEC section 6, each a path pattern, a method, and the service call it
 * makes. All live under `/v1/organizations/{organization_id}`.
 * @module
 */
import type { AccessControl } from "../service/index.js";

/** What a route handler gets: the path's parameters, the query, the JSON body and the caller. */
export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly actor: string;
  readonly accessControl: AccessControl;
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
  /** Error fields the service names after its argument, renamed to the path parameter's name. */
  readonly renameFields?: Readonly<Record<string, string>>;
  readonly run: (context: RouteContext) => Promise<RouteResult>;
}

const ok = (body: unknown): RouteResult => ({ status: 200, body });

export const ROUTES: readonly Route[] = [
  {
    method: "POST",
    pattern: ["access", "grants"],
    hasBody: true,
    run: async ({ params, actor, body, accessControl }) => ({
      status: 201,
      body: await accessControl.createGrant(params.organization_id as string, actor, body as never),
    }),
  },
  {
    method: "POST",
    pattern: ["access", "grants", "bulk"],
    hasBody: true,
    run: async ({ params, actor, body, accessControl }) => ({
      status: 201,
      body: await accessControl.bulkCreateGrants(params.organization_id as string, actor, body as never),
    }),
  },
  {
    method: "GET",
    pattern: ["access", "grants"],
    hasBody: false,
    run: async ({ params, actor, query, accessControl }) =>
      ok(await accessControl.listGrants(params.organization_id as string, actor, query)),
  },
  {
    method: "GET",
    pattern: ["access", "grants", "{grant_id}"],
    hasBody: false,
    run: async ({ params, actor, accessControl }) =>
      ok(await accessControl.getGrant(params.organization_id as string, actor, params.grant_id as string)),
  },
  {
    method: "PATCH",
    pattern: ["access", "grants", "{grant_id}"],
    hasBody: true,
    run: async ({ params, actor, body, accessControl }) =>
      ok(
        await accessControl.updateGrant(
          params.organization_id as string,
          actor,
          params.grant_id as string,
          body as never,
        ),
      ),
  },
  {
    method: "DELETE",
    pattern: ["access", "grants", "{grant_id}"],
    hasBody: false,
    run: async ({ params, actor, accessControl }) => {
      await accessControl.revokeGrant(params.organization_id as string, actor, params.grant_id as string);
      return { status: 204 };
    },
  },
  {
    method: "GET",
    pattern: ["knowledge", "slices", "{slice_id}", "grants"],
    hasBody: false,
    renameFields: { entity_id: "slice_id" },
    run: async ({ params, actor, query, accessControl }) =>
      ok(
        await accessControl.listSliceGrants(params.organization_id as string, actor, params.slice_id as string, query),
      ),
  },
  {
    method: "GET",
    pattern: ["vector-stores", "{store_id}", "grants"],
    hasBody: false,
    renameFields: { entity_id: "store_id" },
    run: async ({ params, actor, query, accessControl }) =>
      ok(
        await accessControl.listVectorStoreGrants(
          params.organization_id as string,
          actor,
          params.store_id as string,
          query,
        ),
      ),
  },
  {
    method: "GET",
    pattern: ["assistants", "{assistant_id}", "grants"],
    hasBody: false,
    renameFields: { entity_id: "assistant_id" },
    run: async ({ params, actor, query, accessControl }) =>
      ok(
        await accessControl.listAssistantGrants(
          params.organization_id as string,
          actor,
          params.assistant_id as string,
          query,
        ),
      ),
  },
  {
    method: "GET",
    pattern: ["users", "{user_id}", "resolved-access"],
    hasBody: false,
    run: async ({ params, actor, query, accessControl }) =>
      ok(
        await accessControl.resolvedAccess(
          params.organization_id as string,
          actor,
          params.user_id as string,
          query as { entity_type?: never },
        ),
      ),
  },
  {
    method: "GET",
    pattern: ["access", "users-with-access"],
    hasBody: false,
    run: async ({ params, actor, query, accessControl }) =>
      ok(await accessControl.usersWithAccess(params.organization_id as string, actor, query as never)),
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
