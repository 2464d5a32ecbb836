// The core entry must run unchanged in a browser or an edge worker: it may import nothing but
// its declared dependencies, and no Node built-in.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
/** The core alone's budget, gzipped. */
const CORE_LIMIT_BYTES = 11.5 * 1024;
const pkg = JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as { dependencies: Record<string, string> };

describe("the built core entry", () => {
  it("imports only its declared runtime dependencies", async () => {
    const result = await build({
      entryPoints: [`${root}/dist/index.js`],
      bundle: true,
      write: false,
      metafile: true,
      platform: "neutral",
      format: "esm",
      packages: "external",
    });
    const imports = Object.values(result.metafile.inputs).flatMap((input) =>
      input.imports.filter((i) => i.external).map((i) => i.path),
    );
    expect(imports.filter((path) => path.startsWith("node:"))).toEqual([]);
    // Nothing at all: the library has no run-time dependency, and the CLI's commander is a
    // dependency of the bin, never of the library entry.
    expect([...new Set(imports)].sort()).toEqual([]);
    expect(Object.keys(pkg.dependencies)).toEqual(["commander", "yaml"]);
  });

  it("bundles with no platform defines and runs in a bare JavaScript context with no Node globals", async () => {
    // platform "neutral" and no minify: esbuild defines nothing (not even process.env.NODE_ENV),
    // as in a plain ESM import in Deno or workerd.
    const result = await build({
      entryPoints: [`${root}/dist/index.js`],
      bundle: true,
      write: false,
      platform: "neutral",
      format: "iife",
      globalName: "grantpath",
    });
    const code = result.outputFiles[0]?.text ?? "";
    const sandbox: Record<string, unknown> = {};
    runInNewContext(
      `${code}
      const graph = grantpath.createGraph({ organization_id: "org_1", grants: [{ entity_type: "assistant",
        entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_1", access_level: "admin" }] });
      globalThis.result = grantpath.checkAccess(graph, "usr_1", "assistant", "asst_1", { at: new Date(0) });
      globalThis.hasProcess = typeof process !== "undefined" || typeof require !== "undefined";`,
      sandbox,
    );
    expect(sandbox.hasProcess).toBe(false);
    expect(sandbox.result).toMatchObject({ allowed: true, access_level: "admin" });
  });

  it("keeps the core alone (createGraph, resolveAccess, checkAccess) within 11.5 KiB gzipped", async ({ annotate }) => {
    // What a browser page or worker that only answers questions carries: everything else
    // (the service, storage, HTTP and the graph writes) must tree-shake away.
    const result = await build({
      stdin: {
        contents: 'export { createGraph, resolveAccess, checkAccess } from "./dist/index.js";',
        resolveDir: root,
      },
      bundle: true,
      write: false,
      minify: true,
      platform: "neutral",
      format: "esm",
    });
    const code = result.outputFiles[0]?.text ?? "";
    const gzipped = gzipSync(code).byteLength;
    const summary = `core bundle: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(2)} KiB gzipped (${gzipped} B; limit ${CORE_LIMIT_BYTES} B)`;
    console.log(summary);
    await annotate(summary, "bundle-size");
    expect(gzipped).toBeLessThanOrEqual(CORE_LIMIT_BYTES);
  });
});
