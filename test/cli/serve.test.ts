/**
 * `grantpath serve`, run as the built executable (`node dist/cli.js serve`) on 127.0.0.1 with
 * port 0 (or PORT): what it prints, that it answers over real HTTP with the demo tokens (or a
 * --data graph and --tokens file), refuses strangers, and shuts down gracefully on SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "dist", "cli.js");
const START_TIMEOUT = 20_000;

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Everything printed on stdout so far. */
  stdout(): string;
  stderr(): string;
}

const children = new Set<ChildProcess>();

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves with the exit code and signal once the child has exited (or already had). */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!running(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Spawns the CLI; tracked so afterEach kills it whatever happens. */
function spawnCli(args: readonly string[], env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

/**
 * Starts `serve` and waits until it has printed its URL and `tokenCount` token lines.
 * Fails with the child's output if it exits first or takes too long.
 */
async function startServe(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; tokenCount?: number } = {},
): Promise<Server> {
  const spawned = spawnCli(["serve", ...args], options.env);
  const tokenCount = options.tokenCount ?? 3;
  const ready = new RegExp(`bearer tokens:\\n(  \\S+  ->  \\S+\\n){${tokenCount}}`);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ready.test(spawned.stdout())) {
          clearInterval(poll);
          resolve();
        } else if (!running(spawned.child)) {
          clearInterval(poll);
          reject(
            new Error(`serve exited early (${spawned.child.exitCode}):\n${spawned.stdout()}\n${spawned.stderr()}`),
          );
        }
      };
      const poll = setInterval(check, 20);
    }),
    START_TIMEOUT,
    `serve to start (stdout so far: ${JSON.stringify(spawned.stdout())})`,
  );
  const match = /^grantpath serving (.+) at (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(spawned.stdout());
  if (!match) throw new Error(`no URL in the output:\n${spawned.stdout()}`);
  return { ...spawned, url: match[2] as string, port: Number(match[3]) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (!running(child)) return;
  child.kill("SIGKILL");
  await exited(child);
}

afterEach(async () => {
  await Promise.all([...children].map(stop));
  children.clear();
});

let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = await mkdtemp(join(tmpdir(), "grantpath-serve-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const ORG = "/v1/organizations/org_xyz789";
const RESOLVED = `${ORG}/users/usr_def456/resolved-access?entity_type=knowledge_slice`;

async function call(
  server: Server,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown) };
}

/** The worked example's error envelope for 401, with its fresh trace id and timestamp. */
function expectUnauthenticated(answer: { status: number; body: unknown }): void {
  expect(answer.status).toBe(401);
  expect(answer.body).toStrictEqual({
    success: false,
    error: {
      code: "AUTHENTICATION_REQUIRED",
      message: "Please log in to continue.",
      system_message: "Authentication required",
      type: "client_error",
      status: 401,
      details: {},
      trace_id: expect.stringMatching(/^\S+$/),
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/),
    },
  });
}

const path = (
  type: "direct" | "department" | "role",
  access_level: string,
  grant_id: unknown,
  extra: { department_id?: string; role_id?: string } = {},
) => ({
  type,
  access_level,
  department_id: extra.department_id ?? null,
  role_id: extra.role_id ?? null,
  composite_id: null,
  grant_id,
});

