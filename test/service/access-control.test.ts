/**
 * The grant-management service (docs/spec.md §5 and §6, the worked example's grant object and error
 * wording): who may call what, the grant object's fields and timestamps, validation of every
 * input, atomicity of failed calls, directory operations, expiry and close(). Every expected
 * value is written out from docs/spec.md (with its worked example, §12), never computed by the library.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  type AccessControl,
  AccessError,
  type BulkCreateGrantsInput,
  type CreateGrantInput,
  createAccessControl,
  type GrantRecord,
  type ListGrantsQuery,
  memoryStorage,
  type ResolveAccessQuery,
} from "../../src/index.js";
import { type ManualClock, manualClock, sequentialIds } from "../../src/testing/test-kit.js";

const T0 = "2025-06-15T10:00:00Z";

const ORG = "org_acme";
const OTHER_ORG = "org_other";
const OWNER = "usr_owner1";
const OTHER_OWNER = "usr_owner2";
const DIRECT_ADMIN = "usr_direct_admin";
const DEPT_ADMIN = "usr_dept_admin";
const ROLE_ADMIN = "usr_role_admin";
const COMP_ADMIN = "usr_comp_admin";
const WRITER = "usr_writer";
const READER = "usr_reader";
const SUBJECT = "usr_subject";
const STRANGER = "usr_stranger";
const NEWCOMER = "usr_newcomer";

const SLICE = "kslice_target";
const COMPOSITE = "kslice_comp";
const OTHER_SLICE = "kslice_elsewhere";
const STORE = "vs_store1";
const ASSISTANT = "asst_bot1";
const DEPT_ENG = "dept_eng";
const DEPT_BACKEND = "dept_backend";
const ROLE_ADMINS = "role_admins";

/** The n-th id `sequentialIds()` hands out. */
const G = (n: number): string => `agrant_test${String(n).padStart(4, "0")}`;

/** The keys of the worked example's grant object (docs/spec.md §12). */
const SEED_GRANT_KEYS = [
  "access_level",
  "created_at",
  "entity_id",
  "entity_type",
  "granted_by",
  "grantee_id",
  "grantee_type",
  "id",
  "organization_id",
  "updated_at",
];

/** The worked example's exact wording for a bad entity_type. */
const ENTITY_TYPE_MESSAGE = "entity_type must be one of {'knowledge_slice', 'vector_store', 'assistant'}";

interface Fixture {
  readonly ac: AccessControl;
  readonly clock: ManualClock;
}

/** A value of the wrong shape, passed where a typed argument is expected (validation tests). */
function untyped<T>(value: unknown): T {
  return value as T;
}

/** Awaits `call` and returns the AccessError it failed with (a synchronous throw counts too). */
async function failure(call: () => Promise<unknown>): Promise<AccessError> {
  let failed = false;
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    failed = true;
    caught = error;
  }
  if (!failed) throw new Error("expected the call to fail, but it succeeded");
  if (!(caught instanceof AccessError)) throw caught;
  return caught;
}

function service(clock: ManualClock): AccessControl {
  return createAccessControl({ storage: memoryStorage(), clock: clock.now, ids: sequentialIds() });
}

/**
 * org_acme:
 *   owner usr_owner1; dept_backend under dept_eng; usr_dept_admin in dept_backend;
 *   usr_role_admin holds role_admins; kslice_comp contains kslice_target.
 *   0001 kslice_target ← user usr_direct_admin admin
 *   0002 kslice_target ← department dept_eng admin
 *   0003 kslice_target ← role role_admins admin
 *   0004 kslice_comp   ← user usr_comp_admin admin
 *   0005 kslice_target ← user usr_writer write
 *   0006 kslice_target ← user usr_reader read
 *   0007 kslice_target ← user usr_subject read
 *   0008 vs_store1     ← user usr_direct_admin admin
 *   0009 asst_bot1     ← user usr_direct_admin admin
 * org_other: owner usr_owner2;
 *   0010 kslice_target ← user usr_stranger admin
 */
async function setup(): Promise<Fixture> {
  const clock = manualClock(T0);
  const ac = service(clock);
  await ac.createOrganization(ORG, { owners: [OWNER] });
  await ac.createOrganization(OTHER_ORG, { owners: [OTHER_OWNER] });
  await ac.createDepartment(ORG, OWNER, { id: DEPT_ENG, parent_id: null });
  await ac.createDepartment(ORG, OWNER, { id: DEPT_BACKEND, parent_id: DEPT_ENG });
  await ac.addDepartmentMember(ORG, OWNER, DEPT_ADMIN, DEPT_BACKEND);
  await ac.addRoleMember(ORG, OWNER, ROLE_ADMIN, ROLE_ADMINS);
  await ac.createComposite(ORG, OWNER, { id: COMPOSITE, member_slice_ids: [SLICE] });
  const slice = { entity_type: "knowledge_slice", entity_id: SLICE } as const;
  await ac.createGrant(ORG, OWNER, { ...slice, grantee_type: "user", grantee_id: DIRECT_ADMIN, access_level: "admin" });
  await ac.createGrant(ORG, OWNER, {
    ...slice,
    grantee_type: "department",
    grantee_id: DEPT_ENG,
    access_level: "admin",
  });
  await ac.createGrant(ORG, OWNER, { ...slice, grantee_type: "role", grantee_id: ROLE_ADMINS, access_level: "admin" });
  await ac.createGrant(ORG, OWNER, {
    entity_type: "knowledge_slice",
    entity_id: COMPOSITE,
    grantee_type: "user",
    grantee_id: COMP_ADMIN,
    access_level: "admin",
  });
  await ac.createGrant(ORG, OWNER, { ...slice, grantee_type: "user", grantee_id: WRITER, access_level: "write" });
  await ac.createGrant(ORG, OWNER, { ...slice, grantee_type: "user", grantee_id: READER, access_level: "read" });
  await ac.createGrant(ORG, OWNER, { ...slice, grantee_type: "user", grantee_id: SUBJECT, access_level: "read" });
  await ac.createGrant(ORG, OWNER, {
    entity_type: "vector_store",
    entity_id: STORE,
    grantee_type: "user",
    grantee_id: DIRECT_ADMIN,
    access_level: "admin",
  });
  await ac.createGrant(ORG, OWNER, {
    entity_type: "assistant",
    entity_id: ASSISTANT,
    grantee_type: "user",
    grantee_id: DIRECT_ADMIN,
    access_level: "admin",
  });
  await ac.createGrant(OTHER_ORG, OTHER_OWNER, {
    ...slice,
    grantee_type: "user",
    grantee_id: STRANGER,
    access_level: "admin",
  });
  return { ac, clock };
}

/** A grant record of org_acme as the seed shapes it, created by the owner at T0. */
function acmeGrant(
  n: number,
  fields: Pick<GrantRecord, "entity_type" | "entity_id" | "grantee_type" | "grantee_id" | "access_level"> &
    Partial<GrantRecord>,
): GrantRecord {
  return {
    id: G(n),
    granted_by: OWNER,
    organization_id: ORG,
    created_at: T0,
    updated_at: T0,
    ...fields,
  };
}

const SETUP_GRANTS: readonly GrantRecord[] = [
  acmeGrant(1, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: DIRECT_ADMIN,
    access_level: "admin",
  }),
  acmeGrant(2, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "department",
    grantee_id: DEPT_ENG,
    access_level: "admin",
  }),
  acmeGrant(3, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "role",
    grantee_id: ROLE_ADMINS,
    access_level: "admin",
  }),
  acmeGrant(4, {
    entity_type: "knowledge_slice",
    entity_id: COMPOSITE,
    grantee_type: "user",
    grantee_id: COMP_ADMIN,
    access_level: "admin",
  }),
  acmeGrant(5, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: WRITER,
    access_level: "write",
  }),
  acmeGrant(6, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: READER,
    access_level: "read",
  }),
  acmeGrant(7, {
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: SUBJECT,
    access_level: "read",
  }),
  acmeGrant(8, {
    entity_type: "vector_store",
    entity_id: STORE,
    grantee_type: "user",
    grantee_id: DIRECT_ADMIN,
    access_level: "admin",
  }),
  acmeGrant(9, {
    entity_type: "assistant",
    entity_id: ASSISTANT,
    grantee_type: "user",
    grantee_id: DIRECT_ADMIN,
    access_level: "admin",
  }),
];

function setupGrant(n: number): GrantRecord {
  const found = SETUP_GRANTS[n - 1];
  if (!found) throw new Error(`no setup grant ${n}`);
  return found;
}

/** The grants on kslice_target itself, in listing order (created_at, then id). */
const SLICE_GRANT_PAGE = {
  items: [1, 2, 3, 5, 6, 7].map(setupGrant),
  total: 6,
  skip: 0,
  limit: 20,
  has_more: false,
};

const NULL_PATH = { department_id: null, role_id: null, composite_id: null };

/** docs/spec.md §6 users-with-access for kslice_target, sorted by user_id. */
const SLICE_USERS = {
  entity_type: "knowledge_slice",
  entity_id: SLICE,
  users: [
    {
      user_id: COMP_ADMIN,
      access_level: "admin",
      grant_paths: [
        { type: "composite", access_level: "admin", ...NULL_PATH, composite_id: COMPOSITE, grant_id: G(4) },
      ],
    },
    {
      user_id: DEPT_ADMIN,
      access_level: "admin",
      grant_paths: [
        { type: "department", access_level: "admin", ...NULL_PATH, department_id: DEPT_ENG, grant_id: G(2) },
      ],
    },
    {
      user_id: DIRECT_ADMIN,
      access_level: "admin",
      grant_paths: [{ type: "direct", access_level: "admin", ...NULL_PATH, grant_id: G(1) }],
    },
    {
      user_id: READER,
      access_level: "read",
      grant_paths: [{ type: "direct", access_level: "read", ...NULL_PATH, grant_id: G(6) }],
    },
    {
      user_id: ROLE_ADMIN,
      access_level: "admin",
      grant_paths: [{ type: "role", access_level: "admin", ...NULL_PATH, role_id: ROLE_ADMINS, grant_id: G(3) }],
    },
    {
      user_id: SUBJECT,
      access_level: "read",
      grant_paths: [{ type: "direct", access_level: "read", ...NULL_PATH, grant_id: G(7) }],
    },
    {
      user_id: WRITER,
      access_level: "write",
      grant_paths: [{ type: "direct", access_level: "write", ...NULL_PATH, grant_id: G(5) }],
    },
  ],
};

