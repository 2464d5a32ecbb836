/** What the contenders are compared on: the level of every entity a user reaches. */
import type { AccessLevel, EntityType, GrantInput, GraphInput, ResolvedAccess } from "../../src/index.js";

/** Entity key (`type id`) → effective level. */
export type Levels = Map<string, AccessLevel>;

export const LEVEL_RANK: Readonly<Record<AccessLevel, number>> = { read: 0, write: 1, admin: 2 };

export const entityKey = (type: EntityType, id: string): string => `${type} ${id}`;

export function raise(levels: Levels, key: string, level: AccessLevel): void {
  const current = levels.get(key);
  if (current === undefined || LEVEL_RANK[level] > LEVEL_RANK[current]) levels.set(key, level);
}

export function levelsOf(resolved: ResolvedAccess): Levels {
  const levels: Levels = new Map();
  for (const e of resolved.entities) levels.set(entityKey(e.entity_type, e.entity_id), e.access_level);
  return levels;
}

export function sameLevels(a: Levels, b: Levels): boolean {
  if (a.size !== b.size) return false;
  for (const [key, level] of a) if (b.get(key) !== level) return false;
  return true;
}

/** Grants active at `at`: the contenders have no notion of expiry, so they get these only. */
export function activeGrants(input: GraphInput, at: Date): GrantInput[] {
  return (input.grants ?? []).filter(
    (g) => g.expires_at === undefined || g.expires_at === null || at.getTime() < Date.parse(g.expires_at),
  );
}

/** Every user listed, plus every grantee of a user grant (as usersWithAccess considers them). */
export function candidateUsers(input: GraphInput): string[] {
  const ids = new Set<string>();
  for (const user of input.users ?? []) ids.add(user.id);
  for (const grant of input.grants ?? []) if (grant.grantee_type === "user") ids.add(grant.grantee_id);
  return [...ids];
}

/** composite id → every slice reachable from it by containment (not itself). */
export function containment(input: GraphInput): Map<string, string[]> {
  const members = new Map<string, readonly string[]>();
  for (const c of input.composites ?? []) members.set(c.id, c.member_slice_ids);
  const closure = new Map<string, string[]>();
  for (const id of members.keys()) {
    const reached = new Set<string>();
    const stack = [id];
    for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
      for (const m of members.get(current) ?? []) {
        if (!reached.has(m)) {
          reached.add(m);
          stack.push(m);
        }
      }
    }
    reached.delete(id);
    closure.set(id, [...reached]);
  }
  return closure;
}
