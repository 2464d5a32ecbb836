// Imports the built package by its own name, the way a user's code does, in both module
// systems. `npm test` builds dist/ first (the `pretest` script).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

const program = (load: string) => `
${load}
const graph = createGraph({
  organization_id: "org_xyz789",
  users: [{ id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] }],
  grants: [
    { id: "agrant_1", entity_type: "knowledge_slice", entity_id: "kslice_abc123", grantee_type: "user", grantee_id: "usr_def456", access_level: "read" },
    { id: "agrant_2", entity_type: "knowledge_slice", entity_id: "kslice_abc123", grantee_type: "department", grantee_id: "dept_eng01", access_level: "write" },
  ],
});
let code = null;
try { createGraph({ organization_id: "bad" }); } catch (error) { code = error instanceof AccessError ? error.code : "not an AccessError"; }
console.log(JSON.stringify({ resolved: resolveAccess(graph, "usr_def456"), code }));
`;

function run(args: string[]): { resolved: { entities: { access_level: string }[] }; code: string } {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }));
}

describe("the built package", () => {
  it("loads as ESM through its exports map", () => {
    const out = run([
      "--input-type=module",
      "-e",
      program('import { createGraph, resolveAccess, AccessError } from "grantpath";'),
    ]);
    expect(out.resolved.entities.map((e) => e.access_level)).toEqual(["write"]);
    expect(out.code).toBe("VALIDATION_ERROR");
  });

  it("loads as CommonJS through its exports map", () => {
    const out = run([
      "--input-type=commonjs",
      "-e",
      program('const { createGraph, resolveAccess, AccessError } = require("grantpath");'),
    ]);
    expect(out.resolved.entities.map((e) => e.access_level)).toEqual(["write"]);
    expect(out.code).toBe("VALIDATION_ERROR");
  });

  it("serves grantpath/testing to any runner, as ESM and CommonJS, without loading vitest", () => {
    const esm = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { manualClock, sequentialIds } from "grantpath/testing";
         console.log(JSON.stringify({ id: sequentialIds()(), at: manualClock("2025-06-15T10:00:00Z").now().toISOString() }));`,
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(JSON.parse(esm)).toEqual({ id: "agrant_test0001", at: "2025-06-15T10:00:00.000Z" });
    const cjs = execFileSync(
      process.execPath,
      [
        "--input-type=commonjs",
        "-e",
        `const { manualClock, sequentialIds } = require("grantpath/testing");
         const loaded = Object.keys(require.cache).filter((path) => path.includes("vitest"));
         console.log(JSON.stringify({ id: sequentialIds("agrant_x")(), at: manualClock("2025-06-15T10:00:00Z").now().getTime(), loaded }));`,
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(JSON.parse(cjs)).toEqual({ id: "agrant_x0001", at: Date.parse("2025-06-15T10:00:00Z"), loaded: [] });
  });

  it("serves grantpath/testing/vitest as ESM, sharing the main entry's classes", () => {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { runStorageConformance } from "grantpath/testing/vitest";
         import { AccessError } from "grantpath";
         import { changeListeners } from "grantpath/adapter";
         console.log(JSON.stringify({ conformance: typeof runStorageConformance, kit: typeof changeListeners,
           brand: new AccessError("VERSION_CONFLICT") instanceof AccessError }));`,
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(JSON.parse(out)).toEqual({ conformance: "function", kit: "function", brand: true });
  });
});
