/**
 * Telling a database that cannot be reached, or does not answer in time, from every other
 * failure: those become `STORAGE_UNAVAILABLE` (503, the caller may retry), everything else is
 * left as it is.
 * @module
 */
import pg from "pg";
import { storageUnavailable } from "../../core/error-constructors.js";

/** Node socket errors that mean the server is not reachable. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs that mean "not now": connection exceptions (class 08), the server shutting down or
 * starting (57P01–57P03), a statement cancelled by `statement_timeout` (57014), a lock not taken
 * in time (55P03) and too many connections (53300).
 */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "57014", "55P03", "53300"]);

/** The messages node-postgres gives for its own timeouts and lost connections. */
const DRIVER_MESSAGES = [
  "Query read timeout",
  "timeout exceeded when trying to connect",
  "Connection terminated",
  "Client has encountered a connection error",
  "Client was closed and is not queryable",
];

/** Whether `error` says the database could not be reached or did not answer in time. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    return error.code !== undefined && (error.code.startsWith("08") || UNAVAILABLE_STATES.has(error.code));
  }
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && SOCKET_CODES.has(code)) return true;
  return DRIVER_MESSAGES.some((message) => error.message.includes(message));
}

/**
 * Runs `operation`, turning an unreachable or stalled database into `STORAGE_UNAVAILABLE` with
 * the original error as `cause`; any other error passes through unchanged.
 */
export async function unlessUnavailable<T>(operation: () => Promise<T>, what: string): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    throw storageUnavailable("postgres", what, error);
  }
}
