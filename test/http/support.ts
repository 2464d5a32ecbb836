/**
 * The HTTP tests' fixture and request helper. `request(path, init)` reads like the API
 * reference's curl examples —
 *
 *   await api.request(`${ORG_PATH}/access/grants`, { method: "POST", as: "owner", json: {...} })
 *
 * — and answers `{ status, headers, text, body }`. It goes through the handler directly (or,
 * with {@link createRequest}, through any `fetch`-like sender such as a real server), and every
 * response it receives is checked against the OpenAPI document (`openapi-contract.ts`), so no
 * test can see an answer the document does not describe.
 *
 * The fixture organization reproduces the worked example of docs/spec.md §12 (`org_xyz789`, `usr_def456`
 * reading `kslice_abc123` directly and writing it through `dept_eng01`, `role_admin01` holding
 * admin on `kslice_def456`) plus one user per kind of caller: the owner, an entity admin (admin
 * on `kslice_abc123`, `vs_docs01` and `asst_helper01`), a reader, a stranger, and the owner of a
 * second organization.
 */
import { expect } from "vitest";
import {
  type AccessControl,
  type AuthenticatedCaller,
  createAccessControl,
  createHttpHandler,
  type GrantRecord,
  type GraphInput,
  type HttpHandler,
  type HttpHandlerOptions,
  memoryStorage,
  type StorageAdapter,
} from "../../src/index.js";
import { OPENAPI_DOCUMENT } from "../../src/openapi.js";
import { type ManualClock, manualClock, sequentialIds } from "../../src/testing/test-kit.js";
import { expectResponseMatchesOpenApi } from "./openapi-contract.js";

/** The instant the fixture's clock stands at. */
export const NOW = "2025-06-15T10:00:00Z";

export const ORG = "org_xyz789";
export const OTHER_ORG = "org_other42";
/** Where every route of the fixture organization lives. */
export const ORG_PATH = `/v1/organizations/${ORG}`;
export const OTHER_ORG_PATH = `/v1/organizations/${OTHER_ORG}`;

export const OWNER = "usr_owner1";
export const ENTITY_ADMIN = "usr_slice_admin";
export const READER = "usr_reader";
export const STRANGER = "usr_stranger";
export const OTHER_OWNER = "usr_owner2";
/** The worked example's user: direct read and department write on kslice_abc123, role admin on kslice_def456. */
export const SEED_USER = "usr_def456";

export const SLICE = "kslice_abc123";
export const ROLE_SLICE = "kslice_def456";
export const COMPOSITE = "kslice_comp789";
export const STORE = "vs_docs01";
export const ASSISTANT = "asst_helper01";
export const DEPT = "dept_eng01";
export const ROLE = "role_admin01";

/** Who can call: each has a bearer token. */
export type Caller = "owner" | "admin" | "reader" | "stranger" | "otherOwner" | "seedUser";

export const CALLERS: Readonly<Record<Caller, string>> = {
  owner: OWNER,
  admin: ENTITY_ADMIN,
  reader: READER,
  stranger: STRANGER,
  otherOwner: OTHER_OWNER,
  seedUser: SEED_USER,
};

/** The bearer token of each caller. */
export const TOKENS: Readonly<Record<Caller, string>> = {
  owner: "tok-owner",
  admin: "tok-entity-admin",
  reader: "tok-reader",
  stranger: "tok-stranger",
  otherOwner: "tok-other-owner",
  seedUser: "tok-def456",
};

/** A token the authenticator knows but maps to a user id that breaks the `usr_*` format. */
export const MALFORMED_USER_TOKEN = "tok-malformed-user";

const USER_BY_TOKEN: ReadonlyMap<string, string> = new Map<string, string>([
  ...Object.entries(TOKENS).map(([caller, token]): [string, string] => [token, CALLERS[caller as Caller]]),
  [MALFORMED_USER_TOKEN, "not a user id"],
]);

/** The embedding service's authentication: `Authorization: Bearer <token>`, tokens from {@link TOKENS}. */
export function authenticate(request: Request): AuthenticatedCaller | null {
  const match = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "");
  const user_id = match?.[1] === undefined ? undefined : USER_BY_TOKEN.get(match[1]);
  return user_id === undefined ? null : { user_id };
}

