// Scenario files (docs/spec.md §10): checking every problem at its field path, running tests
// in isolation at their instants, exact resolve/who sets, failure reports with paths and
// suggestions, --update keeping comments, coverage, and grantpath test's exit codes.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createProgram } from "../../src/cli/program.js";
import {
  jsonReport,
  junitReport,
  runScenario,
  runScenarioFile,
  ScenarioError,
  textReport,
  updateScenarioFile,
} from "../../src/testing/index.js";
import { parseScenario } from "../../src/testing/scenarios/parse-scenario.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const EXAMPLE = join(ROOT, "examples", "scenarios", "worked-example.yaml");
const SEED = JSON.parse(await readFile(join(ROOT, "examples", "seed-graph.json"), "utf8")) as object;
const NOW = new Date("2025-07-01T00:00:00Z");

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
    env: {},
  });
  const code = await program.run(argv);
  return { code, stdout, stderr };
}

async function tempFile(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "grantpath-scenario-")), name);
  await writeFile(file, text, "utf8");
  return file;
}

describe("scenario files", () => {
  it("run the worked example: every test passes and everything is exercised", async () => {
    const result = await runScenarioFile(EXAMPLE, { now: NOW });
    expect(result.passed).toBe(true);
    expect(result.tests.length).toBeGreaterThanOrEqual(6);
    expect(result.coverage).toMatchObject({ grants: [], departments: [], roles: [], composites: [], path_types: [] });
  });

  it("are checked whole: every problem, each at its field path", () => {
    const parsed = parseScenario({
      graph: { ...SEED, grants: [{ entity_type: "folder" }] },
      extra: 1,
      tests: [
        {
          name: "one",
          at: "yesterday",
          check: [{ user: "bob", entity_type: "knowledge_slice", entity_id: "kslice_a", level: "owner" }],
          resolve: [{ user: "usr_a", entities: { kslice_a: "rwx", nonsense: "read" } }],
          who: [{ entity_type: "assistant", entity_id: "kslice_a", users: {} }],
          typo: true,
        },
        { name: "one", check: [] },
        { name: "" },
      ],
    });
    expect(parsed.ok).toBe(false);
    const paths = parsed.ok ? [] : parsed.problems.map((problem) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "extra",
        "tests[0].typo",
        "tests[0].at",
        "tests[0].check[0].user",
        "tests[0].check[0].level",
        "tests[0].check[0].allowed",
        "tests[0].resolve[0].entities.kslice_a",
        "tests[0].resolve[0].entities.nonsense",
        "tests[0].who[0].entity_id",
        "tests[1].name",
        "tests[2].name",
        "tests[2]",
      ]),
    );
    expect(paths.some((path) => path.startsWith("graph.grants[0]"))).toBe(true);
  });

  it("name a test's own grant that cannot be added, at its path", () => {
    const parsed = parseScenario({
      graph: SEED,
      tests: [
        {
          name: "duplicate",
          grants: [
            {
              entity_type: "knowledge_slice",
              entity_id: "kslice_abc123",
              grantee_type: "user",
              grantee_id: "usr_def456",
              access_level: "admin",
            },
          ],
          check: [],
        },
      ],
    });
    expect(parsed.ok ? [] : parsed.problems.map((problem) => problem.path)).toEqual([
      expect.stringMatching(/^tests\[0\]\.grants\[0\]/),
    ]);
  });

  it("keep each test's grants to itself and ask at its instant", () => {
    const grant = {
      entity_type: "assistant",
      entity_id: "asst_x",
      grantee_type: "user",
      grantee_id: "usr_ghi789",
      access_level: "read",
    };
    const ask = { user: "usr_ghi789", entity_type: "assistant", entity_id: "asst_x" };
    const result = runScenario(
      {
        graph: SEED,
        tests: [
          { name: "with", grants: [grant], check: [{ ...ask, allowed: true }] },
          { name: "without", check: [{ ...ask, allowed: false }] },
          {
            name: "before expiry",
            at: "2098-12-31T23:59:59Z",
            check: [
              {
                user: "usr_ghi789",
                entity_type: "vector_store",
                entity_id: "vs_docs01",
                level: "write",
                allowed: true,
              },
            ],
          },
          {
            name: "at expiry",
            at: "2099-01-01T00:00:00Z",
            check: [{ user: "usr_ghi789", entity_type: "vector_store", entity_id: "vs_docs01", allowed: false }],
          },
        ],
      },
      { now: NOW },
    );
    expect(result.tests.map((test) => [test.name, test.passed])).toEqual([
      ["with", true],
      ["without", true],
      ["before expiry", true],
      ["at expiry", true],
    ]);
  });

  it("hold resolve and who to exact sets, and report what differs with the paths found", () => {
    const result = runScenario(
      {
        graph: SEED,
        tests: [
          {
            name: "exact",
            resolve: [{ user: "usr_ghi789", entity_type: "vector_store", entities: {} }],
            who: [
              {
                entity_type: "knowledge_slice",
                entity_id: "kslice_def456",
                users: { usr_def456: "admin", usr_ghi789: "read" },
              },
            ],
          },
        ],
      },
      { now: NOW },
    );
    const [resolve, who] = result.tests[0]?.assertions ?? [];
    expect(resolve).toMatchObject({
      passed: false,
      differences: [{ id: "vs_docs01", expected: null, actual: "write" }],
    });
    expect(who).toMatchObject({ passed: false, differences: [{ id: "usr_ghi789", expected: "read", actual: null }] });
    const text = textReport([result]);
    expect(text).toContain("vs_docs01: expected no access, actual write");
    expect(text).toContain("write via department dept_backend01 (agrant_store01)");
    expect(text).toContain("1 file, 1 test: 0 passed, 1 failed (2 assertions, 2 failed)");
  });

  it("suggest, for a denied check, the nearest grants that would allow it, in order", () => {
    const result = runScenario(
      {
        graph: SEED,
        tests: [
          {
            name: "denied",
            check: [
              {
                user: "usr_ghi789",
                entity_type: "knowledge_slice",
                entity_id: "kslice_policies01",
                level: "admin",
                allowed: true,
              },
            ],
          },
        ],
      },
      { now: NOW },
    );
    const check = result.tests[0]?.assertions[0];
    expect(check?.kind === "check" ? check.suggestions : undefined).toEqual([
      {
        grantee_type: "user",
        grantee_id: "usr_ghi789",
        entity_type: "knowledge_slice",
        entity_id: "kslice_policies01",
      },
      {
        grantee_type: "user",
        grantee_id: "usr_ghi789",
        entity_type: "knowledge_slice",
        entity_id: "kslice_handbook01",
      },
      {
        grantee_type: "department",
        grantee_id: "dept_backend01",
        entity_type: "knowledge_slice",
        entity_id: "kslice_policies01",
      },
      {
        grantee_type: "department",
        grantee_id: "dept_backend01",
        entity_type: "knowledge_slice",
        entity_id: "kslice_handbook01",
      },
      {
        grantee_type: "department",
        grantee_id: "dept_eng01",
        entity_type: "knowledge_slice",
        entity_id: "kslice_policies01",
      },
      {
        grantee_type: "department",
        grantee_id: "dept_eng01",
        entity_type: "knowledge_slice",
        entity_id: "kslice_handbook01",
      },
    ]);
    expect(textReport([result])).toContain("nearest grants that would allow it (at admin):");
  });

  it("report as JSON and as JUnit XML", () => {
    const result = runScenario(
      {
        graph: SEED,
        tests: [
          {
            name: 'a <tricky> & "quoted" name',
            check: [{ user: "usr_ghi789", entity_type: "assistant", entity_id: "asst_x", allowed: true }],
          },
        ],
      },
      { now: NOW },
    );
    const json = JSON.parse(jsonReport([result])) as { passed: boolean; totals: { failed: number } };
    expect(json).toMatchObject({ passed: false, totals: { failed: 1 } });
    const xml = junitReport([result]);
    expect(xml).toContain('<testcase name="a &#60;tricky&#62; &#38; &#34;quoted&#34; name"');
    expect(xml).toContain("<failure message=");
  });

  it("update failing resolve and who expectations in YAML, keeping comments, and then pass", async () => {
    const file = await tempFile(
      "update.yaml",
      [
        "# top comment",
        `graph_file: ${JSON.stringify(join(ROOT, "examples", "seed-graph.json"))}`,
        "tests:",
        "  - name: snapshot # the test",
        "    resolve:",
        "      - user: usr_ghi789",
        "        entity_type: vector_store",
        "        entities: { vs_docs01: read } # keep me",
        "    who:",
        "      - entity_type: knowledge_slice",
        "        entity_id: kslice_def456",
        "        users:",
        "          usr_def456: admin # stays",
        "          usr_ghi789: read",
        "    check:",
        "      - { user: usr_ghi789, entity_type: assistant, entity_id: asst_x, allowed: true } # never rewritten",
        "",
      ].join("\n"),
    );
    const update = await updateScenarioFile(file, { now: NOW });
    expect(update.updated).toEqual(["tests[0].resolve[0].entities", "tests[0].who[0].users"]);
    const text = await readFile(file, "utf8");
    expect(text).toContain("# top comment");
    expect(text).toContain("entities: { vs_docs01: write } # keep me");
    expect(text).toContain("usr_def456: admin # stays");
    expect(text).not.toContain("usr_ghi789: read");
    expect(text).toContain("allowed: true } # never rewritten");
    const after = await runScenarioFile(file, { now: NOW });
    expect(after.tests[0]?.assertions.map((assertion) => assertion.passed)).toEqual([false, true, true]);
  });

  it("update JSON files too", async () => {
    const file = await tempFile(
      "update.json",
      JSON.stringify({
        graph: SEED,
        tests: [{ name: "t", resolve: [{ user: "usr_ghi789", entity_type: "vector_store", entities: {} }] }],
      }),
    );
    await updateScenarioFile(file, { now: NOW });
    const value = JSON.parse(await readFile(file, "utf8")) as { tests: { resolve: { entities: object }[] }[] };
    expect(value.tests[0]?.resolve[0]?.entities).toEqual({ vs_docs01: "write" });
  });

  it("fail to load with SCENARIO_UNREADABLE or SCENARIO_INVALID", async () => {
    await expect(runScenarioFile(join(ROOT, "nope.yaml"))).rejects.toMatchObject({ code: "SCENARIO_UNREADABLE" });
    const bad = await tempFile("bad.yaml", "tests: [\n  - name: x\n");
    const error = await runScenarioFile(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).problems[0]?.path).toMatch(/^line \d+, column \d+$/);
    const both = await tempFile("both.yaml", "graph: {}\ngraph_file: x.json\ntests: []\n");
    await expect(runScenarioFile(both)).rejects.toMatchObject({ code: "SCENARIO_INVALID" });
  });
});

