// PLACEHOLDER: being written by a helper. Exports runStorageConformance.
import type { Awaitable, StorageAdapter } from "../storage/storage-adapter.js";

/** Options of {@link runStorageConformance}. */
export interface ConformanceOptions {
  readonly name: string;
  readonly create: () => Awaitable<StorageAdapter>;
  readonly destroy?: (adapter: StorageAdapter) => Awaitable<void>;
  readonly skip?: readonly { readonly tests: readonly string[]; readonly reason: string }[];
}

export function runStorageConformance(_options: ConformanceOptions): void {}
