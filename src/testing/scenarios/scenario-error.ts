/**
 * The one error a scenario file or object can fail with before it runs.
 * @module
 */
import type { ScenarioProblem } from "./scenario-types.js";

/**
 * Why a scenario could not run: `SCENARIO_UNREADABLE` (no such file, not YAML or JSON) or
 * `SCENARIO_INVALID`.
 *
 * @example
 * ```ts
 * const code: ScenarioErrorCode = "SCENARIO_INVALID";
 * ```
 */
export type ScenarioErrorCode = "SCENARIO_UNREADABLE" | "SCENARIO_INVALID";

/**
 * A scenario that cannot run, with every problem found, each at its field path (or, for a file
 * that is not YAML, its line and column). `grantpath test` exits 2 on it.
 *
 * @example
 * ```ts
 * try {
 *   await runScenarioFile("authz/scenarios.yaml");
 * } catch (error) {
 *   if (error instanceof ScenarioError) for (const p of error.problems) console.log(p.path, p.message);
 * }
 * ```
 */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  readonly code: ScenarioErrorCode;
  /** The file, when the scenario came from one. */
  readonly file: string | undefined;
  readonly problems: readonly ScenarioProblem[];

  /** The error for `code`, listing `problems` in its message; `file` when it came from one. */
  constructor(code: ScenarioErrorCode, problems: readonly ScenarioProblem[], file?: string, options?: ErrorOptions) {
    const where = file === undefined ? "the scenario" : file;
    const listed = problems.map((problem) => `  ${problem.path === "" ? "(top)" : problem.path}: ${problem.message}`);
    super(
      `${where} ${code === "SCENARIO_INVALID" ? "is not a valid scenario" : "cannot be read"}:\n${listed.join("\n")}`,
      options,
    );
    this.code = code;
    this.file = file;
    this.problems = problems;
  }
}
