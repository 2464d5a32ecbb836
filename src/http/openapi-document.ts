/**
 * The OpenAPI 3.1 document of the REST API (SPEC sections 6, 8 and 9): every route, parameter,
 * body, status, header and schema the handler answers with. `GET /openapi.json` serves it, and the
 * repository keeps it as `openapi.json` (regenerate with `npx tsx scripts/write-openapi.ts`).
 * @module
 */
import { DEFAULT_ACCESS_PAGE_LIMIT, MAX_ACCESS_PAGE_LIMIT } from "../core/query-arguments.js";
import {
  DEFAULT_CHANGES_LIMIT,
  DEFAULT_LIMIT,
  IMMUTABLE_GRANT_FIELDS,
  MAX_BULK_GRANTS,
  MAX_CHANGES_LIMIT,
  MAX_LIMIT,
} from "../service/service-input.js";
import { ACCESS_PAGE_SCHEMAS, accessPageParameters, wholeOrPage } from "./openapi-access-pages.js";
import { CHANGE_LOG_SCHEMAS } from "./openapi-change-log.js";
import { ACCESS_CHECK_EXAMPLE, BULK_CHECK_EXAMPLE, CHECK_REQUEST_BODIES, CHECK_SCHEMAS } from "./openapi-checks.js";
import {
  anyIdSchema,
  ENTITY_ID_BY_TYPE,
  GRANTEE_ID_BY_TYPE,
  headerRef,
  idMatchesType,
  idSchema,
  NULL,
  nullable,
  parameterRef,
  requestBodyRef,
  responseRef,
  schemaRef,
} from "./openapi-helpers.js";
import { MIN_REVISION_PARAMETER, REVISION_HEADER } from "./revisions.js";

/**
 * A JSON value, read-only all the way down.
 *
 * @example
 * ```ts
 * const value: JsonValue = { type: "string", enum: ["read", "write", "admin"] };
 * ```
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/**
 * A JSON object, read-only all the way down.
 *
 * @example
 * ```ts
 * const schema: JsonObject = { $ref: "#/components/schemas/Grant" };
 * ```
 */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * The HTTP methods the document describes, as OpenAPI path items name them.
 *
 * @example
 * ```ts
 * const method: OpenApiMethod = "patch";
 * ```
 */
export type OpenApiMethod = "get" | "head" | "post" | "patch" | "delete";

/**
 * One operation of the document.
 *
 * @example
 * ```ts
 * const operation: OpenApiOperation | undefined = OPENAPI_DOCUMENT.paths["/openapi.json"]?.get;
 * ```
 */
export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** Present only where it differs from the document's (bearer authentication). */
  readonly security?: readonly JsonObject[];
  readonly parameters?: readonly JsonObject[];
  readonly requestBody?: JsonObject;
  /** Response objects (or `$ref`s to `#/components/responses/…`) by status code. */
  readonly responses: Readonly<Record<string, JsonObject>>;
}

/**
 * One path of the document: its shared parameters and its operations by method.
 *
 * @example
 * ```ts
 * const item: OpenApiPathItem | undefined = OPENAPI_DOCUMENT.paths["/v1/organizations/{organization_id}/access/grants"];
 * item?.post?.operationId; // "createGrant"
 * ```
 */
export type OpenApiPathItem = {
  readonly summary?: string;
  readonly description?: string;
  readonly parameters?: readonly JsonObject[];
} & { readonly [M in OpenApiMethod]?: OpenApiOperation };

/**
 * The shape of {@link OPENAPI_DOCUMENT}: an OpenAPI 3.1 document.
 *
 * @example
 * ```ts
 * const doc: OpenApiDocument = OPENAPI_DOCUMENT;
 * Object.keys(doc.components.schemas); // ["OrganizationId", …, "Grant", "GrantList", …]
 * ```
 */
export interface OpenApiDocument {
  readonly openapi: "3.1.0";
  readonly jsonSchemaDialect: string;
  readonly info: JsonObject;
  readonly tags: readonly JsonObject[];
  readonly security: readonly JsonObject[];
  readonly paths: Readonly<Record<string, OpenApiPathItem>>;
  readonly components: {
    readonly securitySchemes: Readonly<Record<string, JsonObject>>;
    readonly parameters: Readonly<Record<string, JsonObject>>;
    readonly headers: Readonly<Record<string, JsonObject>>;
    readonly requestBodies: Readonly<Record<string, JsonObject>>;
    readonly responses: Readonly<Record<string, JsonObject>>;
    readonly schemas: Readonly<Record<string, JsonObject>>;
  };
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** A `GrantPath` rule: a path of this `type` carries exactly these ids. */
function pathRule(type: string, department: JsonObject, role: JsonObject, composite: JsonObject): JsonObject {
  return {
    if: { type: "object", properties: { type: { const: type } }, required: ["type"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
    then: {
      type: "object",
      properties: { department_id: department, role_id: role, composite_id: composite },
    },
  };
}

const SEED_GRANT: JsonObject = {
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

const SEED_RESOLVED_ACCESS: JsonObject = {
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
          grant_id: "agrant_abc123def456",
        },
        {
          type: "department",
          access_level: "write",
          department_id: "dept_eng01",
          role_id: null,
          composite_id: null,
          grant_id: "agrant_dept01",
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
          grant_id: "agrant_role01",
        },
      ],
    },
  ],
};

function errorExample(
  code: string,
  status: number,
  message: string,
  systemMessage: string,
  details: JsonObject,
): JsonObject {
  return {
    success: false,
    error: {
      code,
      message,
      system_message: systemMessage,
      type: status >= 500 ? "server_error" : "client_error",
      status,
      details,
      trace_id: "abc-123-def",
      timestamp: "2025-11-02T08:21:45Z",
    },
  };
}

