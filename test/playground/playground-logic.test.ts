/**
 * The playground's logic without a browser: reading the graph text (JSON and YAML, and the
 * problem shown for bad text), the diagram of a user's grant paths and its layout in both
 * orientations, and the what-if against the core's own writes and diffAccess.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createGraph, diffAccess, type GraphInput, resolveAccess, revokeGrant } from "../../src/index.js";
import { catalogOf, readGraph, writeGraph, writeValue } from "../../src/playground/graph-text.js";
import { type Diagram, diagramOf, layoutDiagram, type PlacedNode } from "../../src/playground/path-diagram.js";
import { tryProposal } from "../../src/playground/what-if.js";

const SEED_TEXT = readFileSync(fileURLToPath(new URL("../../examples/seed-graph.json", import.meta.url)), "utf8");
const SEED = createGraph(JSON.parse(SEED_TEXT) as GraphInput);

function edgesOf(diagram: Diagram): string[] {
  return diagram.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();
}

function ranksOf(diagram: Diagram): Record<string, number> {
  return Object.fromEntries(diagram.nodes.map((n) => [n.key, n.rank]));
}

function overlapping(nodes: readonly PlacedNode[]): string[] {
  const found: string[] = [];
  nodes.forEach((a, i) => {
    for (const b of nodes.slice(i + 1)) {
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      if (!apart) found.push(`${a.key} / ${b.key}`);
    }
  });
  return found;
}

describe("the graph text", () => {
  it("reads the worked example as JSON, and the same graph written as YAML", () => {
    const json = readGraph(SEED_TEXT, "json");
    expect(json.ok).toBe(true);
    if (!json.ok) return;
    const yamlText = writeValue(json.input, "yaml");
    expect(yamlText).toContain("organization_id: org_xyz789");
    const yaml = readGraph(yamlText, "yaml");
    expect(yaml.ok && yaml.input).toStrictEqual(json.input);
    if (yaml.ok) expect(resolveAccess(yaml.graph, "usr_def456")).toStrictEqual(resolveAccess(SEED, "usr_def456"));
  });

  it("names the line of a syntax error and the field of an invalid graph", () => {
    const json = readGraph('{ "organization_id": "org_1", }', "json");
    expect(json.ok ? "" : json.problem).toMatch(/^JSON: /);
    const yaml = readGraph("organization_id: org_1\n  grants: [", "yaml");
    expect(yaml.ok ? "" : yaml.problem).toMatch(/^YAML line 1, column 18: Nested mappings are not allowed/);
    expect(yaml.ok ? "" : yaml.problem).not.toMatch(/at line/);
    const invalid = readGraph('{ "organization_id": "org_1", "grants": [{ "entity_type": "planet" }] }', "json");
    expect(invalid.ok ? "" : invalid.problem).toMatch(/^VALIDATION_ERROR: grants\[0\]\.entity_type must be one of/);
  });

  it("lists the users, entities, grants, departments and roles a graph names", () => {
    const catalog = catalogOf(SEED);
    expect(catalog.users).toStrictEqual(["usr_def456", "usr_ghi789"]);
    expect(catalog.departments).toStrictEqual(["dept_backend01", "dept_eng01"]);
    expect(catalog.roles).toStrictEqual(["role_admin01"]);
    expect(catalog.grants.map((g) => g.id)).toStrictEqual([
      "agrant_abc123def456",
      "agrant_admin01",
      "agrant_eng01write",
      "agrant_handbook01",
      "agrant_store01",
    ]);
    expect(catalog.entities.map((e) => `${e.entity_type} ${e.entity_id}`)).toStrictEqual([
      "knowledge_slice kslice_abc123",
      "knowledge_slice kslice_benefits01",
      "knowledge_slice kslice_def456",
      "knowledge_slice kslice_handbook01",
      "knowledge_slice kslice_policies01",
      "vector_store vs_docs01",
    ]);
  });

  it("writes a graph back as text that reads as the same graph", () => {
    for (const format of ["json", "yaml"] as const) {
      const read = readGraph(writeGraph(SEED, format), format);
      expect(read.ok && resolveAccess(read.graph, "usr_ghi789")).toStrictEqual(resolveAccess(SEED, "usr_ghi789"));
    }
  });
});

describe("the diagram of a user's grant paths", () => {
  it("draws the worked example's usr_def456: user, department and role, grants, entities, composite members", () => {
    const diagram = diagramOf(SEED, resolveAccess(SEED, "usr_def456"));
    expect(ranksOf(diagram)).toStrictEqual({
      "user:usr_def456": 0,
      "department:dept_eng01": 1,
      "role:role_admin01": 1,
      "grant:agrant_abc123def456": 2,
      "grant:agrant_eng01write": 2,
      "grant:agrant_admin01": 2,
      "grant:agrant_handbook01": 2,
      "entity:kslice_abc123": 3,
      "entity:kslice_def456": 3,
      "entity:kslice_handbook01": 3,
      "entity:kslice_benefits01": 4,
      "entity:kslice_policies01": 4,
    });
    expect(edgesOf(diagram)).toStrictEqual(
      [
        "user:usr_def456 -receives-> grant:agrant_abc123def456",
        "user:usr_def456 -member-> department:dept_eng01",
        "department:dept_eng01 -receives-> grant:agrant_eng01write",
        "department:dept_eng01 -receives-> grant:agrant_handbook01",
        "user:usr_def456 -holds-> role:role_admin01",
        "role:role_admin01 -receives-> grant:agrant_admin01",
        "grant:agrant_abc123def456 -on-> entity:kslice_abc123",
        "grant:agrant_eng01write -on-> entity:kslice_abc123",
        "grant:agrant_admin01 -on-> entity:kslice_def456",
        "grant:agrant_handbook01 -on-> entity:kslice_handbook01",
        "entity:kslice_handbook01 -contains-> entity:kslice_benefits01",
        "entity:kslice_handbook01 -contains-> entity:kslice_policies01",
      ].sort(),
    );
    const levels = Object.fromEntries(diagram.nodes.map((n) => [n.key, n.level]));
    expect(levels["entity:kslice_abc123"]).toBe("write");
    expect(levels["grant:agrant_abc123def456"]).toBe("read");
    expect(diagram.nodes.find((n) => n.id === "kslice_handbook01")?.composite).toBe(true);
  });

  it("walks a department chain up from the user's own department to the one granted", () => {
    const diagram = diagramOf(SEED, resolveAccess(SEED, "usr_ghi789"));
    expect(edgesOf(diagram)).toContain("user:usr_ghi789 -member-> department:dept_backend01");
    expect(edgesOf(diagram)).toContain("department:dept_backend01 -within-> department:dept_eng01");
    expect(edgesOf(diagram)).toContain("department:dept_eng01 -receives-> grant:agrant_eng01write");
    expect(edgesOf(diagram)).toContain("department:dept_backend01 -receives-> grant:agrant_store01");
    expect(ranksOf(diagram)).toMatchObject({
      "department:dept_backend01": 1,
      "department:dept_eng01": 2,
      "grant:agrant_store01": 3,
      "entity:vs_docs01": 4,
    });
  });

  it("is just the user when nothing reaches them", () => {
    const diagram = diagramOf(SEED, resolveAccess(SEED, "usr_nobody1"));
    expect(diagram.nodes.map((n) => n.key)).toStrictEqual(["user:usr_nobody1"]);
    expect(layoutDiagram(diagram, 343).nodes).toHaveLength(1);
  });

  it("lays the layers left to right when wide, top to bottom when narrow, never overlapping, within the width", () => {
    const diagram = diagramOf(SEED, resolveAccess(SEED, "usr_def456"));
    for (const width of [1400, 900, 760, 600, 343, 200]) {
      const layout = layoutDiagram(diagram, width);
      expect(layout.orientation).toBe(width >= 900 ? "across" : "down");
      expect(layout.nodes).toHaveLength(diagram.nodes.length);
      expect(layout.edges).toHaveLength(diagram.edges.length);
      expect(overlapping(layout.nodes)).toStrictEqual([]);
      for (const n of layout.nodes) {
        expect(n.x).toBeGreaterThanOrEqual(0);
        expect(n.x + n.width).toBeLessThanOrEqual(layout.width);
        expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
      }
      if (layout.orientation === "down") expect(layout.width).toBeLessThanOrEqual(width);
    }
  });

  it("runs an edge that skips a layer through a waypoint of its own, not behind a node of that layer", () => {
    const diagram = diagramOf(SEED, resolveAccess(SEED, "usr_def456"));
    for (const width of [1400, 343]) {
      const layout = layoutDiagram(diagram, width);
      const direct = layout.edges.find((e) => e.to === "grant:agrant_abc123def456");
      // M, a curve to the waypoint, a line through it, a curve to the grant.
      expect(direct?.d).toMatch(/^M[\d.,]+ C[\d., ]+ L[\d.,]+ C[\d., ]+$/);
      const through = direct?.d.match(/L([\d.]+),([\d.]+)/);
      const [x, y] = [Number(through?.[1]), Number(through?.[2])];
      const layerOne = layout.nodes.filter((n) => n.rank === 1);
      const inside = layerOne.filter((n) => x > n.x && x < n.x + n.width && y > n.y && y < n.y + n.height);
      expect(inside.map((n) => n.key)).toStrictEqual([]);
    }
  });
});

describe("what-if", () => {
  it("answers what diffAccess answers for the same write, and leaves the graph as it was", () => {
    const tried = tryProposal(SEED, { kind: "revoke", grantId: "agrant_eng01write" });
    expect(tried.ok).toBe(true);
    if (!tried.ok) return;
    expect(tried.changes).toStrictEqual(diffAccess(SEED, revokeGrant(SEED, "agrant_eng01write")).changes);
    expect(tried.changes).toStrictEqual([
      {
        user_id: "usr_def456",
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        before: "write",
        after: "read",
      },
      {
        user_id: "usr_ghi789",
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        before: "write",
        after: null,
      },
    ]);
    expect(resolveAccess(SEED, "usr_ghi789").entities.map((e) => e.entity_id)).toContain("kslice_abc123");
  });

  it("adds and changes grants, and says why a write is refused", () => {
    const added = tryProposal(SEED, {
      kind: "add",
      grant: {
        entity_type: "assistant",
        entity_id: "asst_helper1",
        grantee_type: "role",
        grantee_id: "role_admin01",
        access_level: "write",
      },
    });
    expect(added.ok && added.changes).toStrictEqual([
      { user_id: "usr_def456", entity_type: "assistant", entity_id: "asst_helper1", before: null, after: "write" },
    ]);
    const changed = tryProposal(SEED, { kind: "update", grantId: "agrant_store01", level: "read" });
    expect(changed.ok && changed.changes).toStrictEqual([
      { user_id: "usr_ghi789", entity_type: "vector_store", entity_id: "vs_docs01", before: "write", after: "read" },
    ]);
    const twice = tryProposal(SEED, {
      kind: "add",
      grant: {
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        grantee_type: "user",
        grantee_id: "usr_def456",
        access_level: "admin",
      },
    });
    expect(twice.ok ? "" : twice.problem).toMatch(/^RESOURCE_ALREADY_EXISTS/);
    const badId = tryProposal(SEED, {
      kind: "add",
      grant: {
        entity_type: "vector_store",
        entity_id: "kslice_abc123",
        grantee_type: "user",
        grantee_id: "usr_def456",
        access_level: "read",
      },
    });
    expect(badId.ok ? "" : badId.problem).toMatch(/^VALIDATION_ERROR: .*entity_id/);
    const unknown = tryProposal(SEED, { kind: "revoke", grantId: "agrant_nothere" });
    expect(unknown.ok ? "" : unknown.problem).toMatch(/^RESOURCE_NOT_FOUND/);
  });
});
