/**
 * Storage conformance: the change log (docs/spec.md §8): every commit logged under its revision,
 * atomically, in order and without gaps; pages of whole commits; trimming and
 * `CHANGES_EXPIRED`; `commitLatest`; and, through the service, revisions, `minRevision`, and a
 * replica that follows the log to the same organization.
 * @module
 */
import { expect } from "vitest";
import { applyChanges, createGraph, graphToInput, resolveAccess } from "../../core/index.js";
import type { ChangePage, Commit, StorageAdapter, StorageChange } from "../../storage/storage-adapter.js";
import { sequentialIds } from "../test-kit.js";
import {
  ALICE,
  at,
  BACKEND,
  BOB,
  CAROL,
  type ConformanceSuite,
  canonical,
  ENG,
  expectAccessError,
  grantTo,
  HANDBOOK,
  OPS,
  ORG,
  ORG_B,
  OWNER,
  OWNER_B,
  PLATFORM,
  POLICIES,
  record,
  revisionOf,
  SLICE,
  STORE,
  STRANGER,
  snapshotOf,
  store,
} from "./support.js";

/** Every commit after `since`, read page by page (`limit` commits a page), and the pages themselves. */
async function readAll(
  adapter: StorageAdapter,
  organizationId: string,
  since: number,
  limit: number,
): Promise<{ commits: Commit[]; pages: ChangePage[] }> {
  const commits: Commit[] = [];
  const pages: ChangePage[] = [];
  let after = since;
  for (;;) {
    const page = await adapter.readChanges(organizationId, after, limit);
    if (!page) throw new Error(`conformance: ${organizationId} has no change log`);
    pages.push(page);
    commits.push(...page.items);
    if (!page.has_more) return { commits, pages };
    const last = page.items.at(-1);
    if (!last) throw new Error("conformance: a page with has_more and no items");
    after = last.revision;
  }
}

/** A plain copy of changes as JSON sees them (what a reader over HTTP gets). */
function plain(changes: readonly StorageChange[]): unknown {
  return JSON.parse(JSON.stringify(changes));
}

