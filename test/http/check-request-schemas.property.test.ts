/**
 * The check routes' bodies (docs/spec.md §9, §11): the OpenAPI request schemas and the service's
 * validators are written apart, so a property checks they agree on bodies built from valid and
 * broken fields — `CheckAccessRequest` is accepted exactly when the fields and `explain` pass the
 * validators, and `BulkCheckAccessRequest` exactly when the list and its `explain` pass and no item
 * comes back as its own error (an item's own `explain` is ignored).
 * (A body the schema refuses because of one item is still answered over HTTP, that item with its
 * error: the schema describes a request whose every item can be checked.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectObject } from "../../src/core/validate.js";
import { AccessError } from "../../src/index.js";
import { bulkCheckArg, checkItemArg, checkQueryArg } from "../../src/service/service-input.js";
import { createOpenApiAjv, DOC_ID } from "./openapi-contract.js";

const ajv = createOpenApiAjv();
const schema = (name: string) => ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${name}` });

/** A field that is there with this value, or absent. */
const ABSENT = Symbol("absent");

const arbJunk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, 0, 1.5, true, "", "x", [], {}, ["read"], { read: true }),
  fc.string({ maxLength: 8 }),
);
const arbId = fc.oneof(
  fc.constantFrom(
    "usr_def456",
    "usr___proto__",
    "kslice_abc123",
    "vs_docs01",
    "asst_help01",
    "dept_eng01",
    "usr_",
    "usr_bad id",
    `usr_${"a".repeat(129)}`,
    `kslice_${"a".repeat(128)}`,
    ABSENT,
  ),
  arbJunk,
);
const arbEntityType = fc.oneof(
  fc.constantFrom("knowledge_slice", "vector_store", "assistant", "file", ABSENT),
  arbJunk,
);
const arbLevel = fc.oneof(fc.constantFrom("read", "write", "admin", "owner", "READ", null, ABSENT), arbJunk);
/** `explain`: mostly absent or a boolean (or `null`, which means false), now and then anything. */
const arbExplain = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(ABSENT, true, false, null) },
  { weight: 1, arbitrary: arbJunk },
);

/** The object with `explain` set to `value` (left out when absent). */
function withExplain<T extends object>(object: T, value: unknown): T | (T & { explain: unknown }) {
  return value === ABSENT ? object : { ...object, explain: value };
}

const ENTITIES = [
  ["knowledge_slice", "kslice_abc123"],
  ["vector_store", "vs_docs01"],
  ["assistant", "asst___proto__"],
] as const;

/** Mostly `undefined` (keep the valid field), now and then a value from `arbitrary`. */
const sometimes = (arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** A valid check, then each field kept (most often) or replaced by one of any shape, or dropped. */
const arbItem: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    valid: fc.record({
      user_id: fc.constantFrom<unknown>("usr_def456", "usr___proto__", `usr_${"a".repeat(128)}`),
      entity: fc.constantFrom(...ENTITIES),
      level: fc.constantFrom<unknown>("read", "write", "admin", null, ABSENT),
    }),
    user_id: sometimes(arbId),
    entity_type: sometimes(arbEntityType),
    entity_id: sometimes(arbId),
    level: sometimes(arbLevel),
    note: fc.constantFrom<unknown>(ABSENT, "extra", 1),
    explain: arbExplain,
  })
  .map(({ valid, note, explain, ...replaced }) => {
    const fields: Record<string, unknown> = {
      user_id: replaced.user_id ?? valid.user_id,
      entity_type: replaced.entity_type ?? valid.entity[0],
      entity_id: replaced.entity_id ?? valid.entity[1],
      level: replaced.level ?? valid.level,
      note,
      explain,
    };
    const built: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (value !== ABSENT) built[key] = value;
    return built;
  });

const arbCheck = fc.oneof(
  { weight: 9, arbitrary: arbItem.map((item): unknown => item) },
  { weight: 1, arbitrary: arbJunk },
);

const arbBulk = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .oneof(
        {
          weight: 8,
          arbitrary: fc.array(fc.oneof({ weight: 9, arbitrary: arbItem }, { weight: 1, arbitrary: arbJunk }), {
            maxLength: 4,
          }),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(100, 101)
            .map((n) =>
              Array.from({ length: n }, () => ({ user_id: "usr_a", entity_type: "assistant", entity_id: "asst_a" })),
            ),
        },
        { weight: 1, arbitrary: arbJunk },
      )
      .chain((checks) => arbExplain.map((explain): unknown => withExplain({ checks }, explain))),
  },
  { weight: 1, arbitrary: arbJunk },
);

/** Whether `validate` takes the input: a VALIDATION_ERROR is a no; anything else fails the test. */
function accepts(validate: () => unknown): boolean {
  try {
    validate();
    return true;
  } catch (error) {
    if (error instanceof AccessError && error.code === "VALIDATION_ERROR") return false;
    throw error;
  }
}

describe("check bodies: the validators accept exactly what the OpenAPI request schemas accept", () => {
  it("POST /access/check (CheckAccessRequest)", () => {
    const valid = schema("CheckAccessRequest");
    fc.assert(
      fc.property(arbCheck, (value) => {
        // The route reads the check's fields, then the service its `explain` (docs/spec.md §11).
        const validator = accepts(() => {
          const body = expectObject(value, "body");
          checkItemArg(body, "");
          checkQueryArg({ explain: body.explain });
        });
        expect(validator, JSON.stringify(value)).toBe(valid(value));
      }),
      { numRuns: 3000 },
    );
  });

  it("POST /access/check/bulk (BulkCheckAccessRequest): the list passes and no item is its own error", () => {
    const valid = schema("BulkCheckAccessRequest");
    fc.assert(
      fc.property(arbBulk, (value) => {
        let everyItemChecks = false;
        const listPasses = accepts(() => {
          everyItemChecks = bulkCheckArg(value).checks.every((item) => !(item instanceof AccessError));
        });
        expect(listPasses && everyItemChecks, JSON.stringify(value)?.slice(0, 500)).toBe(valid(value));
      }),
      { numRuns: 3000 },
    );
  });
});
