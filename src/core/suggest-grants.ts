/**
 * The nearest grants that would allow a denied check (docs/spec.md §11): every (grantee,
 * target) pair where one grant at the needed level would reach the user on the entity.
 * @module
 */
import { compositeContainers } from "./composite-containment.js";
import { departmentParent } from "./department-forest.js";
import { type AccessGraph, stateOf } from "./graph-state.js";
import { userMemberships } from "./memberships.js";
import { queryEntity, queryUser } from "./query-arguments.js";
import type { EntityType, GranteeType, GrantSuggestion } from "./types.js";

export type { GrantSuggestion } from "./types.js";

/**
 * Ids reached from `start` by `next`, breadth first: nearest first, and within one distance in
 * code-unit order; each once.
 */
function nearestFirst(start: readonly string[], next: (id: string) => readonly string[] | string | null): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  let frontier = [...new Set(start)].sort();
  while (frontier.length > 0) {
    const following = new Set<string>();
    for (const id of frontier) {
      if (seen.has(id)) continue;
      seen.add(id);
      found.push(id);
      const after = next(id);
      if (after === null) continue;
      for (const nextId of typeof after === "string" ? [after] : after) if (!seen.has(nextId)) following.add(nextId);
    }
    frontier = [...following].sort();
  }
  return found;
}

/**
 * Every place one grant would let `userId` act on the entity, nearest first: to the user, then
 * to each of their departments from the nearest up (their own, then parents, grandparents, …),
 * then to each of their roles; and for each grantee, on the entity itself before the composites
 * that contain it (a knowledge slice's), nearest first. Within one distance, ids are in
 * code-unit order. Whatever the level the check needs, a grant at that level on any of these
 * pairs allows it (an existing lower grant on the pair would be raised).
 *
 * @throws {@link AccessError} `VALIDATION_ERROR` for a malformed id or type.
 */
export function suggestGrants(
  graph: AccessGraph,
  userId: string,
  entityType: EntityType,
  entityId: string,
): GrantSuggestion[] {
  const state = stateOf(graph);
  const user = queryUser(userId);
  const entity = queryEntity(entityType, entityId);
  const memberships = userMemberships(state, user);
  const grantees: { grantee_type: GranteeType; grantee_id: string }[] = [{ grantee_type: "user", grantee_id: user }];
  for (const id of nearestFirst(memberships.department_ids, (id) => departmentParent(state, id))) {
    grantees.push({ grantee_type: "department", grantee_id: id });
  }
  for (const id of [...new Set(memberships.role_ids)].sort()) grantees.push({ grantee_type: "role", grantee_id: id });
  const targets =
    entity.entityType === "knowledge_slice"
      ? nearestFirst([entity.entityId], (id) => compositeContainers(state, id))
      : [entity.entityId];
  const suggestions: GrantSuggestion[] = [];
  for (const grantee of grantees) {
    for (const target of targets) suggestions.push({ ...grantee, entity_type: entity.entityType, entity_id: target });
  }
  return suggestions;
}
