/**
 * The OpenAPI pieces of the checks (docs/spec.md §9, §11): the bodies of `POST /access/check` and
 * `POST /access/check/bulk`, and what they answer — the core's `AccessCheck` (with its validity
 * fields and, when explained, its `suggestions`), and for the bulk route one result per item, each
 * a check or that item's own error. `openapi-document.ts` puts these among its components and
 * describes the two operations.
 * @module
 */
import { MAX_BULK_CHECKS } from "../service/service-input.js";
import { pathsWithoutExpiry } from "./openapi-examples.js";
import {
  ENTITY_ID_BY_TYPE,
  GRANTEE_ID_BY_TYPE,
  idMatchesType,
  NEXT_CHANGE_AT,
  NULL,
  schemaRef,
  validityAllOrNothing,
  validUntil,
} from "./openapi-helpers.js";
import type { JsonObject } from "./openapi-types.js";

/** The codes a bulk item's own error can carry: it is malformed, or not the caller's to ask. */
const ITEM_ERROR_CODES = ["VALIDATION_ERROR", "INSUFFICIENT_PERMISSIONS"] as const;

const CHECK_REQUEST_EXAMPLE: JsonObject = {
  user_id: "usr_def456",
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  level: "write",
};

/** The user of docs/spec.md §12's worked example writes kslice_abc123 through dept_eng01 and reads it directly. */
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

/**
 * A denied check with `explain: true`: usr_def456 of docs/spec.md §12 reaches no vector store, and
 * one `read` grant to them, to dept_eng01 (their only department, which has no parent) or to
 * role_admin01 would let them read vs_docs01.
 */
export const EXPLAINED_CHECK_EXAMPLE: JsonObject = {
  allowed: false,
  access_level: null,
  grant_paths: [],
  suggestions: [
    { grantee_type: "user", grantee_id: "usr_def456", entity_type: "vector_store", entity_id: "vs_docs01" },
    { grantee_type: "department", grantee_id: "dept_eng01", entity_type: "vector_store", entity_id: "vs_docs01" },
    { grantee_type: "role", grantee_id: "role_admin01", entity_type: "vector_store", entity_id: "vs_docs01" },
  ],
};

