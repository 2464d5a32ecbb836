/**
 * The servers `npm run bench:http` loads, each in a child process of its own (bench/http.ts
 * forks its own bundle with `server <kind>`), so none shares an event loop with the load
 * generator or with another:
 *  - `grantpath`: the CLI's `grantpath serve`, run as the command runs it (memory storage, the
 *    demo organization, the demo tokens, `serve` from grantpath/node);
 *  - `floor`: a bare `node:http` server that checks the bearer token and writes the bytes the real
 *    server answered (captured once), the least any server must do;
 *  - `serve-answer`: grantpath/node's `serve` around a handler that does only what the floor
 *    does and offers its answers as data, as one from `createHttpHandler` does: the bridge's own
 *    cost, apart from the handler's;
 *  - `serve-empty`: the same handler without that offer, so `serve` reads its `Response` back,
 *    as it does for any other web handler;
 *  - `naive-empty`: a naive Node ↔ web conversion (a URL, a Headers, a Request, the Response's
 *    headers copied and its body read back) around that same handler: the wall a bridge meets;
 *  - `hono-globals` and `hono`: the real handler (`createHttpHandler` over memory storage, the
 *    demo organization and tokens) served by `@hono/node-server`, the well-kept bridge we weighed
 *    against our own, first as it runs by default (it replaces the process's global `Request` and
 *    `Response` with its own lighter ones), then with `overrideGlobalObjects: false`.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { ANSWER, type AnswerRequest, answerResponse, readBodyTextOf } from "../src/http/answer.js";
import { serve } from "../src/node/index.js";

/** The contenders, in the order the tables list them. */
export const CONTENDERS = [
  "floor",
  "grantpath",
  "serve-answer",
  "serve-empty",
  "naive-empty",
  "hono-globals",
  "hono",
] as const;

/** One of {@link CONTENDERS}. */
export type Contender = (typeof CONTENDERS)[number];

/** What each contender is, as the tables name it. */
export const CONTENDER_LABELS: Readonly<Record<Contender, string>> = {
  floor: "floor: bare node:http, same bytes",
  grantpath: "grantpath serve",
  "serve-answer": "grantpath/node serve, empty handler, answer as data",
  "serve-empty": "grantpath/node serve, empty handler, Response",
  "naive-empty": "naive conversion, empty handler",
  "hono-globals": "@hono/node-server, real handler, globals replaced",
  hono: "@hono/node-server, real handler, globals kept",
};

/** The demo organization's owner, as `grantpath serve` prints it. */
export const TOKEN = "demo-owner-token";
export const GET_PATH = "/v1/organizations/org_xyz789/users/usr_def456/resolved-access";
export const POST_PATH = "/v1/organizations/org_xyz789/access/grants";

/** A fresh grant per request: autocannon puts a new id in place of each `[<id>]`. */
export const POST_BODY_TEMPLATE = JSON.stringify({
  entity_type: "knowledge_slice",
  entity_id: "kslice_[<id>]",
  grantee_type: "user",
  grantee_id: "usr_[<id>]",
  access_level: "read",
});

/** An answer of the real server: its status, the headers that are not framing, and its body. */
export interface CapturedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The real server's answers to the two routes, which the floor and the empty handler repeat. */
export interface Captured {
  readonly get: CapturedAnswer;
  readonly post: CapturedAnswer;
}

/** The message a contender's process gets once, before it starts: the real server needs no answers. */
export interface StartMessage {
  readonly captured?: Captured;
}

/** The message a contender's process sends once it listens. */
export interface ListeningMessage {
  readonly url: string;
}

