/**
 * The service keeps a user's resolved access per graph until a grant in it expires
 * (service/resolved-answers.ts). As a property: for random organizations, a random user asked
 * again and again as the clock moves back and forth across expiries, with random entity-type
 * filters and pages and a write now and then, every answer equals the brute-force reference
 * (which shares no code with src/) at that instant.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAccessControl, type EntityType, memoryStorage } from "../../src/index.js";
import { manualClock } from "../../src/testing/test-kit.js";
import { arbAt, arbGraphInput, ORG_ID, pickUser } from "../support/arbitraries.js";
import { referenceResolve } from "../support/reference.js";

// Few users and questions, so that most asks repeat one already kept.
const arbAsk = fc.record({
  at: arbAt,
  entityType: fc.constantFrom<EntityType | undefined>(undefined, undefined, undefined, "knowledge_slice"),
  page: fc.constantFrom(undefined, undefined, { skip: 1, limit: 2 }),
  userPick: fc.nat(1),
  // One ask in ten writes first.
  revokeFirstGrant: fc.nat(9).map((n) => n === 0),
});

describe("kept resolved answers", () => {
  it("always equal the reference at the instant asked", async () => {
    await fc.assert(
      fc.asyncProperty(arbGraphInput(), fc.array(arbAsk, { minLength: 1, maxLength: 20 }), async (given, asks) => {
        const clock = manualClock();
        const owner = "usr_owner_kept";
        let input = { ...given, owners: [owner] };
        const accessControl = createAccessControl({ storage: memoryStorage({ initial: [input] }), clock: clock.now });
        for (const ask of asks) {
          clock.set(ask.at);
          // Now and then a write, so that a new graph is asked about.
          if (ask.revokeFirstGrant && input.grants && input.grants[0]?.id !== undefined) {
            const [first, ...rest] = input.grants;
            await accessControl.revokeGrant(ORG_ID, owner, first?.id as string);
            input = { ...input, grants: rest };
          }
          const user = pickUser(input, ask.userPick);
          const entityType: EntityType | undefined = ask.entityType;
          const expected = referenceResolve(input, user, { entityType, at: ask.at });
          const query = { entityType, ...(ask.page ?? {}) };
          const answered = await accessControl.resolveAccess(ORG_ID, owner, user, query);
          if (ask.page) {
            const { skip, limit } = ask.page;
            expect(answered.entities).toEqual(expected.entities.slice(skip, skip + limit));
          } else {
            expect(answered).toEqual(expected);
          }
          // Asked again at once: the same answer (kept or not).
          expect(await accessControl.resolveAccess(ORG_ID, owner, user, query)).toEqual(answered);
        }
      }),
      { numRuns: 300 },
    );
  });
});
