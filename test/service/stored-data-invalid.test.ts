/**
 * Stored data that fails validation is the server's problem, not the caller's: a grant row
 * with a level or type outside the allowed values, a bad timestamp, a department cycle, an owner list that is not a JSON list, a stored snapshot or a logged
 * commit that cannot be applied. Each answers 500 `INTERNAL_ERROR` over HTTP with the generic text and
 * no details, whoever asks; the service's and the handler's `onError` get the
 * `STORED_DATA_INVALID` with the organization and the validation error as its cause; the other
 * organization in the same database answers as before. Rows are corrupted with SQL on a real
 * SQLite file and a PostgreSQL schema (the grants checks switched off for it), and through a
 * wrapper around memory storage.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type AccessControl,
  AccessError,
  type Commit,
  createAccessControl,
  createHttpHandler,
  type GraphInput,
  memoryStorage,
  type OrganizationSnapshot,
  type StorageAdapter,
} from "../../src/index.js";
import { OPENAPI_DOCUMENT } from "../../src/openapi.js";
import { postgresStorage } from "../../src/storage/postgres/index.js";
import { sqliteStorage } from "../../src/storage/sqlite/index.js";
import { manualClock, sequentialIds } from "../../src/testing/test-kit.js";
import {
  type ApiResponse,
  authenticate,
  createRequest,
  expectError,
  fixtureOrganizations,
  NOW,
  ORG,
  ORG_PATH,
  OTHER_ORG,
  OTHER_ORG_PATH,
  OWNER,
  type RequestFn,
} from "../http/support.js";
import { DATABASE_URL, warnWithoutDatabase } from "../support/postgres-url.js";

warnWithoutDatabase("the PostgreSQL stored-data cases", "test/service/stored-data-invalid.test.ts");

const folder = mkdtempSync(join(tmpdir(), "grantpath-stored-"));
const admin = DATABASE_URL ? new pg.Pool({ connectionString: DATABASE_URL, max: 2 }) : null;
let counter = 0;

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await admin?.end();
});

/** What every 500 answers: the generic text, nothing of the stored data. */
const GENERIC_500 = {
  code: "INTERNAL_ERROR",
  message: "Something went wrong on our side. Please try again later.",
  system_message: "Internal server error",
  type: "server_error",
  status: 500,
  details: {},
};

/** A service and handler over `storage`, recording what each `onError` hears. */
interface Served {
  readonly accessControl: AccessControl;
  readonly request: RequestFn;
  /** What the service's `onError` got. */
  readonly serviceErrors: unknown[];
  /** What the handler's `onError` got. */
  readonly httpErrors: unknown[];
}

function serve(storage: StorageAdapter): Served {
  const serviceErrors: unknown[] = [];
  const httpErrors: unknown[] = [];
  const clock = manualClock(NOW);
  const accessControl = createAccessControl({
    storage,
    clock: clock.now,
    ids: sequentialIds(),
    onError: (error) => serviceErrors.push(error),
  });
  const handler = createHttpHandler(accessControl, {
    authenticate,
    clock: clock.now,
    openapi: OPENAPI_DOCUMENT,
    onError: (error) => httpErrors.push(error),
  });
  const request = createRequest((path, init) => handler(new Request(new URL(path, "http://localhost"), init)));
  return { accessControl, request, serviceErrors, httpErrors };
}

/** A 500 with the envelope and the generic text only. */
function expectInternalError(response: ApiResponse): void {
  const error = expectError(response, 500, "INTERNAL_ERROR");
  expect({ ...error, trace_id: undefined, timestamp: undefined }).toEqual({
    ...GENERIC_500,
    trace_id: undefined,
    timestamp: undefined,
  });
}

/** What the cause of the reported error must match: its code, and the stored field it names. */
interface ExpectedCause {
  readonly code?: string;
  readonly field?: RegExp;
  /** A cause that is no AccessError (JSON that does not parse). */
  readonly name?: string;
}