const NEW_READ_GRANT: CreateGrantInput = {
  entity_type: "knowledge_slice",
  entity_id: SLICE,
  grantee_type: "user",
  grantee_id: NEWCOMER,
  access_level: "read",
};

/** The users whose resolved access a "nothing changed" check compares. */
const OBSERVED_USERS = [DIRECT_ADMIN, DEPT_ADMIN, ROLE_ADMIN, COMP_ADMIN, WRITER, READER, SUBJECT, STRANGER, NEWCOMER];

/** Everything a call could change in org_acme, read through the owner. */
async function observe(ac: AccessControl): Promise<unknown> {
  return {
    grants: await ac.listGrants(ORG, OWNER, { limit: 100 }),
    graph: await ac.exportOrganization(ORG, OWNER),
    resolved: await Promise.all(OBSERVED_USERS.map((user) => ac.resolveAccess(ORG, OWNER, user))),
    subject: await ac.getGrant(ORG, OWNER, G(7)),
  };
}

const ENTITY_ADMINS = [
  ["the owner", OWNER],
  ["an admin through a direct grant", DIRECT_ADMIN],
  ["an admin through a grant to an ancestor department", DEPT_ADMIN],
  ["an admin through a role grant", ROLE_ADMIN],
  ["an admin through a grant on a composite containing the entity", COMP_ADMIN],
] as const;

const NON_ADMINS = [
  ["a writer of the entity", WRITER],
  ["a reader of the entity", READER],
  ["a stranger (admin of the same entity id in another organization)", STRANGER],
  ["the owner of another organization", OTHER_OWNER],
] as const;

/** Everyone but the owner: for owner-only operations. */
const NON_OWNERS = [...ENTITY_ADMINS.slice(1), ...NON_ADMINS];

interface Operation {
  readonly name: string;
  run(fixture: Fixture, actor: string): Promise<unknown>;
  /** What the call answers when the actor may make it. */
  expected(actor: string): unknown;
}

/** Operations that need `admin` on kslice_target, or ownership. */
const ENTITY_ADMIN_OPERATIONS: readonly Operation[] = [
  {
    name: "createGrant",
    run: ({ ac }, actor) => ac.createGrant(ORG, actor, NEW_READ_GRANT),
    expected: (actor) => acmeGrant(11, { ...NEW_READ_GRANT, granted_by: actor }),
  },
  {
    name: "bulkCreateGrants",
    run: ({ ac }, actor) =>
      ac.bulkCreateGrants(ORG, actor, {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        grants: [
          { grantee_type: "user", grantee_id: NEWCOMER, access_level: "read" },
          { grantee_type: "role", grantee_id: "role_new", access_level: "write" },
        ],
      }),
    expected: (actor) => [
      acmeGrant(11, { ...NEW_READ_GRANT, granted_by: actor }),
      acmeGrant(12, {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        grantee_type: "role",
        grantee_id: "role_new",
        access_level: "write",
        granted_by: actor,
      }),
    ],
  },
  {
    name: "listGrants filtered by entity_type and entity_id",
    run: ({ ac }, actor) => ac.listGrants(ORG, actor, { entity_type: "knowledge_slice", entity_id: SLICE }),
    expected: () => SLICE_GRANT_PAGE,
  },
  {
    name: "listGrants filtered by entity_id alone",
    run: ({ ac }, actor) => ac.listGrants(ORG, actor, { entity_id: SLICE }),
    expected: () => SLICE_GRANT_PAGE,
  },
  {
    name: "listSliceGrants",
    run: ({ ac }, actor) => ac.listSliceGrants(ORG, actor, SLICE),
    expected: () => SLICE_GRANT_PAGE,
  },
  {
    name: "getGrant",
    run: ({ ac }, actor) => ac.getGrant(ORG, actor, G(7)),
    expected: () => setupGrant(7),
  },
  {
    name: "updateGrant",
    run: ({ ac }, actor) => ac.updateGrant(ORG, actor, G(7), { access_level: "write" }),
    expected: () => ({ ...setupGrant(7), access_level: "write" }),
  },
  {
    name: "revokeGrant",
    run: async ({ ac }, actor) => {
      const answer = await ac.revokeGrant(ORG, actor, G(7));
      return { answer, after: await ac.getGrant(ORG, OWNER, G(7)) };
    },
    expected: () => ({ answer: undefined, after: { ...setupGrant(7), revoked_at: T0 } }),
  },
  {
    name: "usersWithAccess",
    run: ({ ac }, actor) => ac.usersWithAccess(ORG, actor, "knowledge_slice", SLICE),
    expected: () => SLICE_USERS,
  },
];

/** Operations only the organization's owners may make. */
const OWNER_OPERATIONS: readonly Operation[] = [
  {
    name: "listGrants unfiltered",
    run: ({ ac }, actor) => ac.listGrants(ORG, actor),
    expected: () => ({ items: SETUP_GRANTS, total: 9, skip: 0, limit: 20, has_more: false }),
  },
  {
    name: "listGrants filtered by entity_type only",
    run: ({ ac }, actor) => ac.listGrants(ORG, actor, { entity_type: "vector_store" }),
    expected: () => ({ items: [setupGrant(8)], total: 1, skip: 0, limit: 20, has_more: false }),
  },
  {
    name: "listGrants filtered by grantee only",
    run: ({ ac }, actor) => ac.listGrants(ORG, actor, { grantee_type: "user", grantee_id: SUBJECT }),
    expected: () => ({ items: [setupGrant(7)], total: 1, skip: 0, limit: 20, has_more: false }),
  },
  {
    name: "exportOrganization",
    run: async ({ ac }, actor) => {
      const graph = await ac.exportOrganization(ORG, actor);
      return { organization_id: graph.organization_id, owners: graph.owners };
    },
    expected: () => ({ organization_id: ORG, owners: [OWNER] }),
  },
  {
    name: "setOwners",
    run: ({ ac }, actor) => ac.setOwners(ORG, actor, ["usr_owner3", OWNER]),
    expected: () => [OWNER, "usr_owner3"],
  },
  {
    name: "addDepartmentMember",
    run: ({ ac }, actor) => ac.addDepartmentMember(ORG, actor, SUBJECT, DEPT_ENG),
    expected: () => ({ id: SUBJECT, department_ids: [DEPT_ENG], role_ids: [] }),
  },
  {
    name: "removeDepartmentMember",
    run: ({ ac }, actor) => ac.removeDepartmentMember(ORG, actor, DEPT_ADMIN, DEPT_BACKEND),
    expected: () => ({ id: DEPT_ADMIN, department_ids: [], role_ids: [] }),
  },
  {
    name: "addRoleMember",
    run: ({ ac }, actor) => ac.addRoleMember(ORG, actor, SUBJECT, ROLE_ADMINS),
    expected: () => ({ id: SUBJECT, department_ids: [], role_ids: [ROLE_ADMINS] }),
  },
  {
    name: "removeRoleMember",
    run: ({ ac }, actor) => ac.removeRoleMember(ORG, actor, ROLE_ADMIN, ROLE_ADMINS),
    expected: () => ({ id: ROLE_ADMIN, department_ids: [], role_ids: [] }),
  },
  {
    name: "createDepartment",
    run: ({ ac }, actor) => ac.createDepartment(ORG, actor, { id: "dept_new", parent_id: DEPT_ENG }),
    expected: () => ({ id: "dept_new", parent_id: DEPT_ENG }),
  },
  {
    name: "moveDepartment",
    run: ({ ac }, actor) => ac.moveDepartment(ORG, actor, DEPT_BACKEND, null),
    expected: () => ({ id: DEPT_BACKEND, parent_id: null }),
  },
  {
    name: "deleteDepartment",
    run: ({ ac }, actor) => ac.deleteDepartment(ORG, actor, DEPT_BACKEND),
    expected: () => undefined,
  },
  {
    name: "createComposite",
    run: ({ ac }, actor) => ac.createComposite(ORG, actor, { id: "kslice_comp2", member_slice_ids: [SLICE] }),
    expected: () => ({ id: "kslice_comp2", member_slice_ids: [SLICE] }),
  },
  {
    name: "setCompositeMembers",
    run: ({ ac }, actor) => ac.setCompositeMembers(ORG, actor, COMPOSITE, ["kslice_more", SLICE]),
    expected: () => ({ id: COMPOSITE, member_slice_ids: ["kslice_more", SLICE] }),
  },
];

