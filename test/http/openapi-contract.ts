// Contract checks against the OpenAPI document: does a response body match what the document
// promises for that operation and status? A helper for the HTTP tests (it holds no tests itself).
//
//   expectMatchesOpenApi("POST", "/v1/organizations/{organization_id}/access/grants", 201, body, headers);
//   expectResponseMatchesOpenApi("GET", "/v1/organizations/org_1/access/grants/agrant_x", 404, body, headers);
//   operationFor("GET", "/v1/organizations/org_1/access/grants/agrant_x")?.pathTemplate;
//
// Every response schema of the document is compiled once (with ajv, JSON Schema 2020-12), when
// this module loads; `$ref`s resolve against the document's components, registered under DOC_ID.
// When the response's headers are given, every header the document marks `required` must be
// there, its value (a number when it is digits) valid against the header's schema.
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import {
  type JsonObject,
  type JsonValue,
  OPENAPI_DOCUMENT,
  type OpenApiMethod,
  type OpenApiOperation,
} from "../../src/http/openapi-document.js";

/** The base URI under which the document's components are registered with ajv. */
export const DOC_ID = "urn:grantpath:openapi";

const METHODS: readonly OpenApiMethod[] = ["get", "head", "post", "patch", "delete"];

/** A concrete request path matched to the document. */
export interface OperationMatch {
  /** The method, upper-case. */
  readonly method: string;
  /** The document's path template, e.g. `/v1/organizations/{organization_id}/access/grants/{grant_id}`. */
  readonly pathTemplate: string;
  /** The operation's id, or `undefined` when the path exists but not for this method (a 405). */
  readonly operationId: string | undefined;
  /** The path parameters, decoded. */
  readonly params: Readonly<Record<string, string>>;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** The `date-time` format of JSON Schema: an RFC 3339 date-time that names a real instant. */
function isDateTime(value: string): boolean {
  const match = RFC3339.exec(value);
  if (!match) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= lastDay.getUTCDate() &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

/** A fresh ajv for the document: strict, every error, the components registered under {@link DOC_ID}. */
export function createOpenApiAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    strictTypes: true,
    allErrors: true,
    allowUnionTypes: true,
    discriminator: true,
  });
  ajv.addFormat("date-time", { type: "string", validate: isDateTime });
  // The registered root is `{ $id, components }`: `components` is a container, not an assertion.
  ajv.addKeyword({ keyword: "components" });
  ajv.addSchema({ $id: DOC_ID, components: OPENAPI_DOCUMENT.components as unknown as JsonObject });
  return ajv;
}

const ajv = createOpenApiAjv();

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A copy of a schema whose local `$ref`s (`#/components/…`) point into the registered document. */
export function rebaseRefs(schema: JsonValue): JsonValue {
  if (Array.isArray(schema)) return schema.map(rebaseRefs);
  if (!isObject(schema)) return schema;
  const copy: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#") ? `${DOC_ID}${value}` : rebaseRefs(value);
  }
  return copy;
}

