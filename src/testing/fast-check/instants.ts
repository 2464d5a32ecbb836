/**
 * Instants: the one generated expiries cluster around, the expiries themselves, and the `at`
 * instants to ask at — exactly at, just before and just after each expiry, where an
 * off-by-one in "active until" shows.
 * @module
 */
import * as fc from "fast-check";

const HOUR = 3_600_000;

/**
 * The instant generated expiries cluster around: 2025-06-15T10:00:00.000Z.
 *
 * @example
 * ```ts
 * new Date(REFERENCE_INSTANT).toISOString(); // "2025-06-15T10:00:00.000Z"
 * ```
 */
export const REFERENCE_INSTANT: number = Date.parse("2025-06-15T10:00:00.000Z");

/**
 * The `expires_at` values generated grants carry: before, at and just after
 * {@link REFERENCE_INSTANT}, in `Z` and offset notation, with and without milliseconds.
 *
 * @example
 * ```ts
 * EXPIRY_CHOICES.includes("2025-06-15T12:00:00.000+02:00"); // true: the reference instant again
 * ```
 */
export const EXPIRY_CHOICES: readonly string[] = Object.freeze([
  new Date(REFERENCE_INSTANT - HOUR).toISOString(),
  new Date(REFERENCE_INSTANT - 1).toISOString(),
  new Date(REFERENCE_INSTANT).toISOString(),
  new Date(REFERENCE_INSTANT + 1).toISOString(),
  new Date(REFERENCE_INSTANT + HOUR).toISOString(),
  "2025-06-15T12:00:00.000+02:00", // the reference instant again
  "2025-06-15T10:00:00+01:00", // one hour before it, without milliseconds
]);

const CRITICAL_INSTANTS = [-2, -1, 0, 1, 2].map((hours) => REFERENCE_INSTANT + hours * HOUR);

/**
 * Instants to ask at: 1 ms before, at and 1 ms after every expiry {@link EXPIRY_CHOICES} can
 * give (and a little beyond), or anywhere within three hours of {@link REFERENCE_INSTANT}.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { instantArbitrary } from "grantpath/testing/fast-check";
 *
 * fc.assert(fc.property(instantArbitrary(), (at) => at instanceof Date));
 * ```
 */
export function instantArbitrary(): fc.Arbitrary<Date> {
  return fc.oneof(
    fc.constantFrom(...CRITICAL_INSTANTS.flatMap((t) => [t - 1, t, t + 1])).map((t) => new Date(t)),
    fc.integer({ min: REFERENCE_INSTANT - 3 * HOUR, max: REFERENCE_INSTANT + 3 * HOUR }).map((t) => new Date(t)),
  );
}
