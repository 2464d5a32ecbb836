/**
 * reviewGrants (docs/spec.md §11) against a brute-force definition of each kind of finding,
 * written here over the reference resolver alone (test/support/reference.ts, which shares no
 * code with src/):
 *
 * - a grant reaches a user when the user's reference resolution has a path naming it, and it
 *   gives them the entities where such a path lands;
 * - redundant ⇔ active, reaches someone, and resolving the input without it gives each user it
 *   reaches the same or a higher level on every entity it gave them;
 * - unreachable ⇔ active, not to a user, and no user has a path through it;
 * - expiring ⇔ active and `expires_at <= at + expiringWithin`;
 * - nothing about a grant inactive at `at`; findings by kind, then grant id.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGraph, type GrantFinding, type GrantInput, type GraphInput, reviewGrants } from "../../src/index.js";
import { arbAt, arbGraphInput, REF_INSTANT, usersToCheck } from "../support/arbitraries.js";
import { isActive, levelRank, referenceResolve } from "../support/reference.js";

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/** Windows around the generated expiries (an hour either side of REF_INSTANT), and anything near. */
const arbWithin: fc.Arbitrary<number | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(0, 1, HOUR - 1, HOUR, HOUR + 1, 2 * HOUR, 3 * HOUR, 4 * HOUR),
  fc.integer({ min: 0, max: 5 * HOUR }),
);

/** `at` near the expiries, or long before them (so the default week reaches them). */
const arbReviewAt: fc.Arbitrary<Date> = fc.oneof(
  arbAt,
  fc.integer({ min: REF_INSTANT - 2 * WEEK, max: REF_INSTANT - WEEK + 2 * HOUR }).map((ms) => new Date(ms)),
);

/** Entity keys where some path of the user's reference resolution names the grant. */
function entitiesGiven(input: GraphInput, userId: string, grantId: string, at: Date): Map<string, string> {
  const given = new Map<string, string>();
  for (const entity of referenceResolve(input, userId, { at }).entities) {
    if (entity.grant_paths.some((path) => path.grant_id === grantId)) {
      given.set(`${entity.entity_type} ${entity.entity_id}`, entity.access_level);
    }
  }
  return given;
}

/** The user's reference level on each entity, by entity key. */
function levels(input: GraphInput, userId: string, at: Date): Map<string, string> {
  return new Map(
    referenceResolve(input, userId, { at }).entities.map((e) => [`${e.entity_type} ${e.entity_id}`, e.access_level]),
  );
}

function base(grant: GrantInput) {
  return {
    grant_id: grant.id as string,
    entity_type: grant.entity_type,
    entity_id: grant.entity_id,
    grantee_type: grant.grantee_type,
    grantee_id: grant.grantee_id,
    access_level: grant.access_level,
  };
}

const byId = (a: GrantInput, b: GrantInput) => ((a.id as string) < (b.id as string) ? -1 : 1);

/** The review, by brute force. */
function expectedReview(input: GraphInput, at: Date, withinMs: number): GrantFinding[] {
  const grants = input.grants ?? [];
  const users = usersToCheck(input);
  const redundant: { grant: GrantInput; users: number }[] = [];
  const unreachable: GrantInput[] = [];
  const expiring: GrantInput[] = [];
  for (const grant of grants) {
    if (!isActive(grant, at)) continue;
    const id = grant.id as string;
    const reached = new Map<string, Map<string, string>>();
    for (const user of users) {
      const given = entitiesGiven(input, user, id, at);
      if (given.size > 0) reached.set(user, given);
    }
    if (reached.size === 0) {
      if (grant.grantee_type !== "user") unreachable.push(grant);
    } else {
      const without: GraphInput = { ...input, grants: grants.filter((other) => other !== grant) };
      const covered = [...reached].every(([user, given]) => {
        const after = levels(without, user, at);
        return [...given.keys()].every((key) => {
          const level = after.get(key);
          return level !== undefined && levelRank(level as GrantInput["access_level"]) >= levelRank(grant.access_level);
        });
      });
      if (covered) redundant.push({ grant, users: reached.size });
    }
    const expires =
      grant.expires_at === undefined || grant.expires_at === null ? Infinity : Date.parse(grant.expires_at);
    if (expires <= at.getTime() + withinMs) expiring.push(grant);
  }
  return [
    ...redundant
      .sort((a, b) => byId(a.grant, b.grant))
      .map(({ grant, users: count }): GrantFinding => ({ kind: "redundant", ...base(grant), user_count: count })),
    ...unreachable.sort(byId).map((grant): GrantFinding => ({ kind: "unreachable", ...base(grant) })),
    ...expiring
      .sort(byId)
      .map((grant): GrantFinding => ({ kind: "expiring", ...base(grant), expires_at: grant.expires_at as string })),
  ];
}

describe("reviewGrants against the brute-force definition", () => {
  it("finds exactly the redundant, unreachable and expiring grants, in order", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbReviewAt, arbWithin, (input, at, within) => {
        const graph = createGraph(input);
        const review = reviewGrants(graph, within === undefined ? { at } : { at, expiringWithin: within });
        const expected = expectedReview(input, at, within ?? WEEK);
        expect(review.findings).toStrictEqual(expected);
        // The same keys in the same order as the wire would carry them.
        expect(JSON.stringify(review.findings)).toBe(JSON.stringify(expected));
      }),
    );
  });

  it("revoking a redundant grant changes no user's level anywhere; revoking a reached, needed one lowers one", () => {
    fc.assert(
      fc.property(arbGraphInput({ maxGrants: 20 }), arbAt, (input, at) => {
        const findings = reviewGrants(createGraph(input), { at, expiringWithin: 0 }).findings;
        const redundant = new Set(findings.filter((f) => f.kind === "redundant").map((f) => f.grant_id));
        const unreachable = new Set(findings.filter((f) => f.kind === "unreachable").map((f) => f.grant_id));
        const users = usersToCheck(input);
        const before = new Map(users.map((user) => [user, levels(input, user, at)]));
        for (const grant of input.grants ?? []) {
          if (!isActive(grant, at)) continue;
          const without: GraphInput = { ...input, grants: (input.grants ?? []).filter((other) => other !== grant) };
          const unchanged = users.every((user) => {
            const after = levels(without, user, at);
            const was = before.get(user) as Map<string, string>;
            return after.size === was.size && [...was].every(([key, level]) => after.get(key) === level);
          });
          const reachesSomeone = users.some((user) => entitiesGiven(input, user, grant.id as string, at).size > 0);
          expect(redundant.has(grant.id as string)).toBe(reachesSomeone && unchanged);
          // A grant nobody reaches changes nothing either, and is the other kind.
          if (!reachesSomeone) expect(unchanged).toBe(true);
          expect(unreachable.has(grant.id as string)).toBe(!reachesSomeone && grant.grantee_type !== "user");
        }
      }),
    );
  });
});
