/**
 * `grantpath/node`: serve the REST handler on Node's `http` module.
 * @packageDocumentation
 */
export { type RunningServer, type ServeOptions, serve } from "./serve.js";
