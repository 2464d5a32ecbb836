/**
 * The floor: hand back a fresh copy of an answer computed ahead. No resolver can spend less
 * than this, since it has to produce an answer of that size that the caller owns.
 *
 * The copy is `JSON.parse` of the answer serialised ahead of time. It is the cheaper of the
 * honest options: `structuredClone` walks the object graph twice (serialise, then deserialise)
 * on every call, as does a `JSON.parse(JSON.stringify(…))` round trip, while this does its
 * serialisation once, ahead, and per call only parses. Measured on `medium` (50 answers, node
 * 20): structuredClone 4.5 ms, JSON round trip 4.8 ms, parse of the stored text 2.1–2.5 ms. It stays
 * honest because the parse still allocates every object and string of a fresh answer; the
 * answer is plain JSON data (the spec fixes its shape to JSON), so nothing is lost.
 */
import type { ResolvedAccess } from "../../src/index.js";

export interface Floor {
  readonly resolve: (userId: string) => ResolvedAccess;
}

export function buildFloor(answers: ReadonlyMap<string, ResolvedAccess>): Floor {
  const stored = new Map<string, string>();
  for (const [user, answer] of answers) stored.set(user, JSON.stringify(answer));
  return {
    resolve(userId) {
      const text = stored.get(userId);
      if (text === undefined) throw new Error(`the floor holds no answer for ${userId}`);
      return JSON.parse(text) as ResolvedAccess;
    },
  };
}
