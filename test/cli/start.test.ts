/**
 * `npm start` leaves no server behind when whatever started it stops: npm is spawned as the
 * README says (`npm start`, with PORT=0 for a free port), then npm alone — not its children — is
 * sent SIGTERM, SIGINT or SIGKILL, as a supervisor or a shell would; the port must be freed and
 * every process npm started gone within a few seconds. A terminal's Ctrl-C, which signals the
 * whole process group, must still close gracefully.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const START_TIMEOUT = 30_000;
/** How long the server may take to go once its parent is stopped. */
const GONE_WITHIN = 5_000;

interface Started {
  readonly npm: ChildProcess;
  readonly port: number;
  output(): string;
}

const groups = new Set<number>();

/** Whether any process of the group npm leads is left (npm runs in a group of its own). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  for (const pgid of groups) {
    if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
  }
  groups.clear();
});

async function startNpm(): Promise<Started> {
  const npm = spawn("npm", ["start"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, as a shell gives a job: the test can signal npm alone, or the group.
    detached: true,
  });
  const pid = npm.pid;
  if (pid === undefined) throw new Error("npm did not start");
  groups.add(pid);
  let output = "";
  npm.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  npm.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const deadline = Date.now() + START_TIMEOUT;
  while (!/demo-backend-token {2}-> {2}usr_ghi789\n/.test(output)) {
    if (Date.now() > deadline) throw new Error(`npm start did not get ready:\n${output}`);
    if (npm.exitCode !== null || npm.signalCode !== null) throw new Error(`npm start exited:\n${output}`);
    await sleep(50);
  }
  const match = /^grantpath serving org_xyz789 at http:\/\/127\.0\.0\.1:(\d+)$/m.exec(output);
  if (!match) throw new Error(`no URL in the output:\n${output}`);
  return { npm, port: Number(match[1]), output: () => output };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Waits until the port is refused and no process of the group is left; returns how long it took. */
async function expectGone(started: Started): Promise<number> {
  const pgid = started.npm.pid as number;
  const since = Date.now();
  while ((await listening(started.port)) || groupAlive(pgid)) {
    if (Date.now() - since > GONE_WITHIN) {
      throw new Error(
        `still ${groupAlive(pgid) ? "running" : "listening"} ${GONE_WITHIN} ms later:\n${started.output()}`,
      );
    }
    await sleep(50);
  }
  return Date.now() - since;
}

describe("npm start stops with whatever started it", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("%s to npm closes the server gracefully", async (signal) => {
    const started = await startNpm();
    expect(await listening(started.port)).toBe(true);
    started.npm.kill(signal);
    await expectGone(started);
    expect(started.output()).toContain("grantpath: shutting down\n");
  });

  it("SIGKILL to npm: the server notices its parent is gone and closes gracefully", async () => {
    const started = await startNpm();
    started.npm.kill("SIGKILL");
    await expectGone(started);
    // npm could not forward anything: the server saw its parent go and shut itself down.
    expect(started.output()).toContain("grantpath: shutting down\n");
  });

  it("Ctrl-C in a terminal (SIGINT to the whole group) closes it gracefully, once", async () => {
    const started = await startNpm();
    process.kill(-(started.npm.pid as number), "SIGINT");
    await expectGone(started);
    expect(started.output().match(/grantpath: shutting down\n/g)).toHaveLength(1);
  });
});
