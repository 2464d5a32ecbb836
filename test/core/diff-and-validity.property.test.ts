/**
 * docs/spec.md §11 as properties against the brute-force reference (which shares no code with
 * src/), over generated organizations and write sequences (grantpath/testing/fast-check):
 *  - diffAccess(before, after) is exactly the (user, entity) pairs whose reference levels differ;
 *  - validity: a level holds until its `valid_until` and drops there, and the answer is the same
 *    until `next_change_at` and not at it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AccessLevel,
  createGraph,
  diffAccess,
  type GraphInput,
  resolveAccess,
  usersWithAccess,
} from "../../src/index.js";
import {
  applyWrite,
  applyWriteToInput,
  entitiesToAsk,
  graphInputArbitrary,
  graphWritesArbitrary,
  instantArbitrary,
  userIdsToAsk,
} from "../../src/testing/fast-check.js";
import { referenceResolve } from "../support/reference.js";

type Levels = Map<string, AccessLevel>;

/** Every (user, entity) level by the reference, keyed `user entity_type entity_id`. */
function referenceLevels(input: GraphInput, users: readonly string[], at: Date): Levels {
  const levels: Levels = new Map();
  for (const user of users) {
    for (const entity of referenceResolve(input, user, { at }).entities) {
      levels.set(`${user} ${entity.entity_type} ${entity.entity_id}`, entity.access_level);
    }
  }
  return levels;
}

const arbCase = graphInputArbitrary().chain((input) =>
  fc.record({
    input: fc.constant(input),
    writes: graphWritesArbitrary(input, { maxWrites: 4 }),
    at: instantArbitrary(),
  }),
);

describe("diffAccess", () => {
  it("lists exactly the pairs whose level the writes change, sorted, with both levels", () => {
    fc.assert(
      fc.property(arbCase, ({ input, writes, at }) => {
        let graph = createGraph(input);
        const before = graph;
        let after = input;
        for (const write of writes) {
          graph = applyWrite(graph, write);
          after = applyWriteToInput(after, write);
        }
        const users = [...new Set([...userIdsToAsk(input), ...userIdsToAsk(after)])];
        const was = referenceLevels(input, users, at);
        const is = referenceLevels(after, users, at);
        const expected = [...new Set([...was.keys(), ...is.keys()])]
          .filter((key) => was.get(key) !== is.get(key))
          .map((key) => {
            const [user_id, entity_type, entity_id] = key.split(" ") as [string, string, string];
            return { user_id, entity_type, entity_id, before: was.get(key) ?? null, after: is.get(key) ?? null };
          })
          .sort((a, b) =>
            a.user_id !== b.user_id
              ? a.user_id < b.user_id
                ? -1
                : 1
              : a.entity_type !== b.entity_type
                ? a.entity_type < b.entity_type
                  ? -1
                  : 1
                : a.entity_id < b.entity_id
                  ? -1
                  : a.entity_id > b.entity_id
                    ? 1
                    : 0,
          );
        expect(diffAccess(before, graph, { at }).changes).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("validity", () => {
  it("each level holds until its valid_until and drops there; the answer changes first at next_change_at", () => {
    fc.assert(
      fc.property(graphInputArbitrary(), instantArbitrary(), fc.nat(), (input, at, pick) => {
        const users = userIdsToAsk(input);
        if (users.length === 0) return;
        const user = users[pick % users.length] as string;
        const graph = createGraph(input);
        const answer = resolveAccess(graph, user, { at, validity: true });
        const levelAt = (instant: Date, id: string) =>
          referenceResolve(input, user, { at: instant }).entities.find((e) => e.entity_id === id)?.access_level ?? null;
        let earliest: number | null = null;
        for (const entity of answer.entities) {
          for (const path of entity.grant_paths) {
            expect(path).toHaveProperty("expires_at");
            if (path.expires_at) earliest = Math.min(earliest ?? Number.POSITIVE_INFINITY, Date.parse(path.expires_at));
          }
          if (entity.valid_until === null || entity.valid_until === undefined) {
            // Some path at its level never expires: the level holds however late one asks.
            expect(levelAt(new Date("9999-01-01T00:00:00Z"), entity.entity_id) !== null).toBe(true);
            continue;
          }
          const until = Date.parse(entity.valid_until);
          expect(levelAt(new Date(until - 1), entity.entity_id)).toBe(entity.access_level);
          expect(levelAt(new Date(until), entity.entity_id)).not.toBe(entity.access_level);
        }
        expect(answer.next_change_at ?? null).toBe(earliest === null ? null : new Date(earliest).toISOString());
        if (earliest !== null) {
          const same = referenceResolve(input, user, { at: new Date(earliest - 1) });
          const changed = referenceResolve(input, user, { at: new Date(earliest) });
          expect(same).toEqual(referenceResolve(input, user, { at }));
          expect(changed).not.toEqual(same);
        }
        // Without the option, the answer keeps its default shape.
        expect(JSON.stringify(resolveAccess(graph, user, { at }))).not.toMatch(/expires_at|valid_until|next_change_at/);
      }),
      { numRuns: 300 },
    );
  });

  it("users-with-access carries the same validity for each user as resolve does for the entity", () => {
    fc.assert(
      fc.property(graphInputArbitrary(), instantArbitrary(), fc.nat(), (input, at, pick) => {
        const entities = entitiesToAsk(input);
        if (entities.length === 0) return;
        const { entity_type, entity_id } = entities[pick % entities.length] as (typeof entities)[number];
        const graph = createGraph(input);
        const answer = usersWithAccess(graph, entity_type, entity_id, { at, validity: true });
        for (const user of answer.users) {
          const resolved = resolveAccess(graph, user.user_id, { at, validity: true }).entities.find(
            (e) => e.entity_id === entity_id,
          );
          expect(user.valid_until).toBe(resolved?.valid_until);
          expect(user.grant_paths).toEqual(resolved?.grant_paths);
        }
      }),
      { numRuns: 200 },
    );
  });
});