/** A fixture grant: every wire field written out, created a minute apart in this order. */
function fixtureGrant(
  id: string,
  minute: number,
  fields: Pick<GrantRecord, "entity_type" | "entity_id" | "grantee_type" | "grantee_id" | "access_level">,
): GrantRecord {
  const stamp = `2025-06-01T09:${String(minute).padStart(2, "0")}:00Z`;
  return { id, ...fields, granted_by: OWNER, organization_id: ORG, created_at: stamp, updated_at: stamp };
}

/** The fixture organization's grants, in list order (`created_at`, then `id`). */
export const FIXTURE_GRANTS: readonly GrantRecord[] = [
  fixtureGrant("agrant_seed01", 0, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: SEED_USER,
    access_level: "read",
  }),
  fixtureGrant("agrant_seed02", 1, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "department",
    grantee_id: DEPT,
    access_level: "write",
  }),
  fixtureGrant("agrant_seed03", 2, {
    entity_type: "knowledge_slice",
    entity_id: ROLE_SLICE,
    grantee_type: "role",
    grantee_id: ROLE,
    access_level: "admin",
  }),
  fixtureGrant("agrant_admin01", 3, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: ENTITY_ADMIN,
    access_level: "admin",
  }),
  fixtureGrant("agrant_admin02", 4, {
    entity_type: "vector_store",
    entity_id: STORE,
    grantee_type: "user",
    grantee_id: ENTITY_ADMIN,
    access_level: "admin",
  }),
  fixtureGrant("agrant_admin03", 5, {
    entity_type: "assistant",
    entity_id: ASSISTANT,
    grantee_type: "user",
    grantee_id: ENTITY_ADMIN,
    access_level: "admin",
  }),
  fixtureGrant("agrant_reader01", 6, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: READER,
    access_level: "read",
  }),
  fixtureGrant("agrant_reader02", 7, {
    entity_type: "knowledge_slice",
    entity_id: COMPOSITE,
    grantee_type: "user",
    grantee_id: READER,
    access_level: "read",
  }),
];

/** A grant in the other organization on the same entity and grantee ids (isolation). */
export const OTHER_ORG_GRANT: GrantRecord = {
  id: "agrant_other01",
  entity_type: "knowledge_slice",
  entity_id: SLICE,
  grantee_type: "user",
  grantee_id: SEED_USER,
  access_level: "admin",
  granted_by: OTHER_OWNER,
  organization_id: OTHER_ORG,
  created_at: "2025-06-01T08:00:00Z",
  updated_at: "2025-06-01T08:00:00Z",
};

/** A fresh copy of the fixture organizations, for `memoryStorage({ initial })`. */
export function fixtureOrganizations(): GraphInput[] {
  return [
    {
      organization_id: ORG,
      owners: [OWNER],
      users: [
        { id: SEED_USER, department_ids: [DEPT], role_ids: [ROLE] },
        { id: ENTITY_ADMIN, department_ids: [], role_ids: [] },
        { id: READER, department_ids: [], role_ids: [] },
      ],
      departments: [{ id: DEPT, parent_id: null }],
      roles: [{ id: ROLE }],
      composites: [{ id: COMPOSITE, member_slice_ids: [SLICE] }],
      grants: FIXTURE_GRANTS.map((grant) => ({ ...grant })),
    },
    { organization_id: OTHER_ORG, owners: [OTHER_OWNER], grants: [{ ...OTHER_ORG_GRANT }] },
  ];
}

/** The n-th id `sequentialIds()` hands out: `agrant_test0001`, … */
export const NEW_ID = (n: number): string => `agrant_test${String(n).padStart(4, "0")}`;

