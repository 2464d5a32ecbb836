/**
 * Storage conformance: resolution from the stored directory, expiry, and the directory writes.
 * @module
 */
import { expect } from "vitest";
import type { ResolvedAccess } from "../../core/index.js";
import {
  ALICE,
  ASSISTANT,
  assistant,
  at,
  BACKEND,
  BENEFITS,
  BOB,
  bulkItem,
  CAROL,
  type ConformanceSuite,
  canonical,
  ENG,
  entityIds,
  expectAccessError,
  grantTo,
  HANDBOOK,
  HOUR,
  ids,
  loose,
  OPS,
  ORG,
  ORG_B,
  OWNER,
  OWNER_B,
  PLATFORM,
  POLICIES,
  revisionOf,
  SLICE,
  SLICE_2,
  STORE,
  STRANGER,
  slice,
  snapshotOf,
  store,
} from "./support.js";

/** Registers this group's cases. */
export function registerResolutionAndDirectoryCases({ conformance, organization }: ConformanceSuite): void {
  // ---------------------------------------------------------------- resolution

  conformance(
    "resolveAccess gives direct, department (through an ancestor), role and composite paths from the stored directory",
    async (f) => {
      await organization(f.ac);
      await f.ac.createDepartment(ORG, OWNER, { id: BACKEND, parent_id: ENG });
      await f.ac.addDepartmentMember(ORG, OWNER, ALICE, BACKEND);
      await f.ac.addRoleMember(ORG, OWNER, ALICE, OPS);
      await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES] });
      const direct = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(SLICE)));
      const viaDepartment = await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "write", slice(SLICE)));
      const viaRole = await f.ac.createGrant(ORG, OWNER, grantTo(OPS, "admin", store(STORE)));
      const onComposite = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(HANDBOOK)));
      const none = { department_id: null, role_id: null, composite_id: null };
      const expected: ResolvedAccess = {
        user_id: ALICE,
        entities: [
          {
            ...slice(SLICE),
            access_level: "write",
            grant_paths: [
              { type: "direct", access_level: "read", ...none, grant_id: direct.id },
              { type: "department", access_level: "write", ...none, department_id: ENG, grant_id: viaDepartment.id },
            ],
          },
          {
            ...slice(HANDBOOK),
            access_level: "read",
            grant_paths: [{ type: "direct", access_level: "read", ...none, grant_id: onComposite.id }],
          },
          {
            ...slice(POLICIES),
            access_level: "read",
            grant_paths: [
              { type: "composite", access_level: "read", ...none, composite_id: HANDBOOK, grant_id: onComposite.id },
            ],
          },
          {
            ...store(STORE),
            access_level: "admin",
            grant_paths: [{ type: "role", access_level: "admin", ...none, role_id: OPS, grant_id: viaRole.id }],
          },
        ],
      };
      expect(await f.ac.resolveAccess(ORG, ALICE, ALICE)).toEqual(expected);
      // A service that loads everything from the storage resolves the same.
      const fresh = f.service();
      expect(await fresh.resolveAccess(ORG, OWNER, ALICE)).toEqual(expected);
      expect(await fresh.resolveAccess(ORG, ALICE, ALICE, { entityType: "vector_store" })).toEqual({
        user_id: ALICE,
        entities: expected.entities.filter((e) => e.entity_type === "vector_store"),
      });
    },
  );

  conformance(
    "resolveAccess is readable by the user and by owners only; a user no grant reaches resolves to no entities",
    async (f) => {
      await organization(f.ac);
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin"));
      expect(entityIds(await f.ac.resolveAccess(ORG, ALICE, ALICE))).toEqual([SLICE]);
      expect(entityIds(await f.ac.resolveAccess(ORG, OWNER, ALICE))).toEqual([SLICE]);
      await expectAccessError(() => f.ac.resolveAccess(ORG, BOB, ALICE), "INSUFFICIENT_PERMISSIONS");
      // Even admin on every entity ALICE reaches does not make one an owner.
      await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
      await expectAccessError(() => f.ac.resolveAccess(ORG, BOB, ALICE), "INSUFFICIENT_PERMISSIONS");
      expect(await f.ac.resolveAccess(ORG, STRANGER, STRANGER)).toEqual({ user_id: STRANGER, entities: [] });
      expect(await f.ac.resolveAccess(ORG, ALICE, ALICE, { entityType: "assistant" })).toEqual({
        user_id: ALICE,
        entities: [],
      });
      await expectAccessError(() => f.ac.resolveAccess(ORG, OWNER, "alice"), "VALIDATION_ERROR", {
        field: "user_id",
      });
      await expectAccessError(
        () => f.ac.resolveAccess(ORG, ALICE, ALICE, loose({ entityType: "slice" })),
        "VALIDATION_ERROR",
        {
          field: "entity_type",
        },
      );
      await expectAccessError(() => f.ac.resolveAccess(ORG_B, ALICE, ALICE), "RESOURCE_NOT_FOUND");
    },
  );

  conformance(
    "usersWithAccess lists every reached user sorted by user_id, for owners and entity admins only",
    async (f) => {
      await organization(f.ac);
      await f.ac.addDepartmentMember(ORG, OWNER, CAROL, ENG);
      await f.ac.addDepartmentMember(ORG, OWNER, ALICE, ENG);
      const viaDepartment = await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "read"));
      const direct = await f.ac.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
      const none = { department_id: null, role_id: null, composite_id: null };
      const departmentPath = {
        type: "department",
        access_level: "read",
        ...none,
        department_id: ENG,
        grant_id: viaDepartment.id,
      };
      const expected = {
        ...slice(SLICE),
        users: [
          { user_id: ALICE, access_level: "read", grant_paths: [departmentPath] },
          {
            user_id: BOB,
            access_level: "admin",
            grant_paths: [{ type: "direct", access_level: "admin", ...none, grant_id: direct.id }],
          },
          { user_id: CAROL, access_level: "read", grant_paths: [departmentPath] },
        ],
      };
      expect(await f.ac.usersWithAccess(ORG, OWNER, "knowledge_slice", SLICE)).toEqual(expected);
      expect(await f.service().usersWithAccess(ORG, BOB, "knowledge_slice", SLICE)).toEqual(expected);
      expect(await f.ac.usersWithAccess(ORG, OWNER, "knowledge_slice", SLICE_2)).toEqual({
        ...slice(SLICE_2),
        users: [],
      });
      await expectAccessError(
        () => f.ac.usersWithAccess(ORG, ALICE, "knowledge_slice", SLICE),
        "INSUFFICIENT_PERMISSIONS",
      );
      await expectAccessError(
        () => f.ac.usersWithAccess(ORG, STRANGER, "knowledge_slice", SLICE),
        "INSUFFICIENT_PERMISSIONS",
      );
      await expectAccessError(
        () => f.ac.usersWithAccess(ORG, OWNER, loose({ entity_type: "knowledge_slice" })),
        "VALIDATION_ERROR",
        {
          field: "entity_id",
        },
      );
      await expectAccessError(() => f.ac.usersWithAccess(ORG, OWNER, loose({ entity_id: SLICE })), "VALIDATION_ERROR", {
        field: "entity_type",
      });
      await expectAccessError(() => f.ac.usersWithAccess(ORG_B, OWNER, "knowledge_slice", SLICE), "RESOURCE_NOT_FOUND");
    },
  );

  // ---------------------------------------------------------------- expiry

  conformance(
    "an expired grant stops resolving once the clock reaches expires_at, and granting the pair again revokes it and succeeds",
    async (f) => {
      await organization(f.ac);
      const expiring = await f.ac.createGrant(ORG, OWNER, { ...grantTo(ALICE, "write"), expires_at: at(60) });
      f.clock.advance(HOUR - 1000);
      expect(entityIds(await f.ac.resolveAccess(ORG, ALICE, ALICE))).toEqual([SLICE]);
      f.clock.advance(1000);
      expect(await f.ac.resolveAccess(ORG, ALICE, ALICE)).toEqual({ user_id: ALICE, entities: [] });
      expect((await f.ac.usersWithAccess(ORG, OWNER, "knowledge_slice", SLICE)).users).toEqual([]);
      expect(await f.service().resolveAccess(ORG, ALICE, ALICE)).toEqual({ user_id: ALICE, entities: [] });
      const again = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
      expect(again.id).not.toBe(expiring.id);
      expect(again).toMatchObject({ created_at: at(60), access_level: "read" });
      expect(await f.adapter.getGrant(ORG, expiring.id)).toEqual({
        ...expiring,
        updated_at: at(60),
        revoked_at: at(60),
      });
      expect(ids(await f.ac.listGrants(ORG, OWNER))).toEqual([again.id]);
      expect((await f.service().resolveAccess(ORG, ALICE, ALICE)).entities).toMatchObject([
        { entity_id: SLICE, access_level: "read", grant_paths: [{ grant_id: again.id }] },
      ]);
    },
  );

  // ---------------------------------------------------------------- directory

  conformance(
    "department membership: adding lets department grants reach the user, removing takes them away, removing a missing membership is RESOURCE_NOT_FOUND",
    async (f) => {
      await organization(f.ac);
      await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "write"));
      expect(await f.ac.addDepartmentMember(ORG, OWNER, ALICE, ENG)).toEqual({
        id: ALICE,
        department_ids: [ENG],
        role_ids: [],
      });
      expect(entityIds(await f.service().resolveAccess(ORG, ALICE, ALICE))).toEqual([SLICE]);
      const version = await revisionOf(f.adapter, ORG);
      expect(await f.ac.addDepartmentMember(ORG, OWNER, ALICE, ENG)).toEqual({
        id: ALICE,
        department_ids: [ENG],
        role_ids: [],
      });
      expect(await revisionOf(f.adapter, ORG)).toBe(version);
      expect(await f.ac.removeDepartmentMember(ORG, OWNER, ALICE, ENG)).toEqual({
        id: ALICE,
        department_ids: [],
        role_ids: [],
      });
      expect((await f.ac.resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      expect((await f.service().resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      await expectAccessError(() => f.ac.removeDepartmentMember(ORG, OWNER, ALICE, ENG), "RESOURCE_NOT_FOUND", {
        user_id: ALICE,
        department_id: ENG,
      });
      await expectAccessError(() => f.ac.addDepartmentMember(ORG, OWNER, ALICE, "eng"), "VALIDATION_ERROR", {
        field: "department_id",
      });
      await expectAccessError(() => f.ac.addDepartmentMember(ORG, OWNER, "alice", ENG), "VALIDATION_ERROR", {
        field: "user_id",
      });
      await expectAccessError(() => f.ac.addDepartmentMember(ORG_B, OWNER, ALICE, ENG), "RESOURCE_NOT_FOUND");
    },
  );

  conformance(
    "role membership: adding lets role grants reach the user, removing takes them away, removing a role not held is RESOURCE_NOT_FOUND",
    async (f) => {
      await organization(f.ac);
      await f.ac.createGrant(ORG, OWNER, grantTo(OPS, "admin", assistant(ASSISTANT)));
      await f.ac.addDepartmentMember(ORG, OWNER, BOB, ENG);
      expect(await f.ac.addRoleMember(ORG, OWNER, BOB, OPS)).toEqual({
        id: BOB,
        department_ids: [ENG],
        role_ids: [OPS],
      });
      expect(await f.service().resolveAccess(ORG, BOB, BOB)).toMatchObject({
        entities: [{ ...assistant(ASSISTANT), access_level: "admin", grant_paths: [{ type: "role", role_id: OPS }] }],
      });
      // Holding admin through the role lets BOB manage the assistant's grants.
      expect((await f.ac.listAssistantGrants(ORG, BOB, ASSISTANT)).total).toBe(1);
      expect(await f.ac.removeRoleMember(ORG, OWNER, BOB, OPS)).toEqual({
        id: BOB,
        department_ids: [ENG],
        role_ids: [],
      });
      expect((await f.service().resolveAccess(ORG, BOB, BOB)).entities).toEqual([]);
      await expectAccessError(() => f.ac.listAssistantGrants(ORG, BOB, ASSISTANT), "INSUFFICIENT_PERMISSIONS");
      await expectAccessError(() => f.ac.removeRoleMember(ORG, OWNER, BOB, OPS), "RESOURCE_NOT_FOUND", {
        role_id: OPS,
      });
      await expectAccessError(() => f.ac.addRoleMember(ORG, OWNER, BOB, "ops"), "VALIDATION_ERROR", {
        field: "role_id",
      });
    },
  );

  conformance(
    "createDepartment, moveDepartment and deleteDepartment are stored, and grants follow the department forest as it changes",
    async (f) => {
      await organization(f.ac);
      expect(await f.ac.createDepartment(ORG, OWNER, { id: BACKEND, parent_id: ENG })).toEqual({
        id: BACKEND,
        parent_id: ENG,
      });
      expect(await f.ac.createDepartment(ORG, OWNER, { id: PLATFORM })).toEqual({ id: PLATFORM, parent_id: null });
      await f.ac.addDepartmentMember(ORG, OWNER, ALICE, BACKEND);
      await f.ac.createGrant(ORG, OWNER, grantTo(ENG, "read", slice(SLICE)));
      await f.ac.createGrant(ORG, OWNER, grantTo(PLATFORM, "write", store(STORE)));
      expect(entityIds(await f.service().resolveAccess(ORG, ALICE, ALICE))).toEqual([SLICE]);
      expect(await f.ac.moveDepartment(ORG, OWNER, BACKEND, PLATFORM)).toEqual({ id: BACKEND, parent_id: PLATFORM });
      expect(entityIds(await f.ac.resolveAccess(ORG, ALICE, ALICE))).toEqual([STORE]);
      expect(entityIds(await f.service().resolveAccess(ORG, ALICE, ALICE))).toEqual([STORE]);
      expect(canonical(await snapshotOf(f.adapter, ORG)).departments).toContainEqual({
        id: BACKEND,
        parent_id: PLATFORM,
      });
      expect(await f.ac.moveDepartment(ORG, OWNER, BACKEND, null)).toEqual({ id: BACKEND, parent_id: null });
      expect((await f.service().resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      await f.ac.moveDepartment(ORG, OWNER, BACKEND, ENG);
      await f.ac.createDepartment(ORG, OWNER, { id: "dept_api01", parent_id: BACKEND });
      await f.ac.addDepartmentMember(ORG, OWNER, BOB, "dept_api01");
      // Deleting BACKEND lifts dept_api01 to ENG (BOB keeps ENG's grant) and drops ALICE's membership.
      expect(await f.ac.deleteDepartment(ORG, OWNER, BACKEND)).toBeUndefined();
      const fresh = f.service();
      expect((await fresh.resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      expect(entityIds(await fresh.resolveAccess(ORG, BOB, BOB))).toEqual([SLICE]);
      const stored = canonical(await snapshotOf(f.adapter, ORG));
      expect(stored.departments).toContainEqual({ id: "dept_api01", parent_id: ENG });
      expect(stored.departments?.map((d) => d.id)).not.toContain(BACKEND);
      expect(stored.users?.find((u) => u.id === ALICE)?.department_ids ?? []).toEqual([]);
      expect(canonical(await fresh.exportOrganization(ORG, OWNER))).toEqual(
        canonical(await f.ac.exportOrganization(ORG, OWNER)),
      );
    },
  );

  conformance(
    "department errors: a cycle is INVALID_GRAPH, an unknown department RESOURCE_NOT_FOUND, a second declaration RESOURCE_ALREADY_EXISTS, deleting one that grants name VALIDATION_ERROR",
    async (f) => {
      await organization(f.ac);
      await f.ac.createDepartment(ORG, OWNER, { id: ENG });
      await f.ac.createDepartment(ORG, OWNER, { id: BACKEND, parent_id: ENG });
      await f.ac.createGrant(ORG, OWNER, grantTo(ENG));
      const version = await revisionOf(f.adapter, ORG);
      await expectAccessError(() => f.ac.moveDepartment(ORG, OWNER, ENG, BACKEND), "INVALID_GRAPH");
      await expectAccessError(() => f.ac.moveDepartment(ORG, OWNER, ENG, ENG), "INVALID_GRAPH");
      await expectAccessError(
        () => f.ac.createDepartment(ORG, OWNER, { id: ENG, parent_id: BACKEND }),
        "RESOURCE_ALREADY_EXISTS",
      );
      await expectAccessError(() => f.ac.moveDepartment(ORG, OWNER, "dept_nope", null), "RESOURCE_NOT_FOUND", {
        department_id: "dept_nope",
      });
      await expectAccessError(() => f.ac.deleteDepartment(ORG, OWNER, "dept_nope"), "RESOURCE_NOT_FOUND", {
        department_id: "dept_nope",
      });
      await expectAccessError(() => f.ac.deleteDepartment(ORG, OWNER, ENG), "VALIDATION_ERROR", {
        field: "department_id",
      });
      await expectAccessError(() => f.ac.createDepartment(ORG, OWNER, { id: "engineering" }), "VALIDATION_ERROR", {
        field: "id",
      });
      await expectAccessError(
        () => f.ac.createDepartment(ORG, OWNER, { id: PLATFORM, parent_id: "eng" }),
        "VALIDATION_ERROR",
        {
          field: "parent_id",
        },
      );
      expect(await revisionOf(f.adapter, ORG)).toBe(version);
      expect(canonical(await snapshotOf(f.adapter, ORG)).departments).toEqual([
        { id: BACKEND, parent_id: ENG },
        { id: ENG, parent_id: null },
      ]);
    },
  );

  conformance(
    "composites: createComposite and setCompositeMembers are stored and carry grants down; cycles are INVALID_GRAPH, duplicates RESOURCE_ALREADY_EXISTS, unknown composites RESOURCE_NOT_FOUND",
    async (f) => {
      await organization(f.ac);
      expect(await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES] })).toEqual({
        id: HANDBOOK,
        member_slice_ids: [POLICIES],
      });
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(HANDBOOK)));
      expect(entityIds(await f.service().resolveAccess(ORG, ALICE, ALICE))).toEqual([HANDBOOK, POLICIES]);
      expect(await f.ac.setCompositeMembers(ORG, OWNER, HANDBOOK, [BENEFITS])).toEqual({
        id: HANDBOOK,
        member_slice_ids: [BENEFITS],
      });
      expect(entityIds(await f.service().resolveAccess(ORG, ALICE, ALICE))).toEqual([BENEFITS, HANDBOOK]);
      const version = await revisionOf(f.adapter, ORG);
      await expectAccessError(
        () => f.ac.createComposite(ORG, OWNER, { id: BENEFITS, member_slice_ids: [HANDBOOK] }),
        "INVALID_GRAPH",
      );
      await expectAccessError(() => f.ac.setCompositeMembers(ORG, OWNER, HANDBOOK, [HANDBOOK]), "INVALID_GRAPH");
      await expectAccessError(
        () => f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [] }),
        "RESOURCE_ALREADY_EXISTS",
      );
      await expectAccessError(
        () => f.ac.setCompositeMembers(ORG, OWNER, "kslice_unknown", [POLICIES]),
        "RESOURCE_NOT_FOUND",
        {
          composite_id: "kslice_unknown",
        },
      );
      await expectAccessError(
        () => f.ac.createComposite(ORG, OWNER, { id: "kslice_x1", member_slice_ids: [STORE] }),
        "VALIDATION_ERROR",
        {
          field: "member_slice_ids[0]",
        },
      );
      expect(await revisionOf(f.adapter, ORG)).toBe(version);
      expect(canonical(await snapshotOf(f.adapter, ORG)).composites).toEqual([
        { id: HANDBOOK, member_slice_ids: [BENEFITS] },
      ]);
    },
  );

  conformance(
    "directory writes are for owners only: strangers and entity admins get INSUFFICIENT_PERMISSIONS and nothing changes",
    async (f) => {
      await organization(f.ac);
      await f.ac.createDepartment(ORG, OWNER, { id: ENG });
      await f.ac.addDepartmentMember(ORG, OWNER, BOB, ENG);
      await f.ac.addRoleMember(ORG, OWNER, BOB, OPS);
      await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES] });
      await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", slice(HANDBOOK)));
      const before = await snapshotOf(f.adapter, ORG);
      const version = await revisionOf(f.adapter, ORG);
      for (const actor of [STRANGER, ALICE]) {
        const writes: (() => Promise<unknown>)[] = [
          () => f.ac.addDepartmentMember(ORG, actor, ALICE, ENG),
          () => f.ac.removeDepartmentMember(ORG, actor, BOB, ENG),
          () => f.ac.addRoleMember(ORG, actor, ALICE, OPS),
          () => f.ac.removeRoleMember(ORG, actor, BOB, OPS),
          () => f.ac.createDepartment(ORG, actor, { id: PLATFORM }),
          () => f.ac.moveDepartment(ORG, actor, ENG, PLATFORM),
          () => f.ac.deleteDepartment(ORG, actor, ENG),
          () => f.ac.createComposite(ORG, actor, { id: "kslice_new01", member_slice_ids: [] }),
          () => f.ac.setCompositeMembers(ORG, actor, HANDBOOK, []),
          () => f.ac.setOwners(ORG, actor, [actor]),
          () => f.ac.exportOrganization(ORG, actor),
        ];
        for (const write of writes) await expectAccessError(write, "INSUFFICIENT_PERMISSIONS");
      }
      expect(await revisionOf(f.adapter, ORG)).toBe(version);
      expect(canonical(await snapshotOf(f.adapter, ORG))).toEqual(canonical(before));
    },
  );

  conformance(
    "a fresh service over the same adapter sees everything written, so no state lives only in a service's cache",
    async (f) => {
      await organization(f.ac, ORG, [OWNER, OWNER_B]);
      await f.ac.createDepartment(ORG, OWNER, { id: BACKEND, parent_id: ENG });
      await f.ac.addDepartmentMember(ORG, OWNER, ALICE, BACKEND);
      await f.ac.addRoleMember(ORG, OWNER, BOB, OPS);
      await f.ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES, BENEFITS] });
      await f.ac.bulkCreateGrants(ORG, OWNER, {
        ...slice(HANDBOOK),
        grants: [bulkItem(ENG), bulkItem(OPS, "write")],
      });
      const updated = await f.ac.createGrant(ORG, OWNER, grantTo(CAROL, "read", store(STORE)));
      f.clock.advance(HOUR);
      await f.ac.updateGrant(ORG, OWNER, updated.id, { access_level: "admin" });
      const revoked = await f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", assistant(ASSISTANT)));
      await f.ac.revokeGrant(ORG, OWNER, revoked.id);
      await f.ac.setOwners(ORG, OWNER, [OWNER]);
      const fresh = f.service();
      expect(canonical(await fresh.exportOrganization(ORG, OWNER))).toEqual(
        canonical(await f.ac.exportOrganization(ORG, OWNER)),
      );
      expect(await fresh.listGrants(ORG, OWNER, { limit: 100 })).toEqual(
        await f.ac.listGrants(ORG, OWNER, { limit: 100 }),
      );
      for (const user of [ALICE, BOB, CAROL]) {
        expect(await fresh.resolveAccess(ORG, OWNER, user)).toEqual(await f.ac.resolveAccess(ORG, OWNER, user));
      }
      await expectAccessError(() => fresh.listGrants(ORG, OWNER_B), "INSUFFICIENT_PERMISSIONS");
      expect((await fresh.getGrant(ORG, OWNER, revoked.id)).revoked_at).toBe(at(60));
    },
  );
}
