/**
 * The REST API over real HTTP: the handler served by `serve` (grantpath/node) on 127.0.0.1,
 * port 0, driven with `fetch`. Every response is checked against the OpenAPI document by the
 * request helper, as in the handler tests.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AccessControl } from "../../src/index.js";
import { type RunningServer, serve } from "../../src/node/index.js";
import {
  type Api,
  createApi,
  createRequest,
  expectError,
  expectValidationError,
  FIXTURE_GRANTS,
  NEW_ID,
  NOW,
  ORG,
  ORG_PATH,
  OWNER,
  type RequestFn,
  SEED_USER,
  TOKENS,
} from "./support.js";

const GRANTS = `${ORG_PATH}/access/grants`;
const MAX_BODY_BYTES = 4096;

let api: Api;
let server: RunningServer;
let request: RequestFn;

beforeAll(async () => {
  api = createApi({ handler: { maxBodyBytes: MAX_BODY_BYTES } });
  server = await serve(api.handler, { port: 0, host: "127.0.0.1", onError: (error) => api.unexpected.push(error) });
  request = createRequest((path, init) => fetch(`${server.url}${path}`, init));
});

afterAll(async () => {
  await server?.close();
});

describe("serve", () => {
  it("listens on 127.0.0.1 on the free port it was given", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("creates, resolves, lists, changes and revokes a grant", async () => {
    const body = {
      entity_type: "knowledge_slice",
      entity_id: "kslice_live01",
      grantee_type: "user",
      grantee_id: SEED_USER,
      access_level: "read",
    };
    const created = await request(GRANTS, { method: "POST", as: "owner", json: body });
    expect(created.status).toBe(201);
    expect(created.body).toStrictEqual({
      id: NEW_ID(1),
      ...body,
      granted_by: OWNER,
      organization_id: ORG,
      created_at: NOW,
      updated_at: NOW,
    });

    const resolved = await request(`${ORG_PATH}/users/${SEED_USER}/resolved-access?entity_type=knowledge_slice`, {
      as: "seedUser",
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      user_id: SEED_USER,
      entities: expect.arrayContaining([
        {
          entity_type: "knowledge_slice",
          entity_id: "kslice_live01",
          access_level: "read",
          grant_paths: [
            {
              type: "direct",
              access_level: "read",
              department_id: null,
              role_id: null,
              composite_id: null,
              grant_id: NEW_ID(1),
            },
          ],
        },
      ]),
    });

    const listed = await request(`${GRANTS}?skip=${FIXTURE_GRANTS.length}&limit=5`);
    expect(listed.body).toStrictEqual({
      items: [created.body],
      total: FIXTURE_GRANTS.length + 1,
      skip: FIXTURE_GRANTS.length,
      limit: 5,
      has_more: false,
    });

    const changed = await request(`${GRANTS}/${NEW_ID(1)}`, { method: "PATCH", json: { access_level: "admin" } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: NEW_ID(1), access_level: "admin" });

    const revoked = await request(`${GRANTS}/${NEW_ID(1)}`, { method: "DELETE" });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe("");

    const read = await request(`${GRANTS}/${NEW_ID(1)}`);
    expect(read.body).toMatchObject({ id: NEW_ID(1), access_level: "admin", revoked_at: NOW });
    expectError(await request(`${GRANTS}/${NEW_ID(1)}`, { method: "DELETE" }), 404, "RESOURCE_NOT_FOUND");
  });

  it("answers errors with the worked example's envelope", async () => {
    expectError(await request(GRANTS, { as: null }), 401, "AUTHENTICATION_REQUIRED");
    expectError(await request(GRANTS, { as: "stranger" }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await request(`${ORG_PATH}/nothing/here`), 404, "RESOURCE_NOT_FOUND");
    expectError(await request("/v1/organizations/org_nowhere/access/grants"), 404, "RESOURCE_NOT_FOUND");
    expectValidationError(await request(`${GRANTS}?limit=101`), "limit");
    expectValidationError(
      await request(GRANTS, { method: "POST", body: "{not json", headers: { "content-type": "application/json" } }),
      "body",
    );
    expectError(
      await request(GRANTS, { method: "POST", body: "{}", headers: { "content-type": "text/plain" } }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectValidationError(await request(`${ORG_PATH}/knowledge/slices/vs_x/grants`), "slice_id");
  });

  it("keeps the Allow header of a 405", async () => {
    const res = await request(GRANTS, { method: "PUT", json: {} });
    expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect(
      (res.headers.get("allow") ?? "")
        .split(",")
        .map((m) => m.trim())
        .sort(),
    ).toEqual(["GET", "HEAD", "POST"]);
    const bulk = await request(`${GRANTS}/bulk`);
    expectError(bulk, 405, "METHOD_NOT_ALLOWED");
    expect(bulk.headers.get("allow")).toBe("POST");
  });

  it("answers 413 to a body over the limit declared by Content-Length", async () => {
    const res = await request(GRANTS, {
      method: "POST",
      body: JSON.stringify({ padding: "x".repeat(MAX_BODY_BYTES) }),
      headers: { "content-type": "application/json" },
    });
    const error = expectError(res, 413, "PAYLOAD_TOO_LARGE");
    expect(error.details).toEqual({ max_bytes: MAX_BODY_BYTES });
  });

  it("serves the OpenAPI document, and its headers to HEAD", async () => {
    const res = await request("/openapi.json", { as: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ openapi: "3.1.0" });
    const head = await fetch(`${server.url}/openapi.json`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toMatch(/^application\/json\b/);
    expect(await head.text()).toBe("");
  });

  it("met no unexpected error", () => {
    expect(api.unexpected).toEqual([]);
  });
});

/** A chunked JSON body of about `kib` KiB, produced only as fast as it is read. */
function streamedBody(kib: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const chunk = encoder.encode(`"${"x".repeat(1022)}",`);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"padding":['));
    },
    pull(controller) {
      if (sent++ < kib) return controller.enqueue(chunk);
      controller.enqueue(encoder.encode('""]}'));
      controller.close();
    },
  });
}

