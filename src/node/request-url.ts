/**
 * The URL of a Node request, as `new URL` writes it, parsed only when it must be.
 * @module
 */
import type { IncomingMessage } from "node:http";

/**
 * Host headers with no character that could end the authority (a slash, backslash, `?` or `#`)
 * or name a user (`@`): for them, the URL parser writes the origin the same whatever path follows.
 */
const PLAIN_HOST = /^[A-Za-z0-9.:[\]-]+$/;

/** Paths the URL parser writes back as they are: no percent sign, quote, space, fragment, backslash… */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@/?]*$/;

/** …and no `.` or `..` segment, which it would resolve. */
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)/;

/**
 * Builds each request's URL as `new URL` writes it: its path joined to a fixed origin (a Host
 * header may be empty or malformed, and a path such as `//v1/…` must stay a path). Parsing it
 * cost more than anything else the bridge did but building the `Request`, so the origin of the
 * last Host header is kept, and a plain path is appended to it as it is.
 */
export function createRequestUrl(host: string): (incoming: IncomingMessage) => string {
  let lastHost: string | undefined;
  let lastOrigin = "";
  const parse = (given: string, path: string) => {
    if (given !== "") {
      try {
        const url = new URL(`http://${given}${path}`);
        // A Request refuses a URL with credentials, and a Host header has no business naming any.
        if (url.username === "" && url.password === "") return url.href;
      } catch {
        // not a valid authority
      }
    }
    return new URL(`http://${host}${path}`).href;
  };
  return (incoming) => {
    const path = incoming.url?.startsWith("/") ? incoming.url : "/";
    const given = incoming.headers.host ?? "";
    if (!PLAIN_HOST.test(given) || !PLAIN_PATH.test(path) || DOT_SEGMENT.test(path)) return parse(given, path);
    if (given !== lastHost) {
      lastOrigin = parse(given, "/").slice(0, -1);
      lastHost = given;
    }
    return lastOrigin + path;
  };
}
