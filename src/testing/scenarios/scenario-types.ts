/**
 * Scenario files (docs/spec.md §10): a graph and the expectations an application states about
 * it, and what running them answers.
 * @module
 */
import type {
  AccessCheck,
  AccessLevel,
  EntityType,
  GrantInput,
  GrantPath,
  GrantPathType,
  GraphInput,
} from "../../core/index.js";
import type { GrantSuggestion } from "../../core/suggest-grants.js";

/**
 * A check a test expects: may `user` act on the entity (at `level`, if given)?
 *
 * @example
 * ```ts
 * const expectation: CheckExpectation = { user: "usr_def456", entity_type: "knowledge_slice",
 *   entity_id: "kslice_abc123", level: "write", allowed: true };
 * ```
 */
export interface CheckExpectation {
  readonly user: string;
  readonly entity_type: EntityType;
  readonly entity_id: string;
  readonly level?: AccessLevel | undefined;
  readonly allowed: boolean;
}

/**
 * Exactly the entities `user` reaches (of `entity_type`, when given) and the level of each:
 * no other entity may be reached.
 *
 * @example
 * ```ts
 * const expectation: ResolveExpectation = { user: "usr_ghi789", entity_type: "vector_store",
 *   entities: { vs_docs01: "write" } };
 * ```
 */
export interface ResolveExpectation {
  readonly user: string;
  readonly entity_type?: EntityType | undefined;
  readonly entities: Readonly<Record<string, AccessLevel>>;
}

/**
 * Exactly the users who reach the entity, and the level of each: no other user may reach it.
 *
 * @example
 * ```ts
 * const expectation: WhoExpectation = { entity_type: "knowledge_slice", entity_id: "kslice_policies01",
 *   users: { usr_def456: "read", usr_ghi789: "read" } };
 * ```
 */
export interface WhoExpectation {
  readonly entity_type: EntityType;
  readonly entity_id: string;
  readonly users: Readonly<Record<string, AccessLevel>>;
}

/**
 * One test of a scenario: isolated from the others (its `grants` are its own).
 *
 * @example
 * ```ts
 * const test: ScenarioTest = { name: "usr_1 reads asst_1", at: "2025-07-01T00:00:00Z",
 *   check: [{ user: "usr_1", entity_type: "assistant", entity_id: "asst_1", allowed: true }] };
 * ```
 */
export interface ScenarioTest {
  readonly name: string;
  /** The instant the test asks at (ISO-8601); default: the run's `now`. */
  readonly at?: string | undefined;
  /** Grants added to the scenario's graph for this test only. */
  readonly grants?: readonly GrantInput[] | undefined;
  readonly check?: readonly CheckExpectation[] | undefined;
  readonly resolve?: readonly ResolveExpectation[] | undefined;
  readonly who?: readonly WhoExpectation[] | undefined;
}

/**
 * A scenario: one graph and the tests about it.
 *
 * @example
 * ```ts
 * const scenario: Scenario = {
 *   graph: { organization_id: "org_1" },
 *   tests: [{ name: "nobody reads asst_1", who: [{ entity_type: "assistant", entity_id: "asst_1", users: {} }] }],
 * };
 * ```
 */
export interface Scenario {
  readonly graph: GraphInput;
  readonly tests: readonly ScenarioTest[];
}

/**
 * What is wrong with a scenario file, at a field path (`tests[2].check[0].level`).
 *
 * @example
 * ```ts
 * const problem: ScenarioProblem = { path: "tests[0].check[0].level", message: "must be one of read, write, admin" };
 * ```
 */
export interface ScenarioProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * The outcome of one `check` expectation.
 *
 * @example
 * ```ts
 * const failed = result.tests[0]?.assertions.filter((a): a is CheckOutcome => a.kind === "check" && !a.passed);
 * ```
 */
export interface CheckOutcome {
  readonly kind: "check";
  /** The expectation's position in the test's `check` list. */
  readonly index: number;
  readonly passed: boolean;
  readonly expected: CheckExpectation;
  readonly actual: AccessCheck;
  /**
   * When a check expected to be allowed was denied: the nearest places one grant at the needed
   * level would allow it (the user, their departments nearest first, their roles; on the entity
   * before the composites containing it).
   */
  readonly suggestions?: readonly GrantSuggestion[];
}

