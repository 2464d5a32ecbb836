/**
 * Telling D1's failures apart: a database that is unreachable, restarting or overloaded becomes
 * `STORAGE_UNAVAILABLE` (503, the caller may retry); the failure of one of the statements that
 * guard a commit's revision means another writer committed first (`VERSION_CONFLICT`); anything
 * else is left as it is.
 * @module
 */
import { storageUnavailable } from "../../core/error-constructors.js";

/**
 * The messages of D1's transient errors: those Cloudflare's documentation says to retry (a lost
 * network connection, the database object reset or restarting, overloaded, a storage timeout).
 */
const UNAVAILABLE =
  /Network connection lost|object to be reset|reset because its code was updated|is overloaded|transient issue|exceeded timeout|Too many requests queued|client disconnected/i;

/**
 * The constraints a commit's first statements break when the organization is not at the revision
 * the writer expected: the new revision computed as NULL (the revision moved, or the organization
 * is missing), the organization created already, or its revision logged already.
 */
const REVISION_GUARD =
  /(NOT NULL|UNIQUE) constraint failed: (organizations\.(id|version)|changes\.(organization_id|revision))\b/;

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** Whether `error` says D1 could not be reached or did not answer in time. */
export function isUnavailable(error: unknown): boolean {
  return UNAVAILABLE.test(messageOf(error));
}

/** Whether `error` is a commit's revision guard failing: another writer got there first. */
export function isRevisionGuard(error: unknown): boolean {
  return REVISION_GUARD.test(messageOf(error));
}

/**
 * Runs `operation`, turning an unreachable or overloaded database into `STORAGE_UNAVAILABLE`
 * with the original error as `cause`; any other error passes through unchanged.
 */
export async function unlessUnavailable<T>(operation: () => Promise<T>, what: string): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    throw storageUnavailable("d1", what, error);
  }
}
