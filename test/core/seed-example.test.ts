/**
 * The seed pages' own examples (/work/shared/seeds): resolved-access.txt's 200 answer and
 * create-grant.txt's 201 grant, reproduced exactly (plus `grant_id` on every path, docs/spec.md §3).
 */
import { describe, expect, it } from "vitest";
import {
  checkAccess,
  createGraph,
  type GraphInput,
  getGrant,
  resolveAccess,
  usersWithAccess,
} from "../../src/index.js";

const SEED_INPUT: GraphInput = {
  organization_id: "org_xyz789",
  owners: ["usr_owner1"],
  users: [{ id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] }],
  departments: [{ id: "dept_eng01", parent_id: null }],
  roles: [{ id: "role_admin01" }],
  grants: [
    {
      id: "agrant_abc123def456",
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      grantee_type: "user",
      grantee_id: "usr_def456",
      access_level: "read",
      granted_by: "usr_owner1",
      organization_id: "org_xyz789",
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-15T10:00:00Z",
    },
    {
      id: "agrant_dept01",
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      grantee_type: "department",
      grantee_id: "dept_eng01",
      access_level: "write",
      granted_by: "usr_owner1",
      organization_id: "org_xyz789",
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-15T10:00:00Z",
    },
    {
      id: "agrant_role01",
      entity_type: "knowledge_slice",
      entity_id: "kslice_def456",
      grantee_type: "role",
      grantee_id: "role_admin01",
      access_level: "admin",
      granted_by: "usr_owner1",
      organization_id: "org_xyz789",
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-15T10:00:00Z",
    },
  ],
};

/** docs/spec.md §12's resolved-access answer, verbatim, with `grant_id` appended to each path. */
const SEED_RESOLVED = {
  user_id: "usr_def456",
  entities: [
    {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      access_level: "write",
      grant_paths: [
        {
          type: "direct",
          access_level: "read",
          department_id: null,
          role_id: null,
          composite_id: null,
          grant_id: "agrant_abc123def456",
        },
        {
          type: "department",
          access_level: "write",
          department_id: "dept_eng01",
          role_id: null,
          composite_id: null,
          grant_id: "agrant_dept01",
        },
      ],
    },
    {
      entity_type: "knowledge_slice",
      entity_id: "kslice_def456",
      access_level: "admin",
      grant_paths: [
        {
          type: "role",
          access_level: "admin",
          department_id: null,
          role_id: "role_admin01",
          composite_id: null,
          grant_id: "agrant_role01",
        },
      ],
    },
  ],
};

/** create-grant.txt's 201 Created body, verbatim. */
const SEED_GRANT = {
  id: "agrant_abc123def456",
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  grantee_type: "user",
  grantee_id: "usr_def456",
  access_level: "read",
  granted_by: "usr_owner1",
  organization_id: "org_xyz789",
  created_at: "2025-06-15T10:00:00Z",
  updated_at: "2025-06-15T10:00:00Z",
};

describe("the worked example's resolved-access example", () => {
  const graph = createGraph(SEED_INPUT);

  it("resolves to the worked example's JSON plus grant_id on every path", () => {
    const result = resolveAccess(graph, "usr_def456", { entityType: "knowledge_slice" });
    expect(result).toStrictEqual(SEED_RESOLVED);
  });

  it("serializes with the worked example's key order (paths and entities)", () => {
    const result = resolveAccess(graph, "usr_def456", { entityType: "knowledge_slice" });
    expect(JSON.stringify(result)).toBe(JSON.stringify(SEED_RESOLVED));
    expect(Object.keys(result)).toEqual(["user_id", "entities"]);
    for (const resolved of result.entities) {
      expect(Object.keys(resolved)).toEqual(["entity_type", "entity_id", "access_level", "grant_paths"]);
      for (const path of resolved.grant_paths) {
        expect(Object.keys(path)).toEqual([
          "type",
          "access_level",
          "department_id",
          "role_id",
          "composite_id",
          "grant_id",
        ]);
      }
    }
  });

  it("gives the same answer without the entity type filter (all entities are knowledge slices)", () => {
    expect(resolveAccess(graph, "usr_def456")).toStrictEqual(SEED_RESOLVED);
  });

  it("gives the same answer from the minimal input (implicit departments and roles, no timestamps)", () => {
    const minimal = createGraph({
      organization_id: "org_xyz789",
      users: [{ id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] }],
      grants: [
        {
          id: "agrant_abc123def456",
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          grantee_type: "user",
          grantee_id: "usr_def456",
          access_level: "read",
        },
        {
          id: "agrant_dept01",
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          grantee_type: "department",
          grantee_id: "dept_eng01",
          access_level: "write",
        },
        {
          id: "agrant_role01",
          entity_type: "knowledge_slice",
          entity_id: "kslice_def456",
          grantee_type: "role",
          grantee_id: "role_admin01",
          access_level: "admin",
        },
      ],
    });
    expect(JSON.stringify(resolveAccess(minimal, "usr_def456", { entityType: "knowledge_slice" }))).toBe(
      JSON.stringify(SEED_RESOLVED),
    );
  });

  it("agrees with checkAccess and usersWithAccess for the worked example's entities", () => {
    expect(checkAccess(graph, "usr_def456", "knowledge_slice", "kslice_abc123")).toStrictEqual({
      allowed: true,
      access_level: "write",
      grant_paths: SEED_RESOLVED.entities[0]?.grant_paths,
    });
    expect(checkAccess(graph, "usr_def456", "knowledge_slice", "kslice_abc123", { level: "admin" })).toStrictEqual({
      allowed: false,
      access_level: "write",
      grant_paths: SEED_RESOLVED.entities[0]?.grant_paths,
    });
    expect(usersWithAccess(graph, "knowledge_slice", "kslice_def456")).toStrictEqual({
      entity_type: "knowledge_slice",
      entity_id: "kslice_def456",
      users: [{ user_id: "usr_def456", access_level: "admin", grant_paths: SEED_RESOLVED.entities[1]?.grant_paths }],
    });
  });

  it("a user outside the department and role sees nothing", () => {
    expect(resolveAccess(graph, "usr_owner1")).toStrictEqual({ user_id: "usr_owner1", entities: [] });
  });
});

describe("the worked example's create-grant example", () => {
  it("a grant given with every field reads back as the worked example's 201 body, in the worked example's key order", () => {
    const graph = createGraph(SEED_INPUT);
    const stored = getGrant(graph, "agrant_abc123def456");
    expect(stored).toStrictEqual(SEED_GRANT);
    expect(JSON.stringify(stored)).toBe(JSON.stringify(SEED_GRANT));
  });
});
