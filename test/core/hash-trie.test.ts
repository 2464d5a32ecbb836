import fc from "fast-check";
import { Immer } from "immer";
import { describe, expect, it } from "vitest";
import {
  emptyTrie,
  type TrieNode,
  trieDelete,
  trieForEach,
  trieFromEntries,
  trieGet,
  trieHas,
  trieKeys,
  trieSet,
  trieSize,
} from "../../src/core/hash-trie.js";

type Op = { kind: "set"; key: string; value: number } | { kind: "delete"; key: string };

// Small key pools force collisions in leaves, splits, and collapses back to leaves.
const keyArb = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty"),
  fc.integer({ min: 0, max: 300 }).map((n) => `usr_${n}`),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key: keyArb, value: fc.integer() }),
  fc.record({ kind: fc.constant("delete" as const), key: keyArb }),
);

function contents(trie: TrieNode<number>): Map<string, number> {
  const map = new Map<string, number>();
  trieForEach(trie, (value, key) => map.set(key, value));
  return map;
}

function apply(trie: TrieNode<number>, op: Op): TrieNode<number> {
  return op.kind === "set" ? trieSet(trie, op.key, op.value) : trieDelete(trie, op.key);
}

describe("hash trie", () => {
  it("behaves like a Map under any sequence of sets and deletes (mutable build)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        let trie = emptyTrie<number>();
        const model = new Map<string, number>();
        for (const op of ops) {
          trie = apply(trie, op);
          if (op.kind === "set") model.set(op.key, op.value);
          else model.delete(op.key);
        }
        expect(contents(trie)).toEqual(model);
        expect(trieSize(trie)).toBe(model.size);
        for (const key of model.keys()) expect(trieHas(trie, key)).toBe(true);
        expect(trieGet(trie, "usr_absent")).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it("behaves like a Map inside immer drafts, and never changes the frozen base", () => {
    const immer = new Immer({ autoFreeze: true });
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), fc.array(opArb, { maxLength: 60 }), (setup, ops) => {
        let base = emptyTrie<number>();
        for (const op of setup) base = apply(base, op);
        const baseBox = immer.produce({ trie: base }, () => {});
        const before = contents(baseBox.trie);
        const next = immer.produce(baseBox, (draft) => {
          for (const op of ops) draft.trie = apply(draft.trie, op);
        });
        const model = new Map(before);
        for (const op of ops) {
          if (op.kind === "set") model.set(op.key, op.value);
          else model.delete(op.key);
        }
        expect(contents(next.trie)).toEqual(model);
        expect(trieSize(next.trie)).toBe(model.size);
        expect(contents(baseBox.trie)).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it("built whole from entries, holds exactly them and then behaves like a Map under writes", () => {
    const immer = new Immer({ autoFreeze: true });
    // Up to a few thousand distinct keys, so the build makes branches several levels deep.
    const entriesArb = fc
      .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 4000 })
      .map((ns) => ns.map((n, i) => [`kslice_${n}`, i] as const));
    fc.assert(
      fc.property(entriesArb, fc.array(opArb, { maxLength: 80 }), (entries, ops) => {
        const built = immer.produce({ trie: emptyTrie<number>() }, (draft) => {
          draft.trie = trieFromEntries(
            entries.map(([key]) => key),
            entries.map(([, value]) => value),
          );
        });
        const model = new Map<string, number>(entries);
        expect(contents(built.trie)).toEqual(model);
        expect(trieSize(built.trie)).toBe(model.size);
        for (const [key, value] of entries) expect(trieGet(built.trie, key)).toBe(value);
        const next = immer.produce(built, (draft) => {
          for (const op of ops) draft.trie = apply(draft.trie, op);
        });
        for (const op of ops) {
          if (op.kind === "set") model.set(op.key, op.value);
          else model.delete(op.key);
        }
        expect(contents(next.trie)).toEqual(model);
        expect(trieSize(next.trie)).toBe(model.size);
        expect(contents(built.trie)).toEqual(new Map(entries));
      }),
      { numRuns: 60 },
    );
  });

  it("lists keys such as __proto__ as ordinary keys", () => {
    let trie = emptyTrie<number>();
    trie = trieSet(trie, "__proto__", 1);
    trie = trieSet(trie, "constructor", 2);
    expect(trieKeys(trie).sort()).toEqual(["__proto__", "constructor"]);
    expect(trieGet(trie, "toString")).toBeUndefined();
  });
});
