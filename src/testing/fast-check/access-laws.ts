/**
 * Laws any correct resolver obeys (docs/spec.md §4), as fast-check properties over generated
 * graphs, for the subject you hand in — typically your own wrapper around grantpath. Each law is
 * a plain `fc.asyncProperty`, so any runner can run it with `fc.assert`.
 * @module
 */
import * as fc from "fast-check";
import type { AccessCheck, AccessLevel, EntityType, GrantPath, GraphInput, ResolvedAccess } from "../../core/types.js";
import { levelRank, referenceCheck, referenceResolve } from "../reference-resolver.js";
import { type GraphInputArbitraryOptions, graphInputArbitrary } from "./graph-input.js";
import { entitiesToAsk, userIdsToAsk } from "./graph-questions.js";
import { instantArbitrary } from "./instants.js";
import { permutationKeysArbitrary, reorderGraphInput } from "./reorder-input.js";

/**
 * Options of an {@link AccessSubject}'s `check`.
 *
 * @example
 * ```ts
 * const options: AccessSubjectCheckOptions = { level: "write", at: new Date("2025-06-15T10:00:00Z") };
 * ```
 */
export interface AccessSubjectCheckOptions {
  /** The level asked for; without it, any path allows. */
  readonly level?: AccessLevel | undefined;
  /** The instant to ask at. */
  readonly at: Date;
}

/**
 * What the laws test: your code, answering from a plain {@link GraphInput}. `resolve` must
 * answer as `resolveAccess(createGraph(input), userId, { at })` would (docs/spec.md §3); give a
 * `check` too and {@link accessLaws} adds a law for it. Either may be async. The laws ask every
 * user of one graph in a row with the same `input` object, so a `WeakMap` from input to your
 * built state saves rebuilding it for each.
 *
 * @example
 * ```ts
 * import { checkAccess, createGraph, resolveAccess, type AccessGraph, type GraphInput } from "grantpath";
 *
 * const graphs = new WeakMap<GraphInput, AccessGraph>();
 * const graphOf = (input: GraphInput) => graphs.get(input) ?? graphs.set(input, createGraph(input)).get(input)!;
 * const subject: AccessSubject = {
 *   resolve: (input, userId, at) => myAuthz.resolve(graphOf(input), userId, at), // your wrapper
 *   check: (input, userId, type, id, options) => checkAccess(graphOf(input), userId, type, id, options),
 * };
 * ```
 */
export interface AccessSubject {
  /** The user's resolved access in the graph `input` at `at`. */
  resolve(input: GraphInput, userId: string, at: Date): ResolvedAccess | Promise<ResolvedAccess>;
  /** Optional: whether the user reaches the entity (at `options.level`), as `checkAccess` answers. */
  check?(
    input: GraphInput,
    userId: string,
    entityType: EntityType,
    entityId: string,
    options: AccessSubjectCheckOptions,
  ): AccessCheck | Promise<AccessCheck>;
}

/**
 * The laws {@link accessLaws} knows.
 *
 * - `agreement`: `resolve` answers exactly what {@link referenceResolve} answers (values, order).
 * - `max`: every entity has a path, and its level is the highest of its paths' levels.
 * - `monotonicity`: adding a grant never lowers any user's level on any entity, nor removes a path.
 * - `order independence`: the same graph with its lists permuted gets the same answers.
 * - `check agreement` (only with a `check`): `check` answers exactly what {@link referenceCheck} answers.
 *
 * @example
 * ```ts
 * const only: AccessLawName[] = ["agreement", "max"];
 * ```
 */
export type AccessLawName = "agreement" | "max" | "monotonicity" | "order independence" | "check agreement";

/**
 * One generated case of a law: a graph, an instant, and for the laws that compare two graphs,
 * the other one — `input` plus one grant (monotonicity) or `input` reordered (order independence).
 * fast-check prints it as the counterexample when a law fails.
 *
 * @example
 * ```ts
 * const lawCase: AccessLawCase = { input: { organization_id: "org_1" }, at: new Date("2025-06-15T10:00:00Z") };
 * ```
 */
