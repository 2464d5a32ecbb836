/**
 * Serving a web-standard handler on `node:http`, with graceful shutdown. The Node entry
 * (`grantpath/node`) is this module and the ones beside it; nothing in the main entry imports
 * them.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { ownOptions } from "../core/validate.js";
import { type AnswerRequest, answerRequestOf } from "../http/answer.js";
import { errorEnvelopeText, httpErrorBody } from "../http/error-envelope.js";
import { toRequest } from "./node-request.js";
import { createRequestUrl } from "./request-url.js";
import { answerOnSocket, writeAnswer, writeResponse } from "./write-answer.js";

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
 * Any web-standard handler can be served. A handler from `createHttpHandler` is served without
 * the `Response` it would make: it also offers its answers as plain data, which `serve` writes
 * in one go (head and body in one write, with `Content-Length`). Any other handler's `Response`
 * is read back and written, in one go too when its body is all there at once.
 *
 * The `Request` a handler gets is made only as far as it is read: its `method`, `url`,
 * `headers` and `body` come straight from Node's request, and the standard `Request` is built
 * from them the first time anything else is asked (`signal`, `text()`, `clone()`, …).
 * `instanceof Request` holds; `new Request(request)` and `fetch(request)` do not accept it (they
 * read a real one's internals), so copy or forward it as `request.clone()`, which is a real one.
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
  // A handler from createHttpHandler also answers as plain data: written in one go, with no
  // Response built and read back (the cost that kept this server far from node:http's own).
  const served: Served = { handler, answer: answerRequestOf(handler), requestUrl: createRequestUrl(shown), state };
  const fail = (outgoing: ServerResponse, error: unknown) => {
    onError(error);
    if (outgoing.headersSent) {
      outgoing.end();
      return;
    }
    outgoing.writeHead(500, { "content-type": "application/json; charset=utf-8" });
    outgoing.end(errorEnvelopeText(httpErrorBody("INTERNAL_ERROR"), new Date()));
  };
  const server = createServer((incoming, outgoing) => {
    respond(served, incoming, outgoing).catch((error: unknown) => fail(outgoing, error));
  });
  // Node hands CONNECT to this event, not to the request listener, and without a listener drops
  // the connection unanswered: answer it as the handler answers any method it does not route.
  server.on("connect", (incoming: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {}); // a client gone before its answer is nothing to report
    respondOnSocket(served, incoming, socket).catch((error: unknown) => {
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

/** What answering a request needs, the same for every request of one server. */
interface Served {
  readonly handler: (request: Request) => Promise<Response>;
  /** The handler's answers as data, when it offers them (a handler from createHttpHandler does). */
  readonly answer: AnswerRequest | undefined;
  readonly requestUrl: (incoming: IncomingMessage) => string;
  readonly state: { readonly closing: boolean };
}

async function respond(served: Served, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const request = toRequest(incoming, served.requestUrl(incoming));
  // A body the handler stopped reading (over the size limit) is not drained: the connection is
  // closed instead, so the rest of the body cannot be taken for the next request.
  if (served.answer) {
    const answered = await served.answer(request);
    writeAnswer(outgoing, answered, served.state.closing || !incoming.complete);
  } else {
    const response = await served.handler(request);
    await writeResponse(outgoing, response, served.state.closing || !incoming.complete);
  }
}

/** Answers a request whose connection Node handed over whole (CONNECT), then closes it. */
async function respondOnSocket(served: Served, incoming: IncomingMessage, socket: Duplex): Promise<void> {
  const response = await served.handler(toRequest(incoming, served.requestUrl(incoming)));
  await answerOnSocket(socket, response);
}
