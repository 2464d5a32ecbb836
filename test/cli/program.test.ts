/**
 * The `grantpath` command line over graph files: `resolve`, `check`, `who` and `validate`, run
 * in-process through `createProgram` with captured output, plus a few runs of the built
 * executable (`node dist/cli.js`) as a child process. `serve` has its own file (serve.test.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createProgram } from "../../src/cli/program.js";
import { checkAccess, createGraph, type GraphInput, resolveAccess, usersWithAccess } from "../../src/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SEED = join(ROOT, "examples", "seed-graph.json");
const CLI = join(ROOT, "dist", "cli.js");
/** An instant well before the demo graph's only expiry (2099-01-01), so every answer is fixed. */
const AT = "2030-01-01T00:00:00Z";
const ESC = "\u001b[";

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the program in-process with captured output. */
async function cli(
  argv: readonly string[],
  options: { color?: boolean; env?: Record<string, string> } = {},
): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const program = createProgram({
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    color: options.color ?? false,
    env: options.env ?? {},
  });
  const code = await program.run(argv);
  return { code, stdout, stderr };
}

/** Runs the built executable as a child process (stdout is a pipe, so no colour). */
function binary(argv: readonly string[], env: Record<string, string> = {}): Outcome {
  const result = spawnSync(process.execPath, [CLI, ...argv], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, ...env },
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

let seedInput: GraphInput;
let dir: string;

/** Writes `content` (JSON-encoded unless it is a string) to a temp file and returns its path. */
async function tempFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

beforeAll(async () => {
  seedInput = JSON.parse(await readFile(SEED, "utf8")) as GraphInput;
  dir = await mkdtemp(join(tmpdir(), "grantpath-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");

describe("resolve", () => {
  it("prints a table of every entity the user reaches, with levels and grant paths", async () => {
    const { code, stdout, stderr } = await cli(["resolve", SEED, "usr_def456", "--at", AT]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(lines(stdout)).toStrictEqual([
      "ENTITY TYPE      ENTITY             LEVEL  GRANT PATHS",
      "knowledge_slice  kslice_abc123      write  direct: read (agrant_abc123def456)",
      "                                           department dept_eng01: write (agrant_eng01write)",
      "knowledge_slice  kslice_benefits01  read   composite kslice_handbook01 via department dept_eng01: read (agrant_handbook01)",
      "knowledge_slice  kslice_def456      admin  role role_admin01: admin (agrant_admin01)",
      "knowledge_slice  kslice_handbook01  read   department dept_eng01: read (agrant_handbook01)",
      "knowledge_slice  kslice_policies01  read   composite kslice_handbook01 via department dept_eng01: read (agrant_handbook01)",
    ]);
  });

  it("shows inherited department grants for a user of a child department", async () => {
    const { code, stdout } = await cli(["resolve", SEED, "usr_ghi789", "--at", AT]);
    expect(code).toBe(0);
    expect(lines(stdout)).toStrictEqual([
      "ENTITY TYPE      ENTITY             LEVEL  GRANT PATHS",
      "knowledge_slice  kslice_abc123      write  department dept_eng01: write (agrant_eng01write)",
      "knowledge_slice  kslice_benefits01  read   composite kslice_handbook01 via department dept_eng01: read (agrant_handbook01)",
      "knowledge_slice  kslice_handbook01  read   department dept_eng01: read (agrant_handbook01)",
      "knowledge_slice  kslice_policies01  read   composite kslice_handbook01 via department dept_eng01: read (agrant_handbook01)",
      "vector_store     vs_docs01          write  department dept_backend01: write (agrant_store01)",
    ]);
  });

  it("--entity-type keeps only that type", async () => {
    const stores = await cli(["resolve", SEED, "usr_ghi789", "--entity-type", "vector_store", "--at", AT]);
    expect(stores.code).toBe(0);
    expect(lines(stores.stdout)).toStrictEqual([
      "ENTITY TYPE   ENTITY     LEVEL  GRANT PATHS",
      "vector_store  vs_docs01  write  department dept_backend01: write (agrant_store01)",
    ]);

    const slices = await cli(["resolve", SEED, "usr_ghi789", "--entity-type", "knowledge_slice", "--json", "--at", AT]);
    const parsed = JSON.parse(slices.stdout) as { entities: { entity_type: string }[] };
    expect(parsed.entities).toHaveLength(4);
    expect(parsed.entities.every((entity) => entity.entity_type === "knowledge_slice")).toBe(true);

    const none = await cli(["resolve", SEED, "usr_def456", "--entity-type", "assistant", "--at", AT]);
    expect(none).toStrictEqual({ code: 0, stdout: "usr_def456 reaches no entity\n", stderr: "" });
  });

  it("--json prints exactly what resolveAccess returns", async () => {
    const graph = createGraph(seedInput);
    for (const user of ["usr_def456", "usr_ghi789", "usr_nobody1"]) {
      const { code, stdout } = await cli(["resolve", SEED, user, "--json", "--at", AT]);
      expect(code).toBe(0);
      const expected = resolveAccess(graph, user, { at: new Date(AT) });
      expect(JSON.parse(stdout)).toStrictEqual(JSON.parse(JSON.stringify(expected)));
    }
    const filtered = await cli(["resolve", SEED, "usr_ghi789", "--json", "--entity-type", "vector_store", "--at", AT]);
    expect(JSON.parse(filtered.stdout)).toStrictEqual(
      JSON.parse(JSON.stringify(resolveAccess(graph, "usr_ghi789", { entityType: "vector_store", at: new Date(AT) }))),
    );
  });

  it("--at decides expiry: the store grant is gone at and after its expires_at", async () => {
    const before = await cli(["resolve", SEED, "usr_ghi789", "--json", "--at", "2098-12-31T23:59:59Z"]);
    const at = await cli(["resolve", SEED, "usr_ghi789", "--json", "--at", "2099-01-01T00:00:00Z"]);
    const ids = (outcome: Outcome) =>
      (JSON.parse(outcome.stdout) as { entities: { entity_id: string }[] }).entities.map((e) => e.entity_id);
    expect(ids(before)).toContain("vs_docs01");
    expect(ids(at)).not.toContain("vs_docs01");
    expect(ids(at)).toStrictEqual(ids(before).filter((id) => id !== "vs_docs01"));

    const table = await cli([
      "resolve",
      SEED,
      "usr_ghi789",
      "--entity-type",
      "vector_store",
      "--at",
      "2100-01-01T00:00:00Z",
    ]);
    expect(table.stdout).toBe("usr_ghi789 reaches no entity\n");
  });

  it("refuses an --at that is not a date-time", async () => {
    const { code, stdout, stderr } = await cli(["resolve", SEED, "usr_def456", "--at", "yesterday"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("expected an ISO-8601 date-time");
  });
});

describe("check", () => {
  it("exits 0 when allowed, with the verdict and the paths", async () => {
    const outcome = await cli(["check", SEED, "usr_def456", "knowledge_slice", "kslice_abc123", "--at", AT]);
    expect(outcome).toStrictEqual({
      code: 0,
      stdout:
        "allowed: usr_def456 has write on kslice_abc123\n" +
        "  direct: read (agrant_abc123def456)\n" +
        "  department dept_eng01: write (agrant_eng01write)\n",
      stderr: "",
    });
  });

  it("exits 1 when denied: no access at all", async () => {
    const outcome = await cli(["check", SEED, "usr_def456", "vector_store", "vs_docs01", "--at", AT]);
    expect(outcome).toStrictEqual({ code: 1, stdout: "denied: usr_def456 has no access on vs_docs01\n", stderr: "" });
  });

  it("--level: allowed at or below the effective level, denied above it", async () => {
    const args = ["check", SEED, "usr_ghi789", "vector_store", "vs_docs01", "--at", AT];
    expect((await cli([...args, "--level", "read"])).code).toBe(0);
    expect((await cli([...args, "--level", "write"])).code).toBe(0);
    const admin = await cli([...args, "--level", "admin"]);
    expect(admin.code).toBe(1);
    expect(admin.stdout).toBe(
      "denied: usr_ghi789 has write on vs_docs01\n  department dept_backend01: write (agrant_store01)\n",
    );
    // after the grant expires there is nothing left to check against
    const expired = await cli([...args.slice(0, -2), "--at", "2099-06-01T00:00:00Z", "--level", "read"]);
    expect(expired.code).toBe(1);
  });

  it("refuses an unknown --level with exit 2", async () => {
    const { code, stderr } = await cli(["check", SEED, "usr_ghi789", "vector_store", "vs_docs01", "--level", "super"]);
    expect(code).toBe(2);
    expect(stderr).toContain("VALIDATION_ERROR");
    expect(stderr).toContain("level");
  });

  it("--json prints exactly what checkAccess returns, and keeps the exit code", async () => {
    const graph = createGraph(seedInput);
    const cases = [
      { user: "usr_def456", type: "knowledge_slice", id: "kslice_abc123", level: "write", code: 0 },
      { user: "usr_def456", type: "knowledge_slice", id: "kslice_abc123", level: "admin", code: 1 },
      { user: "usr_def456", type: "vector_store", id: "vs_docs01", level: "read", code: 1 },
      { user: "usr_ghi789", type: "knowledge_slice", id: "kslice_policies01", level: "read", code: 0 },
    ] as const;
    for (const c of cases) {
      const outcome = await cli(["check", SEED, c.user, c.type, c.id, "--level", c.level, "--json", "--at", AT]);
      expect(outcome.code).toBe(c.code);
      const expected = checkAccess(graph, c.user, c.type, c.id, { level: c.level, at: new Date(AT) });
      expect(JSON.parse(outcome.stdout)).toStrictEqual(JSON.parse(JSON.stringify(expected)));
    }
  });
});

describe("who", () => {
  it("prints a table of every user who reaches the entity", async () => {
    const { code, stdout, stderr } = await cli(["who", SEED, "knowledge_slice", "kslice_abc123", "--at", AT]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(lines(stdout)).toStrictEqual([
      "USER        LEVEL  GRANT PATHS",
      "usr_def456  write  direct: read (agrant_abc123def456)",
      "                   department dept_eng01: write (agrant_eng01write)",
      "usr_ghi789  write  department dept_eng01: write (agrant_eng01write)",
    ]);
  });

  it("says so when nobody reaches the entity", async () => {
    const outcome = await cli(["who", SEED, "assistant", "asst_nobody1", "--at", AT]);
    expect(outcome).toStrictEqual({ code: 0, stdout: "nobody reaches asst_nobody1\n", stderr: "" });
  });

  it("--json prints exactly what usersWithAccess returns", async () => {
    const graph = createGraph(seedInput);
    const targets = [
      ["knowledge_slice", "kslice_abc123"],
      ["knowledge_slice", "kslice_policies01"],
      ["vector_store", "vs_docs01"],
    ] as const;
    for (const [type, id] of targets) {
      const { code, stdout } = await cli(["who", SEED, type, id, "--json", "--at", AT]);
      expect(code).toBe(0);
      const expected = usersWithAccess(graph, type, id, { at: new Date(AT) });
      expect(JSON.parse(stdout)).toStrictEqual(JSON.parse(JSON.stringify(expected)));
    }
  });
});

describe("validate", () => {
  it("a valid file: exit 0 with the counts", async () => {
    const outcome = await cli(["validate", SEED]);
    expect(outcome).toStrictEqual({ code: 0, stdout: `${SEED}: valid (2 users, 5 grants)\n`, stderr: "" });

    const bare = await tempFile("bare.json", { organization_id: "org_bare1" });
    expect(await cli(["validate", bare])).toStrictEqual({
      code: 0,
      stdout: `${bare}: valid (0 users, 0 grants)\n`,
      stderr: "",
    });
  });

  it("lists EVERY problem with its field path, at the right index, and exits 1", async () => {
    const grant = {
      entity_type: "knowledge_slice",
      entity_id: "kslice_a1",
      grantee_type: "user",
      grantee_id: "usr_a1",
      access_level: "read",
    };
    const file = await tempFile("problems.json", {
      organization_id: "org_acme1",
      owners: ["usr_boss1", "boss"],
      users: [
        { id: "usr_a1", department_ids: ["dept_x1"] },
        { id: "usr_b2", department_ids: ["dept_x1", "engineering"] },
        null,
        { id: 42 },
      ],
      departments: [
        { id: "dept_x1", parent_id: null },
        { id: "dept_y1", parent_id: "nope" },
      ],
      roles: [{ id: "role_a1" }, { id: "admin" }],
      composites: [{ id: "kslice_c1", member_slice_ids: ["kslice_a1", "vs_b1"] }],
      grants: [
        grant,
        { ...grant, entity_id: "kslice_b1", access_level: "super" },
        { ...grant, entity_type: "database" },
        { ...grant, entity_id: "kslice_c1", grantee_type: "role", grantee_id: "role_a1", expires_at: "soon" },
      ],
    });
    const { code, stdout, stderr } = await cli(["validate", file]);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    const out = lines(stdout);
    const problems = out.slice(0, -1);
    expect(out.at(-1)).toBe(`${problems.length} problems`);
    expect(problems.every((line) => line.startsWith(`${file}: `))).toBe(true);

    // one problem per bad item, each naming its own field path (never another item's index)
    const expected: readonly (readonly [code: string, field: string])[] = [
      ["VALIDATION_ERROR", "owners[1]"],
      ["VALIDATION_ERROR", "users[1].department_ids[1]"],
      ["VALIDATION_ERROR", "users[2]"],
      ["VALIDATION_ERROR", "users[3].id"],
      ["VALIDATION_ERROR", "departments[1].parent_id"],
      ["VALIDATION_ERROR", "roles[1].id"],
      ["VALIDATION_ERROR", "composites[0].member_slice_ids[1]"],
      ["VALIDATION_ERROR", "grants[1].access_level"],
      ["VALIDATION_ERROR", "grants[2].entity_type"],
      ["VALIDATION_ERROR", "grants[3].expires_at"],
    ];
    expect(problems).toHaveLength(expected.length);
    problems.forEach((line, i) => {
      const [problemCode, field] = expected[i] ?? ["", ""];
      const rest = line.slice(`${file}: `.length);
      // Each message opens with the field it is about (named once, not twice).
      expect(rest.startsWith(`${problemCode} ${field} `), line).toBe(true);
      const message = rest.slice(`${problemCode} `.length);
      expect(message.length, line).toBeGreaterThan(0);
      // a message that names a path names this item's path, not the first item's
      const list = field.slice(0, field.indexOf("["));
      const index = field.slice(field.indexOf("["), field.indexOf("]") + 1);
      for (const named of message.matchAll(new RegExp(`\\b${list}\\[\\d+\\]`, "g"))) {
        expect(named[0], line).toBe(`${list}${index}`);
      }
    });
    expect(problems[1]).toContain('users[1].department_ids[1] must start with "dept_"');
    expect(problems[7]).toContain("grants[1].access_level must be one of");
    expect(problems[9]).toContain("grants[3].expires_at");
  });

  it("reports duplicate ids with both indexes", async () => {
    const grant = (id: string, entity_id: string) => ({
      id,
      entity_type: "vector_store",
      entity_id,
      grantee_type: "role",
      grantee_id: "role_a1",
      access_level: "read",
    });
    const file = await tempFile("duplicates.json", {
      organization_id: "org_acme1",
      users: [{ id: "usr_a1" }, { id: "usr_b2" }, { id: "usr_a1" }],
      departments: [{ id: "dept_x1" }, { id: "dept_x1" }],
      grants: [grant("agrant_g1", "vs_a1"), grant("agrant_g2", "vs_b1"), grant("agrant_g1", "vs_c1")],
    });
    const { code, stdout } = await cli(["validate", file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toStrictEqual([
      `${file}: VALIDATION_ERROR users[2].id usr_a1 duplicates users[0].id`,
      `${file}: VALIDATION_ERROR departments[1].id dept_x1 duplicates departments[0].id`,
      `${file}: VALIDATION_ERROR grants[2].id agrant_g1 duplicates grants[0].id`,
      "3 problems",
    ]);
  });

  it("lists every problem of every kind in one file, in the file's order, items before each list's structure", async () => {
    const grant = {
      entity_type: "knowledge_slice",
      entity_id: "kslice_a1",
      grantee_type: "user",
      grantee_id: "usr_a1",
      access_level: "read",
    };
    const file = await tempFile("every-kind.json", {
      organization_id: "org_acme1",
      owners: ["usr_boss1", "boss"],
      users: [
        { id: "usr_a1", department_ids: ["dept_x1"] },
        { id: "bob", department_ids: ["dept_x1", "engineering", "role_r1"], role_ids: ["dept_y1"] },
        null,
        { id: "usr_a1" },
      ],
      departments: [
        { id: "dept_a1", parent_id: "dept_b1" },
        { id: "dept_b1", parent_id: "dept_a1" },
        { id: "dept_c1", parent_id: "nope" },
      ],
      roles: [{ id: "role_a1" }, { id: "admin" }],
      composites: [
        { id: "kslice_c1", member_slice_ids: ["kslice_c2"] },
        { id: "kslice_c2", member_slice_ids: ["vs_b1", "kslice_c1"] },
      ],
      grants: [
        grant,
        { ...grant, entity_type: "database", entity_id: "db_1", access_level: "super" },
        { ...grant, access_level: "admin", expires_at: "soon" },
      ],
    });
    const { code, stdout, stderr } = await cli(["validate", file]);
    expect({ code, stderr }).toStrictEqual({ code: 1, stderr: "" });
    expect(lines(stdout)).toStrictEqual([
      `${file}: VALIDATION_ERROR owners[1] must start with "usr_"`,
      // every bad field of an item, and every bad element of its id lists
      `${file}: VALIDATION_ERROR users[1].id must start with "usr_"`,
      `${file}: VALIDATION_ERROR users[1].department_ids[1] must start with "dept_"`,
      `${file}: VALIDATION_ERROR users[1].department_ids[2] must start with "dept_"`,
      `${file}: VALIDATION_ERROR users[1].role_ids[0] must start with "role_"`,
      `${file}: VALIDATION_ERROR users[2] must be an object, got null`,
      `${file}: VALIDATION_ERROR users[3].id usr_a1 duplicates users[0].id`,
      // a bad parent is one edge fewer, not the end of the cycle check
      `${file}: VALIDATION_ERROR departments[2].parent_id must start with "dept_"`,
      `${file}: INVALID_GRAPH departments[1].parent_id would create a department cycle: dept_b1 -> dept_a1 -> dept_b1`,
      `${file}: VALIDATION_ERROR roles[1].id must start with "role_"`,
      // a bad member does not hide the cycle through the composite's other member
      `${file}: VALIDATION_ERROR composites[1].member_slice_ids[0] must start with "kslice_"`,
      `${file}: INVALID_GRAPH composites[1].member_slice_ids[1] would create a composite cycle: kslice_c2 -> kslice_c1 -> kslice_c2`,
      // a bad entity_type makes entity_id meaningless (db_1 is not reported), not access_level
      `${file}: VALIDATION_ERROR grants[1].entity_type must be one of {'knowledge_slice', 'vector_store', 'assistant'}`,
      `${file}: VALIDATION_ERROR grants[1].access_level must be one of {'read', 'write', 'admin'}`,
      // a grant with a bad expiry still holds its entity and grantee
      `${file}: VALIDATION_ERROR grants[2].expires_at must be an ISO-8601 date-time with a time zone, e.g. 2025-06-15T10:00:00Z`,
      `${file}: RESOURCE_ALREADY_EXISTS grants[2]: user usr_a1 already holds grant agrant_auto_1 on kslice_a1`,
      "16 problems",
    ]);
  });

  it("reports every cycle once: rings of two and three, a department its own parent, a composite its own member", async () => {
    const file = await tempFile("cycles.json", {
      organization_id: "org_acme1",
      departments: [
        { id: "dept_a1", parent_id: "dept_b1" },
        { id: "dept_b1", parent_id: "dept_a1" },
        { id: "dept_s1", parent_id: "dept_s1" },
        { id: "dept_c1", parent_id: "dept_e1" },
        { id: "dept_d1", parent_id: "dept_c1" },
        { id: "dept_e1", parent_id: "dept_d1" },
        { id: "dept_f1", parent_id: "dept_" },
      ],
      composites: [
        { id: "kslice_a1", member_slice_ids: ["kslice_b1"] },
        { id: "kslice_b1", member_slice_ids: ["kslice_x1", "kslice_a1"] },
        { id: "kslice_s1", member_slice_ids: ["kslice_s1"] },
        { id: "kslice_c1", member_slice_ids: ["kslice_d1"] },
        { id: "kslice_d1", member_slice_ids: ["kslice_e1"] },
        { id: "kslice_e1", member_slice_ids: ["kslice_c1"] },
      ],
    });
    const { code, stdout } = await cli(["validate", file]);
    expect(code).toBe(1);
    // Each at the item whose edge closes it, in the order createGraph finds them.
    expect(lines(stdout)).toStrictEqual([
      `${file}: VALIDATION_ERROR departments[6].parent_id must have 1-128 characters after "dept_"`,
      `${file}: INVALID_GRAPH departments[1].parent_id would create a department cycle: dept_b1 -> dept_a1 -> dept_b1`,
      `${file}: INVALID_GRAPH departments[2].parent_id would create a department cycle: dept_s1 -> dept_s1`,
      `${file}: INVALID_GRAPH departments[5].parent_id would create a department cycle: dept_e1 -> dept_d1 -> dept_c1 -> dept_e1`,
      `${file}: INVALID_GRAPH composites[1].member_slice_ids[1] would create a composite cycle: kslice_b1 -> kslice_a1 -> kslice_b1`,
      `${file}: INVALID_GRAPH composites[2].member_slice_ids[0] would create a composite cycle: kslice_s1 -> kslice_s1`,
      `${file}: INVALID_GRAPH composites[5].member_slice_ids[0] would create a composite cycle: kslice_e1 -> kslice_c1 -> kslice_d1 -> kslice_e1`,
      "7 problems",
    ]);
  });

  it("reports each chain past a depth limit once, wherever in the chain the file lists it first", async () => {
    // A chain of 102 departments listed from the bottom up, a second branch that reaches 101
    // levels, and a chain of 101 composites listed from the top down.
    const chain = Array.from({ length: 102 }, (_, i) => ({
      id: `dept_d${101 - i}`,
      parent_id: i === 101 ? null : `dept_d${100 - i}`,
    }));
    const branch = Array.from({ length: 50 }, (_, i) => ({
      id: `dept_b${i}`,
      parent_id: i === 0 ? "dept_d50" : `dept_b${i - 1}`,
    }));
    const composites = Array.from({ length: 101 }, (_, i) => ({
      id: `kslice_k${i}`,
      member_slice_ids: [`kslice_k${i + 1}`],
    }));
    const file = await tempFile("deep.json", {
      organization_id: "org_deep1",
      departments: [...chain, ...branch],
      composites,
    });
    const { code, stdout } = await cli(["validate", file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toStrictEqual([
      `${file}: VALIDATION_ERROR departments[0].parent_id would make a chain of departments 102 deep (through dept_d101); the limit maxDepartmentDepth is 100`,
      `${file}: VALIDATION_ERROR departments[151].parent_id would make a chain of departments 101 deep (through dept_b49); the limit maxDepartmentDepth is 100`,
      `${file}: VALIDATION_ERROR composites[0].member_slice_ids would make a chain of composites 101 deep (from kslice_k0); the limit maxCompositeDepth is 100`,
      "3 problems",
    ]);
  });

  it("a bad organization_id hides nothing else; only grants' own organization_id cannot be compared with it", async () => {
    const grant = {
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "role",
      grantee_id: "role_a1",
      access_level: "write",
    };
    const file = await tempFile("bad-organization.json", {
      organization_id: "acme",
      users: [{ id: "usr_a1", role_ids: ["role_"] }],
      grants: [
        { ...grant, organization_id: "acme" },
        { ...grant, organization_id: "org_other", access_level: "read" },
      ],
    });
    const { code, stdout } = await cli(["validate", file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toStrictEqual([
      `${file}: VALIDATION_ERROR organization_id must start with "org_"`,
      `${file}: VALIDATION_ERROR users[0].role_ids[0] must have 1-128 characters after "role_"`,
      `${file}: RESOURCE_ALREADY_EXISTS grants[1]: role role_a1 already holds grant agrant_auto_1 on asst_1`,
      "3 problems",
    ]);
  });

  it("two grants for one entity and grantee: every later one, naming the grant that holds the pair", async () => {
    const grant = (entity_id: string, grantee_id: string, extra: Record<string, unknown> = {}) => ({
      entity_type: "vector_store",
      entity_id,
      grantee_type: "user",
      grantee_id,
      access_level: "read",
      ...extra,
    });
    const file = await tempFile("pairs.json", {
      organization_id: "org_acme1",
      grants: [
        grant("vs_a1", "usr_a1"),
        grant("vs_a1", "usr_b1", { id: "agrant_b" }),
        grant("vs_a1", "usr_a1", { access_level: "admin" }),
        grant("vs_a1", "usr_b1", { id: "agrant_b" }),
        // createGraph gives grants[0] agrant_auto_2, skipping the id this one uses
        grant("vs_a1", "usr_a1", { id: "agrant_auto_1" }),
        // a bad entity leaves the pair unknown: no conflict is claimed for it
        grant("kslice_a1", "usr_a1"),
      ],
    });
    const { code, stdout } = await cli(["validate", file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toStrictEqual([
      `${file}: VALIDATION_ERROR grants[3].id agrant_b duplicates grants[1].id`,
      `${file}: VALIDATION_ERROR grants[5].entity_id must start with "vs_"`,
      `${file}: RESOURCE_ALREADY_EXISTS grants[2]: user usr_a1 already holds grant agrant_auto_2 on vs_a1`,
      `${file}: RESOURCE_ALREADY_EXISTS grants[3]: user usr_b1 already holds grant agrant_b on vs_a1`,
      `${file}: RESOURCE_ALREADY_EXISTS grants[4]: user usr_a1 already holds grant agrant_auto_2 on vs_a1`,
      "5 problems",
    ]);
  });

  it("a list that is not an array, or an item that is not an object, is one problem: nothing inside is read", async () => {
    const file = await tempFile("shapes.json", {
      organization_id: "org_acme1",
      owners: "usr_a1",
      users: { id: "bob" },
      roles: [["role_a1"]],
      grants: [42, { entity_type: "assistant", entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_a1" }],
    });
    const { code, stdout } = await cli(["validate", file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toStrictEqual([
      `${file}: VALIDATION_ERROR owners must be an array, got a string`,
      `${file}: VALIDATION_ERROR users must be an array, got an object`,
      `${file}: VALIDATION_ERROR roles[0] must be an object, got an array`,
      `${file}: VALIDATION_ERROR grants[0] must be an object, got a number`,
      `${file}: VALIDATION_ERROR grants[1].access_level is required`,
      "5 problems",
    ]);
  });

  it("a file that is not an object is one problem", async () => {
    const file = await tempFile("array.json", [1, 2]);
    const { code, stdout } = await cli(["validate", file]);
    expect(code).toBe(1);
    expect(lines(stdout)).toStrictEqual([
      `${file}: VALIDATION_ERROR graph must be an object, got an array`,
      "1 problem",
    ]);
  });
});

describe("errors: a message on stderr and exit 2", () => {
  it("a missing file", async () => {
    const missing = join(dir, "does-not-exist.json");
    for (const argv of [
      ["resolve", missing, "usr_def456"],
      ["check", missing, "usr_def456", "vector_store", "vs_docs01"],
      ["who", missing, "vector_store", "vs_docs01"],
      ["validate", missing],
    ]) {
      const { code, stdout, stderr } = await cli(argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(new RegExp(`^error: cannot read ${escapeRegExp(missing)}: .*ENOENT`));
    }
  });

  it("a file that is not JSON", async () => {
    const broken = await tempFile("broken.json", "{ not json");
    for (const argv of [
      ["resolve", broken, "usr_def456"],
      ["validate", broken],
    ]) {
      const { code, stdout, stderr } = await cli(argv);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(new RegExp(`^error: ${escapeRegExp(broken)} is not valid JSON: `));
    }
  });

  it("an invalid graph given to resolve", async () => {
    const bad = await tempFile("bad-graph.json", { organization_id: "acme" });
    const { code, stdout, stderr } = await cli(["resolve", bad, "usr_def456"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe('error: VALIDATION_ERROR organization_id: organization_id must start with "org_"\n');
  });

  it("an invalid user id", async () => {
    const { code, stdout, stderr } = await cli(["resolve", SEED, "bob"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe('error: VALIDATION_ERROR user_id: user_id must start with "usr_"\n');

    const check = await cli(["check", SEED, "bob", "vector_store", "vs_docs01"]);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain("user_id");
  });

  it("an entity id of the wrong type", async () => {
    const { code, stderr } = await cli(["who", SEED, "vector_store", "kslice_abc123"]);
    expect(code).toBe(2);
    expect(stderr).toContain("entity_id");
  });

  it("an unknown command, and missing arguments", async () => {
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");

    const missing = await cli(["resolve", SEED]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'user_id'");
  });

  it("--help exits 0", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const command of ["serve", "resolve", "check", "who", "validate"]) expect(stdout).toContain(command);
  });

  it("an invalid PORT in the environment does not break the commands that do not listen", async () => {
    // PORT only matters to `serve`; createProgram must not throw for it.
    const outcome = await cli(["resolve", SEED, "usr_def456", "--entity-type", "vector_store", "--at", AT], {
      env: { PORT: "not-a-port" },
    });
    expect(outcome).toStrictEqual({ code: 0, stdout: "usr_def456 reaches no entity\n", stderr: "" });
  });
});

describe("colour", () => {
  // The program's `color` is the decision (main.ts makes it from the terminal); it must not
  // depend on whether this process's own stdout is a TTY or on FORCE_COLOR.
  const runs = [
    ["resolve", SEED, "usr_def456", "--at", AT],
    ["check", SEED, "usr_def456", "knowledge_slice", "kslice_abc123", "--at", AT],
    ["check", SEED, "usr_def456", "vector_store", "vs_docs01", "--at", AT],
    ["who", SEED, "knowledge_slice", "kslice_abc123", "--at", AT],
  ];

  it("color: true emits ANSI codes", async () => {
    vi.stubEnv("FORCE_COLOR", undefined);
    for (const argv of runs) {
      const { stdout } = await cli(argv, { color: true });
      expect(stdout, argv.join(" ")).toContain(ESC);
    }
    const bad = await tempFile("colour-problems.json", { organization_id: "org_acme1", roles: [{ id: "x" }] });
    expect((await cli(["validate", bad], { color: true })).stdout).toContain(ESC);
  });

  it("color: false emits none", async () => {
    vi.stubEnv("FORCE_COLOR", "3");
    for (const argv of runs) {
      const { stdout } = await cli(argv, { color: false });
      expect(stdout, argv.join(" ")).not.toContain("\u001b");
    }
    const bad = await tempFile("plain-problems.json", { organization_id: "org_acme1", roles: [{ id: "x" }] });
    expect((await cli(["validate", bad], { color: false })).stdout).not.toContain("\u001b");
  });

  it("colour does not change the text, only wraps it", async () => {
    vi.stubEnv("FORCE_COLOR", undefined);
    const plain = await cli(runs[0] ?? [], { color: false });
    const coloured = await cli(runs[0] ?? [], { color: true });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(coloured.stdout.replace(/\u001b\[\d+m/g, "")).toBe(plain.stdout);
  });
});

describe("the built executable (node dist/cli.js)", () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  });

  it("resolve prints the table without colour on a pipe, exit 0", () => {
    const { code, stdout, stderr } = binary(["resolve", SEED, "usr_def456", "--at", AT]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).not.toContain("\u001b");
    expect(lines(stdout)[0]).toBe("ENTITY TYPE      ENTITY             LEVEL  GRANT PATHS");
    expect(lines(stdout)).toHaveLength(7);
  });

  it("check sets the process exit code: 0 allowed, 1 denied", () => {
    const args = ["check", SEED, "usr_ghi789", "vector_store", "vs_docs01", "--at", AT];
    expect(binary([...args, "--level", "write"]).code).toBe(0);
    const denied = binary([...args, "--level", "admin"]);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain("denied: usr_ghi789 has write on vs_docs01");
  });

  it("who --json and validate", () => {
    const who = binary(["who", SEED, "vector_store", "vs_docs01", "--json", "--at", AT]);
    expect(who.code).toBe(0);
    expect((JSON.parse(who.stdout) as { users: { user_id: string }[] }).users.map((u) => u.user_id)).toStrictEqual([
      "usr_ghi789",
    ]);
    expect(binary(["validate", SEED])).toStrictEqual({
      code: 0,
      stdout: `${SEED}: valid (2 users, 5 grants)\n`,
      stderr: "",
    });
  });

  it("errors go to stderr with exit 2: missing file, bad JSON, bad user id, unknown command", async () => {
    const broken = await tempFile("broken-bin.json", "{ nope");
    const cases = [
      [["resolve", join(dir, "missing.json"), "usr_def456"], "error: cannot read"],
      [["resolve", broken, "usr_def456"], "is not valid JSON"],
      [["resolve", SEED, "bob"], "error: VALIDATION_ERROR user_id"],
      [["frobnicate"], "unknown command 'frobnicate'"],
    ] as const;
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = binary(argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(message);
      expect(stderr, "no stack trace").not.toMatch(/\n\s+at /);
    }
  });

  it("an invalid PORT does not crash resolve", () => {
    const { code, stderr } = binary(["resolve", SEED, "usr_def456", "--at", AT], { PORT: "not-a-port" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

describe("validate reports every structure problem once the items are sound", () => {
  it("a department cycle and a composite cycle are both listed", async () => {
    const file = await tempFile("two-cycles.json", {
      organization_id: "org_acme1",
      departments: [
        { id: "dept_a", parent_id: "dept_b" },
        { id: "dept_b", parent_id: "dept_a" },
      ],
      composites: [
        { id: "kslice_x", member_slice_ids: ["kslice_y"] },
        { id: "kslice_y", member_slice_ids: ["kslice_x"] },
      ],
    });
    const { code, stdout } = await cli(["validate", file]);
    expect(code).toBe(1);
    const out = lines(stdout);
    expect(out.filter((line) => line.includes("INVALID_GRAPH departments"))).toHaveLength(1);
    expect(out.filter((line) => line.includes("INVALID_GRAPH composites"))).toHaveLength(1);
    expect(out.at(-1)).toBe("2 problems");
  });
});

describe("serve refuses bad input before it listens", () => {
  it.each([
    ["a tokens file that is null", ["--tokens", "null"]],
    ["a tokens file mapping to a non-user id", ["--tokens", "bad-user"]],
    ["a data file with no organization", ["--data", "empty"]],
    ["an empty --port", ["--port", ""]],
  ])("%s: exit 2 with a message", async (_name, args) => {
    const files: Record<string, unknown> = { null: null, "bad-user": { "my-token": "dept_x" }, empty: [] };
    const resolved = await Promise.all(
      args.map(async (arg) => (arg in files ? tempFile(`${arg}.json`, files[arg]) : arg)),
    );
    const { code, stderr } = await cli(["serve", ...resolved]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error|argument/);
  });
});
