/**
 * `grantpath review <graph.json>` (docs/spec.md §11), run in-process through `createProgram`:
 * the table, `--json` (exactly what reviewGrants returns), `--at`, `--expiring-within` with its
 * units, and exit codes (0 with or without findings; 2 for a usage or input error).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDuration } from "../../src/cli/durations.js";
import { createProgram } from "../../src/cli/program.js";
import { createGraph, type GraphInput, reviewGrants } from "../../src/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SEED = join(ROOT, "examples", "seed-graph.json");
/** Two days before the seed graph's only expiry (2099-01-01). */
const AT = "2098-12-30T00:00:00Z";
const ESC = "\u001b[";

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(argv: readonly string[], color = false): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const program = createProgram({
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    color,
    env: {},
  });
  const code = await program.run(argv);
  return { code, stdout, stderr };
}

const lines = (text: string) => text.trimEnd().split("\n");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "grantpath-review-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function graphFile(name: string, input: GraphInput): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(input));
  return path;
}

describe("grantpath review", () => {
  it("prints a table of findings and a count, and exits 0", async () => {
    const { code, stdout, stderr } = await cli(["review", SEED, "--at", AT, "--expiring-within", "3d"]);
    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: "" });
    expect(lines(stdout)).toStrictEqual([
      "KIND       GRANT                ENTITY         GRANTEE         LEVEL  WHY",
      "redundant  agrant_abc123def456  kslice_abc123  usr_def456      read   1 user reached, each holding as much through other grants",
      "expiring   agrant_store01       vs_docs01      dept_backend01  write  expires at 2099-01-01T00:00:00Z",
      "2 findings: 1 redundant, 0 unreachable, 1 expiring",
    ]);
  });

  it("says so when there is nothing to report", async () => {
    const file = await graphFile("clean.json", {
      organization_id: "org_1",
      users: [{ id: "usr_a", department_ids: ["dept_eng"] }],
      grants: [
        {
          id: "agrant_1",
          entity_type: "assistant",
          entity_id: "asst_1",
          grantee_type: "department",
          grantee_id: "dept_eng",
          access_level: "read",
        },
      ],
    });
    expect(await cli(["review", file])).toStrictEqual({
      code: 0,
      stdout: `${file}: no redundant, unreachable or expiring grants\n`,
      stderr: "",
    });
  });

  it("explains unreachable department and role grants", async () => {
    const file = await graphFile("unreachable.json", {
      organization_id: "org_1",
      grants: [
        {
          id: "agrant_d",
          entity_type: "vector_store",
          entity_id: "vs_1",
          grantee_type: "department",
          grantee_id: "dept_empty",
          access_level: "admin",
        },
        {
          id: "agrant_r",
          entity_type: "vector_store",
          entity_id: "vs_1",
          grantee_type: "role",
          grantee_id: "role_nobody",
          access_level: "read",
        },
      ],
    });
    const { code, stdout } = await cli(["review", file, "--at", AT]);
    expect(code).toBe(0);
    expect(lines(stdout)).toStrictEqual([
      "KIND         GRANT     ENTITY  GRANTEE      LEVEL  WHY",
      "unreachable  agrant_d  vs_1    dept_empty   admin  no user is in the department or below it",
      "unreachable  agrant_r  vs_1    role_nobody  read   no user is given the role",
      "2 findings: 0 redundant, 2 unreachable, 0 expiring",
    ]);
  });

  it("--json prints exactly what reviewGrants returns, for several windows", async () => {
    const input = JSON.parse(await readFile(SEED, "utf8")) as GraphInput;
    const graph = createGraph(input);
    for (const [flag, ms] of [
      ["0", 0],
      ["1d", 86_400_000],
      ["3d", 3 * 86_400_000],
      ["2w", 14 * 86_400_000],
    ] as const) {
      const { code, stdout } = await cli(["review", SEED, "--json", "--at", AT, "--expiring-within", flag]);
      expect(code).toBe(0);
      const expected = reviewGrants(graph, { at: new Date(AT), expiringWithin: ms });
      expect(JSON.parse(stdout)).toStrictEqual(JSON.parse(JSON.stringify(expected)));
    }
  });

  it("defaults to now and a week: the seed's 2099 expiry is not reported today", async () => {
    const { code, stdout } = await cli(["review", SEED, "--json"]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { findings: { kind: string }[] }).findings.map((f) => f.kind)).toStrictEqual([
      "redundant",
    ]);
  });

  it("colours the kind and the level when colour is on", async () => {
    const { stdout } = await cli(["review", SEED, "--at", AT, "--expiring-within", "3d"], true);
    expect(stdout).toContain(`${ESC}33mredundant${ESC}39m`);
    expect(stdout).toContain(`${ESC}36mexpiring${ESC}39m`);
  });

  it("a bad duration or instant is a usage error (exit 2); so is a missing file", async () => {
    for (const argv of [
      ["review", SEED, "--expiring-within", "7 days"],
      ["review", SEED, "--expiring-within", "-1"],
      ["review", SEED, "--expiring-within", "1.5h"],
      ["review", SEED, "--at", "yesterday"],
      ["review", join(dir, "missing.json")],
    ]) {
      const outcome = await cli(argv);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).not.toBe("");
    }
  });
});

describe("parseDuration", () => {
  it("reads milliseconds, or a whole number with a unit", () => {
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("1500")).toBe(1500);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("12h")).toBe(43_200_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("2w")).toBe(1_209_600_000);
  });

  it("refuses anything else, and more than Number.MAX_SAFE_INTEGER milliseconds", () => {
    for (const bad of ["", "d", "7 d", "7y", "-5", "1e3", "0x10", "1.5h", "9007199254740992", "999999999999999w"]) {
      expect(() => parseDuration(bad)).toThrow(/expected milliseconds/);
    }
  });
});
