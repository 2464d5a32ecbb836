/**
 * A scenario file as vitest tests: one `describe` per file, one `it` per scenario test, each
 * failing with the same report `grantpath test` prints.
 * @module
 */
import { describe, it } from "vitest";
import { runScenario, type ScenarioRunOptions } from "../scenarios/run-scenario-object.js";
import { runScenarioFile } from "../scenarios/scenario-files.js";
import { textReport } from "../scenarios/scenario-report.js";
import type { ScenarioResult } from "../scenarios/scenario-types.js";

function register(result: ScenarioResult): void {
  for (const test of result.tests) {
    it(test.name, () => {
      if (test.passed) return;
      const only: ScenarioResult = { ...result, passed: false, tests: [test] };
      throw new Error(`scenario test failed:\n${textReport([only]).trimEnd()}`);
    });
  }
}

/**
 * Registers a scenario's tests with vitest: a `describe` named after the file (or `name`), an
 * `it` per test. A file that cannot be read or is not a valid scenario fails its `describe`
 * with every problem.
 *
 * @example
 * ```ts
 * // authz.test.ts
 * import { describeScenario } from "grantpath/testing/vitest";
 *
 * describeScenario("authz/scenarios.yaml");
 * ```
 */
export function describeScenario(
  scenario: string | object,
  options: ScenarioRunOptions & { name?: string } = {},
): void {
  const name = options.name ?? (typeof scenario === "string" ? scenario : "scenario");
  describe(name, async () => {
    const result =
      typeof scenario === "string" ? await runScenarioFile(scenario, options) : runScenario(scenario, options);
    register(result);
  });
}
