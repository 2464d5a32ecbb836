/**
 * The inside of an {@link AccessGraph}: one organization's grants, memberships, department
 * forest and composite containment, each kept in hash tries so that a write copies one path
 * per index (see `hash-trie.ts`), plus the closures that let a question touch only what
 * reaches its user or entity.
 * @module
 */
import { deepFreeze } from "./deep-freeze.js";
import { validationError } from "./errors.js";
import { emptyTrie, type TrieNode } from "./hash-trie.js";
import { checkOrganizationSize, DEFAULT_LIMITS, type GraphLimits, organizationSize } from "./limits.js";
import type { AccessLevel } from "./types.js";

/**
 * A grant as stored: the fields every grant has, one frozen object per grant shared by all
 * three grant indexes. The organization is the graph's and the types follow from the ids, so
 * neither is repeated per grant, and the rarer facts sit in `details` so a grant without them
 * costs nothing for them.
 */
export interface StoredGrant {
  readonly id: string;
  /** Its prefix tells the entity type: see `entityTypeOf` in `stored-grant.ts`. */
  readonly entity_id: string;
  /** Its prefix tells the grantee type: see `granteeTypeOf`. */
  readonly grantee_id: string;
  readonly access_level: AccessLevel;
  /** `null` when the grant has no author, timestamps or expiry (typical of a bulk import). */
  readonly details: GrantDetails | null;
}

/** A grant's optional facts, plus its expiry parsed once so resolution never parses dates. */
export interface GrantDetails {
  readonly granted_by: string | null;
  readonly created_at: string | null;
  readonly updated_at: string | null;
  readonly expires_at: string | null;
  /** `expires_at` in epoch milliseconds; `Infinity` when the grant never expires. */
  readonly expires_ms: number;
}

/**
 * The grants of one grantee (keyed by entity id) or on one entity (keyed by grantee id). Most
 * such sets are small, so they are plain arrays: compact, and a write copies a few pointers.
 * A set that grows past a few hundred grants becomes a trie (`byKey`), so a write to it
 * still copies only one path. See `grant-set.ts`.
 */
export type GrantSet = readonly StoredGrant[] | KeyedGrantSet;

/** The large form of a {@link GrantSet}. */
export interface KeyedGrantSet {
  readonly byKey: TrieNode<StoredGrant>;
}

/** A user listed in the graph and their direct memberships. */
export interface StoredUser {
  readonly department_ids: readonly string[];
  readonly role_ids: readonly string[];
}

/** A set of ids, as a trie whose values are all `true`. */
export type IdSet = TrieNode<true>;

/**
 * The graph's fields. Mutable here because they are only ever changed while a graph is being
 * built or on a write's working copy; the graph handed to callers is deeply frozen.
 */
export interface GraphState {
  organization_id: string;
  /** Sorted and unique. */
  owners: readonly string[];
  /**
   * The last `N` handed out as `agrant_auto_N`. It only grows along a graph's writes, so a
   * revoked grant's id is not handed out again; `graphToInput` does not carry it.
   */
  lastAutoId: number;
  /** Grant id → grant. */
  grants: TrieNode<StoredGrant>;
  /** Grantee id → its grants. Ids carry their type prefix, so ids alone are unique keys. */
  grantsByGrantee: TrieNode<GrantSet>;
  /** Entity id → its grants; also enforces one grant per (entity, grantee). */
  grantsByEntity: TrieNode<GrantSet>;
  /** Listed users. */
  users: TrieNode<StoredUser>;
  /** Department id → listed users who are direct members. */
  departmentMembers: TrieNode<IdSet>;
  /** Role id → listed users who hold it. */
  roleMembers: TrieNode<IdSet>;
  /** Declared department id → parent id (`null` for a root). */
  departments: TrieNode<string | null>;
  /** Department id → its direct children (declared departments naming it as parent). Absent when none. */
  departmentChildren: TrieNode<IdSet>;
  /** Declared roles (roles also exist implicitly wherever they are named). */
  roles: IdSet;
  /** Declared composite id → direct member slice ids. */
  compositeMembers: TrieNode<readonly string[]>;
  /** Slice id → composites that directly contain it. */
  compositeParents: TrieNode<readonly string[]>;
  /** The bounds every write and `createGraph` keep (see {@link GraphLimits}). */
  limits: Readonly<Required<GraphLimits>>;
}

