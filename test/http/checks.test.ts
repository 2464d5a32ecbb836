/**
 * The check routes (docs/spec.md §9) through the handler: `POST /access/check` and
 * `POST /access/check/bulk` — their answers, who may ask, the field each 422 names, the bulk
 * route's order and per-item errors, the whole request's 422 and 404, and the revision (the
 * `Grantpath-Revision` header, `min_revision`). Every response is also checked against the
 * OpenAPI document by the request helper. Expected bodies are written out from the spec.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GrantPath, memoryStorage, type StorageAdapter } from "../../src/index.js";
import {
  type Api,
  type ApiResponse,
  ASSISTANT,
  type Caller,
  COMPOSITE,
  createApi,
  DEPT,
  ENTITY_ADMIN,
  expectError,
  expectValidationError,
  FIXTURE_GRANTS,
  fixtureOrganizations,
  ORG,
  ORG_PATH,
  OTHER_ORG_PATH,
  OWNER,
  READER,
  ROLE,
  ROLE_SLICE,
  SEED_USER,
  SLICE,
  STORE,
  STRANGER,
} from "./support.js";

const CHECK = `${ORG_PATH}/access/check`;
const BULK = `${ORG_PATH}/access/check/bulk`;

const path = (
  type: GrantPath["type"],
  access_level: GrantPath["access_level"],
  grant_id: string,
  ids: Partial<Pick<GrantPath, "department_id" | "role_id" | "composite_id">> = {},
): GrantPath => ({
  type,
  access_level,
  department_id: ids.department_id ?? null,
  role_id: ids.role_id ?? null,
  composite_id: ids.composite_id ?? null,
  grant_id,
});

/** The worked example's user on kslice_abc123: read directly, write through dept_eng01. */
const SEED_ON_SLICE = [
  path("direct", "read", "agrant_seed01"),
  path("department", "write", "agrant_seed02", { department_id: DEPT }),
];
/** The reader on kslice_abc123: read directly, and read through the composite that contains it. */
const READER_ON_SLICE = [
  path("direct", "read", "agrant_reader01"),
  path("composite", "read", "agrant_reader02", { composite_id: COMPOSITE }),
];
const NOTHING = { allowed: false, access_level: null, grant_paths: [] };

const FORBIDDEN_MESSAGE = "You do not have permission to check another user's access to this entity.";

let api: Api;

beforeEach(() => {
  api = createApi();
});

afterEach(() => {
  expect(api.unexpected).toEqual([]);
});

/** The `Grantpath-Revision` of an answer, as a number (`NaN` when absent). */
function revisionOf(response: ApiResponse): number {
  return Number(response.headers.get("grantpath-revision") ?? Number.NaN);
}

const check = (json: unknown, as: Caller | null = "owner", at = CHECK) => api.request(at, { method: "POST", as, json });
const bulk = (json: unknown, as: Caller | null = "owner", at = BULK) => api.request(at, { method: "POST", as, json });

async function storedGrants() {
  return (await api.accessControl.listGrants(ORG, OWNER, { limit: 100 })).items;
}

