// The Node server's edges: a client that hangs up mid-body, a stalled upload at shutdown,
// close() called twice, and methods a web-standard Request cannot carry.
import { connect } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAccessControl, createHttpHandler, memoryStorage } from "../../src/index.js";
import { type RunningServer, serve } from "../../src/node/index.js";
import { type ApiResponse, createApi, expectDocumented, expectError, ORG_PATH, TOKENS } from "../http/support.js";

function server(onError: (error: unknown) => void, shutdownTimeoutMs = 300) {
  const accessControl = createAccessControl({
    storage: memoryStorage({ initial: [{ organization_id: "org_1", owners: ["usr_owner1"] }] }),
  });
  const handler = createHttpHandler(accessControl, { authenticate: () => ({ user_id: "usr_owner1" }), onError });
  return serve(handler, { port: 0, shutdownTimeoutMs });
}

/** Sends the head of a POST and part of its body, then leaves the socket as `then` says. */
function partialUpload(port: number, then: "hang up" | "stall"): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        "POST /v1/organizations/org_1/access/grants HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
          "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
          '{"entity_type":"assistant",',
      );
      setTimeout(() => {
        if (then === "hang up") socket.destroy();
        resolve();
      }, 100);
    });
    socket.on("error", () => {});
  });
}

describe("serve", () => {
  it("a client that hangs up mid-body is not an unexpected error, and nothing is stored", async () => {
    const unexpected: unknown[] = [];
    const running = await server((error) => unexpected.push(error));
    await partialUpload(running.port, "hang up");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const list = await fetch(`${running.url}/v1/organizations/org_1/access/grants`);
    expect((await list.json()) as { total: number }).toMatchObject({ total: 0 });
    expect(unexpected).toEqual([]);
    await running.close();
  });

  it("close() cuts a stalled upload at its deadline, and calling it twice is one shutdown", async () => {
    const running = await server(() => {}, 300);
    await partialUpload(running.port, "stall");
    const started = Date.now();
    const first = running.close();
    expect(running.close()).toBe(first);
    await first;
    // Generous bound: the deadline is 300 ms; without it Node would wait for its request timeout.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

/** Sends raw bytes on a fresh connection and parses the answer (the body as JSON when there is one). */
function rawExchange(port: number, text: string): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (data: string) => {
      received += data;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = received.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const headers = new Headers();
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      const body = rest.join("\r\n\r\n");
      // A chunked body (the request listener's answers) is one chunk here: its size line, the JSON, 0.
      const text = headers.get("transfer-encoding") === "chunked" ? body.split("\r\n").slice(1, -3).join("") : body;
      resolve({ status: Number(statusLine.split(" ")[1]), headers, text });
    });
    socket.write(text);
  });
}