function expectReported(errors: readonly unknown[], expected: ExpectedCause): AccessError {
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error).toBeInstanceOf(AccessError);
    expect(error).toMatchObject({ code: "STORED_DATA_INVALID", status: 500, details: { organization_id: ORG } });
  }
  const first = errors[0] as AccessError;
  const cause = first.cause as { code?: string; name?: string; details?: { field?: unknown } } | undefined;
  if (expected.code !== undefined) expect(cause?.code).toBe(expected.code);
  if (expected.name !== undefined) expect(cause?.name).toBe(expected.name);
  if (expected.field !== undefined) expect(String(cause?.details?.field)).toMatch(expected.field);
  return first;
}

/** Every way the organization is asked about answers 500; the other organization answers as before. */
async function expectServerErrorForOrganization(served: Served, expected: ExpectedCause): Promise<void> {
  // Its owner, the owner of another organization, the worked example's user: all get the same 500, never a 422.
  expectInternalError(await served.request(`${ORG_PATH}/access/grants`, { as: "owner" }));
  expectInternalError(await served.request(`${ORG_PATH}/access/grants`, { as: "otherOwner" }));
  expectInternalError(await served.request(`${ORG_PATH}/users/usr_def456/resolved-access`, { as: "seedUser" }));
  const other = await served.request(`${OTHER_ORG_PATH}/access/grants`, { as: "otherOwner" });
  expect(other.status).toBe(200);
  expect(other.body).toMatchObject({ total: 1, items: [{ id: "agrant_other01" }] });

  expectReported(served.serviceErrors, expected);
  // The handler hears the very errors the service reported (each load that failed, once per request).
  expect(served.httpErrors.length).toBe(3);
  for (const error of served.httpErrors) expect(served.serviceErrors).toContain(error);

  // The library answers the same code, with what failed as its cause.
  const thrown = await served.accessControl.listGrants(ORG, OWNER).then(
    () => null,
    (error: unknown) => error,
  );
  expect(thrown).toMatchObject({ code: "STORED_DATA_INVALID", status: 500, type: "server_error" });
}

/** A database holding the fixture organizations, which SQL can corrupt behind the adapter's back. */
interface Backend {
  readonly name: string;
  /** The adapter, migrated and seeded with the fixture organizations. */
  open(): Promise<StorageAdapter>;
  /** Runs SQL against the tables directly, the grants checks switched off (`$schema.` names a table). */
  corrupt(statements: readonly string[]): Promise<void>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  const filename = join(folder, `db-${++counter}.sqlite`);
  let adapter: StorageAdapter | undefined;
  return {
    name: "sqlite",
    async open() {
      adapter = sqliteStorage({ filename, initial: fixtureOrganizations() });
      return adapter;
    },
    async corrupt(statements) {
      const db = new Database(filename);
      try {
        db.pragma("ignore_check_constraints = ON");
        for (const statement of statements) db.exec(statement.replaceAll("$schema.", ""));
      } finally {
        db.close();
      }
    },
    async dispose() {
      adapter?.close?.();
    },
  };
}

