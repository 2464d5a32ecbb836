/**
 * The OpenAPI pieces of the checks (docs/spec.md §9): the bodies of `POST /access/check` and
 * `POST /access/check/bulk`, and what they answer — the core's `AccessCheck`, and for the bulk
 * route one result per item, each a check or that item's own error. `openapi-document.ts` puts
 * these among its components and describes the two operations.
 * @module
 */
import { MAX_BULK_CHECKS } from "../service/service-input.js";
import { ENTITY_ID_BY_TYPE, idMatchesType, NULL, schemaRef } from "./openapi-helpers.js";
import type { JsonObject } from "./openapi-types.js";

/** The codes a bulk item's own error can carry: it is malformed, or not the caller's to ask. */
const ITEM_ERROR_CODES = ["VALIDATION_ERROR", "INSUFFICIENT_PERMISSIONS"] as const;

const CHECK_REQUEST_EXAMPLE: JsonObject = {
  user_id: "usr_def456",
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  level: "write",
};

/** The user of docs/spec.md §10's worked example writes kslice_abc123 through dept_eng01 and reads it directly. */
export const ACCESS_CHECK_EXAMPLE: JsonObject = {
  allowed: true,
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
};

/** Three checks: allowed, denied (no path), and one the caller may not ask. */
export const BULK_CHECK_EXAMPLE: JsonObject = {
  results: [
    ACCESS_CHECK_EXAMPLE,
    { allowed: false, access_level: null, grant_paths: [] },
    {
      error: {
        code: "INSUFFICIENT_PERMISSIONS",
        message: "You do not have permission to check another user's access to this entity.",
        details: {
          index: 2,
          user_id: "usr_ghi789",
          entity_type: "vector_store",
          entity_id: "vs_docs01",
          required_level: "admin",
        },
      },
    },
  ],
};

/** `AccessCheck`, `CheckAccessRequest`, `BulkCheckAccessRequest`, `CheckItemError` and `BulkCheckAccess`. */
export const CHECK_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  AccessCheck: {
    type: "object",
    description:
      "Whether the user may act on the entity: `allowed` when some path reaches it and, when a `level` was asked " +
      "for, `access_level` is at least that level. `access_level` and `grant_paths` are what resolved access " +
      "gives for that entity (`null` and `[]` when nothing reaches it).",
    additionalProperties: false,
    required: ["allowed", "access_level", "grant_paths"],
    properties: {
      allowed: { type: "boolean" },
      access_level: { anyOf: [schemaRef("AccessLevel"), NULL] },
      grant_paths: {
        type: "array",
        description: "In resolved access's order: type, then level (highest first), then the ids.",
        items: schemaRef("GrantPath"),
      },
    },
    // Nothing reaches it: not allowed, and no path; something does: at least one path.
    if: { type: "object", properties: { access_level: NULL }, required: ["access_level"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
    then: { type: "object", properties: { allowed: { const: false }, grant_paths: { type: "array", maxItems: 0 } } },
    else: { type: "object", properties: { grant_paths: { type: "array", minItems: 1 } } },
    examples: [ACCESS_CHECK_EXAMPLE],
  },
  CheckAccessRequest: {
    type: "object",
    description:
      "One check: the user, the entity and, optionally, the level needed (without it, or `null`, any path " +
      "allows). The entity id's prefix must fit `entity_type`. Other properties are ignored.",
    required: ["user_id", "entity_type", "entity_id"],
    properties: {
      user_id: schemaRef("UserId"),
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
      level: { anyOf: [schemaRef("AccessLevel"), NULL] },
    },
    allOf: idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
    examples: [CHECK_REQUEST_EXAMPLE],
  },
  BulkCheckAccessRequest: {
    type: "object",
    description:
      `1–${MAX_BULK_CHECKS} checks, each an object. A list of another length, or an item that is not an object, ` +
      "is a 422 for the whole request; an item whose fields are invalid is answered with its own error in its " +
      "place. Other properties are ignored.",
    required: ["checks"],
    properties: {
      checks: {
        type: "array",
        minItems: 1,
        maxItems: MAX_BULK_CHECKS,
        items: schemaRef("CheckAccessRequest"),
      },
    },
  },
  CheckItemError: {
    type: "object",
    description:
      "Why one item of a bulk check has no answer: `VALIDATION_ERROR` (`details.field` names it, e.g. " +
      "`checks[2].entity_id`) or `INSUFFICIENT_PERMISSIONS` (the caller is not that user, an owner, or an admin of " +
      "the entity). `details.index` is the item's position. The other items are answered as usual.",
    additionalProperties: false,
    required: ["error"],
    properties: {
      error: {
        type: "object",
        additionalProperties: false,
        required: ["code", "message", "details"],
        properties: {
          code: { enum: [...ITEM_ERROR_CODES] },
          message: { type: "string", description: "A message for people." },
          details: {
            type: "object",
            required: ["index"],
            properties: {
              index: { type: "integer", minimum: 0, maximum: MAX_BULK_CHECKS - 1 },
              field: { type: "string" },
              message: { type: "string" },
            },
          },
        },
      },
    },
  },
  BulkCheckAccess: {
    type: "object",
    description: "One result per check, in the request's order, all computed on the revision in `Grantpath-Revision`.",
    additionalProperties: false,
    required: ["results"],
    properties: {
      results: {
        type: "array",
        minItems: 1,
        maxItems: MAX_BULK_CHECKS,
        items: { oneOf: [schemaRef("AccessCheck"), schemaRef("CheckItemError")] },
      },
    },
    examples: [BULK_CHECK_EXAMPLE],
  },
};

/** The request bodies of the two check routes. */
export const CHECK_REQUEST_BODIES: Readonly<Record<string, JsonObject>> = {
  CheckAccess: {
    required: true,
    description: "The user, the entity and the level needed.",
    content: { "application/json": { schema: schemaRef("CheckAccessRequest"), example: CHECK_REQUEST_EXAMPLE } },
  },
  BulkCheckAccess: {
    required: true,
    description: "The checks, answered in this order.",
    content: {
      "application/json": {
        schema: schemaRef("BulkCheckAccessRequest"),
        example: {
          checks: [
            CHECK_REQUEST_EXAMPLE,
            { user_id: "usr_def456", entity_type: "assistant", entity_id: "asst_helper01" },
            { user_id: "usr_ghi789", entity_type: "vector_store", entity_id: "vs_docs01", level: "read" },
          ],
        },
      },
    },
  },
};
