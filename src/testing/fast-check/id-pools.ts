/**
 * The ids generated graphs are made of: small pools per kind of id, so that shared grantees,
 * shared departments and colliding slices are common, seeded with tokens that break naive code
 * (`__proto__`, `constructor`, `toString` as object keys; `B` before `a` in code-unit order but
 * not in locale order; `-` and `_`).
 * @module
 */
import { ID_PREFIXES, type IdKind } from "../../core/ids.js";

/**
 * Tokens that catch common mistakes, in the order pools use them: prototype keys, case pairs
 * whose code-unit order differs from locale order, and the punctuation ids may hold.
 *
 * @example
 * ```ts
 * ADVERSARIAL_ID_TOKENS.includes("__proto__"); // true
 * ```
 */
export const ADVERSARIAL_ID_TOKENS: readonly string[] = Object.freeze([
  "a",
  "__proto__",
  "B",
  "constructor",
  "b",
  "toString",
  "c-1",
  "d_2",
  "hasOwnProperty",
  "Z",
  "valueOf",
  "e",
]);

/**
 * Options of {@link idPool}.
 *
 * @example
 * ```ts
 * const options: IdPoolOptions = { adversarial: false };
 * ```
 */
export interface IdPoolOptions {
  /** Start from {@link ADVERSARIAL_ID_TOKENS} (default `true`); `false` gives plain `n0`, `n1`, … tokens only. */
  readonly adversarial?: boolean | undefined;
}

/**
 * `size` distinct, valid ids of one kind (docs/spec.md §1): the kind's prefix and, by default,
 * {@link ADVERSARIAL_ID_TOKENS} first, then `n0`, `n1`, …. The same arguments always give the
 * same pool.
 *
 * @example
 * ```ts
 * import { idPool } from "grantpath/testing/fast-check";
 *
 * idPool("user", 3); // ["usr_a", "usr___proto__", "usr_B"]
 * idPool("department", 2, { adversarial: false }); // ["dept_n0", "dept_n1"]
 * ```
 */
export function idPool(kind: IdKind, size: number, options: IdPoolOptions = {}): string[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`idPool: size must be a whole number ≥ 0`);
  const tokens = options.adversarial === false ? [] : ADVERSARIAL_ID_TOKENS.slice(0, size);
  for (let i = 0; tokens.length < size; i++) tokens.push(`n${i}`);
  return tokens.map((token) => `${ID_PREFIXES[kind]}${token}`);
}
