/**
 * Bad input at every route: fast-check throws arbitrary bodies (wrong
 * types, huge strings, deep nesting, extra fields, `__proto__` and `constructor` keys in the
 * JSON text, arrays, numbers, text that is not JSON), arbitrary query strings and arbitrary
 * path ids (percent-encoded junk included) at every route of docs/spec.md §6 and §9, as owners, entity
 * admins, readers, strangers, the other organization's owner and nobody. Every answer must be
 * a documented status (never a 5xx), an error must carry the worked example's envelope, the OpenAPI
 * document must describe it (the request helper checks), and a rejected request must leave the
 * stored state exactly as it was.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccessControl } from "../../src/index.js";
import {
  type ApiResponse,
  ASSISTANT,
  type Caller,
  COMPOSITE,
  createApi,
  DEPT,
  ENTITY_ADMIN,
  FIXTURE_GRANTS,
  FIXTURE_PATH_IDS,
  fillTemplate,
  ORG,
  OTHER_ORG,
  OTHER_ORG_GRANT,
  OTHER_OWNER,
  OWNER,
  READER,
  ROLE,
  ROLE_SLICE,
  ROUTE_SPECS,
  type RouteSpec,
  SEED_USER,
  SLICE,
  STORE,
  STRANGER,
  WIRE_TIMESTAMP,
} from "./support.js";

/** The statuses docs/spec.md §5 and §6 give the routes. */
const DOCUMENTED = new Set([200, 201, 204, 401, 403, 404, 405, 409, 413, 415, 422]);

/** Bodies above this answer 413; the huge-string generator straddles it. */
const MAX_BODY_BYTES = 150_000;

// ---------------------------------------------------------------------------------------------
// The stored state, read behind the handler's back.

const FIXTURE_USERS = [OWNER, ENTITY_ADMIN, READER, STRANGER, SEED_USER, OTHER_OWNER];

async function allGrants(accessControl: AccessControl, org: string, owner: string): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let skip = 0; ; skip += 100) {
    const page = await accessControl.listGrants(org, owner, { skip, limit: 100 });
    items.push(...page.items);
    if (!page.has_more) return items;
  }
}

/** Everything a request could change: grants (revoked ones by id too), the graph, everyone's access. */
async function snapshot(accessControl: AccessControl): Promise<unknown> {
  return {
    grants: await allGrants(accessControl, ORG, OWNER),
    otherGrants: await allGrants(accessControl, OTHER_ORG, OTHER_OWNER),
    graph: await accessControl.exportOrganization(ORG, OWNER),
    otherGraph: await accessControl.exportOrganization(OTHER_ORG, OTHER_OWNER),
    byId: await Promise.all(FIXTURE_GRANTS.map((grant) => accessControl.getGrant(ORG, OWNER, grant.id))),
    access: await Promise.all(FIXTURE_USERS.map((user) => accessControl.resolveAccess(ORG, OWNER, user))),
    otherAccess: await accessControl.resolveAccess(OTHER_ORG, OTHER_OWNER, SEED_USER),
  };
}

// ---------------------------------------------------------------------------------------------
// Generators.

const callerArb: fc.Arbitrary<Caller | null> = fc.constantFrom<Caller | null>(
  "owner",
  "owner",
  "stranger",
  "stranger",
  "admin",
  "reader",
  "otherOwner",
  null,
);

/** Segments that look like ids, half-ids, traversal and percent-encoding gone wrong (not encoded again). */
const rawSegmentJunk = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "%",
        "%2",
        "%G1",
        "%00",
        "%2F",
        "%2f",
        "%5C",
        "%FF",
        "%C0%AF",
        "%E2%82",
        "%ED%A0%80",
        "%25",
        "%2e%2e",
        "..",
        ".",
        "__proto__",
        "constructor",
        "toString",
        "agrant_",
        "kslice_",
        "vs_",
        "asst_",
        "usr_",
        ";",
        "@",
        "+",
        "~",
      ),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(""));

