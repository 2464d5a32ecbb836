/**
 * Building the three grant indexes of a new graph in one pass. Inserting a million grants
 * one at a time would copy trie paths a million times, and even grouping them with `Map`s
 * costs more than the rest of the build; instead the grants are grouped by id, entity and
 * grantee with {@link groupKeys}, and each index is then built whole.
 * @module
 */
import { type AccessError, validationError } from "./errors.js";
import { pairTaken } from "./grant-index.js";
import { grantSetOf } from "./grant-set.js";
import type { GrantSet, GraphState, StoredGrant } from "./graph-state.js";
import { type TrieNode, trieFromOrdered } from "./hash-trie.js";
import { groupKeys, type KeyGroups } from "./key-groups.js";
import type { StoredGrantDraft } from "./stored-grant.js";

/** Above this many grants on one entity, finding a repeated grantee uses a `Map`, not a scan. */
const SCAN_MAX = 16;

/**
 * The first conflict among `grants[0..count)` in input order: a grant whose id an earlier
 * grant has, or whose (entity, grantee) pair an earlier grant holds. At the same grant, the
 * reused id is reported, as a one-at-a-time build would.
 */
export function firstConflict(
  grants: readonly StoredGrantDraft[],
  count: number = grants.length,
): AccessError | undefined {
  const group = (side: "id" | "entity_id" | "grantee_id") =>
    groupKeys(
      grants.map((grant) => grant[side]),
      count,
    );
  return conflictIn(grants, group("id"), group("entity_id"), group("grantee_id"));
}

function conflictIn(
  grants: readonly StoredGrantDraft[],
  ids: KeyGroups,
  entities: KeyGroups,
  grantees: KeyGroups,
): AccessError | undefined {
  let reusedAt = Number.POSITIVE_INFINITY;
  let reusedFrom = 0;
  if (ids.count < ids.order.length) {
    forEachGroup(ids, (order, start, end) => {
      if (end - start > 1 && (order[start + 1] as number) < reusedAt) {
        reusedAt = order[start + 1] as number;
        reusedFrom = order[start] as number;
      }
    });
  }

  // Grantees are compared by group number: cheaper than comparing their id strings.
  const granteeOf = groupNumbers(grantees);
  let pairAt = Number.POSITIVE_INFINITY;
  let pairFrom = 0;
  forEachGroup(entities, (order, start, end) => {
    if (end - start === 1) return;
    const repeat = firstRepeatedGrantee(granteeOf, order, start, end);
    if (repeat !== undefined && repeat.at < pairAt) ({ at: pairAt, from: pairFrom } = repeat);
  });

  if (reusedAt <= pairAt && reusedAt !== Number.POSITIVE_INFINITY) {
    const field = `grants[${reusedAt}].id`;
    return validationError(field, `${field} ${grants[reusedAt]?.id} duplicates grants[${reusedFrom}].id`);
  }
  if (pairAt === Number.POSITIVE_INFINITY) return undefined;
  return pairTaken(grants[pairAt] as StoredGrant, grants[pairFrom] as StoredGrant, `grants[${pairAt}]`);
}

/** Each item's group number. */
function groupNumbers(groups: KeyGroups): Uint32Array {
  const numbers = new Uint32Array(groups.order.length);
  let group = 0;
  forEachGroup(groups, (order, start, end) => {
    for (let i = start; i < end; i++) numbers[order[i] as number] = group;
    group++;
  });
  return numbers;
}

/** In one entity's grants (input order), the first whose grantee an earlier one names. */
function firstRepeatedGrantee(
  granteeOf: Uint32Array,
  order: Uint32Array,
  start: number,
  end: number,
): { at: number; from: number } | undefined {
  if (end - start <= SCAN_MAX) {
    for (let j = start + 1; j < end; j++) {
      const grantee = granteeOf[order[j] as number];
      for (let i = start; i < j; i++) {
        if (granteeOf[order[i] as number] === grantee) return { at: order[j] as number, from: order[i] as number };
      }
    }
    return undefined;
  }
  const seen = new Map<number, number>();
  for (let j = start; j < end; j++) {
    const index = order[j] as number;
    const grantee = granteeOf[index] as number;
    const from = seen.get(grantee);
    if (from !== undefined) return { at: index, from };
    seen.set(grantee, index);
  }
  return undefined;
}

/**
 * Freezes the grants and stores the three indexes in `state`, whose grant indexes must be
 * empty; throws the first conflict among them ({@link firstConflict}). Every grant is given
 * the entity and grantee id strings of the first grant naming them, so a million grants
 * share one copy of each id.
 */
export function writeGrantIndexes(state: GraphState, grants: StoredGrantDraft[]): void {
  const idStrings = grants.map((grant) => grant.id);
  const ids = groupKeys(idStrings);
  const byEntity = groupKeys(grants.map((grant) => grant.entity_id));
  const byGrantee = groupKeys(grants.map((grant) => grant.grantee_id));
  const conflict = conflictIn(grants, ids, byEntity, byGrantee);
  if (conflict) throw conflict;
  forEachGroup(byEntity, (order, start, end) => {
    const id = (grants[order[start] as number] as StoredGrantDraft).entity_id;
    for (let i = start + 1; i < end; i++) (grants[order[i] as number] as StoredGrantDraft).entity_id = id;
  });
  forEachGroup(byGrantee, (order, start, end) => {
    const id = (grants[order[start] as number] as StoredGrantDraft).grantee_id;
    for (let i = start + 1; i < end; i++) (grants[order[i] as number] as StoredGrantDraft).grantee_id = id;
  });
  const frozen: readonly StoredGrant[] = grants.map((grant) => Object.freeze(grant));

  // Ids are distinct now, so the id groups are single grants, already in trie order.
  state.grants = trieFromOrdered(ids.order, idStrings, frozen, ids.hashes);
  state.grantsByEntity = indexOfGroups(frozen, byEntity, "entity_id", "grantee_id");
  state.grantsByGrantee = indexOfGroups(frozen, byGrantee, "grantee_id", "entity_id");
}

/** A trie from each group's id to the frozen set of its grants; groups come in trie order. */
function indexOfGroups(
  grants: readonly StoredGrant[],
  groups: KeyGroups,
  groupedBy: "entity_id" | "grantee_id",
  setKey: "entity_id" | "grantee_id",
): TrieNode<GrantSet> {
  const keys: string[] = [];
  const sets: GrantSet[] = [];
  const hashes = new Int32Array(groups.count);
  const inOrder = new Uint32Array(groups.count);
  forEachGroup(groups, (order, start, end) => {
    const members = new Array<StoredGrant>(end - start);
    for (let i = start; i < end; i++) members[i - start] = grants[order[i] as number] as StoredGrant;
    inOrder[keys.length] = keys.length;
    hashes[keys.length] = groups.hashes[order[start] as number] as number;
    keys.push((members[0] as StoredGrant)[groupedBy]);
    sets.push(Object.freeze(grantSetOf(members, setKey)));
  });
  return trieFromOrdered(inOrder, keys, sets, hashes);
}

function forEachGroup(groups: KeyGroups, visit: (order: Uint32Array, start: number, end: number) => void): void {
  const { order, starts } = groups;
  for (let g = 0; g < groups.count; g++) visit(order, starts[g] as number, starts[g + 1] as number);
}
