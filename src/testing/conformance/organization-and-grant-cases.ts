/**
 * Storage conformance: creating organizations and grants, bulk creation and listing with filters.
 * @module
 */
import { expect } from "vitest";
import type { AccessControl, CreateGrantInput } from "../../service/index.js";
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
  GRANT_KEYS,
  grantTo,
  ids,
  loose,
  OPS,
  ORG,
  ORG_B,
  OWNER,
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
export function registerOrganizationAndGrantCases({ conformance, organization }: ConformanceSuite): void {
  // ---------------------------------------------------------------- organizations

  conformance(
    "createOrganization stores an organization that loadOrganization returns at version 1 or more",
    async (f) => {
      const created = await organization(f.ac);
      expect(created.organization_id).toBe(ORG);
      expect(created.owners).toEqual([OWNER]);
      const snapshot = await f.adapter.loadOrganization(ORG);
      expect(snapshot).not.toBeNull();
      expect(snapshot?.revision).toBeGreaterThanOrEqual(1);
      expect(snapshot?.graph.organization_id).toBe(ORG);
      expect(snapshot?.graph.owners).toEqual([OWNER]);
      expect(snapshot?.graph.grants ?? []).toEqual([]);
      const fresh = f.service();
      expect(await fresh.exportOrganization(ORG, OWNER)).toMatchObject({ organization_id: ORG, owners: [OWNER] });
    },
  );

  conformance(
    "createOrganization of an existing organization fails with RESOURCE_ALREADY_EXISTS and keeps its owners",
    async (f) => {
      await organization(f.ac);
      const version = await revisionOf(f.adapter, ORG);
      await expectAccessError(() => organization(f.ac, ORG, [STRANGER]), "RESOURCE_ALREADY_EXISTS", {
        organization_id: ORG,
      });
      // A service that has never seen the organization learns it from the storage.
      await expectAccessError(() => organization(f.service(), ORG, [STRANGER]), "RESOURCE_ALREADY_EXISTS");
      expect(await revisionOf(f.adapter, ORG)).toBe(version);
      expect((await snapshotOf(f.adapter, ORG)).owners).toEqual([OWNER]);
    },
  );

  conformance(
    "createOrganization rejects a malformed organization id or owner list with VALIDATION_ERROR naming the field",
    async (f) => {
      await expectAccessError(() => f.ac.createOrganization("acme", { owners: [OWNER] }), "VALIDATION_ERROR", {
        field: "organization_id",
      });
      await expectAccessError(() => f.ac.createOrganization(ORG, { owners: ["owner1"] }), "VALIDATION_ERROR", {
        field: "owners[0]",
      });
      await expectAccessError(() => f.ac.createOrganization(ORG, { owners: [] }), "VALIDATION_ERROR", {
        field: "owners",
      });
      expect(await f.adapter.loadOrganization(ORG)).toBeNull();
    },
  );

  // ---------------------------------------------------------------- createGrant

  conformance(
    "createGrant answers the grant object of docs/spec.md §12: granted_by is the actor, timestamps from the clock, no expires_at or revoked_at",
    async (f) => {
      await organization(f.ac);
      const grant = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE));
      const expected = {
        id: "agrant_test0001",
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        grantee_type: "user",
        grantee_id: ALICE,
        access_level: "read",
        granted_by: OWNER,
        organization_id: ORG,
        created_at: T0,
        updated_at: T0,
      };
      expect(grant).toEqual(expected);
      expect(Object.keys(grant).sort()).toEqual(GRANT_KEYS);
      const stored = await f.adapter.getGrant(ORG, grant.id);
      expect(stored).toEqual(expected);
      expect(Object.keys(stored ?? {}).sort()).toEqual(GRANT_KEYS);
      const read = await f.ac.getGrant(ORG, OWNER, grant.id);
      expect(read).toEqual(expected);
      expect(Object.keys(read).sort()).toEqual(GRANT_KEYS);
      expect(JSON.parse(JSON.stringify(read))).toEqual(expected);
      // Whole seconds in UTC, whatever the clock's milliseconds.
      f.clock.advance(90 * 60_000 + 750);
      const later = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "write", store(STORE)));
      expect(later).toMatchObject({ id: "agrant_test0002", created_at: at(90), updated_at: at(90) });
      expect(await f.adapter.getGrant(ORG, later.id)).toMatchObject({ created_at: at(90), updated_at: at(90) });
    },
  );

  conformance("createGrant keeps a given expires_at on the stored record and refuses one in the past", async (f) => {
    await organization(f.ac);
    const expires_at = at(24 * 60);
    const grant = await f.ac.createGrant(ORG, OWNER, { ...grantTo(ALICE), expires_at });
    expect(grant.expires_at).toBe(expires_at);
    expect(Object.keys(grant).sort()).toEqual([...GRANT_KEYS, "expires_at"].sort());
    const stored = await f.adapter.getGrant(ORG, grant.id);
    expect(stored).toEqual(grant);
    expect(Object.keys(stored ?? {}).sort()).toEqual([...GRANT_KEYS, "expires_at"].sort());
    expect(await f.ac.getGrant(ORG, OWNER, grant.id)).toEqual(grant);
    await expectAccessError(
      () => f.ac.createGrant(ORG, OWNER, { ...grantTo(BOB), expires_at: at(-1) }),
      "VALIDATION_ERROR",
      {
        field: "expires_at",
      },
    );
    expect((await f.ac.listGrants(ORG, OWNER)).total).toBe(1);
  });

  conformance(
    "createGrant errors: RESOURCE_NOT_FOUND for an unknown organization, INSUFFICIENT_PERMISSIONS for strangers, VALIDATION_ERROR naming the field",
    async (f) => {
      await organization(f.ac);
      await expectAccessError(() => f.ac.createGrant(ORG_B, OWNER, grantTo(ALICE)), "RESOURCE_NOT_FOUND", {
        organization_id: ORG_B,
      });
      await expectAccessError(() => f.ac.createGrant(ORG, STRANGER, grantTo(ALICE)), "INSUFFICIENT_PERMISSIONS");
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      // write is not admin: a grantee below admin may not grant.
      await expectAccessError(() => f.ac.createGrant(ORG, ALICE, grantTo(BOB)), "INSUFFICIENT_PERMISSIONS");
      const invalid: [unknown, string][] = [
        [{ ...grantTo(BOB), entity_type: "document" }, "entity_type"],
        [{ ...grantTo(BOB), entity_id: STORE }, "entity_id"],
        [{ ...grantTo(BOB), grantee_type: "group" }, "grantee_type"],
        [{ ...grantTo(BOB), grantee_id: ENG }, "grantee_id"],
        [{ ...grantTo(BOB), access_level: "owner" }, "access_level"],
        [{ ...grantTo(BOB), access_level: undefined }, "access_level"],
      ];
      for (const [body, field] of invalid) {
        await expectAccessError(() => f.ac.createGrant(ORG, OWNER, loose<CreateGrantInput>(body)), "VALIDATION_ERROR", {
          field,
        });
      }
      await expectAccessError(() => f.ac.createGrant(ORG, "owner1", grantTo(BOB)), "VALIDATION_ERROR", {
        field: "actor_id",
      });
      expect((await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).total).toBe(1);
    },
  );

  conformance(
    "createGrant of a pair that already has an active grant fails with RESOURCE_ALREADY_EXISTS naming that grant, at any level",
    async (f) => {
      await organization(f.ac);
      const first = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE));
      for (const level of ["read", "admin"] as const) {
        await expectAccessError(() => f.ac.createGrant(ORG, OWNER, grantTo(ALICE, level)), "RESOURCE_ALREADY_EXISTS", {
          grant_id: first.id,
        });
      }
      // The same grantee on another entity, and another grantee on the entity, are different pairs.
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE_2)));
      await f.ac.createGrant(ORG, OWNER, grantTo(BOB));
      const listed = await f.ac.listGrants(ORG, OWNER);
      expect(listed.total).toBe(3);
      expect(listed.items.find((g) => g.id === first.id)?.access_level).toBe("read");
    },
  );

  conformance(
    "an entity admin who is not an owner may grant that entity (as granted_by) but not another entity",
    async (f) => {
      await organization(f.ac);
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin"));
      const granted = await f.ac.createGrant(ORG, ALICE, grantTo(BOB, "write"));
      expect(granted.granted_by).toBe(ALICE);
      expect((await f.adapter.getGrant(ORG, granted.id))?.granted_by).toBe(ALICE);
      await expectAccessError(
        () => f.ac.createGrant(ORG, ALICE, grantTo(BOB, "read", slice(SLICE_2))),
        "INSUFFICIENT_PERMISSIONS",
      );
      // Admin through a department works as well.
      await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "admin", store(STORE)));
      await f.ac.addDepartmentMember(ORG, OWNER, CAROL, ENG);
      const viaDepartment = await f.ac.createGrant(ORG, CAROL, grantTo(BOB, "read", store(STORE)));
      expect(viaDepartment.granted_by).toBe(CAROL);
    },
  );

  // ---------------------------------------------------------------- bulkCreateGrants

  conformance(
    "bulkCreateGrants creates every item in request order with distinct ids, all stored and listed",
    async (f) => {
      await organization(f.ac);
      const created = await f.ac.bulkCreateGrants(ORG, OWNER, {
        ...slice(SLICE),
        grants: [bulkItem(ALICE), bulkItem(ENG, "write"), bulkItem(OPS, "admin")],
      });
      expect(created.map((g) => [g.id, g.grantee_type, g.grantee_id, g.access_level])).toEqual([
        ["agrant_test0001", "user", ALICE, "read"],
        ["agrant_test0002", "department", ENG, "write"],
        ["agrant_test0003", "role", OPS, "admin"],
      ]);
      for (const grant of created) {
        expect(grant).toMatchObject({
          ...slice(SLICE),
          granted_by: OWNER,
          organization_id: ORG,
          created_at: T0,
          updated_at: T0,
        });
        expect(Object.keys(grant).sort()).toEqual(GRANT_KEYS);
        expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
      }
      const listed = await f.ac.listSliceGrants(ORG, OWNER, SLICE);
      expect(ids(listed)).toEqual(created.map((g) => g.id));
      expect(listed.total).toBe(3);
    },
  );

  conformance(
    "bulkCreateGrants with a malformed grantee id at index 3 fails with VALIDATION_ERROR (index 3) and stores nothing",
    async (f) => {
      await organization(f.ac);
      const version = await revisionOf(f.adapter, ORG);
      await expectAccessError(
        () =>
          f.ac.bulkCreateGrants(ORG, OWNER, {
            ...slice(SLICE),
            grants: [
              bulkItem(ALICE),
              bulkItem(BOB),
              bulkItem(CAROL),
              { ...bulkItem(ALICE), grantee_id: "bob" },
              bulkItem(ENG),
            ],
          }),
        "VALIDATION_ERROR",
        { index: 3, field: "grants[3].grantee_id" },
      );
      expect(await revisionOf(f.adapter, ORG)).toBe(version);
      expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({ items: [], total: 0 });
      expect((await f.ac.resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
    },
  );

  conformance(
    "bulkCreateGrants naming a pair that already exists fails with RESOURCE_ALREADY_EXISTS (details.index) and stores nothing new",
    async (f) => {
      await organization(f.ac);
      const existing = await f.ac.createGrant(ORG, OWNER, grantTo(CAROL));
      const version = await revisionOf(f.adapter, ORG);
      await expectAccessError(
        () =>
          f.ac.bulkCreateGrants(ORG, OWNER, {
            ...slice(SLICE),
            grants: [bulkItem(ALICE), bulkItem(BOB), bulkItem(CAROL, "admin"), bulkItem(ENG)],
          }),
        "RESOURCE_ALREADY_EXISTS",
        { index: 2, grant_id: existing.id },
      );
      expect(await revisionOf(f.adapter, ORG)).toBe(version);
      expect(ids(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 }))).toEqual([existing.id]);
      expect((await f.ac.resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      expect((await f.service().resolveAccess(ORG, BOB, BOB)).entities).toEqual([]);
    },
  );

  conformance(
    "bulkCreateGrants errors: an empty list or a grantee named twice is VALIDATION_ERROR, strangers are refused, unknown organizations are not found",
    async (f) => {
      await organization(f.ac);
      await expectAccessError(
        () => f.ac.bulkCreateGrants(ORG, OWNER, { ...slice(SLICE), grants: [] }),
        "VALIDATION_ERROR",
        {
          field: "grants",
        },
      );
      await expectAccessError(
        () =>
          f.ac.bulkCreateGrants(ORG, OWNER, { ...slice(SLICE), grants: [bulkItem(ALICE), bulkItem(ALICE, "write")] }),
        "VALIDATION_ERROR",
        { index: 1, field: "grants[1].grantee_id" },
      );
      await expectAccessError(
        () =>
          f.ac.bulkCreateGrants(ORG, OWNER, {
            ...slice(SLICE),
            grants: [bulkItem(ALICE), loose({ ...bulkItem(BOB), access_level: "all" })],
          }),
        "VALIDATION_ERROR",
        { index: 1, field: "grants[1].access_level" },
      );
      await expectAccessError(
        () => f.ac.bulkCreateGrants(ORG, STRANGER, { ...slice(SLICE), grants: [bulkItem(ALICE)] }),
        "INSUFFICIENT_PERMISSIONS",
      );
      await expectAccessError(
        () => f.ac.bulkCreateGrants(ORG_B, OWNER, { ...slice(SLICE), grants: [bulkItem(ALICE)] }),
        "RESOURCE_NOT_FOUND",
      );
      expect((await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).total).toBe(0);
    },
  );

  // ---------------------------------------------------------------- listGrants

  conformance(
    "listGrants filters by entity_type, entity_id, grantee_type and grantee_id and reports the matching total",
    async (f) => {
      await organization(f.ac);
      const g1 = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE)));
      const g2 = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "write", slice(SLICE)));
      const g3 = await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "read", slice(SLICE)));
      const g4 = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", store(STORE)));
      const g5 = await f.ac.createGrant(ORG, OWNER, grantTo(OPS, "read", assistant(ASSISTANT)));
      const all = await f.ac.listGrants(ORG, OWNER);
      expect(all).toMatchObject({ total: 5, skip: 0, limit: 20, has_more: false });
      expect(ids(all)).toEqual([g1.id, g2.id, g3.id, g4.id, g5.id]);
      const cases: [Parameters<AccessControl["listGrants"]>[2], string[]][] = [
        [{ entity_type: "knowledge_slice" }, [g1.id, g2.id, g3.id]],
        [{ entity_id: STORE }, [g4.id]],
        [{ grantee_type: "user" }, [g1.id, g2.id, g4.id]],
        [{ grantee_id: ALICE }, [g1.id, g4.id]],
        [{ entity_id: SLICE, grantee_type: "department" }, [g3.id]],
        [{ entity_type: "assistant", entity_id: ASSISTANT, grantee_type: "role", grantee_id: OPS }, [g5.id]],
        [{ entity_type: "vector_store", grantee_id: BOB }, []],
        [{ grantee_id: "usr_nobody" }, []],
      ];
      for (const [query, expected] of cases) {
        const page = await f.ac.listGrants(ORG, OWNER, query);
        expect({ query, ids: ids(page), total: page.total, has_more: page.has_more }).toEqual({
          query,
          ids: expected,
          total: expected.length,
          has_more: false,
        });
      }
    },
  );

  conformance(
    "listGrants permissions and validation: the unfiltered list is for owners, an entity admin lists only their entity, bad filters name the field",
    async (f) => {
      await organization(f.ac);
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin"));
      await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "read", store(STORE)));
      await expectAccessError(() => f.ac.listGrants(ORG, ALICE), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.listGrants(ORG, ALICE, { grantee_id: ALICE }), "INSUFFICIENT_PERMISSIONS");
      expect((await f.ac.listGrants(ORG, ALICE, { entity_id: SLICE })).total).toBe(1);
      expect((await f.ac.listGrants(ORG, ALICE, { entity_type: "knowledge_slice", entity_id: SLICE })).total).toBe(1);
      await expectAccessError(() => f.ac.listGrants(ORG, ALICE, { entity_id: STORE }), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.listGrants(ORG, STRANGER), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.listGrants(ORG_B, OWNER), "RESOURCE_NOT_FOUND");
      await expectAccessError(
        () => f.ac.listGrants(ORG, OWNER, loose({ entity_type: "document" })),
        "VALIDATION_ERROR",
        {
          field: "entity_type",
        },
      );
      await expectAccessError(() => f.ac.listGrants(ORG, OWNER, { grantee_id: "alice" }), "VALIDATION_ERROR", {
        field: "grantee_id",
      });
      await expectAccessError(
        () => f.ac.listGrants(ORG, OWNER, { entity_type: "vector_store", entity_id: SLICE }),
        "VALIDATION_ERROR",
        {
          field: "entity_id",
        },
      );
    },
  );
}
