/**
 * Revisions over HTTP (docs/spec.md §8): the `Grantpath-Revision` header on every 2xx answer
 * about an organization, and the `min_revision` query parameter of every read.
 * @module
 */
import { validationError } from "../core/errors.js";
import type { CallOptions } from "../service/index.js";

/** The response header naming the revision an answer was computed on, or a write committed. */
export const REVISION_HEADER = "Grantpath-Revision";

/** The query parameter that asks a read to reflect at least this revision. */
export const MIN_REVISION_PARAMETER = "min_revision";

/** The service call options of one request, and the revision the service reported. */
export interface RevisionTracker {
  /** What the route passes to the service, last. */
  readonly call: CallOptions;
  /** The headers of a 2xx answer: the revision, when the service reported one. */
  headers(): Record<string, string>;
}

/** Tracks the revision the service reports for one request, asking for `minRevision` when given. */
export function trackRevision(minRevision: number | undefined): RevisionTracker {
  let revision: number | undefined;
  const onRevision = (reported: number): void => {
    revision = reported;
  };
  return {
    call: minRevision === undefined ? { onRevision } : { minRevision, onRevision },
    headers: () => (revision === undefined ? {} : { [REVISION_HEADER]: String(revision) }),
  };
}

/**
 * Takes `min_revision` out of a read's query (the service's queries do not know it) and checks
 * it: a whole number of at least 0. Whether the organization has reached it is the service's to
 * say. The query holds digit strings already read as numbers (see `readQuery`).
 */
export function takeMinRevision(query: Readonly<Record<string, unknown>>): {
  readonly query: Readonly<Record<string, unknown>>;
  readonly minRevision: number | undefined;
} {
  const { [MIN_REVISION_PARAMETER]: given, ...rest } = query;
  if (given === undefined) return { query, minRevision: undefined };
  if (typeof given !== "number" || !Number.isSafeInteger(given) || given < 0) {
    throw validationError(
      MIN_REVISION_PARAMETER,
      `${MIN_REVISION_PARAMETER} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  return { query: rest, minRevision: given === 0 ? 0 : given }; // `-0` reads as 0
}
