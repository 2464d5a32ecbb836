/**
 * Paging against the brute-force reference (test/support/reference.ts), for random
 * organizations: walking every page of `resolveAccess` and `usersWithAccess` with `has_more`
 * gives back exactly the reference's whole answer, byte for byte, with a consistent envelope on
 * every page; and the unpaged answer is the reference's, in its exact shape. The window
 * selection under the pages is checked against a plain sort.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { distinctKeys, sortedWindow } from "../../src/core/answer-pages.js";
import { hashKey } from "../../src/core/hash-trie.js";
import {
  type AccessPageInfo,
  createGraph,
  type ResolvedEntity,
  resolveAccess,
  type UserAccess,
  usersWithAccess,
} from "../../src/index.js";
import { arbAt, arbEntityType, arbGraphInput, pickEntity, pickUser } from "../support/arbitraries.js";
import { referenceResolve, referenceUsersWithAccess } from "../support/reference.js";

/** Walks the pages from skip 0 with `has_more`, checks each envelope, and answers the items in page order. */
function walkPages<T>(
  limit: number,
  total: number,
  fetch: (skip: number) => AccessPageInfo & { readonly items: readonly T[] },
): T[] {
  const items: T[] = [];
  for (let skip = 0; ; skip += limit) {
    const page = fetch(skip);
    expect({ total: page.total, skip: page.skip, limit: page.limit }).toEqual({ total, skip, limit });
    expect(page.items.length).toBe(Math.max(0, Math.min(limit, total - skip)));
    expect(page.has_more).toBe(skip + page.items.length < total);
    items.push(...page.items);
    if (!page.has_more) return items;
  }
}

const arbLimit = fc.integer({ min: 1, max: 7 });

describe("pages against the reference", () => {
  it("every page of resolveAccess, concatenated, is the reference's whole resolution", () => {
    fc.assert(
      fc.property(
        arbGraphInput(),
        arbAt,
        fc.nat(),
        fc.option(arbEntityType, { nil: undefined }),
        arbLimit,
        (input, at, n, entityType, limit) => {
          const graph = createGraph(input);
          const userId = pickUser(input, n);
          const reference = referenceResolve(input, userId, { entityType, at });
          const whole = resolveAccess(graph, userId, { entityType, at });
          expect(JSON.stringify(whole)).toBe(JSON.stringify(reference));
          const entities = walkPages<ResolvedEntity>(limit, reference.entities.length, (skip) => {
            const page = resolveAccess(graph, userId, { entityType, at, skip, limit });
            expect(page.user_id).toBe(userId);
            return { ...page, items: page.entities };
          });
          expect(JSON.stringify(entities)).toBe(JSON.stringify(reference.entities));
        },
      ),
    );
  });

  it("every page of usersWithAccess, concatenated, is the reference's whole list", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, fc.nat(), arbLimit, (input, at, n, limit) => {
        const graph = createGraph(input);
        const { entity_type, entity_id } = pickEntity(input, n);
        const reference = referenceUsersWithAccess(input, entity_type, entity_id, { at });
        expect(JSON.stringify(usersWithAccess(graph, entity_type, entity_id, { at }))).toBe(JSON.stringify(reference));
        const users = walkPages<UserAccess>(limit, reference.users.length, (skip) => {
          const page = usersWithAccess(graph, entity_type, entity_id, { at, skip, limit });
          expect([page.entity_type, page.entity_id]).toEqual([entity_type, entity_id]);
          return { ...page, items: page.users };
        });
        expect(JSON.stringify(users)).toBe(JSON.stringify(reference.users));
      }),
    );
  });

  it("a page at any skip holds what the whole answer holds at those positions", () => {
    fc.assert(
      fc.property(arbGraphInput(), arbAt, fc.nat(), fc.nat({ max: 12 }), arbLimit, (input, at, n, skip, limit) => {
        const graph = createGraph(input);
        const userId = pickUser(input, n);
        const whole = resolveAccess(graph, userId, { at }).entities;
        expect(resolveAccess(graph, userId, { at, skip, limit }).entities).toStrictEqual(
          whole.slice(skip, skip + limit),
        );
        const { entity_type, entity_id } = pickEntity(input, n);
        const users = usersWithAccess(graph, entity_type, entity_id, { at }).users;
        expect(usersWithAccess(graph, entity_type, entity_id, { at, skip, limit }).users).toStrictEqual(
          users.slice(skip, skip + limit),
        );
      }),
    );
  });
});

describe("sortedWindow against a sort", () => {
  it("answers sort().slice(from, to) for distinct strings in any order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: "binary", maxLength: 6 }), { minLength: 1, maxLength: 400 }),
        fc.nat(),
        fc.nat({ max: 60 }),
        (keys, at, width) => {
          const from = at % keys.length;
          const to = Math.min(keys.length, from + 1 + width);
          const expected = [...keys].sort().slice(from, to);
          expect(sortedWindow([...keys], from, to)).toEqual(expected);
        },
      ),
    );
  });
});

describe("distinctKeys against a set", () => {
  // Ids with equal hashes (all 32 bits, or the 30 the sort uses), and a small pool for repeats.
  const arbKey = fc.oneof(
    fc.constantFrom("kslice_40784", "kslice_349630", "kslice_EI12AyHBDp", "kslice_KSAk7fnq1r"),
    fc.integer({ min: 0, max: 40 }).map((n) => `usr_${n}`),
  );

  it("keeps each key once, whatever repeats and hash collisions", () => {
    fc.assert(
      fc.property(fc.array(arbKey, { maxLength: 300 }), (keys) => {
        const distinct = distinctKeys(keys, keys.map(hashKey));
        expect(distinct.length).toBe(new Set(keys).size);
        expect(new Set(distinct)).toEqual(new Set(keys));
      }),
    );
  });

  it("separates many keys that share one hash (as crafted ids could)", () => {
    fc.assert(
      fc.property(fc.array(arbKey, { maxLength: 300 }), fc.integer(), (keys, hash) => {
        const distinct = distinctKeys(
          keys,
          keys.map(() => hash),
        );
        expect([...distinct].sort()).toEqual([...new Set(keys)].sort());
      }),
    );
  });
});
