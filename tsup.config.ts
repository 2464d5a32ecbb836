import { defineConfig, type Options } from "tsup";

const shared: Options = {
  dts: true,
  sourcemap: true,
  // The main entry must run unchanged in browsers and edge workers: no Node built-ins may resolve.
  platform: "neutral",
  target: "es2022",
  treeshake: true,
  external: ["immer", "vitest"],
};

export default defineConfig([
  // ESM: every entry, code-split so the main entry and grantpath/testing share one copy of the
  // library's classes and functions.
  { ...shared, entry: { index: "src/index.ts", testing: "src/testing/index.ts" }, format: ["esm"], splitting: true },
  // CommonJS: the library only. grantpath/testing runs inside vitest, which cannot be require()d.
  { ...shared, entry: { index: "src/index.ts" }, format: ["cjs"] },
]);
