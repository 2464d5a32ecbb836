// The access laws of grantpath/testing/fast-check, run the way an adopter runs them: against
// grantpath itself (they hold), and against subjects broken the ways wrappers break — each law
// catches the bug it is there for, and says which law and which user.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AccessGraph,
  checkAccess,
  createGraph,
  type GraphInput,
  type ResolvedAccess,
  type ResolvedEntity,
  resolveAccess,
} from "../../src/index.js";
import {
  AccessLawError,
  type AccessLawName,
  type AccessSubject,
  accessLaws,
  runAccessLaws,
} from "../../src/testing/fast-check.js";

const RANK = { read: 0, write: 1, admin: 2 } as const;

/** One graph per generated input: the laws ask every user of a graph in a row. */
function graphs(): (input: GraphInput) => AccessGraph {
  const built = new WeakMap<GraphInput, AccessGraph>();
  return (input) => {
    let graph = built.get(input);
    if (graph === undefined) {
      graph = createGraph(input);
      built.set(input, graph);
    }
    return graph;
  };
}

function grantpathSubject(): AccessSubject {
  const graphOf = graphs();
  return {
    resolve: (input, userId, at) => resolveAccess(graphOf(input), userId, { at }),
    check: (input, userId, entityType, entityId, options) =>
      checkAccess(graphOf(input), userId, entityType, entityId, options),
  };
}

/** A subject that rewrites grantpath's answer, entity by entity (an entity left with no path goes). */
function brokenSubject(
  change: (entity: ResolvedEntity, input: GraphInput) => ResolvedEntity,
  async = false,
): AccessSubject {
  const graphOf = graphs();
  const resolve = (input: GraphInput, userId: string, at: Date): ResolvedAccess => {
    const answer = resolveAccess(graphOf(input), userId, { at });
    const entities = answer.entities.map((e) => change(e, input)).filter((e) => e.grant_paths.length > 0);
    return { user_id: answer.user_id, entities };
  };
  return { resolve: async ? async (input, userId, at) => resolve(input, userId, at) : resolve };
}

/** Paths kept as the subject likes, the level recomputed honestly from them. */
function keepPaths(entity: ResolvedEntity, keep: (path: ResolvedEntity["grant_paths"][number]) => boolean) {
  const grant_paths = entity.grant_paths.filter(keep);
  let access_level = grant_paths[0]?.access_level ?? entity.access_level;
  for (const path of grant_paths) if (RANK[path.access_level] > RANK[access_level]) access_level = path.access_level;
  return { ...entity, access_level, grant_paths };
}

/** A wrapper that forgot nested departments: department paths are dropped. */
const dropsDepartmentPaths = brokenSubject((entity) => keepPaths(entity, (path) => path.type !== "department"), true);

/** "The most restrictive grant wins": only the lowest level's paths are kept. */
const mostRestrictiveWins = brokenSubject((entity) => {
  const lowest = Math.min(...entity.grant_paths.map((path) => RANK[path.access_level]));
  return keepPaths(entity, (path) => RANK[path.access_level] === lowest);
});

/** "The first grant listed wins": only the path of the grant listed first in the input is kept. */
const firstListedWins = brokenSubject((entity, input) => {
  const order = (input.grants ?? []).map((grant) => grant.id);
  const first = Math.min(...entity.grant_paths.map((path) => order.indexOf(path.grant_id)));
  return keepPaths(entity, (path) => order.indexOf(path.grant_id) === first);
});

/** Reports the level of the first path in docs/spec.md §3's order (direct first), not the highest. */
const firstPathLevel = brokenSubject((entity) => ({
  ...entity,
  access_level: entity.grant_paths[0]?.access_level ?? entity.access_level,
}));

/** One law, run by runAccessLaws: resolves when it holds, rejects with an AccessLawError giving the reason. */
function runLaw(subject: AccessSubject, name: AccessLawName, numRuns = 200): Promise<void> {
  return runAccessLaws(subject, { laws: [name], numRuns });
}

