/**
 * The embedded default adapter: organizations in memory, for tests, demos, edge workers and
 * single-process services that can rebuild their state at start.
 * @module
 */
import { organizationNotFound, versionConflict } from "../core/error-constructors.js";
import type { GraphInput } from "../core/index.js";
import { ownOptions } from "../core/validate.js";
import { checkBatch } from "./change-batch.js";
import { changeListeners } from "./change-listeners.js";
import { ageCutoff, type ChangeRetention, changesExpired, checkRetention, trimmedByCount } from "./change-log.js";
import { filterEntries, matchesFilter } from "./grant-filter.js";
import { revokedAtOf, wireTimestamp } from "./grant-records.js";
import { seedOrganizations } from "./initial-organizations.js";
import {
  applyStoredChange,
  emptyState,
  type OrganizationState,
  stateFromSeed,
  stateToGraph,
} from "./organization-state.js";
import type {
  ChangeListener,
  ChangePage,
  Commit,
  CommitOptions,
  CommitPlan,
  GrantFilter,
  GrantPage,
  GrantRecord,
  OrganizationSnapshot,
  PageRequest,
  StorageAdapter,
  StorageChange,
} from "./storage-adapter.js";

/**
 * Options of {@link memoryStorage}.
 *
 * @example
 * ```ts
 * const options: MemoryStorageOptions = { initial: [{ organization_id: "org_acme", owners: ["usr_owner1"] }] };
 * ```
 */
export interface MemoryStorageOptions {
  /**
   * Organizations to start with, each validated like `createGraph` input. Grants without
   * timestamps get the time the storage was created; grants without an id get `agrant_auto_N`.
   */
  readonly initial?: readonly GraphInput[];
  /** The clock that dates seeded grants without timestamps, and commits. Default: the system clock. */
  readonly clock?: () => Date;
  /** How much of each organization's change log to keep. Default: all of it. */
  readonly changeRetention?: ChangeRetention;
}

interface MemoryOrganization {
  revision: number;
  /** The directory and every grant ever made, revoked ones included, in insertion order. */
  readonly state: OrganizationState;
  /** The change log: every commit after `logStart`, oldest first (frozen copies). */
  readonly log: Commit[];
  /** The newest revision trimmed from the log (0: the log reaches back to the start). */
  logStart: number;
}

/**
 * Creates the in-memory adapter. Each instance is its own database: two services given the same
 * instance share it (and hear each other's changes through `watch`), as two processes would
 * share a real database.
 *
 * @throws {@link AccessError} `VALIDATION_ERROR` when an initial organization is invalid or
 *   appears twice (`initial[i]…`).
 *
 * @example
 * ```ts
 * import { createAccessControl, memoryStorage } from "grantpath";
 *
 * const accessControl = createAccessControl({
 *   storage: memoryStorage({ initial: [{ organization_id: "org_acme", owners: ["usr_owner1"] }] }),
 * });
 * ```
 */
