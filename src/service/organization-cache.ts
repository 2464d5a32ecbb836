/**
 * Each organization's graph, kept in memory and current: the service's own writes are applied
 * to it incrementally, and it is dropped when the adapter reports that someone else changed the
 * organization. Writes to one organization run one at a time in this process; across processes
 * the adapter's version check decides, and a lost race is retried on fresh state.
 * @module
 */
import { AccessError, type AccessGraph, createGraph } from "../core/index.js";
import type { StorageAdapter, StorageChange } from "../storage/storage-adapter.js";

/** A graph and the storage version it reflects. */
export interface CachedOrganization {
  readonly version: number;
  readonly graph: AccessGraph;
}

/** What a write decides on the state it was given: the changes to store, the graph after, and its answer. */
export interface PlannedWrite<T> {
  readonly changes: readonly StorageChange[];
  readonly graph: AccessGraph;
  readonly result: T;
}

export interface OrganizationCache {
  /** The organization's current graph; `RESOURCE_NOT_FOUND` when it does not exist. */
  read(organizationId: string): Promise<CachedOrganization>;
  /**
   * Plans a write on the current state and commits it; on a version conflict, plans again on
   * reloaded state, at most `maxAttempts` times. `plan` receives `null` for an organization that
   * does not exist yet (only organization creation accepts that).
   */
  write<T>(organizationId: string, plan: (current: CachedOrganization | null) => PlannedWrite<T>): Promise<T>;
  /** Stops listening to the adapter and forgets every graph. */
  close(): void;
}

export function organizationNotFound(organizationId: string): AccessError {
  return new AccessError(
    "RESOURCE_NOT_FOUND",
    { organization_id: organizationId },
    { message: `Organization ${organizationId} was not found.`, system_message: "Organization not found" },
  );
}

/**
 * Waits a random time that grows with each lost race, so writers that keep colliding spread
 * out instead of colliding again (full jitter, capped at 100 ms).
 */
function backOff(attempt: number): Promise<void> {
  const ceiling = Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

export function createOrganizationCache(storage: StorageAdapter, maxAttempts: number): OrganizationCache {
  const graphs = new Map<string, CachedOrganization>();
  /** The newest version the adapter has announced per organization. */
  const announced = new Map<string, number>();
  const loads = new Map<string, Promise<CachedOrganization | null>>();
  const queues = new Map<string, Promise<unknown>>();

  const stopWatching = storage.watch?.((organizationId, version) => {
    if (version > (announced.get(organizationId) ?? 0)) announced.set(organizationId, version);
    const cached = graphs.get(organizationId);
    if (cached && cached.version < version) graphs.delete(organizationId);
  });

  async function loadFresh(organizationId: string): Promise<CachedOrganization | null> {
    // A change announced while we loaded means the snapshot may be stale: load again.
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const snapshot = await storage.loadOrganization(organizationId);
      if (!snapshot) return null;
      if (snapshot.version < (announced.get(organizationId) ?? 0)) continue;
      const loaded = { version: snapshot.version, graph: createGraph(snapshot.graph) };
      const cached = graphs.get(organizationId);
      if (!cached || cached.version < loaded.version) graphs.set(organizationId, loaded);
      return graphs.get(organizationId) ?? loaded;
    }
    throw new AccessError("VERSION_CONFLICT", { organization_id: organizationId });
  }

  async function current(organizationId: string): Promise<CachedOrganization | null> {
    const cached = graphs.get(organizationId);
    if (cached) return cached;
    let loading = loads.get(organizationId);
    if (!loading) {
      loading = loadFresh(organizationId).finally(() => loads.delete(organizationId));
      loads.set(organizationId, loading);
    }
    return loading;
  }

  /**
   * Plans on the cached state. An adapter without `watch` cannot tell us that state is stale, so
   * a plan that would not reach the adapter — a rejection, or a no-op — is made once more on
   * freshly loaded state before it stands: a grant another process just created must not be
   * "not found", and a membership it just removed must not look present.
   */
  async function planOnCurrent<T>(
    organizationId: string,
    plan: (current: CachedOrganization | null) => PlannedWrite<T>,
  ): Promise<PlannedWrite<T> & { version: number }> {
    const fromCache = storage.watch === undefined && graphs.has(organizationId);
    const state = await current(organizationId);
    if (fromCache) {
      try {
        const planned = plan(state);
        if (planned.changes.length > 0) return { ...planned, version: state?.version ?? 0 };
      } catch (error) {
        if (!(error instanceof AccessError)) throw error;
      }
      graphs.delete(organizationId);
    }
    const fresh = fromCache ? await current(organizationId) : state;
    return { ...plan(fresh), version: fresh?.version ?? 0 };
  }

  function exclusive<T>(organizationId: string, task: () => Promise<T>): Promise<T> {
    const previous = queues.get(organizationId) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(organizationId, settled);
    void settled.then(() => {
      if (queues.get(organizationId) === settled) queues.delete(organizationId);
    });
    return run;
  }

  return {
    async read(organizationId) {
      const found = await current(organizationId);
      if (!found) throw organizationNotFound(organizationId);
      return found;
    },

    write(organizationId, plan) {
      return exclusive(organizationId, async () => {
        for (let attempt = 1; ; attempt++) {
          const planned = await planOnCurrent(organizationId, plan);
          if (planned.changes.length === 0) return planned.result;
          try {
            const version = await storage.commit(organizationId, planned.version, planned.changes);
            // Someone may have committed after us and announced it already: then our graph is stale.
            if (version >= (announced.get(organizationId) ?? 0))
              graphs.set(organizationId, { version, graph: planned.graph });
            else graphs.delete(organizationId);
            return planned.result;
          } catch (error) {
            if (!(error instanceof AccessError && error.code === "VERSION_CONFLICT") || attempt >= maxAttempts) {
              throw error;
            }
            graphs.delete(organizationId);
            await backOff(attempt);
          }
        }
      });
    },

    close() {
      stopWatching?.();
      graphs.clear();
      announced.clear();
    },
  };
}
