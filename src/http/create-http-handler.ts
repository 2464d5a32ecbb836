/**
 * The REST API as a web-standard handler: `(request: Request) => Promise<Response>`, with no
 * Node built-in, so the same handler serves Node, Cloudflare Workers, Deno, Bun and browsers.
 * @module
 */
import { authenticationRequired } from "../core/error-constructors.js";
import { validationError } from "../core/errors.js";
import { AccessError, isValidId } from "../core/index.js";
import { ownOptions } from "../core/validate.js";
import type { AccessControl } from "../service/index.js";
import type { Awaitable } from "../storage/storage-adapter.js";
import { ANSWER, type Answer, type AnswerRequest, answerResponse, readBodyTextOf } from "./answer.js";
import { cacheMaxAgeOption, trackCaching } from "./cache-control.js";
import { accessErrorBody, accessErrorHeaders, type ErrorBody, errorAnswer, httpErrorBody } from "./error-envelope.js";
import { takeMinRevision, trackRevision } from "./revisions.js";
import { matchRoutes, type Route } from "./routes.js";

/**
 * Who is calling, as your authentication decides.
 *
 * @example
 * ```ts
 * const authenticate = (request: Request): AuthenticatedCaller | null =>
 *   request.headers.get("authorization") === "Bearer secret" ? { user_id: "usr_owner1" } : null;
 * ```
 */
export interface AuthenticatedCaller {
  /** The calling user (`usr_*`). */
  readonly user_id: string;
}

/**
 * Options of {@link createHttpHandler}.
 *
 * @example
 * ```ts
 * const options: HttpHandlerOptions = {
 *   authenticate: () => ({ user_id: "usr_owner1" }),
 *   onError: (error) => console.error(error),
 *   maxBodyBytes: 64 * 1024,
 * };
 * ```
 */
export interface HttpHandlerOptions {
  /**
   * Decides who the request comes from, typically from its `Authorization: Bearer …` header.
   * `null` (or a malformed user id) answers 401 `AUTHENTICATION_REQUIRED`.
   */
  readonly authenticate: (request: Request) => Awaitable<AuthenticatedCaller | null>;
  /**
   * Called with every unexpected error and every `STORED_DATA_INVALID` (both answered 500
   * `INTERNAL_ERROR` without internals), every `STORAGE_UNAVAILABLE` (answered 503), and the
   * request. Default: `console.error`.
   */
  readonly onError?: (error: unknown, request: Request) => void;
  /** The largest accepted request body, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** The clock for error timestamps. Default: the system clock. */
  readonly clock?: () => Date;
  /**
   * The document to serve at `GET /openapi.json`, usually `OPENAPI_DOCUMENT`. Opt-in, so a
   * worker that does not serve it does not carry it (about 10 KiB gzipped). Without it,
   * `/openapi.json` is an unknown route.
   */
  readonly openapi?: object;
  /**
   * The longest a client may cache a resolved-access or check answer, in seconds: the
   * `max-age` of their `Cache-Control: private, max-age=…`, which is also never past the
   * answer's next expiry. Default 0: every request asks again, and a revoke is seen at once.
   */
  readonly cacheMaxAgeSeconds?: number;
}

/**
 * A web-standard request handler.
 *
 * @example
 * ```ts
 * const handler: HttpHandler = createHttpHandler(accessControl, { authenticate });
 * const response = await handler(new Request("http://localhost/openapi.json"));
 * ```
 */
export type HttpHandler = (request: Request) => Promise<Response>;

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

class HttpFailure extends Error {
  constructor(
    readonly body: ErrorBody,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body.system_message);
  }
}

/**
 * Serves the REST API of docs/spec.md §6, §8 and §9 (plus `GET /openapi.json`) over an access-control
 * service.
 *
 * Answers 201 for creates, 204 for revokes, 200 otherwise, each with `Grantpath-Revision`: the
 * revision a write committed or a read was computed on. Every GET takes `min_revision`.
 * Failures use the error envelope (docs/spec.md §5) with a fresh `trace_id`: 401 without valid credentials, 403,
 * 404 (also for unknown routes), 405 with `Allow`, 409, 410 when the change log no longer reaches
 * back, 413 for bodies over the limit, 415 for bodies that are not declared JSON, 422 for invalid
 * input (also malformed JSON), 500 for anything unexpected, and 503 with `Retry-After` when the
 * database did not answer.
 *
 * @example
 * ```ts
 * import { createAccessControl, createHttpHandler, memoryStorage } from "grantpath";
 *
 * const tokens = new Map([["secret-token", "usr_owner1"]]);
 * const handler = createHttpHandler(createAccessControl({ storage: memoryStorage() }), {
 *   authenticate: (request) => {
 *     const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
 *     const user_id = tokens.get(token);
 *     return user_id ? { user_id } : null;
 *   },
 * });
 * // Cloudflare Workers: export default { fetch: handler };  Deno: Deno.serve(handler);
 * ```
 */
