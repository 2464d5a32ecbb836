/**
 * Huge answers, whole and paged: a user reached through one composite of 100,000
 * slices, and a vector store that 200,000 users reach. Each question is asked for the whole
 * answer and for a page of 20 (the first, and one in the middle), the pages in alternation and
 * each whole answer after a full collection, so that no call pays for another's garbage. Also
 * timed with `JSON.stringify`, which the HTTP route adds to every call. `bench/run.ts` prints
 * the rows with the others; this part takes about 30 s.
 */
import {
  type AccessGraph,
  createGraph,
  type ResolvedAccess,
  resolveAccess,
  type UsersWithAccess,
  usersWithAccess,
} from "../src/index.js";
import { BENCH_INSTANT, seededRandom } from "./generate-organization.js";
import { type Stats, stats } from "./measure.js";

const at = BENCH_INSTANT;
export const COMPOSITE_MEMBERS = 100_000;
export const USERS = 200_000;
const PAGE = 20;

/** One question, asked whole and as pages, with the size of what each answers. */
export interface HugeAnswerResult {
  readonly question: string;
  /** Timings by system name ("whole", "page of 20 …"), in alternation. */
  readonly timings: Record<string, Stats>;
  /** JSON size of each system's answer, in bytes. */
  readonly bytes: Record<string, number>;
}

/** A graph whose one user reaches every slice of a 100,000-member composite, through two grants. */
function compositeGraph(): AccessGraph {
  const random = seededRandom(11);
  // Ids in no particular order, as a real composite's members would be.
  const members = Array.from({ length: COMPOSITE_MEMBERS }, (_, i) => `kslice_${Math.floor(random() * 1e9)}x${i}`);
  return createGraph({
    organization_id: "org_huge",
    users: [{ id: "usr_reader", department_ids: ["dept_all"] }],
    composites: [{ id: "kslice_library", member_slice_ids: members }],
    grants: [
      {
        id: "agrant_dept",
        entity_type: "knowledge_slice",
        entity_id: "kslice_library",
        grantee_type: "department",
        grantee_id: "dept_all",
        access_level: "read",
      },
      {
        id: "agrant_user",
        entity_type: "knowledge_slice",
        entity_id: "kslice_library",
        grantee_type: "user",
        grantee_id: "usr_reader",
        access_level: "write",
      },
    ],
  });
}

/** 200,000 users in ten departments under one, a third of them in a role too; both granted one store. */
function manyUsersGraph(): AccessGraph {
  const random = seededRandom(12);
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: `usr_${Math.floor(random() * 1e9)}x${i}`,
    department_ids: [`dept_${i % 10}`],
    role_ids: i % 3 === 0 ? ["role_staff"] : [],
  }));
  return createGraph({
    organization_id: "org_huge",
    users,
    departments: Array.from({ length: 10 }, (_, i) => ({ id: `dept_${i}`, parent_id: i === 0 ? null : "dept_0" })),
    grants: [
      {
        id: "agrant_dept",
        entity_type: "vector_store",
        entity_id: "vs_handbook",
        grantee_type: "department",
        grantee_id: "dept_0",
        access_level: "read",
      },
      {
        id: "agrant_role",
        entity_type: "vector_store",
        entity_id: "vs_handbook",
        grantee_type: "role",
        grantee_id: "role_staff",
        access_level: "write",
      },
    ],
  });
}

/**
 * `samples` calls of each system. The pages are timed in alternation among themselves first; then
 * the whole answers, each after a full collection (untimed) of the one before: interleaved, the
 * page after a whole answer paid for sweeping its tens of MB (measured: 20 ms more on the page
 * right after it than on the next one).
 */
