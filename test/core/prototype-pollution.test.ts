/**
 * Inputs must not reach the prototype. With every field and option name grantpath
 * reads set on Object.prototype by "some other code", every answer and every refusal must be
 * exactly what it is on a clean prototype: a grant without `access_level` is refused, not made
 * an admin grant; a user without `department_ids` is a member of nothing. And graphs are
 * recognised by identity: an object spread from a graph, with owners of its own, is refused.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  AccessError,
  addGrant,
  applyChanges,
  checkAccess,
  createGraph,
  type GraphInput,
  graphToInput,
  isOwner,
  resolveAccess,
  setCompositeMembers,
  setOwners,
  setUserDepartments,
  updateGrantLevel,
  usersWithAccess,
} from "../../src/index.js";
import { arbGraphInput, REF_INSTANT, USER_POOL } from "../support/arbitraries.js";

const AT = new Date(REF_INSTANT);

/** What hostile code might set, per name grantpath reads somewhere. */
const POLLUTION: Readonly<Record<string, unknown>> = {
  access_level: "admin",
  level: "admin",
  entity_type: "knowledge_slice",
  entityType: "vector_store",
  entity_id: "kslice_evil",
  grantee_type: "user",
  grantee_id: "usr_evil",
  id: "agrant_evil",
  department_ids: ["dept_evil"],
  role_ids: ["role_evil"],
  parent_id: "dept_evil",
  member_slice_ids: ["kslice_evil"],
  owners: ["usr_evil"],
  users: [{ id: "usr_evil", department_ids: ["dept_evil"] }],
  departments: [{ id: "dept_evil", parent_id: null }],
  roles: [{ id: "role_evil" }],
  composites: [{ id: "kslice_evil", member_slice_ids: ["kslice_evil2"] }],
  grants: [
    {
      entity_type: "assistant",
      entity_id: "asst_evil",
      grantee_type: "user",
      grantee_id: "usr_evil",
      access_level: "admin",
    },
  ],
  expires_at: "2000-01-01T00:00:00Z",
  created_at: "2000-01-01T00:00:00Z",
  updated_at: "2000-01-01T00:00:00Z",
  granted_by: "usr_evil",
  organization_id: "org_evil",
  revoked_at: "2000-01-01T00:00:00Z",
  at: new Date(0),
  limits: { maxDepartmentDepth: 1 },
  maxDepartmentDepth: 1,
  maxCompositeDepth: 1,
  maxOrganizationSize: 1,
  skip: 5,
  limit: 1,
};

/** Runs `body` with every name of {@link POLLUTION} on Object.prototype, and removes them after. */
function polluted<T>(body: () => T): T {
  const proto = Object.prototype as Record<string, unknown>;
  for (const [key, value] of Object.entries(POLLUTION)) {
    Object.defineProperty(proto, key, { value, configurable: true, writable: true, enumerable: false });
  }
  try {
    return body();
  } finally {
    for (const key of Object.keys(POLLUTION)) delete proto[key];
  }
}

/** The outcome of `run`: its answer as JSON, or the code and field of the AccessError it threw. */
function outcome(run: () => unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(run() ?? null));
  } catch (error) {
    if (error instanceof AccessError) return { error: error.code, field: error.details.field ?? null };
    throw error;
  }
}

afterEach(() => {
  for (const key of Object.keys(POLLUTION)) expect(Object.hasOwn(Object.prototype, key)).toBe(false);
});

