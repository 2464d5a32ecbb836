import { readFile } from "node:fs/promises";
import { defineConfig, type Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

/** Annotates immer's module-level default instance as pure (see `esbuildPlugins` below). */
function immerDefaultInstancePure(): Plugin {
  return {
    name: "immer-default-instance-pure",
    setup(build) {
      build.onLoad({ filter: /[\\/]immer[\\/]dist[\\/]immer\.mjs$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const marked = source
          .replace("var immer = new Immer2();", "var immer = /* @__PURE__ */ new Immer2();")
          .replace("var produce = immer.produce;", "var produce = /* @__PURE__ */ (() => immer.produce)();");
        if (marked === source) throw new Error("immer's default instance is no longer where tsup.config.ts expects it");
        return { contents: marked, loader: "js" };
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
  // immer makes a default instance (and reads its method) when it loads; grantpath never uses
  // it. Marked pure, it is dropped, and a bundle that never writes a graph drops immer whole.
  esbuildPlugins: [immerDefaultInstancePure()],
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
    },
    format: ["cjs"],
  },
]);
