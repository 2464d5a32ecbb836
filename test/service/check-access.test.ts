/**
 * Checks through the service (docs/spec.md §9): `checkAccess` and `bulkCheckAccess` — who may ask
 * (the user themself, owners, admins of the entity, nobody else), what the answer means (the
 * core's `{allowed, access_level, grant_paths}`, `level` and `at`), which field a validation error
 * names, the order of the checks (input, organization, permission), revisions, and for the bulk
 * form: request order, per-item errors, the whole call's 422 for a list that is not 1–100 objects,
 * and one revision for every item. Expected answers are written out from the spec.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  type AccessCheck,
  type AccessControl,
  AccessError,
  type BulkCheckAccessInput,
  type CheckAccessItem,
  createAccessControl,
  type GrantPath,
  type GraphInput,
  memoryStorage,
  type StorageAdapter,
} from "../../src/index.js";
import { type ManualClock, manualClock } from "../../src/testing/test-kit.js";

const T0 = "2025-06-15T10:00:00Z";
const IN_AN_HOUR = "2025-06-15T11:00:00Z";

const ORG = "org_acme";
const OTHER_ORG = "org_other";
const OWNER = "usr_owner1";
const OTHER_OWNER = "usr_owner2";
const DIRECT_ADMIN = "usr_direct_admin";
const DEPT_ADMIN = "usr_dept_admin";
const ROLE_ADMIN = "usr_role_admin";
const COMP_ADMIN = "usr_comp_admin";
const SOON_ADMIN = "usr_soon_admin";
const WRITER = "usr_writer";
const SUBJECT = "usr_subject";
const STRANGER = "usr_stranger";

const SLICE = "kslice_target";
const COMPOSITE = "kslice_comp";
const OTHER_SLICE = "kslice_elsewhere";
const STORE = "vs_store1";
const ASSISTANT = "asst_bot1";

/**
 * org_acme: owner usr_owner1; dept_backend under dept_eng; kslice_comp contains kslice_target.
 *   usr_dept_admin in dept_backend, usr_role_admin holds role_admins,
 *   usr_subject in dept_sales and holds role_readers.
 *   kslice_target ← usr_direct_admin admin, dept_eng admin, role_admins admin, usr_writer write,
 *                   usr_subject read, dept_sales write
 *   kslice_comp   ← usr_comp_admin admin, role_readers read
 *   vs_store1     ← usr_direct_admin admin, usr_subject write (expires in an hour)
 *   asst_bot1     ← usr_soon_admin admin (expires in an hour), usr_subject read
 * org_other: owner usr_owner2; kslice_target ← usr_stranger admin (isolation).
 */
