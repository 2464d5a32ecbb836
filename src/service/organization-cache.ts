/**
 * Each organization's graph, kept in memory at a known revision and moved forward along the
 * change log: the service's own writes install the graph they planned, and other instances'
 * commits are read from the log and applied with the core's `applyChanges` (microseconds each).
 * A snapshot is loaded only for an organization not held yet, or when the log has a gap.
 * Reads never wait on another writer and never answer `VERSION_CONFLICT`. Writes to one
 * organization run one at a time in this process; across processes an adapter with
 * `commitLatest` plans each write under the organization's lock (no writer can starve), and
 * one without it is retried on version conflicts. The organizations held are bounded by weight,
 * the least recently used going first.
 * @module
 */

import { organizationNotFound } from "../core/error-constructors.js";
import { storedDataInvalid, validationError } from "../core/errors.js";
import {
  AccessError,
  type AccessGraph,
  applyChanges,
  createGraph,
  type GraphLimits,
  graphSize,
  isAccessError,
} from "../core/index.js";
import type { Commit, CommitOptions, StorageAdapter, StorageChange } from "../storage/storage-adapter.js";

/** A graph and the revision it reflects. */
export interface CachedOrganization {
  readonly revision: number;
  readonly graph: AccessGraph;
}

/** What a write decides on the state it was given: the changes to store, the graph after, and its answer. */
export interface PlannedWrite<T> {
  readonly changes: readonly StorageChange[];
  readonly graph: AccessGraph;
  readonly result: T;
}

/** A write's answer and the revision it committed (the current one, when it changed nothing). */
export interface WriteOutcome<T> {
  readonly result: T;
  readonly revision: number;
}

/** Options of {@link createOrganizationCache}. */
export interface OrganizationCacheOptions {
  readonly storage: StorageAdapter;
  /** How many times, in all, a write is tried on an adapter without `commitLatest`. */
  readonly maxAttempts: number;
  /** The most weight (grants, users, departments and composites, plus a base per organization) held. */
  readonly maxWeight: number;
  /**
   * Called with errors of work nobody awaits (catching up in the background), and with every
   * `STORED_DATA_INVALID`: stored data that fails validation is the operator's to hear about,
   * whoever's request met it.
   */
  readonly onError: (error: unknown) => void;
  /** The bounds every graph is built and kept within. */
  readonly limits: GraphLimits;
}

export interface OrganizationCache {
  /**
   * The organization's graph, at `minRevision` or later when given (reading the log first when
   * it is behind). `RESOURCE_NOT_FOUND` when it does not exist; `VALIDATION_ERROR` naming
   * `min_revision` when that is beyond the organization's current revision.
   */
  read(organizationId: string, minRevision?: number): Promise<CachedOrganization>;
  /**
   * Plans a write on the latest state and commits it. `plan` receives `null` for an organization
   * that does not exist yet (only organization creation accepts that).
   */
  write<T>(
    organizationId: string,
    plan: (current: CachedOrganization | null) => PlannedWrite<T>,
    options: CommitOptions,
  ): Promise<WriteOutcome<T>>;
  /** How many organizations are held and their total weight. */
  held(): { readonly organizations: number; readonly weight: number };
  /** Stops listening to the adapter and forgets every graph. */
  close(): void;
}

/**
 * What an organization weighs besides its grants and directory: measured, a graph with a
 * handful of grants keeps about as much memory as a hundred more grants would add.
 */
const ORGANIZATION_BASE_WEIGHT = 100;
/** Commits read per page when catching up. */
const CATCH_UP_PAGE = 1000;
/** The longest wait before retrying a catch-up that failed (it doubles from 50 ms). */
const MAX_RETRY_DELAY_MS = 5000;

/**
 * Waits a random time that grows with each lost race, so writers that keep colliding spread
 * out instead of colliding again (full jitter, capped at 100 ms).
 */