describe("a polluted Object.prototype changes nothing", () => {
  it("a grant without access_level is refused, and a user without department_ids belongs nowhere", () => {
    const input = {
      organization_id: "org_1",
      users: [{ id: "usr_1" }],
      grants: [{ entity_type: "assistant", entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_1" }],
    } as unknown as GraphInput;
    expect(polluted(() => outcome(() => createGraph(input)))).toEqual({
      error: "VALIDATION_ERROR",
      field: "grants[0].access_level",
    });
    const graph = polluted(() => createGraph({ organization_id: "org_1", users: [{ id: "usr_1" }] }));
    expect(polluted(() => graphToInput(graph))).toEqual(
      graphToInput(
        createGraph({ organization_id: "org_1", users: [{ id: "usr_1", department_ids: [], role_ids: [] }] }),
      ),
    );
    expect(polluted(() => isOwner(graph, "usr_evil"))).toBe(false);
  });

  it("every question and write answers as on a clean prototype, for any organization (property)", () => {
    fc.assert(
      fc.property(arbGraphInput(), fc.constantFrom(...USER_POOL), (input, user) => {
        const scenario = () => {
          const graph = createGraph(input);
          const grown = addGrant(graph, {
            entity_type: "assistant",
            entity_id: "asst_new",
            grantee_type: "user",
            grantee_id: user,
            access_level: "write",
          } as never);
          const moved = setUserDepartments(grown, user, ["dept_eng"]);
          const composite = setCompositeMembers(moved, "kslice_a", ["kslice_B"]);
          const replica = applyChanges(graph, [
            { type: "put_user", user: { id: user, department_ids: ["dept_ops"], role_ids: [] } } as never,
          ]);
          return {
            input: graphToInput(graph),
            resolved: resolveAccess(composite, user, { at: AT }),
            unfiltered: resolveAccess(composite, user),
            check: checkAccess(composite, user, "assistant", "asst_new"),
            checkAt: checkAccess(composite, user, "knowledge_slice", "kslice_B", { at: AT }),
            who: usersWithAccess(composite, "assistant", "asst_new", { at: AT }),
            replica: resolveAccess(replica, user, { at: AT }),
            owners: graphToInput(setOwners(graph, ["usr_alice"])).owners,
            level: outcome(() => updateGrantLevel(grown, "agrant_auto_1", "admin")),
          };
        };
        expect(polluted(() => outcome(scenario))).toEqual(outcome(scenario));
      }),
      { numRuns: 200 },
    );
  });
});

describe("graphs are recognised by identity", () => {
  it("an object spread from a graph, or parsed from one, is refused everywhere", () => {
    const graph = createGraph({ organization_id: "org_1", owners: ["usr_owner"] });
    const forged = { ...graph, owners: ["usr_evil"] } as typeof graph;
    const parsed = JSON.parse(JSON.stringify(graph)) as typeof graph;
    for (const fake of [forged, parsed, Object.create(graph) as typeof graph]) {
      expect(outcome(() => isOwner(fake, "usr_evil"))).toEqual({ error: "VALIDATION_ERROR", field: "graph" });
      expect(outcome(() => resolveAccess(fake, "usr_evil"))).toEqual({ error: "VALIDATION_ERROR", field: "graph" });
      expect(outcome(() => setOwners(fake, ["usr_evil"]))).toEqual({ error: "VALIDATION_ERROR", field: "graph" });
    }
    expect(isOwner(graph, "usr_owner")).toBe(true);
    // Every write's result is a graph too.
    expect(isOwner(setOwners(graph, ["usr_next"]), "usr_next")).toBe(true);
  });
});

describe("a polluted Object.prototype changes nothing in the service and over HTTP", () => {
  it("the same writes and reads, through the service and the handler, answer the same", async () => {
    const { createAccessControl, createHttpHandler, memoryStorage } = await import("../../src/index.js");
    const { manualClock, sequentialIds } = await import("../../src/testing/index.js");
    const scenario = async () => {
      const clock = manualClock("2025-06-15T10:00:00Z");
      const storage = memoryStorage({
        initial: [
          {
            organization_id: "org_p",
            owners: ["usr_owner"],
            users: [{ id: "usr_2" }],
            grants: [
              {
                id: "agrant_seed",
                entity_type: "vector_store",
                entity_id: "vs_1",
                grantee_type: "user",
                grantee_id: "usr_2",
                access_level: "read",
              },
            ],
          },
        ],
        clock: clock.now,
      });
      const ac = createAccessControl({ storage, clock: clock.now, ids: sequentialIds() });
      const handler = createHttpHandler(ac, {
        authenticate: (request) => ({ user_id: request.headers.get("x-user") ?? "usr_owner" }),
        clock: clock.now,
      });
      const call = async (method: string, path: string, body?: unknown, user = "usr_owner") => {
        const response = await handler(
          new Request(`http://localhost/v1/organizations/org_p${path}`, {
            method,
            headers: { "x-user": user, "content-type": "application/json" },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          }),
        );
        const text = await response.text();
        const parsed = text === "" ? null : (JSON.parse(text) as { error?: { trace_id?: string } });
        if (parsed?.error) parsed.error.trace_id = "-";
        return { status: response.status, body: parsed };
      };
      return [
        await call("POST", "/access/grants", {
          entity_type: "assistant",
          entity_id: "asst_1",
          grantee_type: "user",
          grantee_id: "usr_1",
        }),
        await call("POST", "/access/grants", {
          entity_type: "assistant",
          entity_id: "asst_1",
          grantee_type: "user",
          grantee_id: "usr_1",
          access_level: "read",
        }),
        await call("GET", "/users/usr_1/resolved-access"),
        await call("GET", "/users/usr_1/resolved-access", undefined, "usr_1"),
        await call("GET", "/access/users-with-access?entity_type=assistant&entity_id=asst_1"),
        await call("GET", "/access/grants"),
        await call("GET", "/access/grants", undefined, "usr_evil"),
        await call("GET", "/access/changes?since=1"),
        await call("GET", "/access/snapshot"),
        await call("GET", "/users/usr_2/resolved-access"),
        await outcomeAsync(() => ac.addDepartmentMember("org_p", "usr_owner", "usr_1", "dept_a")),
      ];
    };
    const clean = await scenario();
    const proto = Object.prototype as Record<string, unknown>;
    for (const [key, value] of Object.entries(POLLUTION)) {
      Object.defineProperty(proto, key, { value, configurable: true, writable: true, enumerable: false });
    }
    let dirty: unknown;
    try {
      dirty = await scenario();
    } finally {
      for (const key of Object.keys(POLLUTION)) delete proto[key];
    }
    expect(dirty).toEqual(clean);
  });
});

async function outcomeAsync(run: () => Promise<unknown> | undefined): Promise<unknown> {
  try {
    return JSON.parse(JSON.stringify((await run()) ?? null));
  } catch (error) {
    if (error instanceof AccessError) return { error: error.code, field: error.details.field ?? null };
    throw error;
  }
}
