/**
 * A hash trie: the map every graph index is built from.
 *
 * Why not a plain object or a `Map`? Immer copies a modified object or `Map` whole, so one
 * write to an index of a million keys would copy a million entries. A trie splits the keys
 * over small nodes (a leaf holds at most {@link LEAF_MAX} entries, a branch 32 children), so a
 * write inside `produce` copies only the nodes on one root-to-leaf path and shares the rest.
 *
 * The same functions work on plain objects (while a graph is first built, mutating in place)
 * and on immer drafts (inside a write); they mutate the node they are given and return the
 * node the caller must store, which differs only when a leaf splits or a branch collapses.
 * Values must not be `undefined`.
 * @module
 */

/** A node of at most {@link LEAF_MAX} entries (more only once the hash bits run out). */
export interface TrieLeaf<V> {
  size: number;
  entries: Record<string, V>;
}

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
export const LEAF_MAX = 16;
const MAX_DEPTH = 6; // 6 × 5 = 30 hash bits; deeper keys share a leaf
const COLLAPSE_AT = LEAF_MAX / 2;

/** FNV-1a over UTF-16 code units: fast, and spreads similar ids such as `usr_1`, `usr_2`. */
function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function isLeaf<V>(node: TrieNode<V>): node is TrieLeaf<V> {
  return "entries" in node;
}

function newEntries<V>(): Record<string, V> {
  // No prototype, so no key can ever reach Object.prototype.
  return Object.create(null) as Record<string, V>;
}

/** An empty trie. */
export function emptyTrie<V>(): TrieNode<V> {
  return { size: 0, entries: newEntries<V>() };
}

function slotOf(hash: number, depth: number): number {
  return (hash >>> (depth * BITS)) & MASK;
}

function lookup<V>(root: TrieNode<V>, key: string, hash: number): V | undefined {
  let node: TrieNode<V> | null | undefined = root;
  let depth = 0;
  while (node && !isLeaf(node)) {
    node = node.children[slotOf(hash, depth)];
    depth++;
  }
  return node ? node.entries[key] : undefined;
}

/** The value stored under `key`, or `undefined`. */
export function trieGet<V>(root: TrieNode<V>, key: string): V | undefined {
  return lookup(root, key, hashKey(key));
}

/** Whether `key` is stored. */
export function trieHas<V>(root: TrieNode<V>, key: string): boolean {
  return lookup(root, key, hashKey(key)) !== undefined;
}

/** The number of keys stored. */
export function trieSize<V>(root: TrieNode<V>): number {
  return root.size;
}

/** Stores `value` under `key`; returns the node to keep in place of `root`. */
export function trieSet<V>(root: TrieNode<V>, key: string, value: V): TrieNode<V> {
  const hash = hashKey(key);
  const added = lookup(root, key, hash) === undefined;
  return setIn(root, key, value, hash, 0, added);
}

function setIn<V>(node: TrieNode<V>, key: string, value: V, hash: number, depth: number, added: boolean): TrieNode<V> {
  if (isLeaf(node)) {
    if (added && node.size >= LEAF_MAX && depth < MAX_DEPTH) {
      return setIn(split(node, depth), key, value, hash, depth, added);
    }
    node.entries[key] = value;
    if (added) node.size += 1;
    return node;
  }
  const slot = slotOf(hash, depth);
  const child = node.children[slot];
  const updated = setIn(child ?? emptyTrie<V>(), key, value, hash, depth + 1, added);
  if (updated !== child) node.children[slot] = updated;
  if (added) node.size += 1;
  return node;
}

function split<V>(leaf: TrieLeaf<V>, depth: number): TrieBranch<V> {
  const branch: TrieBranch<V> = { size: 0, children: new Array<TrieNode<V> | null>(WIDTH).fill(null) };
  for (const key of Object.keys(leaf.entries)) {
    setIn(branch, key, leaf.entries[key] as V, hashKey(key), depth, true);
  }
  return branch;
}

/** Removes `key`; returns the node to keep in place of `root`. */
export function trieDelete<V>(root: TrieNode<V>, key: string): TrieNode<V> {
  const hash = hashKey(key);
  if (lookup(root, key, hash) === undefined) return root;
  return deleteIn(root, key, hash, 0);
}

function deleteIn<V>(node: TrieNode<V>, key: string, hash: number, depth: number): TrieNode<V> {
  if (isLeaf(node)) {
    delete node.entries[key];
    node.size -= 1;
    return node;
  }
  const slot = slotOf(hash, depth);
  const child = node.children[slot] as TrieNode<V>;
  const updated = deleteIn(child, key, hash, depth + 1);
  if (updated.size === 0) node.children[slot] = null;
  else if (updated !== child) node.children[slot] = updated;
  node.size -= 1;
  return node.size <= COLLAPSE_AT ? collapse(node) : node;
}

function collapse<V>(branch: TrieBranch<V>): TrieLeaf<V> {
  const leaf: TrieLeaf<V> = emptyTrie<V>() as TrieLeaf<V>;
  trieForEach(branch, (value, key) => {
    leaf.entries[key] = value;
    leaf.size += 1;
  });
  return leaf;
}

/** Calls `visit` for every entry, in no particular order. */
export function trieForEach<V>(node: TrieNode<V>, visit: (value: V, key: string) => void): void {
  if (isLeaf(node)) {
    const entries = node.entries;
    for (const key in entries) visit(entries[key] as V, key);
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