export interface AccessLawCase {
  /** The graph asked about. */
  readonly input: GraphInput;
  /** The instant every question is asked at. */
  readonly at: Date;
  /** The graph `input` is compared with, for the laws that compare two. */
  readonly other?: GraphInput | undefined;
}

/**
 * A named law: `property` is a fast-check async property; run it with `fc.assert`.
 *
 * @example
 * ```ts
 * for (const law of accessLaws(subject)) await fc.assert(law.property, { numRuns: 200 });
 * ```
 */
export interface AccessLaw {
  /** The law's name, for a test title. */
  readonly name: AccessLawName;
  /** What the law says, in a sentence. */
  readonly description: string;
  /** The property; `fc.assert(property)` resolves when it holds and rejects with a counterexample when not. */
  readonly property: fc.IAsyncPropertyWithHooks<[AccessLawCase]>;
}

/**
 * Options of {@link accessLaws}.
 *
 * @example
 * ```ts
 * const options: AccessLawsOptions = { graph: { grants: 40, departmentDepth: 5 }, laws: ["agreement"] };
 * ```
 */
export interface AccessLawsOptions {
  /** The knobs of the generated graphs (see {@link graphInputArbitrary}). */
  readonly graph?: GraphInputArbitraryOptions | undefined;
  /** Only these laws (default: all; `check agreement` only when the subject has a `check`). */
  readonly laws?: readonly AccessLawName[] | undefined;
}

const DESCRIPTIONS: Readonly<Record<AccessLawName, string>> = {
  agreement: "resolve answers exactly what the reference resolver answers, for every user of the graph",
  max: "every resolved entity has a path, and its level is the highest of its paths' levels",
  monotonicity: "adding a grant never lowers any user's level on any entity, nor removes a path",
  "order independence": "permuting the graph's lists (grants, users, departments, …) changes no answer",
  "check agreement": "check answers exactly what the reference check answers, for every user and entity",
};

/**
 * The laws of docs/spec.md §4 for `subject`, each a fast-check property over graphs from
 * {@link graphInputArbitrary} and instants from {@link instantArbitrary}: `agreement` with the
 * reference resolver, `max`, `monotonicity`, `order independence`, and `check agreement` when the
 * subject has a `check`. A property throws, with the user and the first difference in its
 * message, when its law does not hold. Nothing here registers tests: run each with `fc.assert`
 * in the runner you use, or all of them with {@link runAccessLaws}.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { describe, it } from "vitest"; // or node:test, or jest's globals
 * import { accessLaws } from "grantpath/testing/fast-check";
 *
 * describe("my authz wrapper", () => {
 *   for (const law of accessLaws(subject)) {
 *     it(law.name, () => fc.assert(law.property, { numRuns: 200 }));
 *   }
 * });
 * ```
 */