const idPrefixes = ["agrant_", "kslice_", "vs_", "asst_", "usr_", "dept_", "role_", "org_", ""];

/** Valid ids of each path parameter's kind, known to the fixture or not. */
const IDS_BY_PARAMETER: Readonly<Record<string, readonly string[]>> = {
  grant_id: [...FIXTURE_GRANTS.map((grant) => grant.id), OTHER_ORG_GRANT.id, "agrant_nope"],
  slice_id: [SLICE, ROLE_SLICE, COMPOSITE, "kslice_fresh"],
  store_id: [STORE, "vs_fresh"],
  assistant_id: [ASSISTANT, "asst_fresh"],
  user_id: [SEED_USER, READER, STRANGER, ENTITY_ADMIN, OWNER, "usr_fresh"],
};

/** Any path id: the parameter's own kind, fixture ids of other kinds, prefixed junk, encoded text, raw percent junk. */
const pathIdArb = (parameter: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(IDS_BY_PARAMETER[parameter] ?? ["x"])) },
    fc.constantFrom(
      ...Object.values(FIXTURE_PATH_IDS),
      ...FIXTURE_GRANTS.map((grant) => grant.id),
      OTHER_ORG_GRANT.id,
      ROLE_SLICE,
      COMPOSITE,
      STORE,
      ASSISTANT,
      READER,
      STRANGER,
      "agrant_nope",
      "bulk",
      "usr___proto__",
      "kslice_constructor",
      `kslice_${"a".repeat(129)}`,
    ),
    fc
      .tuple(fc.constantFrom(...idPrefixes), fc.string({ unit: "grapheme", maxLength: 40 }))
      .map(([prefix, rest]) => encodeURIComponent(prefix + rest)),
    fc.string({ unit: "grapheme", maxLength: 30 }).map(encodeURIComponent),
    rawSegmentJunk,
  );

/** Organization segments: mostly the fixture, sometimes the other, unknown or malformed ones. */
const orgArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(ORG) },
  { weight: 1, arbitrary: fc.constantFrom(OTHER_ORG, "org_nowhere", "org___proto__", "xyz789", "org_", "ORG_xyz789") },
  { weight: 1, arbitrary: rawSegmentJunk },
);

const queryKeyArb = fc.oneof(
  fc.constantFrom(
    "skip",
    "limit",
    "entity_type",
    "entity_id",
    "grantee_type",
    "grantee_id",
    "access_level",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
  ),
  fc.string({ unit: "grapheme", maxLength: 10 }),
);