declare const accessGraphBrand: unique symbol;

/**
 * One organization's immutable access graph, made by {@link createGraph} and changed only by
 * the pure write functions, each of which returns a new graph and leaves this one as it was.
 * Its inside is private: read it through the query functions.
 *
 * @example
 * ```ts
 * const graph: AccessGraph = createGraph({ organization_id: "org_1" });
 * graph.organization_id; // "org_1"
 * ```
 */
export interface AccessGraph {
  /** The organization this graph describes. */
  readonly organization_id: string;
  /** @internal */
  readonly [accessGraphBrand]: true;
}

/** A graph with no grants, members or structure. */
export function emptyState(
  organizationId: string,
  limits: Readonly<Required<GraphLimits>> = DEFAULT_LIMITS,
): GraphState {
  return {
    organization_id: organizationId,
    owners: [],
    lastAutoId: 0,
    grants: emptyTrie(),
    grantsByGrantee: emptyTrie(),
    grantsByEntity: emptyTrie(),
    users: emptyTrie(),
    departmentMembers: emptyTrie(),
    roleMembers: emptyTrie(),
    departments: emptyTrie(),
    departmentChildren: emptyTrie(),
    roles: emptyTrie(),
    compositeMembers: emptyTrie(),
    compositeParents: emptyTrie(),
    limits,
  };
}

/**
 * Every graph this module made. A graph is recognised by identity, not by its shape: an object
 * spread from a graph (`{ ...graph, owners: ["usr_evil"] }`) or parsed from JSON is not one, so
 * no caller can hand the core a state it did not build. (Graphs from another copy of the library,
 * its CJS build beside its ESM one, say, are not recognised either: use one copy.)
 */
const GRAPHS = new WeakSet<object>();

/** The state behind a graph, after checking it really is one this library made. */
export function stateOf(graph: AccessGraph): GraphState {
  if (typeof graph !== "object" || graph === null || !GRAPHS.has(graph)) {
    throw validationError("graph", "graph must be an AccessGraph made by createGraph or one of its writes");
  }
  return graph as unknown as GraphState;
}

/** Presents a finished state as the public, opaque graph type, and remembers it as a graph. */
export function asGraph(state: GraphState): AccessGraph {
  GRAPHS.add(state);
  return state as unknown as AccessGraph;
}

/**
 * Runs `recipe` on a working copy of the graph's fields and returns the new graph; the old
 * graph is untouched. The tries copy only the frozen nodes on the paths the recipe touches
 * and freeze each copy (see `hash-trie.ts`), so the new graph is the old record with the
 * changed fields swapped in, frozen: one shallow copy. A recipe that changes nothing hands back
 * the old graph itself, and a recipe that throws leaves no trace.
 */
export function writeGraph(graph: AccessGraph, recipe: (working: GraphState) => void): AccessGraph {
  const base = stateOf(graph);
  const working: GraphState = { ...base };
  recipe(working);
  let changed = false;
  for (const field of Object.keys(working) as (keyof GraphState)[]) {
    if (working[field] === base[field]) continue;
    changed = true;
    // Trie nodes and their values are frozen as they are made (hash-trie.ts); this freezes any
    // other new value (such as the owners list) and stops at the shared, frozen parts.
    deepFreeze(working[field]);
  }
  if (!changed) return graph;
  // Only a write that adds entries can pass the size limit.
  if (organizationSize(working) > organizationSize(base)) checkOrganizationSize(working, "organization");
  return asGraph(Object.freeze(working));
}

/** Deeply freezes a freshly built state and presents it as a graph. */
export function freezeGraph(state: GraphState): AccessGraph {
  return asGraph(deepFreeze(state));
}
