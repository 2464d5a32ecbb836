/**
 * Storage conformance: organizations that never affect each other, and ids that are ordinary strings.
 * @module
 */
import { expect } from "vitest";
import {
  ALICE,
  BOB,
  bulkItem,
  type ConformanceSuite,
  ENG,
  entityIds,
  expectAccessError,
  grantTo,
  HANDBOOK,
  ids,
  idsFrom,
  OPS,
  ORG,
  ORG_B,
  OWNER,
  OWNER_B,
  POLICIES,
  SLICE,
  STORE,
  slice,
  snapshotOf,
  store,
  T0,
} from "./support.js";

/** Registers this group's cases. */
export function registerIsolationCases({ conformance, organization }: ConformanceSuite): void {
  // ---------------------------------------------------------------- isolation

  conformance(
    "two organizations never see each other's grants: listings, getGrant and the adapter's reads stay within one organization",
    async (f) => {
      await organization(f.ac, ORG, [OWNER]);
      await organization(f.ac, ORG_B, [OWNER_B]);
      const inA = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      const inB = await f.ac.createGrant(ORG_B, OWNER_B, grantTo(BOB, "read"));
      expect(inB.organization_id).toBe(ORG_B);
      expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual([inA.id]);
      expect(ids(await f.ac.listGrants(ORG_B, OWNER_B))).toEqual([inB.id]);
      expect(ids(await f.ac.listSliceGrants(ORG_B, OWNER_B, SLICE))).toEqual([inB.id]);
      await expectAccessError(() => f.ac.getGrant(ORG_B, OWNER_B, inA.id), "RESOURCE_NOT_FOUND", {
        grant_id: inA.id,
      });
      await expectAccessError(() => f.ac.revokeGrant(ORG_B, OWNER_B, inA.id), "RESOURCE_NOT_FOUND");
      await expectAccessError(
        () => f.ac.updateGrant(ORG_B, OWNER_B, inA.id, { access_level: "admin" }),
        "RESOURCE_NOT_FOUND",
      );
      expect(await f.adapter.getGrant(ORG_B, inA.id)).toBeNull();
      expect(await f.adapter.getGrant(ORG, inB.id)).toBeNull();
      expect(ids(await f.adapter.listGrants(ORG, { entity_id: SLICE }, { skip: 0, limit: 100 }))).toEqual([inA.id]);
      expect(((await snapshotOf(f.adapter, ORG_B)).grants ?? []).map((g) => g.id)).toEqual([inB.id]);
      // The same pair in both organizations is no conflict.
      await f.ac.createGrant(ORG_B, OWNER_B, grantTo(ALICE, "admin"));
      expect((await f.adapter.getGrant(ORG, inA.id))?.access_level).toBe("write");
    },
  );

  conformance(
    "two organizations never affect each other's resolution: the same users, departments, roles and composites in both",
    async (f) => {
      await organization(f.ac, ORG, [OWNER]);
      await organization(f.ac, ORG_B, [OWNER_B]);
      await f.ac.addDepartmentMember(ORG, OWNER, ALICE, ENG);
      await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES] });
      await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "admin", slice(HANDBOOK)));
      await f.ac.addRoleMember(ORG_B, OWNER_B, ALICE, OPS);
      await f.ac.createGrant(ORG_B, OWNER_B, grantTo(OPS, "read", store(STORE)));
      // In B, a department grant on the slice that is a composite in A only.
      await f.ac.addDepartmentMember(ORG_B, OWNER_B, BOB, ENG);
      await f.ac.createGrant(ORG_B, OWNER_B, grantTo(ENG, "write", slice(HANDBOOK)));
      for (const ac of [f.ac, f.service()]) {
        expect(entityIds(await ac.resolveAccess(ORG, ALICE, ALICE))).toEqual([HANDBOOK, POLICIES]);
        expect(entityIds(await ac.resolveAccess(ORG_B, ALICE, ALICE))).toEqual([STORE]);
        expect(entityIds(await ac.resolveAccess(ORG_B, BOB, BOB))).toEqual([HANDBOOK]);
        expect((await ac.resolveAccess(ORG, BOB, BOB)).entities).toEqual([]);
        expect((await ac.usersWithAccess(ORG, OWNER, "knowledge_slice", POLICIES)).users.map((u) => u.user_id)).toEqual(
          [ALICE],
        );
        expect((await ac.usersWithAccess(ORG_B, OWNER_B, "knowledge_slice", POLICIES)).users).toEqual([]);
        expect((await ac.usersWithAccess(ORG_B, OWNER_B, "vector_store", STORE)).users.map((u) => u.user_id)).toEqual([
          ALICE,
        ]);
        expect((await ac.usersWithAccess(ORG, OWNER, "vector_store", STORE)).users).toEqual([]);
      }
    },
  );

  conformance(
    "an owner of one organization is nobody in another: INSUFFICIENT_PERMISSIONS for every owner operation there",
    async (f) => {
      await organization(f.ac, ORG, [OWNER]);
      await organization(f.ac, ORG_B, [OWNER_B]);
      const inB = await f.ac.createGrant(ORG_B, OWNER_B, grantTo(BOB, "read"));
      const refused: (() => Promise<unknown>)[] = [
        () => f.ac.createGrant(ORG_B, OWNER, grantTo(ALICE)),
        () => f.ac.bulkCreateGrants(ORG_B, OWNER, { ...slice(SLICE), grants: [bulkItem(ALICE)] }),
        () => f.ac.listGrants(ORG_B, OWNER),
        () => f.ac.listSliceGrants(ORG_B, OWNER, SLICE),
        () => f.ac.getGrant(ORG_B, OWNER, inB.id),
        () => f.ac.updateGrant(ORG_B, OWNER, inB.id, { access_level: "admin" }),
        () => f.ac.revokeGrant(ORG_B, OWNER, inB.id),
        () => f.ac.resolveAccess(ORG_B, OWNER, BOB),
        () => f.ac.usersWithAccess(ORG_B, OWNER, "knowledge_slice", SLICE),
        () => f.ac.addDepartmentMember(ORG_B, OWNER, ALICE, ENG),
        () => f.ac.createComposite(ORG_B, OWNER, { id: HANDBOOK, member_slice_ids: [] }),
        () => f.ac.exportOrganization(ORG_B, OWNER),
        () => f.ac.setOwners(ORG_B, OWNER, [OWNER]),
      ];
      for (const call of refused) await expectAccessError(call, "INSUFFICIENT_PERMISSIONS");
      expect(await f.adapter.getGrant(ORG_B, inB.id)).toEqual(inB);
      expect((await snapshotOf(f.adapter, ORG_B)).owners).toEqual([OWNER_B]);
    },
  );

  conformance("the same grant id in two organizations names two different grants", async (f) => {
    await organization(f.ac, ORG, [OWNER]);
    await organization(f.ac, ORG_B, [OWNER_B]);
    // Two services with the same id sequence: both organizations get agrant_test0001.
    // (Each service works on one organization only, so neither needs to hear of the other's writes.)
    const a = f.service();
    const b = f.service();
    const inA = await a.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
    const inB = await b.createGrant(ORG_B, OWNER_B, grantTo(BOB, "read", store(STORE)));
    expect(inA.id).toBe(inB.id);
    expect(await f.adapter.getGrant(ORG, inA.id)).toEqual(inA);
    expect(await f.adapter.getGrant(ORG_B, inB.id)).toEqual(inB);
    expect(await b.getGrant(ORG_B, OWNER_B, inB.id)).toEqual(inB);
    await a.revokeGrant(ORG, OWNER, inA.id);
    expect((await a.getGrant(ORG, OWNER, inA.id)).revoked_at).toBe(T0);
    expect((await f.adapter.getGrant(ORG_B, inB.id))?.revoked_at).toBeUndefined();
    expect(ids(await f.adapter.listGrants(ORG_B, {}, { skip: 0, limit: 100 }))).toEqual([inB.id]);
    expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({ items: [], total: 0 });
  });

  // ---------------------------------------------------------------- ids

  conformance("ids such as __proto__, constructor and toString are stored and read back as ordinary ids", async (f) => {
    const org = "org___proto__";
    const ac = f.service({ ids: idsFrom("agrant___proto__", "agrant_constructor") });
    await ac.createOrganization(org, { owners: ["usr_constructor"] });
    await ac.addDepartmentMember(org, "usr_constructor", "usr___proto__", "dept_toString");
    await ac.createComposite(org, "usr_constructor", {
      id: "kslice_constructor",
      member_slice_ids: ["kslice___proto__"],
    });
    const toDepartment = await ac.createGrant(org, "usr_constructor", {
      ...slice("kslice_constructor"),
      grantee_type: "department",
      grantee_id: "dept_toString",
      access_level: "write",
    });
    const toUser = await ac.createGrant(
      org,
      "usr_constructor",
      grantTo("usr_hasOwnProperty", "read", slice("kslice___proto__")),
    );
    expect([toDepartment.id, toUser.id]).toEqual(["agrant___proto__", "agrant_constructor"]);
    expect(await f.adapter.getGrant(org, "agrant___proto__")).toEqual(toDepartment);
    expect(await f.adapter.getGrant(org, "agrant_toString")).toBeNull();
    expect(await f.adapter.getGrant("org_constructor", "agrant___proto__")).toBeNull();
    expect(await f.adapter.loadOrganization("org_toString")).toBeNull();
    const fresh = f.service();
    expect(await fresh.resolveAccess(org, "usr___proto__", "usr___proto__")).toMatchObject({
      entities: [
        { entity_id: "kslice___proto__", grant_paths: [{ type: "composite", department_id: "dept_toString" }] },
        { entity_id: "kslice_constructor", access_level: "write" },
      ],
    });
    expect(ids(await fresh.listGrants(org, "usr_constructor", { grantee_id: "usr_hasOwnProperty" }))).toEqual([
      toUser.id,
    ]);
    expect(ids(await fresh.listGrants(org, "usr_constructor", { grantee_id: "usr_constructor" }))).toEqual([]);
  });
}
