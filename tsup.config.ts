import { defineConfig, type Options } from "tsup";

const shared: Options = {
  dts: true,
  sourcemap: true,
  // The main entry must run unchanged in browsers and edge workers: nothing may resolve to a
  // Node built-in except in the node and cli entries, which say so with "node:" imports.
  platform: "neutral",
  target: "es2022",
  treeshake: true,
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