/** An error response: the envelope, narrowed to this status, these codes and (when given) these details. */
function errorResponse(
  description: string,
  status: number,
  codes: readonly string[],
  example: JsonObject,
  details?: JsonObject,
): JsonObject {
  return {
    description,
    content: {
      "application/json": {
        schema: {
          allOf: [schemaRef("ErrorEnvelope")],
          type: "object",
          properties: {
            error: {
              type: "object",
              properties: {
                code: codes.length === 1 ? { const: codes[0] ?? "" } : { enum: codes },
                status: { const: status },
                type: { const: status >= 500 ? "server_error" : "client_error" },
                ...(details === undefined ? {} : { details: { type: "object", ...details } }),
              },
            },
          },
        },
        example,
      },
    },
  };
}

function jsonContent(schema: JsonObject, example?: JsonValue): JsonObject {
  return { "application/json": example === undefined ? { schema } : { schema, example } };
}

// ---------------------------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------------------------

const SCHEMAS: Readonly<Record<string, JsonObject>> = {
  OrganizationId: idSchema("organization", "An organization id", "org_xyz789"),
  UserId: idSchema("user", "A user id", "usr_def456"),
  DepartmentId: idSchema("department", "A department id", "dept_eng01"),
  RoleId: idSchema("role", "A role id", "role_admin01"),
  GrantId: idSchema("grant", "An access grant id (generated by the service)", "agrant_abc123def456"),
  KnowledgeSliceId: idSchema("knowledge_slice", "A knowledge slice id (composites included)", "kslice_abc123"),
  VectorStoreId: idSchema("vector_store", "A vector store id", "vs_docs01"),
  AssistantId: idSchema("assistant", "An assistant id", "asst_helper01"),
  EntityId: anyIdSchema(
    ["knowledge_slice", "vector_store", "assistant"],
    "An entity id; its prefix must fit the entity type",
    "kslice_abc123",
  ),
  GranteeId: anyIdSchema(
    ["user", "department", "role"],
    "A grantee id; its prefix must fit the grantee type",
    "usr_def456",
  ),
  EntityType: {
    type: "string",
    description: "The kind of entity a grant targets.",
    enum: ["knowledge_slice", "vector_store", "assistant"],
  },
  GranteeType: {
    type: "string",
    description: "The kind of grantee a grant names: `user` (`usr_*`), `department` (`dept_*`) or `role` (`role_*`).",
    enum: ["user", "department", "role"],
  },
  AccessLevel: {
    type: "string",
    description: "Access levels, totally ordered: `read` < `write` < `admin`; a higher level implies the lower ones.",
    enum: ["read", "write", "admin"],
  },
  GrantPathType: {
    type: "string",
    description: "How a grant reaches the user.",
    enum: ["direct", "department", "role", "composite"],
  },
  Timestamp: {
    type: "string",
    format: "date-time",
    description: "An instant the service stamped, in the wire format: UTC, whole seconds.",
    pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$",
    examples: ["2025-06-15T10:00:00Z"],
  },
  IsoDateTime: {
    type: "string",
    description:
      "An ISO-8601 date-time with a time zone, as the service accepts it (seconds and fraction optional), e.g. " +
      "`2026-01-01T00:00:00Z` or `2026-01-01T01:00+01:00`.",
    pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:\\d{2})$",
    examples: ["2026-01-01T00:00:00Z"],
  },
  Grant: {
    type: "object",
    description:
      "An access grant (the seed's grant object). `expires_at` appears when the grant expires; `revoked_at` once it " +
      "has been revoked (revoked grants stay readable by id for audit).",
    additionalProperties: false,
    required: [
      "id",
      "entity_type",
      "entity_id",
      "grantee_type",
      "grantee_id",
      "access_level",
      "granted_by",
      "organization_id",
      "created_at",
      "updated_at",
    ],
    properties: {
      id: schemaRef("GrantId"),
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
      grantee_type: schemaRef("GranteeType"),
      grantee_id: schemaRef("GranteeId"),
      access_level: schemaRef("AccessLevel"),
      granted_by: {
        description: "The user who made the grant; `null` for grants imported without one.",
        anyOf: [schemaRef("UserId"), NULL],
      },
      organization_id: schemaRef("OrganizationId"),
      created_at: schemaRef("Timestamp"),
      updated_at: schemaRef("Timestamp"),
      expires_at: {
        description:
          "From this instant on the grant is inactive, as it was given when the grant was made. Absent when the " +
          "grant does not expire.",
        $ref: "#/components/schemas/IsoDateTime",
      },
      revoked_at: {
        description: "When the grant was revoked. Absent while it is active.",
        $ref: "#/components/schemas/Timestamp",
      },
    },
    allOf: [
      ...idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
      ...idMatchesType("grantee_type", "grantee_id", GRANTEE_ID_BY_TYPE),
    ],
    examples: [SEED_GRANT],
  },
  GrantList: {
    type: "object",
    description: "A page of grants, ordered by `created_at`, then `id`. Revoked grants are never listed.",
    additionalProperties: false,
    required: ["items", "total", "skip", "limit", "has_more"],
    properties: {
      items: { type: "array", maxItems: MAX_LIMIT, items: schemaRef("Grant") },
      total: { type: "integer", minimum: 0, description: "How many grants match in all." },
      skip: { type: "integer", minimum: 0, description: "How many matching grants came before this page." },
      limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT, description: "The page size asked for." },
      has_more: { type: "boolean", description: "Whether more grants follow this page." },
    },
  },
  CreateGrantRequest: {
    type: "object",
    description:
      "The seed's grant fields, plus an optional expiry. Other properties are ignored. The entity id's prefix must " +
      "fit `entity_type`, the grantee id's prefix `grantee_type`.",
    required: ["entity_type", "entity_id", "grantee_type", "grantee_id", "access_level"],
    properties: {
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
      grantee_type: schemaRef("GranteeType"),
      grantee_id: schemaRef("GranteeId"),
      access_level: schemaRef("AccessLevel"),
      expires_at: {
        description: "Optional: from this instant (in the future) the grant is inactive. `null` means no expiry.",
        anyOf: [schemaRef("IsoDateTime"), NULL],
      },
    },
    allOf: [
      ...idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
      ...idMatchesType("grantee_type", "grantee_id", GRANTEE_ID_BY_TYPE),
    ],
  },
  BulkGrantItem: {
    type: "object",
    description: "One grantee of a bulk request. Other properties are ignored.",
    required: ["grantee_type", "grantee_id", "access_level"],
    properties: {
      grantee_type: schemaRef("GranteeType"),
      grantee_id: schemaRef("GranteeId"),
      access_level: schemaRef("AccessLevel"),
      expires_at: {
        description: "Optional: from this instant (in the future) the grant is inactive. `null` means no expiry.",
        anyOf: [schemaRef("IsoDateTime"), NULL],
      },
    },
    allOf: idMatchesType("grantee_type", "grantee_id", GRANTEE_ID_BY_TYPE),
  },
  BulkCreateGrantsRequest: {
    type: "object",
    description: `One entity and 1–${MAX_BULK_GRANTS} grantees, each named at most once. Other properties are ignored.`,
    required: ["entity_type", "entity_id", "grants"],
    properties: {
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
      grants: { type: "array", minItems: 1, maxItems: MAX_BULK_GRANTS, items: schemaRef("BulkGrantItem") },
    },
    allOf: idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
  },
  UpdateGrantRequest: {
    type: "object",
    description:
      "`access_level` is the only field of a grant that can change. Naming any other grant field (`id`, " +
      "`entity_type`, `entity_id`, `grantee_type`, `grantee_id`, `granted_by`, `organization_id`, `created_at`, " +
      "`updated_at`, `revoked_at`, `expires_at`) answers 422; other properties are ignored.",
    required: ["access_level"],
    // `false`: a body naming any of these fields does not match, as the service refuses it.
    properties: {
      access_level: schemaRef("AccessLevel"),
      ...Object.fromEntries(IMMUTABLE_GRANT_FIELDS.map((field) => [field, false])),
    },
  },
  GrantPath: {
    type: "object",
    description:
      "One explanation of why a user reaches an entity: the grant it comes from and how that grant reaches the " +
      "user. `direct` paths carry no ids; `department` paths the grantee department; `role` paths the role; " +
      "`composite` paths the composite the grant is on, plus the department or role the grant reached the user " +
      "through (both `null` for a direct grant).",
    additionalProperties: false,
    required: ["type", "access_level", "department_id", "role_id", "composite_id", "grant_id"],
    properties: {
      type: schemaRef("GrantPathType"),
      access_level: schemaRef("AccessLevel"),
      department_id: nullable("DepartmentId"),
      role_id: nullable("RoleId"),
      composite_id: nullable("KnowledgeSliceId"),
      grant_id: schemaRef("GrantId"),
    },
    allOf: [
      pathRule("direct", NULL, NULL, NULL),
      pathRule("department", schemaRef("DepartmentId"), NULL, NULL),
      pathRule("role", NULL, schemaRef("RoleId"), NULL),
      pathRule("composite", {}, {}, schemaRef("KnowledgeSliceId")),
    ],
  },
  ResolvedEntity: {
    type: "object",
    description: "An entity the user reaches, its effective level (the highest of its paths) and every path.",
    additionalProperties: false,
    required: ["entity_type", "entity_id", "access_level", "grant_paths"],
    properties: {
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
      access_level: schemaRef("AccessLevel"),
      grant_paths: {
        type: "array",
        minItems: 1,
        description:
          "Sorted by type (`direct`, `department`, `role`, `composite`), then level (highest first), then " +
          "`department_id`, `role_id`, `composite_id`, `grant_id` (`null` first).",
        items: schemaRef("GrantPath"),
      },
    },
    allOf: idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
  },
  ResolvedAccess: {
    type: "object",
    description: "The seed's resolved-access object; each grant path also names its `grant_id`.",
    additionalProperties: false,
    required: ["user_id", "entities"],
    properties: {
      user_id: schemaRef("UserId"),
      entities: {
        type: "array",
        description: "Every entity the user reaches, sorted by `entity_type`, then `entity_id`.",
        items: schemaRef("ResolvedEntity"),
      },
    },
    examples: [SEED_RESOLVED_ACCESS],
  },
  UserAccess: {
    type: "object",
    description: "A user who reaches the entity, their effective level and their paths to it.",
    additionalProperties: false,
    required: ["user_id", "access_level", "grant_paths"],
    properties: {
      user_id: schemaRef("UserId"),
      access_level: schemaRef("AccessLevel"),
      grant_paths: { type: "array", minItems: 1, items: schemaRef("GrantPath") },
    },
  },
  UsersWithAccess: {
    type: "object",
    description: "Everyone an active grant reaches on one entity, sorted by `user_id`.",
    additionalProperties: false,
    required: ["entity_type", "entity_id", "users"],
    properties: {
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
      users: { type: "array", items: schemaRef("UserAccess") },
    },
    allOf: idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
  },
  ...ACCESS_PAGE_SCHEMAS,
  ...CHECK_SCHEMAS,
  ...CHANGE_LOG_SCHEMAS,
  ErrorCode: {
    type: "string",
    description:
      "A stable error code: SPEC sections 5 and 8's, `STORAGE_UNAVAILABLE`, and `METHOD_NOT_ALLOWED`, " +
      "`PAYLOAD_TOO_LARGE`, `UNSUPPORTED_MEDIA_TYPE` and `INTERNAL_ERROR`, which only HTTP has.",
    enum: [
      "VALIDATION_ERROR",
      "AUTHENTICATION_REQUIRED",
      "INSUFFICIENT_PERMISSIONS",
      "RESOURCE_NOT_FOUND",
      "RESOURCE_ALREADY_EXISTS",
      "INVALID_GRAPH",
      "VERSION_CONFLICT",
      "CHANGES_EXPIRED",
      "STORAGE_UNAVAILABLE",
      "METHOD_NOT_ALLOWED",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
      "INTERNAL_ERROR",
    ],
  },
  ErrorEnvelope: {
    type: "object",
    description: "The seed's error envelope: every failed request answers with it.",
    additionalProperties: false,
    required: ["success", "error"],
    properties: {
      success: { const: false },
      error: {
        type: "object",
        additionalProperties: false,
        required: ["code", "message", "system_message", "type", "status", "details", "trace_id", "timestamp"],
        properties: {
          code: schemaRef("ErrorCode"),
          message: { type: "string", description: "A message for people." },
          system_message: { type: "string", description: "A terse summary, e.g. `Access grant not found`." },
          type: { type: "string", enum: ["client_error", "server_error"] },
          status: { type: "integer", minimum: 400, maximum: 599, description: "The HTTP status, repeated." },
          details: {
            type: "object",
            description:
              "Which field or resource, and why: `{field, message}` for validation errors (plus `index` for a bulk " +
              "item), e.g. `{grant_id}` for a missing grant; `{}` when there is nothing to add.",
            properties: {
              field: { type: "string" },
              message: { type: "string" },
              index: { type: "integer", minimum: 0 },
            },
          },
          trace_id: { type: "string", minLength: 1, description: "Fresh for every failed request." },
          timestamp: schemaRef("Timestamp"),
        },
      },
    },
  },
};

