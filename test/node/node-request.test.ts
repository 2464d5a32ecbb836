// The Request the Node bridge hands a handler is made only as far as it is read: it must still
// behave as a Request in everything a handler (or an authenticate hook) may do with it.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBodyTextOf } from "../../src/http/answer.js";
import { toRequest } from "../../src/node/node-request.js";

type Probe = (request: Request) => Promise<unknown>;

let base: string;
let probe: Probe = async () => null;
const server = createServer((incoming: IncomingMessage, outgoing) => {
  probe(toRequest(incoming, `http://127.0.0.1${incoming.url ?? "/"}`)).then(
    (seen) => outgoing.end(JSON.stringify(seen ?? null)),
    (error: unknown) => outgoing.end(JSON.stringify({ thrown: String(error) })),
  );
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends a request and answers what `seen` made of the Request the bridge built. */
async function through(seen: Probe, init: RequestInit = {}, path = "/probe?x=1"): Promise<unknown> {
  probe = seen;
  return (await fetch(`${base}${path}`, init)).json();
}

const POST = { method: "POST", body: '{"a":1}', headers: { "x-given": "one", "content-type": "application/json" } };

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof TypeError ? "TypeError" : String(error)),
  );

describe("the bridge's Request", () => {
  it("is a Request, with the method, URL and headers of the Node request", async () => {
    const seen = await through(
      async (request) => ({
        instance: request instanceof Request,
        tag: Object.prototype.toString.call(request),
        method: request.method,
        url: request.url,
        given: request.headers.get("x-given"),
        headers: request.headers instanceof Headers,
      }),
      POST,
    );
    expect(seen).toEqual({
      instance: true,
      tag: "[object Request]",
      method: "POST",
      url: "http://127.0.0.1/probe?x=1",
      given: "one",
      headers: true,
    });
  });

  it("reads its body once, by text() or by its stream, and is used after either", async () => {
    expect(
      await through(
        async (request) => ({
          text: await request.text(),
          again: await rejection(request.text()),
          used: request.bodyUsed,
        }),
        POST,
      ),
    ).toEqual({ text: '{"a":1}', again: "TypeError", used: true });
    expect(
      await through(async (request) => {
        const before = request.bodyUsed;
        const reader = request.body?.getReader();
        let bytes = 0;
        for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
          bytes += chunk.value.byteLength;
        }
        return {
          before,
          bytes,
          used: request.bodyUsed,
          json: await rejection(request.json()),
          clone: (() => {
            try {
              request.clone();
              return "cloned";
            } catch (error) {
              return error instanceof TypeError ? "TypeError" : String(error);
            }
          })(),
          signal: request.signal.aborted, // what needs the standard Request still works
        };
      }, POST),
    ).toEqual({ before: false, bytes: 7, used: true, json: "TypeError", clone: "TypeError", signal: false });
  });

  it("clones into a real Request, both bodies whole", async () => {
    expect(
      await through(async (request) => {
        const copy = request.clone();
        return { copy: await copy.json(), own: await request.text(), used: request.bodyUsed };
      }, POST),
    ).toEqual({ copy: { a: 1 }, own: '{"a":1}', used: true });
  });

  it("answers the rest of a Request from the standard one (signal, cache, keepalive, body of a GET)", async () => {
    expect(
      await through(async (request) => ({
        body: request.body,
        used: request.bodyUsed,
        text: await request.text(),
        cache: request.cache,
        keepalive: request.keepalive,
        aborted: request.signal.aborted,
      })),
    ).toEqual({ body: null, used: false, text: "", cache: "default", keepalive: false, aborted: false });
  });

  it("keeps a method the Fetch standard forbids, bodiless, and its standard form reads GET", async () => {
    // TRACE cannot be sent with fetch: a raw request over node:http instead.
    probe = async (request) => ({
      method: request.method,
      body: request.body,
      text: await request.text(),
      clone: request.clone().method,
    });
    const { request: send } = await import("node:http");
    const answer = await new Promise<string>((resolve, reject) => {
      const sent = send(`${base}/probe`, { method: "TRACE" }, (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve(text));
      });
      sent.on("error", reject);
      sent.end();
    });
    expect(JSON.parse(answer)).toEqual({ method: "TRACE", body: null, text: "", clone: "GET" });
  });

  it("offers its body as text straight from Node's stream, and is then used as a read Request is", async () => {
    const seen = await through(async (request) => {
      const read = readBodyTextOf(request);
      const text = await read?.(1024);
      return {
        text,
        again: readBodyTextOf(request) === undefined,
        used: request.bodyUsed,
        textAfter: await rejection(request.text()),
        cloneAfter: (() => {
          try {
            request.clone();
            return "cloned";
          } catch (error) {
            return error instanceof TypeError ? "TypeError" : String(error);
          }
        })(),
      };
    }, POST);
    expect(seen).toEqual({ text: '{"a":1}', again: true, used: true, textAfter: "TypeError", cloneAfter: "TypeError" });
  });

  it("reads text as TextDecoder would (a leading BOM dropped, bad bytes replaced) and stops past the limit", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0xff, 0x7d]);
    const decoded = await through(async (request) => readBodyTextOf(request)?.(1024), { method: "POST", body: bytes });
    expect(decoded).toBe(new TextDecoder().decode(bytes));
    const over = await through(async (request) => ({ text: (await readBodyTextOf(request)?.(4)) ?? "over" }), {
      method: "POST",
      body: "0123456789",
    });
    expect(over).toEqual({ text: "over" });
  });

  it("is not offered once the body was touched another way, nor for GET", async () => {
    const seen = await through(async (request) => {
      void request.body;
      return readBodyTextOf(request) === undefined;
    }, POST);
    expect(seen).toBe(true);
    expect(await through(async (request) => readBodyTextOf(request) === undefined)).toBe(true);
  });
});
