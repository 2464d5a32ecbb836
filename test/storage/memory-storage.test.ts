import { afterEach, describe, expect, it, vi } from "vitest";
import { AccessError, createAccessControl, type GraphInput, memoryStorage } from "../../src/index.js";
import { manualClock, sequentialIds } from "../../src/testing/index.js";
import { runStorageConformance } from "../../src/testing/vitest.js";

runStorageConformance({ name: "memory", create: () => memoryStorage() });

const ACME: GraphInput = {
  organization_id: "org_acme",
  owners: ["usr_owner1"],
  users: [{ id: "usr_def456", department_ids: ["dept_backend01"], role_ids: ["role_admin01"] }],
  departments: [{ id: "dept_backend01", parent_id: "dept_eng01" }],
  composites: [{ id: "kslice_comp789", member_slice_ids: ["kslice_abc123"] }],
  grants: [
    {
      id: "agrant_1",
      entity_type: "knowledge_slice",
      entity_id: "kslice_comp789",
      grantee_type: "department",
      grantee_id: "dept_eng01",
      access_level: "read",
    },
    {
      id: "agrant_2",
      entity_type: "vector_store",
      entity_id: "vs_docs01",
      grantee_type: "role",
      grantee_id: "role_admin01",
      access_level: "write",
      granted_by: "usr_owner1",
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-02-01T00:00:00Z",
    },
  ],
};

const GLOBEX: GraphInput = {
  organization_id: "org_globex",
  owners: ["usr_owner2"],
  grants: [
    {
      entity_type: "assistant",
      entity_id: "asst_helper01",
      grantee_type: "user",
      grantee_id: "usr_def456",
      access_level: "admin",
    },
  ],
};

/** The AccessError a synchronous call throws. */
function thrown(action: () => unknown): AccessError {
  try {
    action();
  } catch (error) {
    if (error instanceof AccessError) return error;
    throw error;
  }
  throw new Error("expected an AccessError");
}

