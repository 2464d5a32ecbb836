/**
 * What-if's body (docs/spec.md §11): the OpenAPI request schema (`WhatIfRequest`, one schema per
 * `op`) and the service's checks are written apart, so a property checks they agree on bodies
 * built from valid and broken fields. The service takes a body when what-if answers, or refuses
 * it for the organization's sake rather than its form (404, 409, `INVALID_GRAPH`); it refuses the
 * form with `VALIDATION_ERROR`. Each generated list holds one change, so no earlier change's
 * refusal hides a later change's malformation. The one rule no JSON Schema can state, that an
 * expiry lies in the future, is left out (request-schemas.property.test.ts names it).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import SEED from "../../examples/seed-graph.json" with { type: "json" };
import { AccessError, createAccessControl, type GraphInput, memoryStorage } from "../../src/index.js";
import { createOpenApiAjv, DOC_ID } from "./openapi-contract.js";

const ORG = "org_xyz789";
const OWNER = "usr_owner1";
const ajv = createOpenApiAjv();
const valid = ajv.compile({ $ref: `${DOC_ID}#/components/schemas/WhatIfRequest` });
const accessControl = createAccessControl({ storage: memoryStorage({ initial: [SEED as GraphInput] }) });

/** A field that is there with this value, or absent. */
const ABSENT = Symbol("absent");

const OPS = [
  "create_grant",
  "update_grant",
  "revoke_grant",
  "set_user_departments",
  "set_user_roles",
  "set_composite_members",
  "move_department",
] as const;

const arbJunk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, 0, 1.5, true, "", "x", [], {}, ["read"], [null], { read: true }),
  fc.string({ maxLength: 8 }),
);
/** A field broken (or dropped, or an id of the wrong kind) in any way. */
const arbBroken: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    ABSENT,
    null,
    "usr_bad id",
    `dept_${"a".repeat(129)}`,
    "agrant_",
    "kslice_abc123",
    "dept_eng01",
    "role_admin01",
    "usr_def456",
    "agrant_admin01",
    ["dept_eng01", "role_admin01"],
    ["kslice_abc123", 1],
  ),
  arbJunk,
);
/** Mostly the valid value, now and then a broken one. */
const field = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: arbBroken });

/** Valid create-grant bodies: new grants, one that exists already (409), one that expires. */
const arbGrant = fc.constantFrom<unknown>(
  {
    entity_type: "assistant",
    entity_id: "asst_new1",
    grantee_type: "user",
    grantee_id: "usr_def456",
    access_level: "admin",
  },
  {
    entity_type: "knowledge_slice",
    entity_id: "kslice_abc123",
    grantee_type: "department",
    grantee_id: "dept_eng01",
    access_level: "read",
  },
  {
    entity_type: "vector_store",
    entity_id: "vs_docs01",
    grantee_type: "role",
    grantee_id: "role_admin01",
    access_level: "write",
    expires_at: "2099-06-01T00:00:00Z",
  },
  {
    entity_type: "knowledge_slice",
    entity_id: "kslice_x",
    grantee_type: "user",
    grantee_id: "usr_x",
    access_level: "read",
    expires_at: null,
    note: 1,
  },
  {
    entity_type: "knowledge_slice",
    entity_id: "vs_docs01",
    grantee_type: "user",
    grantee_id: "usr_x",
    access_level: "read",
  },
  { entity_type: "assistant", entity_id: "asst_1", grantee_type: "role", grantee_id: "usr_x", access_level: "read" },
  { entity_type: "assistant", entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_x", access_level: "owner" },
  { entity_type: "assistant", entity_id: "asst_1", grantee_type: "user", grantee_id: "usr_x" },
  {
    entity_type: "assistant",
    entity_id: "asst_1",
    grantee_type: "user",
    grantee_id: "usr_x",
    access_level: "read",
    expires_at: "soon",
  },
);

/** Each field a change may carry, with the values that are valid for it. */
const FIELDS: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  grant: arbGrant,
  grant_id: fc.constantFrom("agrant_admin01", "agrant_eng01write", "agrant_store01", "agrant_nope"),
  access_level: fc.constantFrom("read", "write", "admin"),
  user_id: fc.constantFrom("usr_def456", "usr_ghi789", "usr_new1", "usr___proto__"),
  department_ids: fc.subarray(["dept_eng01", "dept_backend01", "dept_new1"]),
  role_ids: fc.subarray(["role_admin01", "role_new1"]),
  composite_id: fc.constantFrom("kslice_handbook01", "kslice_nope"),
  member_slice_ids: fc.oneof(
    fc.subarray(["kslice_abc123", "kslice_policies01", "kslice_handbook01", "kslice_new1"]),
    fc.constantFrom(null, ABSENT),
  ),
  department_id: fc.constantFrom("dept_eng01", "dept_backend01", "dept_nope"),
  parent_id: fc.constantFrom(null, "dept_eng01", "dept_backend01", "dept_new1"),
};