/** What a contender's process answers to any later message: the CPU time it has used. */
export interface CpuMessage {
  /** User and system time, in microseconds. */
  readonly cpuMicros: number;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** `grantpath serve --port 0`, as the command line runs it; resolves with the URL it prints. */
async function startGrantpath(): Promise<string> {
  // commander is CommonJS that requires Node's own modules, and an ES module bundle has no
  // `require` for it: esbuild's stand-in calls the global one, so there is one before the command
  // line's code (bundled lazily, as it is imported here) first runs.
  const scope = globalThis as { require?: NodeJS.Require };
  scope.require ??= createRequire(import.meta.url);
  const { createProgram } = await import("../src/cli/program.js");
  return new Promise((resolve, reject) => {
    const program = createProgram({
      stdout: (text) => {
        const printed = /serving .* at (http:\/\/\S+)/.exec(text);
        if (printed) resolve(printed[1] as string);
      },
      stderr: (text) => process.stderr.write(text),
      color: false,
      env: {},
    });
    // The command answers SIGTERM by closing the server, the service and the storage.
    program.run(["serve", "--port", "0", "--host", "127.0.0.1"]).then((code) => process.exit(code), reject);
  });
}

interface WireAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

function wire(answer: CapturedAnswer): WireAnswer {
  const body = Buffer.from(answer.body);
  return { status: answer.status, headers: { ...answer.headers, "content-length": String(body.length) }, body };
}

function startFloor(captured: Captured): Promise<string> {
  const get = wire(captured.get);
  const post = wire(captured.post);
  const authorization = `Bearer ${TOKEN}`;
  const write = (response: ServerResponse, answer: WireAnswer) => {
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };
  const server = createServer((request, response) => {
    if (request.headers.authorization !== authorization) {
      response.writeHead(401).end();
    } else if (request.method === "GET" && request.url === GET_PATH) {
      write(response, get);
    } else if (request.method === "POST" && request.url === POST_PATH) {
      request.on("data", () => {});
      request.on("end", () => write(response, post));
    } else {
      response.writeHead(404).end();
    }
  });
  return listen(server);
}

/** A web-standard handler that does what the floor does: check the token, answer the captured bytes. */
function emptyHandler(captured: Captured): (request: Request) => Promise<Response> {
  const authorization = `Bearer ${TOKEN}`;
  return async (request) => {
    if (request.headers.get("authorization") !== authorization) return new Response(null, { status: 401 });
    const answer = request.method === "POST" ? captured.post : captured.get;
    if (request.method === "POST") await request.arrayBuffer();
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

/** {@link emptyHandler}, offering its answers as data too, as a handler from `createHttpHandler` does. */
function answeringHandler(captured: Captured): (request: Request) => Promise<Response> {
  const authorization = `Bearer ${TOKEN}`;
  const answer: AnswerRequest = async (request) => {
    if (request.headers.get("authorization") !== authorization) return { status: 401, headers: {}, body: null };
    // Read as createHttpHandler reads a body: straight from Node's stream when the request offers it.
    if (request.method === "POST") await (readBodyTextOf(request)?.(1 << 20) ?? request.text());
    return request.method === "POST" ? captured.post : captured.get;
  };
  const handler = async (request: Request) => answerResponse(await answer(request));
  Object.defineProperty(handler, ANSWER, { value: answer });
  return handler;
}

/** The conversion most bridges start as: everything built eagerly, the body streamed back. */
async function naiveRespond(
  handler: (request: Request) => Promise<Response>,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const url = new URL(incoming.url ?? "/", `http://${incoming.headers.host ?? "localhost"}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = incoming.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (method !== "GET" && method !== "HEAD") {
    init.body = Readable.toWeb(incoming) as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  const response = await handler(new Request(url, init));
  const answerHeaders: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    answerHeaders[key] = value;
  });
  outgoing.writeHead(response.status, answerHeaders);
  if (response.body) {
    const reader = response.body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) outgoing.write(next.value);
  }
  outgoing.end();
}

function startNaive(handler: (request: Request) => Promise<Response>): Promise<string> {
  const server = createServer((incoming, outgoing) => {
    naiveRespond(handler, incoming, outgoing).catch(() => {
      if (!outgoing.headersSent) outgoing.writeHead(500);
      outgoing.end();
    });
  });
  return listen(server);
}

/** The demo server's handler (what `grantpath serve` serves), served by `@hono/node-server`. */
async function startHono(overrideGlobalObjects: boolean): Promise<string> {
  const { serve: honoServe } = await import("@hono/node-server");
  const { createAccessControl, createHttpHandler, memoryStorage } = await import("../src/index.js");
  const { DEMO_ORGANIZATION, DEMO_TOKENS } = await import("../src/cli/demo-organization.js");
  const tokens = new Map(Object.entries(DEMO_TOKENS));
  const accessControl = createAccessControl({ storage: memoryStorage({ initial: [DEMO_ORGANIZATION] }) });
  const handler = createHttpHandler(accessControl, {
    authenticate: (request) => {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
      const user_id = match ? tokens.get(match[1] as string) : undefined;
      return user_id ? { user_id } : null;
    },
  });
  return new Promise((resolve) => {
    honoServe({ fetch: handler, port: 0, hostname: "127.0.0.1", overrideGlobalObjects }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });
}

async function start(contender: Contender, captured: Captured | undefined): Promise<string> {
  if (contender === "grantpath") return startGrantpath();
  if (!captured) throw new Error(`bench: ${contender} repeats the real answers, and was given none`);
  switch (contender) {
    case "floor":
      return startFloor(captured);
    case "serve-answer":
      return (await serve(answeringHandler(captured), { port: 0, host: "127.0.0.1" })).url;
    case "serve-empty":
      return (await serve(emptyHandler(captured), { port: 0, host: "127.0.0.1" })).url;
    case "naive-empty":
      return startNaive(emptyHandler(captured));
    case "hono-globals":
      return startHono(true);
    case "hono":
      return startHono(false);
  }
}

/**
 * A contender's child process: waits for the captured answers (the real server needs none, but
 * every child is started alike), starts its server, and tells the parent its URL; then answers
 * every message with the CPU time it has used. The parent ends it with SIGTERM.
 */
export function runContender(contender: string): void {
  if (!(CONTENDERS as readonly string[]).includes(contender)) throw new Error(`bench: no contender ${contender}`);
  process.once("message", (message: StartMessage) => {
    start(contender as Contender, message.captured).then(
      (url) => {
        process.on("message", () => {
          const { user, system } = process.cpuUsage();
          process.send?.({ cpuMicros: user + system } satisfies CpuMessage);
        });
        process.send?.({ url } satisfies ListeningMessage);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