/** {@link ACCESS_CHECK_EXAMPLE} with `include=validity`: neither grant expires. */
export const VALIDITY_CHECK_EXAMPLE: JsonObject = {
  ...ACCESS_CHECK_EXAMPLE,
  grant_paths: pathsWithoutExpiry(ACCESS_CHECK_EXAMPLE.grant_paths),
  valid_until: null,
  next_change_at: null,
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

/** The fields of one check, in a single check's body and in a bulk item. */
const CHECK_FIELDS: Readonly<Record<string, JsonObject>> = {
  user_id: schemaRef("UserId"),
  entity_type: schemaRef("EntityType"),
  entity_id: schemaRef("EntityId"),
  level: { anyOf: [schemaRef("AccessLevel"), NULL] },
};

/** `explain` of a check body (docs/spec.md §11). */
const EXPLAIN: JsonObject = {
  description:
    "`true`: a check that is not allowed also answers `suggestions`, the grants that would allow it. `false` or " +
    "`null` (the default): it does not. Anything else is a 422 naming `explain`.",
  anyOf: [{ type: "boolean" }, NULL],
};

/**
 * `AccessCheck`, `GrantSuggestion`, `CheckAccessRequest`, `CheckAccessItem`, `BulkCheckAccessRequest`,
 * `CheckItemError` and `BulkCheckAccess`.
 */
export const CHECK_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  AccessCheck: {
    type: "object",
    description:
      "Whether the user may act on the entity: `allowed` when some path reaches it and, when a `level` was asked " +
      "for, `access_level` is at least that level. `access_level` and `grant_paths` are what resolved access " +
      "gives for that entity (`null` and `[]` when nothing reaches it). With `include=validity`, every path also " +
      "has `expires_at`, and the check `valid_until` and `next_change_at`; with `explain: true`, a check that is " +
      "not allowed also has `suggestions`.",
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
      valid_until: validUntil("the user's"),
      next_change_at: NEXT_CHANGE_AT,
      suggestions: {
        type: "array",
        minItems: 1,
        description:
          "With `explain: true`, only when not allowed: every place one grant at the level asked for (any level " +
          "without one) would allow it, nearest first — to the user, then to each of their departments from the " +
          "nearest up, then to each of their roles; on the entity itself before the composites that contain it, " +
          "nearest first.",
        items: schemaRef("GrantSuggestion"),
      },
    },
    allOf: [
      {
        // Nothing reaches it: not allowed, no path and nothing to expire; something does: at least one path.
        if: { type: "object", properties: { access_level: NULL }, required: ["access_level"] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
        then: {
          type: "object",
          properties: {
            allowed: { const: false },
            grant_paths: { type: "array", maxItems: 0 },
            valid_until: NULL,
            next_change_at: NULL,
          },
        },
        else: { type: "object", properties: { grant_paths: { type: "array", minItems: 1 } } },
      },
      validityAllOrNothing(),
      {
        // Suggestions explain a refusal only.
        if: { type: "object", required: ["suggestions"], properties: { suggestions: true } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
        then: { type: "object", properties: { allowed: { const: false } } },
      },
    ],
    examples: [ACCESS_CHECK_EXAMPLE, VALIDITY_CHECK_EXAMPLE, EXPLAINED_CHECK_EXAMPLE],
  },
  GrantSuggestion: {
    type: "object",
    description:
      "Where one grant would allow a refused check: to this grantee, on this entity (the entity checked, or a " +
      "composite that contains it). Create it with `POST /access/grants` at the level needed.",
    additionalProperties: false,
    required: ["grantee_type", "grantee_id", "entity_type", "entity_id"],
    properties: {
      grantee_type: schemaRef("GranteeType"),
      grantee_id: schemaRef("GranteeId"),
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
    },
    allOf: [
      ...idMatchesType("grantee_type", "grantee_id", GRANTEE_ID_BY_TYPE),
      ...idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
    ],
    examples: [
      { grantee_type: "department", grantee_id: "dept_eng01", entity_type: "vector_store", entity_id: "vs_docs01" },
    ],
  },
  CheckAccessRequest: {
    type: "object",
    description:
      "One check: the user, the entity and, optionally, the level needed (without it, or `null`, any path " +
      "allows), and whether to explain a refusal. The entity id's prefix must fit `entity_type`. Other properties " +
      "are ignored.",
    required: ["user_id", "entity_type", "entity_id"],
    properties: { ...CHECK_FIELDS, explain: EXPLAIN },
    allOf: idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
    examples: [CHECK_REQUEST_EXAMPLE, { ...CHECK_REQUEST_EXAMPLE, explain: true }],
  },
  CheckAccessItem: {
    type: "object",
    description:
      "One check of a bulk request: the user, the entity and, optionally, the level needed (without it, or " +
      "`null`, any path allows). The entity id's prefix must fit `entity_type`. Other properties are ignored " +
      "(`explain` too: the bulk body's applies to every item).",
    required: ["user_id", "entity_type", "entity_id"],
    properties: CHECK_FIELDS,
    allOf: idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
    examples: [CHECK_REQUEST_EXAMPLE],
  },
  BulkCheckAccessRequest: {
    type: "object",
    description:
      `1–${MAX_BULK_CHECKS} checks, each an object, and whether to explain the refused ones. A list of another ` +
      "length, an item that is not an object, or an `explain` that is not a boolean is a 422 for the whole " +
      "request; an item whose fields are invalid is answered with its own error in its place. Other properties " +
      "are ignored.",
    required: ["checks"],
    properties: {
      checks: {
        type: "array",
        minItems: 1,
        maxItems: MAX_BULK_CHECKS,
        items: schemaRef("CheckAccessItem"),
      },
      explain: EXPLAIN,
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
    description: "The user, the entity, the level needed and whether to explain a refusal.",
    content: { "application/json": { schema: schemaRef("CheckAccessRequest"), example: CHECK_REQUEST_EXAMPLE } },
  },
  BulkCheckAccess: {
    required: true,
    description: "The checks, answered in this order, and whether to explain the refused ones.",
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
