/**
 * A persistent hash trie: the map every graph index is built from.
 *
 * Why not a plain object or a `Map`? Copying one on every write would copy every entry, so
 * one write to an index of a million keys would cost a million copies. A trie splits the keys
 * over small nodes (a leaf holds at most 48 entries, a branch 32 children), so a write copies
 * only the nodes on one root-to-leaf path and shares all the rest with the graph it came from.
 *
 * Layout, chosen for memory and for lookups that touch few cache lines: a leaf is one flat
 * array holding its entries' hashes, then their keys, then their values, so a lookup scans a
 * few cache lines of small integers and reads a key string only when its hash matches. Leaves
 * are large (up to 48 entries) so a big index is mostly full leaves, not many near-empty ones.
 *
 * Every node a trie function returns is frozen, and so is every value stored (deeply, see
 * `deep-freeze.ts`): a write copies the nodes on its path and freezes each copy as it is made.
 * Freezing later, by walking the new nodes, would read every sibling of every copied node to
 * see whether it is frozen already; on a big graph those siblings are cold in the cache, and
 * that walk cost more than the write itself. Values must not be `undefined`.
 * @module
 */

import { deepFreeze } from "./deep-freeze.js";

/**
 * `n` entries as `[hash 0 … hash n-1, key 0 … key n-1, value 0 … value n-1]`; a hash is its
 * key's {@link hashKey}, an int32.
 */
export type TrieLeaf<V> = Array<number | string | V>;

/** A node whose 32 children split the keys by five more bits of their hash. */
export interface TrieBranch<V> {
  size: number;
  children: Array<TrieNode<V> | null>;
}

/** A hash trie, or any of its sub-tries. */
export type TrieNode<V> = TrieLeaf<V> | TrieBranch<V>;

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;
/** A leaf splits when it would grow past this many entries. */
const LEAF_MAX = 48;
/** A leaf of `n` entries is `3 × n` long: hashes, keys, values. */
const SEGMENTS = 3;
const MAX_DEPTH = 6; // 6 × 5 = 30 hash bits; deeper keys share a leaf
const COLLAPSE_AT = LEAF_MAX / 2;

/** FNV-1a over UTF-16 code units, as an int32 (a small integer to V8, stored without boxing). */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

function isLeaf<V>(node: TrieNode<V>): node is TrieLeaf<V> {
  return Array.isArray(node);
}

/** An empty trie. */
export function emptyTrie<V>(): TrieNode<V> {
  return [];
}

/** How many entries the trie holds. */
export function trieSize<V>(node: TrieNode<V>): number {
  return isLeaf(node) ? node.length / SEGMENTS : node.size;
}

/** A copy of a branch to change, then freeze. */
function branchCopy<V>(node: TrieBranch<V>): TrieBranch<V> {
  // Spread, not slice(): V8 copies a frozen array with slice() on a slow path, ~20× slower.
  return { size: node.size, children: [...node.children] };
}

/** Freezes a node this write made, and a branch's list of children with it. */
function frozen<V>(node: TrieNode<V>): TrieNode<V> {
  if (!isLeaf(node)) Object.freeze(node.children);
  return Object.freeze(node) as TrieNode<V>;
}

function slotOf(hash: number, depth: number): number {
  return (hash >>> (depth * BITS)) & MASK;
}

function leafFor<V>(root: TrieNode<V>, hash: number): TrieLeaf<V> | null {
  let node: TrieNode<V> | null | undefined = root;
  let depth = 0;
  while (node && !isLeaf(node)) {
    node = node.children[slotOf(hash, depth)];
    depth++;
  }
  return node ?? null;
}

/** The entry number of `key` in `leaf`, or -1. */
function indexIn<V>(leaf: TrieLeaf<V>, key: string, hash: number): number {
  const n = leaf.length / SEGMENTS;
  for (let i = 0; i < n; i++) if (leaf[i] === hash && leaf[n + i] === key) return i;
  return -1;
}

function lookup<V>(root: TrieNode<V>, key: string, hash: number): V | undefined {
  const leaf = leafFor(root, hash);
  if (!leaf) return undefined;
  const index = indexIn(leaf, key, hash);
  return index < 0 ? undefined : (leaf[(2 * leaf.length) / SEGMENTS + index] as V);
}

