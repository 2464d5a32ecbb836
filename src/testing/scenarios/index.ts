/**
 * Scenario files and objects (docs/spec.md §10): checking, running, reporting and updating.
 * @module
 */
export { type ParsedScenario, parseScenario } from "./parse-scenario.js";
export { runScenario, type ScenarioRunOptions } from "./run-scenario-object.js";
export { ScenarioError, type ScenarioErrorCode } from "./scenario-error.js";
export { runScenarioFile, type ScenarioUpdate, updateScenarioFile } from "./scenario-files.js";
export {
  coverageLines,
  describePath,
  jsonReport,
  junitReport,
  type ScenarioTotals,
  type TextReportOptions,
  textReport,
  totalsOf,
} from "./scenario-report.js";
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
export type { GrantSuggestion } from "../../core/suggest-grants.js";
