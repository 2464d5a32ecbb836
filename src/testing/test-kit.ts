/**
 * Small deterministic stand-ins for the service's clock and id source, so tests of your own
 * authorization logic give the same answers on every run.
 * @module
 */

/**
 * A clock you move by hand.
 *
 * @example
 * ```ts
 * const clock: ManualClock = manualClock("2025-06-15T10:00:00Z");
 * clock.set("2026-01-01T00:00:00Z");
 * ```
 */
export interface ManualClock {
  /** The current instant; pass `clock.now` as `createAccessControl({ clock })`. */
  readonly now: () => Date;
  /** Moves the clock forward (or back, with a negative number) by `ms` milliseconds. */
  advance(ms: number): void;
  /** Sets the clock to an instant. */
  set(instant: Date | string): void;
}

/**
 * A clock that stands still at `start` until you move it.
 *
 * @example
 * ```ts
 * import { createAccessControl, memoryStorage } from "grantpath";
 * import { manualClock } from "grantpath/testing";
 *
 * const clock = manualClock("2025-06-15T10:00:00Z");
 * const accessControl = createAccessControl({ storage: memoryStorage(), clock: clock.now });
 * clock.advance(60_000); // one minute later
 * ```
 */
export function manualClock(start: Date | string = "2025-06-15T10:00:00Z"): ManualClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new TypeError(`manualClock: not a date: ${String(start)}`);
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
    set(instant) {
      const next = new Date(instant).getTime();
      if (Number.isNaN(next)) throw new TypeError(`manualClock: not a date: ${String(instant)}`);
      current = next;
    },
  };
}

/**
 * Grant ids `agrant_test0001`, `agrant_test0002`, … in order, for predictable snapshots.
 *
 * @example
 * ```ts
 * import { createAccessControl, memoryStorage } from "grantpath";
 * import { sequentialIds } from "grantpath/testing";
 *
 * const accessControl = createAccessControl({ storage: memoryStorage(), ids: sequentialIds() });
 * ```
 */
export function sequentialIds(prefix = "agrant_test"): () => string {
  let counter = 0;
  return () => `${prefix}${String(++counter).padStart(4, "0")}`;
}
