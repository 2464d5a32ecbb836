/**
 * Running a scenario given as an object: the programmatic API any test runner can use.
 * @module
 */
import { parseScenario } from "./parse-scenario.js";
import { runParsedScenario } from "./run-scenario.js";
import { ScenarioError } from "./scenario-error.js";
import type { ScenarioResult } from "./scenario-types.js";

/**
 * How {@link runScenario} and `runScenarioFile` ask.
 *
 * @example
 * ```ts
 * const result = runScenario(scenario, { now: new Date("2025-07-01T00:00:00Z") });
 * ```
 */
export interface ScenarioRunOptions {
  /** The instant of tests without `at`; default: now. */
  readonly now?: Date;
  /** Only the tests whose names this accepts. */
  readonly filter?: (name: string) => boolean;
}

/**
 * Runs a scenario (docs/spec.md §10) given as an object, as a YAML or JSON scenario file holds
 * it (with `graph`), and answers each test's outcome — expected and actual, the grant paths
 * found, for a denied check the nearest grants that would allow it — and the coverage.
 *
 * @throws {@link ScenarioError} `SCENARIO_INVALID` with every problem, each at its field path.
 *
 * @example
 * ```ts
 * import { runScenario } from "grantpath/testing";
 *
 * const result = runScenario({
 *   graph: { organization_id: "org_1", grants: [{ entity_type: "assistant", entity_id: "asst_1",
 *     grantee_type: "user", grantee_id: "usr_1", access_level: "read" }] },
 *   tests: [{ name: "usr_1 reads asst_1",
 *     check: [{ user: "usr_1", entity_type: "assistant", entity_id: "asst_1", allowed: true }] }],
 * });
 * result.passed; // true
 * ```
 */
export function runScenario(scenario: unknown, options: ScenarioRunOptions = {}, file?: string): ScenarioResult {
  const parsed = parseScenario(scenario);
  if (!parsed.ok) throw new ScenarioError("SCENARIO_INVALID", parsed.problems, file);
  const clock = globalThis.performance;
  return runParsedScenario(
    parsed.scenario,
    parsed.graph,
    {
      now: options.now ?? new Date(),
      elapsedMs: () => clock.now(),
      ...(options.filter ? { filter: options.filter } : {}),
    },
    file,
  );
}
