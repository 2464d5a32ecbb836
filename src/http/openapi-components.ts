/**
 * The OpenAPI document's reusable parameters, headers, request bodies and responses (every error
 * response with its envelope narrowed to its status and codes).
 * @module
 */
import { DEFAULT_CHANGES_LIMIT, DEFAULT_LIMIT, MAX_CHANGES_LIMIT, MAX_LIMIT } from "../service/service-input.js";
import { accessPageParameters } from "./openapi-access-pages.js";
import { CHECK_REQUEST_BODIES } from "./openapi-checks.js";
import { headerRef, schemaRef } from "./openapi-helpers.js";
import type { JsonObject, JsonValue } from "./openapi-types.js";
import { WHAT_IF_REQUEST_BODIES } from "./openapi-what-if.js";
import { MIN_REVISION_PARAMETER } from "./revisions.js";

/** The error envelope as the API answers it: an example for a response. */
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

/** A JSON `content` entry: the schema and, when given, an example. */
export function jsonContent(schema: JsonObject, example?: JsonValue): JsonObject {
  return { "application/json": example === undefined ? { schema } : { schema, example } };
}

const SKIP_MAX = 999_999_999_999_999; // the handler reads at most 15 digits as a number

export const PARAMETERS: Readonly<Record<string, JsonObject>> = {
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
  Include: {
    name: "include",
    in: "query",
    required: false,
    description:
      "Extras the answer carries, a comma-separated list. `validity`: every grant path gains `expires_at`, every " +
      "entity (or user) `valid_until`, and the answer `next_change_at` (`ExpiryInstant`s, or `null` for never). " +
      "Without it the answer keeps its plain shape. Anything else (an empty value too) is a 422 naming `include`.",
    schema: { type: "string", pattern: "^\\s*validity\\s*(?:,\\s*validity\\s*)*$", examples: ["validity"] },
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

export const HEADERS: Readonly<Record<string, JsonObject>> = {
  GrantpathRevision: {
    description:
      "The organization's revision this answer reflects: the one a write committed (the current one, when it " +
      "changed nothing), or the one a read was computed on.",
    required: true,
    schema: schemaRef("Revision"),
  },
  CacheControl: {
    description:
      "`private, max-age=N`: how long the caller may keep this answer. `N` is the handler's `cacheMaxAgeSeconds` " +
      "(default 0: ask again every time, so a revoke is seen at once), lowered so the answer is never kept past " +
      "the first instant it can change by itself (the earliest expiry of a grant in it, its `next_change_at`), " +
      "rounded down. A write can change the answer sooner: keep `cacheMaxAgeSeconds` to what the application can " +
      "afford to see late.",
    required: true,
    schema: { type: "string", pattern: "^private, max-age=\\d+$", examples: ["private, max-age=0"] },
  },
  RetryAfter: {
    description: "Seconds to wait before retrying.",
    required: true,
    schema: { type: "integer", minimum: 0, examples: [1] },
  },
};

export const REQUEST_BODIES: Readonly<Record<string, JsonObject>> = {
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
  ...WHAT_IF_REQUEST_BODIES,
};

export const RESPONSES: Readonly<Record<string, JsonObject>> = {
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
  GrantExists: errorResponse(
    "A `create_grant` of the what-if meets an active grant for that entity and grantee, as the real write would " +
      "(`RESOURCE_ALREADY_EXISTS`, with the existing `grant_id`); `details.index` names the change.",
    409,
    ["RESOURCE_ALREADY_EXISTS"],
    errorExample(
      "RESOURCE_ALREADY_EXISTS",
      409,
      "department dept_eng01 already has an active grant on kslice_abc123.",
      "Access grant already exists",
      {
        grant_id: "agrant_dept01",
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        grantee_type: "department",
        grantee_id: "dept_eng01",
        index: 0,
      },
    ),
    { required: ["index"], properties: { index: { type: "integer", minimum: 0 } } },
  ),
  WhatIfNotFound: errorResponse(
    "No such organization, or a change names a grant (active), department or composite the organization does " +
      "not have, as the real write would find; `details` names it, and `details.index` the change.",
    404,
    ["RESOURCE_NOT_FOUND"],
    errorExample("RESOURCE_NOT_FOUND", 404, "The requested resource was not found.", "Access grant not found", {
      grant_id: "agrant_abc123def456",
      index: 1,
    }),
  ),
  WhatIfInvalid: errorResponse(
    "The body, a query parameter or a change is invalid (`VALIDATION_ERROR`: `details.field` names it, e.g. " +
      "`op`, and `details.index` the change), or a change would make a department or composite cycle " +
      "(`INVALID_GRAPH`, with `details.cycle` and `details.index`), as the real write would refuse it.",
    422,
    ["VALIDATION_ERROR", "INVALID_GRAPH"],
    errorExample("VALIDATION_ERROR", 422, "The request contains invalid data.", "Validation error", {
      field: "op",
      message:
        "op must be one of create_grant, update_grant, revoke_grant, set_user_departments, set_user_roles, " +
        "set_composite_members, move_department",
      index: 0,
    }),
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