const SKIP_MAX = 999_999_999_999_999; // the handler reads at most 15 digits as a number

const PARAMETERS: Readonly<Record<string, JsonObject>> = {
  OrganizationIdPath: {
    name: "organization_id",
    in: "path",
    required: true,
    description: "The organization (`org_*`).",
    schema: schemaRef("OrganizationId"),
  },
  GrantIdPath: {
    name: "grant_id",
    in: "path",
    required: true,
    description: "The grant (`agrant_*`).",
    schema: schemaRef("GrantId"),
  },
  SliceIdPath: {
    name: "slice_id",
    in: "path",
    required: true,
    description: "The knowledge slice (`kslice_*`).",
    schema: schemaRef("KnowledgeSliceId"),
  },
  StoreIdPath: {
    name: "store_id",
    in: "path",
    required: true,
    description: "The vector store (`vs_*`).",
    schema: schemaRef("VectorStoreId"),
  },
  AssistantIdPath: {
    name: "assistant_id",
    in: "path",
    required: true,
    description: "The assistant (`asst_*`).",
    schema: schemaRef("AssistantId"),
  },
  UserIdPath: {
    name: "user_id",
    in: "path",
    required: true,
    description: "The user (`usr_*`).",
    schema: schemaRef("UserId"),
  },
  Skip: {
    name: "skip",
    in: "query",
    required: false,
    description: "How many matching grants to skip.",
    schema: { type: "integer", minimum: 0, maximum: SKIP_MAX, default: 0 },
  },
  Limit: {
    name: "limit",
    in: "query",
    required: false,
    description: `The page size, 1–${MAX_LIMIT}.`,
    schema: { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  },
  ...accessPageParameters(SKIP_MAX),
  EntityTypeFilter: {
    name: "entity_type",
    in: "query",
    required: false,
    description: "Only grants on this entity type.",
    schema: schemaRef("EntityType"),
  },
  EntityIdFilter: {
    name: "entity_id",
    in: "query",
    required: false,
    description:
      "Only grants on this entity; its prefix must fit `entity_type` when given. Filtering by an entity needs " +
      "`admin` on it (or ownership); without it the list is for owners only.",
    schema: schemaRef("EntityId"),
  },
  GranteeTypeFilter: {
    name: "grantee_type",
    in: "query",
    required: false,
    description: "Only grants to this grantee type.",
    schema: schemaRef("GranteeType"),
  },
  GranteeIdFilter: {
    name: "grantee_id",
    in: "query",
    required: false,
    description: "Only grants to this grantee; its prefix must fit `grantee_type` when given.",
    schema: schemaRef("GranteeId"),
  },
  ResolvedEntityType: {
    name: "entity_type",
    in: "query",
    required: false,
    description:
      "Only entities of this type (composite paths still count for `knowledge_slice`). Allowed values: " +
      "`knowledge_slice`, `vector_store`, `assistant`.",
    schema: schemaRef("EntityType"),
  },
  EntityTypeRequired: {
    name: "entity_type",
    in: "query",
    required: true,
    description: "The entity's type.",
    schema: schemaRef("EntityType"),
  },
  EntityIdRequired: {
    name: "entity_id",
    in: "query",
    required: true,
    description: "The entity; its prefix must fit `entity_type`.",
    schema: schemaRef("EntityId"),
  },
  MinRevision: {
    name: MIN_REVISION_PARAMETER,
    in: "query",
    required: false,
    description:
      "Answer from this revision or a later one (e.g. a write's `Grantpath-Revision`, to read it on any instance). " +
      "Beyond the organization's current revision: 422 naming `min_revision`.",
    schema: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
  ChangesSince: {
    name: "since",
    in: "query",
    required: false,
    description: "The commits after this revision: 0, or the revision of a snapshot or of the last commit read.",
    schema: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
  },
  ChangesLimit: {
    name: "limit",
    in: "query",
    required: false,
    description: `The most commits to answer, 1–${MAX_CHANGES_LIMIT}.`,
    schema: { type: "integer", minimum: 1, maximum: MAX_CHANGES_LIMIT, default: DEFAULT_CHANGES_LIMIT },
  },
};

const HEADERS: Readonly<Record<string, JsonObject>> = {
  GrantpathRevision: {
    description:
      "The organization's revision this answer reflects: the one a write committed (the current one, when it " +
      "changed nothing), or the one a read was computed on.",
    required: true,
    schema: schemaRef("Revision"),
  },
  RetryAfter: {
    description: "Seconds to wait before retrying.",
    required: true,
    schema: { type: "integer", minimum: 0, examples: [1] },
  },
};

const REQUEST_BODIES: Readonly<Record<string, JsonObject>> = {
  CreateGrant: {
    required: true,
    description: "The grant to create.",
    content: jsonContent(schemaRef("CreateGrantRequest"), {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      grantee_type: "user",
      grantee_id: "usr_def456",
      access_level: "read",
    }),
  },
  BulkCreateGrants: {
    required: true,
    description: "One entity and the grantees to grant it to.",
    content: jsonContent(schemaRef("BulkCreateGrantsRequest"), {
      entity_type: "vector_store",
      entity_id: "vs_docs01",
      grants: [
        { grantee_type: "role", grantee_id: "role_admin01", access_level: "admin" },
        { grantee_type: "department", grantee_id: "dept_eng01", access_level: "read" },
      ],
    }),
  },
  UpdateGrant: {
    required: true,
    description: "The new level.",
    content: jsonContent(schemaRef("UpdateGrantRequest"), { access_level: "write" }),
  },
  ...CHECK_REQUEST_BODIES,
};

const RESPONSES: Readonly<Record<string, JsonObject>> = {
  Unauthorized: errorResponse(
    "The request carries no valid credentials (`Authorization: Bearer …`).",
    401,
    ["AUTHENTICATION_REQUIRED"],
    errorExample("AUTHENTICATION_REQUIRED", 401, "Please log in to continue.", "Authentication required", {}),
  ),
  Forbidden: errorResponse(
    "The acting user may not do this: they lack `admin` on the entity (or are not the user asked about) and are " +
      "not one of the organization's owners.",
    403,
    ["INSUFFICIENT_PERMISSIONS"],
    errorExample(
      "INSUFFICIENT_PERMISSIONS",
      403,
      "You do not have permission to grant access to this entity.",
      "Insufficient permissions",
      { entity_type: "knowledge_slice", entity_id: "kslice_abc123", required_level: "admin" },
    ),
  ),
  NotFound: errorResponse(
    "No such organization or grant (or, outside the documented paths, no such route). `details` names what is " +
      "missing.",
    404,
    ["RESOURCE_NOT_FOUND"],
    errorExample("RESOURCE_NOT_FOUND", 404, "The requested resource was not found.", "Access grant not found", {
      grant_id: "agrant_abc123def456",
    }),
  ),
  MethodNotAllowed: {
    ...errorResponse(
      "Answered for any method a documented path does not list (for `/openapi.json`, anything but GET and HEAD). " +
        "The `Allow` header and `details.allowed_methods` list the methods the path accepts.",
      405,
      ["METHOD_NOT_ALLOWED"],
      errorExample("METHOD_NOT_ALLOWED", 405, "This method is not allowed on this resource.", "Method not allowed", {
        allowed_methods: ["POST", "GET"],
      }),
    ),
    headers: {
      Allow: {
        description: "The methods the path accepts, e.g. `POST, GET`.",
        schema: { type: "string", examples: ["POST, GET"] },
      },
    },
  },
  Conflict: errorResponse(
    "An active grant for this entity and grantee exists (`RESOURCE_ALREADY_EXISTS`, with the existing " +
      "`grant_id`), or a concurrent write won a race too many times (`VERSION_CONFLICT`: retry). Nothing changed.",
    409,
    ["RESOURCE_ALREADY_EXISTS", "VERSION_CONFLICT"],
    errorExample(
      "RESOURCE_ALREADY_EXISTS",
      409,
      "user usr_def456 already has an active grant on kslice_abc123.",
      "Access grant already exists",
      {
        grant_id: "agrant_abc123def456",
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        grantee_type: "user",
        grantee_id: "usr_def456",
      },
    ),
  ),
  VersionConflict: errorResponse(
    "The organization's data kept changing while the request was processed (`VERSION_CONFLICT`): retry.",
    409,
    ["VERSION_CONFLICT"],
    errorExample(
      "VERSION_CONFLICT",
      409,
      "The data changed while the request was processed. Please retry.",
      "Version conflict",
      { organization_id: "org_xyz789" },
    ),
  ),
  PayloadTooLarge: errorResponse(
    "The body is larger than the handler's limit (`maxBodyBytes`, 1 MiB by default). Nothing changed.",
    413,
    ["PAYLOAD_TOO_LARGE"],
    errorExample("PAYLOAD_TOO_LARGE", 413, "The request body is too large.", "Payload too large", {
      max_bytes: 1048576,
    }),
  ),
  UnsupportedMediaType: errorResponse(
    "The body is not declared as JSON (`Content-Type: application/json`). Nothing changed.",
    415,
    ["UNSUPPORTED_MEDIA_TYPE"],
    errorExample(
      "UNSUPPORTED_MEDIA_TYPE",
      415,
      "The request body must be JSON (Content-Type: application/json).",
      "Unsupported media type",
      { content_type: "text/plain" },
    ),
  ),
  ValidationFailed: errorResponse(
    "A path id, query parameter or body field is missing, of the wrong type, outside its allowed values or breaks " +
      "its id format, or the body is not JSON. `details.field` names it (for bulk items also `details.index`). " +
      "Nothing changed.",
    422,
    ["VALIDATION_ERROR"],
    errorExample("VALIDATION_ERROR", 422, "The request contains invalid data.", "Validation error", {
      field: "entity_type",
      message: "entity_type must be one of {'knowledge_slice', 'vector_store', 'assistant'}",
    }),
  ),
  ChangesExpired: errorResponse(
    "The change log no longer reaches back to `since` (`CHANGES_EXPIRED`): load `GET /access/snapshot` and " +
      "follow the log from its revision. `details.oldest_revision` is the oldest commit the log holds.",
    410,
    ["CHANGES_EXPIRED"],
    errorExample(
      "CHANGES_EXPIRED",
      410,
      "The change log no longer reaches back that far. Start again from a snapshot.",
      "Changes expired",
      { organization_id: "org_xyz789", since: 3, oldest_revision: 40 },
    ),
    { required: ["oldest_revision"], properties: { oldest_revision: schemaRef("Revision") } },
  ),
  InternalError: errorResponse(
    "Something unexpected failed, such as an organization whose stored data fails validation; the answer " +
      "reveals no internals and says the same to every caller (the embedding service's `onError` hook gets the error).",
    500,
    ["INTERNAL_ERROR"],
    errorExample(
      "INTERNAL_ERROR",
      500,
      "Something went wrong on our side. Please try again later.",
      "Internal server error",
      {},
    ),
  ),
  StorageUnavailable: {
    ...errorResponse(
      "The database did not answer in time (`STORAGE_UNAVAILABLE`): retry after `Retry-After` seconds. A write " +
        "that met it may or may not have committed.",
      503,
      ["STORAGE_UNAVAILABLE"],
      errorExample(
        "STORAGE_UNAVAILABLE",
        503,
        "The service cannot reach its database right now. Please retry shortly.",
        "Storage unavailable",
        {},
      ),
    ),
    headers: { "Retry-After": headerRef("RetryAfter") },
  },
};

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

interface OperationSpec {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly tag: string;
  readonly parameters?: readonly string[];
  readonly requestBody?: string;
  readonly success: readonly [status: string, response: JsonObject];
  /** Whether a create can conflict with an existing grant (else 409 is only a version conflict). */
  readonly creates?: boolean;
  /** A read: it takes `min_revision` and never answers 409 (SPEC section 8). */
  readonly read?: boolean;
  /** Whether the whole request can be refused (403); a bulk check refuses item by item instead. */
  readonly forbids?: boolean;
  /** Failures only this operation answers, by status. */
  readonly failures?: Readonly<Record<string, JsonObject>>;
}

function operation(spec: OperationSpec): OpenApiOperation {
  const [status, success] = spec.success;
  const hasBody = spec.requestBody !== undefined;
  const read = spec.read === true;
  // Integer-like keys: the statuses list in numeric order whatever the order here.
  const responses: Record<string, JsonObject> = {
    [status]: { ...success, headers: { [REVISION_HEADER]: headerRef("GrantpathRevision") } },
    "401": responseRef("Unauthorized"),
    ...(spec.forbids === false ? {} : { "403": responseRef("Forbidden") }),
    "404": responseRef("NotFound"),
    ...(read ? {} : { "409": responseRef(spec.creates === true ? "Conflict" : "VersionConflict") }),
    ...spec.failures,
    ...(hasBody ? { "413": responseRef("PayloadTooLarge"), "415": responseRef("UnsupportedMediaType") } : {}),
    "422": responseRef("ValidationFailed"),
    "500": responseRef("InternalError"),
    "503": responseRef("StorageUnavailable"),
  };
  const parameters = [...(spec.parameters ?? []), ...(read ? ["MinRevision"] : [])];
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: [spec.tag],
    ...(parameters.length === 0 ? {} : { parameters: parameters.map(parameterRef) }),
    ...(spec.requestBody === undefined ? {} : { requestBody: requestBodyRef(spec.requestBody) }),
    responses,
  };
}

const ORG = "/v1/organizations/{organization_id}";
const ORG_PARAMETERS: readonly JsonObject[] = [parameterRef("OrganizationIdPath")];

const grantResponse = (description: string): JsonObject => ({
  description,
  content: jsonContent(schemaRef("Grant"), SEED_GRANT),
});
const grantListResponse: JsonObject = {
  description: "A page of grants.",
  content: jsonContent(schemaRef("GrantList"), { items: [SEED_GRANT], total: 1, skip: 0, limit: 20, has_more: false }),
};
const entityGrants = (what: string, idParameter: string, operationId: string): OpenApiPathItem => ({
  parameters: [...ORG_PARAMETERS, parameterRef(idParameter)],
  get: operation({
    operationId,
    summary: `List the grants on ${what}`,
    description: `The active grants on ${what}, paginated. Needs \`admin\` on it, or being an owner.`,
    tag: "Access grants",
    parameters: ["Skip", "Limit"],
    success: ["200", grantListResponse],
    read: true,
  }),
});

const PATHS: Readonly<Record<string, OpenApiPathItem>> = {
  "/openapi.json": {
    get: {
      operationId: "getOpenApiDocument",
      summary: "This document",
      description: "The OpenAPI 3.1 document of this API. Needs no credentials.",
      tags: ["Meta"],
      security: [],
      responses: {
        "200": {
          description: "The OpenAPI document.",
          content: jsonContent({
            type: "object",
            required: ["openapi", "info", "paths"],
            properties: { openapi: { const: "3.1.0" }, info: { type: "object" }, paths: { type: "object" } },
          }),
        },
      },
    },
    head: {
      operationId: "headOpenApiDocument",
      summary: "This document's headers",
      description: "As `GET /openapi.json`, without the body.",
      tags: ["Meta"],
      security: [],
      responses: { "200": { description: "The document's headers." } },
    },
  },
  [`${ORG}/access/grants`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "createGrant",
      summary: "Create an access grant",
      description:
        "Gives a user, department or role access to an entity at a level. Needs `admin` on the entity, or being an " +
        "owner. At most one active grant exists per entity and grantee: a second is a 409 (change the level with " +
        "PATCH instead).",
      tag: "Access grants",
      requestBody: "CreateGrant",
      success: ["201", grantResponse("The newly created grant.")],
      creates: true,
    }),
    get: operation({
      operationId: "listGrants",
      summary: "List access grants",
      description:
        "The organization's active grants, filtered and paginated. Filtered by an entity it needs `admin` on that " +
        "entity; otherwise it is for owners only.",
      tag: "Access grants",
      parameters: ["EntityTypeFilter", "EntityIdFilter", "GranteeTypeFilter", "GranteeIdFilter", "Skip", "Limit"],
      success: ["200", grantListResponse],
      read: true,
    }),
  },
  [`${ORG}/access/grants/bulk`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "bulkCreateGrants",
      summary: "Create grants for many grantees on one entity",
      description:
        "All or nothing: when any grantee fails (invalid, already granted, named twice), no grant is created. Needs " +
        "`admin` on the entity, or being an owner.",
      tag: "Access grants",
      requestBody: "BulkCreateGrants",
      success: [
        "201",
        {
          description: "The created grants, in the order of the request's `grants`.",
          content: jsonContent({ type: "array", minItems: 1, maxItems: MAX_BULK_GRANTS, items: schemaRef("Grant") }, [
            SEED_GRANT,
          ]),
        },
      ],
      creates: true,
    }),
  },
  [`${ORG}/access/grants/{grant_id}`]: {
    parameters: [...ORG_PARAMETERS, parameterRef("GrantIdPath")],
    get: operation({
      operationId: "getGrant",
      summary: "Get an access grant",
      description:
        "One grant by id, revoked ones included (with `revoked_at`). Needs `admin` on its entity, or being an owner.",
      tag: "Access grants",
      success: ["200", grantResponse("The grant.")],
      read: true,
    }),
    patch: operation({
      operationId: "updateGrant",
      summary: "Change a grant's access level",
      description:
        "`access_level` is the only field that can change. A revoked grant cannot be changed (404). Needs `admin` on " +
        "its entity, or being an owner.",
      tag: "Access grants",
      requestBody: "UpdateGrant",
      success: ["200", grantResponse("The updated grant.")],
    }),
    delete: operation({
      operationId: "revokeGrant",
      summary: "Revoke an access grant",
      description:
        "A soft delete: the grant stays readable by id with `revoked_at`, but no longer resolves, lists or " +
        "conflicts. A revoked grant cannot be revoked again (404). Needs `admin` on its entity, or being an owner.",
      tag: "Access grants",
      success: ["204", { description: "Revoked; no body." }],
    }),
  },
  [`${ORG}/knowledge/slices/{slice_id}/grants`]: entityGrants("a knowledge slice", "SliceIdPath", "listSliceGrants"),
  [`${ORG}/vector-stores/{store_id}/grants`]: entityGrants("a vector store", "StoreIdPath", "listVectorStoreGrants"),
  [`${ORG}/assistants/{assistant_id}/grants`]: entityGrants("an assistant", "AssistantIdPath", "listAssistantGrants"),
  [`${ORG}/users/{user_id}/resolved-access`]: {
    parameters: [...ORG_PARAMETERS, parameterRef("UserIdPath")],
    get: operation({
      operationId: "getResolvedAccess",
      summary: "Get a user's resolved access",
      description:
        "Every entity the user reaches through direct, department, role and composite-slice grants, with the " +
        "highest effective level and the grant paths that explain it. Readable by that user and by owners. With " +
        "`skip` or `limit`, one page of the entities (`ResolvedAccessPage`), which costs about what the page " +
        "holds plus one pass over the ids the user reaches; without them, the whole answer (the seed's shape).",
      tag: "Resolution",
      parameters: ["ResolvedEntityType", "AccessSkip", "AccessLimit"],
      read: true,
      success: [
        "200",
        {
          description: "The user's resolved access, or one page of it.",
          content: jsonContent(wholeOrPage("ResolvedAccess", "ResolvedAccessPage"), SEED_RESOLVED_ACCESS),
        },
      ],
    }),
  },
  [`${ORG}/access/users-with-access`]: {
    parameters: ORG_PARAMETERS,
    get: operation({
      operationId: "getUsersWithAccess",
      summary: "List the users who reach an entity",
      description:
        "Every user an active grant reaches on the entity, sorted by `user_id`, with their level and paths. Needs " +
        "`admin` on the entity, or being an owner. With `skip` or `limit`, one page of the users " +
        "(`UsersWithAccessPage`); without them, all of them.",
      tag: "Resolution",
      parameters: ["EntityTypeRequired", "EntityIdRequired", "AccessSkip", "AccessLimit"],
      read: true,
      success: [
        "200",
        {
          description: "The users who reach the entity, or one page of them.",
          content: jsonContent(wholeOrPage("UsersWithAccess", "UsersWithAccessPage"), {
            entity_type: "knowledge_slice",
            entity_id: "kslice_abc123",
            users: [
              {
                user_id: "usr_def456",
                access_level: "read",
                grant_paths: [
                  {
                    type: "direct",
                    access_level: "read",
                    department_id: null,
                    role_id: null,
                    composite_id: null,
                    grant_id: "agrant_abc123def456",
                  },
                ],
              },
            ],
          }),
        },
      ],
    }),
  },
  [`${ORG}/access/check`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "checkAccess",
      summary: "Check whether a user may act on an entity",
      description:
        "Whether the user reaches the entity and, with `level`, at least at that level, with the effective level and " +
        "the grant paths resolved access gives for it. A read sent as POST: it changes nothing, takes " +
        "`min_revision`, and answers on the revision in `Grantpath-Revision`. Asked by the user themself, an " +
        "owner, or a user with `admin` on the entity; anyone else gets 403.",
      tag: "Resolution",
      requestBody: "CheckAccess",
      read: true,
      success: [
        "200",
        { description: "The check.", content: jsonContent(schemaRef("AccessCheck"), ACCESS_CHECK_EXAMPLE) },
      ],
    }),
  },
  [`${ORG}/access/check/bulk`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "bulkCheckAccess",
      summary: "Check many users and entities at once",
      description:
        "Up to 100 checks, answered in order on one revision of the organization. Each result is the check, or " +
        "that item's own error (`CheckItemError`): an item with an invalid field, or one the caller may not ask " +
        "(the caller is not that user, an owner, or an admin of the entity), does not fail the others, so the " +
        "request as a whole is never refused for permissions. A body whose `checks` is not a list of 1–100 " +
        "objects is a 422 naming `checks` (or `checks[i]`); an unknown organization is a 404.",
      tag: "Resolution",
      requestBody: "BulkCheckAccess",
      read: true,
      forbids: false,
      success: [
        "200",
        {
          description: "One result per check, in the request's order.",
          content: jsonContent(schemaRef("BulkCheckAccess"), BULK_CHECK_EXAMPLE),
        },
      ],
    }),
  },
  [`${ORG}/access/changes`]: {
    parameters: ORG_PARAMETERS,
    get: operation({
      operationId: "listChanges",
      summary: "Read the change log",
      description:
        "The commits after `since`, oldest first, at most `limit` of them and never part of one, with the " +
        "organization's current revision: a replica started from `GET /access/snapshot` follows the organization " +
        "by applying them. A `since` beyond the current revision is a 422. Owners only.",
      tag: "Change log",
      parameters: ["ChangesSince", "ChangesLimit"],
      success: [
        "200",
        {
          description: "A page of the change log.",
          content: jsonContent(schemaRef("ChangePage"), {
            items: [
              {
                revision: 42,
                committed_at: "2025-06-15T10:00:00Z",
                changes: [{ type: "put_grant", grant: SEED_GRANT }],
              },
            ],
            revision: 42,
            has_more: false,
          }),
        },
      ],
      read: true,
      failures: { "410": responseRef("ChangesExpired") },
    }),
  },
  [`${ORG}/access/snapshot`]: {
    parameters: ORG_PARAMETERS,
    get: operation({
      operationId: "getSnapshot",
      summary: "Get the organization's graph and revision",
      description:
        "The whole graph as plain JSON with the revision it reflects: where a replica starts before it follows " +
        "`GET /access/changes?since=<revision>`. Owners only.",
      tag: "Change log",
      success: [
        "200",
        {
          description: "The organization as of one revision.",
          content: jsonContent(schemaRef("Snapshot"), {
            revision: 42,
            graph: {
              organization_id: "org_xyz789",
              owners: ["usr_owner1"],
              users: [{ id: "usr_def456", department_ids: ["dept_eng01"], role_ids: [] }],
              departments: [{ id: "dept_eng01", parent_id: null }],
              roles: [],
              composites: [],
              grants: [
                {
                  id: "agrant_abc123def456",
                  entity_type: "knowledge_slice",
                  entity_id: "kslice_abc123",
                  grantee_type: "department",
                  grantee_id: "dept_eng01",
                  access_level: "write",
                  organization_id: "org_xyz789",
                  granted_by: "usr_owner1",
                  created_at: "2025-06-15T10:00:00Z",
                  updated_at: "2025-06-15T10:00:00Z",
                },
              ],
            },
          }),
        },
      ],
      read: true,
    }),
  },
};