export function createHttpHandler(accessControl: AccessControl, given: HttpHandlerOptions): HttpHandler {
  // Only the options the caller gave: nothing another library put on Object.prototype.
  const options = ownOptions(given, "options");
  const authenticateCaller = options.authenticate;
  if (typeof authenticateCaller !== "function") {
    throw validationError("authenticate", "authenticate must be a function deciding who a request comes from");
  }
  const authenticateWith: HttpHandlerOptions["authenticate"] = authenticateCaller;
  const clock = options.clock ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const cacheMaxAge = cacheMaxAgeOption(options.cacheMaxAgeSeconds);
  const onError = options.onError ?? ((error: unknown) => console.error("grantpath: unexpected error", error));

  // One async function per request, not one per layer: each costs a promise and a turn of the queue.
  const answer: AnswerRequest = (request) => handle(request).catch((error: unknown) => failure(error, request));
  const handler: HttpHandler = async (request) => answerResponse(await answer(request));
  // The answers as data too, for a server that writes bytes rather than reading a Response back (see answer.ts).
  Object.defineProperty(handler, ANSWER, { value: answer });
  return handler;

  /** The answer to a request that failed: the envelope, and `onError` told of what the caller cannot fix. */
  function failure(error: unknown, request: Request): Answer {
    if (error instanceof HttpFailure) return errorAnswer(error.body, clock(), error.headers);
    if (error instanceof AccessError) {
      // A database that did not answer is the operator's to hear about, though the client may simply retry.
      if (error.status >= 500) report(error, request);
      return errorAnswer(accessErrorBody(error), clock(), accessErrorHeaders(error));
    }
    report(error, request);
    return errorAnswer(httpErrorBody("INTERNAL_ERROR"), clock());
  }

  function report(error: unknown, request: Request): void {
    try {
      onError(error, request);
    } catch (hookError) {
      // A failing hook must neither change the answer nor bring the server down, nor vanish.
      console.error("grantpath: the onError hook threw", hookError, "while reporting", error);
    }
  }

  async function handle(request: Request): Promise<Answer> {
    const url = splitUrl(request.url);
    const segments = pathSegments(url.pathname);
    if (options.openapi !== undefined && segments?.length === 1 && segments[0] === "openapi.json") {
      if (request.method !== "GET" && request.method !== "HEAD") throw methodNotAllowed(["GET", "HEAD"]);
      const document = json(200, options.openapi);
      return request.method === "HEAD" ? { ...document, body: null } : document;
    }
    const candidates = segments ? matchRoutes(segments) : [];
    if (candidates.length === 0) throw routeNotFound(request.method, url.pathname);
    // HEAD is answered wherever GET is, with GET's status and headers and no body.
    const head = request.method === "HEAD";
    const method = head ? "GET" : request.method;
    const match = candidates.find((candidate) => candidate.route.method === method);
    if (!match) {
      const allowed = candidates.map((candidate) => candidate.route.method);
      throw methodNotAllowed(allowed.includes("GET") ? [...allowed, "HEAD"] : allowed);
    }

    const given = authenticateWith(request);
    const actor = actorOf(given instanceof Promise ? await given : given);
    const body = match.route.hasBody ? await readJsonBody(request, maxBodyBytes) : undefined;
    // Every read may ask for a revision; the service's queries do not know the parameter.
    const read = match.route.method === "GET";
    const { query, minRevision } = read
      ? takeMinRevision(readQuery(url.search))
      : { query: readQuery(url.search), minRevision: undefined };
    const revision = trackRevision(minRevision);
    const caching = match.route.cacheable ? trackCaching(cacheMaxAge) : undefined;
    try {
      const result = await match.route.run({
        params: match.params,
        query,
        body,
        actor,
        accessControl,
        call: caching ? { ...revision.call, onNextChange: caching.onNextChange } : revision.call,
      });
      if (result.status === 204) return { status: 204, headers: revision.headers(), body: null };
      const headers = caching ? { ...revision.headers(), ...caching.headers(clock()) } : revision.headers();
      const answer = json(result.status, result.body, headers);
      return head ? { ...answer, body: null } : answer;
    } catch (error) {
      throw renameFields(error, match.route);
    }
  }

  function actorOf(caller: AuthenticatedCaller | null): string {
    if (!caller || !isValidId("user", caller.user_id)) {
      throw authenticationRequired();
    }
    return caller.user_id;
  }
}

