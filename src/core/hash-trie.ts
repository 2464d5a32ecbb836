/**
 * A persistent hash trie: the map every graph index is built from.
 *
 * Why not a plain object or a `Map`? Copying one on every write would copy every entry, so
 * one write to an index of a million keys would cost a million copies. A trie splits the keys
 * over small nodes (a leaf holds at most 48 entries, a branch 32 children), so a write copies
 * only the nodes on one root-to-leaf path and shares all the rest with the graph it came from.
 *
 * Layout, chosen for memory and for lookups that touch few cache lines: a leaf is one flat
 * array of `hash, key, value` triples, so a lookup compares small-integer hashes in one array
 * and reads a key string only when its hash matches. Leaves are large (up to 48 entries) so a
 * big index is mostly full leaves rather than many near-empty ones.
 *
 * Frozen nodes belong to a published graph and are never changed: a write copies them. Nodes
 * that are not frozen yet were made by the write (or build) in progress and are changed in
 * place, so a batch of changes copies each path once. The graph layer freezes every new node
 * before it hands a graph out. Values must not be `undefined`.
 * @module
 */

/** Entries as `hash, key, value` triples; the hash is the key's {@link hashKey} as an int32. */
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
const STRIDE = 3;
const MAX_DEPTH = 6; // 6 × 5 = 30 hash bits; deeper keys share a leaf
const COLLAPSE_AT = LEAF_MAX / 2;

/** FNV-1a over UTF-16 code units, as an int32 (a small integer to V8, stored without boxing). */
function hashKey(key: string): number {
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
  return isLeaf(node) ? node.length / STRIDE : node.size;
}