/** Closes a server, giving up (and dropping its connections) after `ms`, so one stuck socket cannot stall the suite. */
async function closeWithin(running: RunningServer, ms: number): Promise<"closed" | "timed out"> {
  const outcome = await Promise.race([
    // A second close of a closed server rejects (not running): that counts as closed too.
    running.close().then(
      () => "closed" as const,
      () => "closed" as const,
    ),
    new Promise<"timed out">((resolve) => setTimeout(() => resolve("timed out"), ms)),
  ]);
  if (outcome === "timed out") running.server.closeAllConnections();
  return outcome;
}

describe("a streamed body over the limit", () => {
  it("answers 413 and stores nothing", async () => {
    const own = createApi({ handler: { maxBodyBytes: MAX_BODY_BYTES } });
    const running = await serve(own.handler, { port: 0, host: "127.0.0.1" });
    try {
      const send = createRequest((path, init) => fetch(`${running.url}${path}`, init));
      const res = await send(GRANTS, {
        method: "POST",
        body: streamedBody(64),
        headers: { "content-type": "application/json" },
      });
      const error = expectError(res, 413, "PAYLOAD_TOO_LARGE");
      expect(error.details).toEqual({ max_bytes: MAX_BODY_BYTES });
      expect((await own.accessControl.listGrants(ORG, OWNER, { limit: 100 })).items).toEqual(FIXTURE_GRANTS);
      expect(own.unexpected).toEqual([]);
    } finally {
      await closeWithin(running, 500);
    }
  });

  it("leaves the client's connections usable: the next requests answer promptly", async () => {
    const own = createApi({ handler: { maxBodyBytes: MAX_BODY_BYTES } });
    const running = await serve(own.handler, { port: 0, host: "127.0.0.1" });
    try {
      const send = createRequest((path, init) =>
        fetch(`${running.url}${path}`, { ...init, signal: AbortSignal.timeout(2000) }),
      );
      const res = await send(GRANTS, {
        method: "POST",
        body: streamedBody(64),
        headers: { "content-type": "application/json" },
      });
      expectError(res, 413, "PAYLOAD_TOO_LARGE");
      const outcomes: (number | string)[] = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push(
          await send("/openapi.json").then(
            (next) => next.status,
            (error: unknown) => {
              const cause = (error as { cause?: { code?: unknown } }).cause;
              return `failed: ${String(cause?.code ?? (error as Error).name)}`;
            },
          ),
        );
      }
      expect(outcomes).toEqual([200, 200, 200]);
      expect(await closeWithin(running, 2000)).toBe("closed");
    } finally {
      await closeWithin(running, 500);
    }
  });
});