/** What a test may set on a request, beyond the path. */
export interface ApiRequestInit {
  /** Default `GET`. */
  readonly method?: string;
  /** Whose bearer token to send (default `owner`); `null` sends no `Authorization` header. */
  readonly as?: Caller | null;
  /** A raw `Authorization` header, instead of `as`. */
  readonly authorization?: string;
  /** A JSON body: serialized, with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** A raw body (with whatever `headers` say). */
  readonly body?: string | Uint8Array | ReadableStream<Uint8Array>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A received response, its JSON already parsed (`undefined` for an empty body). */
export interface ApiResponse {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

/** Sends a request built from `init` to `path` (through a handler, or over the network). */
export type Sender = (path: string, init: RequestInit & { duplex?: "half" }) => Promise<Response>;

/** The request helper of a test. */
export type RequestFn = (path: string, init?: ApiRequestInit) => Promise<ApiResponse>;

/** The `RequestInit` for a request helper call. */
export function toRequestInit(init: ApiRequestInit): RequestInit & { duplex?: "half" } {
  const headers = new Headers(init.headers);
  const caller = init.as === undefined ? "owner" : init.as;
  if (init.authorization !== undefined) headers.set("authorization", init.authorization);
  else if (caller !== null) headers.set("authorization", `Bearer ${TOKENS[caller]}`);
  let body: string | Uint8Array | ReadableStream<Uint8Array> | undefined = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const result: RequestInit & { duplex?: "half" } = { method: init.method ?? "GET", headers };
  if (body !== undefined) {
    result.body = body as BodyInit;
    if (body instanceof ReadableStream) result.duplex = "half";
  }
  return result;
}

/**
 * Checks a response against the OpenAPI document: the operation it answers (via
 * `operationFor`), or, for an unknown route, the document's 404 envelope; its body and the
 * headers the document requires (`Grantpath-Revision` on a 2xx, `Allow` on a 405, …).
 */
export function expectDocumented(response: ApiResponse): void {
  expectResponseMatchesOpenApi(response.method, response.path, response.status, response.body, response.headers);
}

/** A request helper over `send`; every response is checked against the OpenAPI document. */
export function createRequest(send: Sender): RequestFn {
  return async (path, init = {}) => {
    const requestInit = toRequestInit(init);
    const response = await send(path, requestInit);
    const text = await response.text();
    const received: ApiResponse = {
      method: requestInit.method ?? "GET",
      path,
      status: response.status,
      headers: response.headers,
      text,
      body: text === "" ? undefined : (JSON.parse(text) as unknown),
    };
    expectDocumented(received);
    return received;
  };
}

/** Options of a test API: handler options, the storage, and a way to swap the service for a faulty one. */
export interface ApiOptions {
  readonly handler?: Omit<HttpHandlerOptions, "authenticate">;
  readonly wrapAccessControl?: (accessControl: AccessControl) => AccessControl;
  /** The storage behind the service. Default: a fresh `memoryStorage` holding the fixture organizations. */
  readonly storage?: StorageAdapter;
}

/** A fresh fixture: its own storage, clock, ids, service and handler. */
export interface Api {
  readonly request: RequestFn;
  readonly handler: HttpHandler;
  /** The real service (unwrapped), for looking at the stored state behind the handler's back. */
  readonly accessControl: AccessControl;
  /** The storage behind the service. */
  readonly storage: StorageAdapter;
  readonly clock: ManualClock;
  /** Every error the handler passed to `onError` (when the test did not supply its own hook). */
  readonly unexpected: unknown[];
}

/** A fresh copy of the fixture behind a handler. */
export function createApi(options: ApiOptions = {}): Api {
  const clock = manualClock(NOW);
  const storage = options.storage ?? memoryStorage({ initial: fixtureOrganizations() });
  const accessControl = createAccessControl({ storage, clock: clock.now, ids: sequentialIds() });
  const unexpected: unknown[] = [];
  const served = options.wrapAccessControl ? options.wrapAccessControl(accessControl) : accessControl;
  const handler = createHttpHandler(served, {
    openapi: OPENAPI_DOCUMENT,
    clock: clock.now,
    onError: (error) => {
      unexpected.push(error);
    },
    ...options.handler,
    authenticate,
  });
  const request = createRequest((path, init) => handler(new Request(new URL(path, "http://localhost"), init)));
  return { request, handler, accessControl, storage, clock, unexpected };
}

/** The `error` object of the worked example's envelope. */
export interface ErrorObject {
  readonly code: string;
  readonly message: string;
  readonly system_message: string;
  readonly type: "client_error" | "server_error";
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;
  readonly trace_id: string;
  readonly timestamp: string;
}

/** The worked example's timestamp format: `2025-11-02T08:21:45Z`. */
export const WIRE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const ENVELOPE_KEYS = ["code", "details", "message", "status", "system_message", "timestamp", "trace_id", "type"];

/**
 * Asserts the worked example's error envelope, exactly its keys, with this status and code, and
 * returns its `error` object.
 */
export function expectError(response: ApiResponse, status: number, code: string): ErrorObject {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json\b/);
  const body = response.body as { success?: unknown; error?: Record<string, unknown> } | undefined;
  expect(body && Object.keys(body).sort()).toEqual(["error", "success"]);
  expect(body?.success).toBe(false);
  const error = body?.error ?? {};
  expect(Object.keys(error).sort()).toEqual(ENVELOPE_KEYS);
  expect(error).toMatchObject({ code, status, type: status >= 500 ? "server_error" : "client_error" });
  expect(typeof error.message === "string" && error.message.length > 0).toBe(true);
  expect(typeof error.system_message === "string" && error.system_message.length > 0).toBe(true);
  expect(typeof error.trace_id === "string" && error.trace_id.length > 0).toBe(true);
  expect(error.timestamp).toMatch(WIRE_TIMESTAMP);
  expect(typeof error.details === "object" && error.details !== null && !Array.isArray(error.details)).toBe(true);
  return error as unknown as ErrorObject;
}

/** Asserts a 422 `VALIDATION_ERROR` naming `field`, and returns its details. */
export function expectValidationError(response: ApiResponse, field: string): Readonly<Record<string, unknown>> {
  const error = expectError(response, 422, "VALIDATION_ERROR");
  expect(error.details.field, JSON.stringify(error.details)).toBe(field);
  expect(typeof error.details.message).toBe("string");
  return error.details;
}

/** One route of docs/spec.md §6 and §9: its method, its path under the organization, whether it takes a body. */
export interface RouteSpec {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** The path after `/v1/organizations/{organization_id}`, with `{name}` parameters. */
  readonly template: string;
  readonly hasBody: boolean;
}

/** Every route of docs/spec.md §6 and §9 (the change log's owner-only reads have tests of their own). */
export const ROUTE_SPECS: readonly RouteSpec[] = [
  { method: "POST", template: "/access/grants", hasBody: true },
  { method: "POST", template: "/access/grants/bulk", hasBody: true },
  { method: "GET", template: "/access/grants", hasBody: false },
  { method: "GET", template: "/access/grants/{grant_id}", hasBody: false },
  { method: "PATCH", template: "/access/grants/{grant_id}", hasBody: true },
  { method: "DELETE", template: "/access/grants/{grant_id}", hasBody: false },
  { method: "GET", template: "/knowledge/slices/{slice_id}/grants", hasBody: false },
  { method: "GET", template: "/vector-stores/{store_id}/grants", hasBody: false },
  { method: "GET", template: "/assistants/{assistant_id}/grants", hasBody: false },
  { method: "GET", template: "/users/{user_id}/resolved-access", hasBody: false },
  { method: "GET", template: "/access/users-with-access", hasBody: false },
  { method: "POST", template: "/access/check", hasBody: true },
  { method: "POST", template: "/access/check/bulk", hasBody: true },
];

/** Fills a route's template with (already encoded) path parameters. */
export function fillTemplate(template: string, id: string): string {
  return template.replace(/\{[a-z_]+\}/, id);
}

/** A valid, existing value for each path parameter of the fixture. */
export const FIXTURE_PATH_IDS: Readonly<Record<string, string>> = {
  grant_id: "agrant_reader01",
  slice_id: SLICE,
  store_id: STORE,
  assistant_id: ASSISTANT,
  user_id: SEED_USER,
};

/** A route's concrete path in the fixture organization, its parameter filled with a fixture id. */
export function fixturePath(route: RouteSpec): string {
  const name = /\{([a-z_]+)\}/.exec(route.template)?.[1];
  return `${ORG_PATH}${name === undefined ? route.template : fillTemplate(route.template, FIXTURE_PATH_IDS[name] ?? "")}`;
}