describe("who may call what (docs/spec.md §6)", () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await setup();
  });

  describe.each(ENTITY_ADMIN_OPERATIONS)("$name needs admin on the entity, or ownership", (operation) => {
    it.each(ENTITY_ADMINS)("is allowed for %s", async (_who, actor) => {
      expect(await operation.run(fixture, actor)).toEqual(operation.expected(actor));
    });

    it.each(NON_ADMINS)("is refused with 403 INSUFFICIENT_PERMISSIONS for %s", async (_who, actor) => {
      const error = await failure(() => operation.run(fixture, actor));
      expect(error.code).toBe("INSUFFICIENT_PERMISSIONS");
      expect(error.status).toBe(403);
    });
  });

  describe.each(OWNER_OPERATIONS)("$name is for owners only", (operation) => {
    it("is allowed for the owner", async () => {
      expect(await operation.run(fixture, OWNER)).toEqual(operation.expected(OWNER));
    });

    it.each(NON_OWNERS)("is refused with 403 INSUFFICIENT_PERMISSIONS for %s", async (_who, actor) => {
      const error = await failure(() => operation.run(fixture, actor));
      expect(error.code).toBe("INSUFFICIENT_PERMISSIONS");
      expect(error.status).toBe(403);
    });
  });

  describe.each([
    {
      name: "listVectorStoreGrants",
      run: ({ ac }: Fixture, actor: string) => ac.listVectorStoreGrants(ORG, actor, STORE),
      grant: 8,
    },
    {
      name: "listAssistantGrants",
      run: ({ ac }: Fixture, actor: string) => ac.listAssistantGrants(ORG, actor, ASSISTANT),
      grant: 9,
    },
  ])("$name needs admin on that entity, or ownership", ({ run, grant }) => {
    it.each([
      ["the owner", OWNER],
      ["an admin through a direct grant", DIRECT_ADMIN],
    ])("is allowed for %s", async (_who, actor) => {
      expect(await run(fixture, actor)).toEqual({
        items: [setupGrant(grant)],
        total: 1,
        skip: 0,
        limit: 20,
        has_more: false,
      });
    });

    it.each([
      ["an admin of a knowledge slice (not of this entity)", DEPT_ADMIN],
      ["an admin of a composite slice", COMP_ADMIN],
      ["a writer of a knowledge slice", WRITER],
      ["a stranger", STRANGER],
      ["the owner of another organization", OTHER_OWNER],
    ])("is refused for %s", async (_who, actor) => {
      expect((await failure(() => run(fixture, actor))).code).toBe("INSUFFICIENT_PERMISSIONS");
    });
  });

  it("admin on one entity is no permission on another", async () => {
    const other = { ...NEW_READ_GRANT, entity_id: OTHER_SLICE };
    expect((await failure(() => fixture.ac.createGrant(ORG, DIRECT_ADMIN, other))).code).toBe(
      "INSUFFICIENT_PERMISSIONS",
    );
    expect((await failure(() => fixture.ac.createGrant(ORG, COMP_ADMIN, other))).code).toBe("INSUFFICIENT_PERMISSIONS");
    const listed = await failure(() => fixture.ac.listSliceGrants(ORG, DIRECT_ADMIN, OTHER_SLICE));
    expect(listed.code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("an admin through a composite also administers the composite itself", async () => {
    const grant = await fixture.ac.createGrant(ORG, COMP_ADMIN, { ...NEW_READ_GRANT, entity_id: COMPOSITE });
    expect(grant).toEqual(acmeGrant(11, { ...NEW_READ_GRANT, entity_id: COMPOSITE, granted_by: COMP_ADMIN }));
  });

  it("write access to an entity does not let its holder change their own grant", async () => {
    const error = await failure(() => fixture.ac.updateGrant(ORG, WRITER, G(5), { access_level: "admin" }));
    expect(error.code).toBe("INSUFFICIENT_PERMISSIONS");
  });

  it("an owner of the organization needs no grant at all", async () => {
    const grant = await fixture.ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, entity_id: OTHER_SLICE });
    expect(grant).toEqual(acmeGrant(11, { ...NEW_READ_GRANT, entity_id: OTHER_SLICE }));
  });

  describe("resolveAccess: the user themself or an owner", () => {
    it("a user reads their own access", async () => {
      expect(await fixture.ac.resolveAccess(ORG, DIRECT_ADMIN, DIRECT_ADMIN)).toEqual({
        user_id: DIRECT_ADMIN,
        entities: [
          {
            entity_type: "assistant",
            entity_id: ASSISTANT,
            access_level: "admin",
            grant_paths: [{ type: "direct", access_level: "admin", ...NULL_PATH, grant_id: G(9) }],
          },
          {
            entity_type: "knowledge_slice",
            entity_id: SLICE,
            access_level: "admin",
            grant_paths: [{ type: "direct", access_level: "admin", ...NULL_PATH, grant_id: G(1) }],
          },
          {
            entity_type: "vector_store",
            entity_id: STORE,
            access_level: "admin",
            grant_paths: [{ type: "direct", access_level: "admin", ...NULL_PATH, grant_id: G(8) }],
          },
        ],
      });
    });

    it("entity_type filters the entities", async () => {
      expect(await fixture.ac.resolveAccess(ORG, DIRECT_ADMIN, DIRECT_ADMIN, { entityType: "vector_store" })).toEqual({
        user_id: DIRECT_ADMIN,
        entities: [
          {
            entity_type: "vector_store",
            entity_id: STORE,
            access_level: "admin",
            grant_paths: [{ type: "direct", access_level: "admin", ...NULL_PATH, grant_id: G(8) }],
          },
        ],
      });
    });

    it("the names the service first had still answer: resolvedAccess, and entity_type for entityType", async () => {
      const expected = await fixture.ac.resolveAccess(ORG, DIRECT_ADMIN, DIRECT_ADMIN, { entityType: "vector_store" });
      expect(await fixture.ac.resolvedAccess(ORG, DIRECT_ADMIN, DIRECT_ADMIN, { entity_type: "vector_store" })).toEqual(
        expected,
      );
      expect(await fixture.ac.resolveAccess(ORG, DIRECT_ADMIN, DIRECT_ADMIN, { entity_type: "vector_store" })).toEqual(
        expected,
      );
      expect(await fixture.ac.resolvedAccess(ORG, OWNER, COMP_ADMIN)).toEqual(
        await fixture.ac.resolveAccess(ORG, OWNER, COMP_ADMIN),
      );
    });

    it("both spellings of the entity type must agree", async () => {
      const both = untyped<ResolveAccessQuery>({ entityType: "vector_store", entity_type: "assistant" });
      const error = await fixture.ac.resolveAccess(ORG, DIRECT_ADMIN, DIRECT_ADMIN, both).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "entity_type" } });
      const same = untyped<ResolveAccessQuery>({ entityType: "vector_store", entity_type: "vector_store" });
      expect(await fixture.ac.resolveAccess(ORG, DIRECT_ADMIN, DIRECT_ADMIN, same)).toEqual(
        await fixture.ac.resolveAccess(ORG, DIRECT_ADMIN, DIRECT_ADMIN, { entityType: "vector_store" }),
      );
    });

    it("an owner reads anyone's access", async () => {
      expect(await fixture.ac.resolveAccess(ORG, OWNER, COMP_ADMIN)).toEqual({
        user_id: COMP_ADMIN,
        entities: [
          {
            entity_type: "knowledge_slice",
            entity_id: COMPOSITE,
            access_level: "admin",
            grant_paths: [{ type: "direct", access_level: "admin", ...NULL_PATH, grant_id: G(4) }],
          },
          {
            entity_type: "knowledge_slice",
            entity_id: SLICE,
            access_level: "admin",
            grant_paths: [
              { type: "composite", access_level: "admin", ...NULL_PATH, composite_id: COMPOSITE, grant_id: G(4) },
            ],
          },
        ],
      });
    });

    it("a stranger reads their own (empty) access; another organization's grants do not show", async () => {
      expect(await fixture.ac.resolveAccess(ORG, STRANGER, STRANGER)).toEqual({ user_id: STRANGER, entities: [] });
    });

    it.each([
      ["an entity admin", DIRECT_ADMIN],
      ["another user", READER],
      ["a stranger", STRANGER],
      ["the owner of another organization", OTHER_OWNER],
    ])("%s may not read someone else's access", async (_who, actor) => {
      const error = await failure(() => fixture.ac.resolveAccess(ORG, actor, SUBJECT));
      expect(error.code).toBe("INSUFFICIENT_PERMISSIONS");
      expect(error.status).toBe(403);
    });
  });

  it("a grant of another organization cannot be read, changed or revoked by id", async () => {
    const { ac } = fixture;
    for (const call of [
      () => ac.getGrant(ORG, OWNER, G(10)),
      () => ac.updateGrant(ORG, OWNER, G(10), { access_level: "read" }),
      () => ac.revokeGrant(ORG, OWNER, G(10)),
    ]) {
      const error = await failure(call);
      expect(error.code).toBe("RESOURCE_NOT_FOUND");
      expect(error.details).toMatchObject({ grant_id: G(10) });
    }
    expect(await ac.getGrant(OTHER_ORG, OTHER_OWNER, G(10))).toMatchObject({
      organization_id: OTHER_ORG,
      access_level: "admin",
    });
  });

  it("an admin grant that has expired no longer gives permission", async () => {
    const { ac, clock } = fixture;
    await ac.createGrant(ORG, OWNER, {
      ...NEW_READ_GRANT,
      entity_id: OTHER_SLICE,
      grantee_id: READER,
      access_level: "admin",
      expires_at: "2025-06-15T11:00:00Z",
    });
    const create = { ...NEW_READ_GRANT, entity_id: OTHER_SLICE };
    clock.set("2025-06-15T10:59:59Z");
    await expect(ac.listSliceGrants(ORG, READER, OTHER_SLICE)).resolves.toMatchObject({ total: 1 });
    clock.set("2025-06-15T11:00:00Z");
    expect((await failure(() => ac.createGrant(ORG, READER, create))).code).toBe("INSUFFICIENT_PERMISSIONS");
  });
});

