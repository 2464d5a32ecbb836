/**
 * The REST API as a web-standard `fetch` handler. Its OpenAPI document is a separate entry,
 * `grantpath/openapi`, so a handler that does not serve it does not carry it.
 * @module
 */
export {
  type AuthenticatedCaller,
  createHttpHandler,
  type HttpHandler,
  type HttpHandlerOptions,
} from "./create-http-handler.js";
