/**
 * What every adapter's change log shares: the retention option, the `CHANGES_EXPIRED` error,
 * and the arithmetic of trimming (which revisions a retention lets go).
 * @module
 */
import { AccessError, validationError } from "../core/errors.js";
import { ownOptions } from "../core/validate.js";
import { wireTimestamp } from "./grant-records.js";

/**
 * How much of each organization's change log an adapter keeps. The default keeps everything;
 * with a bound, each commit trims the oldest commits past it. A reader asking for changes since a
 * trimmed revision gets `CHANGES_EXPIRED` and starts again from a snapshot.
 *
 * @example
 * ```ts
 * const retention: ChangeRetention = { maxCommits: 10_000, maxAgeMs: 7 * 24 * 3_600_000 }; // whichever trims more
 * ```
 */
export interface ChangeRetention {
  /** Keep at most this many of an organization's newest commits (≥ 1). */
  readonly maxCommits?: number;
  /** Drop commits older than this many milliseconds, by `committed_at` (≥ 1). */
  readonly maxAgeMs?: number;
}

/**
 * The retention option, checked: each bound a whole number of at least 1, or absent.
 *
 * @example
 * ```ts
 * const retention = checkRetention(options.changeRetention); // {} keeps every commit
 * ```
 */
export function checkRetention(retention: ChangeRetention | undefined): ChangeRetention {
  if (retention === undefined) return {};
  if (typeof retention !== "object" || retention === null) {
    throw validationError("changeRetention", "changeRetention must be an object");
  }
  const given = ownOptions(retention, "changeRetention");
  for (const key of ["maxCommits", "maxAgeMs"] as const) {
    const value = given[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      throw validationError(`changeRetention.${key}`, `changeRetention.${key} must be a whole number of at least 1`);
    }
  }
  return { ...given };
}

/** Whether a retention trims anything at all. */
export function retains(retention: ChangeRetention): boolean {
  return retention.maxCommits !== undefined || retention.maxAgeMs !== undefined;
}

/**
 * The newest revision a count bound lets go after a commit made `revision`: everything up to it
 * goes (0 when nothing does).
 */
export function trimmedByCount(retention: ChangeRetention, revision: number): number {
  return retention.maxCommits === undefined ? 0 : Math.max(0, revision - retention.maxCommits);
}

/** The `committed_at` before which an age bound lets commits go, or `null` without one. */
export function ageCutoff(retention: ChangeRetention, now: Date): string | null {
  if (retention.maxAgeMs === undefined) return null;
  return wireTimestamp(new Date(now.getTime() - retention.maxAgeMs));
}

/**
 * The `CHANGES_EXPIRED` answer for a reader whose `since` the log no longer reaches:
 * `oldest_revision` is the oldest commit the log holds, so `since` must be at least one less.
 *
 * @example
 * ```ts
 * if (since < logStart) throw changesExpired(organizationId, since, logStart + 1);
 * ```
 */
export function changesExpired(organizationId: string, since: number, oldestRevision: number): AccessError {
  return new AccessError(
    "CHANGES_EXPIRED",
    { organization_id: organizationId, since, oldest_revision: oldestRevision },
    {
      message: `The change log of ${organizationId} starts at revision ${oldestRevision}; changes since ${since} are gone. Load a snapshot and follow the log from its revision.`,
    },
  );
}