/** Registers this group's cases. */
export function registerChangeLogCases({ conformance, organization }: ConformanceSuite): void {
  conformance(
    "change log: each commit is logged under its revision with its changes in order and committed_at, oldest first",
    async (f) => {
      const batches: StorageChange[][] = [
        [{ type: "create_organization", owners: [OWNER] }],
        [
          { type: "put_department", department: { id: ENG, parent_id: null } },
          { type: "put_user", user: { id: ALICE, department_ids: [ENG], role_ids: [OPS] } },
          { type: "put_grant", grant: record("agrant_log01") },
        ],
        [{ type: "put_composite", composite: { id: HANDBOOK, member_slice_ids: [POLICIES] } }],
        [
          { type: "put_grant", grant: { ...record("agrant_log01"), updated_at: at(3), revoked_at: at(3) } },
          { type: "delete_department", department_id: ENG },
          { type: "set_owners", owners: [OWNER, OWNER_B] },
        ],
      ];
      let revision = 0;
      const revisions: number[] = [];
      for (const [index, batch] of batches.entries()) {
        revision = await f.adapter.commit(ORG, revision, batch, { committed_at: at(index) });
        revisions.push(revision);
      }
      expect(revisions).toEqual([1, 2, 3, 4]);
      const page = await f.adapter.readChanges(ORG, 0, 100);
      expect(page).toEqual({
        items: batches.map((changes, index) => ({ revision: index + 1, committed_at: at(index), changes })),
        revision: 4,
        has_more: false,
      });
      expect(JSON.parse(JSON.stringify(page))).toEqual({
        items: batches.map((changes, index) => ({
          revision: index + 1,
          committed_at: at(index),
          changes: plain(changes),
        })),
        revision: 4,
        has_more: false,
      });
      // Without committed_at, the adapter dates the commit itself, in the wire format.
      await f.adapter.commit(ORG, 4, [{ type: "set_owners", owners: [OWNER] }]);
      const last = (await f.adapter.readChanges(ORG, 4, 10))?.items[0];
      expect(last?.revision).toBe(5);
      expect(last?.committed_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    },
  );

  conformance(
    "change log: pages hold whole commits in revision order, has_more says whether more follow, and pages tile the log without gaps",
    async (f) => {
      let revision = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      for (let i = 1; i <= 7; i++) {
        // Commits of different sizes: one to seven grants each.
        const changes: StorageChange[] = Array.from({ length: i }, (_, j) => ({
          type: "put_grant",
          grant: record(`agrant_page${i}x${j}`, { grantee_id: `usr_page${i}x${j}` }),
        }));
        revision = await f.adapter.commit(ORG, revision, changes);
      }
      expect(revision).toBe(8);
      for (const limit of [1, 3, 8, 1000]) {
        const { commits, pages } = await readAll(f.adapter, ORG, 0, limit);
        expect(commits.map((commit) => commit.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(commits.map((commit) => commit.changes.length)).toEqual([1, 1, 2, 3, 4, 5, 6, 7]);
        for (const page of pages) {
          expect(page.revision).toBe(8);
          expect(page.items.length).toBeLessThanOrEqual(limit);
        }
        expect(pages.at(-1)?.has_more).toBe(false);
        expect(pages.slice(0, -1).every((page) => page.has_more && page.items.length === limit)).toBe(true);
      }
      expect((await f.adapter.readChanges(ORG, 5, 2))?.items.map((commit) => commit.revision)).toEqual([6, 7]);
      // At or past the current revision: no commits.
      expect(await f.adapter.readChanges(ORG, 8, 100)).toEqual({ items: [], revision: 8, has_more: false });
      expect(await f.adapter.readChanges(ORG, 20, 100)).toEqual({ items: [], revision: 8, has_more: false });
    },
  );

  conformance(
    "change log: a refused commit (a version conflict, or a batch the adapter cannot store) logs nothing",
    async (f) => {
      const v1 = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      const v2 = await f.adapter.commit(ORG, v1, [{ type: "put_grant", grant: record("agrant_kept") }]);
      await expectAccessError(
        () => f.adapter.commit(ORG, v1, [{ type: "put_grant", grant: record("agrant_lost", { grantee_id: BOB }) }]),
        "VERSION_CONFLICT",
      );
      let refused = false;
      try {
        await f.adapter.commit(ORG, v2, [
          { type: "put_grant", grant: record("agrant_half", { grantee_id: CAROL }) },
          { type: "no_such_change" } as unknown as StorageChange,
        ]);
      } catch {
        refused = true;
      }
      expect(refused).toBe(true);
      const page = await f.adapter.readChanges(ORG, 0, 100);
      expect(page?.items.map((commit) => commit.revision)).toEqual([1, 2]);
      expect(page?.revision).toBe(v2);
      expect(await f.adapter.getGrant(ORG, "agrant_half")).toBeNull();
      // The next commit takes the next revision: no gap where the refused ones would have been.
      expect(await f.adapter.commit(ORG, v2, [{ type: "set_owners", owners: [OWNER] }])).toBe(3);
      expect((await f.adapter.readChanges(ORG, 2, 100))?.items.map((commit) => commit.revision)).toEqual([3]);
    },
  );

  conformance(
    "change log: readChanges is null for an unknown organization, and each organization has its own log",
    async (f) => {
      expect(await f.adapter.readChanges(ORG, 0, 100)).toBeNull();
      await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      await f.adapter.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER_B] }]);
      await f.adapter.commit(ORG_B, 1, [{ type: "set_owners", owners: [OWNER_B, STRANGER] }]);
      expect((await f.adapter.readChanges(ORG, 0, 100))?.items.map((commit) => commit.changes)).toEqual([
        [{ type: "create_organization", owners: [OWNER] }],
      ]);
      expect((await f.adapter.readChanges(ORG_B, 0, 100))?.revision).toBe(2);
      expect(await f.adapter.readChanges("org_conformance_none", 0, 100)).toBeNull();
    },
  );

  conformance(
    "change log: trimChanges drops the oldest commits; since before them is CHANGES_EXPIRED with oldest_revision; the data stays",
    async (f) => {
      let revision = await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      for (let i = 1; i <= 4; i++) {
        revision = await f.adapter.commit(ORG, revision, [
          { type: "put_grant", grant: record(`agrant_trim${i}`, { grantee_id: `usr_trim${i}` }) },
        ]);
      }
      const before = canonical(await snapshotOf(f.adapter, ORG));
      expect(await f.adapter.trimChanges(ORG, 3)).toBe(4);
      for (const since of [0, 1, 2]) {
        const error = await expectAccessError(() => f.adapter.readChanges(ORG, since, 100), "CHANGES_EXPIRED", {
          oldest_revision: 4,
        });
        expect(error.status).toBe(410);
      }
      expect((await f.adapter.readChanges(ORG, 3, 100))?.items.map((commit) => commit.revision)).toEqual([4, 5]);
      // Trimming less than is already trimmed changes nothing; past the current revision is clamped.
      expect(await f.adapter.trimChanges(ORG, 1)).toBe(4);
      expect(await f.adapter.trimChanges(ORG, 99)).toBe(6);
      expect(await f.adapter.readChanges(ORG, 5, 100)).toEqual({ items: [], revision: 5, has_more: false });
      await expectAccessError(() => f.adapter.readChanges(ORG, 4, 100), "CHANGES_EXPIRED", { oldest_revision: 6 });
      expect(canonical(await snapshotOf(f.adapter, ORG))).toEqual(before);
      expect(await revisionOf(f.adapter, ORG)).toBe(5);
      // The log goes on from there.
      await f.adapter.commit(ORG, 5, [{ type: "set_owners", owners: [OWNER_B] }]);
      expect((await f.adapter.readChanges(ORG, 5, 100))?.items.map((commit) => commit.revision)).toEqual([6]);
      await expectAccessError(() => f.adapter.trimChanges("org_conformance_none", 1), "RESOURCE_NOT_FOUND");
    },
  );

  conformance(
    "change log: a replica built from a snapshot and fed the log page by page through applyChanges equals the stored organization",
    async (f) => {
      const ac = f.ac;
      await organization(ac);
      await ac.addDepartmentMember(ORG, OWNER, ALICE, BACKEND);
      await ac.createDepartment(ORG, OWNER, { id: ENG, parent_id: null });
      await ac.moveDepartment(ORG, OWNER, BACKEND, ENG);
      const start = await f.adapter.loadOrganization(ORG);
      if (!start) throw new Error("conformance: the organization was not stored");
      let replica = createGraph(start.graph);
      let replicaRevision = start.revision;
      // Every kind of change after the snapshot.
      await ac.addRoleMember(ORG, OWNER, BOB, OPS);
      await ac.createComposite(ORG, OWNER, { id: HANDBOOK, member_slice_ids: [POLICIES, SLICE] });
      const toEng = await ac.createGrant(
        ORG,
        OWNER,
        grantTo(ENG, "write", { entity_type: "knowledge_slice", entity_id: HANDBOOK }),
      );
      await ac.createGrant(ORG, OWNER, grantTo(OPS, "admin", store(STORE)));
      const toCarol = await ac.createGrant(ORG, OWNER, grantTo(CAROL, "read"));
      await ac.bulkCreateGrants(ORG, OWNER, {
        entity_type: "assistant",
        entity_id: "asst_bulk01",
        grants: [
          { grantee_type: "user", grantee_id: ALICE, access_level: "read" },
          { grantee_type: "role", grantee_id: OPS, access_level: "write" },
        ],
      });
      await ac.updateGrant(ORG, OWNER, toEng.id, { access_level: "admin" });
      await ac.revokeGrant(ORG, OWNER, toCarol.id);
      await ac.createDepartment(ORG, OWNER, { id: PLATFORM, parent_id: ENG });
      await ac.addDepartmentMember(ORG, OWNER, CAROL, PLATFORM);
      await ac.deleteDepartment(ORG, OWNER, BACKEND);
      await ac.setCompositeMembers(ORG, OWNER, HANDBOOK, [POLICIES]);
      await ac.removeRoleMember(ORG, OWNER, BOB, OPS);
      await ac.setOwners(ORG, OWNER, [OWNER, OWNER_B]);
      for (;;) {
        const page = await f.adapter.readChanges(ORG, replicaRevision, 3);
        if (!page) throw new Error("conformance: the log vanished");
        for (const commit of page.items) {
          expect(commit.revision).toBe(replicaRevision + 1);
          replica = applyChanges(replica, commit.changes);
          replicaRevision = commit.revision;
        }
        if (!page.has_more) break;
      }
      const stored = await f.adapter.loadOrganization(ORG);
      expect(replicaRevision).toBe(stored?.revision);
      expect(canonical(graphToInput(replica))).toEqual(canonical(stored?.graph ?? { organization_id: ORG }));
      const fresh = createGraph(stored?.graph ?? { organization_id: ORG });
      for (const user of [OWNER, ALICE, BOB, CAROL]) {
        expect(resolveAccess(replica, user, { at: new Date(at(0)) })).toEqual(
          resolveAccess(fresh, user, { at: new Date(at(0)) }),
        );
      }
    },
  );

  conformance(
    "change log: concurrent writes through five services leave every revision logged exactly once, each grant in exactly one commit",
    async (f) => {
      await organization(f.ac);
      const services = [f.ac, ...[1, 2, 3, 4].map((n) => f.service({ ids: sequentialIds(`agrant_svc${n}x`) }))];
      const made = await Promise.all(
        services.flatMap((ac, s) =>
          Array.from({ length: 8 }, (_, i) => ac.createGrant(ORG, OWNER, grantTo(`usr_w${s}x${i}`, "read"))),
        ),
      );
      const { commits } = await readAll(f.adapter, ORG, 0, 7);
      expect(commits.map((commit) => commit.revision)).toEqual(commits.map((_, index) => index + 1));
      const logged = commits.flatMap((commit) =>
        commit.changes.flatMap((change) => (change.type === "put_grant" ? [change.grant.id] : [])),
      );
      expect([...logged].sort()).toEqual(made.map((grant) => grant.id).sort());
      expect(await revisionOf(f.adapter, ORG)).toBe(commits.length);
    },
  );

  conformance(
    "commitLatest: the plan sees every commit after the known revision, its changes become the next revision, and a plan with no changes commits nothing",
    async (f) => {
      const commitLatest = f.adapter.commitLatest?.bind(f.adapter);
      if (!commitLatest) throw new Error("conformance: no commitLatest");
      const seen: number[][] = [];
      const v1 = await commitLatest(
        ORG,
        0,
        (missed) => {
          seen.push(missed.map((commit) => commit.revision));
          return [{ type: "create_organization", owners: [OWNER] }];
        },
        { committed_at: at(1) },
      );
      expect(v1).toBe(1);
      await f.adapter.commit(ORG, 1, [{ type: "put_grant", grant: record("agrant_other1") }]);
      await f.adapter.commit(ORG, 2, [{ type: "put_grant", grant: record("agrant_other2", { grantee_id: BOB }) }]);
      // A writer that knew revision 1 is shown commits 2 and 3, then lands on top of them.
      const v4 = await commitLatest(ORG, 1, (missed) => {
        seen.push(missed.map((commit) => commit.revision));
        expect(missed.flatMap((commit) => commit.changes)).toEqual([
          { type: "put_grant", grant: record("agrant_other1") },
          { type: "put_grant", grant: record("agrant_other2", { grantee_id: BOB }) },
        ]);
        return [{ type: "put_grant", grant: record("agrant_latest", { grantee_id: CAROL }) }];
      });
      expect(v4).toBe(4);
      expect((await f.adapter.getGrant(ORG, "agrant_latest"))?.grantee_id).toBe(CAROL);
      // Nothing to do: nothing committed, the current revision answered.
      const nothing = (missed: readonly Commit[]): StorageChange[] => {
        seen.push(missed.map((commit) => commit.revision));
        return [];
      };
      expect(await commitLatest(ORG, 4, nothing)).toBe(4);
      expect(await commitLatest(ORG, 2, nothing)).toBe(4);
      expect(seen).toEqual([[], [2, 3], [], [3, 4]]);
      const log = await f.adapter.readChanges(ORG, 0, 100);
      expect(log?.items.map((commit) => commit.revision)).toEqual([1, 2, 3, 4]);
      expect(log?.items[0]?.committed_at).toBe(at(1));
    },
    ["commitLatest"],
  );

  conformance(
    "commitLatest: a plan that throws commits nothing and its error comes back; a known revision the log no longer reaches is CHANGES_EXPIRED",
    async (f) => {
      const commitLatest = f.adapter.commitLatest?.bind(f.adapter);
      if (!commitLatest) throw new Error("conformance: no commitLatest");
      await f.adapter.commit(ORG, 0, [{ type: "create_organization", owners: [OWNER] }]);
      await f.adapter.commit(ORG, 1, [{ type: "put_grant", grant: record("agrant_base") }]);
      const planError = new Error("the plan refuses");
      let thrown: unknown;
      try {
        await commitLatest(ORG, 1, () => {
          throw planError;
        });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBe(planError);
      expect(await revisionOf(f.adapter, ORG)).toBe(2);
      await f.adapter.trimChanges(ORG, 2);
      await expectAccessError(
        () => commitLatest(ORG, 1, () => [{ type: "set_owners", owners: [STRANGER] }]),
        "CHANGES_EXPIRED",
      );
      expect((await snapshotOf(f.adapter, ORG)).owners).toEqual([OWNER]);
      // A writer that is current needs no log.
      expect(await commitLatest(ORG, 2, () => [{ type: "set_owners", owners: [OWNER_B] }])).toBe(3);
      // Creating an organization that exists already, as if it did not: the plan sees its whole log.
      await f.adapter.commit(ORG_B, 0, [{ type: "create_organization", owners: [OWNER_B] }]);
      const missedByCreator: number[] = [];
      await commitLatest(ORG_B, 0, (missed) => {
        missedByCreator.push(...missed.map((commit) => commit.revision));
        return [];
      });
      expect(missedByCreator).toEqual([1]);
    },
    ["commitLatest"],
  );

  conformance(
    "commitLatest: twenty services writing at once with maxAttempts 1 all land, none starved by VERSION_CONFLICT",
    async (f) => {
      await organization(f.ac);
      const services = Array.from({ length: 20 }, (_, n) =>
        f.service({ ids: sequentialIds(`agrant_race${n}x`), maxAttempts: 1 }),
      );
      // Every service holds the organization, then all write on the same (soon stale) revision.
      for (const ac of services) await ac.listGrants(ORG, OWNER);
      const made = await Promise.all(
        services.flatMap((ac, n) => [0, 1, 2].map((i) => ac.createGrant(ORG, OWNER, grantTo(`usr_r${n}x${i}`)))),
      );
      expect(made).toHaveLength(60);
      expect((await f.ac.listGrants(ORG, OWNER, { limit: 100 })).total).toBe(60);
      expect(await revisionOf(f.adapter, ORG)).toBe(61);
    },
    ["commitLatest"],
  );

  conformance(
    "service: every answer reports its revision, minRevision catches a service up without watch, and a minRevision beyond the current one is VALIDATION_ERROR",
    async (f) => {
      const a = f.ac;
      const b = f.service({ ids: sequentialIds("agrant_other") });
      const revisions: number[] = [];
      const onRevision = (revision: number) => revisions.push(revision);
      await a.createOrganization(ORG, { owners: [OWNER] }, { onRevision });
      expect((await b.resolveAccess(ORG, ALICE, ALICE, {}, { onRevision })).entities).toEqual([]);
      const grant = await a.createGrant(ORG, OWNER, grantTo(ALICE, "write"), { onRevision });
      expect(revisions).toEqual([1, 1, 2]);
      // b may not have heard of it yet; asked for revision 2, it reads the log first.
      const access = await b.resolveAccess(ORG, ALICE, ALICE, {}, { minRevision: 2, onRevision });
      expect(access.entities.map((entity) => entity.entity_id)).toEqual([SLICE]);
      expect(revisions.at(-1)).toBe(2);
      const held = await b.graph(ORG, { minRevision: 2 });
      expect(held.revision).toBe(2);
      expect(resolveAccess(held.graph, ALICE).entities[0]?.grant_paths[0]?.grant_id).toBe(grant.id);
      // A write that changes nothing reports the current revision.
      await a.updateGrant(ORG, OWNER, grant.id, { access_level: "write" }, { onRevision });
      expect(revisions.at(-1)).toBe(2);
      const beyond = await expectAccessError(
        () => b.getGrant(ORG, OWNER, grant.id, { minRevision: 3 }),
        "VALIDATION_ERROR",
        {
          field: "min_revision",
        },
      );
      expect(beyond.status).toBe(422);
      await expectAccessError(() => b.graph(ORG, { minRevision: -1 }), "VALIDATION_ERROR", { field: "min_revision" });
    },
  );

  conformance(
    "service: changes and snapshot are for owners; a replica from snapshot and changes answers as the organization does",
    async (f) => {
      const ac = f.ac;
      await organization(ac);
      await ac.addDepartmentMember(ORG, OWNER, ALICE, ENG);
      const snapshot = await ac.snapshot(ORG, OWNER);
      expect(snapshot.revision).toBe(2);
      expect(canonical(snapshot.graph)).toEqual(canonical(await snapshotOf(f.adapter, ORG)));
      await ac.createGrant(ORG, OWNER, grantTo(ENG, "write"));
      await ac.createGrant(ORG, OWNER, grantTo(ALICE, "admin", store(STORE)));
      const page = await ac.changes(ORG, OWNER, { since: snapshot.revision, limit: 1 });
      expect(page.items.map((commit) => commit.revision)).toEqual([3]);
      expect(page).toMatchObject({ revision: 4, has_more: true });
      const rest = await ac.changes(ORG, OWNER, { since: 3 });
      expect(rest).toMatchObject({ revision: 4, has_more: false });
      const replica = [...page.items, ...rest.items].reduce(
        (graph, commit) => applyChanges(graph, commit.changes),
        createGraph(snapshot.graph),
      );
      expect(resolveAccess(replica, ALICE, { at: new Date(at(0)) })).toEqual(await ac.resolveAccess(ORG, OWNER, ALICE));
      for (const stranger of [ALICE, STRANGER]) {
        await expectAccessError(() => ac.changes(ORG, stranger), "INSUFFICIENT_PERMISSIONS");
        await expectAccessError(() => ac.snapshot(ORG, stranger), "INSUFFICIENT_PERMISSIONS");
      }
      await expectAccessError(() => ac.changes(ORG, OWNER, { since: 5 }), "VALIDATION_ERROR", { field: "since" });
      await expectAccessError(() => ac.changes(ORG, OWNER, { limit: 1001 }), "VALIDATION_ERROR", { field: "limit" });
      await expectAccessError(() => ac.changes(ORG, OWNER, { limit: 0 }), "VALIDATION_ERROR", { field: "limit" });
      await expectAccessError(() => ac.changes("org_conformance_none", OWNER), "RESOURCE_NOT_FOUND");
      await f.adapter.trimChanges(ORG, 3);
      await expectAccessError(() => ac.changes(ORG, OWNER, { since: 2 }), "CHANGES_EXPIRED", { oldest_revision: 4 });
    },
  );
}