function measure(samples: number, systems: Readonly<Record<string, () => unknown>>): Record<string, Stats> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const taken: Record<string, number[]> = {};
  for (const name of Object.keys(systems)) taken[name] = [];
  let sink = 0;
  const time = (name: string, run: () => unknown) => {
    const start = performance.now();
    if (run()) sink++;
    taken[name]?.push(performance.now() - start);
  };
  const pages = Object.entries(systems).filter(([name]) => name !== "whole");
  gc?.();
  for (let round = 0; round < samples; round++) for (const [name, run] of pages) time(name, run);
  const whole = systems.whole;
  for (let round = 0; whole && round < samples; round++) {
    gc?.();
    time("whole", whole);
  }
  if (sink < 0) console.log(sink);
  return Object.fromEntries(Object.entries(taken).map(([name, s]) => [name, stats(s)]));
}

function sizes(answers: Readonly<Record<string, unknown>>): Record<string, number> {
  return Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, JSON.stringify(answer).length]));
}

/** Asserts that the pages hold what the whole answer holds at their positions. */
function checkPages<T>(whole: readonly T[], pages: readonly (readonly [number, readonly T[]])[]): void {
  for (const [skip, items] of pages) {
    if (JSON.stringify(items) !== JSON.stringify(whole.slice(skip, skip + PAGE))) {
      throw new Error(`the page at ${skip} differs from the whole answer`);
    }
  }
}

/** Both questions, whole and paged; `samples` rounds each. */
export function measureHugeAnswers(samples: number): HugeAnswerResult[] {
  const results: HugeAnswerResult[] = [];

  const library = compositeGraph();
  const middle = COMPOSITE_MEMBERS / 2;
  const resolvers = {
    whole: () => resolveAccess(library, "usr_reader", { at }),
    "first 20": () => resolveAccess(library, "usr_reader", { at, limit: PAGE }),
    [`20 at ${middle}`]: () => resolveAccess(library, "usr_reader", { at, skip: middle, limit: PAGE }),
  };
  const whole = resolvers.whole() as ResolvedAccess;
  checkPages(whole.entities, [
    [0, resolveAccess(library, "usr_reader", { at, limit: PAGE }).entities],
    [middle, resolveAccess(library, "usr_reader", { at, skip: middle, limit: PAGE }).entities],
  ]);
  const resolveQ = `resolveAccess, user through a ${COMPOSITE_MEMBERS}-slice composite`;
  results.push({
    question: resolveQ,
    timings: measure(samples, resolvers),
    bytes: sizes(Object.fromEntries(Object.entries(resolvers).map(([name, run]) => [name, run()]))),
  });
  results.push({
    question: `${resolveQ}, + JSON.stringify`,
    timings: measure(samples, {
      whole: () => JSON.stringify(resolvers.whole()),
      "first 20": () => JSON.stringify(resolvers["first 20"]()),
    }),
    bytes: {},
  });

  const store = manyUsersGraph();
  const middleUser = USERS / 2;
  const listers = {
    whole: () => usersWithAccess(store, "vector_store", "vs_handbook", { at }),
    "first 20": () => usersWithAccess(store, "vector_store", "vs_handbook", { at, limit: PAGE }),
    [`20 at ${middleUser}`]: () =>
      usersWithAccess(store, "vector_store", "vs_handbook", { at, skip: middleUser, limit: PAGE }),
  };
  const everyone = listers.whole() as UsersWithAccess;
  checkPages(everyone.users, [
    [0, usersWithAccess(store, "vector_store", "vs_handbook", { at, limit: PAGE }).users],
    [middleUser, usersWithAccess(store, "vector_store", "vs_handbook", { at, skip: middleUser, limit: PAGE }).users],
  ]);
  const listQ = `usersWithAccess, a store ${USERS} users reach`;
  results.push({
    question: listQ,
    timings: measure(samples, listers),
    bytes: sizes(Object.fromEntries(Object.entries(listers).map(([name, run]) => [name, run()]))),
  });
  results.push({
    question: `${listQ}, + JSON.stringify`,
    timings: measure(samples, {
      whole: () => JSON.stringify(listers.whole()),
      "first 20": () => JSON.stringify(listers["first 20"]()),
    }),
    bytes: {},
  });
  return results;
}