/** A change: an op (now and then an unknown one, or none), and every field, each valid or broken. */
const arbChange: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    op: fc.oneof({ weight: 9, arbitrary: fc.constantFrom<unknown>(...OPS) }, { weight: 1, arbitrary: arbBroken }),
    fields: fc.record(Object.fromEntries(Object.entries(FIELDS).map(([name, arbitrary]) => [name, field(arbitrary)]))),
  })
  .map(({ op, fields }) => {
    const change: Record<string, unknown> = {};
    for (const [name, value] of Object.entries({ op, ...fields })) if (value !== ABSENT) change[name] = value;
    return change;
  });

const arbBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 16, arbitrary: arbChange.map((change) => ({ changes: [change] })) },
  { weight: 1, arbitrary: arbChange.map((change) => ({ changes: [change], note: "extra" })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0, 100, 101).map((n) => ({
      changes: Array.from({ length: n }, () => ({
        op: "update_grant",
        grant_id: "agrant_admin01",
        access_level: "read",
      })),
    })),
  },
  { weight: 1, arbitrary: arbJunk.map((changes) => ({ changes })) },
  { weight: 1, arbitrary: arbJunk },
);

/** Whether the service takes the body's form: a VALIDATION_ERROR is a no; any other refusal a yes. */
async function accepts(body: unknown): Promise<boolean> {
  try {
    await accessControl.whatIf(ORG, OWNER, body as never);
    return true;
  } catch (error) {
    if (error instanceof AccessError) return error.code !== "VALIDATION_ERROR";
    throw error;
  }
}

describe("what-if bodies: the service accepts exactly what the OpenAPI request schema accepts", () => {
  it("POST /access/what-if (WhatIfRequest)", async () => {
    await fc.assert(
      fc.asyncProperty(arbBody, async (body) => {
        expect(await accepts(body), JSON.stringify(body)?.slice(0, 500)).toBe(valid(body));
      }),
      { numRuns: 2000 },
    );
  });

  it("tells a malformed change from one the organization refuses, as the property does", async () => {
    const existing = {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      grantee_type: "department",
      grantee_id: "dept_eng01",
      access_level: "read",
    };
    const cases: readonly (readonly [change: object, answer: string])[] = [
      [{ op: "update_grant", grant_id: "agrant_eng01write", access_level: "read" }, "OK"],
      [{ op: "revoke_grant", grant_id: "agrant_nope" }, "RESOURCE_NOT_FOUND"],
      [{ op: "create_grant", grant: existing }, "RESOURCE_ALREADY_EXISTS"],
      [{ op: "move_department", department_id: "dept_eng01", parent_id: "dept_backend01" }, "INVALID_GRAPH"],
      [{ op: "set_user_roles", user_id: "usr_def456", role_ids: ["dept_eng01"] }, "VALIDATION_ERROR"],
      [{ op: "move_department", department_id: "dept_eng01" }, "VALIDATION_ERROR"],
    ];
    for (const [change, answer] of cases) {
      let got = "OK";
      try {
        await accessControl.whatIf(ORG, OWNER, { changes: [change] } as never);
      } catch (error) {
        got = error instanceof AccessError ? error.code : String(error);
      }
      expect(got, JSON.stringify(change)).toBe(answer);
      expect(valid({ changes: [change] }), JSON.stringify(change)).toBe(answer !== "VALIDATION_ERROR");
    }
  });
});