function fixture(): GraphInput[] {
  const grant = (
    id: string,
    entity_type: "knowledge_slice" | "vector_store" | "assistant",
    entity_id: string,
    grantee_type: "user" | "department" | "role",
    grantee_id: string,
    access_level: "read" | "write" | "admin",
    expires_at?: string,
  ) => ({
    id,
    entity_type,
    entity_id,
    grantee_type,
    grantee_id,
    access_level,
    ...(expires_at === undefined ? {} : { expires_at }),
  });
  return [
    {
      organization_id: ORG,
      owners: [OWNER],
      users: [
        { id: DEPT_ADMIN, department_ids: ["dept_backend"], role_ids: [] },
        { id: ROLE_ADMIN, department_ids: [], role_ids: ["role_admins"] },
        { id: SUBJECT, department_ids: ["dept_sales"], role_ids: ["role_readers"] },
      ],
      departments: [
        { id: "dept_eng", parent_id: null },
        { id: "dept_backend", parent_id: "dept_eng" },
      ],
      composites: [{ id: COMPOSITE, member_slice_ids: [SLICE] }],
      grants: [
        grant("agrant_direct_admin", "knowledge_slice", SLICE, "user", DIRECT_ADMIN, "admin"),
        grant("agrant_dept_admin", "knowledge_slice", SLICE, "department", "dept_eng", "admin"),
        grant("agrant_role_admin", "knowledge_slice", SLICE, "role", "role_admins", "admin"),
        grant("agrant_writer", "knowledge_slice", SLICE, "user", WRITER, "write"),
        grant("agrant_subject_direct", "knowledge_slice", SLICE, "user", SUBJECT, "read"),
        grant("agrant_subject_dept", "knowledge_slice", SLICE, "department", "dept_sales", "write"),
        grant("agrant_comp_admin", "knowledge_slice", COMPOSITE, "user", COMP_ADMIN, "admin"),
        grant("agrant_subject_comp", "knowledge_slice", COMPOSITE, "role", "role_readers", "read"),
        grant("agrant_store_admin", "vector_store", STORE, "user", DIRECT_ADMIN, "admin"),
        grant("agrant_subject_store", "vector_store", STORE, "user", SUBJECT, "write", IN_AN_HOUR),
        grant("agrant_soon_admin", "assistant", ASSISTANT, "user", SOON_ADMIN, "admin", IN_AN_HOUR),
        grant("agrant_subject_asst", "assistant", ASSISTANT, "user", SUBJECT, "read"),
      ],
    },
    {
      organization_id: OTHER_ORG,
      owners: [OTHER_OWNER],
      grants: [grant("agrant_other", "knowledge_slice", SLICE, "user", STRANGER, "admin")],
    },
  ];
}

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

/** usr_subject on kslice_target: direct read, dept_sales write, and read through kslice_comp by role. */
const SUBJECT_ON_SLICE: readonly GrantPath[] = [
  path("direct", "read", "agrant_subject_direct"),
  path("department", "write", "agrant_subject_dept", { department_id: "dept_sales" }),
  path("composite", "read", "agrant_subject_comp", { role_id: "role_readers", composite_id: COMPOSITE }),
];

const NOTHING: AccessCheck = { allowed: false, access_level: null, grant_paths: [] };

let storage: StorageAdapter;
let clock: ManualClock;
let ac: AccessControl;

beforeEach(() => {
  storage = memoryStorage({ initial: fixture() });
  clock = manualClock(T0);
  ac = createAccessControl({ storage, clock: clock.now });
});

/** Awaits `call` and returns the AccessError it failed with (a synchronous throw counts too). */
async function failure(call: () => Promise<unknown>): Promise<AccessError> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error("expected the call to fail, but it succeeded");
  if (!(caught instanceof AccessError)) throw caught;
  return caught;
}

/** A value of the wrong shape, passed where a typed argument is expected (validation tests). */
function untyped<T>(value: unknown): T {
  return value as T;
}

const subjectOnSlice = (actor: string, level?: "read" | "write" | "admin") =>
  ac.checkAccess(ORG, actor, SUBJECT, "knowledge_slice", SLICE, level === undefined ? {} : { level });

