// The bridge builds a request's URL without parsing it when it can: whatever the Host header and
// path, and in whatever order requests come, it must be the URL that parsing gives.
import type { IncomingMessage } from "node:http";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRequestUrl } from "../../src/node/request-url.js";

/** What the bridge gave before it kept any origin: the path joined to the Host header, parsed. */
function parsed(hostHeader: string | undefined, target: string, fallback: string): string {
  const path = target.startsWith("/") ? target : "/";
  if (hostHeader) {
    try {
      const url = new URL(`http://${hostHeader}${path}`);
      if (url.username === "" && url.password === "") return url.href;
    } catch {
      // not an authority: the fallback
    }
  }
  return new URL(`http://${fallback}${path}`).href;
}

function incoming(host: string | undefined, url: string): IncomingMessage {
  return { url, headers: host === undefined ? {} : { host } } as IncomingMessage;
}

const hosts = fc.oneof(
  fc.constantFrom(undefined, "", "127.0.0.1:3000", "localhost", "LOCALHOST:80", "[::1]:8080", "example.com:"),
  fc.constantFrom("127.1", "0x7f.1", "a@b.com", "u:p@h", "exa mple.com", "ex%41mple.com", "münchen.de", "h:65536"),
  fc.stringMatching(/^[a-zA-Z0-9.:[\]@%/?#\\-]{0,12}$/),
);
const paths = fc.oneof(
  fc.constantFrom("/v1/organizations/org_1/access/grants?limit=1", "//v1/x", "/a/./b", "/a/../b", "/a/%2e%2e/b"),
  fc.constantFrom("/a\\b", "/a b", "/a'b?c'd", "/é", "/a?b=c d", "/a#x", "/a/.", "/a/..?x", "*", "example.com:443"),
  fc.stringMatching(/^\/[a-zA-Z0-9._~!$&'()*+,;=:@/?#%\\ é^|[\]-]{0,16}$/),
);

describe("createRequestUrl", () => {
  it("gives what parsing gives, whatever came before", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hosts, paths), { minLength: 1, maxLength: 8 }), (requests) => {
        const requestUrl = createRequestUrl("127.0.0.1");
        for (const [host, path] of requests) {
          expect(requestUrl(incoming(host, path))).toBe(parsed(host, path, "127.0.0.1"));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("never names credentials, which a Request refuses", () => {
    const requestUrl = createRequestUrl("[::1]");
    expect(requestUrl(incoming("user:secret@example.com", "/x"))).toBe("http://[::1]/x");
    expect(requestUrl(incoming("127.0.0.1:3000", "/x"))).toBe("http://127.0.0.1:3000/x");
  });
});
