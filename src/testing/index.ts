/**
 * `grantpath/testing`: a test kit for your authorization logic that works in any test runner
 * (`node:test`, jest, vitest, …): scenario files run and reported (`runScenarioFile`,
 * `runScenario`), a clock you move by hand and predictable grant ids. It imports no test
 * framework; reading a scenario file loads Node's file system and the `yaml` package then. The storage conformance suite, which registers vitest tests, is
 * `grantpath/testing/vitest`.
 * @packageDocumentation
 */

export * from "./scenarios/index.js";
export { type ManualClock, manualClock, sequentialIds } from "./test-kit.js";