/** The node itself when this write made it, otherwise a shallow copy that this write owns. */
function editable<V>(node: TrieNode<V>): TrieNode<V> {
  if (!Object.isFrozen(node)) return node;
  // Spread, not slice(): V8 copies a frozen array with slice() on a slow path, ~20× slower.
  if (isLeaf(node)) return [...node];
  return { size: node.size, children: [...node.children] };
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

/** The position of `key`'s triple in `leaf`, or -1. */
function indexIn<V>(leaf: TrieLeaf<V>, key: string, hash: number): number {
  for (let i = 0; i < leaf.length; i += STRIDE) {
    if (leaf[i] === hash && leaf[i + 1] === key) return i;
  }
  return -1;
}

function lookup<V>(root: TrieNode<V>, key: string, hash: number): V | undefined {
  const leaf = leafFor(root, hash);
  if (!leaf) return undefined;
  const index = indexIn(leaf, key, hash);
  return index < 0 ? undefined : (leaf[index + 2] as V);
}

/** The value stored under `key`, or `undefined`. */
export function trieGet<V>(root: TrieNode<V>, key: string): V | undefined {
  return lookup(root, key, hashKey(key));
}

/** Whether `key` is stored. */
export function trieHas<V>(root: TrieNode<V>, key: string): boolean {
  return lookup(root, key, hashKey(key)) !== undefined;
}

/** Stores `value` under `key`; returns the trie to use from now on (`root` is unchanged if frozen). */
export function trieSet<V>(root: TrieNode<V>, key: string, value: V): TrieNode<V> {
  const hash = hashKey(key);
  const current = lookup(root, key, hash);
  if (current === value) return root;
  return setIn(root, key, value, hash, 0, current === undefined);
}

function setIn<V>(node: TrieNode<V>, key: string, value: V, hash: number, depth: number, added: boolean): TrieNode<V> {
  if (isLeaf(node) && added && node.length >= LEAF_MAX * STRIDE && depth < MAX_DEPTH) {
    return setIn(split(node, depth), key, value, hash, depth, added);
  }
  const target = editable(node);
  if (isLeaf(target)) {
    if (added) target.push(hash, key, value);
    else target[indexIn(target, key, hash) + 2] = value;
    return target;
  }
  const slot = slotOf(hash, depth);
  target.children[slot] = setIn(target.children[slot] ?? emptyTrie<V>(), key, value, hash, depth + 1, added);
  if (added) target.size += 1;
  return target;
}

function split<V>(leaf: TrieLeaf<V>, depth: number): TrieBranch<V> {
  const branch: TrieBranch<V> = { size: 0, children: new Array<TrieNode<V> | null>(WIDTH).fill(null) };
  for (let i = 0; i < leaf.length; i += STRIDE) {
    setIn(branch, leaf[i + 1] as string, leaf[i + 2] as V, leaf[i] as number, depth, true);
  }
  return branch;
}

/** Removes `key`; returns the trie to use from now on (`root` is unchanged if frozen). */
export function trieDelete<V>(root: TrieNode<V>, key: string): TrieNode<V> {
  const hash = hashKey(key);
  if (lookup(root, key, hash) === undefined) return root;
  return deleteIn(root, key, hash, 0);
}

function deleteIn<V>(node: TrieNode<V>, key: string, hash: number, depth: number): TrieNode<V> {
  const target = editable(node);
  if (isLeaf(target)) {
    target.splice(indexIn(target, key, hash), STRIDE);
    return target;
  }
  target.size -= 1;
  const slot = slotOf(hash, depth);
  const updated = deleteIn(target.children[slot] as TrieNode<V>, key, hash, depth + 1);
  target.children[slot] = trieSize(updated) === 0 ? null : updated;
  return target.size <= COLLAPSE_AT ? collapse(target) : target;
}

function collapse<V>(branch: TrieBranch<V>): TrieLeaf<V> {
  const leaf: TrieLeaf<V> = [];
  collectInto(branch, leaf);
  return leaf;
}

function collectInto<V>(node: TrieNode<V>, leaf: TrieLeaf<V>): void {
  if (isLeaf(node)) {
    for (const item of node) leaf.push(item);
    return;
  }
  for (const child of node.children) if (child) collectInto(child, leaf);
}

/**
 * A trie holding `keys[i] → values[i]`, built in one pass over the entries rather than one
 * insert at a time: hashes are computed once and each level just deals indexes into buckets.
 * Keys must be distinct (the caller has checked); the result is not frozen.
 */
export function trieFromEntries<V>(keys: readonly string[], values: readonly V[]): TrieNode<V> {
  const hashes = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) hashes[i] = hashKey(keys[i] as string);
  const all = new Uint32Array(keys.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  return buildNode(all, 0, keys, values, hashes);
}

function buildNode<V>(
  indexes: Uint32Array,
  depth: number,
  keys: readonly string[],
  values: readonly V[],
  hashes: Int32Array,
): TrieNode<V> {
  if (indexes.length <= LEAF_MAX || depth >= MAX_DEPTH) {
    const leaf: TrieLeaf<V> = new Array(indexes.length * STRIDE);
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i] as number;
      leaf[i * STRIDE] = hashes[index] as number;
      leaf[i * STRIDE + 1] = keys[index] as string;
      leaf[i * STRIDE + 2] = values[index] as V;
    }
    return leaf;
  }
  const counts = new Uint32Array(WIDTH);
  for (const index of indexes) (counts[slotOf(hashes[index] as number, depth)] as number)++;
  const buckets = Array.from(counts, (count) => new Uint32Array(count));
  counts.fill(0);
  for (const index of indexes) {
    const slot = slotOf(hashes[index] as number, depth);
    (buckets[slot] as Uint32Array)[(counts[slot] as number)++] = index;
  }
  return {
    size: indexes.length,
    children: buckets.map((bucket) =>
      bucket.length === 0 ? null : buildNode(bucket, depth + 1, keys, values, hashes),
    ),
  };
}

/** Calls `visit` for every entry, in no particular order. */
export function trieForEach<V>(node: TrieNode<V>, visit: (value: V, key: string) => void): void {
  if (isLeaf(node)) {
    for (let i = 0; i < node.length; i += STRIDE) visit(node[i + 2] as V, node[i + 1] as string);
    return;
  }
  for (const child of node.children) if (child) trieForEach(child, visit);
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