export function accessLaws(subject: AccessSubject, options: AccessLawsOptions = {}): AccessLaw[] {
  const graph = graphInputArbitrary(options.graph);
  const at = instantArbitrary();
  const single: fc.Arbitrary<AccessLawCase> = fc.record({ input: graph, at });
  const makeLaw = (name: AccessLawName, cases: fc.Arbitrary<AccessLawCase>, law: (c: AccessLawCase) => Promise<void>) =>
    ({ name, description: DESCRIPTIONS[name], property: fc.asyncProperty(cases, law) }) satisfies AccessLaw;

  const laws: AccessLaw[] = [
    makeLaw("agreement", single, async ({ input, at }) => {
      for (const userId of userIdsToAsk(input)) {
        const actual = await subject.resolve(input, userId, at);
        expectSame(referenceResolve(input, userId, { at }), actual, `resolve(input, "${userId}", at)`);
      }
    }),
    makeLaw("max", single, async ({ input, at }) => {
      for (const userId of userIdsToAsk(input)) {
        const answer = await subject.resolve(input, userId, at);
        for (const entity of answer.entities) {
          const where = `resolve(input, "${userId}", at): ${entity.entity_type} ${entity.entity_id}`;
          if (entity.grant_paths.length === 0) throw new Error(`${where} is listed without a grant path`);
          const highest = highestLevel(entity.grant_paths);
          if (entity.access_level !== highest) {
            throw new Error(`${where} has level ${entity.access_level}, but its paths' highest level is ${highest}`);
          }
        }
      }
    }),
    makeLaw(
      "monotonicity",
      fc.record({ input: graph, pick: fc.nat(), at }).map(({ input, pick, at }) => withOneGrantMore(input, pick, at)),
      async ({ input, other, at }) => {
        const after = other ?? input;
        for (const userId of userIdsToAsk(after)) {
          const smaller = await subject.resolve(input, userId, at);
          const larger = await subject.resolve(after, userId, at);
          expectSubsumed(smaller, larger, userId);
        }
      },
    ),
    makeLaw(
      "order independence",
      fc
        .record({ input: graph, keys: permutationKeysArbitrary(), at })
        .map(({ input, keys, at }) => ({ input, at, other: reorderGraphInput(input, keys) })),
      async ({ input, other, at }) => {
        for (const userId of userIdsToAsk(input)) {
          const original = await subject.resolve(input, userId, at);
          const reordered = await subject.resolve(other ?? input, userId, at);
          expectSame(original, reordered, `resolve(reordered input, "${userId}", at) against resolve(input, …)`);
        }
      },
    ),
  ];
  const check = subject.check;
  if (check !== undefined) {
    const levels = [undefined, "read", "write", "admin"] as const;
    laws.push(
      makeLaw("check agreement", single, async ({ input, at }) => {
        const entities = entitiesToAsk(input);
        for (const [u, userId] of userIdsToAsk(input).entries()) {
          for (const [e, { entity_type, entity_id }] of entities.entries()) {
            const level = levels[(u + e) % levels.length];
            const options = level === undefined ? { at } : { level, at };
            const actual = await check.call(subject, input, userId, entity_type, entity_id, options);
            const expected = referenceCheck(input, userId, entity_type, entity_id, options);
            expectSame(expected, actual, `check(input, "${userId}", "${entity_type}", "${entity_id}", ${show(level)})`);
          }
        }
      }),
    );
  }
  const wanted = options.laws;
  return wanted === undefined ? laws : laws.filter((law) => wanted.includes(law.name));
}

/** `input` without its grant number `pick`, and `input` with that grant appended: a graph and one with a grant more. */
function withOneGrantMore(input: GraphInput, pick: number, at: Date): AccessLawCase {
  const grants = input.grants ?? [];
  const added = grants[pick % Math.max(grants.length, 1)];
  if (added === undefined) return { input, at, other: input };
  const others = grants.filter((g) => g !== added);
  return { input: { ...input, grants: others }, at, other: { ...input, grants: [...others, added] } };
}

function highestLevel(paths: readonly GrantPath[]): AccessLevel | undefined {
  let best: AccessLevel | undefined;
  for (const path of paths)
    if (best === undefined || levelRank(path.access_level) > levelRank(best)) best = path.access_level;
  return best;
}

/** Everything `smaller` reaches, `larger` reaches at a level at least as high and by every path `smaller` has. */
function expectSubsumed(smaller: ResolvedAccess, larger: ResolvedAccess, userId: string): void {
  for (const entity of smaller.entities) {
    const where = `"${userId}" on ${entity.entity_type} ${entity.entity_id}`;
    const grown = larger.entities.find((e) => e.entity_type === entity.entity_type && e.entity_id === entity.entity_id);
    if (grown === undefined) throw new Error(`adding a grant took away ${where} (it had ${entity.access_level})`);
    if (levelRank(grown.access_level) < levelRank(entity.access_level)) {
      throw new Error(`adding a grant lowered ${where} from ${entity.access_level} to ${grown.access_level}`);
    }
    const paths = new Set(grown.grant_paths.map((path) => canonical(path)));
    for (const path of entity.grant_paths) {
      if (!paths.has(canonical(path))) throw new Error(`adding a grant removed a path of ${where}: ${canonical(path)}`);
    }
  }
}

function show(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}

