/**
 * Storage conformance: the adapter contract itself: commits, revisions, conflicts, soft delete, defensive copies, watch.
 * @module
 */
import { expect } from "vitest";
import type { GrantRecord, StorageChange } from "../../storage/storage-adapter.js";
import {
  ALICE,
  at,
  BACKEND,
  BENEFITS,
  BOB,
  CAROL,
  type ConformanceSuite,
  canonical,
  copy,
  ENG,
  entityIds,
  eventually,
  expectAccessError,
  grantTo,
  HANDBOOK,
  ids,
  OPS,
  ORG,
  ORG_B,
  OWNER,
  OWNER_B,
  POLICIES,
  record,
  revisionOf,
  SLICE,
  STORE,
  STRANGER,
  snapshotOf,
  store,
  tamper,
} from "./support.js";

/** Registers this group's cases. */
export function registerAdapterContractCases({ conformance, organization }: ConformanceSuite): void {
  // ---------------------------------------------------------------- the adapter contract

  conformance(
    "adapter: loadOrganization is null, getGrant null and listGrants empty for an unknown organization",
    async (f) => {
      expect(await f.adapter.loadOrganization(ORG)).toBeNull();
      expect(await f.adapter.getGrant(ORG, "agrant_test0001")).toBeNull();
      expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 20 })).toEqual({ items: [], total: 0 });
      expect(await f.adapter.listGrants(ORG, { entity_id: SLICE }, { skip: 5, limit: 100 })).toEqual({
        items: [],
        total: 0,
      });
      expect(typeof f.adapter.name).toBe("string");
      expect(f.adapter.name.length).toBeGreaterThan(0);
    },
  );

  conformance(
    "adapter: commit at version 0 creates the organization, and every commit returns a greater version that loadOrganization reports",
    async (f) => {
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      expect(v1).toBeGreaterThanOrEqual(1);
      expect(await revisionOf(f.adapter, ORG)).toBe(v1);
      const v2 = await f.adapter.commit(ORG, v1, [
        { type: "put_department", department: { id: ENG, parent_id: null } },
      ]);
      expect(v2).toBeGreaterThan(v1);
      expect(await revisionOf(f.adapter, ORG)).toBe(v2);
      const grant = record("agrant_commit01");
      const v3 = await f.adapter.commit(ORG, v2, [{ type: "put_grant", grant }]);
      expect(v3).toBeGreaterThan(v2);
      const snapshot = await f.adapter.loadOrganization(ORG);
      expect(snapshot?.revision).toBe(v3);
      expect(canonical(snapshot?.graph ?? { organization_id: "" })).toEqual({
        organization_id: ORG,
        owners: [OWNER],
        users: [],
        departments: [{ id: ENG, parent_id: null }],
        composites: [],
        grants: [grant],
      });
      expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
      // Another organization has its own versions.
      expect(
        await f.adapter.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER_B] }]),
      ).toBeGreaterThanOrEqual(1);
      expect(await revisionOf(f.adapter, ORG)).toBe(v3);
    },
  );

  conformance(
    "adapter: a commit naming a stale or future version throws VERSION_CONFLICT and changes nothing",
    async (f) => {
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      const v2 = await f.adapter.commit(ORG, v1, [{ type: "put_grant", grant: record("agrant_first") }]);
      const before = await snapshotOf(f.adapter, ORG);
      const batch: StorageChange[] = [
        { type: "put_grant", grant: record("agrant_lost", { grantee_id: BOB }) },
        { type: "put_department", department: { id: ENG, parent_id: null } },
        { type: "set_owners", owners: [STRANGER] },
      ];
      for (const expected of [v1, v2 + 1, v2 + 100]) {
        const error = await expectAccessError(() => f.adapter.commit(ORG, expected, batch), "VERSION_CONFLICT");
        expect(error.status).toBe(409);
      }
      expect(await revisionOf(f.adapter, ORG)).toBe(v2);
      expect(await f.adapter.getGrant(ORG, "agrant_lost")).toBeNull();
      expect(canonical(await snapshotOf(f.adapter, ORG))).toEqual(canonical(before));
      expect((await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).total).toBe(1);
    },
  );

  conformance(
    "adapter: commit at version 0 for an existing organization throws VERSION_CONFLICT and keeps it as it was",
    async (f) => {
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      await expectAccessError(
        () =>
          f.adapter.commit(ORG, 0, [
            { type: "create_organization", owners: [STRANGER] },
            { type: "put_grant", grant: record("agrant_sneaky") },
          ]),
        "VERSION_CONFLICT",
      );
      expect(await revisionOf(f.adapter, ORG)).toBe(v1);
      expect((await snapshotOf(f.adapter, ORG)).owners).toEqual([OWNER]);
      expect(await f.adapter.getGrant(ORG, "agrant_sneaky")).toBeNull();
      // The same race through two services: the second creation is refused.
      await expectAccessError(() => organization(f.ac, ORG, [STRANGER]), "RESOURCE_ALREADY_EXISTS");
    },
  );

  conformance(
    "adapter: a batch at version 0 that does not start with create_organization is refused and creates nothing",
    async (f) => {
      let refused = false;
      try {
        await f.adapter.commit(ORG, 0, [{ type: "put_grant", grant: record("agrant_orphan") }]);
      } catch {
        refused = true;
      }
      expect(refused).toBe(true);
      expect(await f.adapter.loadOrganization(ORG)).toBeNull();
      expect(await f.adapter.getGrant(ORG, "agrant_orphan")).toBeNull();
    },
  );

  conformance(
    "adapter: getGrant returns a revoked grant with revoked_at, while listGrants and the snapshot leave it out",
    async (f) => {
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      const active = record("agrant_active", { grantee_id: BOB });
      const grant = record("agrant_soft");
      const v2 = await f.adapter.commit(ORG, v1, [
        { type: "put_grant", grant },
        { type: "put_grant", grant: active },
      ]);
      const revoked: GrantRecord = { ...grant, updated_at: at(5), revoked_at: at(5) };
      await f.adapter.commit(ORG, v2, [{ type: "put_grant", grant: revoked }]);
      expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(revoked);
      expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({ items: [active], total: 1 });
      expect(await f.adapter.listGrants(ORG, { grantee_id: ALICE }, { skip: 0, limit: 100 })).toEqual({
        items: [],
        total: 0,
      });
      expect((await snapshotOf(f.adapter, ORG)).grants ?? []).toEqual([active]);
      expect(await f.adapter.getGrant(ORG, "agrant_unknown")).toBeNull();
      // Other organizations' grants are not found by id.
      await f.adapter.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER_B] }]);
      expect(await f.adapter.getGrant(ORG_B, active.id)).toBeNull();
    },
  );

  conformance(
    "adapter: put_grant replaces by id, and listGrants filters, counts and pages in created_at-then-id order",
    async (f) => {
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      const grants = [
        record("agrant_b", { created_at: at(10), updated_at: at(10) }),
        record("agrant_a", { created_at: at(20), updated_at: at(20), grantee_id: BOB }),
        record("agrant_C", { created_at: at(10), updated_at: at(10), grantee_id: CAROL }),
        record("agrant_d", { ...store(STORE), created_at: at(0), updated_at: at(0) }),
        record("agrant_e", { created_at: at(6000), updated_at: at(6000), grantee_type: "role", grantee_id: OPS }),
      ];
      const v2 = await f.adapter.commit(
        ORG,
        v1,
        grants.map((grant) => ({ type: "put_grant", grant })),
      );
      const replaced = {
        ...record("agrant_b", { created_at: at(10) }),
        access_level: "admin" as const,
        updated_at: at(30),
      };
      await f.adapter.commit(ORG, v2, [{ type: "put_grant", grant: replaced }]);
      const all = await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 });
      expect(ids(all)).toEqual(["agrant_d", "agrant_C", "agrant_b", "agrant_a", "agrant_e"]);
      expect(all.total).toBe(5);
      expect(all.items[2]).toEqual(replaced);
      expect(await f.adapter.listGrants(ORG, {}, { skip: 1, limit: 2 })).toEqual({
        items: all.items.slice(1, 3),
        total: 5,
      });
      expect(await f.adapter.listGrants(ORG, {}, { skip: 5, limit: 2 })).toEqual({ items: [], total: 5 });
      expect(
        ids(
          await f.adapter.listGrants(
            ORG,
            { entity_type: "knowledge_slice", grantee_type: "user" },
            { skip: 0, limit: 100 },
          ),
        ),
      ).toEqual(["agrant_C", "agrant_b", "agrant_a"]);
      expect(await f.adapter.listGrants(ORG, { entity_id: SLICE, grantee_id: ALICE }, { skip: 0, limit: 1 })).toEqual({
        items: [replaced],
        total: 1,
      });
      expect(ids(await f.adapter.listGrants(ORG, { grantee_type: "role" }, { skip: 0, limit: 100 }))).toEqual([
        "agrant_e",
      ]);
      expect(ids(await f.adapter.listGrants(ORG, { entity_type: "vector_store" }, { skip: 0, limit: 100 }))).toEqual([
        "agrant_d",
      ]);
    },
  );

  conformance(
    "adapter: put_user, put_department, delete_department, put_composite and set_owners land in the snapshot",
    async (f) => {
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      const v2 = await f.adapter.commit(ORG, v1, [
        { type: "put_department", department: { id: ENG, parent_id: null } },
        { type: "put_department", department: { id: BACKEND, parent_id: ENG } },
        { type: "put_user", user: { id: ALICE, department_ids: [BACKEND], role_ids: [OPS] } },
        { type: "put_user", user: { id: BOB, department_ids: [ENG], role_ids: [] } },
        { type: "put_composite", composite: { id: HANDBOOK, member_slice_ids: [POLICIES, BENEFITS] } },
        { type: "set_owners", owners: [OWNER, OWNER_B] },
      ]);
      await f.adapter.commit(ORG, v2, [
        { type: "delete_department", department_id: ENG },
        { type: "put_department", department: { id: BACKEND, parent_id: null } },
        { type: "put_user", user: { id: ALICE, department_ids: [BACKEND], role_ids: [] } },
        { type: "put_user", user: { id: BOB, department_ids: [], role_ids: [] } },
        { type: "put_composite", composite: { id: HANDBOOK, member_slice_ids: [POLICIES] } },
      ]);
      const graph = canonical(await snapshotOf(f.adapter, ORG));
      expect(graph.owners).toEqual([OWNER, OWNER_B]);
      expect(graph.departments).toEqual([{ id: BACKEND, parent_id: null }]);
      expect(graph.composites).toEqual([{ id: HANDBOOK, member_slice_ids: [POLICIES] }]);
      expect(graph.users?.find((u) => u.id === ALICE)).toEqual({
        id: ALICE,
        department_ids: [BACKEND],
        role_ids: [],
      });
      expect(graph.users?.find((u) => u.id === BOB) ?? { id: BOB, department_ids: [], role_ids: [] }).toEqual({
        id: BOB,
        department_ids: [],
        role_ids: [],
      });
      // The stored directory drives a service's resolution.
      await f.adapter.commit(ORG, (await revisionOf(f.adapter, ORG)) ?? 0, [
        {
          type: "put_grant",
          grant: record("agrant_handbook", { entity_id: HANDBOOK, grantee_type: "department", grantee_id: BACKEND }),
        },
      ]);
      expect(entityIds(await f.ac.resolveAccess(ORG, OWNER_B, ALICE))).toEqual([HANDBOOK, POLICIES]);
    },
  );

  conformance(
    "adapter: records it returns, and objects given to commit, cannot be used to change what it stores",
    async (f) => {
      const owners = [OWNER];
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners }]);
      const grant = { ...record("agrant_safe01") };
      const user = { id: ALICE, department_ids: [ENG], role_ids: [OPS] };
      const composite = { id: HANDBOOK, member_slice_ids: [POLICIES] };
      const department = { id: BACKEND, parent_id: ENG };
      await f.adapter.commit(ORG, v1, [
        { type: "put_grant", grant },
        { type: "put_user", user },
        { type: "put_composite", composite },
        { type: "put_department", department },
      ]);
      const expectedGrant = copy(grant);
      const expectedGraph = canonical(await snapshotOf(f.adapter, ORG));
      // What went in.
      tamper(owners);
      tamper(grant);
      tamper(user);
      tamper(composite);
      tamper(department);
      // What came out.
      tamper(await f.adapter.getGrant(ORG, grant.id));
      tamper(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 }));
      tamper(await f.adapter.loadOrganization(ORG));
      expect(await f.adapter.getGrant(ORG, expectedGrant.id)).toEqual(expectedGrant);
      expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({
        items: [expectedGrant],
        total: 1,
      });
      expect(canonical(await snapshotOf(f.adapter, ORG))).toEqual(expectedGraph);
      // Through a service: what it answers cannot reach back into the storage either.
      const created = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "read", store(STORE)));
      const createdCopy = copy(created);
      tamper(created);
      tamper(await f.ac.getGrant(ORG, OWNER, createdCopy.id));
      tamper(await f.ac.listGrants(ORG, OWNER));
      tamper(await f.ac.exportOrganization(ORG, OWNER));
      expect(await f.adapter.getGrant(ORG, createdCopy.id)).toEqual(createdCopy);
      expect(await f.ac.getGrant(ORG, OWNER, createdCopy.id)).toEqual(createdCopy);
      expect(entityIds(await f.ac.resolveAccess(ORG, OWNER, BOB))).toEqual([STORE]);
    },
  );

  conformance(
    "adapter: watch reports a commit with the organization and its new version, and stops after unsubscribing",
    async (f) => {
      const events: [string, number][] = [];
      const stop = f.adapter.watch?.((organizationId, version) => events.push([organizationId, version]));
      if (!stop) throw new Error("conformance: watch returned no unsubscribe function");
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      const v2 = await f.adapter.commit(ORG, v1, [
        { type: "put_department", department: { id: ENG, parent_id: null } },
      ]);
      await eventually(() => {
        expect(events).toContainEqual([ORG, v1]);
        expect(events).toContainEqual([ORG, v2]);
      });
      const vb = await f.adapter.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER_B] }]);
      await eventually(() => expect(events).toContainEqual([ORG_B, vb]));
      stop();
      const seen = events.length;
      await f.adapter.commit(ORG, v2, [{ type: "put_department", department: { id: BACKEND, parent_id: ENG } }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(events.length).toBe(seen);
    },
    ["watch"],
  );
}