describe("the grant object and its timestamps", () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await setup();
  });

  it("has exactly the worked example's keys, organization_id the organization and granted_by the actor", async () => {
    const grant = await fixture.ac.createGrant(ORG, ROLE_ADMIN, NEW_READ_GRANT);
    expect(Object.keys(grant).sort()).toEqual(SEED_GRANT_KEYS);
    expect(grant).toEqual({
      id: G(11),
      entity_type: "knowledge_slice",
      entity_id: SLICE,
      grantee_type: "user",
      grantee_id: NEWCOMER,
      access_level: "read",
      granted_by: ROLE_ADMIN,
      organization_id: ORG,
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-15T10:00:00Z",
    });
    const read = await fixture.ac.getGrant(ORG, OWNER, G(11));
    expect(Object.keys(read).sort()).toEqual(SEED_GRANT_KEYS);
    const listed = await fixture.ac.listGrants(ORG, OWNER, { granteeId: NEWCOMER });
    expect(listed.items.map((item) => Object.keys(item).sort())).toEqual([SEED_GRANT_KEYS]);
  });

  it("timestamps use the worked example's format: UTC, whole seconds, Z", async () => {
    fixture.clock.set("2025-06-15T12:34:56.789Z");
    const grant = await fixture.ac.createGrant(ORG, OWNER, NEW_READ_GRANT);
    expect(grant.created_at).toBe("2025-06-15T12:34:56Z");
    expect(grant.updated_at).toBe("2025-06-15T12:34:56Z");
  });

  it("adds expires_at, as given, only when set", async () => {
    const grant = await fixture.ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, expires_at: "2025-07-01T00:00:00Z" });
    expect(Object.keys(grant).sort()).toEqual([...SEED_GRANT_KEYS, "expires_at"].sort());
    expect(grant.expires_at).toBe("2025-07-01T00:00:00Z");
    expect((await fixture.ac.getGrant(ORG, OWNER, grant.id)).expires_at).toBe("2025-07-01T00:00:00Z");
  });

  it("updateGrant changes access_level and updated_at, not created_at", async () => {
    const { ac, clock } = fixture;
    clock.set("2025-06-15T11:00:00Z");
    const updated = await ac.updateGrant(ORG, DIRECT_ADMIN, G(7), { access_level: "write" });
    expect(updated).toEqual({
      ...setupGrant(7),
      access_level: "write",
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-15T11:00:00Z",
    });
    expect(await ac.getGrant(ORG, OWNER, G(7))).toEqual(updated);
    expect(Object.keys(updated).sort()).toEqual(SEED_GRANT_KEYS);
  });

  it("updateGrant to the level the grant already has is a no-op: updated_at unchanged", async () => {
    const { ac, clock } = fixture;
    const before = await observe(ac);
    clock.set("2025-06-15T11:00:00Z");
    expect(await ac.updateGrant(ORG, OWNER, G(7), { access_level: "read" })).toEqual(setupGrant(7));
    expect(await observe(ac)).toEqual(before);
  });

  it("revokeGrant sets revoked_at and updated_at; created_at and the level stay; the grant stays readable", async () => {
    const { ac, clock } = fixture;
    clock.set("2025-06-15T11:00:00Z");
    await ac.updateGrant(ORG, OWNER, G(7), { access_level: "write" });
    clock.set("2025-06-15T12:00:00Z");
    await expect(ac.revokeGrant(ORG, OWNER, G(7))).resolves.toBeUndefined();
    const revoked = await ac.getGrant(ORG, OWNER, G(7));
    expect(revoked).toEqual({
      ...setupGrant(7),
      access_level: "write",
      created_at: "2025-06-15T10:00:00Z",
      updated_at: "2025-06-15T12:00:00Z",
      revoked_at: "2025-06-15T12:00:00Z",
    });
    expect(Object.keys(revoked).sort()).toEqual([...SEED_GRANT_KEYS, "revoked_at"].sort());
  });

  it("a revoked grant no longer resolves, lists or conflicts", async () => {
    const { ac } = fixture;
    await ac.revokeGrant(ORG, OWNER, G(7));
    expect(await ac.resolveAccess(ORG, OWNER, SUBJECT)).toEqual({ user_id: SUBJECT, entities: [] });
    expect((await ac.listSliceGrants(ORG, OWNER, SLICE)).items.map((grant) => grant.id)).toEqual(
      [1, 2, 3, 5, 6].map(G),
    );
    const again = await ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, grantee_id: SUBJECT, access_level: "write" });
    expect(again).toEqual(acmeGrant(11, { ...NEW_READ_GRANT, grantee_id: SUBJECT, access_level: "write" }));
  });

  it.each([
    ["updated", (ac: AccessControl) => ac.updateGrant(ORG, OWNER, G(7), { access_level: "admin" })],
    ["revoked again", (ac: AccessControl) => ac.revokeGrant(ORG, OWNER, G(7))],
  ])("a revoked grant cannot be %s: 404 naming the grant", async (_what, call) => {
    await fixture.ac.revokeGrant(ORG, OWNER, G(7));
    const error = await failure(() => call(fixture.ac));
    expect(error.code).toBe("RESOURCE_NOT_FOUND");
    expect(error.status).toBe(404);
    expect(error.details).toEqual({ grant_id: G(7) });
    expect(error.system_message).toBe("Access grant not found");
  });

  it.each([
    ["getGrant", (ac: AccessControl) => ac.getGrant(ORG, OWNER, "agrant_missing")],
    ["updateGrant", (ac: AccessControl) => ac.updateGrant(ORG, OWNER, "agrant_missing", { access_level: "read" })],
    ["revokeGrant", (ac: AccessControl) => ac.revokeGrant(ORG, OWNER, "agrant_missing")],
  ])("%s of an unknown grant answers 404 with details.grant_id", async (_name, call) => {
    const error = await failure(() => call(fixture.ac));
    expect(error.code).toBe("RESOURCE_NOT_FOUND");
    expect(error.status).toBe(404);
    expect(error.details).toEqual({ grant_id: "agrant_missing" });
    expect(error.system_message).toBe("Access grant not found");
  });

  it("a second active grant for the same entity and grantee is 409 RESOURCE_ALREADY_EXISTS", async () => {
    const error = await failure(() =>
      fixture.ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, grantee_id: SUBJECT, access_level: "admin" }),
    );
    expect(error.code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(error.status).toBe(409);
  });

  it("ids such as __proto__ after a valid prefix are ordinary ids", async () => {
    const { ac } = fixture;
    const grant = await ac.createGrant(ORG, OWNER, {
      entity_type: "knowledge_slice",
      entity_id: "kslice___proto__",
      grantee_type: "user",
      grantee_id: "usr_constructor",
      access_level: "write",
    });
    expect(grant).toMatchObject({ entity_id: "kslice___proto__", grantee_id: "usr_constructor" });
    expect(await ac.resolveAccess(ORG, "usr_constructor", "usr_constructor")).toEqual({
      user_id: "usr_constructor",
      entities: [
        {
          entity_type: "knowledge_slice",
          entity_id: "kslice___proto__",
          access_level: "write",
          grant_paths: [{ type: "direct", access_level: "write", ...NULL_PATH, grant_id: G(11) }],
        },
      ],
    });
  });

  it("without an ids option, grant ids are agrant_ plus a random token", async () => {
    const ac = createAccessControl({ storage: memoryStorage(), clock: manualClock(T0).now });
    await ac.createOrganization(ORG, { owners: [OWNER] });
    const first = await ac.createGrant(ORG, OWNER, NEW_READ_GRANT);
    const second = await ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, grantee_id: SUBJECT });
    expect(first.id).toMatch(/^agrant_[A-Za-z0-9_-]{1,128}$/);
    expect(second.id).toMatch(/^agrant_[A-Za-z0-9_-]{1,128}$/);
    expect(first.id).not.toBe(second.id);
  });
});

describe("listing: paging and order", () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await setup();
    // 25 more grants on kslice_elsewhere: agrant_test0011 … agrant_test0035.
    await fixture.ac.bulkCreateGrants(ORG, OWNER, {
      entity_type: "knowledge_slice",
      entity_id: OTHER_SLICE,
      grants: Array.from({ length: 25 }, (_, i) => ({
        grantee_type: "user" as const,
        grantee_id: `usr_p${String(i).padStart(2, "0")}`,
        access_level: "read" as const,
      })),
    });
  });

  const ids = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => G(from + i));

  it("defaults to skip 0 and limit 20", async () => {
    const page = await fixture.ac.listSliceGrants(ORG, OWNER, OTHER_SLICE);
    expect(page.items.map((grant) => grant.id)).toEqual(ids(11, 30));
    expect({ ...page, items: undefined }).toEqual({ items: undefined, total: 25, skip: 0, limit: 20, has_more: true });
  });

  it("the last page has has_more false", async () => {
    const page = await fixture.ac.listSliceGrants(ORG, OWNER, OTHER_SLICE, { skip: 20 });
    expect(page.items.map((grant) => grant.id)).toEqual(ids(31, 35));
    expect({ ...page, items: undefined }).toEqual({
      items: undefined,
      total: 25,
      skip: 20,
      limit: 20,
      has_more: false,
    });
  });

  it("a skip beyond the end gives an empty page with the total", async () => {
    expect(await fixture.ac.listGrants(ORG, OWNER, { entityId: OTHER_SLICE, skip: 100 })).toEqual({
      items: [],
      total: 25,
      skip: 100,
      limit: 20,
      has_more: false,
    });
  });

  it("limit 1 and limit 100 are the accepted bounds", async () => {
    const one = await fixture.ac.listGrants(ORG, OWNER, { entityId: OTHER_SLICE, skip: 24, limit: 1 });
    expect(one.items.map((grant) => grant.id)).toEqual([G(35)]);
    expect(one.has_more).toBe(false);
    const all = await fixture.ac.listGrants(ORG, OWNER, { limit: 100 });
    expect(all.items.map((grant) => grant.id)).toEqual(ids(1, 9).concat(ids(11, 35)));
    expect(all.total).toBe(34);
    expect(all.limit).toBe(100);
  });

  it("filters take camelCase names, and the wire's snake_case spellings as the service first did", async () => {
    const camel = await fixture.ac.listGrants(ORG, OWNER, {
      entityType: "knowledge_slice",
      entityId: OTHER_SLICE,
      granteeType: "user",
      granteeId: "usr_p03",
    });
    expect(camel.items.map((grant) => grant.grantee_id)).toEqual(["usr_p03"]);
    const wire = await fixture.ac.listGrants(ORG, OWNER, {
      entity_type: "knowledge_slice",
      entity_id: OTHER_SLICE,
      grantee_type: "user",
      grantee_id: "usr_p03",
    });
    expect(wire).toEqual(camel);
    const mixed = await fixture.ac.listGrants(
      ORG,
      OWNER,
      untyped<ListGrantsQuery>({ entityId: OTHER_SLICE, grantee_id: "usr_p03" }),
    );
    expect(mixed).toEqual(camel);
  });

  it.each([
    ["entity_id", { entityId: OTHER_SLICE, entity_id: SLICE }],
    ["entity_type", { entityType: "knowledge_slice", entity_type: "assistant" }],
    ["grantee_type", { granteeType: "user", grantee_type: "role" }],
    ["grantee_id", { granteeId: "usr_p03", grantee_id: "usr_p04" }],
  ])("two spellings of %s that disagree are a VALIDATION_ERROR naming it", async (field, query) => {
    const error = await fixture.ac.listGrants(ORG, OWNER, untyped<ListGrantsQuery>(query)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", details: { field } });
  });

  it("items are ordered by created_at, then id", async () => {
    const clock = manualClock(T0);
    const pool = ["agrant_z", "agrant_y", "agrant_x"];
    const ac = createAccessControl({
      storage: memoryStorage(),
      clock: clock.now,
      ids: () => pool.shift() ?? "agrant_none",
    });
    await ac.createOrganization(ORG, { owners: [OWNER] });
    await ac.createGrant(ORG, OWNER, NEW_READ_GRANT); // agrant_z at 10:00:00
    clock.set("2025-06-15T10:00:01Z");
    await ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, grantee_id: SUBJECT }); // agrant_y at 10:00:01
    await ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, grantee_id: READER }); // agrant_x at 10:00:01
    const page = await ac.listGrants(ORG, OWNER);
    expect(page.items.map((grant) => [grant.id, grant.created_at])).toEqual([
      ["agrant_z", "2025-06-15T10:00:00Z"],
      ["agrant_x", "2025-06-15T10:00:01Z"],
      ["agrant_y", "2025-06-15T10:00:01Z"],
    ]);
  });
});