describe("checkAccess: who may ask (docs/spec.md §9)", () => {
  it("the user themself", async () => {
    expect(await subjectOnSlice(SUBJECT)).toStrictEqual({
      allowed: true,
      access_level: "write",
      grant_paths: SUBJECT_ON_SLICE,
    });
  });

  it("the user themself, even about an entity they cannot reach (the answer is theirs to know)", async () => {
    expect(await ac.checkAccess(ORG, STRANGER, STRANGER, "knowledge_slice", SLICE)).toStrictEqual(NOTHING);
  });

  it("an owner of the organization, about anyone and any entity", async () => {
    expect((await subjectOnSlice(OWNER)).grant_paths).toStrictEqual(SUBJECT_ON_SLICE);
    expect(await ac.checkAccess(ORG, OWNER, STRANGER, "assistant", "asst_nobody_knows")).toStrictEqual(NOTHING);
  });

  it.each([
    ["a direct grant", DIRECT_ADMIN],
    ["a department grant to an ancestor of their department", DEPT_ADMIN],
    ["a role grant", ROLE_ADMIN],
    ["a grant on a composite that contains the entity", COMP_ADMIN],
  ])("an admin of the entity through %s", async (_how, admin) => {
    expect(await subjectOnSlice(admin, "write")).toStrictEqual({
      allowed: true,
      access_level: "write",
      grant_paths: SUBJECT_ON_SLICE,
    });
  });

  it.each([
    ["a writer of the entity (write is not admin)", WRITER, SLICE],
    ["an admin of another entity", DIRECT_ADMIN, OTHER_SLICE],
    ["a stranger", STRANGER, SLICE],
    ["the owner of another organization", OTHER_OWNER, SLICE],
  ])("not %s: 403 INSUFFICIENT_PERMISSIONS naming the user and the entity", async (_who, actor, slice) => {
    const error = await failure(() => ac.checkAccess(ORG, actor, SUBJECT, "knowledge_slice", slice));
    expect(error.code).toBe("INSUFFICIENT_PERMISSIONS");
    expect(error.status).toBe(403);
    expect(error.details).toStrictEqual({
      user_id: SUBJECT,
      entity_type: "knowledge_slice",
      entity_id: slice,
      required_level: "admin",
    });
    expect(error.message).toBe("You do not have permission to check another user's access to this entity.");
  });

  it("decides the asker's right now, whatever instant the check is about", async () => {
    // usr_soon_admin is an admin of asst_bot1 for another hour.
    const later = new Date("2025-06-15T12:00:00Z");
    expect(await ac.checkAccess(ORG, SOON_ADMIN, SUBJECT, "assistant", ASSISTANT, { at: later })).toMatchObject({
      allowed: true,
      access_level: "read",
    });
    // Once the grant has expired they may not ask, even about an instant when it was active.
    clock.set("2025-06-15T11:00:00Z");
    const before = new Date("2025-06-15T10:30:00Z");
    const error = await failure(() => ac.checkAccess(ORG, SOON_ADMIN, SUBJECT, "assistant", ASSISTANT, { at: before }));
    expect(error.code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("answers from the organization asked about only: an admin elsewhere is nobody here", async () => {
    // usr_stranger holds admin on kslice_target in org_other.
    expect((await failure(() => ac.checkAccess(ORG, STRANGER, SUBJECT, "knowledge_slice", SLICE))).code).toBe(
      "INSUFFICIENT_PERMISSIONS",
    );
    expect(await ac.checkAccess(OTHER_ORG, STRANGER, SUBJECT, "knowledge_slice", SLICE)).toStrictEqual(NOTHING);
    expect(await ac.checkAccess(OTHER_ORG, OTHER_OWNER, STRANGER, "knowledge_slice", SLICE)).toStrictEqual({
      allowed: true,
      access_level: "admin",
      grant_paths: [path("direct", "admin", "agrant_other")],
    });
  });
});

describe("checkAccess: what the answer means", () => {
  it("without a level: allowed whenever some path reaches the entity, at the highest level of its paths", async () => {
    expect(await subjectOnSlice(SUBJECT)).toStrictEqual({
      allowed: true,
      access_level: "write",
      grant_paths: SUBJECT_ON_SLICE,
    });
  });

  it.each([
    ["read", true],
    ["write", true],
    ["admin", false],
  ] as const)(
    "with level %s: allowed %s for a user at write; the level and paths stay the same",
    async (level, allowed) => {
      expect(await subjectOnSlice(SUBJECT, level)).toStrictEqual({
        allowed,
        access_level: "write",
        grant_paths: SUBJECT_ON_SLICE,
      });
    },
  );

  it("a null level asks for none, as a JSON caller may send it", async () => {
    const check = await ac.checkAccess(ORG, SUBJECT, SUBJECT, "knowledge_slice", SLICE, { level: null });
    expect(check).toStrictEqual(await subjectOnSlice(SUBJECT));
  });

  it.each(["read", "write", "admin", undefined] as const)("no path: never allowed (level %s)", async (level) => {
    const check = await ac.checkAccess(ORG, OWNER, SUBJECT, "vector_store", "vs_unknown", { level });
    expect(check).toStrictEqual(NOTHING);
  });

  it("a slice reached only through a composite is reached", async () => {
    // role_readers reads kslice_comp, and usr_subject holds it; kslice_comp reaches only its members.
    expect(await ac.checkAccess(ORG, SUBJECT, SUBJECT, "knowledge_slice", COMPOSITE)).toStrictEqual({
      allowed: true,
      access_level: "read",
      grant_paths: [path("role", "read", "agrant_subject_comp", { role_id: "role_readers" })],
    });
  });

  it("agrees with the user's resolved access for that entity", async () => {
    const resolved = await ac.resolveAccess(ORG, SUBJECT, SUBJECT);
    for (const entity of resolved.entities) {
      const check = await ac.checkAccess(ORG, SUBJECT, SUBJECT, entity.entity_type, entity.entity_id);
      expect(check).toStrictEqual({
        allowed: true,
        access_level: entity.access_level,
        grant_paths: entity.grant_paths,
      });
    }
  });

  it("decides expiry at the service's clock by default, and at `at` when given", async () => {
    const store = (at?: Date) => ac.checkAccess(ORG, SUBJECT, SUBJECT, "vector_store", STORE, { level: "write", at });
    expect(await store()).toStrictEqual({
      allowed: true,
      access_level: "write",
      grant_paths: [path("direct", "write", "agrant_subject_store")],
    });
    // Inactive at and after its expires_at.
    expect(await store(new Date(IN_AN_HOUR))).toStrictEqual(NOTHING);
    expect((await store(new Date("2025-06-15T10:59:59.999Z"))).allowed).toBe(true);
    clock.set(IN_AN_HOUR);
    expect(await store()).toStrictEqual(NOTHING);
    expect((await store(new Date(T0))).allowed).toBe(true);
  });

  it("sees the organization's writes", async () => {
    expect(await ac.checkAccess(ORG, STRANGER, STRANGER, "assistant", ASSISTANT)).toStrictEqual(NOTHING);
    const created = await ac.createGrant(ORG, OWNER, {
      entity_type: "assistant",
      entity_id: ASSISTANT,
      grantee_type: "user",
      grantee_id: STRANGER,
      access_level: "write",
    });
    expect(await ac.checkAccess(ORG, STRANGER, STRANGER, "assistant", ASSISTANT, { level: "write" })).toStrictEqual({
      allowed: true,
      access_level: "write",
      grant_paths: [path("direct", "write", created.id)],
    });
    await ac.revokeGrant(ORG, OWNER, created.id);
    expect(await ac.checkAccess(ORG, STRANGER, STRANGER, "assistant", ASSISTANT)).toStrictEqual(NOTHING);
  });
});

describe("checkAccess: validation names the field, and comes first", () => {
  const call = (overrides: {
    org?: unknown;
    actor?: unknown;
    user?: unknown;
    type?: unknown;
    id?: unknown;
    query?: unknown;
    options?: unknown;
  }) =>
    ac.checkAccess(
      untyped("org" in overrides ? overrides.org : ORG),
      untyped("actor" in overrides ? overrides.actor : OWNER),
      untyped("user" in overrides ? overrides.user : SUBJECT),
      untyped("type" in overrides ? overrides.type : "knowledge_slice"),
      untyped("id" in overrides ? overrides.id : SLICE),
      untyped(overrides.query),
      untyped(overrides.options),
    );

  it.each([
    ["organization_id", { org: "acme" }],
    ["actor_id", { actor: "owner1" }],
    ["user_id", { user: "dept_eng" }],
    ["user_id", { user: undefined }],
    ["user_id", { user: `usr_${"a".repeat(129)}` }],
    ["entity_type", { type: "file" }],
    ["entity_type", { type: undefined }],
    ["entity_id", { id: "vs_store1" }],
    ["entity_id", { id: 42 }],
    ["level", { query: { level: "owner" } }],
    ["level", { query: { level: "ADMIN" } }],
    ["at", { query: { at: "2025-06-15T10:00:00Z" } }],
    ["at", { query: { at: new Date(Number.NaN) } }],
    ["query", { query: "write" }],
    ["min_revision", { options: { minRevision: -1 } }],
    ["onRevision", { options: { onRevision: 5 } }],
  ])("VALIDATION_ERROR naming %s for %j", async (field, overrides) => {
    const error = await failure(() => call(overrides));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.status).toBe(422);
    expect(error.details.field).toBe(field);
    expect(typeof error.details.message).toBe("string");
  });

  it("says entity_type the worked example's way", async () => {
    const error = await failure(() => call({ type: "file" }));
    expect(error.details.message).toBe("entity_type must be one of {'knowledge_slice', 'vector_store', 'assistant'}");
  });

  it.each(["minRevision", "onRevision"])(
    "refuses %s among the check options rather than ignore it: the call options come last",
    async (name) => {
      const error = await failure(() =>
        call({ query: { level: "read", [name]: name === "minRevision" ? 1 : () => {} } }),
      );
      expect(error.code).toBe("VALIDATION_ERROR");
      expect(error.details.field).toBe(name);
      expect(error.details.message).toContain("last argument");
    },
  );

  it("validates before it looks for the organization, and looks for it before the permission", async () => {
    const unknown = "org_nowhere";
    expect((await failure(() => call({ org: unknown, query: { level: "owner" } }))).details.field).toBe("level");
    const missing = await failure(() => call({ org: unknown, actor: STRANGER }));
    expect(missing.code).toBe("RESOURCE_NOT_FOUND");
    expect(missing.status).toBe(404);
    expect(missing.details).toStrictEqual({ organization_id: unknown });
  });
});

describe("checkAccess: revisions", () => {
  it("tells onRevision the revision the answer was computed on", async () => {
    const seen: number[] = [];
    const { revision } = await ac.graph(ORG);
    await ac.checkAccess(ORG, SUBJECT, SUBJECT, "knowledge_slice", SLICE, {}, { onRevision: (r) => seen.push(r) });
    await ac.createGrant(ORG, OWNER, {
      entity_type: "assistant",
      entity_id: ASSISTANT,
      grantee_type: "user",
      grantee_id: STRANGER,
      access_level: "admin",
    });
    await ac.checkAccess(ORG, STRANGER, STRANGER, "assistant", ASSISTANT, {}, { onRevision: (r) => seen.push(r) });
    expect(seen).toEqual([revision, revision + 1]);
  });

  it("reads its own write on another instance with minRevision", async () => {
    const other = createAccessControl({ storage, clock: clock.now });
    // The other instance holds the organization before the write.
    expect(await other.checkAccess(ORG, STRANGER, STRANGER, "assistant", ASSISTANT)).toStrictEqual(NOTHING);
    let written = 0;
    await ac.createGrant(
      ORG,
      OWNER,
      {
        entity_type: "assistant",
        entity_id: ASSISTANT,
        grantee_type: "user",
        grantee_id: STRANGER,
        access_level: "read",
      },
      { onRevision: (r) => (written = r) },
    );
    let answered = 0;
    const check = await other.checkAccess(
      ORG,
      STRANGER,
      STRANGER,
      "assistant",
      ASSISTANT,
      {},
      { minRevision: written, onRevision: (r) => (answered = r) },
    );
    expect(check.allowed).toBe(true);
    expect(answered).toBeGreaterThanOrEqual(written);
    await other.close();
  });

  it("refuses a minRevision beyond the organization's current one", async () => {
    const { revision } = await ac.graph(ORG);
    const error = await failure(() =>
      ac.checkAccess(ORG, SUBJECT, SUBJECT, "knowledge_slice", SLICE, {}, { minRevision: revision + 1 }),
    );
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details.field).toBe("min_revision");
  });
});

// ---------------------------------------------------------------------------------------------

const item = (
  user_id: string,
  entity_type: CheckAccessItem["entity_type"],
  entity_id: string,
  level?: CheckAccessItem["level"],
): CheckAccessItem => ({ user_id, entity_type, entity_id, ...(level === undefined ? {} : { level }) });

const bulk = (actor: string, input: unknown, options?: Parameters<AccessControl["bulkCheckAccess"]>[3]) =>
  ac.bulkCheckAccess(ORG, actor, untyped<BulkCheckAccessInput>(input), options);

describe("bulkCheckAccess: answers in order, each item on its own", () => {
  it("answers every check in the request's order, each as checkAccess would", async () => {
    const checks = [
      item(SUBJECT, "knowledge_slice", SLICE, "admin"),
      item(SUBJECT, "vector_store", STORE, "write"),
      item(STRANGER, "assistant", ASSISTANT),
      item(SUBJECT, "knowledge_slice", SLICE),
      item(WRITER, "knowledge_slice", COMPOSITE, "read"),
      item(SUBJECT, "knowledge_slice", SLICE, "admin"),
    ];
    const { results } = await bulk(OWNER, { checks });
    expect(results).toStrictEqual([
      { allowed: false, access_level: "write", grant_paths: SUBJECT_ON_SLICE },
      { allowed: true, access_level: "write", grant_paths: [path("direct", "write", "agrant_subject_store")] },
      NOTHING,
      { allowed: true, access_level: "write", grant_paths: SUBJECT_ON_SLICE },
      NOTHING,
      { allowed: false, access_level: "write", grant_paths: SUBJECT_ON_SLICE },
    ]);
    for (const [index, check] of checks.entries()) {
      const single = await ac.checkAccess(ORG, OWNER, check.user_id, check.entity_type, check.entity_id, {
        level: check.level,
      });
      expect(results[index]).toStrictEqual(single);
    }
  });

  it("answers a forbidden item with its own error and the others as usual", async () => {
    // usr_direct_admin administers kslice_target and vs_store1, not asst_bot1 or kslice_elsewhere.
    const { results } = await bulk(DIRECT_ADMIN, {
      checks: [
        item(SUBJECT, "knowledge_slice", SLICE, "read"),
        item(SUBJECT, "assistant", ASSISTANT),
        item(DIRECT_ADMIN, "assistant", ASSISTANT),
        item(SUBJECT, "knowledge_slice", OTHER_SLICE),
        item(SUBJECT, "vector_store", STORE),
      ],
    });
    expect(results).toStrictEqual([
      { allowed: true, access_level: "write", grant_paths: SUBJECT_ON_SLICE },
      {
        error: {
          code: "INSUFFICIENT_PERMISSIONS",
          message: "You do not have permission to check another user's access to this entity.",
          details: {
            user_id: SUBJECT,
            entity_type: "assistant",
            entity_id: ASSISTANT,
            required_level: "admin",
            index: 1,
          },
        },
      },
      NOTHING,
      {
        error: {
          code: "INSUFFICIENT_PERMISSIONS",
          message: "You do not have permission to check another user's access to this entity.",
          details: {
            user_id: SUBJECT,
            entity_type: "knowledge_slice",
            entity_id: OTHER_SLICE,
            required_level: "admin",
            index: 3,
          },
        },
      },
      { allowed: true, access_level: "write", grant_paths: [path("direct", "write", "agrant_subject_store")] },
    ]);
  });

  it("even when every item is forbidden, the call itself succeeds", async () => {
    const { results } = await bulk(STRANGER, { checks: [item(SUBJECT, "knowledge_slice", SLICE)] });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ error: { code: "INSUFFICIENT_PERMISSIONS", details: { index: 0 } } });
  });

  it.each([
    ["user_id", { user_id: "dept_eng" }],
    ["user_id", { user_id: undefined }],
    ["entity_type", { entity_type: "file" }],
    ["entity_id", { entity_id: "vs_store1" }],
    ["entity_id", { entity_id: null }],
    ["level", { level: "owner" }],
    ["level", { level: 2 }],
  ])(
    "answers an item with a bad %s (%j) with its own VALIDATION_ERROR, naming checks[i].field",
    async (field, change) => {
      const good = item(SUBJECT, "knowledge_slice", SLICE, "write");
      const { results } = await bulk(SUBJECT, { checks: [good, { ...good, ...change }, good] });
      const expected = { allowed: true, access_level: "write", grant_paths: SUBJECT_ON_SLICE };
      expect(results[0]).toStrictEqual(expected);
      expect(results[2]).toStrictEqual(expected);
      const failed = results[1] as { error: { code: string; message: string; details: Record<string, unknown> } };
      expect(Object.keys(failed)).toEqual(["error"]);
      expect(Object.keys(failed.error).sort()).toEqual(["code", "details", "message"]);
      expect(failed.error.code).toBe("VALIDATION_ERROR");
      expect(failed.error.message).toBe("The request contains invalid data.");
      expect(failed.error.details).toMatchObject({ field: `checks[1].${field}`, index: 1 });
      expect(failed.error.details.message).toEqual(expect.stringContaining(`checks[1].${field}`));
    },
  );

  it("validates an item before asking whether the actor may check it", async () => {
    const { results } = await bulk(STRANGER, { checks: [{ ...item(SUBJECT, "knowledge_slice", SLICE), level: "x" }] });
    expect(results[0]).toMatchObject({ error: { code: "VALIDATION_ERROR", details: { field: "checks[0].level" } } });
  });

  it("answers duplicate items each, and null levels as none", async () => {
    const check = item(SUBJECT, "knowledge_slice", SLICE, null);
    const { results } = await bulk(SUBJECT, { checks: [check, check] });
    expect(results).toStrictEqual([
      { allowed: true, access_level: "write", grant_paths: SUBJECT_ON_SLICE },
      { allowed: true, access_level: "write", grant_paths: SUBJECT_ON_SLICE },
    ]);
  });

  it("takes one `at` for every item", async () => {
    const checks = [item(SUBJECT, "vector_store", STORE), item(SOON_ADMIN, "assistant", ASSISTANT)];
    expect((await bulk(OWNER, { checks })).results.map((r) => (r as AccessCheck).allowed)).toEqual([true, true]);
    const later = { checks, at: new Date(IN_AN_HOUR) };
    expect((await bulk(OWNER, later)).results).toStrictEqual([NOTHING, NOTHING]);
    const error = await failure(() => bulk(OWNER, { checks, at: "tomorrow" }));
    expect(error.details.field).toBe("at");
  });
});

