/**
 * One source of truth for request bodies: the service's input validators and the
 * OpenAPI document's request schemas are written separately, so a property checks they agree —
 * for bodies built from valid and broken fields alike, the validator accepts a body exactly when
 * the schema (compiled with ajv) does. Two rules no JSON Schema can state are named and checked
 * on their own: an expiry must lie in the future, and a bulk request names each grantee once.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AccessError } from "../../src/index.js";
import { bulkCreateArg, createGrantArg, updateGrantArg } from "../../src/service/service-input.js";
import { createOpenApiAjv, DOC_ID } from "./openapi-contract.js";

const NOW = Date.parse("2025-06-15T10:00:00Z");
const ajv = createOpenApiAjv();
const schema = (name: string) => ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${name}` });

/** A field that is there with this value, or absent. */
const ABSENT = Symbol("absent");
type Field = unknown;

const arbJunk: fc.Arbitrary<Field> = fc.oneof(
  fc.constantFrom(null, 0, 1.5, true, "", "x", [], {}, ["read"], { read: true }),
  fc.string({ maxLength: 8 }),
);
const arbEntityType = fc.oneof(
  fc.constantFrom("knowledge_slice", "vector_store", "assistant", "file", ABSENT),
  arbJunk,
);
const arbGranteeType = fc.oneof(fc.constantFrom("user", "department", "role", "group", ABSENT), arbJunk);
const arbId = fc.oneof(
  fc.constantFrom(
    "kslice_abc123",
    "vs_docs01",
    "asst_help01",
    "usr_def456",
    "dept_eng01",
    "role_admin01",
    "kslice_",
    "usr_bad id",
    `usr_${"a".repeat(129)}`,
    ABSENT,
  ),
  arbJunk,
);
const arbLevel = fc.oneof(fc.constantFrom("read", "write", "admin", "owner", "READ", ABSENT), arbJunk);
/** Expiries: only future ones or malformed ones (a past one is the named semantic rule). */
const arbExpiry = fc.oneof(
  fc.constantFrom(
    "2030-01-01T00:00:00Z",
    "2030-01-01T00:00:00.000+02:00",
    "2030-02-30T00:00:00Z",
    "tomorrow",
    null,
    ABSENT,
  ),
  arbJunk,
);
const arbExtra = fc.option(fc.record({ note: arbJunk }), { nil: undefined });

/** An object of the fields given, leaving out the absent ones. */
function body(
  fields: Readonly<Record<string, Field>>,
  extra?: Readonly<Record<string, Field>>,
): Record<string, unknown> {
  const built: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== ABSENT) built[key] = value;
  return { ...built, ...(extra ?? {}) };
}

const arbGrantee = fc
  .record({
    grantee_type: arbGranteeType,
    grantee_id: arbId,
    access_level: arbLevel,
    expires_at: arbExpiry,
    extra: arbExtra,
  })
  .map(({ extra, ...fields }) => body(fields, extra));

const arbCreate = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .record({ entity_type: arbEntityType, entity_id: arbId, grantee: arbGrantee })
      .map(({ grantee, ...entity }) => ({ ...body(entity), ...grantee })),
  },
  { weight: 1, arbitrary: arbJunk },
);

const arbBulk = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .record({
        entity_type: arbEntityType,
        entity_id: arbId,
        grants: fc.oneof(fc.array(arbGrantee, { maxLength: 4 }), arbJunk),
      })
      .map((fields) => body(fields)),
  },
  { weight: 1, arbitrary: arbJunk },
);

const IMMUTABLE = [
  "id",
  "entity_type",
  "entity_id",
  "grantee_type",
  "grantee_id",
  "granted_by",
  "organization_id",
  "created_at",
  "updated_at",
  "revoked_at",
  "expires_at",
];
const arbUpdate = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .record({
        access_level: arbLevel,
        named: fc.subarray(IMMUTABLE, { maxLength: 2 }),
        value: arbJunk,
        extra: arbExtra,
      })
      .map(({ access_level, named, value, extra }) => ({
        ...body({ access_level }, extra),
        ...Object.fromEntries(named.map((field) => [field, value])),
      })),
  },
  { weight: 1, arbitrary: arbJunk },
);

/** Whether the validator takes the body: a VALIDATION_ERROR is a no; anything else is a failure of the test. */
function accepts(validate: () => unknown): boolean {
  try {
    validate();
    return true;
  } catch (error) {
    if (error instanceof AccessError && error.code === "VALIDATION_ERROR") return false;
    throw error;
  }
}

/** Grantee ids named twice in a bulk body's well-formed items (the rule a schema cannot state). */
function namesAGranteeTwice(value: unknown): boolean {
  if (typeof value !== "object" || value === null || !Array.isArray((value as { grants?: unknown }).grants))
    return false;
  const ids = ((value as { grants: unknown[] }).grants as { grantee_id?: unknown }[]).map((item) => item?.grantee_id);
  return new Set(ids).size < ids.length;
}

describe("request bodies: the validators accept exactly what the OpenAPI request schemas accept", () => {
  it("POST /access/grants (CreateGrantRequest)", () => {
    const valid = schema("CreateGrantRequest");
    fc.assert(
      fc.property(arbCreate, (value) => {
        expect(
          accepts(() => createGrantArg(value, NOW)),
          JSON.stringify(value),
        ).toBe(valid(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("POST /access/grants/bulk (BulkCreateGrantsRequest), a grantee named twice aside", () => {
    const valid = schema("BulkCreateGrantsRequest");
    fc.assert(
      fc.property(arbBulk, (value) => {
        const schemaSays = valid(value);
        const validatorSays = accepts(() => bulkCreateArg(value, NOW));
        if (schemaSays && !validatorSays && namesAGranteeTwice(value)) return;
        expect(validatorSays, JSON.stringify(value)).toBe(schemaSays);
      }),
      { numRuns: 2000 },
    );
  });

  it("PATCH /access/grants/{grant_id} (UpdateGrantRequest)", () => {
    const valid = schema("UpdateGrantRequest");
    fc.assert(
      fc.property(arbUpdate, (value) => {
        expect(
          accepts(() => updateGrantArg(value)),
          JSON.stringify(value),
        ).toBe(valid(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("the rules no schema states: a past expiry and a grantee named twice are refused by the validators alone", () => {
    const grant = {
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "user",
      grantee_id: "usr_1",
      access_level: "read",
    };
    const past = { ...grant, expires_at: "2020-01-01T00:00:00Z" };
    expect(schema("CreateGrantRequest")(past)).toBe(true);
    expect(accepts(() => createGrantArg(past, NOW))).toBe(false);
    const twice = {
      entity_type: "assistant",
      entity_id: "asst_1",
      grants: [
        { grantee_type: "user", grantee_id: "usr_1", access_level: "read" },
        { grantee_type: "user", grantee_id: "usr_1", access_level: "write" },
      ],
    };
    expect(schema("BulkCreateGrantsRequest")(twice)).toBe(true);
    expect(accepts(() => bulkCreateArg(twice, NOW))).toBe(false);
  });
});