const DESCRIPTION = `Access grants on knowledge slices, vector stores and assistants, and the access they resolve to.

Every route lives under \`/v1/organizations/{organization_id}\` and needs \`Authorization: Bearer …\`; the embedding
service decides whom a token belongs to. Owners of the organization may do everything in it; otherwise managing or
listing an entity's grants needs \`admin\` on that entity, a user's resolved access is readable by that user, and a
check of a user on an entity may be asked by that user or by an admin of the entity.

Every organization has a revision that grows by one with each committed write. Every 2xx answer about an organization
carries it in \`Grantpath-Revision\`: the revision a write committed, or the one a read was computed on. Every read
(every GET, and the checks, which are POSTs) takes \`min_revision\` and then answers from that revision or a later one,
on any instance; reads never answer 409.

Every failure answers with the error envelope (\`ErrorEnvelope\`), a fresh \`trace_id\` and the current \`timestamp\`.
The handler checks, in order: the route (404 \`RESOURCE_NOT_FOUND\` for an unknown path; 405 \`METHOD_NOT_ALLOWED\`
with an \`Allow\` header for a method the path does not list), the credentials (401), the body (413, 415, 422 when it
is not JSON), then the parameters and fields (422), and last the organization, permissions and data (404, 403, 409,
410). A database that does not answer in time is a 503 \`STORAGE_UNAVAILABLE\` with \`Retry-After\`. A failed write
changes nothing. Lists paginate with \`skip\` (default 0) and \`limit\` (default ${DEFAULT_LIMIT}, 1–${MAX_LIMIT}).
Resolved access and users-with-access answer whole unless \`skip\` or \`limit\` is given; then they answer a page
with the same envelope fields (\`limit\` 1–${MAX_ACCESS_PAGE_LIMIT}, default ${DEFAULT_ACCESS_PAGE_LIMIT}).`;

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The OpenAPI 3.1.0 document of the REST API that `createHttpHandler` serves: every
 * route of SPEC sections 6, 8 and 9 (plus `GET /openapi.json`), bearer authentication, path and
 * query parameters with their formats, bounds and defaults (`min_revision` on every read),
 * request bodies, every status each route can answer, the `Grantpath-Revision` header of every
 * 2xx, and the schemas (`Grant`, `GrantList`, `GrantPath`, `ResolvedAccess`, `UsersWithAccess`,
 * `AccessCheck`, `BulkCheckAccess`, `ChangePage`, `Commit`, `StorageChange`, `Snapshot`, `GraphInput`, `ErrorEnvelope`, …) as
 * JSON Schema 2020-12.
 * Deeply frozen. The handler serves it at `GET /openapi.json`; `openapi.json` in the repository
 * is the same document.
 *
 * @example
 * ```ts
 * import { OPENAPI_DOCUMENT } from "grantpath";
 *
 * OPENAPI_DOCUMENT.openapi; // "3.1.0"
 * OPENAPI_DOCUMENT.paths["/v1/organizations/{organization_id}/access/grants"]?.post?.operationId; // "createGrant"
 * const grantSchema = OPENAPI_DOCUMENT.components.schemas.Grant; // JSON Schema 2020-12
 * const text = JSON.stringify(OPENAPI_DOCUMENT, null, 2); // what `openapi.json` holds
 * ```
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = deepFreeze({
  openapi: "3.1.0",
  jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
  info: {
    title: "grantpath",
    version: "0.1.0",
    summary: "Resolve every entity a user can reach, with the grant paths that explain it.",
    description: DESCRIPTION,
    license: { name: "MIT", identifier: "MIT" },
  },
  tags: [
    { name: "Access grants", description: "Create, list, read, change and revoke access grants." },
    { name: "Resolution", description: "The access grants resolve to." },
    { name: "Change log", description: "Revisions, commits and snapshots: follow an organization from outside." },
    { name: "Meta", description: "This document." },
  ],
  security: [{ bearerAuth: [] }],
  paths: PATHS,
  components: {
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        description: "`Authorization: Bearer <token>`; the embedding service's `authenticate` decides who it is.",
      },
    },
    parameters: PARAMETERS,
    headers: HEADERS,
    requestBodies: REQUEST_BODIES,
    responses: RESPONSES,
    schemas: SCHEMAS,
  },
});
