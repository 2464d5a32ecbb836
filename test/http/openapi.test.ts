/**
 * The OpenAPI document: an OpenAPI 3.1.0 document of every route of routes.ts with
 * the statuses the handler gives, schemas that are valid JSON Schema 2020-12 and that the
 * seeds' bodies satisfy, the same as openapi.json in the repository, and the contract helper
 * (test/http/openapi-contract.ts) that the HTTP tests validate responses with.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AccessError, ERROR_CATALOG, type ErrorCode } from "../../src/core/errors.js";
import { ACCESS_LEVELS, ENTITY_TYPES, GRANTEE_TYPES } from "../../src/core/types.js";
import { includeOf, trackCaching } from "../../src/http/cache-control.js";
import { createHttpHandler } from "../../src/http/create-http-handler.js";
import { accessErrorBody } from "../../src/http/error-envelope.js";
import {
  type JsonObject,
  type JsonValue,
  OPENAPI_DOCUMENT,
  type OpenApiMethod,
  type OpenApiOperation,
} from "../../src/http/openapi-document.js";
import { ROUTES } from "../../src/http/routes.js";
import { createAccessControl } from "../../src/service/access-control.js";
import { memoryStorage } from "../../src/storage/memory-storage.js";
import {
  createOpenApiAjv,
  DOC_ID,
  expectMatchesOpenApi,
  expectResponseMatchesOpenApi,
  operationFor,
  rebaseRefs,
} from "./openapi-contract.js";

const root = new URL("../../", import.meta.url);
const ORG = "/v1/organizations/{organization_id}";
const METHODS: readonly OpenApiMethod[] = ["get", "head", "post", "patch", "delete"];
const doc = OPENAPI_DOCUMENT;

// The worked example's bodies, written out as the seeds print them.
const SEED_GRANT = {
  id: "agrant_abc123def456",
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  grantee_type: "user",
  grantee_id: "usr_def456",
  access_level: "read",
  granted_by: "usr_owner1",
  organization_id: "org_xyz789",
  created_at: "2025-06-15T10:00:00Z",
  updated_at: "2025-06-15T10:00:00Z",
};
const SEED_422 = {
  success: false,
  error: {
    code: "VALIDATION_ERROR",
    message: "The request contains invalid data.",
    system_message: "Validation error",
    type: "client_error",
    status: 422,
    details: {
      field: "entity_type",
      message: "entity_type must be one of {'knowledge_slice', 'vector_store', 'assistant'}",
    },
    trace_id: "abc-123-def",
    timestamp: "2025-11-02T08:21:45Z",
  },
};
const SEED_401 = {
  success: false,
  error: {
    code: "AUTHENTICATION_REQUIRED",
    message: "Please log in to continue.",
    system_message: "Authentication required",
    type: "client_error",
    status: 401,
    details: {},
    trace_id: "abc-123-def",
    timestamp: "2025-11-02T08:21:45Z",
  },
};
/** The worked example's resolved access; `withGrantIds` adds the `grant_id` docs/spec.md §3 puts on every path. */
function seedResolvedAccess(withGrantIds: boolean) {
  const id = (grantId: string) => (withGrantIds ? { grant_id: grantId } : {});
  return {
    user_id: "usr_def456",
    entities: [
      {
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        access_level: "write",
        grant_paths: [
          {
            type: "direct",
            access_level: "read",
            department_id: null,
            role_id: null,
            composite_id: null,
            ...id("agrant_1"),
          },
          {
            type: "department",
            access_level: "write",
            department_id: "dept_eng01",
            role_id: null,
            composite_id: null,
            ...id("agrant_2"),
          },
        ],
      },
      {
        entity_type: "knowledge_slice",
        entity_id: "kslice_def456",
        access_level: "admin",
        grant_paths: [
          {
            type: "role",
            access_level: "admin",
            department_id: null,
            role_id: "role_admin01",
            composite_id: null,
            ...id("agrant_3"),
          },
        ],
      },
    ],
  };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows `#/…` references within the document. */
function resolve(value: JsonValue | undefined): JsonValue | undefined {
  if (!isObject(value) || typeof value.$ref !== "string") return value;
  let node: JsonValue | undefined = doc as unknown as JsonObject;
  for (const part of value.$ref.slice(2).split("/")) {
    node = isObject(node) ? node[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  }
  return resolve(node);
}

function operations(): { method: OpenApiMethod; path: string; operation: OpenApiOperation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ method, path, operation }] : [];
    }),
  );
}

function routeTemplate(pattern: readonly string[]): string {
  return `${ORG}/${pattern.join("/")}`;
}

/** Every object node in the document, with its JSON pointer. */
function walk(value: JsonValue, pointer = ""): { pointer: string; node: JsonObject | readonly JsonValue[] }[] {
  if (typeof value !== "object" || value === null) return [];
  const children = Array.isArray(value) ? value.map((child, i) => [String(i), child] as const) : Object.entries(value);
  return [{ pointer, node: value }, ...children.flatMap(([k, child]) => walk(child, `${pointer}/${k}`))];
}

/** A copy with one key set (or removed, for `undefined`). */
function withKey(value: Readonly<Record<string, unknown>>, key: string, to: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...value };
  if (to === undefined) delete copy[key];
  else copy[key] = to;
  return copy;
}

