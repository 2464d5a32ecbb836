// Bundles a benchmark entry the way tsup bundles the package (esbuild, no keepNames), so the
// timings are those of the code users run. Running the .ts files through tsx instead would wrap
// every closure in a naming helper that costs per call.
//
//   node bench/bundle.mjs bench/run.ts .bench-out/run.mjs
import { build } from "esbuild";

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) throw new Error("usage: node bench/bundle.mjs <entry.ts> <out.mjs>");
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["casbin", "@casl/ability", "pg", "better-sqlite3"],
  logLevel: "warning",
});
