// The Node server's edges: a client that hangs up mid-body, a stalled upload at shutdown, and
// close() called twice.
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { createAccessControl, createHttpHandler, memoryStorage } from "../../src/index.js";
import { serve } from "../../src/node/index.js";

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
