// One smoke suite over the BUILT package (dist/), written once and run unchanged in Node, Bun,
// Deno and headless Chromium (docs/runtimes.md). Framework-free on purpose: a tiny assert and a
// list of named cases, so that nothing but the runtime itself stands between the package and the
// answer. It imports dist/ by relative path, so `npm run build` must have run first; the browser
// loads the same files over HTTP. Entries: smoke.mjs (Node, Bun, Deno), browser.mjs (Chromium);
// run.mjs runs all four.
import {
  AccessError,
  addGrant,
  checkAccess,
  createAccessControl,
  createGraph,
  createHttpHandler,
  diffAccess,
  memoryStorage,
  resolveAccess,
  usersWithAccess,
} from "../../dist/index.js";
import { runScenario } from "../../dist/testing.js";

const ORG = "org_xyz789";
const OWNER = "usr_owner1";
/** Tests ask at a fixed instant, so the expiring grant below is active in every run. */
const AT = "2025-07-01T00:00:00Z";
const AT_DATE = new Date(AT);

/** The worked example's organization (docs/spec.md §12, examples/seed-graph.json). */
function seedGraph() {
  return {
    organization_id: ORG,
    owners: [OWNER],
    users: [
      { id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] },
      { id: "usr_ghi789", department_ids: ["dept_backend01"] },
    ],
    departments: [
      { id: "dept_eng01", parent_id: null },
      { id: "dept_backend01", parent_id: "dept_eng01" },
    ],
    roles: [{ id: "role_admin01" }],
    composites: [{ id: "kslice_handbook01", member_slice_ids: ["kslice_policies01", "kslice_benefits01"] }],
    grants: [
      grant("agrant_abc123def456", "knowledge_slice", "kslice_abc123", "user", "usr_def456", "read"),
      grant("agrant_eng01write", "knowledge_slice", "kslice_abc123", "department", "dept_eng01", "write"),
      grant("agrant_admin01", "knowledge_slice", "kslice_def456", "role", "role_admin01", "admin"),
      grant("agrant_handbook01", "knowledge_slice", "kslice_handbook01", "department", "dept_eng01", "read"),
      {
        ...grant("agrant_store01", "vector_store", "vs_docs01", "department", "dept_backend01", "write"),
        expires_at: "2099-01-01T00:00:00Z",
      },
    ],
  };
}

function grant(id, entity_type, entity_id, grantee_type, grantee_id, access_level) {
  return {
    id,
    entity_type,
    entity_id,
    grantee_type,
    grantee_id,
    access_level,
    granted_by: OWNER,
    created_at: "2025-06-15T10:00:00Z",
    updated_at: "2025-06-15T10:00:00Z",
  };
}

// ---- the tiny assert ----

class AssertionFailed extends Error {
  name = "AssertionFailed";
}

function assert(condition, message) {
  if (!condition) throw new AssertionFailed(message);
}

/** Plain-data deep equality: arrays in order, objects by their own keys in any order. */
function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && same(a[key], b[key]));
}

