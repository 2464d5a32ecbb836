/**
 * Storage conformance: paging, reading, updating and revoking grants, and the per-entity listings.
 * @module
 */
import { expect } from "vitest";
import {
  ALICE,
  ASSISTANT,
  assistant,
  at,
  BOB,
  bulkItem,
  CAROL,
  type ConformanceSuite,
  ENG,
  expectAccessError,
  type Fixture,
  GRANT_KEYS,
  grantTo,
  HOUR,
  ids,
  idsFrom,
  loose,
  OPS,
  ORG,
  ORG_B,
  OWNER,
  OWNER_B,
  revisionOf,
  SLICE,
  SLICE_2,
  STORE,
  STRANGER,
  slice,
  snapshotOf,
  store,
  T0,
} from "./support.js";

/** Registers this group's cases. */
export function registerListingAndLifecycleCases({ conformance, organization }: ConformanceSuite): void {
  // ---------------------------------------------------------------- paging

  /** 25 grants on SLICE, all at T0, ids agrant_test0001…0025. */
  async function twentyFive(f: Fixture): Promise<string[]> {
    await organization(f.ac);
    const grantees = Array.from({ length: 25 }, (_, i) => `usr_paged${String(i).padStart(2, "0")}`);
    const created = await f.ac.bulkCreateGrants(ORG, OWNER, {
      ...slice(SLICE),
      grants: grantees.map((g) => bulkItem(g)),
    });
    return created.map((g) => g.id);
  }

  conformance(
    "paging: skip 0 with limit 1 gives the first grant and has_more, limit 100 gives all, the default is 20",
    async (f) => {
      const all = await twentyFive(f);
      const first = await f.ac.listGrants(ORG, OWNER, { skip: 0, limit: 1 });
      expect(first).toMatchObject({ total: 25, skip: 0, limit: 1, has_more: true });
      expect(ids(first)).toEqual(all.slice(0, 1));
      const everything = await f.ac.listGrants(ORG, OWNER, { limit: 100 });
      expect(everything).toMatchObject({ total: 25, skip: 0, limit: 100, has_more: false });
      expect(ids(everything)).toEqual(all);
      const byDefault = await f.ac.listGrants(ORG, OWNER);
      expect(byDefault).toMatchObject({ total: 25, skip: 0, limit: 20, has_more: true });
      expect(ids(byDefault)).toEqual(all.slice(0, 20));
      const slicePage = await f.ac.listSliceGrants(ORG, OWNER, SLICE, { skip: 24, limit: 1 });
      expect(slicePage).toMatchObject({ total: 25, skip: 24, limit: 1, has_more: false });
      expect(ids(slicePage)).toEqual(all.slice(24));
    },
  );

  conformance(
    "paging: the exact last page has has_more false, pages tile the listing, and skip beyond the total gives no items",
    async (f) => {
      const all = await twentyFive(f);
      const last = await f.ac.listGrants(ORG, OWNER, { skip: 20, limit: 5 });
      expect(last).toMatchObject({ total: 25, skip: 20, limit: 5, has_more: false });
      expect(ids(last)).toEqual(all.slice(20));
      const beforeLast = await f.ac.listGrants(ORG, OWNER, { skip: 15, limit: 5 });
      expect(beforeLast.has_more).toBe(true);
      const tiled: string[] = [];
      for (let skip = 0; skip < 25; skip += 7)
        tiled.push(...ids(await f.ac.listGrants(ORG, OWNER, { skip, limit: 7 })));
      expect(tiled).toEqual(all);
      for (const skip of [25, 26, 1000]) {
        const beyond = await f.ac.listGrants(ORG, OWNER, { skip, limit: 10 });
        expect(beyond).toEqual({ items: [], total: 25, skip, limit: 10, has_more: false });
      }
      expect(await f.ac.listVectorStoreGrants(ORG, OWNER, STORE, { skip: 5 })).toEqual({
        items: [],
        total: 0,
        skip: 5,
        limit: 20,
        has_more: false,
      });
    },
  );

  conformance(
    "paging: limit 0, limit 101, a non-integer limit and a negative or fractional skip fail with VALIDATION_ERROR naming skip or limit",
    async (f) => {
      await twentyFive(f);
      const invalid: [Record<string, unknown>, string][] = [
        [{ limit: 0 }, "limit"],
        [{ limit: 101 }, "limit"],
        [{ limit: 2.5 }, "limit"],
        [{ limit: -1 }, "limit"],
        [{ limit: Number.NaN }, "limit"],
        [{ skip: -1 }, "skip"],
        [{ skip: 1.5 }, "skip"],
      ];
      for (const [query, field] of invalid) {
        await expectAccessError(() => f.ac.listGrants(ORG, OWNER, query), "VALIDATION_ERROR", { field });
        await expectAccessError(() => f.ac.listSliceGrants(ORG, OWNER, SLICE, query), "VALIDATION_ERROR", { field });
      }
      await expectAccessError(
        () => f.ac.listAssistantGrants(ORG, OWNER, ASSISTANT, { limit: 101 }),
        "VALIDATION_ERROR",
        {
          field: "limit",
        },
      );
    },
  );

  conformance("listing order: a grant created later lists later even when its id sorts first", async (f) => {
    await organization(f.ac);
    const ac = f.service({ ids: idsFrom("agrant_c03", "agrant_b02", "agrant_a01") });
    for (const user of [ALICE, BOB, CAROL]) {
      f.clock.advance(1000);
      await ac.createGrant(ORG, OWNER, grantTo(user));
    }
    const expected = ["agrant_c03", "agrant_b02", "agrant_a01"];
    expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual(expected);
    expect(ids(await f.ac.listSliceGrants(ORG, OWNER, SLICE))).toEqual(expected);
    expect(ids(await f.adapter.listGrants(ORG, { entity_id: SLICE }, { skip: 0, limit: 100 }))).toEqual(expected);
    expect(ids(await f.ac.listGrants(ORG, OWNER, { skip: 1, limit: 1 }))).toEqual(["agrant_b02"]);
    // Later than an hour's worth of seconds apart too: created_at must compare as time, not as a number of digits.
    f.clock.advance(10 * HOUR);
    const later = await f.service({ ids: idsFrom("agrant_0") }).createGrant(ORG, OWNER, grantTo(STRANGER));
    expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual([...expected, later.id]);
  });

  conformance(
    "listing order: grants with equal created_at list by id in code-unit order, whatever the insertion order",
    async (f) => {
      await organization(f.ac);
      f.clock.advance(1000);
      const earlier = await f.service({ ids: idsFrom("agrant_zz") }).createGrant(ORG, OWNER, grantTo(STRANGER));
      f.clock.advance(1000);
      const ac = f.service({ ids: idsFrom("agrant_m5", "agrant_a", "agrant_Z9", "agrant_B1", "agrant_q7") });
      for (const user of [ALICE, BOB, CAROL, OWNER, OWNER_B]) await ac.createGrant(ORG, OWNER, grantTo(user));
      // Code-unit order: upper case before lower case.
      const expected = [earlier.id, "agrant_B1", "agrant_Z9", "agrant_a", "agrant_m5", "agrant_q7"];
      expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual(expected);
      expect(ids(await f.ac.listGrants(ORG, OWNER, { skip: 2, limit: 2 }))).toEqual(expected.slice(2, 4));
      expect(ids(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 }))).toEqual(expected);
    },
  );

  // ---------------------------------------------------------------- getGrant

  conformance(
    "getGrant answers owners and entity admins; RESOURCE_NOT_FOUND names an unknown grant_id, malformed ids are VALIDATION_ERROR, strangers are refused",
    async (f) => {
      await organization(f.ac);
      const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
      await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
      expect(await f.ac.getGrant(ORG, OWNER, grant.id)).toEqual(grant);
      expect(await f.ac.getGrant(ORG, BOB, grant.id)).toEqual(grant);
      const missing = await expectAccessError(() => f.ac.getGrant(ORG, OWNER, "agrant_nope"), "RESOURCE_NOT_FOUND", {
        grant_id: "agrant_nope",
      });
      expect(missing.status).toBe(404);
      expect(missing.system_message).toBe("Access grant not found");
      await expectAccessError(() => f.ac.getGrant(ORG, OWNER, "grant_1"), "VALIDATION_ERROR", { field: "grant_id" });
      await expectAccessError(() => f.ac.getGrant(ORG, STRANGER, grant.id), "INSUFFICIENT_PERMISSIONS");
      // Holding read on the entity is not enough to read its grants.
      await expectAccessError(() => f.ac.getGrant(ORG, ALICE, grant.id), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.getGrant(ORG_B, OWNER, grant.id), "RESOURCE_NOT_FOUND");
    },
  );

  // ---------------------------------------------------------------- updateGrant

  conformance(
    "updateGrant changes only access_level and updated_at (from the clock), stores it, and the same level is a no-op",
    async (f) => {
      await organization(f.ac);
      const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
      f.clock.advance(HOUR);
      const updated = await f.ac.updateGrant(ORG, OWNER, grant.id, { access_level: "write" });
      expect(updated).toEqual({ ...grant, access_level: "write", updated_at: at(60) });
      expect(Object.keys(updated).sort()).toEqual(GRANT_KEYS);
      expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(updated);
      expect(await f.service().getGrant(ORG, OWNER, grant.id)).toEqual(updated);
      expect((await f.ac.resolveAccess(ORG, ALICE, ALICE)).entities[0]?.access_level).toBe("write");
      const version = await revisionOf(f.adapter, ORG);
      f.clock.advance(HOUR);
      expect(await f.ac.updateGrant(ORG, OWNER, grant.id, { access_level: "write" })).toEqual(updated);
      expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(updated);
      expect(await revisionOf(f.adapter, ORG)).toBe(version);
      expect((await f.ac.listGrants(ORG, OWNER)).total).toBe(1);
    },
  );

  conformance(
    "updateGrant errors: unknown grant RESOURCE_NOT_FOUND, bad level or an immutable field VALIDATION_ERROR, non-admins refused, nothing stored",
    async (f) => {
      await organization(f.ac);
      const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
      await expectAccessError(
        () => f.ac.updateGrant(ORG, OWNER, "agrant_nope", { access_level: "write" }),
        "RESOURCE_NOT_FOUND",
        {
          grant_id: "agrant_nope",
        },
      );
      await expectAccessError(
        () => f.ac.updateGrant(ORG, OWNER, grant.id, loose({ access_level: "owner" })),
        "VALIDATION_ERROR",
        {
          field: "access_level",
        },
      );
      await expectAccessError(
        () => f.ac.updateGrant(ORG, OWNER, grant.id, loose({ access_level: "write", entity_id: SLICE_2 })),
        "VALIDATION_ERROR",
        { field: "entity_id" },
      );
      await expectAccessError(
        () => f.ac.updateGrant(ORG, OWNER, grant.id, loose({ access_level: "write", grantee_id: BOB })),
        "VALIDATION_ERROR",
        { field: "grantee_id" },
      );
      await expectAccessError(
        () => f.ac.updateGrant(ORG, STRANGER, grant.id, { access_level: "admin" }),
        "INSUFFICIENT_PERMISSIONS",
      );
      await expectAccessError(
        () => f.ac.updateGrant(ORG, ALICE, grant.id, { access_level: "admin" }),
        "INSUFFICIENT_PERMISSIONS",
      );
      await expectAccessError(
        () => f.ac.updateGrant(ORG_B, OWNER, grant.id, { access_level: "admin" }),
        "RESOURCE_NOT_FOUND",
      );
      expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
    },
  );

  // ---------------------------------------------------------------- revokeGrant

  conformance(
    "revokeGrant is a soft delete: getGrant still returns the grant, with revoked_at and updated_at from the clock",
    async (f) => {
      await organization(f.ac);
      const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      f.clock.advance(HOUR);
      expect(await f.ac.revokeGrant(ORG, OWNER, grant.id)).toBeUndefined();
      const expected = { ...grant, updated_at: at(60), revoked_at: at(60) };
      expect(await f.ac.getGrant(ORG, OWNER, grant.id)).toEqual(expected);
      expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(expected);
      expect(await f.service().getGrant(ORG, OWNER, grant.id)).toEqual(expected);
      expect(Object.keys((await f.adapter.getGrant(ORG, grant.id)) ?? {}).sort()).toEqual(
        [...GRANT_KEYS, "revoked_at"].sort(),
      );
    },
  );

  conformance(
    "a revoked grant is neither listed nor resolved, nor in usersWithAccess or the loaded snapshot",
    async (f) => {
      await organization(f.ac);
      const kept = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "read"));
      const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      await f.ac.revokeGrant(ORG, OWNER, grant.id);
      for (const ac of [f.ac, f.service()]) {
        expect(ids(await ac.listGrants(ORG, OWNER))).toEqual([kept.id]);
        expect((await ac.listGrants(ORG, OWNER, { grantee_id: ALICE })).total).toBe(0);
        expect(ids(await ac.listSliceGrants(ORG, OWNER, SLICE))).toEqual([kept.id]);
        expect(await ac.resolveAccess(ORG, ALICE, ALICE)).toEqual({ user_id: ALICE, entities: [] });
        const users = await ac.usersWithAccess(ORG, OWNER, "knowledge_slice", SLICE);
        expect(users.users.map((u) => u.user_id)).toEqual([BOB]);
      }
      expect(await f.adapter.listGrants(ORG, { grantee_id: ALICE }, { skip: 0, limit: 100 })).toEqual({
        items: [],
        total: 0,
      });
      expect(((await snapshotOf(f.adapter, ORG)).grants ?? []).map((g) => g.id)).toEqual([kept.id]);
    },
  );

  conformance("a revoked grant does not conflict: granting the same pair again succeeds with a new id", async (f) => {
    await organization(f.ac);
    const first = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
    await f.ac.revokeGrant(ORG, OWNER, first.id);
    f.clock.advance(HOUR);
    const again = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({ grantee_id: ALICE, access_level: "read", created_at: at(60) });
    expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual([again.id]);
    expect((await f.adapter.getGrant(ORG, first.id))?.revoked_at).toBe(T0);
    expect((await f.service().resolveAccess(ORG, ALICE, ALICE)).entities).toMatchObject([
      { entity_id: SLICE, access_level: "read", grant_paths: [{ type: "direct", grant_id: again.id }] },
    ]);
    await expectAccessError(() => f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin")), "RESOURCE_ALREADY_EXISTS", {
      grant_id: again.id,
    });
  });

  conformance(
    "a revoked grant cannot be revoked again or updated (RESOURCE_NOT_FOUND) and stays as it was",
    async (f) => {
      await organization(f.ac);
      const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      await expectAccessError(() => f.ac.revokeGrant(ORG, STRANGER, grant.id), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.revokeGrant(ORG, OWNER, "agrant_nope"), "RESOURCE_NOT_FOUND", {
        grant_id: "agrant_nope",
      });
      await f.ac.revokeGrant(ORG, OWNER, grant.id);
      const revoked = await f.adapter.getGrant(ORG, grant.id);
      f.clock.advance(HOUR);
      for (const ac of [f.ac, f.service()]) {
        await expectAccessError(() => ac.revokeGrant(ORG, OWNER, grant.id), "RESOURCE_NOT_FOUND", {
          grant_id: grant.id,
        });
        await expectAccessError(
          () => ac.updateGrant(ORG, OWNER, grant.id, { access_level: "admin" }),
          "RESOURCE_NOT_FOUND",
          {
            grant_id: grant.id,
          },
        );
      }
      expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(revoked);
    },
  );

  // ---------------------------------------------------------------- per-entity listings

  conformance(
    "listSliceGrants, listVectorStoreGrants and listAssistantGrants list only their entity's active grants, paged",
    async (f) => {
      await organization(f.ac);
      const a = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE)));
      const b = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "read", slice(SLICE)));
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE_2)));
      const c = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", store(STORE)));
      const d = await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "read", store(STORE)));
      const e = await f.ac.createGrant(ORG, OWNER, grantTo(OPS, "admin", assistant(ASSISTANT)));
      const revoked = await f.ac.createGrant(ORG, OWNER, grantTo(CAROL, "admin", assistant(ASSISTANT)));
      await f.ac.revokeGrant(ORG, OWNER, revoked.id);
      expect(await f.ac.listSliceGrants(ORG, OWNER, SLICE)).toEqual({
        items: [a, b],
        total: 2,
        skip: 0,
        limit: 20,
        has_more: false,
      });
      expect(await f.ac.listSliceGrants(ORG, OWNER, SLICE, { limit: 1 })).toEqual({
        items: [a],
        total: 2,
        skip: 0,
        limit: 1,
        has_more: true,
      });
      expect(ids(await f.ac.listSliceGrants(ORG, OWNER, SLICE, { skip: 1, limit: 1 }))).toEqual([b.id]);
      expect(ids(await f.ac.listVectorStoreGrants(ORG, OWNER, STORE))).toEqual([c.id, d.id]);
      expect(await f.ac.listAssistantGrants(ORG, OWNER, ASSISTANT)).toEqual({
        items: [e],
        total: 1,
        skip: 0,
        limit: 20,
        has_more: false,
      });
      expect((await f.ac.listAssistantGrants(ORG, OWNER, "asst_none")).total).toBe(0);
      // The grantee with admin on an entity may list it.
      expect(ids(await f.ac.listVectorStoreGrants(ORG, ALICE, STORE))).toEqual([c.id, d.id]);
    },
  );

  conformance(
    "per-entity listings: an id of the wrong kind is VALIDATION_ERROR on entity_id, non-admins are refused, unknown organizations are not found",
    async (f) => {
      await organization(f.ac);
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", slice(SLICE)));
      await expectAccessError(() => f.ac.listSliceGrants(ORG, OWNER, STORE), "VALIDATION_ERROR", {
        field: "entity_id",
      });
      await expectAccessError(() => f.ac.listVectorStoreGrants(ORG, OWNER, SLICE), "VALIDATION_ERROR", {
        field: "entity_id",
      });
      await expectAccessError(() => f.ac.listAssistantGrants(ORG, OWNER, "assistant1"), "VALIDATION_ERROR", {
        field: "entity_id",
      });
      expect((await f.ac.listSliceGrants(ORG, ALICE, SLICE)).total).toBe(1);
      await expectAccessError(() => f.ac.listSliceGrants(ORG, ALICE, SLICE_2), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.listVectorStoreGrants(ORG, ALICE, STORE), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.listAssistantGrants(ORG, STRANGER, ASSISTANT), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.listSliceGrants(ORG_B, OWNER, SLICE), "RESOURCE_NOT_FOUND");
    },
  );
}
