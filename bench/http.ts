/**
 * `npm run bench:http`: the REST API over HTTP against its floor, side by side in one run.
 *
 * Each server runs in a child process of its own (this bundle, forked with `server <kind>`; see
 * bench/http-servers.ts): `grantpath serve` as the command line runs it (memory storage, the demo
 * organization), a bare `node:http` floor that checks the token and writes the bytes the real
 * server answered, and grantpath/node's `serve` and a naive conversion, each around a handler that
 * does only what the floor does. This process loads them with autocannon, one at a time, in
 * rounds whose order rotates, after a warm-up of each; it reports the median of the rounds'
 * requests/s, p50 and p99, and how many times the floor's rate is each one's.
 *
 * Routes: `GET …/users/usr_def456/resolved-access` (as the owner), and `POST …/access/grants`,
 * each request a fresh grant (a new slice and a new user, from autocannon's `[<id>]`). The
 * floor's POST reads the body and writes the one 201 the real server gave when captured.
 *
 *   npm run bench:http
 *   npm run bench:http -- --seconds 5 --rounds 7 --connections 20 --contenders floor,grantpath
 */
import { type ChildProcess, fork } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { load, median, type Sample, type Target } from "./http-load.js";
import {
  type Captured,
  type CapturedAnswer,
  CONTENDER_LABELS,
  CONTENDERS,
  type Contender,
  type CpuMessage,
  GET_PATH,
  type ListeningMessage,
  POST_BODY_TEMPLATE,
  POST_PATH,
  runContender,
  type StartMessage,
  TOKEN,
} from "./http-servers.js";

const TARGETS: readonly Target[] = [
  { name: "GET resolved-access", method: "GET", path: GET_PATH },
  { name: "POST access/grants", method: "POST", path: POST_PATH },
];

/** A contender's process and the URL it serves at. */
interface Running {
  readonly contender: Contender;
  readonly child: ChildProcess;
  readonly url: string;
}

function startChild(contender: Contender, message: StartMessage): Promise<Running> {
  const child = fork(fileURLToPath(import.meta.url), ["server", contender], { stdio: "inherit", execArgv: [] });
  return new Promise((resolve, reject) => {
    child.once("message", (reply: ListeningMessage) => resolve({ contender, child, url: reply.url }));
    child.once("exit", (code) => reject(new Error(`bench: the ${contender} server exited (${code}) before listening`)));
    child.send(message);
  });
}

/** The CPU time a contender's process has used, in microseconds. */
function cpuMicros(running: Running): Promise<number> {
  return new Promise((resolve) => {
    running.child.once("message", (reply: CpuMessage) => resolve(reply.cpuMicros));
    running.child.send({});
  });
}

function stopChild(running: Running): Promise<void> {
  return new Promise((resolve) => {
    if (running.child.exitCode !== null) return resolve();
    running.child.once("exit", () => resolve());
    running.child.kill("SIGTERM");
  });
}

/** The headers an answer carries that are not framing or per-connection. */
const KEPT_HEADERS = ["content-type", "grantpath-revision"];

async function capture(url: string, init: RequestInit, status: number): Promise<CapturedAnswer> {
  const response = await fetch(url, init);
  const body = await response.text();
  if (response.status !== status) throw new Error(`bench: ${url} answered ${response.status}, not ${status}: ${body}`);
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status, headers, body };
}

/** The real server's answers: the GET as it is, and one POST's 201 (a grant created once). */
async function captureAnswers(base: string): Promise<Captured> {
  const authorization = `Bearer ${TOKEN}`;
  return {
    get: await capture(`${base}${GET_PATH}`, { headers: { authorization } }, 200),
    post: await capture(
      `${base}${POST_PATH}`,
      {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: POST_BODY_TEMPLATE.replaceAll("[<id>]", "capture"),
      },
      201,
    ),
  };
}

