/**
 * `grantpath check --server`: the check asked of a running server (`POST /access/check`), against
 * a real server started here over the seed graph. It must print and exit exactly as the file form
 * does for the same question (0 allowed, 1 denied), and turn everything else — a refusal, a bad
 * field, an unknown organization, a bad token, an unreachable or foreign server, a usage mistake —
 * into one line on standard error and exit 2. Run in-process through `createProgram`, and once
 * as the built executable.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../../src/cli/program.js";
import { checkUrl } from "../../src/cli/server-check.js";
import {
  type AccessControl,
  createAccessControl,
  createHttpHandler,
  type GraphInput,
  memoryStorage,
} from "../../src/index.js";
import { type RunningServer, serve } from "../../src/node/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SEED = join(ROOT, "examples", "seed-graph.json");
const CLI = join(ROOT, "dist", "cli.js");
const ORG = "org_xyz789";

const TOKENS: Readonly<Record<string, string>> = {
  "owner-token": "usr_owner1",
  "def-token": "usr_def456",
  "ghi-token": "usr_ghi789",
};

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the program in-process with captured output. */
async function cli(argv: readonly string[], env: Record<string, string> = {}): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const program = createProgram({
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    color: false,
    env,
  });
  const code = await program.run(argv);
  return { code, stdout, stderr };
}

let accessControl: AccessControl;
let server: RunningServer;

