import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    testing: "src/testing/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  // The main entry must run unchanged in browsers and edge workers: no Node built-ins may resolve.
  platform: "neutral",
  target: "es2022",
  treeshake: true,
  external: ["immer", "vitest"],
});
