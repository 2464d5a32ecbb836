/**
 * Storage conformance: two services on one adapter, and concurrent writers through one or many services.
 * @module
 */
import { expect } from "vitest";
import { sequentialIds } from "../test-kit.js";
import {
  ALICE,
  asAccessError,
  at,
  BOB,
  CAROL,
  type ConformanceSuite,
  canonical,
  ENG,
  entityIds,
  eventually,
  expectAccessError,
  grantTo,
  HOUR,
  ids,
  ORG,
  OWNER,
  OWNER_B,
  revisionOf,
  SLICE,
  STORE,
  slice,
  snapshotOf,
  store,
  T0,
} from "./support.js";

/** Registers this group's cases. */
export function registerConcurrencyCases({ conformance, organization }: ConformanceSuite): void {
  // ---------------------------------------------------------------- two services on one adapter

  conformance(
    "two services on one adapter: a write through one is visible through the other without it writing (watch)",
    async (f) => {
      const a = f.ac;
      const b = f.service({ ids: sequentialIds("agrant_other") });
      await organization(a);
      // b caches the organization before a writes.
      expect((await b.resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      await expectAccessError(() => b.listSliceGrants(ORG, BOB, SLICE), "INSUFFICIENT_PERMISSIONS");
      const grant = await a.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      await eventually(async () => expect(entityIds(await b.resolveAccess(ORG, ALICE, ALICE))).toEqual([SLICE]));
      await a.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
      await eventually(async () => expect((await b.listSliceGrants(ORG, BOB, SLICE)).total).toBe(2));
      await a.addDepartmentMember(ORG, OWNER, CAROL, ENG);
      await a.createGrant(ORG, OWNER, grantTo(ENG, "read", store(STORE)));
      await eventually(async () => expect(entityIds(await b.resolveAccess(ORG, CAROL, CAROL))).toEqual([STORE]));
      await a.revokeGrant(ORG, OWNER, grant.id);
      await eventually(async () => expect((await b.resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]));
      await a.setOwners(ORG, OWNER, [OWNER_B]);
      await eventually(() =>
        expectAccessError(() => b.listGrants(ORG, OWNER), "INSUFFICIENT_PERMISSIONS").then(() => {}),
      );
      expect((await b.listGrants(ORG, OWNER_B)).total).toBe(2);
    },
    ["watch"],
  );

  conformance(
    "two services on one adapter: a grant made through one can be updated and revoked through the other, which had already loaded the organization (watch)",
    async (f) => {
      const a = f.ac;
      const b = f.service({ ids: sequentialIds("agrant_other") });
      await organization(a);
      expect(await b.listGrants(ORG, OWNER)).toMatchObject({ total: 0 });
      const grant = await a.createGrant(ORG, OWNER, grantTo(ALICE, "read"));
      f.clock.advance(HOUR);
      expect(await b.updateGrant(ORG, OWNER, grant.id, { access_level: "admin" })).toEqual({
        ...grant,
        access_level: "admin",
        updated_at: at(60),
      });
      expect((await a.resolveAccess(ORG, ALICE, ALICE)).entities[0]?.access_level).toBe("admin");
      // ALICE's new admin level, granted through b, lets her act through a.
      const byAlice = await a.createGrant(ORG, ALICE, grantTo(BOB, "read"));
      await b.revokeGrant(ORG, ALICE, byAlice.id);
      expect((await a.resolveAccess(ORG, BOB, BOB)).entities).toEqual([]);
      await expectAccessError(() => a.revokeGrant(ORG, OWNER, byAlice.id), "RESOURCE_NOT_FOUND");
      // A re-grant through a of the pair b revoked is no conflict.
      expect((await a.createGrant(ORG, OWNER, grantTo(BOB, "write"))).access_level).toBe("write");
    },
    ["watch"],
  );

  conformance(
    "two services on one adapter: writes through a service that has not heard of the other's writes act on the stored state, not on its stale view",
    async (f) => {
      const a = f.ac;
      const b = f.service({ ids: sequentialIds("agrant_other") });
      await organization(a);
      await a.addDepartmentMember(ORG, OWNER, ALICE, ENG);
      // b loads the organization now; without watch it hears of a's later writes only through conflicts.
      expect((await b.listGrants(ORG, OWNER)).total).toBe(0);
      const grant = await a.createGrant(ORG, OWNER, grantTo(BOB, "read"));
      expect((await b.updateGrant(ORG, OWNER, grant.id, { access_level: "write" })).access_level).toBe("write");
      await b.revokeGrant(ORG, OWNER, grant.id);
      // a made the grant and b revoked it: a may grant the pair again.
      const again = await a.createGrant(ORG, OWNER, grantTo(BOB, "admin"));
      expect((await f.adapter.getGrant(ORG, grant.id))?.revoked_at).toBe(T0);
      expect(ids(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 }))).toEqual([again.id]);
      // a membership b still believes in, removed through a, is added back for real.
      await a.removeDepartmentMember(ORG, OWNER, ALICE, ENG);
      expect(await b.addDepartmentMember(ORG, OWNER, ALICE, ENG)).toEqual({
        id: ALICE,
        department_ids: [ENG],
        role_ids: [],
      });
      const stored = canonical(await snapshotOf(f.adapter, ORG));
      expect(stored.users?.find((u) => u.id === ALICE)?.department_ids).toEqual([ENG]);
      // a level b still believes in, changed through a, is set back for real.
      await a.updateGrant(ORG, OWNER, again.id, { access_level: "read" });
      expect((await b.updateGrant(ORG, OWNER, again.id, { access_level: "admin" })).access_level).toBe("admin");
      expect((await f.adapter.getGrant(ORG, again.id))?.access_level).toBe("admin");
      expect(entityIds(await f.service().resolveAccess(ORG, ALICE, ALICE))).toEqual([]);
    },
  );

  conformance(
    "two services on one adapter: a service with a stale view loses the version race, retries on fresh state, and both then agree",
    async (f) => {
      const a = f.ac;
      const b = f.service({ ids: sequentialIds("agrant_other") });
      await organization(a);
      expect((await b.resolveAccess(ORG, ALICE, ALICE)).entities).toEqual([]);
      const first = await a.createGrant(ORG, OWNER, grantTo(ALICE, "write"));
      // b may still hold the organization as it was: its write must not duplicate the pair.
      await expectAccessError(() => b.createGrant(ORG, OWNER, grantTo(ALICE, "read")), "RESOURCE_ALREADY_EXISTS", {
        grant_id: first.id,
      });
      const second = await b.createGrant(ORG, OWNER, grantTo(BOB, "read"));
      // (Its planning may have used up ids on the attempt that lost the race.)
      expect(second.id.startsWith("agrant_other")).toBe(true);
      // a's view may now be stale; its next write still lands on top of b's.
      const third = await a.createGrant(ORG, OWNER, grantTo(CAROL, "read"));
      for (const ac of [a, b, f.service()]) {
        expect(ids(await ac.listGrants(ORG, OWNER))).toEqual([first.id, third.id, second.id].sort());
        expect(await ac.getGrant(ORG, OWNER, second.id)).toEqual(second);
      }
      expect(entityIds(await f.service().resolveAccess(ORG, CAROL, CAROL))).toEqual([SLICE]);
      expect(entityIds(await f.service().resolveAccess(ORG, BOB, BOB))).toEqual([SLICE]);
      expect(((await snapshotOf(f.adapter, ORG)).grants ?? []).length).toBe(3);
    },
  );

  // ---------------------------------------------------------------- concurrency

  conformance(
    "50 concurrent creates of distinct grants through one service all land: total 50, every id readable",
    async (f) => {
      await organization(f.ac);
      const version = (await revisionOf(f.adapter, ORG)) ?? 0;
      const slices = Array.from({ length: 50 }, (_, i) => `kslice_c${String(i).padStart(2, "0")}`);
      const created = await Promise.all(
        slices.map((id) => f.ac.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(id)))),
      );
      expect(new Set(created.map((g) => g.id)).size).toBe(50);
      const listed = await f.ac.listGrants(ORG, OWNER, { limit: 100 });
      expect(listed.total).toBe(50);
      expect(new Set(ids(listed))).toEqual(new Set(created.map((g) => g.id)));
      for (const grant of created) expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
      expect((await revisionOf(f.adapter, ORG)) ?? 0).toBeGreaterThanOrEqual(version + 1);
      expect((await f.service().resolveAccess(ORG, ALICE, ALICE)).entities).toHaveLength(50);
    },
  );

  conformance(
    "50 concurrent creates of distinct grants through five services sharing the adapter all land, version conflicts being retried",
    async (f) => {
      await organization(f.ac);
      const version = (await revisionOf(f.adapter, ORG)) ?? 0;
      const writers = Array.from({ length: 5 }, (_, i) =>
        f.service({ ids: sequentialIds(`agrant_w${i}_`), maxAttempts: 50 }),
      );
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const writer = writers[i % 5] ?? f.ac;
          return writer.createGrant(ORG, OWNER, grantTo(ALICE, "read", slice(`kslice_c${String(i).padStart(2, "0")}`)));
        }),
      );
      expect(new Set(created.map((g) => g.id)).size).toBe(50);
      const listed = await f.ac.listGrants(ORG, OWNER, { limit: 100 });
      expect(listed.total).toBe(50);
      for (const grant of created) expect(await f.adapter.getGrant(ORG, grant.id)).toEqual(grant);
      // No write was lost: every one of them committed on top of the one before.
      expect((await revisionOf(f.adapter, ORG)) ?? 0).toBeGreaterThanOrEqual(version + 50);
      expect((await snapshotOf(f.adapter, ORG)).grants ?? []).toHaveLength(50);
      expect((await f.service().resolveAccess(ORG, ALICE, ALICE)).entities).toHaveLength(50);
    },
  );

  conformance(
    "20 concurrent creates of the same grant through one service: exactly one succeeds, 19 get RESOURCE_ALREADY_EXISTS, one grant is stored",
    async (f) => {
      await organization(f.ac);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => f.ac.createGrant(ORG, OWNER, grantTo(ALICE))),
      );
      const succeeded = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
      const codes = outcomes.flatMap((o) =>
        o.status === "rejected" ? [asAccessError(o.reason)?.code ?? String(o.reason)] : [],
      );
      expect(succeeded).toHaveLength(1);
      expect(codes).toEqual(Array.from({ length: 19 }, () => "RESOURCE_ALREADY_EXISTS"));
      const listed = await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 });
      expect(listed).toEqual({ items: succeeded, total: 1 });
    },
  );

  conformance(
    "20 concurrent creates of the same grant through twenty services sharing the adapter: exactly one succeeds, 19 get RESOURCE_ALREADY_EXISTS",
    async (f) => {
      await organization(f.ac);
      const writers = Array.from({ length: 20 }, (_, i) => f.service({ ids: sequentialIds(`agrant_w${i}_`) }));
      const outcomes = await Promise.allSettled(writers.map((w) => w.createGrant(ORG, OWNER, grantTo(ALICE, "write"))));
      const succeeded = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
      const codes = outcomes.flatMap((o) =>
        o.status === "rejected" ? [asAccessError(o.reason)?.code ?? String(o.reason)] : [],
      );
      expect(succeeded).toHaveLength(1);
      expect(codes).toEqual(Array.from({ length: 19 }, () => "RESOURCE_ALREADY_EXISTS"));
      expect(await f.adapter.listGrants(ORG, {}, { skip: 0, limit: 100 })).toEqual({ items: succeeded, total: 1 });
      expect((await snapshotOf(f.adapter, ORG)).grants ?? []).toHaveLength(1);
    },
  );
}
