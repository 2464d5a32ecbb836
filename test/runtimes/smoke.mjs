// The smoke suite (smoke-cases.mjs) as a program, for Node, Bun and Deno alike:
//   node test/runtimes/smoke.mjs
//   bun test/runtimes/smoke.mjs
//   deno run --allow-read test/runtimes/smoke.mjs
// It prints one line per case and `<runtime>: N passed, M failed`, and exits 1 when any failed.
// dist/ must be built first (`npm run build`).
import { runSmoke } from "./smoke-cases.mjs";

/** Which runtime this is, by the globals each one defines (Bun and Deno also define `process`). */
function runtimeName() {
  if (typeof globalThis.Bun !== "undefined") return `bun ${globalThis.Bun.version}`;
  if (typeof globalThis.Deno !== "undefined") return `deno ${globalThis.Deno.version.deno}`;
  return `node ${globalThis.process.versions.node}`;
}

const name = runtimeName();
const { failed } = await runSmoke(name.split(" ")[0], (line) => console.log(line));
console.log(`(${name})`);
if (failed > 0) {
  if (typeof globalThis.Deno !== "undefined") globalThis.Deno.exit(1);
  globalThis.process.exitCode = 1;
}
