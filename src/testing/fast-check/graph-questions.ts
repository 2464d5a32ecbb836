/**
 * Whom and what to ask about a generated graph: every user and entity it names, plus one of
 * each it never names, so the empty answers are asked about too.
 * @module
 */
import type { EntityType, GraphInput } from "../../core/types.js";

/**
 * A user id no generated graph names (the pools never hold the token `nobody`): nothing reaches
 * them, so every answer about them is empty.
 *
 * @example
 * ```ts
 * resolveAccess(createGraph(input), UNNAMED_USER_ID).entities; // []
 * ```
 */
export const UNNAMED_USER_ID = "usr_nobody";

/**
 * Every user worth asking about in `input`: each listed user, each user grantee (listed or
 * not), then {@link UNNAMED_USER_ID}, each once, in that order.
 *
 * @example
 * ```ts
 * import { userIdsToAsk } from "grantpath/testing/fast-check";
 *
 * for (const userId of userIdsToAsk(input)) check(resolveAccess(graph, userId, { at }));
 * ```
 */
export function userIdsToAsk(input: GraphInput): string[] {
  const ids = new Set<string>();
  for (const user of input.users ?? []) ids.add(user.id);
  for (const grant of input.grants ?? []) if (grant.grantee_type === "user") ids.add(grant.grantee_id);
  ids.add(UNNAMED_USER_ID);
  return [...ids];
}

/**
 * An entity to ask about.
 *
 * @example
 * ```ts
 * const entity: EntityToAsk = { entity_type: "knowledge_slice", entity_id: "kslice_a" };
 * ```
 */
export interface EntityToAsk {
  /** The entity's type. */
  readonly entity_type: EntityType;
  /** The entity's id. */
  readonly entity_id: string;
}

/**
 * Every entity worth asking about in `input`: each granted entity, each composite and each of
 * its members, then one knowledge slice the graph never names (`kslice_nothing`), each once.
 *
 * @example
 * ```ts
 * import { entitiesToAsk } from "grantpath/testing/fast-check";
 *
 * for (const { entity_type, entity_id } of entitiesToAsk(input)) usersWithAccess(graph, entity_type, entity_id, { at });
 * ```
 */
export function entitiesToAsk(input: GraphInput): EntityToAsk[] {
  const seen = new Map<string, EntityToAsk>();
  const add = (entity_type: EntityType, entity_id: string): void => {
    const key = `${entity_type} ${entity_id}`;
    if (!seen.has(key)) seen.set(key, { entity_type, entity_id });
  };
  for (const grant of input.grants ?? []) add(grant.entity_type, grant.entity_id);
  for (const composite of input.composites ?? []) {
    add("knowledge_slice", composite.id);
    for (const member of composite.member_slice_ids) add("knowledge_slice", member);
  }
  add("knowledge_slice", "kslice_nothing");
  return [...seen.values()];
}
