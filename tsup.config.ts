import { readFile } from "node:fs/promises";
import { defineConfig, type Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * Loads immer only when a graph is first written. immer's module does work when it loads (its
 * default instance, its error table, prototype lookups), which keeps all of it in any bundle
 * that imports it. grantpath uses only the `Immer` class, so the build turns the module into one
 * function run on the first `new Immer(...)`: a bundle that never writes a graph (resolve and
 * check only) drops immer whole. Types still come from immer's own declarations.
 */
function immerLoadedOnFirstUse(): Plugin {
  return {
    name: "immer-loaded-on-first-use",
    setup(build) {
      build.onLoad({ filter: /[\\/]immer[\\/]dist[\\/]immer\.mjs$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const exportsAt = source.lastIndexOf("export {");
        if (exportsAt < 0 || !source.includes("Immer2 as Immer")) {
          throw new Error("immer's module no longer has the shape tsup.config.ts expects");
        }
        const body = source.slice(0, exportsAt);
        const contents = [
          "let loaded;",
          `function load() { if (loaded === undefined) { loaded = (() => {\n${body}\nreturn Immer2; })(); } return loaded; }`,
          "export class Immer { constructor(config) { const Real = load(); return new Real(config); } }",
        ].join("\n");
        return { contents, loader: "js" };
      });
    },
  };
}

const shared: Options = {
  dts: true,
  sourcemap: true,
  // The main entry must run unchanged in browsers and edge workers: nothing may resolve to a
  // Node built-in except in the node and cli entries, which say so with "node:" imports.
  platform: "neutral",
  target: "es2022",
  treeshake: true,
  // immer is bundled, and with it its production build: its default entry reads
  // process.env.NODE_ENV when it loads, which throws in workerd and needs a permission in Deno.
  noExternal: ["immer"],
  env: { NODE_ENV: "production" },
  // immer is loaded when a graph is first written (see immerLoadedOnFirstUse).
  esbuildPlugins: [immerLoadedOnFirstUse()],
  external: ["vitest", "fast-check", "commander", "better-sqlite3", "pg", /^node:/],
};

export default defineConfig([
  // ESM: every entry, code-split so all entries share one copy of the library's classes.
  {
    ...shared,
    entry: {
      index: "src/index.ts",
      adapter: "src/adapter.ts",
      openapi: "src/openapi.ts",
      testing: "src/testing/index.ts",
      "testing/vitest": "src/testing/vitest.ts",
      "testing/fast-check": "src/testing/fast-check.ts",
      node: "src/node/index.ts",
      sqlite: "src/storage/sqlite/index.ts",
      postgres: "src/storage/postgres/index.ts",
      d1: "src/storage/d1/index.ts",
      cli: "src/cli/main.ts",
    },
    format: ["esm"],
    splitting: true,
  },
  // CommonJS for require() users: every entry but grantpath/testing/vitest (vitest cannot be
  // required) and the CLI (an executable).
  {
    ...shared,
    entry: {
      index: "src/index.ts",
      adapter: "src/adapter.ts",
      openapi: "src/openapi.ts",
      testing: "src/testing/index.ts",
      "testing/fast-check": "src/testing/fast-check.ts",
      node: "src/node/index.ts",
      sqlite: "src/storage/sqlite/index.ts",
      postgres: "src/storage/postgres/index.ts",
      d1: "src/storage/d1/index.ts",
    },
    format: ["cjs"],
  },
]);
