/**
 * The listeners of an adapter's `watch`, kept one way by every adapter: each is told of every
 * change, and one that throws neither fails the commit that told it, nor keeps the others from
 * hearing it, nor takes the process down — its error is reported, not lost.
 * @module
 */
import type { ChangeListener } from "./storage-adapter.js";

/**
 * The listeners of one adapter.
 *
 * @example
 * ```ts
 * const listeners = changeListeners("my-store");
 * const stop = listeners.add((organizationId, revision) => console.log(organizationId, revision));
 * listeners.tell("org_acme", 7);
 * stop();
 * ```
 */
export interface ChangeListeners {
  /** Adds a listener; returns the function that removes it (`true` when it was there). */
  add(listener: ChangeListener): () => boolean;
  /** Tells every listener, each in a guard of its own. */
  tell(organizationId: string, revision: number): void;
  /** How many listen. */
  readonly size: number;
  /** Removes them all. */
  clear(): void;
}

/**
 * Makes the listener set of an adapter named `adapterName` (the name appears in the report of a
 * listener that throws).
 *
 * @example
 * ```ts
 * const listeners = changeListeners("my-store");
 * const adapter = { watch: (listener) => listeners.add(listener), … };
 * ```
 */
export function changeListeners(adapterName: string): ChangeListeners {
  const listeners = new Set<ChangeListener>();
  return {
    add(listener) {
      // A wrapper per call: the same function watching twice is told twice, and stops once each.
      const entry: ChangeListener = (organizationId, revision) => listener(organizationId, revision);
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    tell(organizationId, revision) {
      for (const listener of [...listeners]) {
        try {
          listener(organizationId, revision);
        } catch (error) {
          console.error(`grantpath: a ${adapterName} storage listener threw on ${organizationId} r${revision}`, error);
        }
      }
    },
    get size() {
      return listeners.size;
    },
    clear() {
      listeners.clear();
    },
  };
}