describe("POST /access/check", () => {
  it("answers 200 {allowed, access_level, grant_paths} with the revision it was computed on", async () => {
    const res = await check(
      { user_id: SEED_USER, entity_type: "knowledge_slice", entity_id: SLICE, level: "write" },
      "seedUser",
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json\b/);
    expect(res.body).toStrictEqual({ allowed: true, access_level: "write", grant_paths: SEED_ON_SLICE });
    expect(revisionOf(res)).toBe(1);
  });

  it.each([
    ["read", true],
    ["write", true],
    ["admin", false],
    [null, true],
    [undefined, true],
  ] as const)("level %s for a user at write: allowed %s, the same level and paths", async (level, allowed) => {
    const res = await check({
      user_id: SEED_USER,
      entity_type: "knowledge_slice",
      entity_id: SLICE,
      ...(level === undefined ? {} : { level }),
    });
    expect(res.body).toStrictEqual({ allowed, access_level: "write", grant_paths: SEED_ON_SLICE });
  });

  it("answers a user nothing reaches, listed or not, with allowed false and no paths", async () => {
    for (const user_id of [STRANGER, "usr_nobody"]) {
      const res = await check({ user_id, entity_type: "vector_store", entity_id: STORE, level: "read" });
      expect(res.status).toBe(200);
      expect(res.body).toStrictEqual(NOTHING);
    }
  });

  it("counts role and composite paths", async () => {
    const role = await check({ user_id: SEED_USER, entity_type: "knowledge_slice", entity_id: ROLE_SLICE });
    expect(role.body).toStrictEqual({
      allowed: true,
      access_level: "admin",
      grant_paths: [path("role", "admin", "agrant_seed03", { role_id: ROLE })],
    });
    const composite = await check({ user_id: READER, entity_type: "knowledge_slice", entity_id: SLICE });
    expect(composite.body).toStrictEqual({ allowed: true, access_level: "read", grant_paths: READER_ON_SLICE });
  });

  it.each<[string, Caller, string]>([
    ["the user themself", "reader", READER],
    ["an owner", "owner", READER],
    ["an admin of the entity", "admin", READER],
  ])("may be asked by %s", async (_who, as, user_id) => {
    const res = await check({ user_id, entity_type: "knowledge_slice", entity_id: SLICE }, as);
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ allowed: true, access_level: "read", grant_paths: READER_ON_SLICE });
  });

  it.each<[string, Caller, string, string]>([
    ["a reader of the entity, about someone else", "reader", SEED_USER, SLICE],
    ["an admin of another entity", "admin", SEED_USER, ROLE_SLICE],
    ["a stranger", "stranger", SEED_USER, SLICE],
    ["another organization's owner", "otherOwner", SEED_USER, SLICE],
  ])("answers 403 to %s, naming the user and the entity", async (_who, as, user_id, entity_id) => {
    const res = await check({ user_id, entity_type: "knowledge_slice", entity_id }, as);
    const error = expectError(res, 403, "INSUFFICIENT_PERMISSIONS");
    expect(error.message).toBe(FORBIDDEN_MESSAGE);
    expect(error.details).toStrictEqual({
      user_id,
      entity_type: "knowledge_slice",
      entity_id,
      required_level: "admin",
    });
    expect(res.headers.get("grantpath-revision")).toBeNull();
  });

  it.each([
    ["user_id", { user_id: "dept_eng01" }],
    ["user_id", { user_id: undefined }],
    ["user_id", { user_id: 7 }],
    ["entity_type", { entity_type: "file" }],
    ["entity_type", { entity_type: undefined }],
    ["entity_id", { entity_id: STORE }],
    ["entity_id", { entity_id: undefined }],
    ["level", { level: "owner" }],
    ["level", { level: ["read"] }],
  ])("answers 422 naming %s for %j", async (field, change) => {
    const body = { user_id: SEED_USER, entity_type: "knowledge_slice", entity_id: SLICE, level: "read", ...change };
    const details = expectValidationError(await check(body), field);
    if (body.entity_type === "file") {
      expect(details.message).toBe("entity_type must be one of {'knowledge_slice', 'vector_store', 'assistant'}");
    }
  });

  it.each([
    ["an array", [SEED_USER]],
    ["a string", "usr_def456"],
    ["null", null],
    ["a number", 1],
  ])("answers 422 naming body for a body that is %s", async (_what, body) => {
    expectValidationError(await check(body), "body");
  });

  it("ignores other properties, the service's `at` among them", async () => {
    const body = { user_id: SEED_USER, entity_type: "knowledge_slice", entity_id: SLICE };
    const plain = await check(body);
    const extra = await check({ ...body, at: "2000-01-01T00:00:00Z", note: "x", minRevision: 99 });
    expect(extra.status).toBe(200);
    expect(extra.body).toStrictEqual(plain.body);
  });

  it("validates the body before it looks for the organization, which it looks for before the permission", async () => {
    const body = { user_id: SEED_USER, entity_type: "knowledge_slice", entity_id: SLICE };
    const nowhere = "/v1/organizations/org_nowhere/access/check";
    expectValidationError(await check({ ...body, level: "x" }, "stranger", nowhere), "level");
    const missing = expectError(await check(body, "stranger", nowhere), 404, "RESOURCE_NOT_FOUND");
    expect(missing.details).toStrictEqual({ organization_id: "org_nowhere" });
  });

  it("answers each organization from its own graph", async () => {
    // In org_other42, usr_def456 holds a direct admin grant on the same slice id.
    const res = await check(
      { user_id: SEED_USER, entity_type: "knowledge_slice", entity_id: SLICE, level: "admin" },
      "otherOwner",
      `${OTHER_ORG_PATH}/access/check`,
    );
    expect(res.body).toStrictEqual({
      allowed: true,
      access_level: "admin",
      grant_paths: [path("direct", "admin", "agrant_other01")],
    });
  });

  it("needs credentials, before the body is even read", async () => {
    expectError(
      await api.request(CHECK, { method: "POST", as: null, body: "not json" }),
      401,
      "AUTHENTICATION_REQUIRED",
    );
  });

  it("changes nothing: a read sent as POST", async () => {
    await check({ user_id: SEED_USER, entity_type: "knowledge_slice", entity_id: SLICE });
    expect(await storedGrants()).toEqual(FIXTURE_GRANTS);
    expect((await api.accessControl.graph(ORG)).revision).toBe(1);
  });

  it("answers 405 with Allow: POST to other methods", async () => {
    for (const [method, target] of [
      ["GET", CHECK],
      ["PUT", CHECK],
      ["GET", BULK],
      ["DELETE", BULK],
    ] as const) {
      const res = await api.request(target, method === "GET" ? { method } : { method, json: {} });
      expectError(res, 405, "METHOD_NOT_ALLOWED");
      expect(res.headers.get("allow")).toBe("POST");
    }
  });
});

