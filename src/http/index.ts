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
export { OPENAPI_DOCUMENT, type OpenApiDocument } from "./openapi-document.js";