const queryValueArb = fc.oneof(
  fc.constantFrom(
    "knowledge_slice",
    "vector_store",
    "assistant",
    "user",
    "department",
    "role",
    SLICE,
    STORE,
    ASSISTANT,
    SEED_USER,
    DEPT,
    ROLE,
    "0",
    "1",
    "20",
    "100",
    "101",
    "-1",
    "-0",
    "1.5",
    "1e3",
    "0x10",
    " 1",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "999999999999999",
    "",
  ),
  fc.integer().map(String),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

/** JSON values of any shape, `__proto__`-named keys included. */
const jsonArb: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

const ENTITIES: readonly (readonly [string, string])[] = [
  ["knowledge_slice", SLICE],
  ["knowledge_slice", ROLE_SLICE],
  ["knowledge_slice", COMPOSITE],
  ["knowledge_slice", "kslice_fresh"],
  ["vector_store", STORE],
  ["vector_store", "vs_fresh"],
  ["assistant", ASSISTANT],
];
const GRANTEES: readonly (readonly [string, string])[] = [
  ["user", SEED_USER],
  ["user", READER],
  ["user", STRANGER],
  ["user", "usr_fresh"],
  ["department", DEPT],
  ["department", "dept_fresh"],
  ["role", ROLE],
  ["role", "role_fresh"],
];
const LEVELS = ["read", "write", "admin"] as const;

/** Values that are valid somewhere, so a mutation can put a right value in the wrong field. */
const anyValidValue = fc.constantFrom<unknown>(
  ...ENTITIES.flat(),
  ...GRANTEES.flat(),
  ...LEVELS,
  "2030-01-01T00:00:00Z",
  "agrant_seed01",
);

/** One change to a valid body: drop a field, set it to junk or to a value that is valid elsewhere. */
interface Mutation {
  readonly field: string;
  readonly action: "delete" | "set";
  readonly value: unknown;
}

function mutationArb(fields: readonly string[]): fc.Arbitrary<Mutation> {
  return fc.record({
    field: fc.constantFrom(...fields),
    action: fc.constantFrom<Mutation["action"]>("delete", "set"),
    value: fc.oneof(jsonArb, anyValidValue),
  });
}

function mutate(body: Record<string, unknown>, mutations: readonly Mutation[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...body };
  for (const { field, action, value } of mutations) {
    if (action === "delete") delete copy[field];
    else Object.defineProperty(copy, field, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** Extra fields: junk names, prototype-ish names, and the immutable fields of a grant. */
const extraFieldsArb = fc.dictionary(
  fc.oneof(
    fc.constantFrom("id", "granted_by", "organization_id", "created_at", "revoked_at", "toString", "valueOf", "note"),
    fc.string({ maxLength: 8 }),
  ),
  jsonArb,
  { maxKeys: 3 },
);

const expiryArb = fc.option(fc.constantFrom("2030-01-01T00:00:00Z", "2025-06-15T10:00:01Z"), {
  freq: 4,
  nil: undefined,
});

const validGranteeArb = fc
  .record({ grantee: fc.constantFrom(...GRANTEES), level: fc.constantFrom(...LEVELS), expires: expiryArb })
  .map(({ grantee: [grantee_type, grantee_id], level, expires }) => ({
    grantee_type,
    grantee_id,
    access_level: level,
    ...(expires === undefined ? {} : { expires_at: expires }),
  }));

const GRANTEE_FIELDS = ["grantee_type", "grantee_id", "access_level", "expires_at"];
const CREATE_FIELDS = ["entity_type", "entity_id", ...GRANTEE_FIELDS];

/**
 * A body shaped like the route's: valid to begin with, then 0–3 mutations, sometimes extra
 * fields; so some requests succeed, some conflict, and most fail on one precise field.
 */
function shapedBody(
  valid: fc.Arbitrary<Record<string, unknown>>,
  fields: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      valid,
      mutations: fc.oneof(
        { weight: 2, arbitrary: fc.constant([]) },
        { weight: 3, arbitrary: fc.array(mutationArb(fields), { minLength: 1, maxLength: 3 }) },
      ),
      extra: fc.option(extraFieldsArb, { freq: 3, nil: undefined }),
    })
    .map(({ valid: body, mutations, extra }) => mutate({ ...(extra ?? {}), ...body }, mutations));
}

const createBodyArb = shapedBody(
  fc
    .record({ entity: fc.constantFrom(...ENTITIES), grantee: validGranteeArb })
    .map(({ entity: [entity_type, entity_id], grantee }) => ({ entity_type, entity_id, ...grantee })),
  CREATE_FIELDS,
);

const bulkBodyArb = shapedBody(
  fc
    .record({
      entity: fc.constantFrom(...ENTITIES),
      grants: fc.array(
        fc.oneof(
          { weight: 6, arbitrary: shapedBody(validGranteeArb, GRANTEE_FIELDS).map((g): unknown => g) },
          { weight: 1, arbitrary: jsonArb },
        ),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map(({ entity: [entity_type, entity_id], grants }) => ({ entity_type, entity_id, grants })),
  ["entity_type", "entity_id", "grants"],
);

const patchBodyArb = shapedBody(
  fc.constantFrom(...LEVELS).map((access_level) => ({ access_level })),
  ["access_level", "entity_id", "grantee_id", "expires_at", "id", "revoked_at"],
);

const USERS = [SEED_USER, READER, STRANGER, ENTITY_ADMIN, OWNER, OTHER_OWNER, "usr_fresh", "usr___proto__"];

const validCheckArb = fc
  .record({
    user_id: fc.constantFrom(...USERS),
    entity: fc.constantFrom(...ENTITIES),
    level: fc.option(fc.constantFrom<string | null>(...LEVELS, null), { freq: 3, nil: undefined }),
  })
  .map(({ user_id, entity: [entity_type, entity_id], level }) => ({
    user_id,
    entity_type,
    entity_id,
    ...(level === undefined ? {} : { level }),
  }));
const CHECK_FIELDS = ["user_id", "entity_type", "entity_id", "level"];

const checkBodyArb = shapedBody(validCheckArb, CHECK_FIELDS);

/** 0–102 checks (the bounds are 1 and 100), mostly shaped like one, now and then any JSON. */
const bulkCheckBodyArb = shapedBody(
  fc
    .oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 99, 100, 101, 102) },
    )
    .chain((length) =>
      fc.array(
        fc.oneof(
          { weight: 8, arbitrary: checkBodyArb.map((check): unknown => check) },
          { weight: 1, arbitrary: jsonArb },
        ),
        { minLength: length, maxLength: length },
      ),
    )
    .map((checks) => ({ checks })),
  ["checks"],
);

/** Query parameters a route understands, with valid values (then perhaps junk pairs after them). */
const plausiblePairsArb: fc.Arbitrary<[string, string][]> = fc
  .record({
    entity: fc.option(fc.constantFrom(...ENTITIES), { nil: undefined }),
    grantee: fc.option(fc.constantFrom(...GRANTEES), { freq: 3, nil: undefined }),
    skip: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
    limit: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    junk: fc.array(fc.tuple(queryKeyArb, queryValueArb), { maxLength: 2 }),
  })
  .map(({ entity, grantee, skip, limit, junk }) => [
    ...(entity
      ? ([
          ["entity_type", entity[0]],
          ["entity_id", entity[1]],
        ] as [string, string][])
      : []),
    ...(grantee
      ? ([
          ["grantee_type", grantee[0]],
          ["grantee_id", grantee[1]],
        ] as [string, string][])
      : []),
    ...(skip === undefined ? [] : ([["skip", String(skip)]] as [string, string][])),
    ...(limit === undefined ? [] : ([["limit", String(limit)]] as [string, string][])),
    ...junk,
  ]);

/** A query string: none, plausible parameters, arbitrary pairs (repeats included), or raw junk after the `?`. */
const queryArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  {
    weight: 3,
    arbitrary: fc
      .oneof(plausiblePairsArb, fc.array(fc.tuple(queryKeyArb, queryValueArb), { maxLength: 5 }))
      .map((pairs) => (pairs.length === 0 ? "" : `?${new URLSearchParams(pairs).toString()}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(rawSegmentJunk, fc.constantFrom("&", "=", "&&", "==", "#", "?", "%26", "%3D")), {
        maxLength: 8,
      })
      .map((parts) => `?${parts.join("")}`),
  },
);

/** JSON text that names `__proto__`, `constructor` and `prototype` as keys, around a valid-looking body. */
const protoTextArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("__proto__", "constructor", "prototype"),
    fc.constantFrom(
      '{"entity_type":"knowledge_slice","entity_id":"kslice_abc123","grantee_type":"user","grantee_id":"usr_x1","access_level":"admin"}',
      '{"polluted":true,"access_level":"admin","isAdmin":true}',
      '{"prototype":{"polluted":true}}',
      "[]",
      "null",
    ),
    createBodyArb,
    fc.boolean(),
  )
  .map(([key, inner, body, first]) => {
    const rest = JSON.stringify(body).slice(1, -1);
    const injected = `"${key}":${inner}`;
    const parts = first ? [injected, rest] : [rest, injected];
    return `{${parts.filter((part) => part !== "").join(",")}}`;
  });

/** Text that is not JSON, or JSON that is not an object. */
const notAnObjectTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('{"entity_type":', "[1,", "nul", "{'a':1}", "{a:1}", "\u0000", "\uFEFF{}", "{}}", "", "   ", "01"),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc
    .oneof(fc.array(jsonArb, { maxLength: 3 }), fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constant(null))
    .map((value) => JSON.stringify(value)),
);

/** A body: JSON that looks like the route's, other JSON, prototype keys, or text that is not JSON. */
function bodyTextArb(route: RouteSpec): fc.Arbitrary<string> {
  const shaped =
    route.template === "/access/grants/bulk"
      ? bulkBodyArb
      : route.template === "/access/check"
        ? checkBodyArb
        : route.template === "/access/check/bulk"
          ? bulkCheckBodyArb
          : route.method === "PATCH"
            ? patchBodyArb
            : createBodyArb;
  return fc.oneof(
    { weight: 5, arbitrary: shaped.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: jsonArb.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: protoTextArb },
    { weight: 2, arbitrary: notAnObjectTextArb },
  );
}

const contentTypeArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | undefined>("application/json") },
  {
    weight: 2,
    arbitrary: fc.constantFrom<string | undefined>(
      "application/json; charset=utf-8",
      "application/vnd.api+json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonx",
      "",
      undefined,
    ),
  },
);

interface Attempt {
  readonly route: RouteSpec;
  readonly method: string;
  readonly caller: Caller | null;
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
}

/** A request at `route`: its organization, path id and query drawn at random, its body from `body`. */
function attemptArb(route: RouteSpec, body: fc.Arbitrary<string> = bodyTextArb(route)): fc.Arbitrary<Attempt> {
  const parameter = /\{([a-z_]+)\}/.exec(route.template)?.[1];
  const hasParameter = parameter !== undefined;
  return fc
    .record({
      caller: callerArb,
      org: orgArb,
      id: hasParameter ? pathIdArb(parameter) : fc.constant(""),
      query: queryArb,
      body: route.hasBody ? body.map((text): string | undefined => text) : fc.constant(undefined),
      contentType: contentTypeArb,
      // Now and then the wrong method, to reach 405s (never GET/HEAD with a body).
      method: fc.oneof(
        { weight: 12, arbitrary: fc.constant(route.method as string) },
        { weight: 1, arbitrary: fc.constantFrom("PUT", "POST", "PATCH", "DELETE", "OPTIONS") },
      ),
    })
    .map(({ caller, org, id, query, body: text, contentType, method }) => ({
      route,
      method,
      caller,
      path: `/v1/organizations/${org}${hasParameter ? fillTemplate(route.template, id) : route.template}${query}`,
      ...(text === undefined ? {} : { body: text }),
      ...(contentType === undefined ? {} : { contentType }),
    }));
}

// ---------------------------------------------------------------------------------------------
// The property.

function expectEnvelope(response: ApiResponse): void {
  const body = response.body as { success?: unknown; error?: Record<string, unknown> } | undefined;
  expect(Object.keys(body ?? {}).sort()).toEqual(["error", "success"]);
  expect(body?.success).toBe(false);
  const error = body?.error ?? {};
  expect(Object.keys(error).sort()).toEqual([
    "code",
    "details",
    "message",
    "status",
    "system_message",
    "timestamp",
    "trace_id",
    "type",
  ]);
  expect(error.status).toBe(response.status);
  expect(error.type).toBe("client_error");
  expect(typeof error.code === "string" && /^[A-Z_]+$/.test(error.code)).toBe(true);
  expect(typeof error.message === "string" && typeof error.system_message === "string").toBe(true);
  expect(typeof error.trace_id === "string" && error.trace_id !== "").toBe(true);
  expect(error.timestamp).toMatch(WIRE_TIMESTAMP);
  expect(typeof error.details === "object" && error.details !== null && !Array.isArray(error.details)).toBe(true);
}

/** Sends one attempt to a fresh fixture and checks the answer and, when rejected, the stored state. */
async function check(attempt: Attempt): Promise<void> {
  const api = createApi({ handler: { maxBodyBytes: MAX_BODY_BYTES } });
  const before = await snapshot(api.accessControl);
  const sendsBody = attempt.body !== undefined && attempt.method !== "GET";
  const res = await api.request(attempt.path, {
    method: attempt.method,
    as: attempt.caller,
    ...(sendsBody ? { body: attempt.body } : {}),
    ...(sendsBody && attempt.contentType !== undefined ? { headers: { "content-type": attempt.contentType } } : {}),
  });
  const label = `${attempt.method} ${attempt.path.slice(0, 300)} as ${attempt.caller} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(DOCUMENTED.has(res.status), label).toBe(true);
  expect(api.unexpected, label).toEqual([]);
  if (res.status >= 400) {
    expectEnvelope(res);
    expect(await snapshot(api.accessControl), label).toEqual(before);
  } else if (res.status === 204) {
    expect(res.text).toBe("");
  }
  // Nothing leaked onto the prototypes from `__proto__` / `constructor` keys.
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.getOwnPropertyNames(Object.prototype).includes("polluted")).toBe(false);
}

const routeLabel = (route: RouteSpec): string => `${route.method} ${route.template}`;

describe("bad input at every route", () => {
  it.each(ROUTE_SPECS.map((route) => [routeLabel(route), route] as const))(
    "%s: arbitrary bodies, queries, path ids and callers get documented answers and change nothing when refused",
    async (_label, route) => {
      await fc.assert(fc.asyncProperty(attemptArb(route), check), { numRuns: 300 });
    },
  );

  const bodyRoutes = ROUTE_SPECS.filter((route) => route.hasBody);

  it.each(bodyRoutes.map((route) => [routeLabel(route), route] as const))(
    "%s: huge strings (to ~200 KB) and deep nesting",
    async (_label, route) => {
      const valid = {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        grantee_type: "user",
        grantee_id: "usr_huge",
        access_level: "read",
      };
      const hugeString = fc
        .tuple(
          fc.integer({ min: 100_000, max: 200_000 }),
          fc.constantFrom("entity_id", "grantee_id", "access_level", "note", "grants", "entity_type"),
          fc.constantFrom("", "kslice_", "usr_"),
        )
        .map(([size, field, prefix]) =>
          JSON.stringify({ ...valid, [field]: prefix + "a".repeat(size - prefix.length) }),
        );
      const deep = fc
        .tuple(fc.integer({ min: 1_000, max: 60_000 }), fc.constantFrom("array", "object", "field"))
        .map(([depth, shape]) => {
          if (shape === "array") return "[".repeat(depth) + "]".repeat(depth);
          if (shape === "object") return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
          return JSON.stringify(valid).replace('"read"', `${"[".repeat(depth)}"read"${"]".repeat(depth)}`);
        });
      await fc.assert(fc.asyncProperty(attemptArb(route, fc.oneof(hugeString, deep)), check), { numRuns: 25 });
    },
  );

  it("every route, path ids only: percent-encoded junk in the id and the organization", async () => {
    const attempts = fc.oneof(
      ...ROUTE_SPECS.map((route) =>
        attemptArb(route, fc.constant('{"access_level":"read"}')).map((attempt) => ({
          ...attempt,
          method: route.method,
        })),
      ),
    );
    await fc.assert(fc.asyncProperty(attempts, check), { numRuns: 300 });
  });
});
