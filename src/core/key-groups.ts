/**
 * Grouping equal strings among a million of them. A `Map` keyed by each string costs several
 * hundred nanoseconds a lookup at that size (hashing a fresh string, probing a big table);
 * here each key is hashed once and the indexes are radix-sorted by hash in typed arrays
 * ({@link trieOrder}), so equal keys end up side by side for a few nanoseconds each.
 * @module
 */
import { hashKey, trieOrder } from "./hash-trie.js";

const TRIE_BITS = 0x3fffffff;

/** The groups of equal keys among `keys[0..count)`. */
export interface KeyGroups {
  /** How many distinct keys there are. */
  readonly count: number;
  /** Item indexes, equal keys side by side, groups in trie order; within a group, input order. */
  readonly order: Uint32Array;
  /** Group `g` is `order[starts[g]]` up to (not including) `order[starts[g + 1]]`. */
  readonly starts: Uint32Array;
  /** The hash of every item's key, by item index. */
  readonly hashes: Int32Array;
}

/** Groups equal strings; stable, so each group lists its items in input order. */
export function groupKeys(keys: readonly string[], count: number = keys.length): KeyGroups {
  const hashes = new Int32Array(count);
  for (let i = 0; i < count; i++) hashes[i] = hashKey(keys[i] as string);
  // Trie order puts equal hashes side by side (and lets a trie of the groups be built in it).
  const order = trieOrder(hashes);
  const starts = new Uint32Array(count + 1);
  let groups = 0;
  let runStart = 0;
  while (runStart < count) {
    // Trie order sorts by the hash bits the trie reads (the low 30), so a run is cut on those.
    const hash = (hashes[order[runStart] as number] as number) & TRIE_BITS;
    let runEnd = runStart + 1;
    while (runEnd < count && ((hashes[order[runEnd] as number] as number) & TRIE_BITS) === hash) runEnd++;
    groups = splitRun(keys, order, runStart, runEnd, starts, groups);
    runStart = runEnd;
  }
  starts[groups] = count;
  return { count: groups, order, starts: starts.subarray(0, groups + 1), hashes };
}

/**
 * Records the groups of one run of equal hashes, usually a single key. Keys that merely share
 * a hash are separated, each group keeping input order. Returns the new group count.
 */
function splitRun(
  keys: readonly string[],
  order: Uint32Array,
  runStart: number,
  runEnd: number,
  starts: Uint32Array,
  groups: number,
): number {
  const first = keys[order[runStart] as number];
  let uniform = true;
  for (let i = runStart + 1; i < runEnd && uniform; i++) uniform = keys[order[i] as number] === first;
  if (uniform) {
    starts[groups] = runStart;
    return groups + 1;
  }
  const byKey = new Map<string, number[]>();
  for (let i = runStart; i < runEnd; i++) {
    const index = order[i] as number;
    const key = keys[index] as string;
    const members = byKey.get(key);
    if (members) members.push(index);
    else byKey.set(key, [index]);
  }
  let at = runStart;
  for (const members of byKey.values()) {
    starts[groups++] = at;
    for (const index of members) order[at++] = index;
  }
  return groups;
}