interface ValidationCase {
  readonly name: string;
  readonly call: (ac: AccessControl) => Promise<unknown>;
  readonly field: string;
  readonly index?: number;
}

const create = (body: Record<string, unknown>) => (ac: AccessControl) =>
  ac.createGrant(ORG, OWNER, untyped<CreateGrantInput>({ ...NEW_READ_GRANT, ...body }));
const createWithout = (field: keyof CreateGrantInput) => (ac: AccessControl) => {
  const body: Record<string, unknown> = { ...NEW_READ_GRANT };
  delete body[field];
  return ac.createGrant(ORG, OWNER, untyped<CreateGrantInput>(body));
};
const bulkItems = [
  { grantee_type: "user", grantee_id: NEWCOMER, access_level: "read" },
  { grantee_type: "department", grantee_id: "dept_new", access_level: "write" },
  { grantee_type: "role", grantee_id: "role_new", access_level: "admin" },
];
const bulk = (body: Record<string, unknown>) => (ac: AccessControl) =>
  ac.bulkCreateGrants(
    ORG,
    OWNER,
    untyped<BulkCreateGrantsInput>({ entity_type: "knowledge_slice", entity_id: SLICE, grants: bulkItems, ...body }),
  );
const bulkItem = (index: number, item: Record<string, unknown>) =>
  bulk({ grants: bulkItems.map((original, i) => (i === index ? { ...original, ...item } : original)) });
const list = (query: Record<string, unknown>) => (ac: AccessControl) =>
  ac.listGrants(ORG, OWNER, untyped<ListGrantsQuery>(query));
const update = (body: Record<string, unknown>) => (ac: AccessControl) =>
  ac.updateGrant(ORG, OWNER, G(7), untyped<{ access_level: "read" }>(body));

const VALIDATION_CASES: readonly ValidationCase[] = [
  // createGrant
  {
    name: "createGrant: organization id without its prefix",
    call: (ac) => ac.createGrant("acme", OWNER, NEW_READ_GRANT),
    field: "organization_id",
  },
  {
    name: "createGrant: organization id with an empty token",
    call: (ac) => ac.createGrant("org_", OWNER, NEW_READ_GRANT),
    field: "organization_id",
  },
  {
    name: "createGrant: actor that is not a user id",
    call: (ac) => ac.createGrant(ORG, "dept_eng", NEW_READ_GRANT),
    field: "actor_id",
  },
  {
    name: "createGrant: body not an object",
    call: (ac) => ac.createGrant(ORG, OWNER, untyped<CreateGrantInput>(null)),
    field: "body",
  },
  { name: "createGrant: entity_type missing", call: createWithout("entity_type"), field: "entity_type" },
  { name: "createGrant: entity_type not allowed", call: create({ entity_type: "file" }), field: "entity_type" },
  { name: "createGrant: entity_type not a string", call: create({ entity_type: 7 }), field: "entity_type" },
  { name: "createGrant: entity_id missing", call: createWithout("entity_id"), field: "entity_id" },
  { name: "createGrant: entity_id of another type", call: create({ entity_id: "vs_store1" }), field: "entity_id" },
  { name: "createGrant: entity_id with an empty token", call: create({ entity_id: "kslice_" }), field: "entity_id" },
  {
    name: "createGrant: entity_id token of 129 characters",
    call: create({ entity_id: `kslice_${"a".repeat(129)}` }),
    field: "entity_id",
  },
  {
    name: "createGrant: entity_id with a forbidden character",
    call: create({ entity_id: "kslice_a.b" }),
    field: "entity_id",
  },
  { name: "createGrant: grantee_type missing", call: createWithout("grantee_type"), field: "grantee_type" },
  { name: "createGrant: grantee_type not allowed", call: create({ grantee_type: "group" }), field: "grantee_type" },
  { name: "createGrant: grantee_id missing", call: createWithout("grantee_id"), field: "grantee_id" },
  {
    name: "createGrant: grantee_id not fitting grantee_type",
    call: create({ grantee_id: "dept_eng" }),
    field: "grantee_id",
  },
  { name: "createGrant: access_level missing", call: createWithout("access_level"), field: "access_level" },
  { name: "createGrant: access_level not allowed", call: create({ access_level: "owner" }), field: "access_level" },
  {
    name: "createGrant: expires_at in the past",
    call: create({ expires_at: "2025-06-15T09:59:59Z" }),
    field: "expires_at",
  },
  {
    name: "createGrant: expires_at equal to now",
    call: create({ expires_at: "2025-06-15T10:00:00Z" }),
    field: "expires_at",
  },
  { name: "createGrant: expires_at not a date", call: create({ expires_at: "tomorrow" }), field: "expires_at" },
  {
    name: "createGrant: expires_at without a time zone",
    call: create({ expires_at: "2025-07-01T00:00:00" }),
    field: "expires_at",
  },
  {
    name: "createGrant: expires_at an impossible date",
    call: create({ expires_at: "2025-02-30T00:00:00Z" }),
    field: "expires_at",
  },
  {
    name: "createGrant: expires_at not a string",
    call: create({ expires_at: 1_900_000_000_000 }),
    field: "expires_at",
  },
  // bulkCreateGrants
  { name: "bulk: entity_type not allowed", call: bulk({ entity_type: "file" }), field: "entity_type" },
  { name: "bulk: entity_id of another type", call: bulk({ entity_id: "asst_bot1" }), field: "entity_id" },
  { name: "bulk: grants missing", call: bulk({ grants: undefined }), field: "grants" },
  { name: "bulk: grants not an array", call: bulk({ grants: { 0: bulkItems[0] } }), field: "grants" },
  { name: "bulk: grants empty", call: bulk({ grants: [] }), field: "grants" },
  {
    name: "bulk: more than 1000 grants",
    call: bulk({
      grants: Array.from({ length: 1001 }, (_, i) => ({
        grantee_type: "user",
        grantee_id: `usr_n${i}`,
        access_level: "read",
      })),
    }),
    field: "grants",
  },
  {
    name: "bulk: grants[2].grantee_id not fitting its type",
    call: bulkItem(2, { grantee_id: "usr_x" }),
    field: "grants[2].grantee_id",
    index: 2,
  },
  {
    name: "bulk: grants[2].grantee_id missing",
    call: bulkItem(2, { grantee_id: undefined }),
    field: "grants[2].grantee_id",
    index: 2,
  },
  {
    name: "bulk: grants[0].grantee_type not allowed",
    call: bulkItem(0, { grantee_type: "team" }),
    field: "grants[0].grantee_type",
    index: 0,
  },
  {
    name: "bulk: grants[1].access_level not allowed",
    call: bulkItem(1, { access_level: "all" }),
    field: "grants[1].access_level",
    index: 1,
  },
  {
    name: "bulk: grants[1].expires_at in the past",
    call: bulkItem(1, { expires_at: "2025-01-01T00:00:00Z" }),
    field: "grants[1].expires_at",
    index: 1,
  },
  {
    name: "bulk: grants[2] not an object",
    call: bulk({ grants: [bulkItems[0], bulkItems[1], "usr_x"] }),
    field: "grants[2]",
    index: 2,
  },
  {
    name: "bulk: grants[2] repeats the grantee of grants[0]",
    call: bulkItem(2, { grantee_type: "user", grantee_id: NEWCOMER }),
    field: "grants[2].grantee_id",
    index: 2,
  },
  // updateGrant
  {
    name: "updateGrant: grant id without its prefix",
    call: (ac) => ac.updateGrant(ORG, OWNER, "grant_1", { access_level: "read" }),
    field: "grant_id",
  },
  { name: "updateGrant: access_level missing", call: update({}), field: "access_level" },
  { name: "updateGrant: access_level not allowed", call: update({ access_level: "superuser" }), field: "access_level" },
  {
    name: "updateGrant: a body changing entity_id",
    call: update({ access_level: "write", entity_id: "kslice_other" }),
    field: "entity_id",
  },
  {
    name: "updateGrant: a body changing grantee_id",
    call: update({ access_level: "write", grantee_id: "usr_other" }),
    field: "grantee_id",
  },
  {
    name: "updateGrant: a body changing expires_at",
    call: update({ access_level: "write", expires_at: "2026-01-01T00:00:00Z" }),
    field: "expires_at",
  },
  { name: "updateGrant: body not an object", call: update(untyped<Record<string, unknown>>([])), field: "body" },
  // getGrant / revokeGrant
  {
    name: "getGrant: grant id with a forbidden character",
    call: (ac) => ac.getGrant(ORG, OWNER, "agrant_a/b"),
    field: "grant_id",
  },
  { name: "getGrant: actor with an empty token", call: (ac) => ac.getGrant(ORG, "usr_", G(7)), field: "actor_id" },
  {
    name: "revokeGrant: grant id of another kind",
    call: (ac) => ac.revokeGrant(ORG, OWNER, "usr_subject"),
    field: "grant_id",
  },
  // listGrants
  { name: "listGrants: limit 0", call: list({ limit: 0 }), field: "limit" },
  { name: "listGrants: limit 101", call: list({ limit: 101 }), field: "limit" },
  { name: "listGrants: limit 1.5", call: list({ limit: 1.5 }), field: "limit" },
  { name: "listGrants: limit not a number", call: list({ limit: "ten" }), field: "limit" },
  { name: "listGrants: skip -1", call: list({ skip: -1 }), field: "skip" },
  { name: "listGrants: skip 0.5", call: list({ skip: 0.5 }), field: "skip" },
  { name: "listGrants: entity_type not allowed", call: list({ entity_type: "file" }), field: "entity_type" },
  { name: "listGrants: entity_id of no entity type", call: list({ entity_id: "usr_subject" }), field: "entity_id" },
  {
    name: "listGrants: entity_id not fitting entity_type",
    call: list({ entity_type: "assistant", entity_id: SLICE }),
    field: "entity_id",
  },
  { name: "listGrants: grantee_type not allowed", call: list({ grantee_type: "group" }), field: "grantee_type" },
  {
    name: "listGrants: grantee_id of no grantee type",
    call: list({ grantee_id: "kslice_target" }),
    field: "grantee_id",
  },
  {
    name: "listGrants: grantee_id not fitting grantee_type",
    call: list({ grantee_type: "role", grantee_id: SUBJECT }),
    field: "grantee_id",
  },
  { name: "listGrants: bad actor", call: (ac) => ac.listGrants(ORG, "owner"), field: "actor_id" },
  {
    name: "listSliceGrants: limit 101",
    call: (ac) => ac.listSliceGrants(ORG, OWNER, SLICE, { limit: 101 }),
    field: "limit",
  },
  {
    name: "listSliceGrants: skip -1",
    call: (ac) => ac.listSliceGrants(ORG, OWNER, SLICE, { skip: -1 }),
    field: "skip",
  },
  {
    name: "listVectorStoreGrants: limit 0",
    call: (ac) => ac.listVectorStoreGrants(ORG, OWNER, STORE, { limit: 0 }),
    field: "limit",
  },
  {
    name: "listAssistantGrants: limit 1.5",
    call: (ac) => ac.listAssistantGrants(ORG, OWNER, ASSISTANT, { limit: 1.5 }),
    field: "limit",
  },
  // resolveAccess
  {
    name: "resolveAccess: user id of another kind",
    call: (ac) => ac.resolveAccess(ORG, OWNER, "dept_eng"),
    field: "user_id",
  },
  {
    name: "resolveAccess: entity_type not allowed",
    call: (ac) => ac.resolveAccess(ORG, OWNER, SUBJECT, untyped({ entityType: "file" })),
    field: "entity_type",
  },
  {
    name: "resolveAccess: bad organization",
    call: (ac) => ac.resolveAccess("acme", OWNER, SUBJECT),
    field: "organization_id",
  },
  // usersWithAccess
  {
    name: "usersWithAccess: entity type not allowed",
    call: (ac) => ac.usersWithAccess(ORG, OWNER, untyped("file"), SLICE),
    field: "entity_type",
  },
  {
    name: "usersWithAccess: entity id missing",
    call: (ac) => ac.usersWithAccess(ORG, OWNER, "knowledge_slice", untyped(undefined)),
    field: "entity_id",
  },
  {
    name: "usersWithAccess: entity id not fitting the entity type",
    call: (ac) => ac.usersWithAccess(ORG, OWNER, "vector_store", SLICE),
    field: "entity_id",
  },
  {
    name: "usersWithAccess: page not an object",
    call: (ac) => ac.usersWithAccess(ORG, OWNER, "knowledge_slice", SLICE, untyped("all")),
    field: "query",
  },
  // usersWithAccess, the entity in one object (the form the service first took)
  {
    name: "usersWithAccess: entity_type missing",
    call: (ac) => ac.usersWithAccess(ORG, OWNER, untyped({ entity_id: SLICE })),
    field: "entity_type",
  },
  {
    name: "usersWithAccess: entity_type not allowed",
    call: (ac) => ac.usersWithAccess(ORG, OWNER, untyped({ entity_type: "file", entity_id: SLICE })),
    field: "entity_type",
  },
  {
    name: "usersWithAccess: entity_id missing",
    call: (ac) => ac.usersWithAccess(ORG, OWNER, untyped({ entity_type: "knowledge_slice" })),
    field: "entity_id",
  },
  {
    name: "usersWithAccess: entity_id not fitting entity_type",
    call: (ac) => ac.usersWithAccess(ORG, OWNER, { entity_type: "vector_store", entity_id: SLICE }),
    field: "entity_id",
  },
  // directory
  {
    name: "addDepartmentMember: user id of another kind",
    call: (ac) => ac.addDepartmentMember(ORG, OWNER, "role_x", DEPT_ENG),
    field: "user_id",
  },
  {
    name: "addDepartmentMember: department id of another kind",
    call: (ac) => ac.addDepartmentMember(ORG, OWNER, SUBJECT, "role_x"),
    field: "department_id",
  },
  {
    name: "addRoleMember: role id of another kind",
    call: (ac) => ac.addRoleMember(ORG, OWNER, SUBJECT, "dept_eng"),
    field: "role_id",
  },
  {
    name: "createDepartment: parent id of another kind",
    call: (ac) => ac.createDepartment(ORG, OWNER, { id: "dept_x", parent_id: "role_x" }),
    field: "parent_id",
  },
  {
    name: "createComposite: member that is not a knowledge slice",
    call: (ac) => ac.createComposite(ORG, OWNER, { id: "kslice_c", member_slice_ids: [SLICE, STORE] }),
    field: "member_slice_ids[1]",
  },
  {
    name: "createOrganization: no owners",
    call: (ac) => ac.createOrganization("org_new", { owners: [] }),
    field: "owners",
  },
  {
    name: "createOrganization: owner that is not a user id",
    call: (ac) => ac.createOrganization("org_new", { owners: [OWNER, "owner2"] }),
    field: "owners[1]",
  },
];

