/**
 * Paging through the service: `resolveAccess` and `usersWithAccess` with `skip` /
 * `limit`. Without them the answers are whole and exactly as before; with either, a page of the
 * whole answer with `total`, `skip`, `limit` and `has_more`. Validation names `skip` or `limit`
 * and comes before the organization and the permission, as for every other input; permissions
 * are those of the whole answer.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  type AccessControl,
  AccessError,
  createAccessControl,
  type GraphInput,
  memoryStorage,
  type ResolvedAccessPage,
  type UsersWithAccessPage,
} from "../../src/index.js";
import { manualClock, sequentialIds } from "../../src/testing/test-kit.js";
import { referenceResolve, referenceUsersWithAccess } from "../support/reference.js";

const NOW = "2025-06-15T10:00:00Z";
const ORG = "org_acme";
const OWNER = "usr_owner1";
const READER = "usr_reader";
const STRANGER = "usr_stranger";
const HUB = "kslice_hub";
const STORE = "vs_docs";

/** 30 slices under kslice_hub, which dept_all may read; 12 members of dept_all; one store admin. */
const MEMBERS = Array.from({ length: 30 }, (_, i) => `kslice_m${String(i).padStart(2, "0")}`);
const STAFF = Array.from({ length: 12 }, (_, i) => `usr_staff${String(i).padStart(2, "0")}`);
const INPUT: GraphInput = {
  organization_id: ORG,
  owners: [OWNER],
  users: [{ id: READER, department_ids: ["dept_all"] }, ...STAFF.map((id) => ({ id, department_ids: ["dept_all"] }))],
  composites: [{ id: HUB, member_slice_ids: MEMBERS }],
  grants: [
    {
      id: "agrant_hub",
      entity_type: "knowledge_slice",
      entity_id: HUB,
      grantee_type: "department",
      grantee_id: "dept_all",
      access_level: "read",
    },
    {
      id: "agrant_m05",
      entity_type: "knowledge_slice",
      entity_id: "kslice_m05",
      grantee_type: "user",
      grantee_id: READER,
      access_level: "write",
    },
    {
      id: "agrant_store",
      entity_type: "vector_store",
      entity_id: STORE,
      grantee_type: "department",
      grantee_id: "dept_all",
      access_level: "read",
    },
    {
      id: "agrant_bot",
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "user",
      grantee_id: READER,
      access_level: "admin",
    },
  ],
};
const AT = new Date(NOW);

let ac: AccessControl;
beforeEach(() => {
  ac = createAccessControl({
    storage: memoryStorage({ initial: [structuredClone(INPUT) as GraphInput] }),
    clock: manualClock(NOW).now,
    ids: sequentialIds(),
  });
});

async function failure(call: () => Promise<unknown>): Promise<AccessError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof AccessError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("resolveAccess with skip and limit", () => {
  // asst_1, kslice_hub, kslice_m00 … kslice_m29, vs_docs: 33 entities.
  const whole = referenceResolve(INPUT, READER, { at: AT });

  it("answers the whole resolution, in the worked example's shape, without them", async () => {
    const answer = await ac.resolveAccess(ORG, READER, READER);
    expect(answer).toStrictEqual(whole);
    expect(whole.entities).toHaveLength(33);
    expect(Object.keys(answer)).toEqual(["user_id", "entities"]);
  });

  it("answers the first page to the user, and the same page to an owner", async () => {
    const expected: ResolvedAccessPage = {
      user_id: READER,
      entities: whole.entities.slice(0, 10),
      total: 33,
      skip: 0,
      limit: 10,
      has_more: true,
    };
    expect(await ac.resolveAccess(ORG, READER, READER, { limit: 10 })).toStrictEqual(expected);
    expect(await ac.resolveAccess(ORG, OWNER, READER, { limit: 10, skip: 0 })).toStrictEqual(expected);
  });

  it("answers the last page with has_more false, and past the end an empty page", async () => {
    expect(await ac.resolveAccess(ORG, READER, READER, { skip: 30, limit: 10 })).toStrictEqual({
      user_id: READER,
      entities: whole.entities.slice(30),
      total: 33,
      skip: 30,
      limit: 10,
      has_more: false,
    });
    const past = await ac.resolveAccess(ORG, READER, READER, { skip: 33 });
    expect(past).toStrictEqual({ user_id: READER, entities: [], total: 33, skip: 33, limit: 100, has_more: false });
  });

  it("filters by entity_type before paging", async () => {
    const slices = referenceResolve(INPUT, READER, { at: AT, entityType: "knowledge_slice" }).entities;
    expect(
      await ac.resolveAccess(ORG, READER, READER, { entityType: "knowledge_slice", skip: 5, limit: 3 }),
    ).toStrictEqual({
      user_id: READER,
      entities: slices.slice(5, 8),
      total: 31,
      skip: 5,
      limit: 3,
      has_more: true,
    });
  });

  it("tells the revision the page was computed on", async () => {
    let revision = -1;
    await ac.resolveAccess(ORG, READER, READER, { limit: 1 }, { onRevision: (r) => (revision = r) });
    expect(revision).toBeGreaterThanOrEqual(0);
  });

  it.each<[string, Record<string, unknown>]>([
    ["skip", { skip: -1 }],
    ["skip", { skip: 2.5 }],
    ["skip", { skip: "10" }],
    ["limit", { limit: 0 }],
    ["limit", { limit: 1001 }],
    ["limit", { skip: 0, limit: "all" }],
  ])("rejects a bad %s with VALIDATION_ERROR naming it: %j", async (field, query) => {
    const error = await failure(() => ac.resolveAccess(ORG, READER, READER, query));
    expect({ code: error.code, status: error.status, field: error.details.field }).toEqual({
      code: "VALIDATION_ERROR",
      status: 422,
      field,
    });
  });

  it("validates the page before the organization and the permission", async () => {
    expect((await failure(() => ac.resolveAccess("org_ghost", READER, READER, { limit: 0 }))).details.field).toBe(
      "limit",
    );
    expect((await failure(() => ac.resolveAccess(ORG, STRANGER, READER, { skip: -1 }))).details.field).toBe("skip");
  });

  it("keeps the whole answer's permission: another user's page is 403", async () => {
    const error = await failure(() => ac.resolveAccess(ORG, STRANGER, READER, { limit: 5 }));
    expect(error.code).toBe("INSUFFICIENT_PERMISSIONS");
  });
});