describe("POST /access/check/bulk", () => {
  const ofSeed = { user_id: SEED_USER, entity_type: "knowledge_slice", entity_id: SLICE };

  it("answers 200 {results} in the request's order, each item as POST /access/check would", async () => {
    const checks = [
      { ...ofSeed, level: "admin" },
      { user_id: READER, entity_type: "knowledge_slice", entity_id: SLICE, level: "read" },
      { user_id: SEED_USER, entity_type: "assistant", entity_id: ASSISTANT },
      { ...ofSeed, level: "write" },
      { user_id: ENTITY_ADMIN, entity_type: "vector_store", entity_id: STORE, level: "admin" },
    ];
    const res = await bulk({ checks });
    expect(res.status).toBe(200);
    expect(revisionOf(res)).toBe(1);
    expect(res.body).toStrictEqual({
      results: [
        { allowed: false, access_level: "write", grant_paths: SEED_ON_SLICE },
        { allowed: true, access_level: "read", grant_paths: READER_ON_SLICE },
        NOTHING,
        { allowed: true, access_level: "write", grant_paths: SEED_ON_SLICE },
        { allowed: true, access_level: "admin", grant_paths: [path("direct", "admin", "agrant_admin02")] },
      ],
    });
    const results = (res.body as { results: unknown[] }).results;
    for (const [index, item] of checks.entries()) {
      expect(results[index]).toStrictEqual((await check(item)).body);
    }
  });

  it("answers a forbidden or malformed item with its own error, and the others as usual", async () => {
    const res = await bulk(
      {
        checks: [
          { user_id: READER, entity_type: "knowledge_slice", entity_id: SLICE },
          ofSeed,
          { user_id: READER, entity_type: "knowledge_slice", entity_id: "vs_docs01" },
          { user_id: READER, entity_type: "knowledge_slice", entity_id: COMPOSITE, level: "read" },
          { user_id: READER, entity_type: "knowledge_slice", entity_id: SLICE, level: "superuser" },
        ],
      },
      "reader",
    );
    expect(res.status).toBe(200);
    expect(revisionOf(res)).toBe(1);
    expect(res.body).toStrictEqual({
      results: [
        { allowed: true, access_level: "read", grant_paths: READER_ON_SLICE },
        {
          error: {
            code: "INSUFFICIENT_PERMISSIONS",
            message: FORBIDDEN_MESSAGE,
            details: {
              user_id: SEED_USER,
              entity_type: "knowledge_slice",
              entity_id: SLICE,
              required_level: "admin",
              index: 1,
            },
          },
        },
        {
          error: {
            code: "VALIDATION_ERROR",
            message: "The request contains invalid data.",
            details: {
              field: "checks[2].entity_id",
              message: 'checks[2].entity_id must start with "kslice_"',
              index: 2,
            },
          },
        },
        {
          allowed: true,
          access_level: "read",
          grant_paths: [path("direct", "read", "agrant_reader02")],
        },
        {
          error: {
            code: "VALIDATION_ERROR",
            message: "The request contains invalid data.",
            details: {
              field: "checks[4].level",
              message: "checks[4].level must be one of {'read', 'write', 'admin'}",
              index: 4,
            },
          },
        },
      ],
    });
  });

  it("answers 200 even when no item may be asked", async () => {
    const res = await bulk({ checks: [ofSeed, ofSeed] }, "stranger");
    expect(res.status).toBe(200);
    const codes = (res.body as { results: { error: { code: string } }[] }).results.map((r) => r.error.code);
    expect(codes).toEqual(["INSUFFICIENT_PERMISSIONS", "INSUFFICIENT_PERMISSIONS"]);
  });

  it.each([
    ["no checks", {}],
    ["checks: null", { checks: null }],
    ["checks as an object", { checks: { 0: {} } }],
    ["0 checks", { checks: [] }],
    ["101 checks", { checks: Array.from({ length: 101 }, () => ({})) }],
  ])("answers 422 for the whole request naming checks: %s", async (_what, body) => {
    const details = expectValidationError(await bulk(body), "checks");
    expect(details.index).toBeUndefined();
  });

  it.each([
    ["null", null],
    ["a string", "usr_def456"],
    ["a number", 3],
    ["an array", ["usr_def456", "knowledge_slice", "kslice_abc123"]],
  ])("answers 422 for the whole request when an item is not an object (%s), naming checks[i]", async (_w, bad) => {
    const details = expectValidationError(await bulk({ checks: [ofSeed, bad] }), "checks[1]");
    expect(details.index).toBe(1);
  });

  it.each([
    ["an array", [ofSeed]],
    ["null", null],
  ])("answers 422 naming body for a body that is %s", async (_what, body) => {
    expectValidationError(await bulk(body), "body");
  });

  it("answers 1 and 100 checks", async () => {
    expect(((await bulk({ checks: [ofSeed] })).body as { results: unknown[] }).results).toHaveLength(1);
    const res = await bulk({ checks: Array.from({ length: 100 }, () => ofSeed) });
    expect(res.status).toBe(200);
    expect((res.body as { results: unknown[] }).results).toHaveLength(100);
  });

  it("answers 404 for an unknown organization, whatever its items, after the list's shape", async () => {
    const nowhere = "/v1/organizations/org_nowhere/access/check/bulk";
    const missing = expectError(
      await bulk({ checks: [ofSeed, { user_id: "x" }] }, "stranger", nowhere),
      404,
      "RESOURCE_NOT_FOUND",
    );
    expect(missing.details).toStrictEqual({ organization_id: "org_nowhere" });
    expectValidationError(await bulk({ checks: [] }, "stranger", nowhere), "checks");
  });

  it("needs credentials", async () => {
    expectError(await bulk({ checks: [ofSeed] }, null), 401, "AUTHENTICATION_REQUIRED");
  });

  it("ignores other properties of the body and of its items", async () => {
    const plain = await bulk({ checks: [ofSeed] });
    const extra = await bulk({ checks: [{ ...ofSeed, note: 1 }], at: "2000-01-01T00:00:00Z" });
    expect(extra.body).toStrictEqual(plain.body);
  });
});