/** A new leaf of `n` entries, to fill at `i`, `n + i` and `2n + i`. */
function newLeaf<V>(n: number): TrieLeaf<V> {
  return new Array<number | string | V>(n * SEGMENTS);
}

/** `leaf` with one more entry, at the end. */
function leafWith<V>(leaf: TrieLeaf<V>, hash: number, key: string, value: V): TrieLeaf<V> {
  const n = leaf.length / SEGMENTS;
  const next = newLeaf<V>(n + 1);
  for (let i = 0; i < n; i++) {
    next[i] = leaf[i] as number;
    next[n + 1 + i] = leaf[n + i] as string;
    next[2 * (n + 1) + i] = leaf[2 * n + i] as V;
  }
  next[n] = hash;
  next[2 * n + 1] = key;
  next[3 * n + 2] = value;
  return next;
}

/** `leaf` without entry `index`. */
function leafWithout<V>(leaf: TrieLeaf<V>, index: number): TrieLeaf<V> {
  const n = leaf.length / SEGMENTS;
  const next = newLeaf<V>(n - 1);
  for (let i = 0, j = 0; i < n; i++) {
    if (i === index) continue;
    next[j] = leaf[i] as number;
    next[n - 1 + j] = leaf[n + i] as string;
    next[2 * (n - 1) + j] = leaf[2 * n + i] as V;
    j++;
  }
  return next;
}

/** A leaf of the given entries. */
function leafOf<V>(hashes: readonly number[], keys: readonly string[], values: readonly V[]): TrieLeaf<V> {
  const n = hashes.length;
  const leaf = newLeaf<V>(n);
  for (let i = 0; i < n; i++) {
    leaf[i] = hashes[i] as number;
    leaf[n + i] = keys[i] as string;
    leaf[2 * n + i] = values[i] as V;
  }
  return leaf;
}

/** The value stored under `key`, or `undefined`. */
export function trieGet<V>(root: TrieNode<V>, key: string): V | undefined {
  return lookup(root, key, hashKey(key));
}

/** Whether `key` is stored. */
export function trieHas<V>(root: TrieNode<V>, key: string): boolean {
  return lookup(root, key, hashKey(key)) !== undefined;
}

/**
 * Stores `value` (frozen deeply first) under `key`; returns the new trie, frozen. `root` is
 * left as it was.
 */
export function trieSet<V>(root: TrieNode<V>, key: string, value: V): TrieNode<V> {
  const hash = hashKey(key);
  const current = lookup(root, key, hash);
  if (current === value) return root;
  return setIn(root, key, deepFreeze(value), hash, 0, current === undefined);
}

function setIn<V>(node: TrieNode<V>, key: string, value: V, hash: number, depth: number, added: boolean): TrieNode<V> {
  if (isLeaf(node)) {
    if (!added) {
      const next = [...node];
      next[(2 * node.length) / SEGMENTS + indexIn(node, key, hash)] = value;
      return frozen(next);
    }
    if (node.length < LEAF_MAX * SEGMENTS || depth >= MAX_DEPTH) return frozen(leafWith(node, hash, key, value));
    return setIn(split(node, depth), key, value, hash, depth, added);
  }
  const target = branchCopy(node);
  const slot = slotOf(hash, depth);
  target.children[slot] = setIn(target.children[slot] ?? emptyTrie<V>(), key, value, hash, depth + 1, added);
  if (added) target.size += 1;
  return frozen(target);
}

/** A full leaf as a branch whose children are the leaf's entries dealt by their next slot. */
function split<V>(leaf: TrieLeaf<V>, depth: number): TrieBranch<V> {
  const n = leaf.length / SEGMENTS;
  const dealt = Array.from({ length: WIDTH }, () => ({
    hashes: [] as number[],
    keys: [] as string[],
    values: [] as V[],
  }));
  for (let i = 0; i < n; i++) {
    const bucket = dealt[slotOf(leaf[i] as number, depth)] as (typeof dealt)[number];
    bucket.hashes.push(leaf[i] as number);
    bucket.keys.push(leaf[n + i] as string);
    bucket.values.push(leaf[2 * n + i] as V);
  }
  const children = dealt.map((bucket) =>
    bucket.hashes.length === 0 ? null : frozen(leafOf(bucket.hashes, bucket.keys, bucket.values)),
  );
  return frozen({ size: n, children }) as TrieBranch<V>;
}

