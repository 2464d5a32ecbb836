// Audit records are never overwritten, a landed commit is never reported as failed, close()
// lets writes finish, and what the service stores and reports is normalized.
import { describe, expect, it, vi } from "vitest";
import {
  AccessError,
  type CreateGrantInput,
  createAccessControl,
  memoryStorage,
  type StorageChange,
} from "../../src/index.js";
import { manualClock, sequentialIds } from "../../src/testing/test-kit.js";

const ORG = "org_acme";
const OWNER = "usr_owner1";
const grant = (grantee: string): CreateGrantInput => ({
  entity_type: "assistant",
  entity_id: "asst_1",
  grantee_type: "user",
  grantee_id: grantee,
  access_level: "read",
});

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("grant ids", () => {
  it("a restarted sequential id source skips ids already stored, so a revoked grant's record survives", async () => {
    const storage = memoryStorage();
    const first = createAccessControl({ storage, ids: sequentialIds() });
    await first.createOrganization(ORG, { owners: [OWNER] });
    const alice = await first.createGrant(ORG, OWNER, grant("usr_alice"));
    await first.revokeGrant(ORG, OWNER, alice.id);
    const restarted = createAccessControl({ storage, ids: sequentialIds() });
    const bob = await restarted.createGrant(ORG, OWNER, grant("usr_bob"));
    expect(bob.id).not.toBe(alice.id);
    expect(await restarted.getGrant(ORG, OWNER, alice.id)).toMatchObject({
      grantee_id: "usr_alice",
      revoked_at: expect.any(String),
    });
  });

  it("a refused create draws no id", async () => {
    const ac = createAccessControl({ storage: memoryStorage(), ids: sequentialIds() });
    await ac.createOrganization(ORG, { owners: [OWNER] });
    await ac.createGrant(ORG, OWNER, grant("usr_alice"));
    await rejection(() => ac.createGrant(ORG, OWNER, grant("usr_alice")));
    await rejection(() => ac.createGrant(ORG, "usr_stranger", grant("usr_bob")));
    expect((await ac.createGrant(ORG, OWNER, grant("usr_bob"))).id).toBe("agrant_test0002");
  });
});

describe("conflict details", () => {
  it("name the existing grant and the pair, not the rest of the request", async () => {
    const ac = createAccessControl({ storage: memoryStorage() });
    await ac.createOrganization(ORG, { owners: [OWNER] });
    const existing = await ac.createGrant(ORG, OWNER, grant("usr_alice"));
    const error = await rejection(() =>
      ac.bulkCreateGrants(ORG, OWNER, {
        entity_type: "assistant",
        entity_id: "asst_1",
        grants: [{ grantee_type: "user", grantee_id: "usr_alice", access_level: "admin" }],
      }),
    );
    expect((error as AccessError).details).toEqual({
      index: 0,
      field: "grants[0].grantee_id",
      grant_id: existing.id,
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "user",
      grantee_id: "usr_alice",
    });
  });
});

describe("storage listeners", () => {
  it("a listener that throws neither fails the commit nor silences the others", async () => {
    const storage = memoryStorage();
    const heard: number[] = [];
    storage.watch?.(() => {
      throw new Error("listener boom");
    });
    storage.watch?.((_org, version) => heard.push(version));
    const report = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const version = await storage.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      expect(version).toBe(1);
      expect(heard).toEqual([1]);
      // Reported, not lost, and not thrown at the process.
      expect(report).toHaveBeenCalledWith(
        expect.stringContaining(ORG),
        expect.objectContaining({ message: "listener boom" }),
      );
    } finally {
      report.mockRestore();
    }
  });

  it("a batch with a change the adapter does not know is refused whole", async () => {
    const storage = memoryStorage();
    await storage.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
    const bad = [
      { type: "put_user", user: { id: "usr_alice", department_ids: [], role_ids: [] } },
      { type: "put_everything" },
    ] as unknown as StorageChange[];
    const error = await rejection(async () => storage.commit(ORG, 1, bad));
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "changes[1]" } });
    expect(await storage.loadOrganization(ORG)).toMatchObject({ revision: 1, graph: { users: [] } });
  });
});

describe("close()", () => {
  it("lets a write under way finish, then refuses new calls", async () => {
    const ac = createAccessControl({ storage: memoryStorage() });
    await ac.createOrganization(ORG, { owners: [OWNER] });
    const writing = ac.createGrant(ORG, OWNER, grant("usr_alice"));
    await ac.close();
    await expect(writing).resolves.toMatchObject({ grantee_id: "usr_alice" });
    const late = await rejection(() => ac.listGrants(ORG, OWNER));
    expect(late).toBeInstanceOf(Error);
    expect(late).not.toBeInstanceOf(AccessError);
  });

  it("maxAttempts must be a whole number of at least 1", () => {
    for (const maxAttempts of [0, -1, 1.5, Number.NaN]) {
      expect(() => createAccessControl({ storage: memoryStorage(), maxAttempts })).toThrow(AccessError);
    }
  });
});

describe("stored form", () => {
  it("owners are stored unique and sorted, as answered", async () => {
    const storage = memoryStorage();
    const ac = createAccessControl({ storage });
    expect((await ac.createOrganization(ORG, { owners: ["usr_b", "usr_a", "usr_a"] })).owners).toEqual([
      "usr_a",
      "usr_b",
    ]);
    expect((await storage.loadOrganization(ORG))?.graph.owners).toEqual(["usr_a", "usr_b"]);
  });

  it("seeded timestamps take the wire format, so listings order by instant", async () => {
    const clock = manualClock("2025-06-15T09:00:00Z");
    const seeded = (id: string, created_at: string) => ({ ...grant(`usr_${id}`), id: `agrant_${id}`, created_at });
    const ac = createAccessControl({
      storage: memoryStorage({
        clock: clock.now,
        initial: [
          {
            organization_id: ORG,
            owners: [OWNER],
            grants: [
              seeded("late", "2025-06-15T11:00:00Z"),
              seeded("early", "2025-06-15T12:00:00+02:00"),
              seeded("mid", "2025-06-15T10:30:00.500Z"),
              { ...grant("usr_undated"), id: "agrant_undated" },
            ],
          },
        ],
      }),
    });
    const page = await ac.listGrants(ORG, OWNER);
    expect(page.items.map((g) => [g.id, g.created_at])).toEqual([
      ["agrant_undated", "2025-06-15T09:00:00Z"],
      ["agrant_early", "2025-06-15T10:00:00Z"],
      ["agrant_mid", "2025-06-15T10:30:00Z"],
      ["agrant_late", "2025-06-15T11:00:00Z"],
    ]);
  });
});
