// The smoke suite (smoke-cases.mjs) in headless Chromium: a tiny static server on 127.0.0.1
// serves dist/ and test/runtimes/ as they are (ES modules, no bundling), a page imports
// smoke-cases.mjs, runs it, and hands back its lines and counts.
//   node test/runtimes/browser.mjs
// Chromium is Debian's (/usr/bin/chromium, `apt-get install chromium`), driven by playwright-core;
// CHROMIUM_PATH names another binary. dist/ must be built first (`npm run build`).
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../..", import.meta.url));
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Only these folders are served: the package as built, and the suite. */
const SERVED = ["/dist/", "/test/runtimes/"];
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".map": "application/json" };
const PAGE = '<!doctype html><meta charset="utf-8"><title>grantpath smoke</title>';
const TIMEOUT_MS = 60_000;

const server = createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
  if (path === "/") {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    return;
  }
  const type = TYPES[extname(path)];
  if (type === undefined || !SERVED.some((prefix) => path.startsWith(prefix))) {
    response.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(join(root, path));
    response.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
const address = server.address();
const origin = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;

let failed = 1;
let browser;
try {
  browser = await chromium.launch({ executablePath, timeout: TIMEOUT_MS });
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  // Anything the page reports beyond the suite's own lines (a module that fails to load, say).
  page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
  page.on("requestfailed", (request) => console.log(`request failed: ${request.url()}`));
  page.on("response", (answer) => {
    if (answer.status() >= 400) console.log(`HTTP ${answer.status()}: ${answer.url()}`);
  });
  await page.goto(`${origin}/`);
  const result = await page.evaluate(async () => {
    const lines = [];
    const { runSmoke } = await import("/test/runtimes/smoke-cases.mjs");
    const counts = await runSmoke("chromium", (line) => lines.push(line));
    return { ...counts, lines, node: typeof globalThis.process };
  });
  for (const line of result.lines) console.log(line);
  console.log(`(chromium ${browser.version()}, no Node globals: ${result.node === "undefined"})`);
  failed = result.failed + (result.node === "undefined" ? 0 : 1);
} catch (error) {
  console.log(`chromium: the suite did not run: ${error instanceof Error ? error.message : String(error)}`);
  console.log("(Chromium: `apt-get install chromium`, or CHROMIUM_PATH=/path/to/chromium)");
} finally {
  await browser?.close();
  server.close();
}
process.exitCode = failed > 0 ? 1 : 0;