describe("the OpenAPI document's shape", () => {
  it("is OpenAPI 3.1.0 with the base dialect, the package's name and version, and bearer authentication", () => {
    const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { name: string; version: string };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.jsonSchemaDialect).toBe("https://spec.openapis.org/oas/3.1/dialect/base");
    expect(doc.info.title).toBe(pkg.name);
    expect(doc.info.version).toBe(pkg.version);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });

  it("documents every route of routes.ts with its method, plus GET and HEAD /openapi.json, and nothing else", () => {
    const expected = [
      ...ROUTES.map((route) => `${route.method} ${routeTemplate(route.pattern)}`),
      "GET /openapi.json",
      "HEAD /openapi.json",
    ].sort();
    const documented = operations()
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
      .sort();
    expect(documented).toEqual(expected);
    expect(ROUTES.length).toBe(16);
  });

  it("gives every operation a unique operationId, a summary, a description, a tag and responses", () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(doc.tags.map((tag) => tag.name));
    for (const { method, path, operation } of operations()) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.summary, where).not.toBe("");
      expect(operation.description, where).not.toBe("");
      expect(operation.tags.length, where).toBeGreaterThan(0);
      for (const tag of operation.tags) expect(tags.has(tag), `${where}: tag ${tag}`).toBe(true);
      expect(Object.keys(operation.responses).length, where).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(operation.responses)) {
        const resolved = resolve(response);
        expect(status, where).toMatch(/^[1-5]\d\d$/);
        expect(isObject(resolved) && typeof resolved.description === "string", `${where} ${status}`).toBe(true);
      }
    }
  });

  it("lists, for every route, exactly the statuses the handler can answer", () => {
    for (const route of ROUTES) {
      const operation = doc.paths[routeTemplate(route.pattern)]?.[route.method.toLowerCase() as OpenApiMethod];
      // Reads (GETs, and the checks and what-if sent as POST) answer 200 and never a version conflict
      // (docs/spec.md §8); what-if answers the 409 of the grant it would create (docs/spec.md §11);
      // only the change log can have expired (410); a bulk check refuses item by item, never whole (403).
      const read = route.method === "GET" || route.read === true;
      const whatIf = route.pattern.join("/") === "access/what-if";
      const success = read ? "200" : route.method === "POST" ? "201" : route.method === "DELETE" ? "204" : "200";
      const body = route.hasBody ? ["413", "415"] : [];
      const conflicts = read && !whatIf ? [] : ["409"];
      const expired = route.pattern.join("/") === "access/changes" ? ["410"] : [];
      const forbidden = route.pattern.join("/") === "access/check/bulk" ? [] : ["403"];
      const expected = [success, "401", ...forbidden, "404", ...conflicts, ...expired, ...body, "422", "500", "503"];
      expected.sort();
      expect(Object.keys(operation?.responses ?? {}).sort(), `${route.method} ${route.pattern.join("/")}`).toEqual(
        expected,
      );
      // Creates (real or tried) may meet an existing grant; every other 409 is a version conflict, and
      // what-if's never is one (it stores nothing).
      const conflict = JSON.stringify(resolve(operation?.responses["409"]) ?? null);
      const creates = (route.method === "POST" && !read) || whatIf;
      expect(conflict.includes("RESOURCE_ALREADY_EXISTS")).toBe(creates);
      expect(conflict.includes("VERSION_CONFLICT")).toBe(conflicts.length > 0 && !whatIf);
      // Only what-if's writes can make a cycle (INVALID_GRAPH); every other 422 is a validation error.
      expect(JSON.stringify(resolve(operation?.responses["422"])).includes('"INVALID_GRAPH"')).toBe(whatIf);
      expect(operation?.requestBody !== undefined).toBe(route.hasBody);
      expect(operation?.security).toBeUndefined(); // the document's bearer authentication applies
    }
    expect(Object.keys(doc.paths["/openapi.json"]?.get?.responses ?? {})).toEqual(["200"]);
    expect(doc.paths["/openapi.json"]?.get?.security).toEqual([]);
    expect(doc.paths["/openapi.json"]?.head?.security).toEqual([]);
    // 405 belongs to no operation: any method a path does not list gets it, with an Allow header.
    expect(JSON.stringify(doc.components.responses.MethodNotAllowed)).toContain('"const":"METHOD_NOT_ALLOWED"');
    expect(doc.info.description).toEqual(expect.stringContaining("405"));
  });

  it("declares every path parameter, required, with its id pattern", () => {
    const patterns: Record<string, string> = {
      organization_id: "org_",
      grant_id: "agrant_",
      slice_id: "kslice_",
      store_id: "vs_",
      assistant_id: "asst_",
      user_id: "usr_",
    };
    for (const { method, path, operation } of operations()) {
      const item = doc.paths[path];
      const declared = [...(item?.parameters ?? []), ...(operation.parameters ?? [])]
        .map((parameter) => resolve(parameter))
        .filter((parameter): parameter is JsonObject => isObject(parameter) && parameter.in === "path");
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual([...names].sort());
      for (const parameter of declared) {
        expect(parameter.required).toBe(true);
        const schema = resolve(parameter.schema);
        const prefix = patterns[parameter.name as string];
        expect(isObject(schema) && schema.pattern).toBe(`^${prefix}[A-Za-z0-9_-]{1,128}$`);
      }
    }
  });

  it("bounds and defaults skip and limit on every list, and requires the users-with-access query", () => {
    const query = (path: string) =>
      (doc.paths[path]?.get?.parameters ?? [])
        .map((parameter) => resolve(parameter))
        .filter((parameter): parameter is JsonObject => isObject(parameter) && parameter.in === "query");
    for (const path of [
      `${ORG}/access/grants`,
      `${ORG}/knowledge/slices/{slice_id}/grants`,
      `${ORG}/vector-stores/{store_id}/grants`,
      `${ORG}/assistants/{assistant_id}/grants`,
    ]) {
      const byName = new Map(query(path).map((p) => [p.name, p]));
      expect(byName.get("skip")).toMatchObject({
        required: false,
        schema: { type: "integer", minimum: 0, default: 0 },
      });
      expect(byName.get("limit")).toMatchObject({
        required: false,
        schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
      });
    }
    expect(query(`${ORG}/access/grants`).map((p) => p.name)).toEqual([
      "entity_type",
      "entity_id",
      "grantee_type",
      "grantee_id",
      "skip",
      "limit",
      "min_revision",
    ]);
    // The resolution routes page only when asked (test/http/access-pages.test.ts checks their bounds).
    expect(query(`${ORG}/access/users-with-access`).map((p) => [p.name, p.required])).toEqual([
      ["entity_type", true],
      ["entity_id", true],
      ["skip", false],
      ["limit", false],
      ["include", false],
      ["min_revision", false],
    ]);
    expect(query(`${ORG}/users/{user_id}/resolved-access`).map((p) => [p.name, p.required])).toEqual([
      ["entity_type", false],
      ["skip", false],
      ["limit", false],
      ["include", false],
      ["min_revision", false],
    ]);
  });

  it("takes min_revision on every read, and since and limit (1–1000, default 100) on the change log", () => {
    const query = (path: string, method: OpenApiMethod) =>
      (doc.paths[path]?.[method]?.parameters ?? [])
        .map((parameter) => resolve(parameter))
        .filter((parameter): parameter is JsonObject => isObject(parameter) && parameter.in === "query");
    const reads = ROUTES.filter((route) => route.method === "GET" || route.read === true);
    expect(reads.length).toBe(12);
    for (const route of ROUTES) {
      const path = routeTemplate(route.pattern);
      const minRevision = query(path, route.method.toLowerCase() as OpenApiMethod).find(
        (p) => p.name === "min_revision",
      );
      if (!reads.includes(route)) {
        expect(minRevision, `${route.method} ${path}`).toBeUndefined();
        continue;
      }
      expect(minRevision, path).toMatchObject({
        required: false,
        schema: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      });
    }
    expect(query(`${ORG}/access/changes`, "get").map((p) => p.name)).toEqual(["since", "limit", "min_revision"]);
    const [since, limit] = query(`${ORG}/access/changes`, "get");
    expect(since).toMatchObject({ required: false, schema: { type: "integer", minimum: 0, default: 0 } });
    expect(limit).toMatchObject({
      required: false,
      schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
    });
    expect(query(`${ORG}/access/snapshot`, "get").map((p) => p.name)).toEqual(["min_revision"]);
  });

  it("puts Grantpath-Revision on every 2xx about an organization, and Retry-After on every 503", () => {
    for (const { method, path, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const headers = resolve(response) as JsonObject;
        const declared = isObject(headers.headers) ? headers.headers : {};
        const where = `${method} ${path} ${status}`;
        if (status.startsWith("2") && path.startsWith(ORG)) {
          const revision = resolve(declared["Grantpath-Revision"]);
          expect(revision, where).toMatchObject({ required: true, schema: { $ref: "#/components/schemas/Revision" } });
        } else {
          expect(declared["Grantpath-Revision"], where).toBeUndefined();
        }
        if (status === "503") {
          expect(resolve(declared["Retry-After"]), where).toMatchObject({ required: true });
          expect(JSON.stringify(resolve(response))).toContain('"const":"STORAGE_UNAVAILABLE"');
        }
      }
    }
    expect(doc.components.schemas.Revision).toMatchObject({ type: "integer", minimum: 1 });
    const expired = JSON.stringify(resolve(doc.paths[`${ORG}/access/changes`]?.get?.responses["410"]));
    expect(expired).toContain('"const":"CHANGES_EXPIRED"');
    expect(expired).toContain('"required":["oldest_revision"]');
  });

  it("puts Cache-Control on the 200 of exactly the cacheable routes, and include on exactly the resolution routes", () => {
    const ajv = createOpenApiAjv();
    const withInclude = [
      "users/{user_id}/resolved-access",
      "access/users-with-access",
      "access/check",
      "access/check/bulk",
    ];
    for (const route of ROUTES) {
      const where = `${route.method} ${route.pattern.join("/")}`;
      const operation = doc.paths[routeTemplate(route.pattern)]?.[route.method.toLowerCase() as OpenApiMethod];
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        const headers = (resolve(response) as JsonObject).headers;
        const cache = isObject(headers) ? resolve(headers["Cache-Control"]) : undefined;
        if (status === "200" && route.cacheable === true) {
          expect(cache, `${where} ${status}`).toMatchObject({ required: true, schema: { type: "string" } });
        } else {
          expect(cache, `${where} ${status}`).toBeUndefined();
        }
      }
      const include = (operation?.parameters ?? [])
        .map((parameter) => resolve(parameter))
        .find((parameter) => isObject(parameter) && parameter.in === "query" && parameter.name === "include");
      expect(include !== undefined, where).toBe(withInclude.includes(route.pattern.join("/")));
    }
    expect(ROUTES.filter((route) => route.cacheable === true).map((route) => route.pattern.join("/"))).toEqual([
      "users/{user_id}/resolved-access",
      "access/check",
      "access/check/bulk",
    ]);
    // The header's schema holds what the handler writes, and the parameter's what the handler takes.
    const cacheSchema = resolve(doc.components.headers.CacheControl) as JsonObject;
    const validHeader = ajv.compile(rebaseRefs(cacheSchema.schema as JsonObject) as JsonObject);
    const now = new Date("2025-06-15T10:00:00Z");
    for (const [maxAge, next] of [
      [0, null],
      [300, null],
      [300, new Date("2025-06-15T10:01:30.500Z")],
      [300, new Date("2025-06-15T09:00:00Z")],
    ] as const) {
      const tracker = trackCaching(maxAge);
      tracker.onNextChange(next);
      const value = tracker.headers(now)["cache-control"];
      expect(validHeader(value), value).toBe(true);
    }
    expect(validHeader("public, max-age=1")).toBe(false);
    const includeSchema = resolve(doc.components.parameters.Include) as JsonObject;
    const validInclude = ajv.compile(rebaseRefs(includeSchema.schema as JsonObject) as JsonObject);
    for (const value of [
      "validity",
      "validity,validity",
      " validity , validity",
      "",
      ",",
      "validity,",
      "x",
      "VALIDITY",
    ]) {
      let taken = true;
      try {
        includeOf(value);
      } catch {
        taken = false;
      }
      expect(validInclude(value), JSON.stringify(value)).toBe(taken);
    }
  });

  it("uses the library's enums and error codes", () => {
    const enumOf = (name: string) => {
      const schema = doc.components.schemas[name];
      return Array.isArray(schema?.enum) ? [...schema.enum].sort() : [];
    };
    expect(enumOf("EntityType")).toEqual([...ENTITY_TYPES].sort());
    expect(enumOf("GranteeType")).toEqual([...GRANTEE_TYPES].sort());
    expect(enumOf("AccessLevel")).toEqual([...ACCESS_LEVELS].sort());
    expect(enumOf("GrantPathType")).toEqual(["composite", "department", "direct", "role"]);
    const httpOnly = ["METHOD_NOT_ALLOWED", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "INTERNAL_ERROR"];
    // Each library code as the envelope carries it (STORED_DATA_INVALID answers as INTERNAL_ERROR).
    const onTheWire = Object.keys(ERROR_CATALOG).map(
      (code) => accessErrorBody(new AccessError(code as ErrorCode)).code,
    );
    expect(enumOf("ErrorCode")).toEqual([...new Set([...onTheWire, ...httpOnly])].sort());
  });

  it("keeps the Grant schema to the worked example's keys, plus optional expires_at and revoked_at", () => {
    const grant = doc.components.schemas.Grant;
    expect(grant?.additionalProperties).toBe(false);
    expect(grant?.required).toEqual(Object.keys(SEED_GRANT));
    expect(Object.keys(isObject(grant?.properties) ? grant.properties : {}).sort()).toEqual(
      [...Object.keys(SEED_GRANT), "expires_at", "revoked_at"].sort(),
    );
    expect(doc.components.schemas.GrantList?.required).toEqual(["items", "total", "skip", "limit", "has_more"]);
    const envelope = doc.components.schemas.ErrorEnvelope;
    const error = isObject(envelope?.properties) ? envelope.properties.error : undefined;
    expect(isObject(error) && error.required).toEqual(Object.keys(SEED_422.error));
  });

  it("resolves every $ref", () => {
    const refs = walk(doc as unknown as JsonObject).flatMap(({ pointer, node }) =>
      isObject(node as JsonValue) && typeof (node as JsonObject).$ref === "string"
        ? [{ pointer, ref: (node as JsonObject).$ref as string }]
        : [],
    );
    expect(refs.length).toBeGreaterThan(50);
    for (const { pointer, ref } of refs) {
      expect(ref, pointer).toMatch(/^#\/components\//);
      expect(resolve({ $ref: ref }), `${pointer}: ${ref}`).toBeDefined();
    }
  });

  it("is deeply frozen", () => {
    for (const { pointer, node } of walk(doc as unknown as JsonObject)) {
      expect(Object.isFrozen(node), pointer || "(root)").toBe(true);
    }
    expect(() => {
      (doc.components.schemas as Record<string, unknown>).Grant = {};
    }).toThrow(TypeError);
  });

  it("is the same document as openapi.json in the repository (regenerate: npx tsx scripts/write-openapi.ts)", () => {
    const text = readFileSync(fileURLToPath(new URL("openapi.json", root)), "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.startsWith('{\n  "openapi": "3.1.0",')).toBe(true);
    // Key order included: the file is the document, not merely an equivalent one.
    expect(JSON.stringify(JSON.parse(text))).toBe(JSON.stringify(doc));
  });
});