describe("grantpath serve (the demo organization)", () => {
  it("prints its URL and the demo tokens", async () => {
    const server = await startServe(["--port", "0"]);
    expect(server.port).toBeGreaterThan(0);
    expect(server.stdout()).toBe(
      `grantpath serving org_xyz789 at ${server.url}\n` +
        `try: curl -H "Authorization: Bearer demo-owner-token" ${server.url}/v1/organizations/org_xyz789/access/grants\n` +
        `playground: ${server.url}/playground\n` +
        "bearer tokens:\n" +
        "  demo-owner-token  ->  usr_owner1\n" +
        "  demo-user-token  ->  usr_def456\n" +
        "  demo-backend-token  ->  usr_ghi789\n",
    );
    expect(server.stderr()).toBe("");
  });

  it("answers GET /openapi.json with the OpenAPI 3.1 document", async () => {
    const server = await startServe(["--port", "0"]);
    const response = await fetch(`${server.url}/openapi.json`, {
      headers: { authorization: "Bearer demo-owner-token" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const document = (await response.json()) as { openapi?: unknown; paths?: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(document.paths ?? {})).toContain(
      "/v1/organizations/{organization_id}/users/{user_id}/resolved-access",
    );
  });

  it("answers the worked example's resolved-access request with demo-owner-token, and the worked example after its create-grant request", async () => {
    const server = await startServe(["--port", "0"]);
    const before = await call(server, RESOLVED, { token: "demo-owner-token" });
    expect(before).toStrictEqual({
      status: 200,
      body: {
        user_id: "usr_def456",
        entities: [
          {
            entity_type: "knowledge_slice",
            entity_id: "kslice_abc123",
            access_level: "write",
            grant_paths: [path("department", "write", "agrant_eng01write", { department_id: "dept_eng01" })],
          },
          {
            entity_type: "knowledge_slice",
            entity_id: "kslice_def456",
            access_level: "admin",
            grant_paths: [path("role", "admin", "agrant_admin01", { role_id: "role_admin01" })],
          },
        ],
      },
    });

    const created = await call(server, `${ORG}/access/grants`, {
      method: "POST",
      token: "demo-owner-token",
      body: {
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        grantee_type: "user",
        grantee_id: "usr_def456",
        access_level: "read",
      },
    });
    expect(created.status).toBe(201);
    const grantId = (created.body as { id: string }).id;
    expect(grantId).toMatch(/^agrant_/);

    const after = await call(server, RESOLVED, { token: "demo-owner-token" });
    expect(after.status).toBe(200);
    expect(after.body).toStrictEqual({
      user_id: "usr_def456",
      entities: [
        {
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          access_level: "write",
          grant_paths: [
            path("direct", "read", grantId),
            path("department", "write", "agrant_eng01write", { department_id: "dept_eng01" }),
          ],
        },
        {
          entity_type: "knowledge_slice",
          entity_id: "kslice_def456",
          access_level: "admin",
          grant_paths: [path("role", "admin", "agrant_admin01", { role_id: "role_admin01" })],
        },
      ],
    });

    // the user's own token reads the same answer
    expect(await call(server, RESOLVED, { token: "demo-user-token" })).toStrictEqual(after);
  });

  it("refuses an unknown token, and no token, with the 401 envelope", async () => {
    const server = await startServe(["--port", "0"]);
    expectUnauthenticated(await call(server, RESOLVED, { token: "not-a-demo-token" }));
    expectUnauthenticated(await call(server, RESOLVED));
    // names of Object.prototype members are not tokens
    for (const token of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expectUnauthenticated(await call(server, RESOLVED, { token }));
    }
    // nothing was created by a refused write
    expectUnauthenticated(
      await call(server, `${ORG}/access/grants`, {
        method: "POST",
        token: "nope",
        body: {
          entity_type: "vector_store",
          entity_id: "vs_x1",
          grantee_type: "user",
          grantee_id: "usr_def456",
          access_level: "read",
        },
      }),
    );
    const list = await call(server, `${ORG}/vector-stores/vs_x1/grants`, { token: "demo-owner-token" });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain("agrant_");
  });

  it("shuts down gracefully on SIGTERM: says so and exits 0 soon after", async () => {
    const server = await startServe(["--port", "0"]);
    // a keep-alive connection from fetch stays open after these requests
    expect((await call(server, RESOLVED, { token: "demo-owner-token" })).status).toBe(200);
    expect((await call(server, "/openapi.json")).status).toBe(200);
    const exit = exited(server.child);
    const sentAt = Date.now();
    server.child.kill("SIGTERM");
    const { code, signal } = await withTimeout(exit, 10_000, "serve to exit after SIGTERM");
    expect({ code, signal }).toStrictEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(server.stdout()).toMatch(/grantpath: shutting down\n$/);
    expect(server.stderr()).toBe("");
    await expect(fetch(`${server.url}/openapi.json`)).rejects.toThrow();
  });

  it("also shuts down on SIGINT", async () => {
    const server = await startServe(["--port", "0"]);
    const exit = exited(server.child);
    server.child.kill("SIGINT");
    expect(await withTimeout(exit, 10_000, "serve to exit after SIGINT")).toStrictEqual({ code: 0, signal: null });
  });
});

describe("grantpath serve: the port", () => {
  it("honours PORT when --port is not given", async () => {
    const port = await freePort();
    const server = await startServe([], { env: { PORT: String(port) } });
    expect(server.port).toBe(port);
    expect(server.url).toBe(`http://127.0.0.1:${port}`);
    expect((await call(server, RESOLVED, { token: "demo-owner-token" })).status).toBe(200);
  });

  it("PORT=0 picks a free port", async () => {
    const server = await startServe([], { env: { PORT: "0" } });
    expect(server.port).toBeGreaterThan(0);
    expect((await call(server, "/openapi.json")).status).toBe(200);
  });

  it("--port wins over PORT", async () => {
    const port = await freePort();
    const server = await startServe(["--port", String(port)], { env: { PORT: "1" } });
    expect(server.port).toBe(port);
  });

  it("an invalid PORT is a usage error (exit 2, a message on stderr), not a crash", async () => {
    const spawned = spawnCli(["serve"], { PORT: "not-a-port" });
    const { code } = await withTimeout(exited(spawned.child), START_TIMEOUT, "serve to refuse PORT");
    expect(spawned.stderr()).toMatch(/port/i);
    expect(spawned.stderr(), "no stack trace").not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });

  it("a port already in use is reported without a stack trace, exit 2", async () => {
    const first = await startServe(["--port", "0"]);
    const spawned = spawnCli(["serve", "--port", String(first.port)]);
    const { code } = await withTimeout(exited(spawned.child), START_TIMEOUT, "serve to fail on a taken port");
    expect(spawned.stderr()).toContain("EADDRINUSE");
    expect(spawned.stderr(), "no stack trace").not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
    // the first server is unaffected
    expect((await call(first, "/openapi.json")).status).toBe(200);
  });
});

describe("grantpath serve --data --tokens", () => {
  const acme = {
    organization_id: "org_acme1",
    owners: ["usr_boss1"],
    users: [{ id: "usr_dev1", department_ids: ["dept_ops1"] }],
    departments: [{ id: "dept_ops1", parent_id: null }],
    grants: [
      {
        id: "agrant_ops1",
        entity_type: "assistant",
        entity_id: "asst_helper1",
        grantee_type: "department",
        grantee_id: "dept_ops1",
        access_level: "write",
        granted_by: "usr_boss1",
      },
    ],
  };

  it("serves the given organization to the given tokens only", async () => {
    const data = join(dir, "acme.json");
    const tokens = join(dir, "tokens.json");
    await writeFile(data, JSON.stringify(acme));
    await writeFile(tokens, JSON.stringify({ "boss-token": "usr_boss1", "dev-token": "usr_dev1" }));
    const server = await startServe(["--port", "0", "--data", data, "--tokens", tokens], { tokenCount: 2 });
    expect(server.stdout()).toMatch(new RegExp(`^grantpath serving org_acme1 at ${server.url}\n`));
    expect(server.stdout()).toMatch(
      /\nbearer tokens:\n {2}boss-token {2}-> {2}usr_boss1\n {2}dev-token {2}-> {2}usr_dev1\n$/,
    );
    expect(server.stdout()).not.toContain("demo-user-token");

    const resolved = `/v1/organizations/org_acme1/users/usr_dev1/resolved-access`;
    const expected = {
      status: 200,
      body: {
        user_id: "usr_dev1",
        entities: [
          {
            entity_type: "assistant",
            entity_id: "asst_helper1",
            access_level: "write",
            grant_paths: [path("department", "write", "agrant_ops1", { department_id: "dept_ops1" })],
          },
        ],
      },
    };
    expect(await call(server, resolved, { token: "dev-token" })).toStrictEqual(expected);
    expect(await call(server, resolved, { token: "boss-token" })).toStrictEqual(expected);
    // the demo tokens and the demo organization are not there
    expectUnauthenticated(await call(server, resolved, { token: "demo-owner-token" }));
    expect((await call(server, RESOLVED, { token: "boss-token" })).status).toBe(404);
  });

  it("--data takes an array of organizations", async () => {
    const data = join(dir, "two.json");
    await writeFile(data, JSON.stringify([acme, { organization_id: "org_beta1", owners: ["usr_owner1"] }]));
    const server = await startServe(["--port", "0", "--data", data]);
    expect(server.stdout()).toContain(`grantpath serving org_acme1, org_beta1 at ${server.url}\n`);
    const grants = await call(server, "/v1/organizations/org_beta1/access/grants", { token: "demo-owner-token" });
    expect(grants.status).toBe(200);
  });

  it("a bad --data or --tokens file is an input error: exit 2 and a message", async () => {
    const badGraph = join(dir, "bad-graph.json");
    const notJson = join(dir, "not-json.json");
    await writeFile(badGraph, JSON.stringify({ organization_id: "acme" }));
    await writeFile(notJson, "{ nope");
    const cases = [
      [["--data", join(dir, "missing.json")], "cannot read"],
      [["--data", notJson], "is not valid JSON"],
      [["--data", badGraph], "organization_id"],
      [["--tokens", notJson], "is not valid JSON"],
    ] as const;
    for (const [args, message] of cases) {
      const spawned = spawnCli(["serve", "--port", "0", ...args]);
      const { code } = await withTimeout(exited(spawned.child), START_TIMEOUT, `serve ${args.join(" ")} to fail`);
      expect(code, args.join(" ")).toBe(2);
      expect(spawned.stderr()).toMatch(/^error: /);
      expect(spawned.stderr()).toContain(message);
      expect(spawned.stdout()).toBe("");
    }
  });
});
