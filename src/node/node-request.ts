/**
 * A Node request as a web-standard `Request`, built only as far as the handler reads it.
 * @module
 */
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { READ_BODY_TEXT, type ReadBodyText } from "../http/answer.js";
import { readBodyText, requestBody } from "./request-body.js";

/**
 * Methods the Fetch standard forbids (`new Request` throws on them; Node's parser passes CONNECT
 * and TRACE on, and answers TRACK 400 itself). They are no method of any route, so the handler
 * should answer them as it answers any such method (404 for an unknown path, 405 with `Allow`
 * otherwise) rather than the bridge failing with a 500 and a log line per request.
 */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** The methods that read a body, which reject (not throw) once it is used, as a Request's do. */
const BODY_READERS = new Set(["arrayBuffer", "blob", "bytes", "formData", "json", "text"]);

/** What this module answers itself; a `Request`'s every other member is the standard one's. */
const OWN_MEMBERS = new Set(["constructor", "method", "url", "headers", "body", "bodyUsed", "clone"]);

/** A body stream with nothing left in it: the body after {@link READ_BODY_TEXT} read it. */
function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

/** The request's headers, as Node joined them (a repeated header it keeps once is kept once). */
function requestHeaders(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  const given = incoming.headers;
  for (const name in given) {
    const value = given[name];
    if (typeof value === "string") headers.append(name, value);
    else if (value !== undefined) for (const item of value) headers.append(name, item);
  }
  return headers;
}

/** Whether a body stream can no longer be given to another reader: read from, cancelled, or locked. */
function isUsed(body: ReadableStream<Uint8Array>): boolean {
  // Node documents isDisturbed for web streams too; its types list only its own streams.
  return body.locked || Readable.isDisturbed(body as unknown as Readable);
}

function bodyUnusable(): TypeError {
  return new TypeError("Body is unusable: Body has already been read");
}

/**
 * A `Request` made only when first needed. What a handler reads of every request (its method,
 * URL, headers and body) is answered here; anything else (`signal`, `text()`, `clone()`, …)
 * makes the standard `Request` from the same headers and body stream and asks it. Making a
 * `Request` (with its `AbortSignal`) for every request cost more than a bare `node:http` server
 * spends on its whole answer. `instanceof Request` holds; what it cannot do is be copied by
 * `new Request(request)` or sent by `fetch(request)`, which read a real one's internals: use
 * `request.clone()`, which is a real one.
 */
class NodeRequest {
  readonly #incoming: IncomingMessage;
  readonly #url: string;
  #headers: Headers | undefined;
  #body: ReadableStream<Uint8Array> | null | undefined;
  #full: Request | undefined;
  /** Whether the standard `Request` was made without the body, the handler having read it already. */
  #bodyRead = false;
  /** Whether the body was read by {@link READ_BODY_TEXT}. */
  #taken = false;

  constructor(incoming: IncomingMessage, url: string) {
    this.#incoming = incoming;
    this.#url = url;
  }

  get method(): string {
    return this.#incoming.method ?? "GET";
  }

  get url(): string {
    return this.#url;
  }

  get headers(): Headers {
    this.#headers ??= requestHeaders(this.#incoming);
    return this.#headers;
  }

  get body(): ReadableStream<Uint8Array> | null {
    // Once the standard Request has the stream, its body is the one to read (a clone() tees it).
    if (this.#full && !this.#bodyRead) return this.#full.body;
    if (this.#taken) this.#body ??= emptyBody();
    if (this.#body === undefined) {
      const method = this.method;
      const bodiless = method === "GET" || method === "HEAD" || FORBIDDEN_METHODS.has(method.toUpperCase());
      this.#body = bodiless ? null : requestBody(this.#incoming);
    }
    return this.#body;
  }

  /**
   * The body read straight from Node's stream as text, with no web stream between: offered only
   * while nothing else has touched the body (the handler reads it the standard way otherwise).
   */
  get [READ_BODY_TEXT](): ReadBodyText | undefined {
    if (this.#taken || this.#full || this.#body !== undefined) return undefined;
    const method = this.method;
    if (method === "GET" || method === "HEAD" || FORBIDDEN_METHODS.has(method.toUpperCase())) return undefined;
    return (limit) => {
      this.#taken = true;
      return readBodyText(this.#incoming, limit);
    };
  }

  get bodyUsed(): boolean {
    if (this.#taken) return true;
    if (this.#full && !this.#bodyRead) return this.#full.bodyUsed;
    return this.#body !== undefined && this.#body !== null && Readable.isDisturbed(this.#body as unknown as Readable);
  }

  clone(): Request {
    if (this.#spent()) throw bodyUnusable();
    return this.full().clone();
  }

  /** Whether the body was read here, so that the standard `Request` cannot read it. */
  #spent(): boolean {
    if (this.#taken) return true;
    if (this.#full && !this.#bodyRead) return false;
    return this.#body !== undefined && this.#body !== null && isUsed(this.#body);
  }

  /**
   * The standard `Request`, made the first time something beyond the above is asked. Its body
   * is this one's stream, unless that is already being read: then it has none, and what would
   * read it is refused here first.
   */
  full(): Request {
    if (this.#full) return this.#full;
    const { method, headers, body } = this;
    const url = this.#url;
    if (FORBIDDEN_METHODS.has(method.toUpperCase())) {
      // Made as a bodiless GET (such a request may carry no content), its method then read as the real one.
      this.#full = new Request(url, { method: "GET", headers });
      Object.defineProperty(this.#full, "method", { value: method, enumerable: true });
    } else if (body === null || this.#taken || isUsed(body)) {
      this.#bodyRead = body !== null;
      this.#full = new Request(url, { method, headers });
    } else {
      // duplex: required by Node's fetch for a streamed body.
      const init: RequestInit & { duplex: "half" } = { method, headers, body, duplex: "half" };
      this.#full = new Request(url, init);
    }
    return this.#full;
  }

  static {
    for (const name of Object.getOwnPropertyNames(Request.prototype)) {
      const standard = Object.getOwnPropertyDescriptor(Request.prototype, name);
      if (OWN_MEMBERS.has(name) || !standard) continue;
      if (standard.get) {
        Object.defineProperty(NodeRequest.prototype, name, {
          get(this: NodeRequest) {
            return Reflect.get(this.full(), name);
          },
        });
      } else if (typeof standard.value === "function") {
        const member = standard.value as (...args: unknown[]) => unknown;
        Object.defineProperty(NodeRequest.prototype, name, {
          value(this: NodeRequest, ...args: unknown[]) {
            if (BODY_READERS.has(name) && this.#spent()) return Promise.reject(bodyUnusable());
            return Reflect.apply(member, this.full(), args);
          },
        });
      }
    }
    Object.setPrototypeOf(NodeRequest.prototype, Request.prototype);
  }
}

/**
 * `incoming` as a `Request` at `url`: a {@link NodeRequest}, whose method may also be one the
 * Fetch standard forbids (TRACE, CONNECT), so that the handler answers those as it answers any
 * method no route has.
 */
export function toRequest(incoming: IncomingMessage, url: string): Request {
  return new NodeRequest(incoming, url) as unknown as Request;
}