/** JSON with object keys sorted: equal for equal data, whatever the key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Throws, naming where and the first difference, unless `actual` is `expected` as JSON (key order aside). */
function expectSame(expected: unknown, actual: unknown, where: string): void {
  const difference = firstDifference(asJson(expected), asJson(actual), "");
  if (difference !== undefined) throw new Error(`${where} differs from what was expected at ${difference}`);
}

function asJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function firstDifference(expected: unknown, actual: unknown, path: string): string | undefined {
  if (Object.is(expected, actual)) return undefined;
  const here = path === "" ? "the top" : path;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= actual.length) return `${path}[${i}]: missing ${show(expected[i])}`;
      if (i >= expected.length) return `${path}[${i}]: unexpected ${show(actual[i])}`;
      const difference = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  if (isRecord(expected) && isRecord(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    for (const key of keys) {
      if (!Object.hasOwn(actual, key)) return `${path}.${key}: missing ${show(expected[key])}`;
      if (!Object.hasOwn(expected, key)) return `${path}.${key}: unexpected ${show(actual[key])}`;
      const difference = firstDifference(expected[key], actual[key], `${path}.${key}`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  return `${here}: expected ${show(expected)}, got ${show(actual)}`;
}

/**
 * Options of {@link runAccessLaws}: which laws over which graphs, and how fast-check runs them.
 *
 * @example
 * ```ts
 * const options: RunAccessLawsOptions = { numRuns: 300, seed: 42, graph: { grants: 30 } };
 * ```
 */
export interface RunAccessLawsOptions extends AccessLawsOptions {
  /** Cases per law (default: fast-check's global setting, 100 unless configured). */
  readonly numRuns?: number | undefined;
  /** The seed, to replay a failure fast-check reported. */
  readonly seed?: number | undefined;
  /** Any other fast-check parameters (`numRuns` and `seed` above take precedence). */
  readonly parameters?: fc.Parameters<[AccessLawCase]> | undefined;
}

/**
 * A law that did not hold: thrown by {@link runAccessLaws}, naming the law; `cause` is
 * fast-check's error, whose message holds the counterexample, the seed and the path to replay it.
 *
 * @example
 * ```ts
 * try {
 *   await runAccessLaws(subject);
 * } catch (error) {
 *   if (error instanceof AccessLawError) console.error(error.law, error.message);
 *   throw error;
 * }
 * ```
 */
export class AccessLawError extends Error {
  /** The law that did not hold. */
  readonly law: AccessLawName;

  /**
   * @param law - the law that did not hold
   * @param cause - fast-check's error
   * @example
   * ```ts
   * throw new AccessLawError("agreement", failure);
   * ```
   */
  constructor(law: AccessLawName, cause: unknown) {
    const report = cause instanceof Error ? cause.message : String(cause);
    // fast-check 4 keeps the property's own error as the report's cause; 3 writes it into the report.
    const reason = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : undefined;
    const detail = reason === undefined || report.includes(reason) ? report : `${reason}\n${report}`;
    super(`access law "${law}" does not hold (${DESCRIPTIONS[law]}):\n${detail}`, { cause });
    this.name = "AccessLawError";
    this.law = law;
  }
}

/**
 * Runs every law of {@link accessLaws} with `fc.assert`, one after the other, and rejects with an
 * {@link AccessLawError} naming the first that fails: for a runner where registering one test
 * per law is awkward, or a script.
 *
 * @example
 * ```ts
 * import { test } from "node:test";
 * import { runAccessLaws } from "grantpath/testing/fast-check";
 *
 * test("my wrapper obeys the access laws", () => runAccessLaws(subject, { numRuns: 200 }));
 * ```
 */
export async function runAccessLaws(subject: AccessSubject, options: RunAccessLawsOptions = {}): Promise<void> {
  const parameters: fc.Parameters<[AccessLawCase]> = {
    ...options.parameters,
    ...(options.numRuns === undefined ? {} : { numRuns: options.numRuns }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  };
  for (const law of accessLaws(subject, options)) {
    try {
      await fc.assert(law.property, parameters);
    } catch (error) {
      throw new AccessLawError(law.name, error);
    }
  }
}