describe("bulkCheckAccess: what fails the whole call", () => {
  const one = item(SUBJECT, "knowledge_slice", SLICE);

  it.each([
    ["checks", "no checks", {}],
    ["checks", "checks: null", { checks: null }],
    ["checks", "checks as an object", { checks: { 0: one } }],
    ["checks", "checks as a string", { checks: "usr_subject" }],
    ["checks", "0 checks", { checks: [] }],
    ["checks", "101 checks", { checks: Array.from({ length: 101 }, () => one) }],
    ["body", "an input that is not an object", [one]],
    ["body", "null", null],
  ])("VALIDATION_ERROR naming %s for %s", async (field, _what, input) => {
    const error = await failure(() => bulk(OWNER, input));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details.field).toBe(field);
    expect(error.details.index).toBeUndefined();
  });

  it("says how many checks are allowed", async () => {
    const error = await failure(() => bulk(OWNER, { checks: Array.from({ length: 101 }, () => one) }));
    expect(error.details.message).toBe("checks may contain at most 100 checks, got 101");
    expect((await failure(() => bulk(OWNER, { checks: [] }))).details.message).toBe(
      "checks must contain at least one check",
    );
  });

  it("answers exactly 1 and exactly 100 checks", async () => {
    expect((await bulk(OWNER, { checks: [one] })).results).toHaveLength(1);
    const { results } = await bulk(OWNER, { checks: Array.from({ length: 100 }, () => one) });
    expect(results).toHaveLength(100);
    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
  });

  it.each([
    ["null", null],
    ["a number", 7],
    ["a string", "usr_subject"],
    ["an array", [SUBJECT, "knowledge_slice", SLICE]],
    ["a boolean", true],
    ["a hole", undefined],
  ])("an item that is not an object (%s) fails the whole call, naming checks[i] and its index", async (_what, bad) => {
    const checks = [one, one, bad, one];
    const error = await failure(() => bulk(OWNER, { checks }));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field: "checks[2]", index: 2 });
    expect(error.details.message).toEqual(expect.stringMatching(/^checks\[2\] must be an object/));
  });

  it("an unknown organization is a 404 for the whole call, after the list's shape and before any item", async () => {
    const unknown = "org_nowhere";
    const missing = await failure(() =>
      ac.bulkCheckAccess(unknown, STRANGER, { checks: [one, untyped({ ...one, level: "x" })] }),
    );
    expect(missing.code).toBe("RESOURCE_NOT_FOUND");
    expect(missing.details).toStrictEqual({ organization_id: unknown });
    const shape = await failure(() => ac.bulkCheckAccess(unknown, STRANGER, { checks: [] }));
    expect(shape.details.field).toBe("checks");
  });

  it("names the organization and the actor when they are malformed", async () => {
    expect((await failure(() => ac.bulkCheckAccess("acme", OWNER, { checks: [one] }))).details.field).toBe(
      "organization_id",
    );
    expect((await failure(() => ac.bulkCheckAccess(ORG, "owner", { checks: [one] }))).details.field).toBe("actor_id");
  });
});