/** Removes `key`; returns the trie to use from now on (`root` is unchanged if frozen). */
export function trieDelete<V>(root: TrieNode<V>, key: string): TrieNode<V> {
  const hash = hashKey(key);
  if (lookup(root, key, hash) === undefined) return root;
  return deleteIn(root, key, hash, 0);
}

function deleteIn<V>(node: TrieNode<V>, key: string, hash: number, depth: number): TrieNode<V> {
  if (isLeaf(node)) return frozen(leafWithout(node, indexIn(node, key, hash)));
  const target = branchCopy(node);
  target.size -= 1;
  const slot = slotOf(hash, depth);
  const updated = deleteIn(target.children[slot] as TrieNode<V>, key, hash, depth + 1);
  target.children[slot] = trieSize(updated) === 0 ? null : updated;
  return target.size <= COLLAPSE_AT ? collapse(target) : frozen(target);
}

function collapse<V>(branch: TrieBranch<V>): TrieLeaf<V> {
  const entries = { hashes: [] as number[], keys: [] as string[], values: [] as V[] };
  collectInto(branch, entries);
  return Object.freeze(leafOf(entries.hashes, entries.keys, entries.values)) as TrieLeaf<V>;
}

function collectInto<V>(node: TrieNode<V>, into: { hashes: number[]; keys: string[]; values: V[] }): void {
  if (isLeaf(node)) {
    const n = node.length / SEGMENTS;
    for (let i = 0; i < n; i++) {
      into.hashes.push(node[i] as number);
      into.keys.push(node[n + i] as string);
      into.values.push(node[2 * n + i] as V);
    }
    return;
  }
  for (const child of node.children) if (child) collectInto(child, into);
}

/**
 * A trie holding `keys[i] → values[i]`, built in one pass rather than one insert at a time:
 * hashes are computed once (or passed in, as `hashes[i]`), the entries are put in trie order
 * ({@link trieOrder}), and each node is then made from a contiguous run of them. Keys must be
 * distinct (the caller has checked). The nodes come out frozen, like every node; the values
 * must be frozen already (deeply), as they are not walked here.
 */
export function trieFromEntries<V>(keys: readonly string[], values: readonly V[], hashes?: Int32Array): TrieNode<V> {
  const keyHashes = hashes ?? hashAll(keys);
  return trieFromOrdered(trieOrder(keyHashes), keys, values, keyHashes);
}

/**
 * {@link trieFromEntries} for entries already listed in trie order: the trie holds
 * `keys[order[i]] → values[order[i]]` for every `i`, and `hashes[j]` is `keys[j]`'s hash.
 */
export function trieFromOrdered<V>(
  order: Uint32Array,
  keys: readonly string[],
  values: readonly V[],
  hashes: Int32Array,
): TrieNode<V> {
  return buildRange(order, 0, order.length, 0, keys, values, hashes);
}

function hashAll(keys: readonly string[]): Int32Array {
  const hashes = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) hashes[i] = hashKey(keys[i] as string);
  return hashes;
}

/**
 * Indexes `0..n)` in the order a trie walk meets their hashes: by the first level's slot,
 * then the second's, and so on, ties in index order. Each trie node's entries are then one
 * contiguous run, and equal hashes sit side by side. An LSD radix sort, 8 bits a pass.
 */
export function trieOrder(hashes: Int32Array): Uint32Array {
  const n = hashes.length;
  // The slots read from the top: the root's slot in the highest bits.
  const sortKeys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const hash = hashes[i] as number;
    let sortKey = 0;
    for (let depth = 0; depth < MAX_DEPTH; depth++) sortKey = (sortKey << BITS) | slotOf(hash, depth);
    sortKeys[i] = sortKey;
  }
  // The sort keys travel with the indexes, so every pass reads both arrays in sequence.
  let from = new Uint32Array(n);
  for (let i = 0; i < n; i++) from[i] = i;
  let to = new Uint32Array(n);
  let keysFrom = sortKeys;
  let keysTo = new Uint32Array(n);
  const counts = new Uint32Array(256);
  for (let shift = 0; shift < BITS * MAX_DEPTH; shift += 8) {
    counts.fill(0);
    for (let i = 0; i < n; i++) (counts[((keysFrom[i] as number) >>> shift) & 255] as number)++;
    let total = 0;
    for (let digit = 0; digit < 256; digit++) {
      const count = counts[digit] as number;
      counts[digit] = total;
      total += count;
    }
    for (let i = 0; i < n; i++) {
      const sortKey = keysFrom[i] as number;
      const at = (counts[(sortKey >>> shift) & 255] as number)++;
      to[at] = from[i] as number;
      keysTo[at] = sortKey;
    }
    [from, to] = [to, from];
    [keysFrom, keysTo] = [keysTo, keysFrom];
  }
  return from;
}

