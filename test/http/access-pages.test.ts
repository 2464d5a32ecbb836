/**
 * Paging of `GET /users/{user_id}/resolved-access` and `GET /access/users-with-access` over
 * HTTP: without `skip` and `limit` the answers are byte for byte what they were (the
 * worked example's JSON); with either, a page with `total`, `skip`, `limit` and `has_more`. Bad values are a
 * 422 naming the parameter. Every response is checked against the OpenAPI document by the
 * request helper; the document's own page schemas are checked here too.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { OPENAPI_DOCUMENT } from "../../src/openapi.js";
import { expectMatchesOpenApi } from "./openapi-contract.js";
import {
  type Api,
  COMPOSITE,
  createApi,
  ENTITY_ADMIN,
  expectError,
  expectValidationError,
  ORG_PATH,
  READER,
  SEED_USER,
  SLICE,
} from "./support.js";

let api: Api;
beforeEach(() => {
  api = createApi();
});

const RESOLVED = `${ORG_PATH}/users/${SEED_USER}/resolved-access`;
const READER_RESOLVED = `${ORG_PATH}/users/${READER}/resolved-access`;
const USERS = `${ORG_PATH}/access/users-with-access?entity_type=knowledge_slice&entity_id=${SLICE}`;

const none = { department_id: null, role_id: null, composite_id: null };
/** The worked example's two entities (docs/spec.md §12), with docs/spec.md §3's grant_id on each path. */
const SEED_ENTITIES = [
  {
    entity_type: "knowledge_slice",
    entity_id: "kslice_abc123",
    access_level: "write",
    grant_paths: [
      { type: "direct", access_level: "read", ...none, grant_id: "agrant_seed01" },
      { type: "department", access_level: "write", ...none, department_id: "dept_eng01", grant_id: "agrant_seed02" },
    ],
  },
  {
    entity_type: "knowledge_slice",
    entity_id: "kslice_def456",
    access_level: "admin",
    grant_paths: [{ type: "role", access_level: "admin", ...none, role_id: "role_admin01", grant_id: "agrant_seed03" }],
  },
];
/** The users who reach kslice_abc123, by user_id. */
const SLICE_USERS = [
  {
    user_id: SEED_USER,
    access_level: "write",
    grant_paths: SEED_ENTITIES[0]?.grant_paths,
  },
  {
    user_id: READER,
    access_level: "read",
    grant_paths: [
      { type: "direct", access_level: "read", ...none, grant_id: "agrant_reader01" },
      { type: "composite", access_level: "read", ...none, composite_id: COMPOSITE, grant_id: "agrant_reader02" },
    ],
  },
  {
    user_id: ENTITY_ADMIN,
    access_level: "admin",
    grant_paths: [{ type: "direct", access_level: "admin", ...none, grant_id: "agrant_admin01" }],
  },
];

describe("GET /users/{user_id}/resolved-access with skip and limit", () => {
  it("answers the worked example's JSON, byte for byte, without them", async () => {
    const res = await api.request(`${RESOLVED}?entity_type=knowledge_slice`, { as: "seedUser" });
    expect(res.status).toBe(200);
    expect(res.text).toBe(JSON.stringify({ user_id: SEED_USER, entities: SEED_ENTITIES }));
  });

  it("answers the first page, with the envelope after the entities", async () => {
    const res = await api.request(`${RESOLVED}?limit=1`, { as: "seedUser" });
    expect(res.status).toBe(200);
    expect(res.headers.get("grantpath-revision")).toMatch(/^\d+$/);
    expect(res.text).toBe(
      JSON.stringify({ user_id: SEED_USER, entities: [SEED_ENTITIES[0]], total: 2, skip: 0, limit: 1, has_more: true }),
    );
  });

  it("answers the last page with has_more false", async () => {
    const res = await api.request(`${RESOLVED}?skip=1&limit=1`);
    expect(res.body).toStrictEqual({
      user_id: SEED_USER,
      entities: [SEED_ENTITIES[1]],
      total: 2,
      skip: 1,
      limit: 1,
      has_more: false,
    });
  });

  it("answers an empty page past the end, with the total and the default limit", async () => {
    const res = await api.request(`${RESOLVED}?skip=5`);
    expect(res.body).toStrictEqual({
      user_id: SEED_USER,
      entities: [],
      total: 2,
      skip: 5,
      limit: 100,
      has_more: false,
    });
  });

  it("applies entity_type before paging", async () => {
    const onlyStores = await api.request(`${READER_RESOLVED}?entity_type=vector_store&limit=10`, { as: "reader" });
    expect(onlyStores.body).toStrictEqual({
      user_id: READER,
      entities: [],
      total: 0,
      skip: 0,
      limit: 10,
      has_more: false,
    });
    const slices = await api.request(`${READER_RESOLVED}?entity_type=knowledge_slice&skip=1&limit=1`, { as: "reader" });
    expect(slices.body).toMatchObject({
      entities: [{ entity_id: COMPOSITE }],
      total: 2,
      has_more: false,
    });
  });

  it("keeps the permission of the whole answer", async () => {
    expectError(await api.request(`${RESOLVED}?limit=1`, { as: "reader" }), 403, "INSUFFICIENT_PERMISSIONS");
  });

  it.each<[string, string]>([
    ["skip", "skip=-1"],
    ["skip", "skip=1.5"],
    ["skip", "skip=ten"],
    ["skip", "skip="],
    ["skip", "skip=1&skip=2"],
    ["limit", "limit=0"],
    ["limit", "limit=1001"],
    ["limit", "limit=all"],
    ["limit", "skip=0&limit=-5"],
  ])("answers 422 naming %s for ?%s", async (field, query) => {
    expectValidationError(await api.request(`${RESOLVED}?${query}`, { as: "seedUser" }), field);
  });

  it("accepts the bounds limit=1 and limit=1000", async () => {
    for (const limit of [1, 1000]) {
      expect((await api.request(`${RESOLVED}?limit=${limit}`)).body).toMatchObject({ limit, total: 2 });
    }
  });
});

