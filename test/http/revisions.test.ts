/**
 * Revisions over HTTP (docs/spec.md §8): the `Grantpath-Revision` header on every 2xx answer,
 * `min_revision` on every read (one instance and two over one storage), the change log and the
 * snapshot (owners only, paging, bounds, 410 after a trim, a replica that resolves as the server
 * does), and 503 `STORAGE_UNAVAILABLE` with `Retry-After`. The request helper checks every answer
 * against the OpenAPI document, headers included.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROUTES } from "../../src/http/routes.js";
import {
  type AccessControl,
  AccessError,
  applyChanges,
  type ChangePage,
  createAccessControl,
  createGraph,
  createHttpHandler,
  graphToInput,
  type ListGrantsQuery,
  memoryStorage,
  resolveAccess,
  type SnapshotAnswer,
  type StorageAdapter,
} from "../../src/index.js";
import {
  type Api,
  type ApiResponse,
  ASSISTANT,
  authenticate,
  type Caller,
  COMPOSITE,
  createApi,
  createRequest,
  DEPT,
  ENTITY_ADMIN,
  expectError,
  expectValidationError,
  fixtureOrganizations,
  NEW_ID,
  NOW,
  ORG,
  ORG_PATH,
  OWNER,
  READER,
  ROLE_SLICE,
  SEED_USER,
  SLICE,
  STORE,
  STRANGER,
  TOKENS,
} from "./support.js";

const GRANTS = `${ORG_PATH}/access/grants`;
const CHANGES = `${ORG_PATH}/access/changes`;
const SNAPSHOT = `${ORG_PATH}/access/snapshot`;
const NEW_USER = "usr_new001";
const CREATE = {
  entity_type: "knowledge_slice",
  entity_id: SLICE,
  grantee_type: "user",
  grantee_id: NEW_USER,
  access_level: "read",
} as const;

/** One request per read route (every GET of routes.ts), answering 200 in the fixture. */
const READS: readonly { readonly template: string; readonly path: string }[] = [
  { template: "/access/grants", path: GRANTS },
  { template: "/access/grants/{grant_id}", path: `${GRANTS}/agrant_reader01` },
  { template: "/knowledge/slices/{slice_id}/grants", path: `${ORG_PATH}/knowledge/slices/${SLICE}/grants` },
  { template: "/vector-stores/{store_id}/grants", path: `${ORG_PATH}/vector-stores/${STORE}/grants` },
  { template: "/assistants/{assistant_id}/grants", path: `${ORG_PATH}/assistants/${ASSISTANT}/grants` },
  { template: "/users/{user_id}/resolved-access", path: `${ORG_PATH}/users/${SEED_USER}/resolved-access` },
  {
    template: "/access/users-with-access",
    path: `${ORG_PATH}/access/users-with-access?entity_type=knowledge_slice&entity_id=${SLICE}`,
  },
  // The fixture is seeded at revision 1 with an empty log: changes since 1 are readable.
  { template: "/access/changes", path: `${CHANGES}?since=1` },
  { template: "/access/snapshot", path: SNAPSHOT },
];

