import type { AccessLevel } from "./types.js";
import { expectAccessLevel } from "./validate.js";

const RANK: Readonly<Record<AccessLevel, number>> = { read: 1, write: 2, admin: 3 };

/**
 * Orders access levels: negative when `a` is lower than `b`, zero when equal, positive when higher.
 *
 * @throws `AccessError` `VALIDATION_ERROR` (field `a` or `b`) for anything but a level.
 *
 * @example
 * ```ts
 * import { compareAccessLevels } from "grantpath";
 * compareAccessLevels("admin", "read") > 0; // true
 * ```
 */
export function compareAccessLevels(a: AccessLevel, b: AccessLevel): number {
  return RANK[expectAccessLevel(a, "a")] - RANK[expectAccessLevel(b, "b")];
}

/**
 * Whether `level` grants at least `needed` (higher levels imply lower ones).
 *
 * @throws `AccessError` `VALIDATION_ERROR` (field `level` or `needed`) for anything but a level.
 *
 * @example
 * ```ts
 * import { levelSatisfies } from "grantpath";
 * levelSatisfies("write", "read"); // true
 * ```
 */
export function levelSatisfies(level: AccessLevel, needed: AccessLevel): boolean {
  return RANK[expectAccessLevel(level, "level")] >= RANK[expectAccessLevel(needed, "needed")];
}

/** The higher of two levels. */
export function maxLevel(a: AccessLevel, b: AccessLevel): AccessLevel {
  return RANK[a] >= RANK[b] ? a : b;
}
