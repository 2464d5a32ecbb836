/**
 * Serving a web-standard handler on `node:http`, with graceful shutdown. This is the only
 * module of the Node entry (`grantpath/node`); nothing in the main entry imports it.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { AccessError } from "../core/index.js";
import { ownOptions } from "../core/validate.js";
import { errorEnvelopeText, httpErrorBody } from "../http/error-envelope.js";

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * const options: ServeOptions = { port: 0, host: "127.0.0.1" }; // 0: any free port
 * ```
 */
export interface ServeOptions {
  /** The port; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** The interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Called with errors the handler itself threw (it normally answers 500 first). */
  readonly onError?: (error: unknown) => void;
  /** How long `close()` lets requests in flight run before it cuts their connections. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * const server: RunningServer = await serve(handler, { port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The underlying `node:http` server. */
  readonly server: Server;
  /**
   * Stops accepting connections, lets requests in flight finish (cutting any still open after
   * `shutdownTimeoutMs`, such as a stalled upload), and resolves when all are done. Calling it
   * again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Serves `handler` over HTTP on Node and resolves once it listens.
 *
 * @example
 * ```ts
 * import { createAccessControl, createHttpHandler, memoryStorage } from "grantpath";
 * import { serve } from "grantpath/node";
 *
 * const handler = createHttpHandler(createAccessControl({ storage: memoryStorage() }), {
 *   authenticate: () => ({ user_id: "usr_owner1" }),
 * });
 * const server = await serve(handler, { port: 3000 });
 * process.on("SIGTERM", () => void server.close());
 * ```
 */
export async function serve(
  handler: (request: Request) => Promise<Response>,
  given: ServeOptions = {},
): Promise<RunningServer> {
  // Only the options the caller gave: nothing another library put on Object.prototype.
  const options = ownOptions(given, "options");
  const host = options.host ?? "127.0.0.1";
  const onError = options.onError ?? ((error: unknown) => console.error("grantpath: request failed", error));
  const shown = host.includes(":") ? `[${host}]` : host;
  const state = { closing: false };
  const server = createServer((incoming, outgoing) => {
    respond(handler, incoming, outgoing, shown, state).catch((error: unknown) => {
      onError(error);
      if (outgoing.headersSent) {
        outgoing.end();
        return;
      }
      outgoing.writeHead(500, { "content-type": "application/json; charset=utf-8" });
      outgoing.end(errorEnvelopeText(httpErrorBody("INTERNAL_ERROR"), new Date()));
    });
  });
  // Node hands CONNECT to this event, not to the request listener, and without a listener drops
  // the connection unanswered: answer it as the handler answers any method it does not route.
  server.on("connect", (incoming: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {}); // a client gone before its answer is nothing to report
    answerOnSocket(handler, incoming, socket, shown).catch((error: unknown) => {
      onError(error);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  return {
    url: `http://${shown}:${port}`,
    port,
    server,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        // Responses still to come tell their clients to hang up, so no kept-alive connection
        // holds the shutdown open; whatever is still open at the deadline is cut.
        state.closing = true;
        const deadline = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
        deadline.unref();
        server.close((error) => {
          clearTimeout(deadline);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function respond(
  handler: (request: Request) => Promise<Response>,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  host: string,
  state: { readonly closing: boolean },
): Promise<void> {
  const request = toRequest(incoming, host);
  const response = await handler(request);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  // A body the handler stopped reading (over the size limit) is not drained: the connection is
  // closed instead, so the rest of the body cannot be taken for the next request.
  if (state.closing || !incoming.complete) headers.connection = "close";
  outgoing.writeHead(response.status, headers);
  if (response.body) {
    const reader = response.body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) outgoing.write(next.value);
  }
  outgoing.end();
}

/** Answers a request whose connection Node handed over whole (CONNECT), then closes it. */
async function answerOnSocket(
  handler: (request: Request) => Promise<Response>,
  incoming: IncomingMessage,
  socket: Duplex,
  host: string,
): Promise<void> {
  const response = await handler(toRequest(incoming, host));
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`];
  response.headers.forEach((value, key) => {
    if (!FRAMING_HEADERS.has(key)) lines.push(`${key}: ${value}`);
  });
  lines.push(`content-length: ${body.byteLength}`, "connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), body]));
}

/** Headers that frame a message on the wire: {@link answerOnSocket} writes its own. */
const FRAMING_HEADERS = new Set(["connection", "content-length", "keep-alive", "transfer-encoding"]);

/**
 * Methods the Fetch standard forbids (`new Request` throws on them; Node's parser passes CONNECT
 * and TRACE on, and answers TRACK 400 itself). They are no method of any route, so the handler
 * should answer them as it answers any such method (404 for an unknown path, 405 with `Allow`
 * otherwise) rather than the bridge failing with a 500 and a log line per request.
 */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * A `Request` that reports a forbidden `method`: one made as a bodiless GET (such a request
 * may carry no content), its `method` then read as the real one. Only `clone()` or
 * `new Request(request)` of it would read GET, and the handler makes neither before routing.
 */
function forbiddenMethodRequest(url: URL, method: string, headers: Headers): Request {
  const request = new Request(url, { method: "GET", headers });
  Object.defineProperty(request, "method", { value: method, enumerable: true });
  return request;
}

function toRequest(incoming: IncomingMessage, host: string): Request {
  // The path is joined to a fixed origin: a Host header may be empty or malformed, and a path
  // such as //v1/… must stay a path.
  const path = incoming.url?.startsWith("/") ? incoming.url : "/";
  let url: URL;
  try {
    url = new URL(`http://${incoming.headers.host || host}${path}`);
  } catch {
    url = new URL(`http://${host}${path}`); // the Host header was not a valid authority
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = incoming.method ?? "GET";
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) return forbiddenMethodRequest(url, method, headers);
  const hasBody = method !== "GET" && method !== "HEAD";
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (hasBody) {
    init.body = requestBody(incoming);
    init.duplex = "half"; // required by Node's fetch for streamed request bodies
  }
  return new Request(url, init);
}

/**
 * The request body as a web stream, with backpressure. Unlike Readable.toWeb, cancelling it
 * (the handler stops at the size limit) does not destroy the socket under the response.
 */
function requestBody(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      incoming.on("data", (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) incoming.pause();
      });
      incoming.once("end", () => {
        if (open) controller.close();
        open = false;
      });
      // A client that goes away mid-body sent no request: the handler answers it as a short
      // body (422, nothing changes) rather than as an unexpected failure.
      const ended = () => {
        if (open) {
          controller.error(
            new AccessError("VALIDATION_ERROR", {
              field: "body",
              message: "the request body ended before it was complete",
            }),
          );
        }
        open = false;
      };
      incoming.once("aborted", ended);
      incoming.once("error", ended);
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      open = false;
      incoming.pause();
    },
  });
}
