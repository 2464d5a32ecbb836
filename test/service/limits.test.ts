/**
 * The service's `limits` option: every organization's graph is built and kept within
 * them. A write past a limit is the caller's VALIDATION_ERROR naming it; a stored organization
 * past one (a database written under wider limits) does not load: STORED_DATA_INVALID, reported.
 */
import { describe, expect, it } from "vitest";
import { AccessError, createAccessControl, memoryStorage } from "../../src/index.js";

const ORG = "org_limits";
const OWNER = "usr_owner";

describe("the service's limits", () => {
  it("a directory write past maxDepartmentDepth is a VALIDATION_ERROR naming the limit, and changes nothing", async () => {
    const ac = createAccessControl({ storage: memoryStorage(), limits: { maxDepartmentDepth: 2 } });
    await ac.createOrganization(ORG, { owners: [OWNER] });
    await ac.createDepartment(ORG, OWNER, { id: "dept_a", parent_id: null });
    await ac.createDepartment(ORG, OWNER, { id: "dept_b", parent_id: "dept_a" });
    await expect(ac.createDepartment(ORG, OWNER, { id: "dept_c", parent_id: "dept_b" })).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
      details: { field: "parent_id", limit: "maxDepartmentDepth", max: 2 },
    });
    expect((await ac.exportOrganization(ORG, OWNER)).departments?.map((d) => d.id)).toEqual(["dept_a", "dept_b"]);
    await ac.close();
  });

  it("an organization stored past a limit does not load: STORED_DATA_INVALID, reported to onError", async () => {
    const storage = memoryStorage({
      initial: [
        {
          organization_id: ORG,
          owners: [OWNER],
          composites: [
            { id: "kslice_a", member_slice_ids: ["kslice_b"] },
            { id: "kslice_b", member_slice_ids: ["kslice_c"] },
          ],
        },
      ],
    });
    const reported: unknown[] = [];
    const narrow = createAccessControl({ storage, limits: { maxCompositeDepth: 1 }, onError: (e) => reported.push(e) });
    const error = await narrow.exportOrganization(ORG, OWNER).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AccessError);
    expect(error).toMatchObject({ code: "STORED_DATA_INVALID", status: 500 });
    expect(reported).toHaveLength(1);
    const wide = createAccessControl({ storage });
    expect((await wide.exportOrganization(ORG, OWNER)).composites).toHaveLength(2);
    await narrow.close();
    await wide.close();
  });

  it("limits that are not whole numbers of at least 1 are refused when the service is made", () => {
    expect(() => createAccessControl({ storage: memoryStorage(), limits: { maxOrganizationSize: 0 } })).toThrow(
      expect.objectContaining({
        code: "VALIDATION_ERROR",
        details: expect.objectContaining({ field: "limits.maxOrganizationSize" }),
      }),
    );
    expect(() => createAccessControl({ storage: {} as never })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ field: "storage" }) }),
    );
  });
});