beforeAll(async () => {
  const seed = JSON.parse(await readFile(SEED, "utf8")) as GraphInput;
  accessControl = createAccessControl({ storage: memoryStorage({ initial: [seed] }) });
  const handler = createHttpHandler(accessControl, {
    authenticate: (request) => {
      const token = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
      const user_id = token === undefined ? undefined : TOKENS[token];
      return user_id === undefined ? null : { user_id };
    },
  });
  server = await serve(handler, { port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await server.close();
  await accessControl.close();
});

/** `check --server <url> --org org_xyz789 --token <token>` and the rest. */
const remote = (token: string, ...rest: string[]) => [
  "check",
  "--server",
  server.url,
  "--org",
  ORG,
  "--token",
  token,
  ...rest,
];

describe("check --server answers as the file form does", () => {
  it.each([
    ["usr_def456", "knowledge_slice", "kslice_abc123", []],
    ["usr_def456", "knowledge_slice", "kslice_abc123", ["--level", "admin"]],
    ["usr_def456", "vector_store", "vs_docs01", []],
    ["usr_ghi789", "vector_store", "vs_docs01", ["--level", "write"]],
    ["usr_ghi789", "knowledge_slice", "kslice_policies01", ["--level", "read"]],
    ["usr_def456", "knowledge_slice", "kslice_def456", ["--level", "admin", "--json"]],
    ["usr_nobody", "assistant", "asst_helper01", ["--json"]],
  ])("%s %s %s %j: the same output and exit code", async (user, type, id, extra) => {
    const fromFile = await cli(["check", SEED, user, type, id, ...extra]);
    const fromServer = await cli(remote("owner-token", user, type, id, ...extra));
    expect(fromServer).toStrictEqual(fromFile);
    expect(fromServer.stderr).toBe("");
  });

  it("exits 0 when allowed, with the verdict and the paths", async () => {
    const outcome = await cli(
      remote("owner-token", "usr_def456", "knowledge_slice", "kslice_abc123", "--level", "write"),
    );
    expect(outcome).toStrictEqual({
      code: 0,
      stdout:
        "allowed: usr_def456 has write on kslice_abc123\n" +
        "  direct: read (agrant_abc123def456)\n" +
        "  department dept_eng01: write (agrant_eng01write)\n",
      stderr: "",
    });
  });

  it("exits 1 when denied", async () => {
    const outcome = await cli(remote("owner-token", "usr_def456", "vector_store", "vs_docs01"));
    expect(outcome).toStrictEqual({ code: 1, stdout: "denied: usr_def456 has no access on vs_docs01\n", stderr: "" });
  });

  it("lets a user ask about themself, and refuses them about someone else (exit 2, the server's reason)", async () => {
    expect((await cli(remote("ghi-token", "usr_ghi789", "vector_store", "vs_docs01"))).code).toBe(0);
    const refused = await cli(remote("ghi-token", "usr_def456", "knowledge_slice", "kslice_abc123"));
    expect(refused).toStrictEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: INSUFFICIENT_PERMISSIONS You do not have permission to check another user's access to this entity.\n",
    });
  });

  it("takes the token from GRANTPATH_TOKEN, and --token over it", async () => {
    const args = ["check", "--server", server.url, "--org", ORG, "usr_def456", "knowledge_slice", "kslice_abc123"];
    expect((await cli(args, { GRANTPATH_TOKEN: "owner-token" })).code).toBe(0);
    const overridden = await cli([...args, "--token", "wrong"], { GRANTPATH_TOKEN: "owner-token" });
    expect(overridden).toStrictEqual({
      code: 2,
      stdout: "",
      stderr: "error: AUTHENTICATION_REQUIRED Please log in to continue.\n",
    });
  });

  it("reads its own write with --min-revision, and refuses a revision beyond the organization's", async () => {
    let revision = 0;
    await accessControl.createGrant(
      ORG,
      "usr_owner1",
      {
        entity_type: "assistant",
        entity_id: "asst_cli01",
        grantee_type: "user",
        grantee_id: "usr_ghi789",
        access_level: "write",
      },
      { onRevision: (r) => (revision = r) },
    );
    const mine = await cli(
      remote(
        "ghi-token",
        "--min-revision",
        String(revision),
        "usr_ghi789",
        "assistant",
        "asst_cli01",
        "--level",
        "write",
      ),
    );
    expect(mine.code).toBe(0);
    expect(mine.stdout).toMatch(/^allowed: usr_ghi789 has write on asst_cli01\n {2}direct: write \(agrant_/);
    const beyond = await cli(
      remote("ghi-token", "--min-revision", String(revision + 1), "usr_ghi789", "assistant", "asst_cli01"),
    );
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toBe(
      `error: VALIDATION_ERROR min_revision: min_revision ${revision + 1} is beyond the organization's current revision ${revision}\n`,
    );
  });
});

describe("check --server: what the server refuses, exit 2 with its reason", () => {
  it.each([
    [
      "a level it does not know",
      ["usr_def456", "knowledge_slice", "kslice_abc123", "--level", "super"],
      "error: VALIDATION_ERROR level: level must be one of {'read', 'write', 'admin'}\n",
    ],
    [
      "an entity id of another type",
      ["usr_def456", "vector_store", "kslice_abc123"],
      'error: VALIDATION_ERROR entity_id: entity_id must start with "vs_"\n',
    ],
    [
      "a malformed user id",
      ["def456", "vector_store", "vs_docs01"],
      'error: VALIDATION_ERROR user_id: user_id must start with "usr_"\n',
    ],
  ])("%s", async (_what, args, stderr) => {
    expect(await cli(remote("owner-token", ...args))).toStrictEqual({ code: 2, stdout: "", stderr });
  });

  it("an unknown organization", async () => {
    const args = ["check", "--server", server.url, "--org", "org_nowhere", "--token", "owner-token"];
    expect(await cli([...args, "usr_def456", "vector_store", "vs_docs01"])).toStrictEqual({
      code: 2,
      stdout: "",
      stderr: "error: RESOURCE_NOT_FOUND Organization org_nowhere was not found.\n",
    });
  });
});

describe("check --server: usage mistakes, exit 2 before anything is sent", () => {
  const user = ["usr_def456", "vector_store", "vs_docs01"];

  it.each([
    ["no --org", ["check", "--server", "http://127.0.0.1:3000", "--token", "t", ...user], "--org"],
    ["no token", ["check", "--server", "http://127.0.0.1:3000", "--org", ORG, ...user], "--token"],
    [
      "a graph file too",
      ["check", "--server", "http://127.0.0.1:3000", "--org", ORG, "--token", "t", SEED, ...user],
      "no graph file with --server",
    ],
    [
      "too few arguments",
      ["check", "--server", "http://127.0.0.1:3000", "--org", ORG, "--token", "t", "usr_def456"],
      "check takes",
    ],
    [
      "a server that is not a URL",
      ["check", "--server", "localhost:3000", "--org", ORG, "--token", "t", ...user],
      "--server must be",
    ],
    [
      "a server that is not http",
      ["check", "--server", "ftp://127.0.0.1/", "--org", ORG, "--token", "t", ...user],
      "http or https",
    ],
    [
      "--at, which the server does not take",
      [
        "check",
        "--server",
        "http://127.0.0.1:3000",
        "--org",
        ORG,
        "--token",
        "t",
        "--at",
        "2030-01-01T00:00:00Z",
        ...user,
      ],
      "cannot be used with option '--server",
    ],
    ["--org without --server", ["check", SEED, ...user, "--org", ORG], "--org goes with --server"],
    [
      "--token and --min-revision without --server",
      ["check", SEED, ...user, "--token", "t", "--min-revision", "2"],
      "--token, --min-revision go with --server",
    ],
    [
      "a --min-revision that is not a whole number",
      ["check", "--server", "http://127.0.0.1:3000", "--org", ORG, "--token", "t", "--min-revision", "-1", ...user],
      "--min-revision",
    ],
    ["a graph file without its user", ["check", SEED, "vector_store", "vs_docs01"], "check takes"],
  ])("%s", async (_what, argv, message) => {
    const outcome = await cli(argv);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe("");
    expect(outcome.stderr).toContain(message);
  });
});

describe("check --server: servers that are not there, or not grantpath", () => {
  let foreign: Server;
  let foreignUrl: string;

  beforeAll(async () => {
    foreign = createServer((request, response) => {
      if (request.url?.includes("org_text")) {
        response.writeHead(200, { "content-type": "text/plain" }).end("hello");
      } else {
        response.writeHead(502, { "content-type": "text/html" }).end("<h1>Bad gateway</h1>");
      }
    });
    await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
    foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => foreign.close(() => resolve()));
  });

  it("a port nobody listens on: cannot reach", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await cli([
      "check",
      "--server",
      `http://127.0.0.1:${port}`,
      "--org",
      ORG,
      "--token",
      "t",
      "usr_def456",
      "vector_store",
      "vs_docs01",
    ]);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe("");
    expect(outcome.stderr).toMatch(new RegExp(`^error: cannot reach http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it("an error that is not grantpath's envelope, and a 200 that is not a check", async () => {
    const ask = (org: string) =>
      cli(["check", "--server", foreignUrl, "--org", org, "--token", "t", "usr_def456", "vector_store", "vs_docs01"]);
    expect(await ask(ORG)).toStrictEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${foreignUrl} answered 502 without grantpath's error envelope: is it a grantpath server?\n`,
    });
    expect(await ask("org_text")).toStrictEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${foreignUrl} answered 200, but not with a check: is it grantpath?\n`,
    });
  });
});

describe("the check route's URL", () => {
  it("keeps a path prefix, whether or not it ends with a slash, and encodes the organization", () => {
    expect(checkUrl(new URL("http://127.0.0.1:3000"), ORG, undefined).href).toBe(
      "http://127.0.0.1:3000/v1/organizations/org_xyz789/access/check",
    );
    for (const base of ["https://api.example.com/authz", "https://api.example.com/authz/"]) {
      expect(checkUrl(new URL(base), ORG, 7).href).toBe(
        "https://api.example.com/authz/v1/organizations/org_xyz789/access/check?min_revision=7",
      );
    }
    expect(checkUrl(new URL("http://h"), "org_a/../b", undefined).pathname).toBe(
      "/v1/organizations/org_a%2F..%2Fb/access/check",
    );
  });
});

describe("the built executable (node dist/cli.js check --server)", () => {
  /** Runs the executable without blocking this process, which serves its requests. */
  function binary(argv: readonly string[], env: Record<string, string> = {}): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...argv], { cwd: ROOT, env: { ...process.env, ...env } });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.once("error", reject);
      child.once("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  it("sets the process exit code: 0 allowed, 1 denied, 2 refused", async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
    const allowed = await binary(
      remote("owner-token", "usr_def456", "knowledge_slice", "kslice_abc123", "--level", "write"),
    );
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("allowed: usr_def456 has write on kslice_abc123");
    const denied = await binary(
      remote("owner-token", "usr_def456", "knowledge_slice", "kslice_abc123", "--level", "admin"),
    );
    expect(denied.code).toBe(1);
    const refused = await binary(
      ["check", "--server", server.url, "--org", ORG, "usr_def456", "vector_store", "vs_docs01"],
      {
        GRANTPATH_TOKEN: "ghi-token",
      },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("INSUFFICIENT_PERMISSIONS");
  });
});
