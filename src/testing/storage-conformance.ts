/**
 * The storage conformance suite: every behaviour the grant-management service relies on, run
 * against one adapter. Call {@link runStorageConformance} from a vitest test file with a factory
 * for your adapter; each case gets a fresh adapter and destroys it afterwards.
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AccessControl, createAccessControl } from "../service/index.js";
import type { Awaitable, StorageAdapter } from "../storage/storage-adapter.js";
import { registerAdapterContractCases } from "./conformance/adapter-contract-cases.js";
import { registerChangeLogCases } from "./conformance/change-log-cases.js";
import { registerConcurrencyCases } from "./conformance/concurrency-cases.js";
import { registerIsolationCases } from "./conformance/isolation-cases.js";
import { registerListingAndLifecycleCases } from "./conformance/listing-and-lifecycle-cases.js";
import { registerOrganizationAndGrantCases } from "./conformance/organization-and-grant-cases.js";
import { registerResolutionAndDirectoryCases } from "./conformance/resolution-and-directory-cases.js";
import { type Capability, type ConformanceSuite, type Fixture, ORG, OWNER, T0 } from "./conformance/support.js";
import { manualClock, sequentialIds } from "./test-kit.js";

/**
 * Options of {@link runStorageConformance}.
 *
 * @example
 * ```ts
 * const options: ConformanceOptions = {
 *   name: "memory",
 *   create: () => memoryStorage(),
 *   skip: [{ tests: ["the same grant id in two organizations names two different grants"], reason: "ids are global" }],
 * };
 * ```
 */
export interface ConformanceOptions {
  /** Names the suite: `storage conformance: <name>`. */
  readonly name: string;
  /** Makes a fresh, empty adapter; called once per case. */
  readonly create: () => Awaitable<StorageAdapter>;
  /** Disposes of an adapter after its case. Default: the adapter's own `close()`, if any. */
  readonly destroy?: (adapter: StorageAdapter) => Awaitable<void>;
  /**
   * Cases this adapter does not support, by exact title, each group with the reason the
   * report shows. A title that names no case of the suite fails the suite's last case.
   */
  readonly skip?: readonly { readonly tests: readonly string[]; readonly reason: string }[];
}
/**
 * Registers the storage conformance suite for one adapter with vitest: at least 30 cases over
 * the service's operations and errors, paging, soft delete and expiry, optimistic concurrency,
 * concurrent writers, isolation between organizations and the adapter contract itself. Cases
 * named in `skip`, and cases needing an optional method the adapter lacks (`watch`,
 * `commitLatest`), are
 * reported as skipped with their reason.
 *
 * @example
 * ```ts
 * // test/storage/my-storage.test.ts
 * import { runStorageConformance } from "grantpath/testing/vitest";
 * import { myStorage } from "../src/my-storage.js";
 *
 * runStorageConformance({
 *   name: "my-storage",
 *   create: () => myStorage({ url: process.env.DATABASE_URL }),
 *   destroy: (adapter) => adapter.close?.(),
 * });
 * ```
 */
export function runStorageConformance(options: ConformanceOptions): void {
  const skipReasons = new Map<string, string>();
  for (const group of options.skip ?? []) {
    for (const title of group.tests) skipReasons.set(title, group.reason);
  }
  const titles = new Set<string>();

  describe(`storage conformance: ${options.name}`, () => {
    let adapter: StorageAdapter | null = null;
    let services: AccessControl[] = [];

    beforeEach(() => {
      adapter = null;
      services = [];
    });

    afterEach(async () => {
      const open = services;
      services = [];
      for (const service of open) await service.close();
      const used = adapter;
      adapter = null;
      if (used === null) return;
      if (options.destroy) await options.destroy(used);
      else await used.close?.();
    });

    async function fixture(): Promise<Fixture> {
      const created = await options.create();
      adapter = created;
      const clock = manualClock(T0);
      const service = (serviceOptions: { readonly ids?: () => string; readonly maxAttempts?: number } = {}) => {
        const made = createAccessControl({
          storage: created,
          clock: clock.now,
          ids: serviceOptions.ids ?? sequentialIds(),
          ...(serviceOptions.maxAttempts === undefined ? {} : { maxAttempts: serviceOptions.maxAttempts }),
        });
        services.push(made);
        return made;
      };
      return { adapter: created, clock, ac: service(), service };
    }

    /** Registers one case; it is skipped (with the reason) when named in `skip` or missing a capability. */
    function conformance(title: string, body: (f: Fixture) => Promise<void>, needs: readonly Capability[] = []): void {
      if (titles.has(title)) throw new Error(`conformance: two cases are titled "${title}"`);
      titles.add(title);
      it(title, async (ctx) => {
        const reason = skipReasons.get(title);
        if (reason !== undefined) ctx.skip(reason);
        const f = await fixture();
        for (const need of needs) {
          if (need === "watch" && typeof f.adapter.watch !== "function") {
            ctx.skip(
              `${options.name} has no watch(): without it a service notices other writers only when it writes or is asked for a minRevision`,
            );
          }
          if (need === "commitLatest" && typeof f.adapter.commitLatest !== "function") {
            ctx.skip(
              `${options.name} has no commitLatest(): without it a writer that keeps losing races may give up with VERSION_CONFLICT`,
            );
          }
        }
        await body(f);
      });
    }

    const suite: ConformanceSuite = {
      conformance,
      organization: (ac, organizationId = ORG, owners = [OWNER]) => ac.createOrganization(organizationId, { owners }),
    };
    registerOrganizationAndGrantCases(suite);
    registerListingAndLifecycleCases(suite);
    registerResolutionAndDirectoryCases(suite);
    registerAdapterContractCases(suite);
    registerChangeLogCases(suite);
    registerConcurrencyCases(suite);
    registerIsolationCases(suite);

    it("the skip list names only cases of this suite", () => {
      expect([...skipReasons.keys()].filter((title) => !titles.has(title))).toEqual([]);
    });
  });
}
