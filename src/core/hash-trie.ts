/**
 * A persistent hash trie: the map every graph index is built from.
 *
 * Why not a plain object or a `Map`? Copying one on every write would copy every entry, so
 * one write to an index of a million keys would cost a million copies. A trie splits the keys
 * over small nodes (a leaf holds at most 16 entries, a branch 32 children), so a
 * write copies only the nodes on one root-to-leaf path and shares all the rest with the graph
 * it came from.
 *
 * Frozen nodes belong to a published graph and are never changed: a write copies them. Nodes
 * that are not frozen yet were made by the write (or build) in progress and are changed in
 * place, so a batch of changes copies each path once. The graph layer freezes every new node
 * before it hands a graph out. Values must not be `undefined`.
 * @module
 */

/**
 * A node of at most 16 entries (more only once the hash bits run out), in two
 * parallel arrays: compact, cheap to copy, and free of any prototype, so no key is special.
 */
export interface TrieLeaf<V> {
  size: number;
  keys: string[];
  values: V[];
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
const LEAF_MAX = 16;
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
  return "keys" in node;
}

/** An empty trie. */
export function emptyTrie<V>(): TrieNode<V> {
  return { size: 0, keys: [], values: [] };
}

/** The node itself when this write made it, otherwise a shallow copy that this write owns. */
function editable<V>(node: TrieNode<V>): TrieNode<V> {
  if (!Object.isFrozen(node)) return node;
  if (isLeaf(node)) return { size: node.size, keys: node.keys.slice(), values: node.values.slice() };
  return { size: node.size, children: node.children.slice() };
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

function lookup<V>(root: TrieNode<V>, key: string, hash: number): V | undefined {
  const leaf = leafFor(root, hash);
  if (!leaf) return undefined;
  const index = leaf.keys.indexOf(key);
  return index < 0 ? undefined : leaf.values[index];
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
  if (isLeaf(node) && added && node.size >= LEAF_MAX && depth < MAX_DEPTH) {
    return setIn(split(node, depth), key, value, hash, depth, added);
  }
  const target = editable(node);
  if (isLeaf(target)) {
    if (added) {
      target.keys.push(key);
      target.values.push(value);
    } else {
      target.values[target.keys.indexOf(key)] = value;
    }
  } else {
    const slot = slotOf(hash, depth);
    target.children[slot] = setIn(target.children[slot] ?? emptyTrie<V>(), key, value, hash, depth + 1, added);
  }
  if (added) target.size += 1;
  return target;
}

function split<V>(leaf: TrieLeaf<V>, depth: number): TrieBranch<V> {
  const branch: TrieBranch<V> = { size: 0, children: new Array<TrieNode<V> | null>(WIDTH).fill(null) };
  leaf.keys.forEach((key, index) => {
    setIn(branch, key, leaf.values[index] as V, hashKey(key), depth, true);
  });
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
  target.size -= 1;
  if (isLeaf(target)) {
    const index = target.keys.indexOf(key);
    target.keys.splice(index, 1);
    target.values.splice(index, 1);
    return target;
  }
  const slot = slotOf(hash, depth);
  const updated = deleteIn(target.children[slot] as TrieNode<V>, key, hash, depth + 1);
  target.children[slot] = updated.size === 0 ? null : updated;
  return target.size <= COLLAPSE_AT ? collapse(target) : target;
}

function collapse<V>(branch: TrieBranch<V>): TrieLeaf<V> {
  const leaf: TrieLeaf<V> = { size: 0, keys: [], values: [] };
  trieForEach(branch, (value, key) => {
    leaf.keys.push(key);
    leaf.values.push(value);
    leaf.size += 1;
  });
  return leaf;
}

/** Calls `visit` for every entry, in no particular order. */
export function trieForEach<V>(node: TrieNode<V>, visit: (value: V, key: string) => void): void {
  if (isLeaf(node)) {
    const { keys, values } = node;
    for (let i = 0; i < keys.length; i++) visit(values[i] as V, keys[i] as string);
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