describe("methods a web-standard Request cannot carry, and methods no route has", () => {
  const GRANTS = `${ORG_PATH}/access/grants`;
  const api = createApi();
  const reported: unknown[] = [];
  let running: RunningServer;
  let consoleError: ReturnType<typeof vi.spyOn>;

  beforeAll(async () => {
    running = await serve(api.handler, { port: 0, host: "127.0.0.1", onError: (error) => reported.push(error) });
    consoleError = vi.spyOn(console, "error");
  });
  afterAll(async () => {
    consoleError.mockRestore();
    await running.close();
  });
  afterEach(() => {
    // Nothing is an unexpected error: not the handler's onError, not serve's, not a log line.
    const logged = consoleError.mock.calls.length;
    const seen = [api.unexpected.splice(0), reported.splice(0)];
    consoleError.mockClear();
    expect(seen).toEqual([[], []]);
    expect(logged).toBe(0);
  });

  /** Sends `method target` and answers the response as the request helper would (checked against the document). */
  async function send(method: string, target: string, seenPath = target, extra = ""): Promise<ApiResponse> {
    const exchange = await rawExchange(
      running.port,
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKENS.owner}\r\n${extra}Connection: close\r\n\r\n`,
    );
    const response: ApiResponse = {
      method,
      path: seenPath,
      status: exchange.status,
      headers: exchange.headers,
      text: exchange.text,
      body: exchange.text === "" ? undefined : (JSON.parse(exchange.text) as unknown),
    };
    expectDocumented(response);
    return response;
  }

  function allowed(response: ApiResponse): string[] {
    return (response.headers.get("allow") ?? "")
      .split(",")
      .map((method) => method.trim())
      .sort();
  }

  it("TRACE on a route answers 405 with the envelope and the route's Allow, echoing nothing", async () => {
    const response = await send("TRACE", GRANTS);
    const error = expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(allowed(response)).toEqual(["GET", "HEAD", "POST"]);
    expect([...(error.details.allowed_methods as string[])].sort()).toEqual(["GET", "HEAD", "POST"]);
    // A TRACE must not be echoed back: the answer holds nothing of the request's headers.
    expect(response.text).not.toContain(TOKENS.owner);
  });

  it("TRACE with a body is answered the same, and the unread body closes the connection", async () => {
    const response = await send("TRACE", `${GRANTS}/bulk`, `${GRANTS}/bulk`, "Content-Length: 5\r\n");
    expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("TRACE on an unknown path is a 404, as any method there is", async () => {
    expectError(await send("TRACE", "/nowhere"), 404, "RESOURCE_NOT_FOUND");
  });

  it("CONNECT (which Node hands over as a raw connection) is answered by the handler too", async () => {
    // Its authority-form target is no path: the handler sees "/", which no route has.
    expectError(await send("CONNECT", "127.0.0.1:443", "/"), 404, "RESOURCE_NOT_FOUND");
    const onRoute = await send("CONNECT", GRANTS);
    expectError(onRoute, 405, "METHOD_NOT_ALLOWED");
    expect(allowed(onRoute)).toEqual(["GET", "HEAD", "POST"]);
  });

  it.each(["PROPFIND", "QUERY", "M-SEARCH", "PURGE"])(
    "%s, a method Node parses but no route has, answers 405",
    async (method) => {
      const response = await send(method, `${GRANTS}/agrant_seed01`);
      expectError(response, 405, "METHOD_NOT_ALLOWED");
      expect(allowed(response)).toEqual(["DELETE", "GET", "HEAD", "PATCH"]);
    },
  );

  it.each(["TRACK", "FOO", "get"])(
    "%s, which Node's parser refuses, is Node's 400 and reaches nobody",
    async (method) => {
      const exchange = await rawExchange(running.port, `${method} ${GRANTS} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect(exchange.status).toBe(400);
    },
  );

  it("a normal request on the same server still answers 200 afterwards", async () => {
    const response = await send("GET", `${GRANTS}?limit=1`);
    expect(response.status).toBe(200);
  });
});

describe("a handler that fails instead of answering", () => {
  it("is answered 500 with the envelope (not an empty body) and reported to serve's onError", async () => {
    const reported: unknown[] = [];
    const failure = new Error("the handler broke");
    const running = await serve(() => Promise.reject(failure), { port: 0, onError: (error) => reported.push(error) });
    try {
      const response = await fetch(`${running.url}/anything`);
      expect(response.status).toBe(500);
      const body = (await response.json()) as { success: boolean; error: Record<string, unknown> };
      expect(body.success).toBe(false);
      expect(body.error).toMatchObject({ code: "INTERNAL_ERROR", status: 500, type: "server_error", details: {} });
      expect(JSON.stringify(body)).not.toContain("the handler broke");
      expect(reported).toEqual([failure]);
    } finally {
      await running.close();
    }
  });
});

describe("the handler itself, given odd but legal methods", () => {
  const GRANTS = `${ORG_PATH}/access/grants`;

  it("answers a lowercase method the Fetch standard normalizes (get) as that method, and others (patch) 405", async () => {
    const api = createApi();
    expect((await api.request(`${GRANTS}?limit=1`, { method: "get" })).status).toBe(200);
    // Methods are case-sensitive and Fetch upper-cases only the six it names, so "patch" is not PATCH.
    // (Sent without the request helper: its document check upper-cases methods.)
    const patch = await api.handler(
      new Request(new URL(`${GRANTS}/agrant_seed01`, "http://localhost"), {
        method: "patch",
        headers: { authorization: `Bearer ${TOKENS.owner}`, "content-type": "application/json" },
        body: JSON.stringify({ access_level: "write" }),
      }),
    );
    expect(patch.status).toBe(405);
    expect(patch.headers.get("allow")).toContain("PATCH");
    expect(((await patch.json()) as { error: { code: string } }).error.code).toBe("METHOD_NOT_ALLOWED");
    expectError(await api.request(GRANTS, { method: "PROPFIND" }), 405, "METHOD_NOT_ALLOWED");
    expect(api.unexpected).toEqual([]);
  });

  it("answers a Request whose method reads TRACE (as some runtimes may hand over) 405, not 500", async () => {
    const api = createApi();
    const request = new Request(new URL(GRANTS, "http://localhost"), {
      headers: { authorization: `Bearer ${TOKENS.owner}` },
    });
    Object.defineProperty(request, "method", { value: "TRACE" });
    const response = await api.handler(request);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBeTruthy();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("METHOD_NOT_ALLOWED");
    expect(api.unexpected).toEqual([]);
  });
});

