/**
 * One load of one server with autocannon, and the figures `npm run bench:http` reports.
 * Latencies are taken from every 2xx answer's own time (a float in milliseconds): autocannon's
 * histogram keeps whole milliseconds, and a fast server answers in a fraction of one. The
 * server's CPU time per request is the one figure that other processes on the machine hardly
 * move (they take turns on the cores, which requests/s feels at once).
 * @module
 */
import { createRequire } from "node:module";
import type Autocannon from "autocannon";
import { POST_BODY_TEMPLATE, TOKEN } from "./http-servers.js";

// Loaded from node_modules at run time, not bundled: autocannon requires its own files, workers
// and WebAssembly by path, which an ES module bundle cannot.
const autocannon = createRequire(import.meta.url)("autocannon") as typeof Autocannon;

/** A route to load: GET answers the same every time; POST creates a fresh grant per request. */
export interface Target {
  readonly name: string;
  readonly method: "GET" | "POST";
  readonly path: string;
}

/** One load's figures. */
export interface Sample {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The server process's CPU time (user and system) per answer, in microseconds. */
  readonly cpuMicrosPerRequest: number;
  /** Answers that were not 2xx, socket errors and timeouts: there should be none. */
  readonly failed: number;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

/** How to load: for how long, over how many connections, and at what rate (none: as fast as it answers). */
export interface LoadShape {
  readonly seconds: number;
  readonly connections: number;
  readonly rate: number | undefined;
}

/**
 * Loads `base` + the target's path as `shape` says; `cpuMicros` tells the server process's CPU
 * time so far.
 */
export async function load(
  base: string,
  target: Target,
  shape: LoadShape,
  cpuMicros: () => Promise<number>,
): Promise<Sample> {
  const post = target.method === "POST";
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let answers = 0;
  const cpuBefore = await cpuMicros();
  const run = autocannon({
    url: `${base}${target.path}`,
    method: target.method,
    headers: post
      ? { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }
      : { authorization: `Bearer ${TOKEN}` },
    ...(post ? { body: POST_BODY_TEMPLATE, idReplacement: true } : {}),
    connections: shape.connections,
    duration: shape.seconds,
    ...(shape.rate === undefined ? {} : { overallRate: shape.rate }),
  });
  run.on("response", (_client, status, _bytes, ms) => {
    answers++;
    if (status < 200 || status > 299) return;
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  });
  const result = await run;
  const cpu = (await cpuMicros()) - cpuBefore;
  const sorted = latencies.subarray(0, count).sort();
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    cpuMicrosPerRequest: cpu / answers,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