describe("grantpath test", () => {
  it("exits 0 when every test passes, and prints the summary and coverage", async () => {
    const { code, stdout } = await cli("test", EXAMPLE, "--coverage");
    expect(code).toBe(0);
    expect(stdout).toMatch(/1 file, \d+ tests: \d+ passed, 0 failed/);
    expect(stdout).toContain("grants: 5 of 5 exercised");
    expect(stdout).not.toContain("✓"); // failures only
    expect((await cli("test", EXAMPLE, "--verbose")).stdout).toContain("✓ the admin role administers its slice");
  });

  it("exits 1 when an assertion fails, 2 when a file cannot be read or is invalid", async () => {
    const failing = await tempFile(
      "failing.json",
      JSON.stringify({
        graph: SEED,
        tests: [
          { name: "no", check: [{ user: "usr_ghi789", entity_type: "assistant", entity_id: "asst_x", allowed: true }] },
        ],
      }),
    );
    const failed = await cli("test", failing);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("✗ no");
    const invalid = await tempFile(
      "invalid.json",
      JSON.stringify({ graph: SEED, tests: [{ name: "x", check: [{}] }] }),
    );
    const refused = await cli("test", failing, invalid);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("SCENARIO_INVALID tests[0].check[0].user");
    expect((await cli("test", join(ROOT, "missing.yaml"))).code).toBe(2);
    const junit = await cli("test", failing, "--reporter", "junit");
    expect(junit.stdout).toMatch(/^<\?xml/);
  });
});