describe("the access laws hold for grantpath", () => {
  const laws = accessLaws(grantpathSubject());

  it("are the four laws of docs/spec.md §4, plus check agreement for a subject with a check", () => {
    expect(laws.map((law) => law.name)).toStrictEqual([
      "agreement",
      "max",
      "monotonicity",
      "order independence",
      "check agreement",
    ]);
    const resolveOnly = accessLaws({ resolve: grantpathSubject().resolve });
    expect(resolveOnly.map((law) => law.name)).not.toContain("check agreement");
    expect(accessLaws(grantpathSubject(), { laws: ["max"] }).map((law) => law.name)).toStrictEqual(["max"]);
  });

  // One test per law, as an adopter registers them; fast-check runs the global number of cases.
  for (const law of laws) {
    it(law.name, () => fc.assert(law.property));
  }

  it("runAccessLaws runs them all, on larger and deeper graphs too", async () => {
    await runAccessLaws(grantpathSubject(), { numRuns: 50 });
    await runAccessLaws(grantpathSubject(), {
      numRuns: 30,
      graph: { users: 10, departments: 10, slices: 10, grants: 60, departmentDepth: 6, compositeDepth: 5, fanOut: 4 },
    });
  });
});

describe("the access laws catch broken subjects", () => {
  it("agreement catches a wrapper that drops department paths, which the other laws let pass", async () => {
    await expect(runLaw(dropsDepartmentPaths, "agreement")).rejects.toThrow(
      /differs from what was expected at \.entities/,
    );
    await runLaw(dropsDepartmentPaths, "max");
    await runLaw(dropsDepartmentPaths, "monotonicity");
    await runLaw(dropsDepartmentPaths, "order independence");
  });

  it("runAccessLaws rejects with an AccessLawError naming the law, the user and the counterexample", async () => {
    // Run directly, a law's property fails with fast-check's report, the reason as its cause.
    const agreement = accessLaws(dropsDepartmentPaths)[0];
    const direct = await fc.assert(agreement?.property ?? fc.asyncProperty(fc.constant(0), () => {})).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(direct).toBeInstanceOf(Error);
    const reason = direct instanceof Error ? direct.cause : undefined;
    expect(reason instanceof Error ? reason.message : reason).toMatch(/differs from what was expected/);

    const failure = await runAccessLaws(dropsDepartmentPaths, { numRuns: 200 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AccessLawError);
    if (!(failure instanceof AccessLawError)) return;
    expect(failure.law).toBe("agreement");
    expect(failure.message).toMatch(/^access law "agreement" does not hold/);
    expect(failure.message).toMatch(/resolve\(input, "usr_[^"]+", at\) differs from what was expected at \.entities/);
    expect(failure.message).toMatch(/Counterexample/);
    expect(failure.cause).toBeInstanceOf(Error);
  });

  it("monotonicity catches “the most restrictive grant wins”", async () => {
    await expect(runLaw(mostRestrictiveWins, "monotonicity")).rejects.toThrow(/adding a grant (lowered|removed)/);
    await runLaw(mostRestrictiveWins, "max");
    await expect(runLaw(mostRestrictiveWins, "agreement")).rejects.toThrow();
  });

  it("order independence catches “the first grant listed wins”", async () => {
    await expect(runLaw(firstListedWins, "order independence")).rejects.toThrow(/reordered input/);
    await runLaw(firstListedWins, "max");
    await runLaw(firstListedWins, "monotonicity");
  });

  it("max catches a level taken from the first path instead of the highest", async () => {
    await expect(runLaw(firstPathLevel, "max")).rejects.toThrow(/paths' highest level is/);
  });

  it("check agreement catches a check that ignores the level asked for", async () => {
    const graphOf = graphs();
    const subject: AccessSubject = {
      resolve: (input, userId, at) => resolveAccess(graphOf(input), userId, { at }),
      check: (input, userId, entityType, entityId, options) =>
        checkAccess(graphOf(input), userId, entityType, entityId, { at: options.at }),
    };
    await expect(runLaw(subject, "check agreement")).rejects.toThrow(/\.allowed: expected false, got true/);
  });
});
