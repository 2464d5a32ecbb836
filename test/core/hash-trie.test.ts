import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  emptyTrie,
  hashKey,
  type TrieNode,
  trieDelete,
  trieForEach,
  trieForEachKey,
  trieFromEntries,
  trieGet,
  trieHas,
  trieKeys,
  trieSet,
  trieSize,
} from "../../src/core/hash-trie.js";

/** Freezes a value and everything it reaches (the test's own, so it does not rely on the tries'). */
function freezeAll(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  for (const child of Object.values(value)) freezeAll(child);
  Object.freeze(value);
}

type Op = { kind: "set"; key: string; value: number } | { kind: "delete"; key: string };

// Small key pools force collisions in leaves, splits, and collapses back to leaves.
const keyArb = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty"),
  // Pairs with equal FNV-1a hashes: all 32 bits, or the 30 bits the trie branches on.
  fc.constantFrom("kslice_40784", "kslice_349630", "kslice_EI12AyHBDp", "kslice_KSAk7fnq1r"),
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
      fc.property(fc.array(opArb, { maxLength: 400, size: "max" }), (ops) => {
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

  it("copies the frozen nodes of a published trie on write, and never changes them", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 300, size: "max" }),
        fc.array(opArb, { maxLength: 60 }),
        (setup, ops) => {
          let base = emptyTrie<number>();
          for (const op of setup) base = apply(base, op);
          // Frozen all the way down, as a published graph's nodes are.
          freezeAll(base);
          const before = contents(base);
          let next = base;
          for (const op of ops) next = apply(next, op);
          const model = new Map(before);
          for (const op of ops) {
            if (op.kind === "set") model.set(op.key, op.value);
            else model.delete(op.key);
          }
          expect(contents(next)).toEqual(model);
          expect(trieSize(next)).toBe(model.size);
          expect(contents(base)).toEqual(before);
          expect(trieSize(base)).toBe(before.size);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("built whole from entries, holds exactly them and then behaves like a Map under writes", () => {
    // Up to a few thousand distinct keys, so the build makes branches several levels deep.
    const entriesArb = fc
      .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 4000 })
      .map((ns) => ns.map((n, i) => [`kslice_${n}`, i] as const));
    fc.assert(
      fc.property(entriesArb, fc.array(opArb, { maxLength: 80 }), (entries, ops) => {
        // Built frozen, like every node a graph publishes.
        const built = {
          trie: trieFromEntries(
            entries.map(([key]) => key),
            entries.map(([, value]) => value),
          ),
        };
        const model = new Map<string, number>(entries);
        expect(contents(built.trie)).toEqual(model);
        expect(trieSize(built.trie)).toBe(model.size);
        for (const [key, value] of entries) expect(trieGet(built.trie, key)).toBe(value);
        const next = { trie: built.trie };
        for (const op of ops) next.trie = apply(next.trie, op);
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

  it("built whole, shrinks back to a single leaf as its keys are deleted", () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 3000 }), fc.integer(), (count, seed) => {
        const keys = Array.from({ length: count }, (_, i) => `usr_${i}`);
        keys.push("kslice_40784", "kslice_349630", "kslice_EI12AyHBDp", "kslice_KSAk7fnq1r");
        const built = {
          trie: trieFromEntries(
            keys,
            keys.map((_, i) => i),
          ),
        };
        const model = new Map(keys.map((key, i) => [key, i]));
        // Delete all but five keys, in an order that depends on the seed.
        const doomed = [...keys].sort((a, b) => (((a.length * 31 + seed) ^ b.charCodeAt(4)) % 3) - 1).slice(5);
        const next = { trie: built.trie };
        for (const key of doomed) {
          next.trie = trieDelete(next.trie, key);
          model.delete(key);
        }
        expect(contents(next.trie)).toEqual(model);
        expect(trieSize(next.trie)).toBe(5);
        expect(Array.isArray(next.trie)).toBe(true); // collapsed into one leaf
        expect(contents(built.trie).size).toBe(keys.length);
      }),
      { numRuns: 30 },
    );
  });

  it("visits every key once with its hash, as trieForEach does, built whole or by writes", () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { maxLength: 400 }), (keys) => {
        const whole = trieFromEntries(
          keys,
          keys.map(() => true),
        );
        let written: TrieNode<boolean> = emptyTrie();
        for (const key of keys) written = trieSet(written, key, true);
        for (const trie of [whole, written]) {
          const visited: [string, number][] = [];
          trieForEachKey(trie, (key, hash) => visited.push([key, hash]));
          const keysInOrder: string[] = [];
          trieForEach(trie, (_value, key) => keysInOrder.push(key));
          expect(visited.map(([key]) => key)).toEqual(keysInOrder);
          for (const [key, hash] of visited) expect(hash).toBe(hashKey(key));
        }
      }),
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
