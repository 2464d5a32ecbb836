/**
 * `grantpath/testing`: a test kit for your authorization logic that works in any test runner
 * (`node:test`, jest, vitest, …): scenario files run and reported (`runScenarioFile`,
 * `runScenario`), a clock you move by hand, predictable grant ids, and the brute-force
 * reference resolver (`referenceResolve`, `referenceCheck`, `referenceUsersWithAccess`): a slow
 * oracle that shares no code with the engine, to check answers against. It imports no test
 * framework; reading a scenario file loads Node's file system and the `yaml` package then. The storage conformance suite, which registers vitest tests, is
 * `grantpath/testing/vitest`; generators and laws for fast-check are
 * `grantpath/testing/fast-check`.
 * @packageDocumentation
 */

export {
  type ReferenceCheckOptions,
  type ReferenceResolveOptions,
  type ReferenceUsersWithAccessOptions,
  referenceCheck,
  referenceResolve,
  referenceUsersWithAccess,
} from "./reference-resolver.js";
export * from "./scenarios/index.js";
export { type ManualClock, manualClock, sequentialIds } from "./test-kit.js";
