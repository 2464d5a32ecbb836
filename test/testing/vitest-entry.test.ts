// grantpath/testing/vitest: a scenario file as vitest tests, and the graph matchers with their
// failure messages.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import SEED from "../../examples/seed-graph.json" with { type: "json" };
import { createGraph } from "../../src/index.js";
import { describeScenario, grantpathMatchers, installGrantpathMatchers } from "../../src/testing/vitest.js";

installGrantpathMatchers();
const graph = createGraph(SEED as Parameters<typeof createGraph>[0]);
const AT = new Date("2025-07-01T00:00:00Z");

// Each of the worked example's scenario tests becomes a test here.
describeScenario(fileURLToPath(new URL("../../examples/scenarios/worked-example.yaml", import.meta.url)), {
  now: AT,
  name: "the worked example's scenario file",
});

describe("graph matchers", () => {
  it("pass on what the graph allows, denies, resolves and the paths it has", () => {
    expect(graph).toAllow("usr_def456", "knowledge_slice", "kslice_abc123", { level: "write", at: AT });
    expect(graph).toDeny("usr_ghi789", "knowledge_slice", "kslice_def456", { at: AT });
    expect(graph).toResolve("usr_ghi789", { vs_docs01: "write" }, { entityType: "vector_store", at: AT });
    expect(graph).toHavePath("usr_ghi789", "knowledge_slice", "kslice_policies01", {
      type: "composite",
      composite_id: "kslice_handbook01",
    });
    expect(graph).not.toAllow("usr_def456", "knowledge_slice", "kslice_abc123", { level: "admin", at: AT });
  });

  it("fail with the paths found and, for a denial, the nearest grants that would allow it", () => {
    const denied = grantpathMatchers.toAllow(graph, "usr_ghi789", "knowledge_slice", "kslice_def456", {
      level: "admin",
      at: AT,
    });
    expect(denied.pass).toBe(false);
    expect(denied.message()).toContain("nearest grants that would allow it");
    expect(denied.message()).toContain("user usr_ghi789 on kslice_def456");
    const resolved = grantpathMatchers.toResolve(
      graph,
      "usr_ghi789",
      { vs_docs01: "read" },
      { entityType: "vector_store", at: AT },
    );
    expect(resolved.pass).toBe(false);
    expect(resolved.message()).toContain("vs_docs01: expected read, actual write");
    expect(resolved.message()).toContain("write via department dept_backend01 (agrant_store01)");
    expect(() => expect(graph).toAllow("usr_ghi789", "assistant", "asst_x")).toThrow(/to be allowed, but it is denied/);
  });
});