describe("validation: 422 VALIDATION_ERROR naming the field (docs/spec.md §5)", () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await setup();
  });

  it.each(VALIDATION_CASES)("$name → details.field $field", async ({ call, field, index }) => {
    const error = await failure(() => call(fixture.ac));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.status).toBe(422);
    expect(error.details.field).toBe(field);
    expect(typeof error.details.message).toBe("string");
    if (index !== undefined) expect(error.details.index).toBe(index);
  });

  it("a bad entity_type uses the worked example's wording", async () => {
    const error = await failure(create({ entity_type: "file" }).bind(null, fixture.ac));
    expect(error.details).toEqual({ field: "entity_type", message: ENTITY_TYPE_MESSAGE });
    expect(error.message).toBe("The request contains invalid data.");
    expect(error.system_message).toBe("Validation error");
  });

  it("a per-entity listing rejects an id of another entity type", async () => {
    for (const call of [
      () => fixture.ac.listSliceGrants(ORG, OWNER, STORE),
      () => fixture.ac.listVectorStoreGrants(ORG, OWNER, ASSISTANT),
      () => fixture.ac.listAssistantGrants(ORG, OWNER, SLICE),
    ]) {
      const error = await failure(call);
      expect(error.code).toBe("VALIDATION_ERROR");
      // The route's path parameter: the library may call it entity_id or by its route name.
      expect(["entity_id", "slice_id", "store_id", "assistant_id"]).toContain(error.details.field);
    }
  });

  it.each([
    ["createGrant", (ac: AccessControl) => ac.createGrant("org_ghost", OWNER, NEW_READ_GRANT)],
    [
      "bulkCreateGrants",
      (ac: AccessControl) =>
        ac.bulkCreateGrants("org_ghost", OWNER, {
          entity_type: "knowledge_slice",
          entity_id: SLICE,
          grants: [NEW_READ_GRANT],
        }),
    ],
    ["listGrants", (ac: AccessControl) => ac.listGrants("org_ghost", OWNER)],
    ["getGrant", (ac: AccessControl) => ac.getGrant("org_ghost", OWNER, G(1))],
    ["updateGrant", (ac: AccessControl) => ac.updateGrant("org_ghost", OWNER, G(1), { access_level: "read" })],
    ["revokeGrant", (ac: AccessControl) => ac.revokeGrant("org_ghost", OWNER, G(1))],
    ["listSliceGrants", (ac: AccessControl) => ac.listSliceGrants("org_ghost", OWNER, SLICE)],
    ["resolveAccess", (ac: AccessControl) => ac.resolveAccess("org_ghost", OWNER, OWNER)],
    ["usersWithAccess", (ac: AccessControl) => ac.usersWithAccess("org_ghost", OWNER, "knowledge_slice", SLICE)],
    ["exportOrganization", (ac: AccessControl) => ac.exportOrganization("org_ghost", OWNER)],
    ["addDepartmentMember", (ac: AccessControl) => ac.addDepartmentMember("org_ghost", OWNER, SUBJECT, DEPT_ENG)],
    [
      "createComposite",
      (ac: AccessControl) => ac.createComposite("org_ghost", OWNER, { id: COMPOSITE, member_slice_ids: [] }),
    ],
  ])("%s in an unknown organization answers 404 with details.organization_id", async (_name, call) => {
    const error = await failure(() => call(fixture.ac));
    expect(error.code).toBe("RESOURCE_NOT_FOUND");
    expect(error.status).toBe(404);
    expect(error.details).toEqual({ organization_id: "org_ghost" });
  });

  it("creating an organization that exists is 409 RESOURCE_ALREADY_EXISTS", async () => {
    const error = await failure(() => fixture.ac.createOrganization(ORG, { owners: [STRANGER] }));
    expect(error.code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(await fixture.ac.exportOrganization(ORG, OWNER)).toMatchObject({ owners: [OWNER] });
  });
});

