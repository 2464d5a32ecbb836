/**
 * The shapes of the OpenAPI document: JSON values, operations, path items and the document.
 * @module
 */

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
