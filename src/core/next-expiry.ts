/**
 * When a user's resolved access next changes by itself: the earliest expiry among the grants
 * active now that reach them. Before that instant, resolving the same graph for the same user
 * answers the same (a grant inactive now stays inactive; nothing starts later). The service uses
 * it to keep answers for as long as they hold.
 * @module
 */
import { expiresMs, isActive } from "./grant-index.js";
import { grantSetValues } from "./grant-set.js";
import { type AccessGraph, stateOf } from "./graph-state.js";
import { trieGet } from "./hash-trie.js";
import { userGrantees } from "./user-grantees.js";

/**
 * The earliest `expires_at` (epoch milliseconds) among the grants active at `atMs` that reach
 * `userId` by any path, `Infinity` when none of them expires. Every answer about the user on
 * `graph` (each entity type, each page) stays the same from `atMs` until then. `userId` must be
 * valid (the caller has checked it); the cost follows the grants that reach the user.
 */
export function nextExpiryMs(graph: AccessGraph, userId: string, atMs: number): number {
  const state = stateOf(graph);
  let earliest = Number.POSITIVE_INFINITY;
  for (const { grantee_id } of userGrantees(state, userId)) {
    const set = trieGet(state.grantsByGrantee, grantee_id);
    if (!set) continue;
    for (const grant of grantSetValues(set)) {
      if (isActive(grant, atMs)) earliest = Math.min(earliest, expiresMs(grant));
    }
  }
  return earliest;
}