export function memoryStorage(given: MemoryStorageOptions = {}): StorageAdapter {
  // Only the options the caller gave: nothing another library put on Object.prototype.
  const options = ownOptions(given, "options");
  const organizations = new Map<string, MemoryOrganization>();
  const listeners = changeListeners("memory");
  const clock = options.clock ?? (() => new Date());
  const retention = checkRetention(options.changeRetention);
  seed(organizations, options.initial ?? [], clock());

  /** Applies a checked batch as the next revision, logs it, trims the log and tells listeners. */
  function store(
    organizationId: string,
    existing: MemoryOrganization | undefined,
    changes: readonly StorageChange[],
    commitOptions: CommitOptions | undefined,
  ): number {
    const actualRevision = existing?.revision ?? 0;
    const org = existing ?? startOrganization(organizationId, changes);
    // Every change is checked first; applying checked changes cannot fail, so the batch
    // lands whole or not at all.
    checkBatch(changes, actualRevision);
    const logged = changes.map((change) => applyStoredChange(org.state, change));
    org.revision = actualRevision + 1;
    org.log.push(
      Object.freeze({
        revision: org.revision,
        committed_at: commitOptions?.committed_at ?? wireTimestamp(clock()),
        changes: Object.freeze(logged),
      }),
    );
    organizations.set(organizationId, org);
    applyRetention(org);
    listeners.tell(organizationId, org.revision);
    return org.revision;
  }

  function applyRetention(org: MemoryOrganization): void {
    let through = trimmedByCount(retention, org.revision);
    const cutoff = ageCutoff(retention, clock());
    if (cutoff !== null) {
      for (const commit of org.log) if (commit.committed_at < cutoff) through = Math.max(through, commit.revision);
    }
    trim(org, through);
  }

  function trim(org: MemoryOrganization, throughRevision: number): void {
    const through = Math.min(throughRevision, org.revision);
    if (through <= org.logStart) return;
    org.log.splice(0, through - org.logStart);
    org.logStart = through;
  }

  /** Every commit after `since`; `CHANGES_EXPIRED` when the log does not reach back that far. */
  function commitsSince(organizationId: string, org: MemoryOrganization, since: number): readonly Commit[] {
    if (since < org.logStart) throw changesExpired(organizationId, since, org.logStart + 1);
    return org.log.slice(Math.max(0, since - org.logStart));
  }

  return {
    name: "memory",

    loadOrganization(organizationId: string): OrganizationSnapshot | null {
      const org = organizations.get(organizationId);
      return org ? { revision: org.revision, graph: stateToGraph(organizationId, org.state) } : null;
    },

    commit(
      organizationId: string,
      expectedRevision: number,
      changes: readonly StorageChange[],
      commitOptions?: CommitOptions,
    ): number {
      const existing = organizations.get(organizationId);
      const actualRevision = existing?.revision ?? 0;
      if (actualRevision !== expectedRevision) throw versionConflict(organizationId, expectedRevision, actualRevision);
      return store(organizationId, existing, changes, commitOptions);
    },

    commitLatest(
      organizationId: string,
      knownRevision: number,
      plan: CommitPlan,
      commitOptions?: CommitOptions,
    ): number {
      const existing = organizations.get(organizationId);
      const actualRevision = existing?.revision ?? 0;
      if (actualRevision < knownRevision) throw versionConflict(organizationId, knownRevision, actualRevision);
      const missed = existing ? commitsSince(organizationId, existing, knownRevision) : [];
      const changes = plan(missed);
      if (changes.length === 0) return actualRevision;
      return store(organizationId, existing, changes, commitOptions);
    },

    readChanges(organizationId: string, since: number, limit: number): ChangePage | null {
      const org = organizations.get(organizationId);
      if (!org) return null;
      const after = commitsSince(organizationId, org, since);
      const items = after.slice(0, limit);
      return { items, revision: org.revision, has_more: items.length < after.length };
    },

    trimChanges(organizationId: string, throughRevision: number): number {
      const org = organizations.get(organizationId);
      if (!org) throw organizationNotFound(organizationId);
      trim(org, throughRevision);
      return org.logStart + 1;
    },

    getGrant(organizationId: string, grantId: string): GrantRecord | null {
      return organizations.get(organizationId)?.state.grants.get(grantId) ?? null;
    },

    listGrants(organizationId: string, filter: GrantFilter, page: PageRequest): GrantPage {
      const org = organizations.get(organizationId);
      if (!org) return { items: [], total: 0 };
      const entries = filterEntries(filter);
      const matching = [...org.state.grants.values()].filter(
        (grant) => revokedAtOf(grant) === undefined && matchesFilter(grant, entries),
      );
      matching.sort(compareListed);
      return { items: matching.slice(page.skip, page.skip + page.limit), total: matching.length };
    },

    watch(listener: ChangeListener): () => void {
      const stop = listeners.add(listener);
      return () => {
        stop();
      };
    },

    close(): void {
      listeners.clear();
    },
  };
}

/**
 * Listing order: `created_at`, then `id` (code-unit order).
 *
 * @example
 * ```ts
 * records.sort(compareListed); // created_at, then id
 * ```
 */
export function compareListed(a: GrantRecord, b: GrantRecord): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function startOrganization(organizationId: string, changes: readonly StorageChange[]): MemoryOrganization {
  if (changes[0]?.type !== "create_organization") throw organizationNotFound(organizationId);
  return { revision: 0, state: emptyState(), log: [], logStart: 0 };
}

function seed(organizations: Map<string, MemoryOrganization>, initial: readonly GraphInput[], seededAt: Date): void {
  for (const organization of seedOrganizations(initial, seededAt)) {
    // A seed is a snapshot, not a commit: the organization starts at revision 1 with a log that
    // begins after it (readers since 0 are told to load the snapshot).
    organizations.set(organization.graph.organization_id, {
      revision: 1,
      state: stateFromSeed(organization),
      log: [],
      logStart: 1,
    });
  }
}
