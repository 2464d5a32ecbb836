/**
 * What every group of the service's operations shares: the storage, the held graphs, the clock
 * and the two ways an operation meets an organization — reading its state, and writing a
 * planned change to it — plus the small helpers their answers use.
 * @module
 */
import { organizationNotFound } from "../core/error-constructors.js";
import type { AccessGraph, GraphLimits } from "../core/index.js";
import { expectObject, type UntrustedObject } from "../core/validate.js";
import type { StorageAdapter } from "../storage/storage-adapter.js";
import type { CallOptions } from "./access-control-types.js";
import type { CachedOrganization, OrganizationCache, PlannedWrite } from "./organization-cache.js";

/** The service's shared parts, made once by `createAccessControl`. */
export interface ServiceContext {
  readonly storage: StorageAdapter;
  readonly cache: OrganizationCache;
  readonly limits: Readonly<Required<GraphLimits>>;
  /** A new grant id (`agrant_*`). */
  readonly newGrantId: () => string;
  /** The service's clock; a plain Error once the service is closed. */
  now(): Date;
  /** A plain Error once the service is closed (a programming error, not an access decision). */
  ensureOpen(): void;
  /** The organization's state for a read, at the caller's `minRevision` or later. */
  read(organizationId: string, call: CallOptions): Promise<CachedOrganization>;
  /** Commits a planned write and tells the caller the revision it made. */
  write<T>(
    organizationId: string,
    plan: (current: CachedOrganization | null) => PlannedWrite<T>,
    call: CallOptions,
  ): Promise<T>;
}

/** The graph of an organization that must exist. */
export function requireOrganization(current: CachedOrganization | null, organizationId: string): AccessGraph {
  if (!current) throw organizationNotFound(organizationId);
  return current.graph;
}

/** Tells the caller the revision an answer was computed on, and passes the answer through. */
export function answer<T>(call: CallOptions, revision: number, value: T): T {
  call.onRevision?.(revision);
  return value;
}

/** An operation's query object, its own fields only (`{}` when absent). */
export function queryObject(query: unknown): UntrustedObject {
  return query === undefined || query === null ? {} : expectObject(query, "query");
}