describe("GET /access/users-with-access with skip and limit", () => {
  it("answers every user, in the unpaged shape, without them", async () => {
    const res = await api.request(USERS, { as: "admin" });
    expect(res.text).toBe(JSON.stringify({ entity_type: "knowledge_slice", entity_id: SLICE, users: SLICE_USERS }));
  });

  it("answers pages by user_id, each user with all their paths", async () => {
    const first = await api.request(`${USERS}&limit=2`, { as: "admin" });
    expect(first.text).toBe(
      JSON.stringify({
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        users: SLICE_USERS.slice(0, 2),
        total: 3,
        skip: 0,
        limit: 2,
        has_more: true,
      }),
    );
    const last = await api.request(`${USERS}&skip=2&limit=2`, { as: "admin" });
    expect(last.body).toMatchObject({ users: SLICE_USERS.slice(2), total: 3, skip: 2, limit: 2, has_more: false });
    const past = await api.request(`${USERS}&skip=3`);
    expect(past.body).toMatchObject({ users: [], total: 3, skip: 3, limit: 100, has_more: false });
  });

  it.each<[string, string]>([
    ["skip", "skip=-3"],
    ["limit", "limit=0"],
    ["limit", "limit=5000"],
    ["limit", "limit=2.5"],
  ])("answers 422 naming %s for &%s", async (field, query) => {
    expectValidationError(await api.request(`${USERS}&${query}`, { as: "admin" }), field);
  });

  it("checks the entity before the page, and the permission after both", async () => {
    const missing = `${ORG_PATH}/access/users-with-access?entity_type=knowledge_slice&limit=0`;
    expectValidationError(await api.request(missing), "entity_id");
    expectError(await api.request(`${USERS}&limit=2`, { as: "reader" }), 403, "INSUFFICIENT_PERMISSIONS");
  });
});

describe("the OpenAPI document's paging of resolution", () => {
  const parameters = (path: string) =>
    (OPENAPI_DOCUMENT.paths[path]?.get?.parameters ?? []).map((parameter) => {
      const ref = (parameter as { $ref?: string }).$ref ?? "";
      return OPENAPI_DOCUMENT.components.parameters[ref.split("/").pop() ?? ""];
    });
  const ORG = "/v1/organizations/{organization_id}";

  it("takes skip (≥ 0) and limit (1–1000) on both routes, with no default that would page a plain request", () => {
    for (const path of [`${ORG}/users/{user_id}/resolved-access`, `${ORG}/access/users-with-access`]) {
      const byName = new Map(parameters(path).map((p) => [p?.name, p]));
      expect(byName.get("skip")).toMatchObject({
        in: "query",
        required: false,
        schema: { type: "integer", minimum: 0 },
      });
      expect(byName.get("limit")).toMatchObject({
        in: "query",
        required: false,
        schema: { type: "integer", minimum: 1, maximum: 1000 },
      });
      expect(byName.get("skip")?.schema).not.toHaveProperty("default");
      expect(byName.get("limit")?.schema).not.toHaveProperty("default");
    }
  });

  it("accepts the whole answers and their pages, and nothing in between", () => {
    const resolved = `${ORG}/users/{user_id}/resolved-access`;
    const whole = { user_id: SEED_USER, entities: SEED_ENTITIES };
    const envelope = { total: 2, skip: 0, limit: 1, has_more: true };
    expectMatchesOpenApi("GET", resolved, 200, whole);
    expectMatchesOpenApi("GET", resolved, 200, { user_id: SEED_USER, entities: [SEED_ENTITIES[0]], ...envelope });
    // Half an envelope is neither shape.
    expect(() => expectMatchesOpenApi("GET", resolved, 200, { ...whole, total: 2 })).toThrow();
    expect(() => expectMatchesOpenApi("GET", resolved, 200, { ...whole, ...envelope, limit: 1001 })).toThrow();
    const users = `${ORG}/access/users-with-access`;
    const list = { entity_type: "knowledge_slice", entity_id: SLICE, users: SLICE_USERS };
    expectMatchesOpenApi("GET", users, 200, list);
    expectMatchesOpenApi("GET", users, 200, { ...list, users: [], total: 3, skip: 3, limit: 100, has_more: false });
    expect(() => expectMatchesOpenApi("GET", users, 200, { ...list, has_more: false })).toThrow();
    expect(() =>
      expectMatchesOpenApi("GET", users, 200, {
        ...list,
        entity_id: "vs_1",
        total: 3,
        skip: 0,
        limit: 5,
        has_more: false,
      }),
    ).toThrow();
  });
});
