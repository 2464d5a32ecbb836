/**
 * Building blocks of the OpenAPI document: references into its components, id schemas, and the
 * JSON Schema rules that tie an id's prefix to its type field.
 * @module
 */
import { ID_PREFIXES, type IdKind } from "../core/ids.js";
import type { JsonObject } from "./openapi-types.js";

export const schemaRef = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
export const parameterRef = (name: string): JsonObject => ({ $ref: `#/components/parameters/${name}` });
export const responseRef = (name: string): JsonObject => ({ $ref: `#/components/responses/${name}` });
export const requestBodyRef = (name: string): JsonObject => ({ $ref: `#/components/requestBodies/${name}` });
export const headerRef = (name: string): JsonObject => ({ $ref: `#/components/headers/${name}` });

const TOKEN = "[A-Za-z0-9_-]{1,128}";

export function idSchema(kind: IdKind, what: string, example: string): JsonObject {
  const prefix = ID_PREFIXES[kind];
  return {
    type: "string",
    description: `${what}: \`${prefix}\` followed by 1–128 characters of \`[A-Za-z0-9_-]\`.`,
    pattern: `^${prefix}${TOKEN}$`,
    examples: [example],
  };
}

export function anyIdSchema(kinds: readonly IdKind[], what: string, example: string): JsonObject {
  const prefixes = kinds.map((kind) => ID_PREFIXES[kind]);
  return {
    type: "string",
    description: `${what}: ${prefixes.map((p) => `\`${p}\``).join(", ")} followed by 1–128 characters of \`[A-Za-z0-9_-]\`.`,
    pattern: `^(?:${prefixes.join("|")})${TOKEN}$`,
    examples: [example],
  };
}

export const ENTITY_ID_BY_TYPE: readonly (readonly [string, string])[] = [
  ["knowledge_slice", "KnowledgeSliceId"],
  ["vector_store", "VectorStoreId"],
  ["assistant", "AssistantId"],
];
export const GRANTEE_ID_BY_TYPE: readonly (readonly [string, string])[] = [
  ["user", "UserId"],
  ["department", "DepartmentId"],
  ["role", "RoleId"],
];

/** `if <typeField> is T then <idField> has T's id format`, for each type. */
export function idMatchesType(
  typeField: string,
  idField: string,
  table: readonly (readonly [string, string])[],
): JsonObject[] {
  return table.map(([type, idSchemaName]) => ({
    if: { type: "object", properties: { [typeField]: { const: type } }, required: [typeField] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
    then: { type: "object", properties: { [idField]: schemaRef(idSchemaName) } },
  }));
}

export const nullable = (name: string): JsonObject => ({ anyOf: [schemaRef(name), { type: "null" }] });
export const NULL: JsonObject = { type: "null" };

/**
 * `valid_until` of an entity, a user or a check (docs/spec.md §11): present only with
 * `include=validity`.
 */
export function validUntil(what: string): JsonObject {
  return {
    description:
      `With \`include=validity\` only: the instant ${what} level would first drop — the latest \`expires_at\` ` +
      "among the paths at that level — or `null` when one of them never expires.",
    anyOf: [schemaRef("ExpiryInstant"), NULL],
  };
}

/** `next_change_at` of an answer (docs/spec.md §11): present only with `include=validity`. */
export const NEXT_CHANGE_AT: JsonObject = {
  description:
    "With `include=validity` only: the earliest `expires_at` of any path in the answer, the first instant it can " +
    "change by itself; `null` when none expires.",
  anyOf: [schemaRef("ExpiryInstant"), NULL],
};

/** Paths that carry `expires_at` (with validity), or that do not (without). */
function pathsWith(validity: boolean): JsonObject {
  return {
    type: "array",
    items: validity
      ? { type: "object", required: ["expires_at"], properties: { expires_at: true } }
      : { type: "object", properties: { expires_at: false } },
  };
}

/**
 * Validity is all or nothing (docs/spec.md §11): an answer with `next_change_at` has
 * `valid_until` on every item of `list` and `expires_at` on every path; one without has none.
 * With `list` undefined, the answer itself is the item (a check).
 */
export function validityAllOrNothing(list?: string): JsonObject {
  const item = (validity: boolean): JsonObject =>
    validity
      ? { type: "object", required: ["valid_until"], properties: { valid_until: true, grant_paths: pathsWith(true) } }
      : { type: "object", properties: { valid_until: false, grant_paths: pathsWith(false) } };
  const answer = (validity: boolean): JsonObject =>
    list === undefined
      ? item(validity)
      : { type: "object", properties: { [list]: { type: "array", items: item(validity) } } };
  return {
    if: { type: "object", required: ["next_change_at"], properties: { next_change_at: true } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
    then: answer(true),
    else: answer(false),
  };
}
