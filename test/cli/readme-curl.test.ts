/**
 * The README's curl examples work verbatim against `grantpath serve` on the embedded default.
 * The bash block that begins with `export ACCESS_TOKEN` is taken from README.md as written;
 * only `127.0.0.1:3000` is replaced by the test server's host and port. It runs under `bash -e`
 * with a `curl` shell function prepended that gives curl `-s -w` so each call's status code is
 * printed after its body; the README's commands themselves are not touched.
 *
 * curl is required: when it is missing the test fails and says so (CI installs it).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_ORGANIZATION } from "../../src/cli/demo-organization.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "dist", "cli.js");
const README = join(ROOT, "README.md");

/** docs/spec.md §12's resolved-access answer (docs/spec.md §12), verbatim. */
const SEED_RESOLVED_ACCESS = {
  user_id: "usr_def456",
  entities: [
    {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      access_level: "write",
      grant_paths: [
        { type: "direct", access_level: "read", department_id: null, role_id: null, composite_id: null },
        { type: "department", access_level: "write", department_id: "dept_eng01", role_id: null, composite_id: null },
      ],
    },
    {
      entity_type: "knowledge_slice",
      entity_id: "kslice_def456",
      access_level: "admin",
      grant_paths: [
        { type: "role", access_level: "admin", department_id: null, role_id: "role_admin01", composite_id: null },
      ],
    },
  ],
} as const;

/** create-grant.txt's request body and the fields of its 201 answer. */
const SEED_CREATE = {
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  grantee_type: "user",
  grantee_id: "usr_def456",
  access_level: "read",
} as const;
const SEED_CREATED_KEYS = [
  "access_level",
  "created_at",
  "entity_id",
  "entity_type",
  "granted_by",
  "grantee_id",
  "grantee_type",
  "id",
  "organization_id",
  "updated_at",
];

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const MARKER = /\n@@HTTP_STATUS (\d{3})@@\n/;

/**
 * Prepended to the README's block. The status goes to the script's real stdout (fd 3) after
 * curl has exited, so it follows the body it belongs to, and a call inside `$(...)` (the
 * README's `GRANT_ID=$(curl ... | sed ...)`) still has only its body captured. Writing the
 * status on curl's own stdout (`-w "\n%{http_code}\n"`) would put it into GRANT_ID too, since
 * the README's sed works line by line, and the next URL would be malformed.
 */
const PRELUDE = `exec 3>&1
curl() {
  local rc=0
  command curl -s -w "%{stderr}%{http_code}" "$@" 2>"$CURL_STATUS_FILE" || rc=$?
  printf '\\n@@HTTP_STATUS %s@@\\n' "$(cat "$CURL_STATUS_FILE")" >&3
  return "$rc"
}
`;

const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  children.clear();
});

function requireTool(command: string, install: string): void {
  const probe = spawnSync(command, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${command} is required by the README curl test but is not available (${probe.error?.message ?? `exit ${probe.status}`}); install it: ${install}`,
    );
  }
}

/** The README's bash block that begins with `export ACCESS_TOKEN`, exactly as written. */
function readmeCurlBlock(readme: string): string {
  const blocks = [...readme.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
  const found = blocks.filter((block) => block.startsWith("export ACCESS_TOKEN"));
  if (found.length !== 1)
    throw new Error(`expected one bash block starting with export ACCESS_TOKEN, found ${found.length}`);
  return found[0] as string;
}

/** Starts `node dist/cli.js serve --port 0` and resolves with its base URL once it listens. */
async function startServer(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`serve did not start within 20 s:\n${output}`));
    }, 20_000);
    const poll = setInterval(() => {
      const match = /^grantpath serving .+ at (http:\/\/\S+)$/m.exec(output);
      if (match && output.includes("demo-backend-token")) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1] as string);
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`serve exited early:\n${output}`));
      }
    }, 20);
  });
  return { child, url, output: () => output };
}

/** Runs `script` with `bash -e`; resolves with the exit code and everything on stdout and stderr. */
function runBash(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the README script did not finish within 60 s:\n${stdout}\n${stderr}`));
    }, 60_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Splits the script's output into each call's status and body (empty when captured by `$(...)`). */
function responses(stdout: string): { status: number; body: string }[] {
  const parts = stdout.split(MARKER);
  const calls: { status: number; body: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    calls.push({ body: parts[i] ?? "", status: Number(parts[i + 1]) });
  }
  expect(parts.at(-1), "nothing after the last response").toBe("");
  return calls;
}

function demoGrantId(grantee_id: string, entity_id: string): string {
  const grant = DEMO_ORGANIZATION.grants?.find((g) => g.grantee_id === grantee_id && g.entity_id === entity_id);
  if (!grant?.id) throw new Error(`no demo grant of ${grantee_id} on ${entity_id}`);
  return grant.id;
}

