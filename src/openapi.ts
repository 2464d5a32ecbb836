/**
 * `grantpath/openapi`: the OpenAPI 3.1 document of the REST API, and its types. Serve it by
 * passing it to the handler (`createHttpHandler(accessControl, { authenticate, openapi:
 * OPENAPI_DOCUMENT })`); the Node server and the CLI do. It is an entry of its own so that an
 * edge worker that does not serve it does not carry it.
 *
 * @example
 * ```ts
 * import { createAccessControl, createHttpHandler, memoryStorage } from "grantpath";
 * import { OPENAPI_DOCUMENT } from "grantpath/openapi";
 *
 * const handler = createHttpHandler(createAccessControl({ storage: memoryStorage() }), {
 *   authenticate: () => ({ user_id: "usr_owner1" }),
 *   openapi: OPENAPI_DOCUMENT,
 * });
 * ```
 * @packageDocumentation
 */
export {
  type JsonObject,
  type JsonValue,
  OPENAPI_DOCUMENT,
  type OpenApiDocument,
  type OpenApiMethod,
  type OpenApiOperation,
  type OpenApiPathItem,
} from "./http/openapi-document.js";
