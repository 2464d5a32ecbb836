/**
 * Running a checked scenario: each test on the scenario's graph plus its own grants, at its
 * instant, every expectation answered by the core and compared; and what the answers' grant
 * paths went through, for coverage. Pure: the instant a test without `at` asks at is given.
 * @module
 */
import {
  type AccessGraph,
  type AccessLevel,
  addGrant,
  checkAccess,
  type GrantInput,
  type GrantPath,
  resolveAccess,
  usersWithAccess,
} from "../../core/index.js";
import { suggestGrants } from "../../core/suggest-grants.js";
import { type CoverageTracker, coverageTracker } from "./scenario-coverage.js";
import type {
  AssertionOutcome,
  CheckExpectation,
  CheckOutcome,
  LevelDifference,
  ResolveExpectation,
  ResolveOutcome,
  Scenario,
  ScenarioResult,
  ScenarioTest,
  TestOutcome,
  WhoExpectation,
  WhoOutcome,
} from "./scenario-types.js";

/** How a run asks. */
export interface RunOptions {
  /** The instant of a test without `at`. */
  readonly now: Date;
  /** A clock for each test's duration (milliseconds); without one, durations are 0. */
  readonly elapsedMs?: () => number;
  /** Only the tests whose names this accepts. */
  readonly filter?: (name: string) => boolean;
}

/** Where expected and actual level maps differ, by id in code-unit order. */
function differences(
  expected: Readonly<Record<string, AccessLevel>>,
  actual: Readonly<Record<string, AccessLevel>>,
): LevelDifference[] {
  const ids = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  const found: LevelDifference[] = [];
  for (const id of ids) {
    const want = Object.hasOwn(expected, id) ? (expected[id] as AccessLevel) : null;
    const got = Object.hasOwn(actual, id) ? (actual[id] as AccessLevel) : null;
    if (want !== got) found.push({ id, expected: want, actual: got });
  }
  return found;
}

/** A record built with own, enumerable properties only (ids such as `__proto__` are ordinary keys). */
function record<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const made: Record<string, T> = {};
  for (const [key, value] of entries) Object.defineProperty(made, key, { value, enumerable: true, writable: true });
  return made;
}

function runCheck(
  graph: AccessGraph,
  expectation: CheckExpectation,
  index: number,
  at: Date,
  seen: CoverageTracker,
): CheckOutcome {
  const { user, entity_type, entity_id, level } = expectation;
  const actual = checkAccess(graph, user, entity_type, entity_id, { ...(level ? { level } : {}), at });
  seen.paths(user, actual.grant_paths);
  const passed = actual.allowed === expectation.allowed;
  const outcome: CheckOutcome = { kind: "check", index, passed, expected: expectation, actual };
  if (passed || actual.allowed) return outcome;
  return { ...outcome, suggestions: suggestGrants(graph, user, entity_type, entity_id) };
}

function runResolve(
  graph: AccessGraph,
  expectation: ResolveExpectation,
  index: number,
  at: Date,
  seen: CoverageTracker,
): ResolveOutcome {
  const answer = resolveAccess(graph, expectation.user, {
    ...(expectation.entity_type ? { entityType: expectation.entity_type } : {}),
    at,
  });
  for (const entity of answer.entities) seen.paths(expectation.user, entity.grant_paths);
  const actual = record(answer.entities.map((entity) => [entity.entity_id, entity.access_level] as const));
  const paths = record(
    answer.entities.map((entity) => [entity.entity_id, entity.grant_paths as readonly GrantPath[]] as const),
  );
  const found = differences(expectation.entities, actual);
  return {
    kind: "resolve",
    index,
    passed: found.length === 0,
    expected: expectation,
    actual,
    differences: found,
    paths,
  };
}

function runWho(
  graph: AccessGraph,
  expectation: WhoExpectation,
  index: number,
  at: Date,
  seen: CoverageTracker,
): WhoOutcome {
  const answer = usersWithAccess(graph, expectation.entity_type, expectation.entity_id, { at });
  for (const user of answer.users) seen.paths(user.user_id, user.grant_paths);
  const actual = record(answer.users.map((user) => [user.user_id, user.access_level] as const));
  const paths = record(answer.users.map((user) => [user.user_id, user.grant_paths as readonly GrantPath[]] as const));
  const found = differences(expectation.users, actual);
  return { kind: "who", index, passed: found.length === 0, expected: expectation, actual, differences: found, paths };
}

function runTest(
  base: AccessGraph,
  test: ScenarioTest,
  index: number,
  options: RunOptions,
  seen: CoverageTracker,
): TestOutcome {
  const started = options.elapsedMs?.() ?? 0;
  let graph = base;
  for (const grant of test.grants ?? []) graph = addGrant(graph, grant as GrantInput);
  const at = test.at === undefined ? options.now : new Date(test.at);
  const assertions: AssertionOutcome[] = [
    ...(test.check ?? []).map((expectation, i) => runCheck(graph, expectation, i, at, seen)),
    ...(test.resolve ?? []).map((expectation, i) => runResolve(graph, expectation, i, at, seen)),
    ...(test.who ?? []).map((expectation, i) => runWho(graph, expectation, i, at, seen)),
  ];
  const duration_ms = (options.elapsedMs?.() ?? 0) - started;
  return {
    name: test.name,
    index,
    passed: assertions.every((assertion) => assertion.passed),
    at: at.toISOString(),
    assertions,
    duration_ms,
  };
}

/**
 * Runs every test of a scenario checked by `parseScenario` (its `graph` is the checked graph)
 * and answers each test's outcome and the scenario's coverage.
 */
export function runParsedScenario(
  scenario: Scenario,
  graph: AccessGraph,
  options: RunOptions,
  file?: string,
): ScenarioResult {
  const seen = coverageTracker(graph);
  const tests: TestOutcome[] = [];
  scenario.tests.forEach((test, index) => {
    if (options.filter && !options.filter(test.name)) return;
    tests.push(runTest(graph, test, index, options, seen));
  });
  return {
    ...(file !== undefined ? { file } : {}),
    passed: tests.every((test) => test.passed),
    tests,
    coverage: seen.report(),
  };
}