function postgresBackend(): Backend {
  const schema = `gp_stored_${process.pid}_${++counter}`;
  let adapter: StorageAdapter | undefined;
  const run = async (sql: string) => {
    await admin?.query(sql.replaceAll("$schema.", `"${schema}".`));
  };
  return {
    name: "postgres",
    async open() {
      adapter = postgresStorage({ connectionString: DATABASE_URL ?? "", schema, initial: fixtureOrganizations() });
      await adapter.loadOrganization(OTHER_ORG); // migrates and seeds
      return adapter;
    },
    async corrupt(statements) {
      for (const name of ["grants_access_level_valid", "grants_entity_type_valid", "grants_grantee_type_valid"]) {
        await run(`ALTER TABLE $schema.grants DROP CONSTRAINT IF EXISTS ${name}`);
      }
      for (const statement of statements) await run(statement);
    },
    async dispose() {
      await adapter?.close?.();
      await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

const backends: [string, () => Backend][] = [["sqlite", sqliteBackend]];
if (DATABASE_URL) backends.push(["postgres", postgresBackend]);

let opened: Backend[] = [];
afterEach(async () => {
  for (const backend of opened) await backend.dispose();
  opened = [];
});

/** Rows are read only without a usable stored snapshot: seeding stored one at revision 1. */
const WITHOUT_SNAPSHOT = `DELETE FROM $schema.snapshots WHERE organization_id = '${ORG}'`;
const grantRow = (id: string, set: string) => `UPDATE $schema.grants SET ${set} WHERE id = '${id}'`;

/** A corruption: the SQL that makes it, and what the reported error's cause says. */
const ROW_CASES: readonly [string, readonly string[], ExpectedCause][] = [
  [
    "a grant with access_level 'owner'",
    [grantRow("agrant_seed01", "access_level = 'owner'")],
    { field: /access_level$/ },
  ],
  [
    "a grant with entity_type 'folder'",
    [grantRow("agrant_seed01", "entity_type = 'folder'")],
    { field: /entity_type$/ },
  ],
  [
    "a grant with grantee_type 'group'",
    [grantRow("agrant_seed01", "grantee_type = 'group'")],
    { field: /grantee_type$/ },
  ],
  [
    "a grant whose expires_at is no timestamp",
    [grantRow("agrant_seed02", "expires_at = 'next tuesday'")],
    { field: /expires_at$/ },
  ],
  [
    "a grant whose created_at is no timestamp",
    [grantRow("agrant_seed03", "created_at = '2025-13-45'")],
    { field: /created_at$/ },
  ],
  [
    "a department cycle",
    [
      `INSERT INTO $schema.departments (organization_id, id, parent_id) VALUES ('${ORG}', 'dept_loop', 'dept_eng01')`,
      `UPDATE $schema.departments SET parent_id = 'dept_loop' WHERE organization_id = '${ORG}' AND id = 'dept_eng01'`,
    ],
    { code: "INVALID_GRAPH" },
  ],
  [
    "owners stored as a JSON string",
    [`UPDATE $schema.organizations SET owners = '"${OWNER}"' WHERE id = '${ORG}'`],
    { field: /^owners$/ },
  ],
  [
    "owners stored as a JSON object",
    [`UPDATE $schema.organizations SET owners = '{"0": "${OWNER}"}' WHERE id = '${ORG}'`],
    { field: /^owners$/ },
  ],
  [
    "owners stored as text that is not JSON",
    [`UPDATE $schema.organizations SET owners = '${OWNER}' WHERE id = '${ORG}'`],
    { name: "SyntaxError" },
  ],
  [
    "owners holding a number",
    [`UPDATE $schema.organizations SET owners = '["${OWNER}", 7]' WHERE id = '${ORG}'`],
    { field: /^owners$/ },
  ],
  [
    "memberships stored as an object",
    [`UPDATE $schema.users SET department_ids = '{}' WHERE organization_id = '${ORG}' AND id = 'usr_def456'`],
    { field: /department_ids$/ },
  ],
];

describe.each(backends)("%s: stored rows that fail validation", (_name, make) => {
  async function corrupted(statements: readonly string[]): Promise<Served> {
    const backend = make();
    opened.push(backend);
    const storage = await backend.open();
    await backend.corrupt(statements);
    return serve(storage);
  }

  it.each(ROW_CASES)(
    "%s answers 500 to everyone, is reported, and leaves the other organization alone",
    async (_what, sql, cause) => {
      const served = await corrupted([...sql, WITHOUT_SNAPSHOT]);
      await expectServerErrorForOrganization(served, cause);
    },
  );

  it("owners that are not a list are never read as no owners: the stored owner is not locked out quietly", async () => {
    const served = await corrupted([
      `UPDATE $schema.organizations SET owners = '"${OWNER}"' WHERE id = '${ORG}'`,
      WITHOUT_SNAPSHOT,
    ]);
    const response = await served.request(`${ORG_PATH}/access/grants`, { as: "owner" });
    expect(response.status).not.toBe(403);
    expectInternalError(response);
  });

  it("a stored snapshot that fails validation answers 500 too", async () => {
    // The snapshot keeps levels in its string table: make the worked example's "write" an "owner".
    const served = await corrupted([
      `UPDATE $schema.snapshots SET data = replace(data, '"write"', '"owner"') WHERE organization_id = '${ORG}'`,
    ]);
    await expectServerErrorForOrganization(served, { field: /access_level$/ });
  });

  it("a logged commit that cannot be applied answers 500 when no snapshot before it is valid without it", async () => {
    const bad = {
      type: "put_grant",
      grant: {
        id: "agrant_bad01",
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
        grantee_type: "user",
        grantee_id: "usr_reader2",
        access_level: "owner",
        granted_by: OWNER,
        organization_id: ORG,
        created_at: NOW,
        updated_at: NOW,
      },
    };
    const served = await corrupted([
      `INSERT INTO $schema.changes (organization_id, revision, committed_at, changes)
         VALUES ('${ORG}', 2, '${NOW}', '${JSON.stringify([bad])}')`,
      `UPDATE $schema.organizations SET version = 2 WHERE id = '${ORG}'`,
    ]);
    await expectServerErrorForOrganization(served, { field: /access_level$/ });
  });

  it("once the rows are mended, the organization answers again without a restart", async () => {
    const backend = make();
    opened.push(backend);
    const storage = await backend.open();
    await backend.corrupt([grantRow("agrant_seed01", "access_level = 'owner'"), WITHOUT_SNAPSHOT]);
    const served = serve(storage);
    expectInternalError(await served.request(`${ORG_PATH}/access/grants`));
    await backend.corrupt([grantRow("agrant_seed01", "access_level = 'read'"), WITHOUT_SNAPSHOT]);
    const mended = await served.request(`${ORG_PATH}/access/grants`);
    expect(mended.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Memory storage, corrupted through a wrapper
// ---------------------------------------------------------------------------------------------

type Graph = GraphInput;

/** The fixture organization's graph with the worked example's direct grant at level `owner`. */
function withOwnerLevel(graph: Graph): Graph {
  return {
    ...graph,
    grants: (graph.grants ?? []).map((grant) =>
      grant.id === "agrant_seed01" ? { ...grant, access_level: "owner" as never } : grant,
    ),
  };
}

/** A commit whose grant carries a level that does not exist. */
function badCommit(revision: number): Commit {
  return {
    revision,
    committed_at: NOW,
    changes: [
      {
        type: "put_grant",
        grant: {
          id: "agrant_bad01",
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          grantee_type: "user",
          grantee_id: "usr_reader2",
          access_level: "owner" as never,
          granted_by: OWNER,
          organization_id: ORG,
          created_at: NOW,
          updated_at: NOW,
        },
      },
    ],
  };
}

describe("memory storage behind a wrapper that answers bad data", () => {
  it("a stored organization that fails validation answers 500 and is reported; the other organization answers", async () => {
    const inner = memoryStorage({ initial: fixtureOrganizations() });
    const storage: StorageAdapter = {
      ...inner,
      loadOrganization: async (organizationId) => {
        const snapshot = await inner.loadOrganization(organizationId);
        return snapshot && organizationId === ORG ? { ...snapshot, graph: withOwnerLevel(snapshot.graph) } : snapshot;
      },
    };
    await expectServerErrorForOrganization(serve(storage), { code: "VALIDATION_ERROR", field: /access_level$/ });
  });

  it("a logged commit that cannot be applied is reported and the snapshot answers instead", async () => {
    const inner = memoryStorage({ initial: fixtureOrganizations() });
    const writer = createAccessControl({ storage: inner, ids: sequentialIds("agrant_w") });
    const storage: StorageAdapter = {
      ...inner,
      readChanges: async (organizationId, since, limit) => {
        const page = await inner.readChanges(organizationId, since, limit);
        return page && organizationId === ORG ? { ...page, items: page.items.map((c) => badCommit(c.revision)) } : page;
      },
    };
    const served = serve(storage);
    expect((await served.request(`${ORG_PATH}/access/grants`)).status).toBe(200);
    let revision = 0;
    await writer.createGrant(
      ORG,
      OWNER,
      {
        entity_type: "assistant",
        entity_id: "asst_new1",
        grantee_type: "user",
        grantee_id: "usr_def456",
        access_level: "read",
      },
      { onRevision: (r) => (revision = r) },
    );
    const read = await served.request(`${ORG_PATH}/access/grants?min_revision=${revision}&limit=100`);
    expect(read.status).toBe(200);
    expect(read.headers.get("grantpath-revision")).toBe(String(revision));
    expect(read.body).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({ entity_id: "asst_new1" })]),
    });
    const reported = expectReported(served.serviceErrors, { code: "VALIDATION_ERROR", field: /access_level$/ });
    expect(reported.details).toMatchObject({ revision });
    expect(served.httpErrors).toEqual([]);
  });

  it("a logged commit that cannot be applied, and a snapshot that fails too, answer 500", async () => {
    const inner = memoryStorage({ initial: fixtureOrganizations() });
    const writer = createAccessControl({ storage: inner, ids: sequentialIds("agrant_w") });
    let loads = 0;
    const storage: StorageAdapter = {
      ...inner,
      loadOrganization: async (organizationId): Promise<OrganizationSnapshot | null> => {
        const snapshot = await inner.loadOrganization(organizationId);
        if (organizationId !== ORG || !snapshot) return snapshot;
        loads += 1;
        return loads === 1 ? snapshot : { ...snapshot, graph: withOwnerLevel(snapshot.graph) };
      },
      readChanges: async (organizationId, since, limit) => {
        const page = await inner.readChanges(organizationId, since, limit);
        return page && organizationId === ORG ? { ...page, items: page.items.map((c) => badCommit(c.revision)) } : page;
      },
    };
    const served = serve(storage);
    expect((await served.request(`${ORG_PATH}/access/grants`)).status).toBe(200);
    let revision = 0;
    await writer.createGrant(
      ORG,
      OWNER,
      {
        entity_type: "assistant",
        entity_id: "asst_new1",
        grantee_type: "user",
        grantee_id: "usr_def456",
        access_level: "read",
      },
      { onRevision: (r) => (revision = r) },
    );
    expectInternalError(await served.request(`${ORG_PATH}/access/grants?min_revision=${revision}`));
    // The commit that could not be applied, then the snapshot that failed: each reported once.
    expect(served.serviceErrors).toHaveLength(2);
    expect(served.serviceErrors[0]).toMatchObject({
      code: "STORED_DATA_INVALID",
      details: { organization_id: ORG, revision },
    });
    expect(served.httpErrors).toEqual([served.serviceErrors[1]]);
    expect((await served.request(`${OTHER_ORG_PATH}/access/grants`, { as: "otherOwner" })).status).toBe(200);
  });

  it("a write that meets a missed commit it cannot apply reports it and commits on the snapshot, never a 422", async () => {
    const inner = memoryStorage({ initial: fixtureOrganizations() });
    let injected = false;
    const storage: StorageAdapter = {
      ...inner,
      commitLatest: (organizationId, knownRevision, plan, options) =>
        (inner.commitLatest as NonNullable<StorageAdapter["commitLatest"]>)(
          organizationId,
          knownRevision,
          (missed) => {
            if (injected || organizationId !== ORG) return plan(missed);
            injected = true;
            return plan([...missed, badCommit(knownRevision + 1)]);
          },
          options,
        ),
    };
    const served = serve(storage);
    const created = await served.request(`${ORG_PATH}/access/grants`, {
      method: "POST",
      json: {
        entity_type: "assistant",
        entity_id: "asst_new1",
        grantee_type: "user",
        grantee_id: "usr_def456",
        access_level: "read",
      },
    });
    expect(created.status).toBe(201);
    expectReported(served.serviceErrors, { code: "VALIDATION_ERROR", field: /access_level$/ });
    expect(served.httpErrors).toEqual([]);
  });
});
