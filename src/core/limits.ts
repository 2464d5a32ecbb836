/**
 * Bounds on one organization's graph, so no input — a chain of departments or composites tens
 * of thousands deep, an organization of tens of millions of entries — can hold the event loop
 * or the heap that serves every other organization. `createGraph` enforces them on the whole
 * input and every write on its result, with a `VALIDATION_ERROR` naming the limit.
 * @module
 */
import { validationError } from "./errors.js";
import type { GraphState } from "./graph-state.js";
import { trieSize } from "./hash-trie.js";

/**
 * Bounds an organization's graph keeps; each is checked by `createGraph` and by every write,
 * which fail with a `VALIDATION_ERROR` whose `details.limit` names the bound.
 *
 * @example
 * ```ts
 * import { createGraph } from "grantpath";
 *
 * const graph = createGraph(input, { limits: { maxDepartmentDepth: 20, maxOrganizationSize: 200_000 } });
 * ```
 */
export interface GraphLimits {
  /** The most departments on one chain from a top department down, itself included (default 100). */
  readonly maxDepartmentDepth?: number;
  /** The most containment steps on one chain of composites down to a slice (default 100). */
  readonly maxCompositeDepth?: number;
  /** The most grants, listed users, declared departments and declared composites, together (default 5,000,000). */
  readonly maxOrganizationSize?: number;
}

/**
 * The limits a graph has when none are given: deep enough for any real organization chart or
 * knowledge hierarchy, small enough that a write's walks stay in the microseconds.
 *
 * @example
 * ```ts
 * DEFAULT_LIMITS.maxDepartmentDepth; // 100
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Required<GraphLimits>> = Object.freeze({
  maxDepartmentDepth: 100,
  maxCompositeDepth: 100,
  maxOrganizationSize: 5_000_000,
});

/** The limits given, checked (each a whole number of at least 1), with the defaults for the rest. */
export function readLimits(value: unknown, field = "limits"): Readonly<Required<GraphLimits>> {
  if (value === undefined || value === null) return DEFAULT_LIMITS;
  if (typeof value !== "object" || Array.isArray(value)) throw validationError(field, `${field} must be an object`);
  const given = value as Record<string, unknown>;
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof GraphLimits)[]) {
    if (!Object.hasOwn(given, key) || given[key] === undefined) continue;
    const bound = given[key];
    if (typeof bound !== "number" || !Number.isSafeInteger(bound) || bound < 1) {
      throw validationError(`${field}.${key}`, `${field}.${key} must be a whole number of at least 1`);
    }
    limits[key] = bound;
  }
  return Object.freeze(limits);
}

/** How many entries the graph holds, as `maxOrganizationSize` counts them. */
export function organizationSize(state: GraphState): number {
  return (
    trieSize(state.grants) + trieSize(state.users) + trieSize(state.departments) + trieSize(state.compositeMembers)
  );
}

/** Throws when the graph holds more than its `maxOrganizationSize`, naming `field`. */
export function checkOrganizationSize(state: GraphState, field: string): void {
  const size = organizationSize(state);
  const max = state.limits.maxOrganizationSize;
  if (size <= max) return;
  throw validationError(
    field,
    `the organization would hold ${size} grants, users, departments and composites; the limit maxOrganizationSize is ${max}`,
    { limit: "maxOrganizationSize", max, size },
  );
}