/** `path` with one more query parameter. */
function withQuery(path: string, name: string, value: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(value)}`;
}

/** The `Grantpath-Revision` of an answer, as a number (`NaN` when absent). */
function revisionOf(response: { readonly headers: Headers }): number {
  return Number(response.headers.get("grantpath-revision") ?? Number.NaN);
}

async function currentRevision(accessControl: AccessControl, org = ORG): Promise<number> {
  return (await accessControl.graph(org)).revision;
}

/**
 * `storage` with `guard` run before every call (it may throw instead), and with `watch` only when
 * asked: an instance without it hears of other instances' commits only when it reads the log.
 */
function wrapStorage(storage: StorageAdapter, guard: () => void, options: { readonly watch: boolean }): StorageAdapter {
  const guarded =
    <A extends unknown[], R>(call: (...args: A) => R) =>
    (...args: A): R => {
      guard();
      return call(...args);
    };
  const { commitLatest, watch } = storage;
  return {
    name: `${storage.name} (wrapped)`,
    loadOrganization: guarded((org) => storage.loadOrganization(org)),
    commit: guarded((org, expected, changes, commitOptions) => storage.commit(org, expected, changes, commitOptions)),
    ...(commitLatest === undefined ? {} : { commitLatest: guarded((...args) => commitLatest.apply(storage, args)) }),
    readChanges: guarded((org, since, limit) => storage.readChanges(org, since, limit)),
    trimChanges: guarded((org, through) => storage.trimChanges(org, through)),
    getGrant: guarded((org, id) => storage.getGrant(org, id)),
    listGrants: guarded((org, filter, page) => storage.listGrants(org, filter, page)),
    ...(options.watch && watch !== undefined ? { watch: (listener) => watch.call(storage, listener) } : {}),
  };
}

let api: Api;

beforeEach(() => {
  api = createApi();
});

afterEach(() => {
  expect(api.unexpected).toEqual([]);
});

describe("Grantpath-Revision", () => {
  it("is tested on every read route", () => {
    const gets = ROUTES.filter((route) => route.method === "GET").map((route) => `/${route.pattern.join("/")}`);
    expect(READS.map((read) => read.template).sort()).toEqual(gets.sort());
  });

  it("carries the revision on every kind of 2xx answer: 200 reads, 201 creates, 200 updates, 204 revokes", async () => {
    for (const read of READS) {
      const res = await api.request(read.path);
      expect(res.status, read.path).toBe(200);
      expect(revisionOf(res), read.path).toBe(1);
    }
    const created = await api.request(GRANTS, { method: "POST", json: CREATE });
    expect(created.status).toBe(201);
    expect(revisionOf(created)).toBe(await currentRevision(api.accessControl));
    const bulk = await api.request(`${GRANTS}/bulk`, {
      method: "POST",
      json: {
        entity_type: "vector_store",
        entity_id: STORE,
        grants: [{ grantee_type: "user", grantee_id: NEW_USER, access_level: "write" }],
      },
    });
    expect(bulk.status).toBe(201);
    expect(revisionOf(bulk)).toBe(await currentRevision(api.accessControl));
    const updated = await api.request(`${GRANTS}/${NEW_ID(1)}`, { method: "PATCH", json: { access_level: "admin" } });
    expect(updated.status).toBe(200);
    expect(revisionOf(updated)).toBe(await currentRevision(api.accessControl));
    const revoked = await api.request(`${GRANTS}/${NEW_ID(1)}`, { method: "DELETE" });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe("");
    expect(revisionOf(revoked)).toBe(await currentRevision(api.accessControl));
    expect(revisionOf(revoked)).toBe(5);
    for (const read of READS) {
      expect(revisionOf(await api.request(read.path)), read.path).toBe(5);
    }
  });

  it("carries it on HEAD answers, as GET's", async () => {
    await api.request(GRANTS, { method: "POST", json: CREATE });
    for (const read of READS) {
      const response = await api.handler(
        new Request(`http://localhost${read.path}`, {
          method: "HEAD",
          headers: { authorization: `Bearer ${TOKENS.owner}` },
        }),
      );
      expect(response.status, read.path).toBe(200);
      expect(await response.text()).toBe("");
      expect(revisionOf(response), read.path).toBe(2);
    }
  });

  it("grows by one per committed write and stays for a write that changes nothing", async () => {
    const created = await api.request(GRANTS, { method: "POST", json: CREATE });
    expect(revisionOf(created)).toBe(2);
    const same = await api.request(`${GRANTS}/${NEW_ID(1)}`, { method: "PATCH", json: { access_level: "read" } });
    expect(same.status).toBe(200);
    expect(revisionOf(same)).toBe(2);
    expect(await currentRevision(api.accessControl)).toBe(2);
    const changed = await api.request(`${GRANTS}/${NEW_ID(1)}`, { method: "PATCH", json: { access_level: "write" } });
    expect(revisionOf(changed)).toBe(3);
    expect(revisionOf(await api.request(`${GRANTS}/${NEW_ID(1)}`, { method: "DELETE" }))).toBe(4);
    expect(revisionOf(await api.request(`${GRANTS}/${NEW_ID(1)}`))).toBe(4);
  });

  it("is absent from errors, and a failed write leaves the revision where it was", async () => {
    const conflict = await api.request(GRANTS, { method: "POST", json: { ...CREATE, grantee_id: SEED_USER } });
    expectError(conflict, 409, "RESOURCE_ALREADY_EXISTS");
    const forbidden = await api.request(GRANTS, { as: "stranger" });
    expectError(forbidden, 403, "INSUFFICIENT_PERMISSIONS");
    const missing = await api.request(`${GRANTS}/agrant_nope`, { method: "DELETE" });
    expectError(missing, 404, "RESOURCE_NOT_FOUND");
    for (const res of [conflict, forbidden, missing]) expect(res.headers.get("grantpath-revision")).toBeNull();
    expect(await currentRevision(api.accessControl)).toBe(1);
  });
});

