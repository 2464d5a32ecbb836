/**
 * Scenario files and objects (docs/spec.md §10): running, reporting and updating them.
 * @module
 */
export { runScenario, type ScenarioRunOptions } from "./run-scenario-object.js";
export { ScenarioError, type ScenarioErrorCode } from "./scenario-error.js";
export { runScenarioFile, type ScenarioUpdate, updateScenarioFile } from "./scenario-files.js";
export { jsonReport, junitReport, type TextReportOptions, textReport } from "./scenario-report.js";
export type {
  AssertionOutcome,
  CheckExpectation,
  CheckOutcome,
  LevelDifference,
  ResolveExpectation,
  ResolveOutcome,
  Scenario,
  ScenarioCoverage,
  ScenarioProblem,
  ScenarioResult,
  ScenarioTest,
  TestOutcome,
  WhoExpectation,
  WhoOutcome,
} from "./scenario-types.js";
