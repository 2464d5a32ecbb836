/**
 * `grantpath/testing`: the storage conformance suite (for vitest) and a small test kit.
 * @packageDocumentation
 */
export { type ConformanceOptions, runStorageConformance } from "./storage-conformance.js";
export { type ManualClock, manualClock, sequentialIds } from "./test-kit.js";
