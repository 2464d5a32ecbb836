// `npm run test:runtimes`: the smoke suite (smoke-cases.mjs) over the built package in Node, Bun,
// Deno and headless Chromium, side by side. Each runtime's own lines are printed as it finishes,
// with its time; then one line per runtime and the total. Exits 1 if any runtime failed a case,
// crashed or printed no counts.
//   node test/runtimes/run.mjs                 all four
//   node test/runtimes/run.mjs deno chromium   only those
// Bun and Deno are the devDependencies' binaries (node_modules/.bin); Chromium is Debian's
// /usr/bin/chromium (or CHROMIUM_PATH), see browser.mjs. dist/ must be built first.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const SMOKE = "test/runtimes/smoke.mjs";
/** A runtime that has not finished by then is stopped and counted as failed. */
const TIMEOUT_MS = 180_000;

const RUNTIMES = {
  node: [process.execPath, [SMOKE]],
  bun: [bin("bun"), [SMOKE]],
  // No permission at all: loading local modules needs none, and the package asks for none.
  deno: [bin("deno"), ["run", "--no-prompt", "--no-lock", SMOKE]],
  chromium: [process.execPath, ["test/runtimes/browser.mjs"]],
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !Object.hasOwn(RUNTIMES, name));
if (unknown.length > 0) {
  console.error(`unknown runtime ${unknown.join(", ")}; choose among ${Object.keys(RUNTIMES).join(", ")}`);
  process.exit(2);
}
const names = asked.length > 0 ? asked : Object.keys(RUNTIMES);

/** Runs one runtime to its end, its output kept (not interleaved with the others'). */
function run(name) {
  const [command, args] = RUNTIMES[name];
  const started = performance.now();
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      output += `\n${name}: stopped after ${TIMEOUT_MS / 1000} s\n`;
      child.kill("SIGKILL");
    }, TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const finish = (code, problem) => {
      clearTimeout(timer);
      const counts = new RegExp(`^${name}: (\\d+) passed, (\\d+) failed$`, "m").exec(output);
      resolve({
        name,
        output: problem === undefined ? output : `${output}\n${problem}\n`,
        code,
        passed: counts ? Number(counts[1]) : 0,
        failed: counts ? Number(counts[2]) : 0,
        counted: counts !== null,
        seconds: (performance.now() - started) / 1000,
      });
    };
    child.on("error", (error) => finish(null, `${name}: could not start ${command}: ${error.message}`));
    child.on("close", (code) => finish(code, undefined));
  });
}

const pending = names.map(run);
const results = [];
for (const promise of pending) {
  const result = await promise;
  results.push(result);
  console.log(`== ${result.name} (${result.seconds.toFixed(1)} s)`);
  process.stdout.write(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
}

console.log("== runtimes");
let passed = 0;
let failed = 0;
for (const result of results) {
  const ok = result.code === 0 && result.counted && result.failed === 0;
  passed += result.passed;
  // A runtime that crashed or printed no counts fails even if it counted no failed case.
  failed += ok ? 0 : Math.max(result.failed, 1);
  const counts = result.counted ? `${result.passed} passed, ${result.failed} failed` : "no counts";
  console.log(
    `${ok ? "ok  " : "FAIL"} ${result.name.padEnd(8)} ${counts}, exit ${result.code}, ${result.seconds.toFixed(1)} s`,
  );
}
console.log(`runtimes: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
