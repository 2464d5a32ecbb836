/**
 * createGraph validates grants one by one but finds reused ids and granted (entity, grantee)
 * pairs in bulk, after hashing and sorting (src/core/grant-index-builder.ts). Whatever the
 * mix of problems, the one reported must be the first in input order, exactly as a build
 * that checks each grant against the ones before it would report.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGraph, findGrant, type GrantInput, getGrant } from "../../src/index.js";
import { catchAccessError } from "./fixtures.js";

type Problem = { code: string; field: string; grant_id?: string };

/** The one-at-a-time reading of the spec: per grant, its fields, then its id, then its pair. */
function firstProblem(grants: readonly GrantInput[]): Problem | undefined {
  const ids = new Set<string>();
  const pairs = new Map<string, string>();
  for (const [index, grant] of grants.entries()) {
    if (!["read", "write", "admin"].includes(grant.access_level)) {
      return { code: "VALIDATION_ERROR", field: `grants[${index}].access_level` };
    }
    const id = grant.id as string;
    if (ids.has(id)) return { code: "VALIDATION_ERROR", field: `grants[${index}].id` };
    const pair = `${grant.entity_id} ${grant.grantee_id}`;
    const holder = pairs.get(pair);
    if (holder !== undefined) return { code: "RESOURCE_ALREADY_EXISTS", field: `grants[${index}]`, grant_id: holder };
    ids.add(id);
    pairs.set(pair, id);
  }
  return undefined;
}

/**
 * Mostly `ids`, sometimes one of `colliding`: distinct ids whose FNV-1a hashes are equal (all
 * 32 bits, or the low 30 that the sort and the trie use), which must still count as distinct.
 */
function withColliding(ids: fc.Arbitrary<string>, ...colliding: string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 12, arbitrary: ids }, { weight: 1, arbitrary: fc.constantFrom(...colliding) });
}

// Pools whose sizes vary per run: small ones make reused ids and pairs common, and a few
// entities over many grants exceed the 16-grant scan; large ones let whole builds succeed.
const grantsArb: fc.Arbitrary<GrantInput[]> = fc
  .record({
    ids: fc.integer({ min: 50, max: 100_000 }),
    entities: fc.integer({ min: 1, max: 200 }),
    grantees: fc.integer({ min: 1, max: 2_000 }),
  })
  .chain((pool) =>
    fc.array(
      fc.record({
        id: withColliding(
          fc.integer({ min: 0, max: pool.ids }).map((n) => `agrant_${n}`),
          "agrant_CiHWOC7Hwm",
          "agrant_2jANXg4WD1",
        ),
        entity_type: fc.constant("knowledge_slice" as const),
        entity_id: withColliding(
          fc.integer({ min: 0, max: pool.entities }).map((n) => `kslice_${n}`),
          "kslice_40784",
          "kslice_349630",
          "kslice_EI12AyHBDp",
          "kslice_KSAk7fnq1r",
        ),
        grantee_type: fc.constant("user" as const),
        grantee_id: withColliding(
          fc.integer({ min: 0, max: pool.grantees }).map((n) => `usr_${n}`),
          "usr_wFxql7wAmi",
          "usr_bee4Xc15YE",
        ),
        // An invalid level now and then, so validation problems mix with the bulk-found ones.
        access_level: fc.oneof(
          { weight: 150, arbitrary: fc.constantFrom("read" as const, "write" as const, "admin" as const) },
          { weight: 1, arbitrary: fc.constant("owner" as unknown as GrantInput["access_level"]) },
        ),
      }),
      { maxLength: 150, size: "max" },
    ),
  );

describe("createGraph's one-pass grant build", () => {
  it("reports the first problem in input order, as a one-at-a-time build would", () => {
    fc.assert(
      fc.property(grantsArb, (grants) => {
        const expected = firstProblem(grants);
        const build = () => createGraph({ organization_id: "org_bulk", grants });
        if (expected === undefined) {
          const graph = build();
          for (const grant of grants) {
            expect(getGrant(graph, grant.id as string)?.access_level).toBe(grant.access_level);
            expect(findGrant(graph, grant.entity_id, grant.grantee_id)?.id).toBe(grant.id);
          }
          return;
        }
        const error = catchAccessError(build);
        expect({ code: error.code, field: error.details.field, grant_id: error.details.grant_id }).toEqual({
          grant_id: undefined,
          ...expected,
        });
      }),
      { numRuns: 400 },
    );
  });
});