describe("a handler's answers written as data, and any other handler's Responses", () => {
  /** Serves a fresh fixture: its handler as it is (answers as data), or wrapped (a Response to read back). */
  async function fixture(wrapped: boolean) {
    const api = createApi();
    const handler = wrapped ? (request: Request) => api.handler(request) : api.handler;
    return { api, running: await serve(handler, { port: 0 }) };
  }

  /** What a client sees, but what differs by nature between two answers (the date, trace ids). */
  async function seen(response: Response) {
    const headers: [string, string][] = [];
    response.headers.forEach((value, name) => {
      if (name !== "date") headers.push([name, value]);
    });
    const text = await response.text();
    return { status: response.status, headers, text: text.replace(/"trace_id":"[^"]*"/, '"trace_id":"…"') };
  }

  it("are the same bytes either way, for every kind of answer", async () => {
    const [direct, wrapped] = await Promise.all([fixture(false), fixture(true)]);
    try {
      const owner = { authorization: `Bearer ${TOKENS.owner}` };
      const grant = {
        entity_type: "knowledge_slice",
        entity_id: "kslice_both01",
        grantee_type: "user",
        grantee_id: "usr_def456",
        access_level: "read",
      };
      const exchanges: [string, RequestInit][] = [
        [`${ORG_PATH}/users/usr_def456/resolved-access`, { headers: owner }],
        [`${ORG_PATH}/users/usr_def456/resolved-access`, { method: "HEAD", headers: owner }],
        [
          `${ORG_PATH}/access/grants`,
          { method: "POST", headers: { ...owner, "content-type": "application/json" }, body: JSON.stringify(grant) },
        ],
        [`${ORG_PATH}/access/grants?limit=2&skip=1`, { headers: owner }],
        [`${ORG_PATH}/access/grants/agrant_seed01`, { method: "DELETE", headers: owner }],
        [`${ORG_PATH}/access/grants`, { method: "PUT", headers: owner }],
        [`${ORG_PATH}/access/grants`, {}],
        ["/nowhere", { headers: owner }],
        ["/openapi.json", { method: "HEAD" }],
      ];
      const statuses: number[] = [];
      for (const [path, init] of exchanges) {
        const [one, other] = await Promise.all([
          fetch(`${direct.running.url}${path}`, init).then(seen),
          fetch(`${wrapped.running.url}${path}`, init).then(seen),
        ]);
        expect(other, `${init.method ?? "GET"} ${path}`).toEqual(one);
        statuses.push(one.status);
      }
      expect(statuses).toEqual([200, 200, 201, 200, 204, 405, 401, 404, 200]);
      expect([direct.api.unexpected, wrapped.api.unexpected]).toEqual([[], []]);
    } finally {
      await Promise.all([direct.running.close(), wrapped.running.close()]);
    }
  });

  it("writes a whole body with its length, streams one still being written, and keeps every Set-Cookie", async () => {
    const encoder = new TextEncoder();
    const running = await serve(
      async (request) => {
        if (new URL(request.url).pathname === "/stream") {
          const body = new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(encoder.encode("first,"));
              await new Promise((resolve) => setTimeout(resolve, 20));
              controller.enqueue(encoder.encode("second"));
              controller.close();
            },
          });
          return new Response(body);
        }
        const headers = new Headers({ "content-type": "text/plain" });
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response("whole", { headers });
      },
      { port: 0 },
    );
    try {
      const whole = await fetch(`${running.url}/whole`);
      expect(whole.headers.get("content-length")).toBe("5");
      expect(whole.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
      expect(await whole.text()).toBe("whole");
      const streamed = await fetch(`${running.url}/stream`);
      expect(streamed.headers.get("transfer-encoding")).toBe("chunked");
      expect(await streamed.text()).toBe("first,second");
    } finally {
      await running.close();
    }
  });
});
