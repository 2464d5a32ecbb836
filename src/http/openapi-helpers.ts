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