/**
 * The JSON text of answers the service keeps and hands out again (they are frozen: see
 * service/resolved-answers.ts), so one kept answer is serialized once.
 */
const jsonOfFrozen = new WeakMap<object, string>();

function jsonText(body: unknown): string {
  if (typeof body !== "object" || body === null || !Object.isFrozen(body)) return JSON.stringify(body);
  let text = jsonOfFrozen.get(body);
  if (text === undefined) {
    text = JSON.stringify(body);
    jsonOfFrozen.set(body, text);
  }
  return text;
}

function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Answer {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: jsonText(body),
  };
}

/**
 * The path and the query of a request's URL, as `new URL` would give them. A request's `url` is
 * already serialized, so an http(s) one is only cut where its parts begin: parsing it again cost
 * about as much as routing it.
 */
function splitUrl(href: string): { readonly pathname: string; readonly search: string } {
  const authority = href.startsWith("http://") ? 7 : href.startsWith("https://") ? 8 : -1;
  const path = authority < 0 ? -1 : href.indexOf("/", authority);
  if (path < 0) return new URL(href);
  const hash = href.indexOf("#", path);
  const end = hash < 0 ? href.length : hash;
  const query = href.indexOf("?", path);
  return query < 0 || query > end
    ? { pathname: href.slice(path, end), search: "" }
    : { pathname: href.slice(path, query), search: href.slice(query, end) };
}

/** The decoded path segments, or `null` when a segment is not valid percent-encoding. */
function pathSegments(pathname: string): string[] | null {
  const parts = pathname.split("/").filter((part) => part !== "");
  if (!pathname.includes("%")) return parts; // nothing to decode
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    return null; // a path that cannot be decoded names no route
  }
}

function routeNotFound(method: string, path: string): AccessError {
  return new AccessError(
    "RESOURCE_NOT_FOUND",
    { method, path },
    { message: "No such route.", system_message: "Route not found" },
  );
}

function methodNotAllowed(allowed: readonly string[]): HttpFailure {
  const allow = [...new Set(allowed)].join(", ");
  return new HttpFailure(httpErrorBody("METHOD_NOT_ALLOWED", { allowed_methods: [...new Set(allowed)] }), {
    allow,
  });
}

/** Query parameters as the service expects them: digit strings become integers; repeats are errors. */
function readQuery(search: string): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (search.length <= 1) return query; // "" or "?"
  const params = new URLSearchParams(search);
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (values.length > 1) {
      throw validationError(key, `${key} may be given only once`);
    }
    const value = values[0] as string;
    query[key] = /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value;
  }
  return query;
}

/**
 * The JSON body. A body that is not JSON is a 422 whatever its declared type (docs/spec.md §6);
 * a JSON body declared as another media type is a 415, since the client meant something else.
 */
async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  const text = await readText(request, limit);
  if (text.trim() === "") {
    throw validationError("body", "a JSON body is required");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new AccessError(
      "VALIDATION_ERROR",
      { field: "body", message: "the body is not valid JSON" },
      { cause: error },
    );
  }
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    throw new HttpFailure(httpErrorBody("UNSUPPORTED_MEDIA_TYPE", { content_type: contentType }));
  }
  return body;
}

/** Reads the body as text, stopping as soon as it exceeds `limit` bytes. */
async function readText(request: Request, limit: number): Promise<string> {
  const readDirectly = readBodyTextOf(request);
  if (readDirectly) {
    const text = await readDirectly(limit);
    if (text === undefined) throw tooLarge(limit);
    return text;
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function tooLarge(limit: number): HttpFailure {
  return new HttpFailure(httpErrorBody("PAYLOAD_TOO_LARGE", { max_bytes: limit }));
}

/** Names a path parameter as the route does (`slice_id`), not as the service's argument (`entity_id`). */
function renameFields(error: unknown, route: Route): unknown {
  const renames = route.renameFields;
  if (!renames || !(error instanceof AccessError) || typeof error.details.field !== "string") return error;
  const renamed = renames[error.details.field];
  if (renamed === undefined) return error;
  const message =
    typeof error.details.message === "string" ? error.details.message.replace(error.details.field, renamed) : undefined;
  return new AccessError(
    error.code,
    { ...error.details, field: renamed, ...(message === undefined ? {} : { message }) },
    { message: error.message, system_message: error.system_message, cause: error },
  );
}