/** Follows a `#/components/…` reference of the document (OpenAPI-level, e.g. to a response). */
function resolveDocumentRef(value: JsonObject): JsonObject {
  const ref = value.$ref;
  if (typeof ref !== "string") return value;
  const parts = ref
    .replace(/^#\//, "")
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: JsonValue | undefined = OPENAPI_DOCUMENT as unknown as JsonObject;
  for (const part of parts) node = isObject(node) ? node[part] : undefined;
  if (!isObject(node)) throw new Error(`OpenAPI: unresolvable reference ${ref}`);
  return resolveDocumentRef(node);
}

interface CompiledResponse {
  /** `null` when the response has no body (204, HEAD). */
  readonly validate: ValidateFunction | null;
  /** The headers the response must carry, by lower-case name. */
  readonly headers: ReadonlyMap<string, ValidateFunction>;
}

const compiled = new Map<string, CompiledResponse>();
const key = (method: string, pathTemplate: string, status: string) =>
  `${method.toUpperCase()} ${pathTemplate} ${status}`;

function compileSchema(schema: JsonObject, where: string): ValidateFunction {
  try {
    return ajv.compile(rebaseRefs(schema) as JsonObject);
  } catch (error) {
    throw new Error(`OpenAPI: the schema of ${where} does not compile: ${(error as Error).message}`);
  }
}

function compileHeaders(response: JsonObject, where: string): Map<string, ValidateFunction> {
  const headers = new Map<string, ValidateFunction>();
  const declared = isObject(response.headers) ? response.headers : {};
  for (const [name, header] of Object.entries(declared)) {
    const resolved = resolveDocumentRef(header as JsonObject);
    if (resolved.required !== true) continue;
    if (!isObject(resolved.schema)) throw new Error(`OpenAPI: header ${name} of ${where} has no schema`);
    headers.set(name.toLowerCase(), compileSchema(resolved.schema, `${where} header ${name}`));
  }
  return headers;
}

function compileResponse(response: JsonObject, where: string): CompiledResponse {
  const resolved = resolveDocumentRef(response);
  const headers = compileHeaders(resolved, where);
  const content = resolved.content;
  if (!isObject(content)) return { validate: null, headers };
  const media = content["application/json"];
  if (!isObject(media) || !isObject(media.schema)) throw new Error(`OpenAPI: ${where} has no application/json schema`);
  return { validate: compileSchema(media.schema, where), headers };
}

function operationOf(pathTemplate: string, method: string): OpenApiOperation | undefined {
  const item = OPENAPI_DOCUMENT.paths[pathTemplate];
  const lower = method.toLowerCase();
  return item && (METHODS as readonly string[]).includes(lower) ? item[lower as OpenApiMethod] : undefined;
}

for (const [pathTemplate, item] of Object.entries(OPENAPI_DOCUMENT.paths)) {
  for (const method of METHODS) {
    const operation = item[method];
    if (!operation) continue;
    for (const [status, response] of Object.entries(operation.responses)) {
      const where = `${method.toUpperCase()} ${pathTemplate} ${status}`;
      compiled.set(key(method, pathTemplate, status), compileResponse(response, where));
    }
  }
}
const methodNotAllowed = compileResponse({ $ref: "#/components/responses/MethodNotAllowed" }, "405 responses");
const routeNotFound = compileResponse({ $ref: "#/components/responses/NotFound" }, "404 responses");

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

function formatErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((error) => {
      const at = error.instancePath === "" ? "(body)" : error.instancePath;
      const params = Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : "";
      return `  - ${at}: ${error.message ?? "is invalid"}${params}  [schema ${error.schemaPath}]`;
    })
    .join("\n");
}