/** Every contender answers the GET with the bytes the real server answered. */
async function checkSameAnswers(servers: readonly Running[], captured: Captured): Promise<void> {
  for (const server of servers) {
    const answer = await capture(
      `${server.url}${GET_PATH}`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
      captured.get.status,
    );
    if (answer.body !== captured.get.body) throw new Error(`bench: ${server.contender} answers other bytes`);
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const milliseconds = (ms: number) => `${ms.toFixed(2)} ms`;

function report(target: Target, samples: ReadonlyMap<Contender, readonly Sample[]>): string {
  const rate = (contender: Contender) => median((samples.get(contender) ?? []).map((s) => s.requestsPerSecond));
  const floor = samples.has("floor") ? rate("floor") : Number.NaN;
  const cpu = (contender: Contender) => median((samples.get(contender) ?? []).map((s) => s.cpuMicrosPerRequest));
  const floorCpu = samples.has("floor") ? cpu("floor") : Number.NaN;
  const rows = [...samples].map(([contender, list]) => {
    const requestsPerSecond = rate(contender);
    return [
      CONTENDER_LABELS[contender],
      Math.round(requestsPerSecond).toLocaleString("en-US"),
      milliseconds(median(list.map((s) => s.p50Ms))),
      milliseconds(median(list.map((s) => s.p99Ms))),
      Number.isNaN(floor) ? "" : `${(floor / requestsPerSecond).toFixed(2)}×`,
      `${cpu(contender).toFixed(1)} µs`,
      Number.isNaN(floorCpu) ? "" : `${(cpu(contender) / floorCpu).toFixed(2)}×`,
      list.map((s) => (s.requestsPerSecond / 1000).toFixed(1)).join(" "),
      String(list.reduce((sum, s) => sum + s.failed, 0)),
    ];
  });
  return `${target.method} ${target.path}\n${table(
    [
      "contender",
      "requests/s",
      "p50",
      "p99",
      "floor ÷ it",
      "server CPU/req",
      "it ÷ floor",
      "rounds (k req/s)",
      "failed",
    ],
    rows,
  )}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "3" },
      warmup: { type: "string", default: "2" },
      rounds: { type: "string", default: "5" },
      connections: { type: "string", default: "20" },
      rate: { type: "string" },
      contenders: { type: "string", default: CONTENDERS.join(",") },
      routes: { type: "string", default: "get,post" },
    },
  });
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  const rounds = Number(values.rounds);
  const connections = Number(values.connections);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  const chosen = (values.contenders ?? "").split(",") as Contender[];
  for (const contender of chosen) {
    if (!CONTENDERS.includes(contender)) throw new Error(`bench: no contender ${contender} (${CONTENDERS.join(", ")})`);
  }
  const targets = TARGETS.filter((t) => (values.routes ?? "").split(",").includes(t.method.toLowerCase()));

  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "?"}, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    `autocannon: ${connections} connections${rate === undefined ? "" : ` at ${rate} requests/s`}; ${rounds} rounds of ${seconds} s per contender and route, after ${warmup} s of warm-up; medians of the rounds\n`,
  );

  // The real server is always started: the others repeat what it answers.
  const real = await startChild("grantpath", {});
  const servers: Running[] = [];
  try {
    const captured = await captureAnswers(real.url);
    for (const contender of chosen) {
      if (contender === "grantpath") servers.push(real);
      else servers.push(await startChild(contender, { captured }));
    }
    await checkSameAnswers(servers, captured);
    for (const target of targets) {
      const samples = new Map<Contender, Sample[]>(servers.map((s) => [s.contender, []]));
      for (const server of servers)
        await load(server.url, target, { seconds: warmup, connections, rate }, () => cpuMicros(server));
      for (let round = 0; round < rounds; round++) {
        // The order rotates, so no contender always follows the same one.
        for (let i = 0; i < servers.length; i++) {
          const server = servers[(round + i) % servers.length] as Running;
          const sample = await load(server.url, target, { seconds, connections, rate }, () => cpuMicros(server));
          samples.get(server.contender)?.push(sample);
          process.stderr.write(
            `  ${target.name}, round ${round + 1}: ${server.contender} ${Math.round(sample.requestsPerSecond)} req/s\n`,
          );
        }
      }
      console.log(`${report(target, samples)}\n`);
    }
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    await Promise.all([real, ...servers.filter((s) => s !== real)].map(stopChild));
  }
}

if (process.argv[2] === "server") runContender(process.argv[3] ?? "");
else await main();