describe("the checks and revisions", () => {
  const body = { user_id: "usr_new001", entity_type: "assistant", entity_id: ASSISTANT, level: "write" };
  const grantNewUser = () =>
    api.request(`${ORG_PATH}/access/grants`, {
      method: "POST",
      json: {
        entity_type: "assistant",
        entity_id: ASSISTANT,
        grantee_type: "user",
        grantee_id: "usr_new001",
        access_level: "write",
      },
    });

  it.each([
    ["POST /access/check", CHECK, body],
    ["POST /access/check/bulk", BULK, { checks: [body] }],
  ])("%s carries Grantpath-Revision and takes min_revision, as every read", async (_route, target, json) => {
    const written = revisionOf(await grantNewUser());
    expect(written).toBe(2);
    for (const minRevision of ["0", "1", "2", "002"]) {
      const res = await api.request(`${target}?min_revision=${minRevision}`, { method: "POST", json });
      expect(res.status, minRevision).toBe(200);
      expect(revisionOf(res)).toBe(2);
    }
    for (const bad of ["abc", "-1", "1.5", "", "1e3", " 1", "99999999999999999999"]) {
      const res = await api.request(`${target}?min_revision=${encodeURIComponent(bad)}`, { method: "POST", json });
      expectValidationError(res, "min_revision");
    }
    expectValidationError(
      await api.request(`${target}?min_revision=1&min_revision=1`, { method: "POST", json }),
      "min_revision",
    );
    const beyond = expectValidationError(
      await api.request(`${target}?min_revision=3`, { method: "POST", json }),
      "min_revision",
    );
    expect(beyond.message).toMatch(/beyond the organization's current revision 2/);
  });

  it("lets a check on a second instance over the same storage see the first one's write", async () => {
    const storage = memoryStorage({ initial: fixtureOrganizations() });
    const first = createApi({ storage });
    // The second instance does not watch the storage: only min_revision makes it read the log.
    const second = createApi({ storage: withoutWatch(storage) });
    const ask = (at: string) => second.request(at, { method: "POST", json: body });
    expect((await ask(CHECK)).body).toStrictEqual(NOTHING);

    const created = await first.request(`${ORG_PATH}/access/grants`, {
      method: "POST",
      json: {
        entity_type: "assistant",
        entity_id: ASSISTANT,
        grantee_type: "user",
        grantee_id: "usr_new001",
        access_level: "write",
      },
    });
    const written = revisionOf(created);
    expect((await ask(CHECK)).body).toStrictEqual(NOTHING); // still the revision it holds
    const fresh = await ask(`${CHECK}?min_revision=${written}`);
    expect(revisionOf(fresh)).toBeGreaterThanOrEqual(written);
    expect(fresh.body).toMatchObject({ allowed: true, access_level: "write" });
    const freshBulk = await second.request(`${BULK}?min_revision=${written}`, {
      method: "POST",
      json: { checks: [body] },
    });
    expect(freshBulk.body).toMatchObject({ results: [{ allowed: true, access_level: "write" }] });
    expect(first.unexpected).toEqual([]);
    expect(second.unexpected).toEqual([]);
  });
});

/** `storage` without `watch`: an instance over it hears of other instances' commits only when it reads the log. */
function withoutWatch(storage: StorageAdapter): StorageAdapter {
  return Object.fromEntries(Object.entries(storage).filter(([name]) => name !== "watch")) as unknown as StorageAdapter;
}