function equal(actual, expected, what) {
  if (!same(actual, expected)) {
    throw new AssertionFailed(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** The error a call throws (sync or async), or a failure when it throws none. */
async function thrown(call, what) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new AssertionFailed(`${what}: expected an error, none was thrown`);
}

/** An entity's level and its grant paths' types, from a resolved answer. */
function levels(resolved) {
  return Object.fromEntries(resolved.entities.map((entity) => [entity.entity_id, entity.access_level]));
}

// ---- the cases ----

const WORKED_EXAMPLE_LEVELS = {
  kslice_abc123: "write",
  kslice_def456: "admin",
  kslice_handbook01: "read",
  kslice_policies01: "read",
  kslice_benefits01: "read",
};

/** @type {{ name: string, run: () => unknown }[]} */
const coreCases = [
  {
    name: "core: createGraph builds the worked example, and refuses a bad one with AccessError",
    run: async () => {
      createGraph(seedGraph());
      const error = await thrown(
        () => createGraph({ ...seedGraph(), grants: [{ ...seedGraph().grants[0], access_level: "owner" }] }),
        "createGraph on a bad level",
      );
      assert(error instanceof AccessError, `expected AccessError, got ${String(error)}`);
      equal(error.code, "VALIDATION_ERROR", "error code");
      equal(error.status, 422, "error status");
    },
  },
  {
    name: "core: resolveAccess answers the worked example with its grant paths",
    run: () => {
      const resolved = resolveAccess(createGraph(seedGraph()), "usr_def456", { at: AT_DATE });
      equal(resolved.user_id, "usr_def456", "user_id");
      equal(levels(resolved), WORKED_EXAMPLE_LEVELS, "levels");
      const abc = resolved.entities.find((entity) => entity.entity_id === "kslice_abc123");
      equal(
        abc?.grant_paths.map((path) => [path.type, path.access_level, path.grant_id]),
        [
          ["direct", "read", "agrant_abc123def456"],
          ["department", "write", "agrant_eng01write"],
        ],
        "kslice_abc123's paths",
      );
      const policies = resolved.entities.find((entity) => entity.entity_id === "kslice_policies01");
      equal(policies?.grant_paths[0]?.composite_id, "kslice_handbook01", "composite path");
    },
  },
  {
    name: "core: checkAccess allows and denies by level, through nested departments",
    run: () => {
      const graph = createGraph(seedGraph());
      const write = checkAccess(graph, "usr_def456", "knowledge_slice", "kslice_abc123", {
        level: "write",
        at: AT_DATE,
      });
      equal([write.allowed, write.access_level], [true, "write"], "usr_def456 writes kslice_abc123");
      const admin = checkAccess(graph, "usr_def456", "knowledge_slice", "kslice_abc123", {
        level: "admin",
        at: AT_DATE,
      });
      equal([admin.allowed, admin.access_level], [false, "write"], "usr_def456 administers kslice_abc123");
      const nested = checkAccess(graph, "usr_ghi789", "knowledge_slice", "kslice_abc123", { at: AT_DATE });
      equal([nested.allowed, nested.access_level], [true, "write"], "usr_ghi789 through dept_backend01's parent");
      const none = checkAccess(graph, "usr_ghi789", "knowledge_slice", "kslice_def456", { at: AT_DATE });
      equal([none.allowed, none.access_level, none.grant_paths], [false, null, []], "no path");
    },
  },
  {
    name: "core: usersWithAccess lists every user an entity's grants reach",
    run: () => {
      const graph = createGraph(seedGraph());
      const who = usersWithAccess(graph, "knowledge_slice", "kslice_policies01", { at: AT_DATE });
      equal(
        who.users.map((user) => [user.user_id, user.access_level]),
        [
          ["usr_def456", "read"],
          ["usr_ghi789", "read"],
        ],
        "users of kslice_policies01",
      );
      const store = usersWithAccess(graph, "vector_store", "vs_docs01", { at: AT_DATE });
      equal(
        store.users.map((user) => [user.user_id, user.access_level]),
        [["usr_ghi789", "write"]],
        "users of vs_docs01",
      );
    },
  },
  {
    name: "core: a graph write returns a new frozen graph and leaves the old one as it was",
    run: () => {
      const before = createGraph(seedGraph());
      const after = addGrant(before, {
        entity_type: "assistant",
        entity_id: "asst_helper01",
        grantee_type: "role",
        grantee_id: "role_admin01",
        access_level: "admin",
      });
      assert(after !== before, "addGrant returned the same graph");
      assert(Object.isFrozen(after), "the new graph is not frozen");
      equal(checkAccess(after, "usr_def456", "assistant", "asst_helper01", { level: "write" }).allowed, true, "after");
      equal(checkAccess(before, "usr_def456", "assistant", "asst_helper01").allowed, false, "before");
    },
  },
  {
    name: "core: diffAccess lists exactly the levels a write changes",
    run: () => {
      const before = createGraph(seedGraph());
      const after = addGrant(before, {
        entity_type: "assistant",
        entity_id: "asst_helper01",
        grantee_type: "department",
        grantee_id: "dept_backend01",
        access_level: "read",
      });
      equal(
        diffAccess(before, after, { at: AT_DATE }).changes,
        [{ user_id: "usr_ghi789", entity_type: "assistant", entity_id: "asst_helper01", before: null, after: "read" }],
        "changes",
      );
      equal(diffAccess(before, before, { at: AT_DATE }).changes, [], "no changes");
    },
  },
];

const NEW_GRANT = {
  entity_type: "knowledge_slice",
  entity_id: "kslice_new01",
  grantee_type: "user",
  grantee_id: "usr_ghi789",
  access_level: "read",
};

/** A fresh service over memory storage seeded with the worked example, asked at AT. */
function service() {
  return createAccessControl({ storage: memoryStorage({ initial: [seedGraph()] }), clock: () => new Date(AT) });
}

const serviceCases = [
  {
    name: "service: createGrant stores a grant with a random id, and refuses a non-owner",
    run: async () => {
      const accessControl = service();
      const created = await accessControl.createGrant(ORG, OWNER, NEW_GRANT);
      assert(/^agrant_[A-Za-z0-9_-]+$/.test(created.id), `grant id ${created.id}`);
      equal(
        { ...created, id: "?" },
        { id: "?", ...NEW_GRANT, organization_id: ORG, granted_by: OWNER, created_at: AT, updated_at: AT },
        "created grant",
      );
      const refused = await thrown(() => accessControl.createGrant(ORG, "usr_ghi789", NEW_GRANT), "non-owner");
      assert(refused instanceof AccessError, `expected AccessError, got ${String(refused)}`);
      equal([refused.code, refused.status], ["INSUFFICIENT_PERMISSIONS", 403], "refusal");
    },
  },
  {
    name: "service: resolveAccess and checkAccess see the new grant",
    run: async () => {
      const accessControl = service();
      const created = await accessControl.createGrant(ORG, OWNER, NEW_GRANT);
      const resolved = await accessControl.resolveAccess(ORG, "usr_ghi789", "usr_ghi789", {
        entityType: "knowledge_slice",
      });
      equal(levels(resolved).kslice_new01, "read", "resolved level");
      const check = await accessControl.checkAccess(
        ORG,
        "usr_ghi789",
        "usr_ghi789",
        "knowledge_slice",
        "kslice_new01",
        {
          level: "write",
        },
      );
      equal(
        [check.allowed, check.access_level, check.grant_paths.map((path) => path.grant_id)],
        [false, "read", [created.id]],
        "check",
      );
    },
  },
  {
    name: "service: whatIf answers what a revoke would change and stores nothing",
    run: async () => {
      const accessControl = service();
      const answer = await accessControl.whatIf(ORG, OWNER, {
        changes: [{ op: "revoke_grant", grant_id: "agrant_eng01write" }],
      });
      equal(
        answer.changes,
        [
          {
            user_id: "usr_def456",
            entity_type: "knowledge_slice",
            entity_id: "kslice_abc123",
            before: "write",
            after: "read",
          },
          {
            user_id: "usr_ghi789",
            entity_type: "knowledge_slice",
            entity_id: "kslice_abc123",
            before: "write",
            after: null,
          },
        ],
        "what-if changes",
      );
      const still = await accessControl.checkAccess(ORG, OWNER, "usr_ghi789", "knowledge_slice", "kslice_abc123");
      equal(still.access_level, "write", "level after the what-if");
    },
  },
];

const BASE = "http://grantpath.test/v1/organizations/org_xyz789";
const TOKENS = new Map([
  ["owner-token", OWNER],
  ["user-token", "usr_ghi789"],
]);

function handler() {
  return createHttpHandler(service(), {
    authenticate: (request) => {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      const user_id = token === undefined ? undefined : TOKENS.get(token);
      return user_id === undefined ? null : { user_id };
    },
  });
}

function post(path, token, body) {
  return new Request(`${BASE}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const httpCases = [
  {
    name: "http: POST /access/grants answers 201, then 409 for the same grant",
    run: async () => {
      const handle = handler();
      const created = await handle(post("/access/grants", "owner-token", NEW_GRANT));
      assert(created instanceof Response, "the handler answered no Response");
      equal(created.status, 201, "status");
      assert(/^application\/json/.test(created.headers.get("content-type") ?? ""), "content-type");
      const body = await created.json();
      equal([body.grantee_id, body.access_level, body.granted_by], ["usr_ghi789", "read", OWNER], "grant");
      const again = await handle(post("/access/grants", "owner-token", NEW_GRANT));
      equal(again.status, 409, "second status");
      equal((await again.json()).error.code, "RESOURCE_ALREADY_EXISTS", "second code");
    },
  },
  {
    name: "http: GET resolved-access answers the worked example with its revision",
    run: async () => {
      const handle = handler();
      const answer = await handle(
        new Request(`${BASE}/users/usr_def456/resolved-access`, { headers: { authorization: "Bearer owner-token" } }),
      );
      equal(answer.status, 200, "status");
      assert(/^\d+$/.test(answer.headers.get("grantpath-revision") ?? ""), "Grantpath-Revision header");
      const body = await answer.json();
      equal(levels(body), WORKED_EXAMPLE_LEVELS, "levels");
    },
  },
  {
    name: "http: POST /access/check answers allowed, level and paths",
    run: async () => {
      const handle = handler();
      const answer = await handle(
        post("/access/check", "user-token", {
          user_id: "usr_ghi789",
          entity_type: "vector_store",
          entity_id: "vs_docs01",
          level: "write",
        }),
      );
      equal(answer.status, 200, "status");
      const body = await answer.json();
      equal(
        [body.allowed, body.access_level, body.grant_paths.map((path) => [path.type, path.department_id])],
        [true, "write", [["department", "dept_backend01"]]],
        "check",
      );
    },
  },
  {
    name: "http: errors come in the envelope (401 without credentials, 422 naming the field)",
    run: async () => {
      const handle = handler();
      const anonymous = await handle(new Request(`${BASE}/users/usr_def456/resolved-access`));
      equal(anonymous.status, 401, "status");
      const envelope = await anonymous.json();
      equal(envelope.success, false, "success");
      equal([envelope.error.code, envelope.error.status], ["AUTHENTICATION_REQUIRED", 401], "error");
      assert(typeof envelope.error.trace_id === "string" && envelope.error.trace_id !== "", "trace_id");
      const invalid = await handle(post("/access/grants", "owner-token", { ...NEW_GRANT, entity_type: "spreadsheet" }));
      equal(invalid.status, 422, "invalid status");
      const rejected = (await invalid.json()).error;
      equal([rejected.code, rejected.details.field], ["VALIDATION_ERROR", "entity_type"], "invalid error");
    },
  },
];

const SCENARIO = {
  graph: seedGraph(),
  tests: [
    {
      name: "an engineer writes the slice her department may write",
      at: AT,
      check: [
        {
          user: "usr_def456",
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          level: "write",
          allowed: true,
        },
        {
          user: "usr_def456",
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          level: "admin",
          allowed: false,
        },
      ],
    },
    {
      name: "the handbook composite gives read to its slices",
      at: AT,
      who: [
        {
          entity_type: "knowledge_slice",
          entity_id: "kslice_policies01",
          users: { usr_def456: "read", usr_ghi789: "read" },
        },
      ],
    },
  ],
};

const testingCases = [
  {
    name: "testing: runScenario passes a scenario object, and reports a wrong expectation",
    run: () => {
      const result = runScenario(SCENARIO);
      equal(
        result.tests.map((test) => [test.name, test.passed]),
        SCENARIO.tests.map((test) => [test.name, true]),
        "outcomes",
      );
      equal(result.passed, true, "passed");
      const wrong = runScenario({
        ...SCENARIO,
        tests: [{ ...SCENARIO.tests[0], check: [{ ...SCENARIO.tests[0].check[1], allowed: true }] }],
      });
      equal(wrong.passed, false, "a wrong expectation passed");
    },
  },
];

/** Every case, in the order they run. */
export const CASES = [...coreCases, ...serviceCases, ...httpCases, ...testingCases];

/**
 * Runs every case in order, printing `ok`/`FAIL` per case through `print` and, last, the line
 * `<runtime>: N passed, M failed`.
 *
 * @param {string} runtime the name printed before the counts
 * @param {(line: string) => void} print
 * @returns {Promise<{ passed: number, failed: number }>}
 */
export async function runSmoke(runtime, print) {
  let passed = 0;
  let failed = 0;
  for (const { name, run } of CASES) {
    try {
      await run();
      passed += 1;
      print(`ok   ${name}`);
    } catch (error) {
      failed += 1;
      const details = error instanceof AccessError ? ` ${error.code} ${JSON.stringify(error.details)}` : "";
      const reason = error instanceof Error ? `${error.stack ?? error.message}${details}` : String(error);
      print(`FAIL ${name}\n     ${reason.replaceAll("\n", "\n     ")}`);
    }
  }
  print(`${runtime}: ${passed} passed, ${failed} failed`);
  return { passed, failed };
}