describe("min_revision", () => {
  it.each(READS.map((read) => [read.template, read.path] as const))(
    "GET %s answers from min_revision or later: the current revision, 0, an older one",
    async (_template, path) => {
      await api.request(GRANTS, { method: "POST", json: CREATE });
      const plain = await api.request(path);
      for (const minRevision of ["2", "0", "1", "002"]) {
        const res = await api.request(withQuery(path, "min_revision", minRevision));
        expect(res.status, minRevision).toBe(200);
        expect(revisionOf(res)).toBe(2);
        expect(res.body).toEqual(plain.body);
      }
    },
  );

  it.each(READS.map((read) => [read.template, read.path] as const))(
    "GET %s: a malformed min_revision, or one beyond the current revision, is a 422 naming min_revision",
    async (_template, path) => {
      for (const bad of ["abc", "-1", "1.5", "", "1e3", "0x10", " 1", "99999999999999999999"]) {
        expectValidationError(await api.request(withQuery(path, "min_revision", bad)), "min_revision");
      }
      expectValidationError(
        await api.request(`${withQuery(path, "min_revision", "1")}&min_revision=1`),
        "min_revision",
      );
      const beyond = expectValidationError(await api.request(withQuery(path, "min_revision", "2")), "min_revision");
      expect(beyond.message).toMatch(/beyond the organization's current revision 1/);
      // Credentials come first, as for any parameter.
      expectError(
        await api.request(withQuery(path, "min_revision", "abc"), { as: null }),
        401,
        "AUTHENTICATION_REQUIRED",
      );
    },
  );

  it("is taken out of the query and given to the service as minRevision", async () => {
    const seen: { query: unknown; minRevision: unknown; reports: boolean }[] = [];
    api = createApi({
      wrapAccessControl: (real) => ({
        ...real,
        listGrants: (org, actor, query, options) => {
          seen.push({ query, minRevision: options?.minRevision, reports: typeof options?.onRevision === "function" });
          return real.listGrants(org, actor, query as ListGrantsQuery, options);
        },
        changes: (org, actor, query, options) => {
          seen.push({ query, minRevision: options?.minRevision, reports: typeof options?.onRevision === "function" });
          return real.changes(org, actor, query, options);
        },
      }),
    });
    expect((await api.request(`${GRANTS}?limit=5&min_revision=1`)).status).toBe(200);
    expect((await api.request(`${CHANGES}?since=1&min_revision=0`)).status).toBe(200);
    expect((await api.request(`${GRANTS}?limit=5`)).status).toBe(200);
    expect(seen).toEqual([
      { query: { limit: 5 }, minRevision: 1, reports: true },
      { query: { since: 1 }, minRevision: 0, reports: true },
      { query: { limit: 5 }, minRevision: undefined, reports: true },
    ]);
  });

  it("lets a read on a second instance over the same storage reflect the first one's write", async () => {
    const storage = memoryStorage({ initial: fixtureOrganizations() });
    const first = createApi({ storage });
    // The second instance does not watch the storage: only min_revision makes it read the log.
    const second = createApi({ storage: wrapStorage(storage, () => {}, { watch: false }) });
    const access = `${ORG_PATH}/users/${NEW_USER}/resolved-access`;
    expect(revisionOf(await second.request(access))).toBe(1); // the second instance holds revision 1

    const created = await first.request(GRANTS, { method: "POST", json: CREATE });
    expect(created.status).toBe(201);
    const written = revisionOf(created);
    expect(written).toBe(2);

    const stale = await second.request(access);
    expect(revisionOf(stale)).toBe(1);
    expect(stale.body).toEqual({ user_id: NEW_USER, entities: [] });

    const fresh = await second.request(withQuery(access, "min_revision", String(written)));
    expect(fresh.status).toBe(200);
    expect(revisionOf(fresh)).toBeGreaterThanOrEqual(written);
    expect(fresh.body).toMatchObject({
      user_id: NEW_USER,
      entities: [{ entity_type: "knowledge_slice", entity_id: SLICE, access_level: "read" }],
    });
    const beyond = await second.request(withQuery(access, "min_revision", String(written + 1)));
    expectValidationError(beyond, "min_revision");
    expect(first.unexpected).toEqual([]);
    expect(second.unexpected).toEqual([]);
  });
});

describe("GET /access/changes and GET /access/snapshot", () => {
  it.each<Caller>(["admin", "reader", "stranger", "otherOwner", "seedUser"])(
    "are for owners only: %s gets 403",
    async (caller) => {
      for (const path of [`${CHANGES}?since=1`, SNAPSHOT]) {
        expectError(await api.request(path, { as: caller }), 403, "INSUFFICIENT_PERMISSIONS");
      }
    },
  );

  it("answer 401 without credentials and 404 for an unknown organization", async () => {
    for (const path of [`${CHANGES}?since=1`, SNAPSHOT]) {
      expectError(await api.request(path, { as: null }), 401, "AUTHENTICATION_REQUIRED");
      const elsewhere = path.replace(ORG, "org_nobody");
      expectError(await api.request(elsewhere), 404, "RESOURCE_NOT_FOUND");
    }
  });

  it("answer the commits after since, oldest first, with the current revision", async () => {
    const created = await api.request(GRANTS, { method: "POST", json: CREATE });
    const updated = await api.request(`${GRANTS}/${NEW_ID(1)}`, { method: "PATCH", json: { access_level: "write" } });
    await api.request(`${GRANTS}/${NEW_ID(1)}`, { method: "DELETE" });
    const res = await api.request(`${CHANGES}?since=1`);
    expect(res.status).toBe(200);
    expect(revisionOf(res)).toBe(4);
    const page = res.body as ChangePage;
    expect(page.revision).toBe(4);
    expect(page.has_more).toBe(false);
    expect(page.items.map((commit) => [commit.revision, commit.committed_at])).toEqual([
      [2, NOW],
      [3, NOW],
      [4, NOW],
    ]);
    expect(page.items[0]?.changes).toEqual([{ type: "put_grant", grant: created.body }]);
    expect(page.items[1]?.changes).toEqual([{ type: "put_grant", grant: updated.body }]);
    expect(page.items[2]?.changes).toEqual([
      { type: "put_grant", grant: { ...(updated.body as object), updated_at: NOW, revoked_at: NOW } },
    ]);
    const later = await api.request(`${CHANGES}?since=4`);
    expect(later.body).toEqual({ items: [], revision: 4, has_more: false });
  });

  it("page with since and limit (default 100, 1–1000), never splitting a commit", async () => {
    for (let i = 0; i < 101; i++) {
      await api.accessControl.createGrant(ORG, OWNER, { ...CREATE, grantee_id: `usr_many${i}` });
    }
    const first = (await api.request(`${CHANGES}?since=1`)).body as ChangePage;
    expect(first.items.length).toBe(100);
    expect(first.has_more).toBe(true);
    const rest = (await api.request(`${CHANGES}?since=101`)).body as ChangePage;
    expect(rest.items.map((commit) => commit.revision)).toEqual([102]);
    expect(rest.has_more).toBe(false);
    expect(((await api.request(`${CHANGES}?since=1&limit=1000`)).body as ChangePage).items.length).toBe(101);

    const revisions: number[] = [];
    for (let since = 1; ; ) {
      const page = (await api.request(`${CHANGES}?since=${since}&limit=7`)).body as ChangePage;
      expect(page.items.length).toBeLessThanOrEqual(7);
      for (const commit of page.items) revisions.push(commit.revision);
      if (!page.has_more) break;
      since = page.items.at(-1)?.revision ?? Number.NaN;
    }
    expect(revisions).toEqual(Array.from({ length: 101 }, (_, i) => i + 2));

    for (const bad of ["0", "1001", "-1", "x", "1.5"]) {
      expectValidationError(await api.request(`${CHANGES}?since=1&limit=${bad}`), "limit");
    }
    for (const bad of ["-1", "x", "103"]) expectValidationError(await api.request(`${CHANGES}?since=${bad}`), "since");
    expectValidationError(await api.request(`${CHANGES}?since=1&min_revision=103`), "min_revision");
  });

  it("answer 410 CHANGES_EXPIRED with details.oldest_revision once the log no longer reaches back to since", async () => {
    // A seeded organization's log starts after its seed: readers since 0 start from the snapshot.
    const seeded = expectError(await api.request(CHANGES), 410, "CHANGES_EXPIRED");
    expect(seeded.details.oldest_revision).toBe(2);
    for (let i = 0; i < 4; i++) {
      await api.request(GRANTS, { method: "POST", json: { ...CREATE, grantee_id: `usr_trim${i}` } });
    }
    await api.storage.trimChanges(ORG, 3);
    const expired = expectError(await api.request(`${CHANGES}?since=2&limit=10`), 410, "CHANGES_EXPIRED");
    expect(expired.details).toMatchObject({ oldest_revision: 4, since: 2 });
    const still = await api.request(`${CHANGES}?since=3`);
    expect((still.body as ChangePage).items.map((commit) => commit.revision)).toEqual([4, 5]);
  });

  it("start a new organization's log with create_organization at revision 1", async () => {
    await api.accessControl.createOrganization("org_fresh01", { owners: [OWNER] });
    const res = await api.request("/v1/organizations/org_fresh01/access/changes");
    expect(res.status).toBe(200);
    expect(revisionOf(res)).toBe(1);
    expect((res.body as ChangePage).items).toEqual([
      { revision: 1, committed_at: NOW, changes: [{ type: "create_organization", owners: [OWNER] }] },
    ]);
  });

  it("answer the snapshot: the organization's graph and the revision it reflects", async () => {
    const before = await api.request(SNAPSHOT);
    expect(before.body).toEqual({ revision: 1, graph: await api.accessControl.exportOrganization(ORG, OWNER) });
    expect(revisionOf(before)).toBe(1);
    const created = await api.request(GRANTS, { method: "POST", json: CREATE });
    const after = (await api.request(SNAPSHOT)).body as SnapshotAnswer;
    expect(after.revision).toBe(revisionOf(created));
    expect(after.graph.grants?.map((grant) => grant.id)).toContain(NEW_ID(1));
    expect(after.graph).toEqual(await api.accessControl.exportOrganization(ORG, OWNER));
  });

  it("let a replica built from the snapshot and fed every page resolve as the server does", async () => {
    const start = (await api.request(SNAPSHOT)).body as SnapshotAnswer;
    let replica = createGraph(start.graph);

    // Writes of every kind the log records: grants through HTTP, the directory through the service.
    await api.request(GRANTS, {
      method: "POST",
      json: { ...CREATE, grantee_type: "department", grantee_id: "dept_ops01" },
    });
    await api.request(`${GRANTS}/bulk`, {
      method: "POST",
      json: {
        entity_type: "assistant",
        entity_id: ASSISTANT,
        grants: [
          { grantee_type: "user", grantee_id: NEW_USER, access_level: "write", expires_at: "2025-06-15T11:00:00Z" },
          { grantee_type: "role", grantee_id: "role_ops01", access_level: "read" },
        ],
      },
    });
    await api.request(`${GRANTS}/agrant_seed02`, { method: "PATCH", json: { access_level: "admin" } });
    await api.request(`${GRANTS}/agrant_reader01`, { method: "DELETE" });
    const ac = api.accessControl;
    await ac.setOwners(ORG, OWNER, [OWNER, "usr_owner3"]);
    await ac.createDepartment(ORG, OWNER, { id: "dept_ops01", parent_id: DEPT });
    await ac.createDepartment(ORG, OWNER, { id: "dept_gone01", parent_id: "dept_ops01" });
    await ac.addDepartmentMember(ORG, OWNER, NEW_USER, "dept_gone01");
    await ac.addRoleMember(ORG, OWNER, READER, "role_ops01");
    await ac.moveDepartment(ORG, OWNER, "dept_ops01", null);
    await ac.deleteDepartment(ORG, OWNER, "dept_gone01");
    await ac.createComposite(ORG, OWNER, { id: "kslice_bundle01", member_slice_ids: [COMPOSITE, ROLE_SLICE] });
    await ac.setCompositeMembers(ORG, OWNER, COMPOSITE, [SLICE, "kslice_extra01"]);
    const current = await currentRevision(ac);

    const kinds = new Set<string>();
    let since = start.revision;
    for (;;) {
      const res = await api.request(`${CHANGES}?since=${since}&limit=2`);
      const page = res.body as ChangePage;
      expect(revisionOf(res)).toBe(current);
      for (const commit of page.items) {
        expect(commit.revision).toBe(since + 1);
        for (const change of commit.changes) kinds.add(change.type);
        replica = applyChanges(replica, commit.changes);
        since = commit.revision;
      }
      if (!page.has_more) break;
    }
    expect(since).toBe(current);
    expect([...kinds].sort()).toEqual([
      "delete_department",
      "put_composite",
      "put_department",
      "put_grant",
      "put_user",
      "set_owners",
    ]);

    for (const user of [SEED_USER, NEW_USER, READER, ENTITY_ADMIN, OWNER, STRANGER]) {
      const server = await api.request(`${ORG_PATH}/users/${user}/resolved-access`);
      expect(resolveAccess(replica, user, { at: new Date(NOW) }), user).toEqual(server.body);
    }
    const end = (await api.request(SNAPSHOT)).body as SnapshotAnswer;
    expect(end.revision).toBe(current);
    expect(graphToInput(replica)).toEqual(end.graph);
  });
});

describe("503 STORAGE_UNAVAILABLE", () => {
  /** The fixture over a storage that can be switched off; the service starts with nothing cached. */
  function unreliable(): { api: Api; down: (value: boolean) => void } {
    let isDown = false;
    const storage = wrapStorage(
      memoryStorage({ initial: fixtureOrganizations() }),
      () => {
        if (isDown) throw new AccessError("STORAGE_UNAVAILABLE", { storage: "test" });
      },
      { watch: true },
    );
    return { api: createApi({ storage }), down: (value) => (isDown = value) };
  }

  function expectUnavailable(res: ApiResponse): void {
    const error = expectError(res, 503, "STORAGE_UNAVAILABLE");
    expect(error.type).toBe("server_error");
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("grantpath-revision")).toBeNull();
  }

  it("answers reads, writes, the change log and the snapshot with the envelope and Retry-After: 1", async () => {
    const { api: flaky, down } = unreliable();
    down(true);
    const requests: [string, Parameters<Api["request"]>[1]][] = [
      [GRANTS, {}],
      [`${ORG_PATH}/users/${SEED_USER}/resolved-access`, {}],
      [GRANTS, { method: "POST", json: CREATE }],
      [`${CHANGES}?since=1`, {}],
      [SNAPSHOT, {}],
    ];
    for (const [path, init] of requests) expectUnavailable(await flaky.request(path, init));
    // The operator hears of every one (the client only gets the envelope).
    expect(flaky.unexpected.length).toBe(requests.length);
    for (const error of flaky.unexpected) expect(error).toMatchObject({ code: "STORAGE_UNAVAILABLE" });

    down(false);
    const created = await flaky.request(GRANTS, { method: "POST", json: CREATE });
    expect(created.status).toBe(201);
    expect(revisionOf(created)).toBe(2);
    down(true);
    // A read that needs the database fails again; the write above stays.
    expectUnavailable(await flaky.request(`${GRANTS}/${NEW_ID(1)}`));
    down(false);
    expect((await flaky.request(`${GRANTS}/${NEW_ID(1)}`)).status).toBe(200);
  });

  it("answers the same through a handler built by hand (no test fixture in between)", async () => {
    const accessControl = createAccessControl({
      storage: wrapStorage(
        memoryStorage(),
        () => {
          throw new AccessError("STORAGE_UNAVAILABLE");
        },
        { watch: false },
      ),
    });
    const reported: unknown[] = [];
    const handler = createHttpHandler(accessControl, { authenticate, onError: (error) => reported.push(error) });
    const request = createRequest((path, init) => handler(new Request(new URL(path, "http://localhost"), init)));
    expectUnavailable(await request(SNAPSHOT));
    expect(reported).toHaveLength(1);
  });
});
