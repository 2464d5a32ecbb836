/**
 * Scenario results as people and CI read them: text (failures only, or every test), JSON, and
 * JUnit XML. Pure: strings in, strings out.
 * @module
 */
import type { GrantPath } from "../../core/index.js";
import type {
  AssertionOutcome,
  CheckOutcome,
  ResolveOutcome,
  ScenarioCoverage,
  ScenarioResult,
  TestOutcome,
  WhoOutcome,
} from "./scenario-types.js";

/** How many suggestions a failure lists before saying how many more there are. */
const SUGGESTIONS_SHOWN = 5;

/** A grant path in one line: `write via department dept_eng01 (agrant_eng01write)`. */
export function describePath(path: GrantPath): string {
  const reach =
    path.department_id !== null
      ? `department ${path.department_id}`
      : path.role_id !== null
        ? `role ${path.role_id}`
        : "a direct grant";
  const through = path.composite_id !== null ? ` on composite ${path.composite_id}` : "";
  return `${path.access_level} via ${reach}${through} (${path.grant_id})`;
}

function pathLines(paths: readonly GrantPath[], indent: string): string[] {
  return paths.length === 0 ? [`${indent}(none)`] : paths.map((path) => `${indent}${describePath(path)}`);
}

function checkLines(outcome: CheckOutcome): string[] {
  const { expected, actual } = outcome;
  const asked = `${expected.user} ${expected.level ?? "any level"} on ${expected.entity_type} ${expected.entity_id}`;
  const level = actual.access_level === null ? "no access" : `effective level ${actual.access_level}`;
  const lines = [
    `check[${outcome.index}]: ${asked}`,
    `  expected: ${expected.allowed ? "allowed" : "denied"}`,
    `  actual:   ${actual.allowed ? "allowed" : "denied"} (${level})`,
    "  grant paths found:",
    ...pathLines(actual.grant_paths, "    "),
  ];
  const suggestions = outcome.suggestions ?? [];
  if (suggestions.length > 0) {
    lines.push(`  nearest grants that would allow it (at ${expected.level ?? "read"}):`);
    for (const s of suggestions.slice(0, SUGGESTIONS_SHOWN)) {
      lines.push(`    ${s.grantee_type} ${s.grantee_id} on ${s.entity_type} ${s.entity_id}`);
    }
    if (suggestions.length > SUGGESTIONS_SHOWN) lines.push(`    … and ${suggestions.length - SUGGESTIONS_SHOWN} more`);
  }
  return lines;
}

function mapLines(outcome: ResolveOutcome | WhoOutcome, heading: string, none: string): string[] {
  const lines = [heading];
  for (const difference of outcome.differences) {
    lines.push(`  ${difference.id}: expected ${difference.expected ?? none}, actual ${difference.actual ?? none}`);
  }
  const shown = outcome.differences.map((difference) => difference.id).filter((id) => Object.hasOwn(outcome.paths, id));
  if (shown.length > 0) {
    lines.push("  grant paths found:");
    for (const id of shown) {
      lines.push(`    ${id}:`);
      lines.push(...pathLines(outcome.paths[id] ?? [], "      "));
    }
  }
  return lines;
}

function assertionLines(outcome: AssertionOutcome): string[] {
  switch (outcome.kind) {
    case "check":
      return checkLines(outcome);
    case "resolve": {
      const type = outcome.expected.entity_type ? ` (${outcome.expected.entity_type})` : "";
      return mapLines(outcome, `resolve[${outcome.index}]: what ${outcome.expected.user} reaches${type}`, "no access");
    }
    case "who": {
      const { entity_type, entity_id } = outcome.expected;
      return mapLines(outcome, `who[${outcome.index}]: who reaches ${entity_type} ${entity_id}`, "no access");
    }
  }
}

function testLines(test: TestOutcome, file: string | undefined, verbose: boolean): string[] {
  const where = file === undefined ? `tests[${test.index}]` : `${file}, tests[${test.index}]`;
  if (test.passed) return verbose ? [`✓ ${test.name}  (${where}, ${test.assertions.length} assertions)`] : [];
  const lines = [`✗ ${test.name}  (${where}, at ${test.at})`];
  for (const assertion of test.assertions) {
    if (assertion.passed && !verbose) continue;
    const body = assertion.passed ? [`${assertionTitle(assertion)}: passed`] : assertionLines(assertion);
    lines.push(...body.map((line) => `    ${line}`));
  }
  return lines;
}

function assertionTitle(outcome: AssertionOutcome): string {
  return `${outcome.kind}[${outcome.index}]`;
}

/** Totals over several scenario results. */
export interface ScenarioTotals {
  readonly files: number;
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
  readonly assertions: number;
  readonly failedAssertions: number;
}