describe("bulkCheckAccess: one revision for every item", () => {
  it("reports the one revision every item was answered on, and takes minRevision", async () => {
    const checks = [item(SUBJECT, "knowledge_slice", SLICE), item(STRANGER, "assistant", ASSISTANT)];
    const seen: number[] = [];
    const { revision } = await ac.graph(ORG);
    await bulk(OWNER, { checks }, { onRevision: (r) => seen.push(r) });
    expect(seen).toEqual([revision]);
    const error = await failure(() => bulk(OWNER, { checks }, { minRevision: revision + 1 }));
    expect(error.details.field).toBe("min_revision");
  });

  it("answers every item on the graph it read, whatever commits while it runs", async () => {
    const grantTo = (user: string) =>
      ac.createGrant(ORG, OWNER, {
        entity_type: "assistant",
        entity_id: ASSISTANT,
        grantee_type: "user",
        grantee_id: user,
        access_level: "write",
      });
    const users = Array.from({ length: 40 }, (_, i) => `usr_racer${i}`);
    const checks = users.map((user) => item(user, "assistant", ASSISTANT));
    const { revision: before } = await ac.graph(ORG);
    let revision = 0;
    // Grants land one by one while the bulk check is under way.
    const [answer] = await Promise.all([
      bulk(OWNER, { checks }, { onRevision: (r) => (revision = r) }),
      ...users.map(grantTo),
    ]);
    // The users granted at that revision, from the change log.
    const log = await ac.changes(ORG, OWNER, { since: before, limit: 1000 });
    const grantedThen = new Set(
      log.items
        .filter((commit) => commit.revision <= revision)
        .flatMap((commit) => commit.changes)
        .flatMap((change) => (change.type === "put_grant" ? [change.grant.grantee_id] : [])),
    );
    const allowed = answer.results.map((result) => (result as AccessCheck).allowed);
    expect(allowed).toEqual(users.map((user) => grantedThen.has(user)));
  });
});