/** The node holding the entries `order[lo..hi)`, which share the slots of the levels above. */
function buildRange<V>(
  order: Uint32Array,
  lo: number,
  hi: number,
  depth: number,
  keys: readonly string[],
  values: readonly V[],
  hashes: Int32Array,
): TrieNode<V> {
  if (hi - lo <= LEAF_MAX || depth >= MAX_DEPTH) {
    const n = hi - lo;
    const leaf = newLeaf<V>(n);
    for (let i = 0; i < n; i++) {
      const index = order[lo + i] as number;
      leaf[i] = hashes[index] as number;
      leaf[n + i] = keys[index] as string;
      leaf[2 * n + i] = values[index] as V;
    }
    return Object.freeze(leaf) as TrieLeaf<V>;
  }
  const children = new Array<TrieNode<V> | null>(WIDTH).fill(null);
  let start = lo;
  while (start < hi) {
    const slot = slotOf(hashes[order[start] as number] as number, depth);
    let end = start + 1;
    while (end < hi && slotOf(hashes[order[end] as number] as number, depth) === slot) end++;
    children[slot] = buildRange(order, start, end, depth + 1, keys, values, hashes);
    start = end;
  }
  return Object.freeze({ size: hi - lo, children: Object.freeze(children) }) as TrieBranch<V>;
}

/** Calls `visit` for every entry, in no particular order. */
export function trieForEach<V>(node: TrieNode<V>, visit: (value: V, key: string) => void): void {
  if (isLeaf(node)) {
    const n = node.length / SEGMENTS;
    for (let i = 0; i < n; i++) visit(node[2 * n + i] as V, node[n + i] as string);
    return;
  }
  for (const child of node.children) if (child) trieForEach(child, visit);
}

/**
 * Calls `visit` with every key and its {@link hashKey}, read from the leaves, in no particular
 * order. Nothing is hashed again and no key's characters are read: over keys scattered in the
 * heap, that is the difference between a few nanoseconds a key and a cache miss or two.
 */
export function trieForEachKey<V>(node: TrieNode<V>, visit: (key: string, hash: number) => void): void {
  if (isLeaf(node)) {
    const n = node.length / SEGMENTS;
    for (let i = 0; i < n; i++) visit(node[n + i] as string, node[i] as number);
    return;
  }
  for (const child of node.children) if (child) trieForEachKey(child, visit);
}

/** Every key, in no particular order. */
export function trieKeys<V>(node: TrieNode<V>): string[] {
  const keys: string[] = [];
  trieForEach(node, (_value, key) => keys.push(key));
  return keys;
}

/** Every value, in no particular order. */
export function trieValues<V>(node: TrieNode<V>): V[] {
  const values: V[] = [];
  trieForEach(node, (value) => values.push(value));
  return values;
}

/**
 * Calls `visit` with every key whose value differs between two tries (added, removed, or a
 * different value by identity), each once, in no particular order. Sub-tries the two share
 * (as a write's copy shares every path it did not touch) are skipped whole, so comparing a
 * graph with its successor costs what the writes between them touched.
 */
export function trieChangedKeys<V>(before: TrieNode<V>, after: TrieNode<V>, visit: (key: string) => void): void {
  if (before === after) return;
  if (!isLeaf(before) && !isLeaf(after)) {
    for (let i = 0; i < WIDTH; i++) {
      const a = before.children[i] ?? null;
      const b = after.children[i] ?? null;
      if (a === b) continue;
      trieChangedKeys(a ?? emptyTrie<V>(), b ?? emptyTrie<V>(), visit);
    }
    return;
  }
  // A leaf on either side: compare the entries of both.
  const old = new Map<string, V>();
  trieForEach(before, (value, key) => old.set(key, value));
  trieForEach(after, (value, key) => {
    if (!old.has(key) || old.get(key) !== value) visit(key);
    old.delete(key);
  });
  for (const key of old.keys()) visit(key);
}