/**
 * One entity (or user) whose level differs from the expectation; `null` where there is none.
 *
 * @example
 * ```ts
 * const difference: LevelDifference = { id: "kslice_abc123", expected: "read", actual: "write" };
 * ```
 */
export interface LevelDifference {
  readonly id: string;
  readonly expected: AccessLevel | null;
  readonly actual: AccessLevel | null;
}

/**
 * The outcome of one `resolve` expectation.
 *
 * @example
 * ```ts
 * const outcome = result.tests[0]?.assertions.find((a): a is ResolveOutcome => a.kind === "resolve");
 * outcome?.differences; // [{ id, expected, actual }, …]
 * ```
 */
export interface ResolveOutcome {
  readonly kind: "resolve";
  readonly index: number;
  readonly passed: boolean;
  readonly expected: ResolveExpectation;
  /** Every entity reached (of the type asked), with its level. */
  readonly actual: Readonly<Record<string, AccessLevel>>;
  /** Where expected and actual differ, by id. */
  readonly differences: readonly LevelDifference[];
  /** The grant paths of each entity reached. */
  readonly paths: Readonly<Record<string, readonly GrantPath[]>>;
}

/**
 * The outcome of one `who` expectation.
 *
 * @example
 * ```ts
 * const outcome = result.tests[0]?.assertions.find((a): a is WhoOutcome => a.kind === "who");
 * outcome?.paths; // each user's grant paths
 * ```
 */
export interface WhoOutcome {
  readonly kind: "who";
  readonly index: number;
  readonly passed: boolean;
  readonly expected: WhoExpectation;
  readonly actual: Readonly<Record<string, AccessLevel>>;
  readonly differences: readonly LevelDifference[];
  /** The grant paths of each user who reaches the entity. */
  readonly paths: Readonly<Record<string, readonly GrantPath[]>>;
}

/**
 * The outcome of one expectation.
 *
 * @example
 * ```ts
 * for (const assertion of result.tests[0]?.assertions ?? []) console.log(assertion.kind, assertion.passed);
 * ```
 */
export type AssertionOutcome = CheckOutcome | ResolveOutcome | WhoOutcome;

/**
 * The outcome of one test.
 *
 * @example
 * ```ts
 * const failing: TestOutcome[] = result.tests.filter((test) => !test.passed);
 * ```
 */
export interface TestOutcome {
  readonly name: string;
  /** The test's position in the scenario's `tests`. */
  readonly index: number;
  readonly passed: boolean;
  /** The instant the test asked at (ISO-8601). */
  readonly at: string;
  readonly assertions: readonly AssertionOutcome[];
  /** Milliseconds the test took. */
  readonly duration_ms: number;
}

/**
 * What no assertion of a scenario exercised: what appeared in no answer's grant paths.
 *
 * @example
 * ```ts
 * const { grants, path_types } = result.coverage; // what no assertion exercised
 * ```
 */
export interface ScenarioCoverage {
  /** Grants of the graph (and of the tests) no answer's paths went through, by id. */
  readonly grants: readonly string[];
  readonly departments: readonly string[];
  readonly roles: readonly string[];
  /** Composites no path flowed through. */
  readonly composites: readonly string[];
  /** The path types that never appeared. */
  readonly path_types: readonly GrantPathType[];
  /** How many of each there are, to say "3 of 12". */
  readonly totals: {
    readonly grants: number;
    readonly departments: number;
    readonly roles: number;
    readonly composites: number;
  };
}

/**
 * The outcome of a scenario: every test, and the coverage of all of them.
 *
 * @example
 * ```ts
 * const result: ScenarioResult = await runScenarioFile("authz/scenarios.yaml");
 * for (const test of result.tests.filter((t) => !t.passed)) console.log(test.name, test.assertions);
 * ```
 */
export interface ScenarioResult {
  /** The file the scenario came from, when it came from one. */
  readonly file?: string;
  readonly passed: boolean;
  readonly tests: readonly TestOutcome[];
  readonly coverage: ScenarioCoverage;
}
