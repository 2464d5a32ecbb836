/**
 * A user's resolved access, kept per graph for as long as it holds. A graph never changes (a
 * write makes a new one), and an answer about a user on it changes only when a grant reaching
 * them expires ({@link nextExpiryMs}); so an answer asked again on the same graph before then is
 * the one already made. What is kept is frozen, since every caller is handed the same object.
 * @module
 */

import { deepFreeze } from "../core/deep-freeze.js";
import type { AccessGraph, ResolvedAccess } from "../core/index.js";
import { nextExpiryMs } from "../core/next-expiry.js";

/** Answers kept per graph; past this, the graph's answers are dropped and kept afresh. */
const ANSWERS_PER_GRAPH = 256;

/** The largest answer kept, in entities: a larger one costs more to keep than to make. */
const LARGEST_KEPT = 200;

interface Kept {
  readonly answer: ResolvedAccess;
  /** The instant (epoch ms) it was made at: an earlier one may see grants since expired. */
  readonly fromMs: number;
  /** The first instant (epoch ms) it may no longer hold: the next expiry of a grant in it. */
  readonly untilMs: number;
}

/** Resolved answers by graph, then by the question's key. */
export interface ResolvedAnswers {
  /**
   * The answer to `question` about `userId` on `graph` at `at`: the kept one while it holds,
   * otherwise `resolve()`'s, kept when small. `key` names the question's options (type, page).
   * With it, the first instant (epoch ms) it may no longer hold, when known (it is worked out
   * for the answers kept).
   */
  answer<T extends ResolvedAccess>(
    graph: AccessGraph,
    userId: string,
    key: string,
    at: Date,
    resolve: () => T,
  ): { readonly answer: T; readonly untilMs: number | undefined };
}

/** A store of resolved answers; graphs are held weakly, so it never keeps one alive. */
export function resolvedAnswers(): ResolvedAnswers {
  const byGraph = new WeakMap<AccessGraph, Map<string, Kept>>();
  return {
    answer(graph, userId, key, at, resolve) {
      const atMs = at.getTime();
      const fullKey = `${userId}\u0000${key}`;
      let kept = byGraph.get(graph);
      const found = kept?.get(fullKey);
      if (found !== undefined && atMs < found.untilMs && atMs >= found.fromMs) {
        return { answer: found.answer as typeof found.answer & ReturnType<typeof resolve>, untilMs: found.untilMs };
      }
      const made = resolve();
      if (made.entities.length > LARGEST_KEPT) return { answer: made, untilMs: undefined };
      if (kept === undefined) {
        kept = new Map();
        byGraph.set(graph, kept);
      } else if (kept.size >= ANSWERS_PER_GRAPH) {
        kept.clear();
      }
      const entry: Kept = { answer: deepFreeze(made), untilMs: nextExpiryMs(graph, userId, atMs), fromMs: atMs };
      kept.set(fullKey, entry);
      return { answer: made, untilMs: entry.untilMs };
    },
  };
}