describe("the OpenAPI document's schemas", () => {
  const ajv = createOpenApiAjv();

  it("are valid JSON Schema 2020-12 and compile in strict mode", () => {
    const schemas: { where: string; schema: JsonObject }[] = [
      ...Object.entries(doc.components.schemas).map(([name, schema]) => ({ where: `schemas/${name}`, schema })),
      // Parameters and media types: every `schema` outside components/schemas.
      ...walk(doc as unknown as JsonObject).flatMap(({ pointer, node }) => {
        const schema = isObject(node as JsonValue) ? (node as JsonObject).schema : undefined;
        return isObject(schema) ? [{ where: `${pointer}/schema`, schema }] : [];
      }),
    ];
    expect(schemas.length).toBeGreaterThan(40);
    for (const { where, schema } of schemas) {
      const rebased = rebaseRefs(schema) as JsonObject;
      expect(ajv.validateSchema(rebased), `${where}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      expect(() => ajv.compile(rebased), where).not.toThrow();
    }
  });

  it("hold every example in the document", () => {
    let checked = 0;
    for (const { pointer, node } of walk(doc as unknown as JsonObject)) {
      if (!isObject(node as JsonValue)) continue;
      const object = node as JsonObject;
      const schema = object.schema;
      if ("example" in object && isObject(schema)) {
        const validate = ajv.compile(rebaseRefs(schema) as JsonObject);
        expect(validate(object.example), `${pointer}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        checked++;
      }
      // A media type's named examples (OpenAPI Example Objects).
      if (isObject(object.examples) && isObject(schema)) {
        const validate = ajv.compile(rebaseRefs(schema) as JsonObject);
        for (const [name, example] of Object.entries(object.examples)) {
          const value = isObject(example) ? example.value : undefined;
          expect(validate(value), `${pointer}/examples/${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
          checked++;
        }
      }
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      const examples = schema.examples;
      if (!Array.isArray(examples)) continue;
      const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
      for (const example of examples) {
        expect(validate?.(example), `${name}: ${JSON.stringify(example)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it("take service-stamped instants in the wire format, and expiries as the library accepts them", () => {
    const stamped = ajv.getSchema(`${DOC_ID}#/components/schemas/Timestamp`);
    const given = ajv.getSchema(`${DOC_ID}#/components/schemas/IsoDateTime`);
    expect(stamped?.("2025-06-15T10:00:00Z")).toBe(true);
    for (const bad of [
      "2025-06-15T10:00Z",
      "2025-06-15T10:00:00.000Z",
      "2025-06-15T12:00:00+02:00",
      "2025-02-30T10:00:00Z",
    ]) {
      expect(stamped?.(bad), bad).toBe(false);
    }
    for (const ok of ["2025-06-15T10:00:00Z", "2025-06-15T10:00Z", "2025-06-15T12:00:00.123456789+02:00"]) {
      expect(given?.(ok), ok).toBe(true);
    }
    for (const bad of ["2025-06-15", "2025-06-15T10:00:00", "2025-06-15 10:00:00Z", "yesterday"]) {
      expect(given?.(bad), bad).toBe(false);
    }
  });
});

describe("response bodies against the document", () => {
  const grants = `${ORG}/access/grants`;
  const grant = `${ORG}/access/grants/{grant_id}`;

  it("accepts the worked example's 201 grant and 422 error for POST /access/grants", () => {
    expectMatchesOpenApi("POST", grants, 201, SEED_GRANT);
    expectMatchesOpenApi("post", grants, 422, SEED_422);
  });

  it("accepts the worked example's 401 and resolved access (with grant_id on every path)", () => {
    const path = `${ORG}/users/{user_id}/resolved-access`;
    expectMatchesOpenApi("GET", path, 200, seedResolvedAccess(true));
    expectMatchesOpenApi("GET", path, 200, { user_id: "usr_nobody", entities: [] });
    expectMatchesOpenApi("GET", path, 401, SEED_401);
    expect(() => expectMatchesOpenApi("GET", path, 200, seedResolvedAccess(false))).toThrow(/grant_id/);
  });

  it("accepts a list page, a bulk answer, a revoked expiring grant, users with access and a 204", () => {
    const second = { ...SEED_GRANT, id: "agrant_2", grantee_type: "department", grantee_id: "dept_eng01" };
    expectMatchesOpenApi("GET", grants, 200, {
      items: [SEED_GRANT, second],
      total: 3,
      skip: 0,
      limit: 2,
      has_more: true,
    });
    expectMatchesOpenApi("GET", `${ORG}/assistants/{assistant_id}/grants`, 200, {
      items: [],
      total: 0,
      skip: 40,
      limit: 20,
      has_more: false,
    });
    expectMatchesOpenApi("POST", `${grants}/bulk`, 201, [SEED_GRANT, second]);
    expectMatchesOpenApi("GET", grant, 200, {
      ...SEED_GRANT,
      granted_by: null,
      expires_at: "2026-01-01T00:00:00Z",
      revoked_at: "2025-07-01T09:30:00Z",
    });
    expectMatchesOpenApi("GET", `${ORG}/access/users-with-access`, 200, {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      users: [
        {
          user_id: "usr_def456",
          access_level: "write",
          grant_paths: [
            {
              type: "composite",
              access_level: "write",
              department_id: "dept_eng01",
              role_id: null,
              composite_id: "kslice_comp789",
              grant_id: "agrant_9",
            },
          ],
        },
      ],
    });
    expectMatchesOpenApi("DELETE", grant, 204, undefined);
    expectMatchesOpenApi("DELETE", grant, 204, "");
  });

  it("rejects a grant with an extra key, a missing key, or an id that does not fit its type", () => {
    expect(() => expectMatchesOpenApi("POST", grants, 201, { ...SEED_GRANT, secret: "x" })).toThrow(
      /must NOT have additional properties.*"additionalProperty":"secret"/,
    );
    expect(() => expectMatchesOpenApi("POST", grants, 201, withKey(SEED_GRANT, "granted_by", undefined))).toThrow(
      /must have required property 'granted_by'/,
    );
    expect(() => expectMatchesOpenApi("POST", grants, 201, withKey(SEED_GRANT, "entity_id", "vs_abc123"))).toThrow(
      /\/entity_id: must match pattern "\^kslice_/,
    );
    expect(() => expectMatchesOpenApi("POST", grants, 201, withKey(SEED_GRANT, "access_level", "owner"))).toThrow(
      /\/access_level: must be equal to one of the allowed values/,
    );
    expect(() => expectMatchesOpenApi("GET", grant, 200, withKey(SEED_GRANT, "created_at", "June 15"))).toThrow(
      /\/created_at: must match format "date-time"/,
    );
    expect(() =>
      expectMatchesOpenApi("GET", grant, 200, withKey(SEED_GRANT, "updated_at", "2025-06-15T10:00Z")),
    ).toThrow(/\/updated_at: must match pattern/);
    expectMatchesOpenApi("GET", grant, 200, withKey(SEED_GRANT, "expires_at", "2026-01-01T01:00+01:00"));
  });

  it("accepts the checks' answers and rejects ones that contradict themselves", () => {
    const checkPath = `${ORG}/access/check`;
    const bulkPath = `${ORG}/access/check/bulk`;
    const direct = {
      type: "direct",
      access_level: "write",
      department_id: null,
      role_id: null,
      composite_id: null,
      grant_id: "agrant_1",
    };
    const allowed = { allowed: true, access_level: "write", grant_paths: [direct] };
    const none = { allowed: false, access_level: null, grant_paths: [] };
    const refused = {
      error: {
        code: "INSUFFICIENT_PERMISSIONS",
        message: "You do not have permission to check another user's access to this entity.",
        details: { index: 2, user_id: "usr_x", entity_type: "assistant", entity_id: "asst_1", required_level: "admin" },
      },
    };
    expectMatchesOpenApi("POST", checkPath, 200, allowed);
    expectMatchesOpenApi("POST", checkPath, 200, none);
    expectMatchesOpenApi("POST", checkPath, 200, { ...allowed, allowed: false });
    expectMatchesOpenApi("POST", bulkPath, 200, { results: [allowed, none, refused] });
    // Allowed with nothing reaching, paths without a level, a level without paths.
    for (const bad of [
      { ...none, allowed: true },
      { ...none, grant_paths: [direct] },
      { ...allowed, grant_paths: [] },
      { allowed: true, access_level: "write" },
    ]) {
      expect(() => expectMatchesOpenApi("POST", checkPath, 200, bad), JSON.stringify(bad)).toThrow(/OpenAPI/);
    }
    // An item error is a validation error or a refusal, with its index; a bulk answer is 1–100 results.
    const otherCode = { error: { ...refused.error, code: "RESOURCE_NOT_FOUND" } };
    const noIndex = { error: { ...refused.error, details: { user_id: "usr_x" } } };
    const withStatus = { error: { ...refused.error, status: 403 } };
    for (const bad of [
      { results: [otherCode] },
      { results: [noIndex] },
      { results: [withStatus] },
      { results: [] },
      { results: Array.from({ length: 101 }, () => none) },
      { results: [allowed], revision: 1 },
    ]) {
      expect(() => expectMatchesOpenApi("POST", bulkPath, 200, bad)).toThrow(/OpenAPI/);
    }
  });

  it("accepts validity only all or nothing, suggestions only on a refusal, and what-if's answer", () => {
    const resolvedPath = `${ORG}/users/{user_id}/resolved-access`;
    const whoPath = `${ORG}/access/users-with-access`;
    const checkPath = `${ORG}/access/check`;
    const expiry = "2099-01-01T00:00:00.000Z";
    const plain = seedResolvedAccess(true);
    const [first, second] = plain.entities as [(typeof plain.entities)[0], (typeof plain.entities)[0]];
    const valid = (entity: typeof first, until: string | null, expires: string | null) => ({
      ...entity,
      grant_paths: entity.grant_paths.map((path) => ({ ...path, expires_at: expires })),
      valid_until: until,
    });
    const withValidity = {
      ...plain,
      entities: [valid(first, expiry, expiry), valid(second, null, null)],
      next_change_at: expiry,
    };
    expectMatchesOpenApi("GET", resolvedPath, 200, withValidity);
    expectMatchesOpenApi("GET", resolvedPath, 200, { user_id: "usr_nobody", entities: [], next_change_at: null });
    expectMatchesOpenApi("GET", resolvedPath, 200, {
      ...withValidity,
      entities: withValidity.entities.slice(1),
      total: 2,
      skip: 1,
      limit: 1,
      has_more: false,
    });
    for (const [bad, why] of [
      [
        { ...withValidity, entities: [first, valid(second, null, null)] },
        /entities\/0: must have required property 'valid_until'/,
      ],
      [
        { ...withValidity, entities: [valid(first, expiry, null), { ...second, valid_until: null }] },
        /entities\/1\/grant_paths\/0: must have required property 'expires_at'/,
      ],
      [{ ...withKey(withValidity, "next_change_at", undefined) }, /entities\/0\/valid_until: boolean schema is false/],
      [{ ...withValidity, next_change_at: "2099-01-01T00:00:00Z" }, /\/next_change_at: must match pattern/],
      [{ ...plain, next_change_at: null }, /must have required property 'valid_until'/],
    ] as const) {
      expect(() => expectMatchesOpenApi("GET", resolvedPath, 200, bad), JSON.stringify(bad)).toThrow(why);
    }
    const user = {
      user_id: "usr_ghi789",
      access_level: "write",
      valid_until: expiry,
      grant_paths: [
        {
          type: "department",
          access_level: "write",
          department_id: "dept_backend01",
          role_id: null,
          composite_id: null,
          grant_id: "agrant_store01",
          expires_at: expiry,
        },
      ],
    };
    const who = { entity_type: "vector_store", entity_id: "vs_docs01", users: [user], next_change_at: expiry };
    expectMatchesOpenApi("GET", whoPath, 200, who);
    expectMatchesOpenApi("GET", whoPath, 200, { ...who, total: 1, skip: 0, limit: 100, has_more: false });
    expect(() => expectMatchesOpenApi("GET", whoPath, 200, withKey(who, "next_change_at", undefined))).toThrow(
      /OpenAPI/,
    );
    const suggestion = {
      grantee_type: "department",
      grantee_id: "dept_eng01",
      entity_type: "vector_store",
      entity_id: "vs_docs01",
    };
    const refused = { allowed: false, access_level: null, grant_paths: [], suggestions: [suggestion] };
    expectMatchesOpenApi("POST", checkPath, 200, refused);
    expectMatchesOpenApi("POST", checkPath, 200, { ...refused, valid_until: null, next_change_at: null });
    // Reached, but below the level asked for: refused, with paths, validity and suggestions.
    const below = { allowed: false, access_level: "write", grant_paths: user.grant_paths, suggestions: [suggestion] };
    expectMatchesOpenApi("POST", checkPath, 200, { ...below, valid_until: expiry, next_change_at: expiry });
    const allowed = { ...below, allowed: true, valid_until: expiry, next_change_at: expiry };
    for (const [bad, why] of [
      [allowed, /allOf\/2\/then\/properties\/allowed/], // suggestions when allowed
      [{ ...refused, suggestions: [] }, /\/suggestions: must NOT have fewer than 1 items/],
      [{ ...refused, suggestions: [{ ...suggestion, grantee_id: "role_admin01" }] }, /\/suggestions\/0\/grantee_id/],
      [{ ...refused, valid_until: expiry, next_change_at: expiry }, /\/valid_until: must be null/], // nothing reaches it
      [{ ...refused, valid_until: null }, /allOf\/1\/else\/properties\/valid_until/], // half the validity fields
    ] as const) {
      expect(() => expectMatchesOpenApi("POST", checkPath, 200, bad), JSON.stringify(bad)).toThrow(why);
    }
    const change = {
      user_id: "usr_def456",
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      before: "write",
      after: "read",
    };
    const whatIfPath = `${ORG}/access/what-if`;
    expectMatchesOpenApi("POST", whatIfPath, 200, { revision: 7, changes: [change, { ...change, after: null }] });
    expectMatchesOpenApi("POST", whatIfPath, 200, { revision: 7, changes: [] });
    for (const bad of [
      { revision: 7, changes: [{ ...change, after: "write" }] },
      { revision: 7, changes: [{ ...change, before: null, after: null }] },
      { revision: 7, changes: [withKey(change, "before", undefined)] },
      { changes: [change] },
    ]) {
      expect(() => expectMatchesOpenApi("POST", whatIfPath, 200, bad), JSON.stringify(bad)).toThrow(/OpenAPI/);
    }
  });

  it("rejects malformed pages, paths and envelopes", () => {
    const page = { items: [], total: 0, skip: 0, limit: 101, has_more: false };
    expect(() => expectMatchesOpenApi("GET", grants, 200, page)).toThrow(/\/limit: must be <= 100/);
    expect(() => expectMatchesOpenApi("GET", grants, 200, withKey(page, "has_more", undefined))).toThrow(/has_more/);
    const access = seedResolvedAccess(true);
    const direct = {
      type: "direct",
      access_level: "read",
      department_id: "dept_eng01",
      role_id: null,
      composite_id: null,
      grant_id: "agrant_1",
    };
    const bent = { ...access, entities: [{ ...access.entities[0], grant_paths: [direct] }] };
    expect(() => expectMatchesOpenApi("GET", `${ORG}/users/{user_id}/resolved-access`, 200, bent)).toThrow(
      /department_id/,
    );
    // The right envelope for the wrong status, and envelopes missing or adding fields.
    expect(() => expectMatchesOpenApi("POST", grants, 401, SEED_422)).toThrow(/\/error\/code/);
    expect(() =>
      expectMatchesOpenApi("POST", grants, 422, { ...SEED_422, error: withKey(SEED_422.error, "trace_id", undefined) }),
    ).toThrow(/trace_id/);
    expect(() => expectMatchesOpenApi("POST", grants, 422, { ...SEED_422, success: true })).toThrow(/\/success/);
    expect(() => expectMatchesOpenApi("POST", grants, 422, { ...SEED_422, data: {} })).toThrow(/additional/);
  });

  const changes = `${ORG}/access/changes`;
  const snapshotPath = `${ORG}/access/snapshot`;
  /** One commit of every kind of storage change. */
  const EVERY_CHANGE = [
    { type: "create_organization", owners: ["usr_owner1"] },
    { type: "set_owners", owners: ["usr_owner1", "usr_owner2"] },
    { type: "put_grant", grant: SEED_GRANT },
    { type: "put_grant", grant: { ...SEED_GRANT, revoked_at: "2025-06-16T10:00:00Z" } },
    { type: "put_user", user: { id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] } },
    { type: "put_department", department: { id: "dept_backend01", parent_id: "dept_eng01" } },
    { type: "put_department", department: { id: "dept_eng01", parent_id: null } },
    { type: "delete_department", department_id: "dept_backend01" },
    { type: "put_composite", composite: { id: "kslice_comp789", member_slice_ids: ["kslice_abc123"] } },
  ];
  const page = (items: readonly unknown[]) => ({
    items: [{ revision: 2, committed_at: "2025-06-15T10:00:00Z", changes: items }],
    revision: 2,
    has_more: false,
  });
  const SNAPSHOT = {
    revision: 7,
    graph: {
      organization_id: "org_xyz789",
      owners: ["usr_owner1"],
      users: [{ id: "usr_def456", department_ids: [], role_ids: ["role_admin01"] }],
      departments: [{ id: "dept_eng01", parent_id: null }],
      roles: [{ id: "role_admin01" }],
      composites: [{ id: "kslice_comp789", member_slice_ids: [] }],
      grants: [withKey(withKey(SEED_GRANT, "granted_by", undefined), "created_at", "2025-06-15T12:00:00+02:00")],
    },
  };
  const revisionHeader = (value: string) => new Headers({ "Grantpath-Revision": value });

  it("accepts a change page with every kind of change, and a snapshot", () => {
    expectMatchesOpenApi("GET", changes, 200, page(EVERY_CHANGE));
    expectMatchesOpenApi("GET", changes, 200, { items: [], revision: 1, has_more: false });
    expectMatchesOpenApi("GET", snapshotPath, 200, SNAPSHOT);
  });

  it("rejects unknown changes, changes missing a field, and pages or snapshots without their revision", () => {
    expect(() => expectMatchesOpenApi("GET", changes, 200, page([{ type: "drop_table" }]))).toThrow(/discriminator/);
    const noRoles = { type: "put_user", user: { id: "usr_def456", department_ids: [] } };
    expect(() => expectMatchesOpenApi("GET", changes, 200, page([noRoles]))).toThrow(/role_ids/);
    const orphan = { type: "put_department", department: { id: "dept_eng01" } };
    expect(() => expectMatchesOpenApi("GET", changes, 200, page([orphan]))).toThrow(/parent_id/);
    const bentGrant = { type: "put_grant", grant: withKey(SEED_GRANT, "entity_id", "vs_abc") };
    expect(() => expectMatchesOpenApi("GET", changes, 200, page([bentGrant]))).toThrow(/entity_id/);
    expect(() => expectMatchesOpenApi("GET", changes, 200, withKey(page([]), "revision", undefined))).toThrow(
      /revision/,
    );
    expect(() => expectMatchesOpenApi("GET", changes, 200, withKey(page([]), "revision", 0))).toThrow(/>= 1/);
    expect(() => expectMatchesOpenApi("GET", snapshotPath, 200, withKey(SNAPSHOT, "revision", undefined))).toThrow(
      /revision/,
    );
    const noGrants = { ...SNAPSHOT, graph: withKey(SNAPSHOT.graph, "grants", undefined) };
    expect(() => expectMatchesOpenApi("GET", snapshotPath, 200, noGrants)).toThrow(/grants/);
  });

  it("checks the headers it is given: Grantpath-Revision on a 2xx, Retry-After on a 503", () => {
    expectMatchesOpenApi("POST", grants, 201, SEED_GRANT, revisionHeader("12"));
    expectMatchesOpenApi("DELETE", grant, 204, undefined, revisionHeader("1"));
    expect(() => expectMatchesOpenApi("POST", grants, 201, SEED_GRANT, new Headers())).toThrow(
      /documents the header grantpath-revision, but the response has none/,
    );
    for (const bad of ["0", "-1", "seven", "1.5"]) {
      expect(() => expectMatchesOpenApi("GET", grant, 200, SEED_GRANT, revisionHeader(bad)), bad).toThrow(
        /the header grantpath-revision/,
      );
    }
    // Errors carry no revision, and none is required of them.
    const forbidden = {
      ...SEED_401,
      error: { ...SEED_401.error, code: "INSUFFICIENT_PERMISSIONS", status: 403, system_message: "Forbidden" },
    };
    expectMatchesOpenApi("GET", grant, 403, forbidden, new Headers());
    const unavailable = {
      success: false,
      error: {
        code: "STORAGE_UNAVAILABLE",
        message: "The service cannot reach its database right now. Please retry shortly.",
        system_message: "Storage unavailable",
        type: "server_error",
        status: 503,
        details: {},
        trace_id: "t-1",
        timestamp: "2025-11-02T08:21:45Z",
      },
    };
    expectMatchesOpenApi("GET", grant, 503, unavailable, new Headers({ "Retry-After": "1" }));
    expect(() => expectMatchesOpenApi("GET", grant, 503, unavailable, new Headers())).toThrow(/retry-after/);
    const expired = {
      success: false,
      error: {
        code: "CHANGES_EXPIRED",
        message: "The change log no longer reaches back that far. Start again from a snapshot.",
        system_message: "Changes expired",
        type: "client_error",
        status: 410,
        details: { organization_id: "org_xyz789", since: 0, oldest_revision: 4 },
        trace_id: "t-2",
        timestamp: "2025-11-02T08:21:45Z",
      },
    };
    expectMatchesOpenApi("GET", changes, 410, expired);
    const withoutOldest = { ...expired, error: { ...expired.error, details: { since: 0 } } };
    expect(() => expectMatchesOpenApi("GET", changes, 410, withoutOldest)).toThrow(/oldest_revision/);
    expect(() => expectMatchesOpenApi("GET", grant, 410, expired)).toThrow(/not a documented status/);
  });

  it("rejects undocumented statuses, bodies on 204 and unknown paths, with a readable message", () => {
    expect(() => expectMatchesOpenApi("GET", grants, 413, SEED_422)).toThrow(
      /GET \/v1\/organizations\/\{organization_id\}\/access\/grants 413 is not a documented status of listGrants \(documented: 200, 401/,
    );
    expect(() => expectMatchesOpenApi("DELETE", grant, 204, { ok: true })).toThrow(/documents no body/);
    expect(() => expectMatchesOpenApi("GET", "/v1/nowhere", 200, {})).toThrow(/no path \/v1\/nowhere/);
    expect(() => expectMatchesOpenApi("PUT", grants, 200, {})).toThrow(/PUT is not documented .* may only answer 405/);
  });

  it("accepts 405 for methods a path does not list, and 404 for paths the document does not have", () => {
    const notAllowed = {
      success: false,
      error: {
        code: "METHOD_NOT_ALLOWED",
        message: "This method is not allowed on this resource.",
        system_message: "Method not allowed",
        type: "client_error",
        status: 405,
        details: { allowed_methods: ["POST", "GET"] },
        trace_id: "0b8f2a9e-8f0e-4c43-9a5e-1f2d3c4b5a69",
        timestamp: "2025-11-02T08:21:45Z",
      },
    };
    expectMatchesOpenApi("PUT", grants, 405, notAllowed);
    expectResponseMatchesOpenApi("GET", "/v1/organizations/org_1/access/grants/bulk", 405, notAllowed);
    const notFound = {
      success: false,
      error: {
        code: "RESOURCE_NOT_FOUND",
        message: "No such route.",
        system_message: "Route not found",
        type: "client_error",
        status: 404,
        details: { method: "GET", path: "/v2/things" },
        trace_id: "t-1",
        timestamp: "2025-11-02T08:21:45Z",
      },
    };
    expectResponseMatchesOpenApi("GET", "/v2/things", 404, notFound);
    expect(() => expectResponseMatchesOpenApi("GET", "/v2/things", 200, {})).toThrow(/may only answer 404/);
  });
});

describe("operationFor", () => {
  it("maps concrete paths (and URLs with queries) to the document's templates", () => {
    expect(operationFor("get", "/v1/organizations/org_1/access/grants/agrant_x")).toEqual({
      method: "GET",
      pathTemplate: `${ORG}/access/grants/{grant_id}`,
      operationId: "getGrant",
      params: { organization_id: "org_1", grant_id: "agrant_x" },
    });
    expect(operationFor("POST", "http://127.0.0.1:3000/v1/organizations/org_1/access/grants?x=1")?.operationId).toBe(
      "createGrant",
    );
    expect(operationFor("GET", "/v1/organizations/org_1/knowledge/slices/kslice_a/grants/")?.params).toEqual({
      organization_id: "org_1",
      slice_id: "kslice_a",
    });
    expect(operationFor("GET", "/v1/organizations/org_1/users/usr_%5Fx/resolved-access")?.params.user_id).toBe(
      "usr__x",
    );
    expect(operationFor("HEAD", "/openapi.json")?.operationId).toBe("headOpenApiDocument");
  });

  it("prefers a literal segment to a parameter, as the handler does", () => {
    expect(operationFor("POST", "/v1/organizations/org_1/access/grants/bulk")?.operationId).toBe("bulkCreateGrants");
    expect(operationFor("GET", "/v1/organizations/org_1/access/grants/bulk")).toMatchObject({
      pathTemplate: `${ORG}/access/grants/bulk`,
      operationId: undefined,
    });
    expect(operationFor("GET", "/v1/organizations/org_1/access/users-with-access")?.operationId).toBe(
      "getUsersWithAccess",
    );
  });

  it("finds nothing for paths the document does not have", () => {
    expect(operationFor("GET", "/v1/organizations/org_1/access")).toBeUndefined();
    expect(operationFor("GET", "/v1/organizations/org_1/access/grants/agrant_1/extra")).toBeUndefined();
    expect(operationFor("GET", "/v1/organizations/org_1/users/%E0%A4%A/resolved-access")).toBeUndefined();
  });
});

describe("the handler's answers match the document", () => {
  const OWNER = "usr_owner1";
  const STRANGER = "usr_stranger";
  const tokens = new Map([
    ["owner-token", OWNER],
    ["stranger-token", STRANGER],
  ]);

  async function setup() {
    const storage = memoryStorage();
    const accessControl = createAccessControl({ storage });
    await accessControl.createOrganization("org_xyz789", { owners: [OWNER] });
    const handler = createHttpHandler(accessControl, {
      authenticate: (request) => {
        const user_id = tokens.get(request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "");
        return user_id ? { user_id } : null;
      },
      maxBodyBytes: 4096,
      onError: () => {},
      openapi: OPENAPI_DOCUMENT,
    });
    const seen = new Set<string>();
    const call = async (
      method: string,
      path: string,
      options: { body?: string | object; token?: string | null; contentType?: string } = {},
    ) => {
      const headers: Record<string, string> = {};
      const token = options.token === undefined ? "owner-token" : options.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const body =
        options.body === undefined
          ? undefined
          : typeof options.body === "string"
            ? options.body
            : JSON.stringify(options.body);
      if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
      const response = await handler(
        new Request(`http://127.0.0.1${path}`, { method, headers, ...(body === undefined ? {} : { body }) }),
      );
      const text = await response.text();
      const parsed: unknown = text === "" ? undefined : JSON.parse(text);
      expectResponseMatchesOpenApi(
        method,
        path,
        response.status,
        method === "HEAD" ? undefined : parsed,
        response.headers,
      );
      seen.add(`${operationFor(method, path)?.operationId ?? "none"} ${response.status}`);
      return { status: response.status, body: parsed as Record<string, unknown> };
    };
    return { call, seen, storage, accessControl };
  }

  it("for every route, its success and its errors", async () => {
    const { call, seen, storage, accessControl } = await setup();
    const base = "/v1/organizations/org_xyz789";
    const create = {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      grantee_type: "user",
      grantee_id: "usr_def456",
      access_level: "read",
    };

    expect((await call("GET", "/openapi.json", { token: null })).body).toEqual(JSON.parse(JSON.stringify(doc)));
    expect((await call("HEAD", "/openapi.json", { token: null })).status).toBe(200);
    const created = await call("POST", `${base}/access/grants`, { body: create });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call("POST", `${base}/access/grants`, { body: create })).status).toBe(409);
    expect((await call("POST", `${base}/access/grants`, { body: { ...create, entity_type: "file" } })).status).toBe(
      422,
    );
    expect(
      (
        await call("POST", `${base}/access/grants/bulk`, {
          body: {
            entity_type: "vector_store",
            entity_id: "vs_docs01",
            grants: [
              { grantee_type: "role", grantee_id: "role_admin01", access_level: "admin" },
              {
                grantee_type: "department",
                grantee_id: "dept_eng01",
                access_level: "read",
                expires_at: "2999-01-01T00:00Z",
              },
            ],
          },
        })
      ).status,
    ).toBe(201);
    expect((await call("GET", `${base}/access/grants?limit=1`)).body.has_more).toBe(true);
    expect((await call("GET", `${base}/access/grants?limit=101`)).status).toBe(422);
    expect((await call("GET", `${base}/access/grants?grantee_type=role&grantee_id=role_admin01`)).status).toBe(200);
    expect((await call("GET", `${base}/access/grants`, { token: "stranger-token" })).status).toBe(403);
    expect((await call("GET", `${base}/access/grants/${id}`)).status).toBe(200);
    expect((await call("PATCH", `${base}/access/grants/${id}`, { body: { access_level: "write" } })).status).toBe(200);
    expect((await call("PATCH", `${base}/access/grants/${id}`, { body: { entity_id: "kslice_x" } })).status).toBe(422);
    expect((await call("DELETE", `${base}/access/grants/${id}`)).status).toBe(204);
    expect((await call("GET", `${base}/access/grants/${id}`)).body.revoked_at).toEqual(expect.any(String));
    expect((await call("DELETE", `${base}/access/grants/${id}`)).status).toBe(404);
    expect((await call("PATCH", `${base}/access/grants/agrant_nope`, { body: { access_level: "read" } })).status).toBe(
      404,
    );
    expect((await call("GET", `${base}/knowledge/slices/kslice_abc123/grants`)).status).toBe(200);
    expect((await call("GET", `${base}/knowledge/slices/vs_abc/grants`)).status).toBe(422);
    expect((await call("GET", `${base}/vector-stores/vs_docs01/grants?skip=1`)).status).toBe(200);
    expect((await call("GET", `${base}/assistants/asst_helper01/grants`)).status).toBe(200);
    expect((await call("GET", `${base}/assistants/asst_helper01/grants`, { token: "stranger-token" })).status).toBe(
      403,
    );
    expect((await call("GET", `${base}/users/usr_def456/resolved-access`)).status).toBe(200);
    expect((await call("GET", `${base}/users/usr_def456/resolved-access?entity_type=vector_store`)).status).toBe(200);
    expect((await call("GET", `${base}/users/usr_def456/resolved-access`, { token: "stranger-token" })).status).toBe(
      403,
    );
    const who = await call("GET", `${base}/access/users-with-access?entity_type=vector_store&entity_id=vs_docs01`);
    expect(who.status).toBe(200);
    expect((await call("GET", `${base}/access/users-with-access?entity_type=vector_store`)).status).toBe(422);
    const log = await call("GET", `${base}/access/changes?since=0&limit=2`);
    expect(log.status).toBe(200);
    expect(log.body.has_more).toBe(true);
    expect((await call("GET", `${base}/access/changes?limit=1001`)).status).toBe(422);
    const check = { user_id: "usr_def456", entity_type: "vector_store", entity_id: "vs_docs01", level: "read" };
    const checked = await call("POST", `${base}/access/check`, { body: check });
    // usr_def456 is in neither dept_eng01 nor role_admin01 here: nothing reaches vs_docs01.
    expect(checked.body).toEqual({ allowed: false, access_level: null, grant_paths: [] });
    expect((await call("POST", `${base}/access/check`, { body: check, token: "stranger-token" })).status).toBe(403);
    expect((await call("POST", `${base}/access/check?min_revision=999`, { body: check })).status).toBe(422);
    expect((await call("POST", "/v1/organizations/org_nobody/access/check", { body: check })).status).toBe(404);
    const bulk = await call("POST", `${base}/access/check/bulk`, {
      body: { checks: [check, { ...check, user_id: "usr_stranger" }, { ...check, level: "owner" }] },
      token: "stranger-token",
    });
    expect(bulk.status).toBe(200);
    expect((bulk.body.results as { error?: { code: string } }[]).map((result) => result.error?.code)).toEqual([
      "INSUFFICIENT_PERMISSIONS",
      undefined,
      "VALIDATION_ERROR",
    ]);
    expect((await call("POST", `${base}/access/check/bulk`, { body: { checks: [] } })).status).toBe(422);
    expect((await call("GET", `${base}/access/changes`, { token: "stranger-token" })).status).toBe(403);
    expect((await call("GET", `${base}/access/snapshot?min_revision=1`)).status).toBe(200);
    expect((await call("GET", `${base}/access/snapshot?min_revision=999`)).status).toBe(422);
    expect((await call("GET", `${base}/access/snapshot`, { token: "stranger-token" })).status).toBe(403);
    await storage.trimChanges("org_xyz789", 3);
    expect((await call("GET", `${base}/access/changes?since=1`)).status).toBe(410);

    // docs/spec.md §11. usr_def456 joins dept_eng01, whose grant on vs_docs01 expires in 2999.
    await accessControl.addDepartmentMember("org_xyz789", OWNER, "usr_def456", "dept_eng01");
    await accessControl.createComposite("org_xyz789", OWNER, { id: "kslice_comp789", member_slice_ids: [] });
    const expiry = "2999-01-01T00:00:00.000Z";
    const resolved = await call("GET", `${base}/users/usr_def456/resolved-access?include=validity`);
    expect(resolved.body).toMatchObject({
      entities: [{ entity_id: "vs_docs01", valid_until: expiry, grant_paths: [{ expires_at: expiry }] }],
      next_change_at: expiry,
    });
    const resolvedPage = await call("GET", `${base}/users/usr_def456/resolved-access?include=validity&limit=1`);
    expect(resolvedPage.body).toMatchObject({ next_change_at: expiry, has_more: false });
    expect((await call("GET", `${base}/users/usr_def456/resolved-access?include=all`)).status).toBe(422);
    const whoValid = `${base}/access/users-with-access?entity_type=vector_store&entity_id=vs_docs01&include=validity`;
    expect((await call("GET", whoValid)).body).toMatchObject({
      users: [{ user_id: "usr_def456", valid_until: expiry }],
      next_change_at: expiry,
    });
    expect((await call("GET", `${whoValid}&skip=0`)).body).toMatchObject({ next_change_at: expiry, total: 1 });
    const level = { ...check, level: "admin" };
    const explained = await call("POST", `${base}/access/check?include=validity`, {
      body: { ...level, explain: true },
    });
    expect(explained.body).toMatchObject({ allowed: false, valid_until: expiry, next_change_at: expiry });
    expect(explained.body.suggestions).toEqual([
      { grantee_type: "user", grantee_id: "usr_def456", entity_type: "vector_store", entity_id: "vs_docs01" },
      { grantee_type: "department", grantee_id: "dept_eng01", entity_type: "vector_store", entity_id: "vs_docs01" },
    ]);
    expect((await call("POST", `${base}/access/check`, { body: { ...level, explain: "yes" } })).status).toBe(422);
    const bulkValid = await call("POST", `${base}/access/check/bulk?include=validity`, {
      body: { checks: [check, level, { ...check, entity_type: "assistant", entity_id: "asst_x" }], explain: true },
    });
    expect((bulkValid.body.results as Record<string, unknown>[]).map((result) => "suggestions" in result)).toEqual([
      false,
      true,
      true,
    ]);
    expect((await call("POST", `${base}/access/check/bulk`, { body: { checks: [check], explain: 1 } })).status).toBe(
      422,
    );

    // What-if: its success, and every error the writes it tries can meet.
    const whatIf = `${base}/access/what-if`;
    const tried = await call("POST", whatIf, {
      body: { changes: [{ op: "set_user_roles", user_id: "usr_def456", role_ids: ["role_admin01"] }] },
    });
    expect(tried.body).toMatchObject({
      changes: [
        { user_id: "usr_def456", entity_type: "vector_store", entity_id: "vs_docs01", before: "read", after: "admin" },
      ],
    });
    const revoke = { changes: [{ op: "revoke_grant", grant_id: "agrant_nope" }] };
    expect((await call("POST", whatIf, { body: revoke, token: null })).status).toBe(401);
    expect((await call("POST", whatIf, { body: revoke, token: "stranger-token" })).status).toBe(403);
    expect((await call("POST", whatIf, { body: revoke })).status).toBe(404);
    expect((await call("POST", "/v1/organizations/org_nobody/access/what-if", { body: revoke })).status).toBe(404);
    const moveUnknown = { op: "move_department", department_id: "dept_nope", parent_id: null };
    expect((await call("POST", whatIf, { body: { changes: [moveUnknown] } })).status).toBe(404);
    const duplicate = {
      op: "create_grant",
      grant: {
        entity_type: "vector_store",
        entity_id: "vs_docs01",
        grantee_type: "role",
        grantee_id: "role_admin01",
        access_level: "read",
      },
    };
    const conflict = await call("POST", whatIf, { body: { changes: [duplicate] } });
    expect(conflict.status).toBe(409);
    expect((conflict.body.error as { details: object }).details).toMatchObject({ index: 0 });
    const cycle = { op: "set_composite_members", composite_id: "kslice_comp789", member_slice_ids: ["kslice_comp789"] };
    // The first change meets its error first: that grant is revoked already.
    const revokedAgain = await call("POST", whatIf, {
      body: { changes: [{ op: "revoke_grant", grant_id: id }, cycle] },
    });
    expect(revokedAgain.status).toBe(404);
    const cyclic = await call("POST", whatIf, { body: { changes: [cycle] } });
    expect((cyclic.body.error as { code: string }).code).toBe("INVALID_GRAPH");
    expect((await call("POST", whatIf, { body: { changes: [{ op: "drop" }] } })).status).toBe(422);
    expect((await call("POST", whatIf, { body: { changes: [] } })).status).toBe(422);
    expect((await call("POST", `${whatIf}?min_revision=999`, { body: revoke })).status).toBe(422);
    expect((await call("POST", whatIf, { body: JSON.stringify(revoke), contentType: "text/plain" })).status).toBe(415);
    expect((await call("POST", whatIf, { body: "x".repeat(5000) })).status).toBe(413);
    const documented = Object.keys(doc.paths[`${ORG}/access/what-if`]?.post?.responses ?? {});
    const provoked = documented.filter((status) => seen.has(`whatIf ${status}`));
    // Every status but a failure of the server or its database.
    expect(provoked).toEqual(documented.filter((status) => status !== "500" && status !== "503"));

    // The HTTP-level failures.
    expect((await call("GET", `${base}/access/grants`, { token: null })).status).toBe(401);
    expect((await call("GET", `${base}/access/grants`, { token: "wrong" })).status).toBe(401);
    expect((await call("GET", "/v1/organizations/org_nobody/access/grants")).status).toBe(404);
    expect((await call("GET", `${base}/nothing/here`)).status).toBe(404);
    expect((await call("PUT", `${base}/access/grants`, { body: create })).status).toBe(405);
    expect((await call("GET", `${base}/access/grants/bulk`)).status).toBe(405);
    expect((await call("POST", "/openapi.json", { body: {} })).status).toBe(405);
    expect(
      (
        await call("POST", `${base}/access/grants`, {
          body: JSON.stringify({ entity_type: "assistant" }),
          contentType: "text/plain",
        })
      ).status,
    ).toBe(415);
    expect((await call("POST", `${base}/access/grants`, { body: "x".repeat(5000) })).status).toBe(413);
    expect((await call("POST", `${base}/access/grants/bulk`, { body: "{not json" })).status).toBe(422);

    // Every route was seen answering its success status.
    for (const operationId of [
      "createGrant 201",
      "bulkCreateGrants 201",
      "listGrants 200",
      "getGrant 200",
      "updateGrant 200",
      "revokeGrant 204",
      "listSliceGrants 200",
      "listVectorStoreGrants 200",
      "listAssistantGrants 200",
      "getResolvedAccess 200",
      "getUsersWithAccess 200",
      "checkAccess 200",
      "bulkCheckAccess 200",
      "listChanges 200",
      "listChanges 410",
      "getSnapshot 200",
      "getOpenApiDocument 200",
      "whatIf 200",
    ]) {
      expect(seen.has(operationId), operationId).toBe(true);
    }
  });
});