describe("a failed call changes nothing (docs/spec.md §5)", () => {
  let fixture: Fixture;
  let before: unknown;
  beforeEach(async () => {
    fixture = await setup();
    before = await observe(fixture.ac);
  });

  it.each([
    ["a writer creating a grant", (ac: AccessControl) => ac.createGrant(ORG, WRITER, NEW_READ_GRANT)],
    [
      "a writer raising their own level",
      (ac: AccessControl) => ac.updateGrant(ORG, WRITER, G(5), { access_level: "admin" }),
    ],
    ["a reader revoking a grant", (ac: AccessControl) => ac.revokeGrant(ORG, READER, G(7))],
    [
      "a stranger bulk-granting",
      (ac: AccessControl) =>
        ac.bulkCreateGrants(ORG, STRANGER, {
          entity_type: "knowledge_slice",
          entity_id: SLICE,
          grants: [NEW_READ_GRANT],
        }),
    ],
    [
      "an entity admin giving themself a role",
      (ac: AccessControl) => ac.addRoleMember(ORG, DIRECT_ADMIN, DIRECT_ADMIN, "role_x"),
    ],
    [
      "the other organization's owner taking ownership",
      (ac: AccessControl) => ac.setOwners(ORG, OTHER_OWNER, [OTHER_OWNER]),
    ],
  ])("permission failure: %s", async (_what, call) => {
    expect((await failure(() => call(fixture.ac))).code).toBe("INSUFFICIENT_PERMISSIONS");
    expect(await observe(fixture.ac)).toEqual(before);
  });

  it("validation failure: a bulk create whose grants[2] is bad creates none of grants[0..1]", async () => {
    const error = await failure(() => bulkItem(2, { access_level: "owner" })(fixture.ac));
    expect(error.details).toMatchObject({ field: "grants[2].access_level", index: 2 });
    expect(await observe(fixture.ac)).toEqual(before);
  });

  it("validation failure: an expires_at in the past", async () => {
    await failure(create({ expires_at: "2020-01-01T00:00:00Z" }).bind(null, fixture.ac));
    expect(await observe(fixture.ac)).toEqual(before);
  });

  it("conflict: a second grant for the same pair", async () => {
    const error = await failure(() => fixture.ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, grantee_id: SUBJECT }));
    expect(error.code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(await observe(fixture.ac)).toEqual(before);
  });

  it("bulk failure: one conflicting item leaves the others uncreated", async () => {
    const error = await failure(() =>
      fixture.ac.bulkCreateGrants(ORG, OWNER, {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        grants: [
          { grantee_type: "user", grantee_id: NEWCOMER, access_level: "read" },
          { grantee_type: "user", grantee_id: SUBJECT, access_level: "admin" },
          { grantee_type: "role", grantee_id: "role_new", access_level: "write" },
        ],
      }),
    );
    expect(error.code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(error.status).toBe(409);
    expect(await observe(fixture.ac)).toEqual(before);
  });

  it("graph failure: a department move that would make a cycle", async () => {
    expect((await failure(() => fixture.ac.moveDepartment(ORG, OWNER, DEPT_ENG, DEPT_BACKEND))).code).toBe(
      "INVALID_GRAPH",
    );
    expect(await observe(fixture.ac)).toEqual(before);
  });

  it("refused delete: a department that a grant names", async () => {
    expect((await failure(() => fixture.ac.deleteDepartment(ORG, OWNER, DEPT_ENG))).code).toBe("VALIDATION_ERROR");
    expect(await observe(fixture.ac)).toEqual(before);
  });
});

describe("the directory", () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await setup();
  });

  it("re-adding a department membership the user holds is a no-op", async () => {
    const { ac } = fixture;
    const before = await observe(ac);
    expect(await ac.addDepartmentMember(ORG, OWNER, DEPT_ADMIN, DEPT_BACKEND)).toEqual({
      id: DEPT_ADMIN,
      department_ids: [DEPT_BACKEND],
      role_ids: [],
    });
    expect(await observe(ac)).toEqual(before);
  });

  it("re-adding a role the user holds is a no-op", async () => {
    const { ac } = fixture;
    const before = await observe(ac);
    expect(await ac.addRoleMember(ORG, OWNER, ROLE_ADMIN, ROLE_ADMINS)).toEqual({
      id: ROLE_ADMIN,
      department_ids: [],
      role_ids: [ROLE_ADMINS],
    });
    expect(await observe(ac)).toEqual(before);
  });

  it.each([
    ["a department", (ac: AccessControl) => ac.removeDepartmentMember(ORG, OWNER, SUBJECT, DEPT_BACKEND)],
    ["a role", (ac: AccessControl) => ac.removeRoleMember(ORG, OWNER, DEPT_ADMIN, ROLE_ADMINS)],
  ])("removing %s the user does not hold is 404 RESOURCE_NOT_FOUND", async (_what, call) => {
    const before = await observe(fixture.ac);
    const error = await failure(() => call(fixture.ac));
    expect(error.code).toBe("RESOURCE_NOT_FOUND");
    expect(error.status).toBe(404);
    expect(await observe(fixture.ac)).toEqual(before);
  });

  it("a new membership takes effect in resolution; removing it takes it away", async () => {
    const { ac } = fixture;
    await ac.addRoleMember(ORG, OWNER, SUBJECT, ROLE_ADMINS);
    expect((await ac.resolveAccess(ORG, SUBJECT, SUBJECT)).entities).toEqual([
      {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        access_level: "admin",
        grant_paths: [
          { type: "direct", access_level: "read", ...NULL_PATH, grant_id: G(7) },
          { type: "role", access_level: "admin", ...NULL_PATH, role_id: ROLE_ADMINS, grant_id: G(3) },
        ],
      },
    ]);
    await ac.removeRoleMember(ORG, OWNER, SUBJECT, ROLE_ADMINS);
    expect((await ac.resolveAccess(ORG, SUBJECT, SUBJECT)).entities).toEqual([
      {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        access_level: "read",
        grant_paths: [{ type: "direct", access_level: "read", ...NULL_PATH, grant_id: G(7) }],
      },
    ]);
  });

  it("deleteDepartment: sub-departments move up to its parent and its members lose it", async () => {
    const { ac } = fixture;
    await ac.createDepartment(ORG, OWNER, { id: "dept_api", parent_id: DEPT_BACKEND });
    await ac.addDepartmentMember(ORG, OWNER, NEWCOMER, "dept_api");
    await ac.deleteDepartment(ORG, OWNER, DEPT_BACKEND);
    const graph = await ac.exportOrganization(ORG, OWNER);
    expect(graph.departments).toEqual(
      expect.arrayContaining([
        { id: DEPT_ENG, parent_id: null },
        { id: "dept_api", parent_id: DEPT_ENG },
      ]),
    );
    expect(graph.departments?.map((department) => department.id)).not.toContain(DEPT_BACKEND);
    expect(graph.users).toEqual(expect.arrayContaining([{ id: DEPT_ADMIN, department_ids: [], role_ids: [] }]));
    // usr_dept_admin lost dept_backend, hence dept_eng's grant; dept_api's member still reaches it.
    expect(await ac.resolveAccess(ORG, OWNER, DEPT_ADMIN)).toEqual({ user_id: DEPT_ADMIN, entities: [] });
    expect((await ac.resolveAccess(ORG, OWNER, NEWCOMER)).entities).toEqual([
      {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        access_level: "admin",
        grant_paths: [
          { type: "department", access_level: "admin", ...NULL_PATH, department_id: DEPT_ENG, grant_id: G(2) },
        ],
      },
    ]);
  });

  it("deleteDepartment is refused with VALIDATION_ERROR (field department_id) while a grant names it, allowed after revoking", async () => {
    const { ac } = fixture;
    const error = await failure(() => ac.deleteDepartment(ORG, OWNER, DEPT_ENG));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details.field).toBe("department_id");
    await ac.revokeGrant(ORG, OWNER, G(2));
    await expect(ac.deleteDepartment(ORG, OWNER, DEPT_ENG)).resolves.toBeUndefined();
    expect((await ac.exportOrganization(ORG, OWNER)).departments).toEqual([{ id: DEPT_BACKEND, parent_id: null }]);
  });

  it("deleteDepartment of an unknown department is 404", async () => {
    const error = await failure(() => fixture.ac.deleteDepartment(ORG, OWNER, "dept_missing"));
    expect(error.code).toBe("RESOURCE_NOT_FOUND");
    expect(error.details).toMatchObject({ department_id: "dept_missing" });
  });

  it.each([
    ["under itself", DEPT_ENG, DEPT_ENG],
    ["under its child", DEPT_ENG, DEPT_BACKEND],
    ["under a deeper descendant", DEPT_ENG, "dept_api"],
  ])("moveDepartment %s is INVALID_GRAPH", async (_where, department, parent) => {
    const { ac } = fixture;
    await ac.createDepartment(ORG, OWNER, { id: "dept_api", parent_id: DEPT_BACKEND });
    const before = await observe(ac);
    const error = await failure(() => ac.moveDepartment(ORG, OWNER, department, parent));
    expect(error.code).toBe("INVALID_GRAPH");
    expect(error.status).toBe(422);
    expect(await observe(ac)).toEqual(before);
  });

  it("moveDepartment changes which grants reach the members", async () => {
    const { ac } = fixture;
    await ac.moveDepartment(ORG, OWNER, DEPT_BACKEND, null);
    expect(await ac.resolveAccess(ORG, OWNER, DEPT_ADMIN)).toEqual({ user_id: DEPT_ADMIN, entities: [] });
    await ac.moveDepartment(ORG, OWNER, DEPT_BACKEND, DEPT_ENG);
    expect((await ac.resolveAccess(ORG, OWNER, DEPT_ADMIN)).entities).toHaveLength(1);
  });

  it("createDepartment of a declared department is RESOURCE_ALREADY_EXISTS", async () => {
    expect((await failure(() => fixture.ac.createDepartment(ORG, OWNER, { id: DEPT_ENG, parent_id: null }))).code).toBe(
      "RESOURCE_ALREADY_EXISTS",
    );
  });

  it("createComposite twice is 409 RESOURCE_ALREADY_EXISTS and keeps the first members", async () => {
    const { ac } = fixture;
    const error = await failure(() =>
      ac.createComposite(ORG, OWNER, { id: COMPOSITE, member_slice_ids: [OTHER_SLICE] }),
    );
    expect(error.code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(error.status).toBe(409);
    expect((await ac.exportOrganization(ORG, OWNER)).composites).toEqual([
      { id: COMPOSITE, member_slice_ids: [SLICE] },
    ]);
  });

  it("createComposite twice is refused even when the first had no members", async () => {
    const { ac } = fixture;
    await ac.createComposite(ORG, OWNER, { id: "kslice_empty", member_slice_ids: [] });
    const error = await failure(() =>
      ac.createComposite(ORG, OWNER, { id: "kslice_empty", member_slice_ids: [SLICE] }),
    );
    expect(error.code).toBe("RESOURCE_ALREADY_EXISTS");
  });

  it("setCompositeMembers on an unknown composite is 404 RESOURCE_NOT_FOUND", async () => {
    const error = await failure(() => fixture.ac.setCompositeMembers(ORG, OWNER, "kslice_unknown", [SLICE]));
    expect(error.code).toBe("RESOURCE_NOT_FOUND");
    expect(error.status).toBe(404);
    expect(error.details).toMatchObject({ composite_id: "kslice_unknown" });
  });

  it.each([
    ["the composite itself", [COMPOSITE]],
    ["a composite that contains it", ["kslice_outer"]],
  ])("setCompositeMembers naming %s is INVALID_GRAPH and changes nothing", async (_what, members) => {
    const { ac } = fixture;
    await ac.createComposite(ORG, OWNER, { id: "kslice_outer", member_slice_ids: [COMPOSITE] });
    const before = await observe(ac);
    const error = await failure(() => ac.setCompositeMembers(ORG, OWNER, COMPOSITE, members));
    expect(error.code).toBe("INVALID_GRAPH");
    expect(error.status).toBe(422);
    expect(await observe(ac)).toEqual(before);
  });

  it("setCompositeMembers replaces the members: access flows to the new ones only", async () => {
    const { ac } = fixture;
    await ac.setCompositeMembers(ORG, OWNER, COMPOSITE, [OTHER_SLICE]);
    expect((await ac.resolveAccess(ORG, OWNER, COMP_ADMIN)).entities.map((e) => [e.entity_id, e.access_level])).toEqual(
      [
        [COMPOSITE, "admin"],
        [OTHER_SLICE, "admin"],
      ],
    );
  });

  it("setOwners needs at least one owner, and a new owner may then act", async () => {
    const { ac } = fixture;
    expect((await failure(() => ac.setOwners(ORG, OWNER, []))).details.field).toBe("owners");
    await ac.setOwners(ORG, OWNER, [STRANGER]);
    await expect(ac.listGrants(ORG, STRANGER)).resolves.toMatchObject({ total: 9 });
    expect((await failure(() => ac.listGrants(ORG, OWNER))).code).toBe("INSUFFICIENT_PERMISSIONS");
  });
});

