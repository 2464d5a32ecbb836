/**
 * Grant sets: the grants of one grantee, or on one entity (see {@link GrantSet}). A set is a
 * plain array while it is small and a trie keyed by the other side's id once it is large, so
 * a typical set costs a pointer per grant, and a write to even a huge set stays cheap.
 *
 * Like trie nodes, every set these functions return is frozen (not walked: the grants in it
 * are frozen already), and a write copies the set it changes.
 * @module
 */
import type { GrantSet, KeyedGrantSet, StoredGrant } from "./graph-state.js";
import {
  type TrieNode,
  trieDelete,
  trieForEach,
  trieFromEntries,
  trieGet,
  trieSet,
  trieSize,
  trieValues,
} from "./hash-trie.js";

/** Which id keys a set: a grantee's set by `entity_id`, an entity's set by `grantee_id`. */
export type GrantSetKey = "entity_id" | "grantee_id";

/** An array set becomes a trie past this size (copying 256 pointers is well under a microsecond)… */
const ARRAY_MAX = 256;
/** …and a trie set becomes an array again below this one, so a set on the edge does not flip-flop. */
const ARRAY_AGAIN = ARRAY_MAX / 2;

function isArraySet(set: GrantSet): set is readonly StoredGrant[] {
  return Array.isArray(set);
}

/** How many grants the set holds. */
export function grantSetSize(set: GrantSet): number {
  return isArraySet(set) ? set.length : trieSize(set.byKey);
}

/** The set's grant whose `key` side is `id`, if any. */
export function grantSetGet(set: GrantSet, key: GrantSetKey, id: string): StoredGrant | undefined {
  if (!isArraySet(set)) return trieGet(set.byKey, id);
  for (const grant of set) if (grant[key] === id) return grant;
  return undefined;
}

/** Calls `visit` for every grant, in no particular order. */
export function grantSetForEach(set: GrantSet, visit: (grant: StoredGrant) => void): void {
  if (isArraySet(set)) {
    for (const grant of set) visit(grant);
  } else {
    trieForEach(set.byKey, visit);
  }
}

/** Every grant, in no particular order (the array itself for a small set). */
export function grantSetValues(set: GrantSet): readonly StoredGrant[] {
  return isArraySet(set) ? set : trieValues(set.byKey);
}

/** A set of `grants`, whose `key` sides are distinct; built in one pass. */
export function grantSetOf(grants: StoredGrant[], key: GrantSetKey): GrantSet {
  if (grants.length <= ARRAY_MAX) return Object.freeze(grants);
  return keyed(
    trieFromEntries(
      grants.map((grant) => grant[key]),
      grants,
    ),
  );
}

/** The set with `grant` added; its `key` side must not be in the set yet. */
export function grantSetAdd(set: GrantSet | undefined, key: GrantSetKey, grant: StoredGrant): GrantSet {
  if (set === undefined) return Object.freeze([grant]);
  if (!isArraySet(set)) return keyed(trieSet(set.byKey, grant[key], grant));
  if (set.length < ARRAY_MAX) return Object.freeze([...set, grant]);
  return grantSetOf([...set, grant], key);
}

/** The set with `previous` replaced by `next`, which has the same `key` side. */
export function grantSetReplace(set: GrantSet, key: GrantSetKey, previous: StoredGrant, next: StoredGrant): GrantSet {
  if (!isArraySet(set)) return keyed(trieSet(set.byKey, next[key], next));
  const copy = [...set];
  copy[positionOf(set, previous)] = next;
  return Object.freeze(copy);
}

/** The set without `grant`, or `undefined` when it was the last one. */
export function grantSetRemove(set: GrantSet, key: GrantSetKey, grant: StoredGrant): GrantSet | undefined {
  if (!isArraySet(set)) {
    const remaining = trieDelete(set.byKey, grant[key]);
    return trieSize(remaining) < ARRAY_AGAIN ? Object.freeze(trieValues(remaining)) : keyed(remaining);
  }
  if (set.length === 1) return undefined;
  const copy = [...set];
  copy.splice(positionOf(set, grant), 1);
  return Object.freeze(copy);
}

/** Where `grant` (the very object, shared by all three indexes) sits in an array set. */
function positionOf(set: readonly StoredGrant[], grant: StoredGrant): number {
  const position = set.indexOf(grant);
  if (position < 0) throw new Error(`grantpath internal error: grant ${grant.id} is missing from its grant set`);
  return position;
}

function keyed(byKey: TrieNode<StoredGrant>): KeyedGrantSet {
  return Object.freeze({ byKey });
}