/** A header's value as its schema sees it: digits are a number (`Grantpath-Revision: 7` is the integer 7). */
function headerValue(text: string): string | number {
  return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

function checkHeaders(entry: CompiledResponse, label: string, headers: Headers): void {
  for (const [name, validate] of entry.headers) {
    const text = headers.get(name);
    if (text === null) throw new Error(`OpenAPI: ${label} documents the header ${name}, but the response has none`);
    if (!validate(headerValue(text))) {
      throw new Error(
        `OpenAPI: the header ${name}: ${text} of ${label} does not match the document:\n${formatErrors(validate.errors)}`,
      );
    }
  }
}

function check(entry: CompiledResponse, label: string, body: unknown, headers?: Headers): void {
  if (headers !== undefined) checkHeaders(entry, label, headers);
  if (entry.validate === null) {
    if (body === undefined || body === null || body === "") return;
    throw new Error(`OpenAPI: ${label} documents no body, but got ${describe(body)}`);
  }
  if (entry.validate(body)) return;
  throw new Error(
    `OpenAPI: the body of ${label} does not match the document:\n${formatErrors(entry.validate.errors)}\nbody: ${describe(body)}`,
  );
}

/**
 * Fails (throws, with every schema violation listed) unless `body` (and, when given, `headers`)
 * is what the document promises for this operation and status. `pathTemplate` is the document's
 * template, e.g. `/v1/organizations/{organization_id}/access/grants/{grant_id}`. A method the
 * path does not list may only answer 405, with the envelope. A body-less response (204) needs
 * `undefined`, `null` or `""`.
 */
export function expectMatchesOpenApi(
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
  headers?: Headers,
): void {
  const upper = method.toUpperCase();
  const label = `${upper} ${pathTemplate} ${status}`;
  const item = OPENAPI_DOCUMENT.paths[pathTemplate];
  if (!item) {
    const known = Object.keys(OPENAPI_DOCUMENT.paths).join("\n  ");
    throw new Error(`OpenAPI: no path ${pathTemplate} in the document; it has:\n  ${known}`);
  }
  const operation = operationOf(pathTemplate, upper);
  if (!operation) {
    if (status !== 405) {
      throw new Error(
        `OpenAPI: ${upper} is not documented on ${pathTemplate}, so it may only answer 405, not ${status}`,
      );
    }
    check(methodNotAllowed, label, body, headers);
    return;
  }
  const entry = compiled.get(key(upper, pathTemplate, String(status)));
  if (!entry) {
    const documented = Object.keys(operation.responses).join(", ");
    throw new Error(
      `OpenAPI: ${label} is not a documented status of ${operation.operationId} (documented: ${documented})`,
    );
  }
  check(entry, `${label} (${operation.operationId})`, body, headers);
}

const templates = Object.keys(OPENAPI_DOCUMENT.paths).map((pathTemplate) => ({
  pathTemplate,
  segments: pathTemplate.split("/").filter((part) => part !== ""),
}));

/**
 * The document's operation for a concrete request path (a path, a path with a query, or a full
 * URL), chosen as the handler routes: a literal segment beats a parameter, so
 * `/access/grants/bulk` is the bulk path, not grant `bulk`. `undefined` when no documented path
 * matches (the handler answers 404); `operationId` is `undefined` when the path matches but
 * not for this method (the handler answers 405).
 */
export function operationFor(method: string, concretePath: string): OperationMatch | undefined {
  const pathname = new URL(concretePath, "http://localhost").pathname;
  let segments: string[];
  try {
    segments = pathname
      .split("/")
      .filter((part) => part !== "")
      .map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
  let best: { pathTemplate: string; params: Record<string, string>; literals: number } | undefined;
  for (const { pathTemplate, segments: parts } of templates) {
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const fits = parts.every((part, i) => {
      const segment = segments[i] as string;
      if (part.startsWith("{") && part.endsWith("}")) {
        params[part.slice(1, -1)] = segment;
        return true;
      }
      literals++;
      return part === segment;
    });
    if (fits && (best === undefined || literals > best.literals)) best = { pathTemplate, params, literals };
  }
  if (!best) return undefined;
  const upper = method.toUpperCase();
  return {
    method: upper,
    pathTemplate: best.pathTemplate,
    operationId: operationOf(best.pathTemplate, upper)?.operationId,
    params: best.params,
  };
}

/**
 * {@link expectMatchesOpenApi} for a concrete path (or URL): maps it with {@link operationFor};
 * a path the document does not have must have answered 404 with the envelope.
 */
export function expectResponseMatchesOpenApi(
  method: string,
  concretePath: string,
  status: number,
  body: unknown,
  headers?: Headers,
): void {
  const match = operationFor(method, concretePath);
  if (match) {
    expectMatchesOpenApi(method, match.pathTemplate, status, body, headers);
    return;
  }
  const label = `${method.toUpperCase()} ${concretePath} ${status} (no such route)`;
  if (status !== 404) throw new Error(`OpenAPI: ${label}: an undocumented path may only answer 404`);
  check(routeNotFound, label, body, headers);
}
