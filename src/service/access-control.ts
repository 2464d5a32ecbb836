/**
 * The grant-management service of docs/spec.md §6–§9 over a storage adapter: the wiring. The
 * operations live in their own files (grants, directory, access questions, change feed) over
 * one {@link ServiceContext}: the storage, the held graphs, the clock, and the two ways an
 * operation meets an organization, reading its state and writing a planned change to it.
 * @module
 */
import { validationError } from "../core/errors.js";
import { readLimits } from "../core/limits.js";
import { ownOptions } from "../core/validate.js";
import { wireTimestamp } from "../storage/grant-records.js";
import type { StorageAdapter } from "../storage/storage-adapter.js";
import type { AccessControl, AccessControlOptions } from "./access-control-types.js";
import { accessQuestions } from "./access-questions.js";
import { changeFeed } from "./change-feed.js";
import { directoryOperations } from "./directory-operations.js";
import { randomGrantId } from "./grant-ids.js";
import { grantOperations } from "./grant-operations.js";
import { createOrganizationCache } from "./organization-cache.js";
import type { ServiceContext } from "./service-context.js";
import { whatIf } from "./what-if.js";

/** The storage option, checked to be an adapter (an object with the contract's required methods). */
function storageArg(value: unknown): StorageAdapter {
  const adapter = value as Partial<StorageAdapter> | null | undefined;
  const required = ["loadOrganization", "commit", "readChanges", "trimChanges", "getGrant", "listGrants"] as const;
  if (
    typeof adapter !== "object" ||
    adapter === null ||
    required.some((method) => typeof adapter[method] !== "function")
  ) {
    throw validationError(
      "storage",
      `storage must be a storage adapter (such as memoryStorage()) with ${required.join(", ")}`,
    );
  }
  return adapter as StorageAdapter;
}

/** The default bound on the graphs an instance holds: see `AccessControlOptions.maxCachedGrants`. */
const DEFAULT_MAX_CACHED_GRANTS = 1_000_000;

/**
 * Creates the grant-management service over a storage adapter.
 *
 * @example
 * ```ts
 * import { createAccessControl, memoryStorage } from "grantpath";
 *
 * const accessControl = createAccessControl({ storage: memoryStorage() });
 * await accessControl.createOrganization("org_xyz789", { owners: ["usr_owner1"] });
 * const grant = await accessControl.createGrant("org_xyz789", "usr_owner1", {
 *   entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *   grantee_type: "user", grantee_id: "usr_def456", access_level: "read",
 * });
 * await accessControl.resolveAccess("org_xyz789", "usr_def456", "usr_def456");
 * ```
 */
export function createAccessControl(given: AccessControlOptions): AccessControl {
  // Only the options the caller gave: nothing another library put on Object.prototype.
  const options = ownOptions(given, "options");
  const storage = storageArg(options.storage);
  const clock = options.clock ?? (() => new Date());
  const maxAttempts = options.maxAttempts ?? 10;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw validationError("maxAttempts", "maxAttempts must be a whole number of at least 1");
  }
  const maxCachedGrants = options.maxCachedGrants ?? DEFAULT_MAX_CACHED_GRANTS;
  if (!Number.isSafeInteger(maxCachedGrants) || maxCachedGrants < 1) {
    throw validationError("maxCachedGrants", "maxCachedGrants must be a whole number of at least 1");
  }
  const limits = readLimits(options.limits);
  const onError = options.onError ?? ((error: unknown) => console.error("grantpath: background work failed", error));
  const cache = createOrganizationCache({ storage, maxAttempts, maxWeight: maxCachedGrants, onError, limits });
  let closed = false;
  /** Writes under way, so close() can let them finish before it releases the cache. */
  const pending = new Set<Promise<unknown>>();

  /** Calls after close() are programming errors, not access decisions: a plain Error says so. */
  const ensureOpen = (): void => {
    if (closed) throw new Error("grantpath: this access control has been closed");
  };

  const context: ServiceContext = {
    storage,
    cache,
    limits,
    newGrantId: options.ids ?? randomGrantId,
    ensureOpen,
    now() {
      ensureOpen();
      return clock();
    },
    read(organizationId, call) {
      ensureOpen();
      return cache.read(organizationId, call.minRevision);
    },
    async write(organizationId, plan, call) {
      const running = cache.write(organizationId, plan, { committed_at: wireTimestamp(clock()) });
      pending.add(running);
      const forget = () => pending.delete(running);
      running.then(forget, forget);
      const outcome = await running;
      call.onRevision?.(outcome.revision);
      return outcome.result;
    },
  };

  return {
    ...directoryOperations(context),
    ...grantOperations(context),
    ...accessQuestions(context),
    ...changeFeed(context),
    whatIf: (organizationId, actorId, input, options) => whatIf(context, organizationId, actorId, input, options),

    cacheUsage() {
      const held = cache.held();
      return { organizations: held.organizations, grants: held.weight };
    },

    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
      cache.close();
    },
  };
}
