// The runnable examples the README and docs point to keep running, with the output they promise.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = (script: string) =>
  execFileSync(process.execPath, ["--import", "tsx", script], { cwd: root, encoding: "utf8" });

describe("examples", () => {
  it("resolve-seed-example prints the worked example's resolved access", () => {
    const out = run("examples/resolve-seed-example.ts");
    expect(out).toContain('"entity_id": "kslice_abc123"');
    expect(out).toContain('"access_level": "write"');
    expect(out).toContain('"department_id": "dept_eng01"');
  });

  it("manage-grants delegates through a role and refuses what the role does not cover", () => {
    const out = run("examples/manage-grants.ts");
    expect(out).toContain("usr_lead1 granted agrant_");
    expect(out).toContain("usr_lead1 on vs_docs01: 403 INSUFFICIENT_PERMISSIONS");
    expect(out).toContain("slice grants: 2 of 3, has_more: true");
    expect(out).toMatch(/revoked at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/);
  });

  it("follow-changes keeps a replica from snapshot and change feed, and starts again after a trim", () => {
    const out = run("examples/follow-changes.ts");
    expect(out).toContain("replica at revision 1");
    expect(out).toContain("replica at revision 4: usr_def456 may write kslice_abc123: true");
    expect(out).toContain("the log starts at 6: loading a snapshot again");
    expect(out).toContain("replica at revision 5: usr_ghi789 reads vs_docs01 through the role grant");
  });
});
