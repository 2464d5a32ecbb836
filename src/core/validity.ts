/**
 * How long an answer holds (docs/spec.md §11): each path's `expires_at`, each entity's (or
 * user's) `valid_until` — the instant its level would first drop — and the answer's
 * `next_change_at`, the earliest expiry of any path in it. Added to an answer only when asked
 * (`validity: true`), so default answers keep their shape.
 * @module
 */
import { expiresMs } from "./grant-index.js";
import type { GraphState } from "./graph-state.js";
import { trieGet } from "./hash-trie.js";
import type { AccessLevel, GrantPath, ResolvedAccess, UsersWithAccess } from "./types.js";

/** An instant as the answers give it, or `null` for never. */
function instantText(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The expiry of the grant a path comes from, in epoch ms (`Infinity` for never). */
function pathExpiryMs(state: GraphState, path: GrantPath): number {
  const grant = trieGet(state.grants, path.grant_id);
  return grant === undefined ? Number.POSITIVE_INFINITY : expiresMs(grant);
}

/** A group of paths (one entity's, or one user's) with validity added. */
export interface PathsWithValidity {
  readonly grant_paths: GrantPath[];
  readonly valid_until: string | null;
  /** The earliest expiry among the paths (epoch ms; `Infinity` for none). */
  readonly earliestMs: number;
}

/**
 * Adds `expires_at` to each path, and says until when `level` holds: the latest expiry among
 * the paths at that level (`null` if one of them never expires), since the level drops only
 * when every path giving it has lapsed.
 */
export function pathsWithValidity(
  state: GraphState,
  level: AccessLevel,
  paths: readonly GrantPath[],
): PathsWithValidity {
  let earliestMs = Number.POSITIVE_INFINITY;
  let levelUntilMs = Number.NEGATIVE_INFINITY;
  const grant_paths = paths.map((path) => {
    const ms = pathExpiryMs(state, path);
    if (ms < earliestMs) earliestMs = ms;
    if (path.access_level === level && ms > levelUntilMs) levelUntilMs = ms;
    return { ...path, expires_at: instantText(ms) };
  });
  return { grant_paths, valid_until: instantText(levelUntilMs), earliestMs };
}

/** The answer's `next_change_at` from its groups' earliest expiries. */
export function nextChangeAt(earliest: Iterable<number>): string | null {
  let ms = Number.POSITIVE_INFINITY;
  for (const each of earliest) if (each < ms) ms = each;
  return instantText(ms);
}

/** A resolved answer (whole or a page) with validity on every entity and path. */
export function resolvedWithValidity<T extends ResolvedAccess>(state: GraphState, answer: T): T {
  const earliest: number[] = [];
  const entities = answer.entities.map((entity) => {
    const valid = pathsWithValidity(state, entity.access_level, entity.grant_paths);
    earliest.push(valid.earliestMs);
    return { ...entity, grant_paths: valid.grant_paths, valid_until: valid.valid_until };
  });
  return { ...answer, entities, next_change_at: nextChangeAt(earliest) };
}

/** A users-with-access answer (whole or a page) with validity on every user and path. */
export function usersWithValidity<T extends UsersWithAccess>(state: GraphState, answer: T): T {
  const earliest: number[] = [];
  const users = answer.users.map((user) => {
    const valid = pathsWithValidity(state, user.access_level, user.grant_paths);
    earliest.push(valid.earliestMs);
    return { ...user, grant_paths: valid.grant_paths, valid_until: valid.valid_until };
  });
  return { ...answer, users, next_change_at: nextChangeAt(earliest) };
}