describe("memoryStorage initial seeding", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("seeds organizations from GraphInputs: each is loadable at version 1 and resolvable through a service", async () => {
    const storage = memoryStorage({ initial: [ACME, GLOBEX] });
    const acme = await storage.loadOrganization("org_acme");
    expect(acme?.revision).toBe(1);
    expect(acme?.graph.owners).toEqual(["usr_owner1"]);
    expect(acme?.graph.departments).toContainEqual({ id: "dept_backend01", parent_id: "dept_eng01" });
    expect(acme?.graph.composites).toEqual([{ id: "kslice_comp789", member_slice_ids: ["kslice_abc123"] }]);
    expect((await storage.loadOrganization("org_globex"))?.revision).toBe(1);
    expect(await storage.loadOrganization("org_other")).toBeNull();

    const clock = manualClock("2025-06-15T10:00:00Z");
    const ac = createAccessControl({ storage, clock: clock.now, ids: sequentialIds() });
    const access = await ac.resolveAccess("org_acme", "usr_def456", "usr_def456");
    expect(access.entities.map((e) => [e.entity_id, e.access_level, e.grant_paths.map((p) => p.type)])).toEqual([
      ["kslice_abc123", "read", ["composite"]],
      ["kslice_comp789", "read", ["department"]],
      ["vs_docs01", "write", ["role"]],
    ]);
    // Organizations stay apart: the same user reaches only the assistant in org_globex.
    expect((await ac.resolveAccess("org_globex", "usr_def456", "usr_def456")).entities.map((e) => e.entity_id)).toEqual(
      ["asst_helper01"],
    );
    // A seeded organization takes writes on top of version 1.
    await ac.createGrant("org_acme", "usr_owner1", {
      entity_type: "assistant",
      entity_id: "asst_new01",
      grantee_type: "user",
      grantee_id: "usr_def456",
      access_level: "read",
    });
    expect((await storage.loadOrganization("org_acme"))?.revision).toBe(2);
    expect((await ac.listGrants("org_acme", "usr_owner1")).total).toBe(3);
    await ac.close();
  });

  it("gives seeded grants without timestamps the storage's creation time, keeps given ones, and generates missing ids", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2025-03-04T05:06:07.890Z"));
    const storage = memoryStorage({ initial: [ACME, GLOBEX] });
    vi.setSystemTime(new Date("2025-12-31T23:59:59.000Z"));
    expect(await storage.getGrant("org_acme", "agrant_1")).toEqual({
      id: "agrant_1",
      entity_type: "knowledge_slice",
      entity_id: "kslice_comp789",
      grantee_type: "department",
      grantee_id: "dept_eng01",
      access_level: "read",
      granted_by: null,
      organization_id: "org_acme",
      created_at: "2025-03-04T05:06:07Z",
      updated_at: "2025-03-04T05:06:07Z",
    });
    expect(await storage.getGrant("org_acme", "agrant_2")).toMatchObject({
      granted_by: "usr_owner1",
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-02-01T00:00:00Z",
    });
    const globex = await storage.listGrants("org_globex", {}, { skip: 0, limit: 20 });
    expect(globex.total).toBe(1);
    expect(globex.items[0]).toMatchObject({
      id: "agrant_auto_1",
      organization_id: "org_globex",
      created_at: "2025-03-04T05:06:07Z",
      updated_at: "2025-03-04T05:06:07Z",
    });
    // Seeded grants list in created_at order like any other.
    expect((await storage.listGrants("org_acme", {}, { skip: 0, limit: 20 })).items.map((g) => g.id)).toEqual([
      "agrant_2",
      "agrant_1",
    ]);
  });

  it("rejects an invalid initial organization with VALIDATION_ERROR whose field is prefixed initial[i].", () => {
    const badGrant = thrown(() =>
      memoryStorage({
        initial: [
          ACME,
          {
            organization_id: "org_bad",
            grants: [
              {
                entity_type: "document" as "assistant",
                entity_id: "asst_1",
                grantee_type: "user",
                grantee_id: "usr_1",
                access_level: "read",
              },
            ],
          },
        ],
      }),
    );
    expect(badGrant.code).toBe("VALIDATION_ERROR");
    expect(badGrant.details.field).toBe("initial[1].grants[0].entity_type");
    const badId = thrown(() => memoryStorage({ initial: [{ organization_id: "acme" }] }));
    expect(badId.code).toBe("VALIDATION_ERROR");
    expect(badId.details.field).toBe("initial[0].organization_id");
    const badOwner = thrown(() =>
      memoryStorage({ initial: [GLOBEX, { organization_id: "org_x", owners: ["owner"] }] }),
    );
    expect(badOwner.details.field).toBe("initial[1].owners[0]");
  });

  it("rejects a department cycle in an initial organization with INVALID_GRAPH", () => {
    const error = thrown(() =>
      memoryStorage({
        initial: [
          {
            organization_id: "org_cycle",
            departments: [
              { id: "dept_a", parent_id: "dept_b" },
              { id: "dept_b", parent_id: "dept_a" },
            ],
          },
        ],
      }),
    );
    expect(error.code).toBe("INVALID_GRAPH");
  });

  it("rejects an organization that appears twice in initial with VALIDATION_ERROR on initial[i].organization_id", () => {
    const error = thrown(() => memoryStorage({ initial: [ACME, GLOBEX, { organization_id: "org_acme" }] }));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details.field).toBe("initial[2].organization_id");
  });

  it("keeps each instance a separate database", async () => {
    const first = memoryStorage({ initial: [ACME] });
    const second = memoryStorage();
    expect(await second.loadOrganization("org_acme")).toBeNull();
    await second.commit("org_acme", 0, [{ type: "create_organization", owners: ["usr_x"] }]);
    expect((await first.loadOrganization("org_acme"))?.graph.owners).toEqual(["usr_owner1"]);
  });
});
