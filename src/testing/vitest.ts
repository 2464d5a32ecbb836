/**
 * `grantpath/testing/vitest`: what needs vitest — the storage conformance suite, which
 * registers a vitest test per case for your adapter.
 * @packageDocumentation
 */
export { type ConformanceOptions, runStorageConformance } from "./storage-conformance.js";
export {
  type GrantpathMatchers,
  grantpathMatchers,
  installGrantpathMatchers,
  type MatcherOptions,
  type MatcherResult,
} from "./vitest/matchers.js";
export { describeScenario } from "./vitest/scenario-suite.js";
