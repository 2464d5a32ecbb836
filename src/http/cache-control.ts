/**
 * `Cache-Control` on the answers that can say how long they hold (docs/spec.md §11): resolved
 * access and checks. The service reports when an answer next changes by itself (a grant in it
 * expires); the header never lets a cache keep it past that instant, nor longer than the
 * handler's `cacheMaxAgeSeconds`, since a write can change it sooner.
 * @module
 */
import { validationError } from "../core/errors.js";

/** Collects the next change the service reports for one request, and makes the header. */
export interface CacheTracker {
  readonly onNextChange: (nextChangeAt: Date | null) => void;
  /** The `Cache-Control` header for an answer made at `now`. */
  headers(now: Date): Record<string, string>;
}

/** A tracker for one request; `maxAgeSeconds` is the handler's bound. */
export function trackCaching(maxAgeSeconds: number): CacheTracker {
  let next: Date | null | undefined;
  return {
    onNextChange: (nextChangeAt) => {
      next = nextChangeAt;
    },
    headers(now) {
      let seconds = maxAgeSeconds;
      if (next !== undefined && next !== null) {
        // Rounded down: a cache may keep the answer only while it is certainly still true.
        seconds = Math.min(seconds, Math.max(0, Math.floor((next.getTime() - now.getTime()) / 1000)));
      }
      return { "cache-control": `private, max-age=${seconds}` };
    },
  };
}

/** Reads the handler's `cacheMaxAgeSeconds`: a whole number of seconds, default 0. */
export function cacheMaxAgeOption(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw validationError("cacheMaxAgeSeconds", "cacheMaxAgeSeconds must be a whole number of seconds, 0 or more");
  }
  return value;
}

/** What `include=` may ask for. */
const INCLUDES = ["validity"] as const;

/** Reads the `include` query parameter (`include=validity`): what extras the answer carries. */
export function includeOf(value: unknown): { readonly validity: boolean } {
  if (value === undefined) return { validity: false };
  const asked = typeof value === "string" ? value.split(",").map((part) => part.trim()) : [];
  const unknown = asked.filter((part) => !(INCLUDES as readonly string[]).includes(part));
  if (typeof value !== "string" || unknown.length > 0) {
    throw validationError("include", `include may list: ${INCLUDES.join(", ")}`);
  }
  return { validity: asked.includes("validity") };
}