function backOff(attempt: number): Promise<void> {
  const ceiling = Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** The weight an organization's graph counts for against the bound. */
function weightOf(graph: AccessGraph): number {
  const size = graphSize(graph);
  return ORGANIZATION_BASE_WEIGHT + size.grants + size.users + size.departments + size.composites;
}

/**
 * The state after `commits`, which must follow `from` without a gap (`from` null: an
 * organization that did not exist, so the commits start with its creation). A stored commit
 * that cannot be applied is `STORED_DATA_INVALID`, never the caller's `VALIDATION_ERROR`.
 */
function advance(
  organizationId: string,
  from: CachedOrganization | null,
  commits: readonly Commit[],
  limits: GraphLimits,
): CachedOrganization {
  let revision = from?.revision ?? 0;
  let graph = from?.graph ?? createGraph({ organization_id: organizationId }, { limits });
  for (const commit of commits) {
    if (commit.revision <= revision) continue;
    if (commit.revision !== revision + 1) {
      throw new Error(
        `grantpath: the change log of ${organizationId} jumps from revision ${revision} to ${commit.revision}`,
      );
    }
    try {
      graph = applyChanges(graph, commit.changes);
    } catch (error) {
      throw storedDataInvalid(organizationId, error, { revision: commit.revision });
    }
    revision = commit.revision;
  }
  return { revision, graph };
}

/**
 * The stored organization as a graph. Stored data that fails validation (in `createGraph`, or
 * in the adapter's own decoding), or lies outside the limits, is `STORED_DATA_INVALID`: a 500,
 * not the caller's 422.
 */
async function loadStored(
  storage: StorageAdapter,
  organizationId: string,
  limits: GraphLimits,
): Promise<CachedOrganization | null> {
  const snapshot = await storage.loadOrganization(organizationId);
  if (!snapshot) return null;
  try {
    return { revision: snapshot.revision, graph: createGraph(snapshot.graph, { limits }) };
  } catch (error) {
    throw storedDataInvalid(organizationId, error, { revision: snapshot.revision });
  }
}

export function createOrganizationCache(options: OrganizationCacheOptions): OrganizationCache {
  const { storage, maxAttempts, maxWeight, onError, limits } = options;
  /** Held organizations, least recently used first. */
  const entries = new Map<string, { state: CachedOrganization; weight: number }>();
  let totalWeight = 0;
  /** The newest revision the adapter has announced, for organizations held or being loaded. */
  const announced = new Map<string, number>();
  const loads = new Map<string, Promise<CachedOrganization | null>>();
  const catchUps = new Map<string, Promise<void>>();
  const retryDelays = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();
  let closed = false;
  /** Errors already given to `onError`: one that travels on through a caller that reports too is told once. */
  const reported = new WeakSet<object>();

  /** Tells `onError` once per error; a hook that throws changes nothing and is logged. */
  function report(error: unknown): void {
    if (typeof error === "object" && error !== null) {
      if (reported.has(error)) return;
      reported.add(error);
    }
    try {
      onError(error);
    } catch (hookError) {
      console.error("grantpath: the onError hook threw", hookError, "while reporting", error);
    }
  }

  const stopWatching = storage.watch?.((organizationId, revision) => {
    if (!entries.has(organizationId) && !loads.has(organizationId)) return;
    if (revision > (announced.get(organizationId) ?? 0)) announced.set(organizationId, revision);
    const held = entries.get(organizationId);
    // Deferred, so a commit made here (announced inside `commit`) installs its own graph first.
    if (held && held.state.revision < revision) setTimeout(() => void followInBackground(organizationId), 0);
  });

  function touch(organizationId: string): CachedOrganization | undefined {
    const entry = entries.get(organizationId);
    if (!entry) return undefined;
    entries.delete(organizationId);
    entries.set(organizationId, entry);
    return entry.state;
  }

  /** Holds `state` unless a newer one is held already; then keeps the bound. */
  function install(organizationId: string, state: CachedOrganization): CachedOrganization {
    const previous = entries.get(organizationId);
    if (previous && previous.state.revision >= state.revision) return previous.state;
    if (closed) return state;
    const weight = weightOf(state.graph);
    totalWeight += weight - (previous?.weight ?? 0);
    entries.delete(organizationId);
    entries.set(organizationId, { state, weight });
    for (const [id, entry] of entries) {
      // The organization just installed stays, even when it alone is over the bound.
      if (totalWeight <= maxWeight || id === organizationId) break;
      forget(id, entry.weight);
    }
    return state;
  }

  function forget(organizationId: string, weight: number): void {
    entries.delete(organizationId);
    announced.delete(organizationId);
    retryDelays.delete(organizationId);
    totalWeight -= weight;
  }

  async function load(organizationId: string): Promise<CachedOrganization | null> {
    let stored: CachedOrganization | null;
    try {
      stored = await loadStored(storage, organizationId, limits);
    } catch (error) {
      if (isAccessError(error, "STORED_DATA_INVALID")) report(error);
      throw error;
    }
    if (!stored) return null;
    const state = install(organizationId, stored);
    // A commit announced while the snapshot was read may be missing from it.
    if ((announced.get(organizationId) ?? 0) > state.revision) void followInBackground(organizationId);
    return state;
  }

  /** The held state, or the snapshot loaded once however many ask at the same time. */
  function current(organizationId: string): Promise<CachedOrganization | null> {
    const held = touch(organizationId);
    if (held) return Promise.resolve(held);
    let loading = loads.get(organizationId);
    if (!loading) {
      loading = load(organizationId).finally(() => loads.delete(organizationId));
      loads.set(organizationId, loading);
    }
    return loading;
  }

  /** Forgets the held state and loads a snapshot: the log had a gap, or could not be applied. */
  async function reload(organizationId: string): Promise<CachedOrganization | null> {
    const entry = entries.get(organizationId);
    if (entry) forget(organizationId, entry.weight);
    return current(organizationId);
  }

  /**
   * Reads and applies the log until the held state is the organization's current revision.
   * One at a time per organization: callers that come meanwhile share the run under way, and a
   * run that starts after the last one read everything returns at once.
   */
  function follow(organizationId: string): Promise<void> {
    const running = catchUps.get(organizationId);
    if (running) return running.then(() => follow(organizationId));
    const run = readLog(organizationId).finally(() => catchUps.delete(organizationId));
    catchUps.set(organizationId, run);
    return run;
  }

  async function readLog(organizationId: string): Promise<void> {
    for (;;) {
      const held = entries.get(organizationId)?.state;
      if (!held) return;
      let page: Awaited<ReturnType<StorageAdapter["readChanges"]>>;
      try {
        page = await storage.readChanges(organizationId, held.revision, CATCH_UP_PAGE);
      } catch (error) {
        if (!isAccessError(error, "CHANGES_EXPIRED")) throw error;
        await reload(organizationId);
        return;
      }
      if (page === null) {
        const entry = entries.get(organizationId);
        if (entry) forget(organizationId, entry.weight);
        return;
      }
      // A write here may have moved the held state on while the page was read.
      const now = entries.get(organizationId)?.state ?? held;
      try {
        install(organizationId, advance(organizationId, now, page.items, limits));
      } catch (error) {
        // Stored changes that cannot be applied are ours to report; the snapshot may still load.
        report(error);
        await reload(organizationId);
        return;
      }
      if (!page.has_more) return;
    }
  }

  /** Catches up for a notification; on failure, reports it and tries again later while still behind. */
  async function followInBackground(organizationId: string): Promise<void> {
    try {
      await follow(organizationId);
      retryDelays.delete(organizationId);
    } catch (error) {
      report(error);
      const delay = Math.min(MAX_RETRY_DELAY_MS, (retryDelays.get(organizationId) ?? 25) * 2);
      retryDelays.set(organizationId, delay);
      const timer = setTimeout(() => {
        const held = entries.get(organizationId)?.state;
        if (!closed && held && held.revision < (announced.get(organizationId) ?? 0)) {
          void followInBackground(organizationId);
        }
      }, delay);
      (timer as { unref?: () => void }).unref?.();
    }
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

  /** A write on an adapter with `commitLatest`: planned under the organization's lock, once. */
  async function writeLatest<T>(
    organizationId: string,
    plan: (current: CachedOrganization | null) => PlannedWrite<T>,
    commitOptions: CommitOptions,
    commitLatest: NonNullable<StorageAdapter["commitLatest"]>,
  ): Promise<WriteOutcome<T>> {
    for (let attempt = 1; ; attempt++) {
      const start = await current(organizationId);
      let base = start;
      let planned: PlannedWrite<T> | null = null;
      try {
        const revision = await commitLatest.call(
          storage,
          organizationId,
          start?.revision ?? 0,
          (missed) => {
            base = missed.length === 0 ? base : advance(organizationId, base, missed, limits);
            planned = plan(base);
            return planned.changes;
          },
          commitOptions,
        );
        const decided = planned as PlannedWrite<T> | null;
        if (decided === null) throw new Error(`grantpath: ${storage.name}'s commitLatest did not call the plan`);
        if (decided.changes.length === 0) {
          if (base) install(organizationId, base);
          return { result: decided.result, revision };
        }
        install(organizationId, { revision, graph: decided.graph });
        return { result: decided.result, revision };
      } catch (error) {
        // What the plan saw is committed state, whatever became of the write.
        if (base && base !== start) install(organizationId, base);
        // A missed commit that cannot be applied is reported, and the write starts again from
        // a snapshot, as catching up does (a snapshot that fails too is the caller's 500).
        if (isAccessError(error, "STORED_DATA_INVALID")) {
          report(error);
          if (attempt >= maxAttempts) throw error;
          await reload(organizationId);
          continue;
        }
        // The log no longer reaches back to what we hold, or a concurrent creation won: start afresh.
        const expired = isAccessError(error, "CHANGES_EXPIRED");
        if (!expired && !isAccessError(error, "VERSION_CONFLICT")) throw error;
        // A write that keeps finding the log trimmed under it lost a race to the trimmer: that
        // is a conflict to its caller (who may retry), not a change feed answer.
        if (attempt >= maxAttempts) {
          throw expired
            ? new AccessError("VERSION_CONFLICT", { organization_id: organizationId }, { cause: error })
            : error;
        }
        await reload(organizationId);
      }
    }
  }

  /** A write on an adapter with only `commit`: planned on the latest state read, retried on conflicts. */
  async function writeOptimistic<T>(
    organizationId: string,
    plan: (current: CachedOrganization | null) => PlannedWrite<T>,
    commitOptions: CommitOptions,
  ): Promise<WriteOutcome<T>> {
    for (let attempt = 1; ; attempt++) {
      // Without a lock to plan under, plan on the newest state the log shows.
      if (entries.has(organizationId)) await follow(organizationId);
      const state = await current(organizationId);
      const planned = plan(state);
      const known = state?.revision ?? 0;
      if (planned.changes.length === 0) return { result: planned.result, revision: known };
      try {
        const revision = await storage.commit(organizationId, known, planned.changes, commitOptions);
        install(organizationId, { revision, graph: planned.graph });
        return { result: planned.result, revision };
      } catch (error) {
        if (!isAccessError(error, "VERSION_CONFLICT") || attempt >= maxAttempts) throw error;
        await backOff(attempt);
      }
    }
  }

  return {
    async read(organizationId, minRevision) {
      let found = await current(organizationId);
      if (!found) throw organizationNotFound(organizationId);
      // A commit the adapter has announced is one this instance has heard of: answer with it.
      // Should the log not be readable now, the state held still answers (and the error is reported).
      if ((announced.get(organizationId) ?? 0) > found.revision && minRevision === undefined) {
        await follow(organizationId).catch(report);
        found = entries.get(organizationId)?.state ?? found;
      }
      if (minRevision !== undefined && minRevision > found.revision) {
        await follow(organizationId);
        found = entries.get(organizationId)?.state ?? (await current(organizationId));
        if (!found) throw organizationNotFound(organizationId);
        if (minRevision > found.revision) {
          throw validationError(
            "min_revision",
            `min_revision ${minRevision} is beyond the organization's current revision ${found.revision}`,
            { revision: found.revision },
          );
        }
      }
      return found;
    },

    write(organizationId, plan, commitOptions) {
      return exclusive(organizationId, () => {
        const commitLatest = storage.commitLatest;
        return commitLatest
          ? writeLatest(organizationId, plan, commitOptions, commitLatest)
          : writeOptimistic(organizationId, plan, commitOptions);
      });
    },

    held() {
      return { organizations: entries.size, weight: totalWeight };
    },

    close() {
      closed = true;
      stopWatching?.();
      entries.clear();
      announced.clear();
      retryDelays.clear();
      totalWeight = 0;
    },
  };
}