/** Sends raw bytes on a fresh connection and answers the status line and the body. */
function rawRequest(port: number, text: string): Promise<{ statusLine: string; body: string }> {
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
      resolve({ statusLine: head.split("\r\n")[0] ?? "", body: rest.join("\r\n\r\n") });
    });
    socket.write(text);
  });
}

describe("requests that only HTTP can make", () => {
  it.each([
    ["an empty Host header (allowed by RFC 9112)", "Host: "],
    ["a Host header that is not a valid authority", "Host: exa mple"],
    ["a Host with an out-of-range port", "Host: localhost:99999"],
  ])("answers %s like any other request, never 500", async (_what, hostLine) => {
    const res = await rawRequest(
      server.port,
      `GET ${GRANTS}?limit=1 HTTP/1.1\r\n${hostLine}\r\nAuthorization: Bearer ${TOKENS.owner}\r\nConnection: close\r\n\r\n`,
    );
    expect(res.statusLine).toBe("HTTP/1.1 200 OK");
    expect(api.unexpected).toEqual([]);
  });
});

describe("an onError hook that throws", () => {
  it("answers 500 and the server keeps serving: the hook's error does not escape as an uncaught exception", async () => {
    const hookError = new Error("the logger is down");
    const escaped: unknown[] = [];
    const realQueueMicrotask = globalThis.queueMicrotask;
    // On Node an error thrown from a microtask is an uncaughtException, which ends the process;
    // catch it here (so this test process survives) and count it as escaped.
    const spy = vi.spyOn(globalThis, "queueMicrotask").mockImplementation((callback) => {
      realQueueMicrotask(() => {
        try {
          callback();
        } catch (error) {
          if (error !== hookError) throw error;
          escaped.push(error);
        }
      });
    });
    const own = createApi({
      wrapAccessControl: (real): AccessControl => ({
        ...real,
        listGrants: () => Promise.reject(new Error("database down")),
      }),
      handler: {
        onError: () => {
          throw hookError;
        },
      },
    });
    const running = await serve(own.handler, { port: 0, host: "127.0.0.1" });
    try {
      const send = createRequest((path, init) => fetch(`${running.url}${path}`, init));
      expectError(await send(GRANTS), 500, "INTERNAL_ERROR");
      expect((await send("/openapi.json")).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(escaped).toEqual([]);
    } finally {
      spy.mockRestore();
      await closeWithin(running, 2000);
    }
  });
});

describe("server.close()", () => {
  it("lets a request in flight finish, resolves, and then refuses connections", async () => {
    const gate: { open?: () => void } = {};
    const opened = new Promise<void>((resolve) => {
      gate.open = resolve;
    });
    const own = createApi();
    let arrived: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow = await serve(
      async (req) => {
        arrived();
        await opened;
        return own.handler(req);
      },
      { port: 0, host: "127.0.0.1" },
    );
    const inFlight = fetch(`${slow.url}${GRANTS}`, { headers: { authorization: `Bearer ${TOKENS.owner}` } });
    await inside;

    let closed = false;
    const closing = slow.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false); // still serving the request in flight

    gate.open?.();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ total: FIXTURE_GRANTS.length });
    await closing;
    expect(closed).toBe(true);

    await expect(fetch(`${slow.url}/openapi.json`)).rejects.toThrow();
    await expect(fetch(`${slow.url}/openapi.json`)).rejects.toMatchObject({
      cause: expect.objectContaining({ code: "ECONNREFUSED" }),
    });
  });

  it("resolves promptly for an idle server with a kept-alive connection", async () => {
    const own = createApi();
    const idle = await serve(own.handler, { port: 0, host: "127.0.0.1" });
    const res = await fetch(`${idle.url}/openapi.json`);
    await res.text();
    const started = Date.now();
    await idle.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(fetch(`${idle.url}/openapi.json`)).rejects.toThrow();
  });
});
