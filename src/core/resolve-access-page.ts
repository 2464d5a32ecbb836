/**
 * One page of `resolveAccess`: the same entities, levels and paths the whole answer has at those
 * positions, built in two passes so that a page costs what it holds. The first pass only collects
 * the ids the user reaches (for `total`, and to choose the page); the second builds the paths of
 * the page's entities, asking each slice which composites contain it. A user reached through a
 * composite of 100,000 slices thus gets 20 of them with paths, not 100,000.
 * @module
 */
import { pageInfo, pageKeys } from "./answer-pages.js";
import { compositeAncestors, compositeDescendants, compositeMembers } from "./composite-containment.js";
import { isActive } from "./grant-index.js";
import { compositePath, finishPaths, ownPath, type Reach } from "./grant-paths.js";
import { grantSetValues } from "./grant-set.js";
import type { GraphState, StoredGrant } from "./graph-state.js";
import { trieGet } from "./hash-trie.js";
import type { PageWindow } from "./query-arguments.js";
import { entityTypeOf } from "./stored-grant.js";
import {
  ENTITY_TYPES,
  type EntityType,
  type GrantPath,
  type ResolvedAccessPage,
  type ResolvedEntity,
} from "./types.js";
import { userGrantees } from "./user-grantees.js";

/** An active grant that reaches the user, and how. */
interface Reaching {
  readonly grant: StoredGrant;
  readonly reach: Reach;
}

/** The page of a user's resolution; the arguments are already validated. */
export function resolveAccessPage(
  state: GraphState,
  user_id: string,
  filter: EntityType | undefined,
  atMs: number,
  page: PageWindow,
): ResolvedAccessPage {
  // Entity id → the grants on it that reach the user (ids carry their type's prefix, so one map
  // serves every type); composite id → the same, for the grants whose paths fan out from it.
  const onEntity = new Map<string, Reaching[]>();
  const onComposite = new Map<string, Reaching[]>();
  const ownIds: Record<EntityType, Set<string>> = {
    assistant: new Set(),
    knowledge_slice: new Set(),
    vector_store: new Set(),
  };
  // Composite id → the slices it reaches, walked once however many grants are on it.
  const fanOut = new Map<string, readonly string[]>();
  for (const { grantee_id, reach } of userGrantees(state, user_id)) {
    const set = trieGet(state.grantsByGrantee, grantee_id);
    if (!set) continue;
    for (const grant of grantSetValues(set)) {
      const type = entityTypeOf(grant);
      // Composite paths land on knowledge slices only, so a filter can skip other types whole.
      if ((filter !== undefined && type !== filter) || !isActive(grant, atMs)) continue;
      const reaching = { grant, reach };
      addTo(onEntity, grant.entity_id, reaching);
      ownIds[type].add(grant.entity_id);
      if (type !== "knowledge_slice" || compositeMembers(state, grant.entity_id).length === 0) continue;
      if (!fanOut.has(grant.entity_id)) fanOut.set(grant.entity_id, compositeDescendants(state, grant.entity_id));
      addTo(onComposite, grant.entity_id, reaching);
    }
  }

  const { total, keys } = pageKeys(
    ENTITY_TYPES.map((type) =>
      type === "knowledge_slice" ? sliceIds(state, ownIds.knowledge_slice, fanOut) : [...ownIds[type]],
    ),
    page,
  );
  const entities: ResolvedEntity[] = [];
  ENTITY_TYPES.forEach((entity_type, index) => {
    for (const entity_id of keys[index] ?? []) {
      const paths: GrantPath[] = [];
      for (const { grant, reach } of onEntity.get(entity_id) ?? []) paths.push(ownPath(grant, reach));
      if (entity_type === "knowledge_slice" && onComposite.size > 0) {
        for (const compositeId of compositeAncestors(state, entity_id)) {
          const reaching = onComposite.get(compositeId);
          if (reaching) for (const { grant, reach } of reaching) paths.push(compositePath(grant, reach));
        }
      }
      entities.push({ entity_type, entity_id, ...finishPaths(paths) });
    }
  });
  return { user_id, entities, ...pageInfo(total, page, entities.length) };
}

/**
 * Every slice the user reaches, each once: those granted, and those the granted composites
 * reach. One composite (the usual way to reach thousands of slices) gives its slices as they
 * are, already distinct, and only the few granted slices are looked up; several are merged in a
 * set.
 */
function sliceIds(state: GraphState, granted: Set<string>, fanOut: ReadonlyMap<string, readonly string[]>): string[] {
  const only = fanOut.size === 1 ? fanOut.entries().next().value : undefined;
  if (only !== undefined) {
    const [compositeId, reached] = only;
    const ids = [...reached];
    for (const sliceId of granted) if (!compositeAncestors(state, sliceId).includes(compositeId)) ids.push(sliceId);
    return ids;
  }
  const ids = new Set(granted);
  for (const reached of fanOut.values()) for (const sliceId of reached) ids.add(sliceId);
  return [...ids];
}

function addTo(map: Map<string, Reaching[]>, key: string, value: Reaching): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
