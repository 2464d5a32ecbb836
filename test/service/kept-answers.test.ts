// The service hands out a kept resolved answer again while it holds (service/resolved-answers.ts):
// frozen, since several callers share it; large answers are made afresh each time.
import { describe, expect, it } from "vitest";
import { createAccessControl, type GrantInput, memoryStorage } from "../../src/index.js";
import { manualClock } from "../../src/testing/test-kit.js";

const ORG = "org_kept";
const OWNER = "usr_owner";

function grantsTo(count: number): GrantInput[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `agrant_${i}`,
    entity_type: "knowledge_slice" as const,
    entity_id: `kslice_${i}`,
    grantee_type: "user" as const,
    grantee_id: "usr_alice",
    access_level: "read" as const,
    expires_at: i === 0 ? "2025-06-15T11:00:00Z" : null,
  }));
}

describe("kept resolved answers", () => {
  it("are the same frozen object while they hold, and a new one once a grant in them expired", async () => {
    const clock = manualClock("2025-06-15T10:00:00Z");
    const storage = memoryStorage({ initial: [{ organization_id: ORG, owners: [OWNER], grants: grantsTo(3) }] });
    const accessControl = createAccessControl({ storage, clock: clock.now });
    const first = await accessControl.resolveAccess(ORG, OWNER, "usr_alice");
    expect(Object.isFrozen(first) && Object.isFrozen(first.entities[0]?.grant_paths)).toBe(true);
    clock.advance(60_000);
    expect(await accessControl.resolveAccess(ORG, OWNER, "usr_alice")).toBe(first);
    clock.set("2025-06-15T11:00:00Z");
    const after = await accessControl.resolveAccess(ORG, OWNER, "usr_alice");
    expect(after).not.toBe(first);
    expect(after.entities.map((entity) => entity.entity_id)).toEqual(["kslice_1", "kslice_2"]);
  });

  it("are not kept past a write, nor when large", async () => {
    const storage = memoryStorage({ initial: [{ organization_id: ORG, owners: [OWNER], grants: grantsTo(250) }] });
    const accessControl = createAccessControl({ storage, clock: manualClock("2025-06-15T10:00:00Z").now });
    const large = await accessControl.resolveAccess(ORG, OWNER, "usr_alice");
    expect(await accessControl.resolveAccess(ORG, OWNER, "usr_alice")).not.toBe(large);
    const page = await accessControl.resolveAccess(ORG, OWNER, "usr_alice", { limit: 5 });
    expect(await accessControl.resolveAccess(ORG, OWNER, "usr_alice", { limit: 5 })).toBe(page);
    await accessControl.revokeGrant(ORG, OWNER, "agrant_1");
    const afterWrite = await accessControl.resolveAccess(ORG, OWNER, "usr_alice", { limit: 5 });
    expect(afterWrite).not.toBe(page);
    expect(afterWrite.entities.map((entity) => entity.entity_id)).not.toContain("kslice_1");
  });
});