describe("the README's curl examples", () => {
  it("run verbatim against `grantpath serve` and answer what the README says", async () => {
    requireTool("curl", "apt-get install -y curl (CI does this in .ci/run)");
    requireTool("bash", "apt-get install -y bash");

    const readme = await readFile(README, "utf8");
    const block = readmeCurlBlock(readme);
    expect(block.split("127.0.0.1:3000").length - 1, "the block's URLs").toBe(9);

    const server = await startServer();
    const hostPort = new URL(server.url).host;
    const script = block.replaceAll("127.0.0.1:3000", hostPort);
    // exactly the README's text, apart from the host and port
    expect(script.replaceAll(hostPort, "127.0.0.1:3000")).toBe(block);

    const dir = await mkdtemp(join(tmpdir(), "grantpath-readme-"));
    try {
      const file = join(dir, "readme-curl.sh");
      await writeFile(file, `${PRELUDE}\n${script}`);
      const run = await runBash(file, { CURL_STATUS_FILE: join(dir, "status") });
      const transcript = `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n--- server\n${server.output()}`;
      expect(run.code, transcript).toBe(0);
      expect(run.stderr, transcript).toBe("");

      const calls = responses(run.stdout);
      // create, resolved access, bulk, [list inside $(...)], update, revoke, users with access,
      // check, bulk check
      expect(
        calls.map((call) => call.status),
        transcript,
      ).toStrictEqual([201, 200, 201, 200, 200, 204, 200, 200, 200]);
      const [create, resolved, bulk, list, update, revoke, usersWithAccess, check, bulkCheck] = calls.map(
        (call) => call.body,
      );

      // 1. the worked example's create-grant answer, with a fresh id and timestamps
      const created = JSON.parse(create ?? "") as Record<string, unknown>;
      expect(Object.keys(created).sort()).toStrictEqual(SEED_CREATED_KEYS);
      expect(created).toStrictEqual({
        ...SEED_CREATE,
        id: expect.stringMatching(/^agrant_[A-Za-z0-9_-]+$/),
        granted_by: "usr_owner1",
        organization_id: "org_xyz789",
        created_at: expect.stringMatching(TIMESTAMP),
        updated_at: expect.stringMatching(TIMESTAMP),
      });
      const createdId = created.id as string;

      // 2. the worked example's resolved-access example exactly, plus grant_id on every path
      const [abc, def] = SEED_RESOLVED_ACCESS.entities;
      const [direct, department] = abc.grant_paths;
      const [role] = def.grant_paths;
      expect(JSON.parse(resolved ?? "")).toStrictEqual({
        ...SEED_RESOLVED_ACCESS,
        entities: [
          {
            ...abc,
            grant_paths: [
              { ...direct, grant_id: createdId },
              { ...department, grant_id: demoGrantId("dept_eng01", "kslice_abc123") },
            ],
          },
          { ...def, grant_paths: [{ ...role, grant_id: demoGrantId("role_admin01", "kslice_def456") }] },
        ],
      });

      // 3. bulk: both grants on vs_docs01, in the request's order
      const bulkGrants = JSON.parse(bulk ?? "") as { id: string; entity_id: string; grantee_id: string }[];
      expect(bulkGrants.map((g) => [g.entity_id, g.grantee_id])).toStrictEqual([
        ["vs_docs01", "dept_eng01"],
        ["vs_docs01", "role_admin01"],
      ]);

      // 4. the list went into GRANT_ID, not to the output
      expect(list).toBe("");

      // 5. update: one of the bulk grants, now write
      const updated = JSON.parse(update ?? "") as { id: string; access_level: string; entity_id: string };
      expect(bulkGrants.map((g) => g.id)).toContain(updated.id);
      expect(updated).toMatchObject({ entity_id: "vs_docs01", access_level: "write" });

      // 6. revoke: no body
      expect(revoke).toBe("");

      // 7. users with access to kslice_abc123
      const who = JSON.parse(usersWithAccess ?? "") as {
        entity_type: string;
        entity_id: string;
        users: { user_id: string; access_level: string }[];
      };
      expect(who.entity_type).toBe("knowledge_slice");
      expect(who.entity_id).toBe("kslice_abc123");
      expect(who.users.map((u) => [u.user_id, u.access_level])).toStrictEqual([
        ["usr_def456", "write"],
        ["usr_ghi789", "write"],
      ]);

      // 8. may usr_def456 write kslice_abc123: yes, the resolved access's two paths to it
      expect(JSON.parse(check ?? "")).toStrictEqual({
        allowed: true,
        access_level: "write",
        grant_paths: [
          { ...direct, grant_id: createdId },
          { ...department, grant_id: demoGrantId("dept_eng01", "kslice_abc123") },
        ],
      });

      // 9. as usr_def456: their own admin through role_admin01, and usr_ghi789 refused for that item alone
      expect(JSON.parse(bulkCheck ?? "")).toStrictEqual({
        results: [
          {
            allowed: true,
            access_level: "admin",
            grant_paths: [
              {
                type: "role",
                access_level: "admin",
                department_id: null,
                role_id: "role_admin01",
                composite_id: null,
                grant_id: demoGrantId("role_admin01", "kslice_def456"),
              },
            ],
          },
          {
            error: {
              code: "INSUFFICIENT_PERMISSIONS",
              message: "You do not have permission to check another user's access to this entity.",
              details: {
                user_id: "usr_ghi789",
                entity_type: "knowledge_slice",
                entity_id: "kslice_policies01",
                required_level: "admin",
                index: 1,
              },
            },
          },
        ],
      });

      // and the revoked grant is gone: vs_docs01 keeps only the other bulk grant
      const remaining = await fetch(`${server.url}/v1/organizations/org_xyz789/vector-stores/vs_docs01/grants`, {
        headers: { authorization: "Bearer demo-owner-token" },
      });
      expect(remaining.status).toBe(200);
      const page = (await remaining.json()) as { items: { id: string }[]; total: number };
      expect(page.total).toBe(1);
      expect(page.items.map((g) => g.id)).toStrictEqual(bulkGrants.map((g) => g.id).filter((id) => id !== updated.id));
    } finally {
      await rm(dir, { recursive: true, force: true });
      server.child.kill("SIGTERM");
    }
  });
});