describe("usersWithAccess with skip and limit", () => {
  const query = { entity_type: "knowledge_slice", entity_id: "kslice_m05" } as const;
  // usr_reader (direct write, composite read), then the 12 staff (composite read): by user_id.
  const whole = referenceUsersWithAccess(INPUT, query.entity_type, query.entity_id, { at: AT });

  it("answers every user, in the unpaged shape, without them", async () => {
    const answer = await ac.usersWithAccess(ORG, OWNER, query.entity_type, query.entity_id);
    expect(answer).toStrictEqual(whole);
    expect(whole.users).toHaveLength(13);
    expect(Object.keys(answer)).toEqual(["entity_type", "entity_id", "users"]);
  });

  it("answers pages by user_id, each user with all their paths", async () => {
    const first: UsersWithAccessPage = await ac.usersWithAccess(ORG, OWNER, query.entity_type, query.entity_id, {
      limit: 5,
    });
    expect(first).toStrictEqual({
      ...whole,
      users: whole.users.slice(0, 5),
      total: 13,
      skip: 0,
      limit: 5,
      has_more: true,
    });
    expect(
      await ac.usersWithAccess(ORG, OWNER, query.entity_type, query.entity_id, { skip: 10, limit: 5 }),
    ).toStrictEqual({
      ...whole,
      users: whole.users.slice(10),
      total: 13,
      skip: 10,
      limit: 5,
      has_more: false,
    });
    const reader = whole.users.find((u) => u.user_id === READER);
    expect(reader?.grant_paths.map((p) => p.type)).toEqual(["direct", "composite"]);
    expect(await ac.usersWithAccess(ORG, OWNER, query.entity_type, query.entity_id, { limit: 1 })).toMatchObject({
      users: [reader],
    });
  });

  it("answers an empty page past the end with the total", async () => {
    expect(await ac.usersWithAccess(ORG, OWNER, "vector_store", STORE, { skip: 50 })).toStrictEqual({
      entity_type: "vector_store",
      entity_id: STORE,
      users: [],
      total: 13,
      skip: 50,
      limit: 100,
      has_more: false,
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ["skip", { skip: -5 }],
    ["limit", { limit: 0 }],
    ["limit", { limit: 5000 }],
    ["limit", { limit: 1.5 }],
  ])("rejects a bad %s with VALIDATION_ERROR naming it: %j", async (field, extra) => {
    const error = await failure(() => ac.usersWithAccess(ORG, OWNER, query.entity_type, query.entity_id, extra));
    expect([error.code, error.details.field]).toEqual(["VALIDATION_ERROR", field]);
  });

  it("needs admin on the entity or ownership, paged or not", async () => {
    expect(
      (await failure(() => ac.usersWithAccess(ORG, READER, query.entity_type, query.entity_id, { limit: 5 }))).code,
    ).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("still takes the entity and page in one object with the wire's names, as it first did", async () => {
    expect(await ac.usersWithAccess(ORG, OWNER, query)).toStrictEqual(whole);
    expect(await ac.usersWithAccess(ORG, OWNER, { ...query, skip: 10, limit: 5 })).toStrictEqual(
      await ac.usersWithAccess(ORG, OWNER, query.entity_type, query.entity_id, { skip: 10, limit: 5 }),
    );
    const error = await failure(() => ac.usersWithAccess(ORG, OWNER, { ...query, limit: 0 }));
    expect([error.code, error.details.field]).toEqual(["VALIDATION_ERROR", "limit"]);
  });
});