describe("expiry", () => {
  it("a grant stops resolving when the clock reaches expires_at; re-granting then succeeds and the old grant reads back revoked", async () => {
    const { ac, clock } = await setup();
    const temporary = await ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, expires_at: "2025-06-15T12:00:00Z" });
    expect(temporary.id).toBe(G(11));
    const resolved = {
      user_id: NEWCOMER,
      entities: [
        {
          entity_type: "knowledge_slice",
          entity_id: SLICE,
          access_level: "read",
          grant_paths: [{ type: "direct", access_level: "read", ...NULL_PATH, grant_id: G(11) }],
        },
      ],
    };
    clock.set("2025-06-15T11:59:59Z");
    expect(await ac.resolveAccess(ORG, NEWCOMER, NEWCOMER)).toEqual(resolved);
    expect((await failure(() => ac.createGrant(ORG, OWNER, NEW_READ_GRANT))).code).toBe("RESOURCE_ALREADY_EXISTS");

    clock.set("2025-06-15T12:00:00Z");
    expect(await ac.resolveAccess(ORG, NEWCOMER, NEWCOMER)).toEqual({ user_id: NEWCOMER, entities: [] });

    clock.set("2025-06-15T13:00:00Z");
    const renewed = await ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, access_level: "write" });
    expect(renewed).toEqual(
      acmeGrant(12, {
        ...NEW_READ_GRANT,
        access_level: "write",
        created_at: "2025-06-15T13:00:00Z",
        updated_at: "2025-06-15T13:00:00Z",
      }),
    );
    expect(await ac.getGrant(ORG, OWNER, G(11))).toEqual(
      acmeGrant(11, {
        ...NEW_READ_GRANT,
        expires_at: "2025-06-15T12:00:00Z",
        updated_at: "2025-06-15T13:00:00Z",
        revoked_at: "2025-06-15T13:00:00Z",
      }),
    );
    expect((await ac.listGrants(ORG, OWNER, { grantee_id: NEWCOMER })).items.map((grant) => grant.id)).toEqual([G(12)]);
    expect((await ac.resolveAccess(ORG, NEWCOMER, NEWCOMER)).entities).toEqual([
      {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        access_level: "write",
        grant_paths: [{ type: "direct", access_level: "write", ...NULL_PATH, grant_id: G(12) }],
      },
    ]);
  });

  it("a bulk create also replaces an expired grant of the same pair", async () => {
    const { ac, clock } = await setup();
    await ac.createGrant(ORG, OWNER, { ...NEW_READ_GRANT, expires_at: "2025-06-15T12:00:00Z" });
    clock.set("2025-06-15T12:30:00Z");
    const created = await ac.bulkCreateGrants(ORG, OWNER, {
      entity_type: "knowledge_slice",
      entity_id: SLICE,
      grants: [{ grantee_type: "user", grantee_id: NEWCOMER, access_level: "admin" }],
    });
    expect(created.map((grant) => grant.id)).toEqual([G(12)]);
    expect((await ac.getGrant(ORG, OWNER, G(11))).revoked_at).toBe("2025-06-15T12:30:00Z");
  });
});

/** Every method of the service, called with a bad actor or argument (so each must reject). */
const EVERY_METHOD: readonly [string, (ac: AccessControl) => Promise<unknown>][] = [
  ["createOrganization", (ac) => ac.createOrganization("org_x", { owners: ["nobody"] })],
  ["exportOrganization", (ac) => ac.exportOrganization(ORG, "nobody")],
  ["setOwners", (ac) => ac.setOwners(ORG, "nobody", [OWNER])],
  ["createGrant", (ac) => ac.createGrant(ORG, "nobody", NEW_READ_GRANT)],
  [
    "bulkCreateGrants",
    (ac) =>
      ac.bulkCreateGrants(ORG, "nobody", {
        entity_type: "knowledge_slice",
        entity_id: SLICE,
        grants: [NEW_READ_GRANT],
      }),
  ],
  ["listGrants", (ac) => ac.listGrants(ORG, "nobody")],
  ["getGrant", (ac) => ac.getGrant(ORG, "nobody", G(1))],
  ["updateGrant", (ac) => ac.updateGrant(ORG, "nobody", G(1), { access_level: "read" })],
  ["revokeGrant", (ac) => ac.revokeGrant(ORG, "nobody", G(1))],
  ["listSliceGrants", (ac) => ac.listSliceGrants(ORG, "nobody", SLICE)],
  ["listVectorStoreGrants", (ac) => ac.listVectorStoreGrants(ORG, "nobody", STORE)],
  ["listAssistantGrants", (ac) => ac.listAssistantGrants(ORG, "nobody", ASSISTANT)],
  ["resolveAccess", (ac) => ac.resolveAccess(ORG, "nobody", SUBJECT)],
  ["usersWithAccess", (ac) => ac.usersWithAccess(ORG, "nobody", "knowledge_slice", SLICE)],
  ["addDepartmentMember", (ac) => ac.addDepartmentMember(ORG, "nobody", SUBJECT, DEPT_ENG)],
  ["removeDepartmentMember", (ac) => ac.removeDepartmentMember(ORG, "nobody", DEPT_ADMIN, DEPT_BACKEND)],
  ["addRoleMember", (ac) => ac.addRoleMember(ORG, "nobody", SUBJECT, ROLE_ADMINS)],
  ["removeRoleMember", (ac) => ac.removeRoleMember(ORG, "nobody", ROLE_ADMIN, ROLE_ADMINS)],
  ["createDepartment", (ac) => ac.createDepartment(ORG, "nobody", { id: "dept_x", parent_id: null })],
  ["moveDepartment", (ac) => ac.moveDepartment(ORG, "nobody", DEPT_BACKEND, null)],
  ["deleteDepartment", (ac) => ac.deleteDepartment(ORG, "nobody", DEPT_BACKEND)],
  ["createComposite", (ac) => ac.createComposite(ORG, "nobody", { id: "kslice_x", member_slice_ids: [] })],
  ["setCompositeMembers", (ac) => ac.setCompositeMembers(ORG, "nobody", COMPOSITE, [])],
];

/** Calls `call` and reports whether it threw synchronously instead of returning a promise. */
function callAsync(call: () => Promise<unknown>): Promise<unknown> | "threw synchronously" {
  try {
    const result = call();
    // Keep a rejection from being reported as unhandled before the test awaits it.
    result.catch(() => undefined);
    return result;
  } catch {
    return "threw synchronously";
  }
}

describe("errors are rejections", () => {
  it.each(EVERY_METHOD)("%s rejects (never throws synchronously) on a bad argument", async (_name, call) => {
    const { ac } = await setup();
    const result = callAsync(() => call(ac));
    expect(result).toBeInstanceOf(Promise);
    const error = await failure(() => Promise.resolve(result));
    expect(error.code).toBe("VALIDATION_ERROR");
  });
});

describe("close()", () => {
  it("resolves", async () => {
    const { ac } = await setup();
    await expect(ac.close()).resolves.toBeUndefined();
  });

  it.each([
    ["createGrant", (ac: AccessControl) => ac.createGrant(ORG, OWNER, NEW_READ_GRANT)],
    ["listGrants", (ac: AccessControl) => ac.listGrants(ORG, OWNER)],
    ["getGrant", (ac: AccessControl) => ac.getGrant(ORG, OWNER, G(1))],
    ["updateGrant", (ac: AccessControl) => ac.updateGrant(ORG, OWNER, G(7), { access_level: "write" })],
    ["revokeGrant", (ac: AccessControl) => ac.revokeGrant(ORG, OWNER, G(7))],
    ["resolveAccess", (ac: AccessControl) => ac.resolveAccess(ORG, OWNER, SUBJECT)],
    ["usersWithAccess", (ac: AccessControl) => ac.usersWithAccess(ORG, OWNER, "knowledge_slice", SLICE)],
    ["exportOrganization", (ac: AccessControl) => ac.exportOrganization(ORG, OWNER)],
    ["createOrganization", (ac: AccessControl) => ac.createOrganization("org_late", { owners: [OWNER] })],
    ["addRoleMember", (ac: AccessControl) => ac.addRoleMember(ORG, OWNER, SUBJECT, ROLE_ADMINS)],
    ["createDepartment", (ac: AccessControl) => ac.createDepartment(ORG, OWNER, { id: "dept_late", parent_id: null })],
  ])("%s rejects after close()", async (_name, call) => {
    const { ac } = await setup();
    await ac.close();
    const result = callAsync(() => call(ac));
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow();
  });
});