/** Totals over `results`. */
export function totalsOf(results: readonly ScenarioResult[]): ScenarioTotals {
  let tests = 0;
  let passed = 0;
  let assertions = 0;
  let failedAssertions = 0;
  for (const result of results) {
    for (const test of result.tests) {
      tests++;
      if (test.passed) passed++;
      assertions += test.assertions.length;
      failedAssertions += test.assertions.filter((assertion) => !assertion.passed).length;
    }
  }
  return { files: results.length, tests, passed, failed: tests - passed, assertions, failedAssertions };
}

/** The coverage of one result, as lines: what no assertion exercised. */
export function coverageLines(coverage: ScenarioCoverage): string[] {
  const row = (label: string, unused: readonly string[], total: number) =>
    `  ${label}: ${total - unused.length} of ${total} exercised${unused.length > 0 ? `; not: ${unused.join(", ")}` : ""}`;
  return [
    row("grants", coverage.grants, coverage.totals.grants),
    row("departments", coverage.departments, coverage.totals.departments),
    row("roles", coverage.roles, coverage.totals.roles),
    row("composites", coverage.composites, coverage.totals.composites),
    `  path types never seen: ${coverage.path_types.length > 0 ? coverage.path_types.join(", ") : "none"}`,
  ];
}

/**
 * Options of the text report.
 *
 * @example
 * ```ts
 * process.stdout.write(textReport([result], { verbose: true, coverage: true }));
 * ```
 */
export interface TextReportOptions {
  /** Every test and assertion, not only failures. */
  readonly verbose?: boolean;
  /** Each file's coverage. */
  readonly coverage?: boolean;
  /** How long the run took, for the summary line. */
  readonly durationMs?: number;
}

/**
 * The text report: failures (or everything), optionally coverage, and a summary line.
 *
 * @example
 * ```ts
 * process.stdout.write(textReport([await runScenarioFile("authz/scenarios.yaml")]));
 * ```
 */
export function textReport(results: readonly ScenarioResult[], options: TextReportOptions = {}): string {
  const lines: string[] = [];
  for (const result of results) {
    for (const test of result.tests) lines.push(...testLines(test, result.file, options.verbose === true));
    if (options.coverage) {
      lines.push(
        `coverage${result.file === undefined ? "" : ` of ${result.file}`}:`,
        ...coverageLines(result.coverage),
      );
    }
  }
  const totals = totalsOf(results);
  const files = `${totals.files} file${totals.files === 1 ? "" : "s"}`;
  const time = options.durationMs === undefined ? "" : ` in ${Math.round(options.durationMs)} ms`;
  lines.push(
    `${files}, ${totals.tests} test${totals.tests === 1 ? "" : "s"}: ${totals.passed} passed, ${totals.failed} failed (${totals.assertions} assertions, ${totals.failedAssertions} failed)${time}`,
  );
  return `${lines.join("\n")}\n`;
}

/**
 * The JSON report: every result as is, and the totals.
 *
 * @example
 * ```ts
 * const report = JSON.parse(jsonReport([result])); // { passed, totals, results }
 * ```
 */
export function jsonReport(results: readonly ScenarioResult[]): string {
  return `${JSON.stringify({ passed: results.every((result) => result.passed), totals: totalsOf(results), results }, null, 2)}\n`;
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The JUnit XML report: a suite per file, a case per test, a failure with the text report's lines.
 *
 * @example
 * ```ts
 * await writeFile("junit.xml", junitReport([result]));
 * ```
 */
export function junitReport(results: readonly ScenarioResult[]): string {
  const totals = totalsOf(results);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="grantpath" tests="${totals.tests}" failures="${totals.failed}">`,
  ];
  results.forEach((result, i) => {
    const name = result.file ?? `scenario ${i + 1}`;
    const failures = result.tests.filter((test) => !test.passed).length;
    const seconds = result.tests.reduce((sum, test) => sum + test.duration_ms, 0) / 1000;
    out.push(
      `  <testsuite name="${xml(name)}" tests="${result.tests.length}" failures="${failures}" time="${seconds.toFixed(3)}">`,
    );
    for (const test of result.tests) {
      const time = (test.duration_ms / 1000).toFixed(3);
      const head = `    <testcase name="${xml(test.name)}" classname="${xml(name)}" time="${time}"`;
      if (test.passed) {
        out.push(`${head}/>`);
        continue;
      }
      const failed = test.assertions.filter((assertion) => !assertion.passed);
      const message = failed.map(assertionTitle).join(", ");
      const details = failed.flatMap(assertionLines).join("\n");
      out.push(
        `${head}>`,
        `      <failure message="${xml(`failed: ${message}`)}">${xml(details)}</failure>`,
        "    </testcase>",
      );
    }
    out.push("  </testsuite>");
  });
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
