/**
 * The REST API as a web-standard `fetch` handler.
 * @module
 */
export {
  type AuthenticatedCaller,
  createHttpHandler,
  type HttpHandler,
  type HttpHandlerOptions,
} from "./create-http-handler.js";
export {
  type JsonObject,
  type JsonValue,
  OPENAPI_DOCUMENT,
  type OpenApiDocument,
  type OpenApiMethod,
  type OpenApiOperation,
  type OpenApiPathItem,
} from "./openapi-document.js";
