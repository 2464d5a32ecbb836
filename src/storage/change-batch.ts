/**
 * The check every adapter makes before it applies a batch: each change must be one the contract
 * defines, carrying its payload, and `create_organization` may only open a batch at version 0.
 * A batch that fails it is refused whole, before anything is stored.
 * @module
 */
import { validationError } from "../core/errors.js";
import type { StorageChange } from "./storage-adapter.js";

const PAYLOAD_FIELD: Readonly<Record<StorageChange["type"], string>> = {
  create_organization: "owners",
  set_owners: "owners",
  put_grant: "grant",
  put_user: "user",
  put_department: "department",
  delete_department: "department_id",
  put_composite: "composite",
};

/**
 * Throws a `VALIDATION_ERROR` naming `changes[i]` for the first change an adapter cannot store.
 *
 * @example
 * ```ts
 * checkBatch(changes, currentRevision); // throws a VALIDATION_ERROR naming changes[i], before anything is stored
 * ```
 */
export function checkBatch(changes: readonly StorageChange[], currentVersion: number): void {
  changes.forEach((change, index) => {
    const field = PAYLOAD_FIELD[change?.type];
    const payload = field === undefined ? undefined : (change as unknown as Record<string, unknown>)[field];
    if (payload === undefined || payload === null) {
      throw validationError(`changes[${index}]`, `changes[${index}] is not a storage change this adapter knows`);
    }
    if (change.type === "create_organization" && (index !== 0 || currentVersion !== 0)) {
      throw validationError(`changes[${index}]`, "create_organization may only open a batch at version 0");
    }
  });
}
