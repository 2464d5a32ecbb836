/**
 * Pages of the answers that grow with the organization (the entities of `resolveAccess`, the
 * users of `usersWithAccess`): which keys a page holds, found without sorting every key, and the
 * page's envelope. The questions then build grant paths for the page's keys only, so a page of 20
 * entities out of 100,000 sorts and builds 20, not 100,000 (docs/concepts.md, "Pages").
 * @module
 */
import { trieOrder } from "./hash-trie.js";
import type { PageWindow } from "./query-arguments.js";
import type { AccessPageInfo } from "./types.js";

/** Below this many keys a range is simply sorted: selection would not pay for itself. */
const SMALL_RANGE = 32;
/** The hash bits {@link trieOrder} sorts by: keys equal in them end up side by side. */
const TRIE_BITS = 0x3fffffff;
/** Past this many keys of equal hash bits, a set separates them (crafted ids could make many). */
const SMALL_RUN = 8;

/**
 * The keys a page holds when `groups` are listed one after another, each in sorted order (the
 * entity types of a resolution, in docs/spec.md §3's order; or the one group of users). Each group's keys
 * must be distinct; the arrays are reordered. Answers how many keys there are in all, and each
 * group's keys on the page, sorted.
 */
export function pageKeys(groups: readonly string[][], page: PageWindow): { total: number; keys: string[][] } {
  const end = page.skip + page.limit;
  let before = 0;
  const keys = groups.map((group) => {
    const from = Math.max(0, page.skip - before);
    const to = Math.min(group.length, end - before);
    before += group.length;
    return from < to ? sortedWindow(group, from, to) : [];
  });
  return { total: before, keys };
}

/**
 * The distinct keys among `keys` (in no particular order), given each key's {@link hashKey} as
 * the graph's tries hold it. Equal hashes are brought together by a radix sort of the hashes, so
 * only keys that share a hash are compared, and a key reached twice is usually the same string
 * (the graph keeps one per id), compared by reference. A `Set` would read every key's characters
 * to hash it: over 266,000 user ids scattered in a large heap that cost 100–130 ms, this 20–30.
 */
export function distinctKeys(keys: readonly string[], hashes: readonly number[]): string[] {
  const count = keys.length;
  const order = trieOrder(Int32Array.from(hashes));
  const distinct: string[] = [];
  let start = 0;
  while (start < count) {
    const bits = (hashes[order[start] as number] as number) & TRIE_BITS;
    let end = start + 1;
    while (end < count && ((hashes[order[end] as number] as number) & TRIE_BITS) === bits) end++;
    if (end - start > SMALL_RUN) {
      const run = new Set<string>();
      for (let i = start; i < end; i++) run.add(keys[order[i] as number] as string);
      distinct.push(...run);
    } else {
      for (let i = start; i < end; i++) {
        const key = keys[order[i] as number] as string;
        let repeated = false;
        for (let j = start; j < i && !repeated; j++) repeated = keys[order[j] as number] === key;
        if (!repeated) distinct.push(key);
      }
    }
    start = end;
  }
  return distinct;
}

/** The envelope fields of a page holding `count` items of `total`. */
export function pageInfo(total: number, page: PageWindow, count: number): AccessPageInfo {
  return { total, skip: page.skip, limit: page.limit, has_more: page.skip + count < total };
}

/**
 * The keys at positions `from` to `to - 1` of the sorted (code-unit) order of distinct `keys`,
 * sorted; `keys` is reordered. Quickselect moves the window's keys into place in time linear in
 * the number of keys on average, then only the window is sorted: measured on 200,000 user ids, a
 * window of 20 costs a fraction of a full sort (which V8 does natively, in code-unit order).
 */
export function sortedWindow(keys: string[], from: number, to: number): string[] {
  if ((to - from) * 4 >= keys.length) return keys.sort().slice(from, to);
  let lo = 0;
  let hi = keys.length;
  // One descent while the window lies on one side of each split, then one per edge of the window.
  let budget = partitionBudget(hi - lo);
  while (hi - lo > SMALL_RANGE && budget-- > 0) {
    const split = partition(keys, lo, hi);
    if (to - 1 <= split) hi = split + 1;
    else if (from > split) lo = split + 1;
    else {
      placeRank(keys, from, lo, split + 1);
      if (to < hi) placeRank(keys, to, split + 1, hi);
      return keys.slice(from, to).sort();
    }
  }
  sortRange(keys, lo, hi);
  return keys.slice(from, to);
}

/**
 * Reorders `keys[lo..hi)` (which holds the keys of ranks `lo` to `hi - 1`) so that `keys[rank]`
 * is the key of that rank, smaller keys before it and larger after: quickselect with Hoare's
 * partition around a median of three, so sorted or reversed input stays linear. Past a budget of
 * partitions (an adversarial order) it sorts what is left, so the worst case is a sort, never
 * quadratic.
 */
function placeRank(keys: string[], rank: number, lo: number, hi: number): void {
  let budget = partitionBudget(hi - lo);
  while (hi - lo > SMALL_RANGE && budget-- > 0) {
    const split = partition(keys, lo, hi);
    if (rank <= split) hi = split + 1;
    else lo = split + 1;
  }
  sortRange(keys, lo, hi);
}

/** How many partitions a selection over `count` keys may take before it sorts what is left. */
function partitionBudget(count: number): number {
  return 2 * Math.ceil(Math.log2(count + 1)) + 8;
}

/**
 * Hoare's partition of `keys[lo..hi)` (at least 3 distinct keys) around the median of its first,
 * middle and last keys: answers `split` with every key of `lo..split` below every key of
 * `split + 1..hi - 1`, both parts non-empty.
 */
function partition(keys: string[], lo: number, hi: number): number {
  const mid = lo + ((hi - lo) >> 1);
  if (at(keys, mid) < at(keys, lo)) swap(keys, mid, lo);
  if (at(keys, hi - 1) < at(keys, lo)) swap(keys, hi - 1, lo);
  if (at(keys, hi - 1) < at(keys, mid)) swap(keys, hi - 1, mid);
  const pivot = at(keys, mid);
  let i = lo - 1;
  let j = hi;
  for (;;) {
    do i++;
    while (at(keys, i) < pivot);
    do j--;
    while (at(keys, j) > pivot);
    if (i >= j) return j;
    swap(keys, i, j);
  }
}

function sortRange(keys: string[], lo: number, hi: number): void {
  if (hi - lo < 2) return;
  const sorted = keys.slice(lo, hi).sort();
  for (let i = 0; i < sorted.length; i++) keys[lo + i] = sorted[i] as string;
}

function at(keys: string[], index: number): string {
  return keys[index] as string;
}

function swap(keys: string[], i: number, j: number): void {
  const key = at(keys, i);
  keys[i] = at(keys, j);
  keys[j] = key;
}
