/**
 * The problems of a graph file, not only the first: `createGraph` stops at the first, so each
 * list item is checked on its own (its first problem, with its field path renamed back to its
 * real index), duplicates are found across items, and once the items are sound each list's
 * structure (department cycles, composite cycles, two grants for one pair) is checked.
 * @module
 */
import { AccessError, createGraph } from "../core/index.js";

/** One problem: the stable code, the field path and what is wrong. */
export interface GraphProblem {
  readonly code: string;
  readonly field: string;
  readonly message: string;
}

const LISTS = ["owners", "users", "departments", "roles", "composites", "grants"] as const;

function problemOf(error: unknown): GraphProblem {
  if (!(error instanceof AccessError)) throw error;
  const field = typeof error.details.field === "string" ? error.details.field : "";
  const message = typeof error.details.message === "string" ? error.details.message : error.message;
  return { code: error.code, field, message };
}

function attempt(input: unknown): GraphProblem | null {
  try {
    createGraph(input as never);
    return null;
  } catch (error) {
    return problemOf(error);
  }
}

export function collectProblems(input: unknown): GraphProblem[] {
  const whole = attempt(input);
  if (whole === null) return [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) return [whole];
  const root = input as Record<string, unknown>;
  const base = { organization_id: root.organization_id };
  const head = attempt(base);
  if (head !== null) return [head];

  const problems: GraphProblem[] = [];
  for (const list of LISTS) {
    const items = root[list];
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items)) {
      const problem = attempt({ ...base, [list]: items });
      if (problem) problems.push(problem);
      continue;
    }
    const seen = new Map<unknown, number>();
    Array.from(items).forEach((item, index) => {
      const problem = attempt({ ...base, [list]: [item] });
      if (problem) {
        const rename = (text: string) => text.replaceAll(`${list}[0]`, `${list}[${index}]`);
        problems.push({ ...problem, field: rename(problem.field), message: rename(problem.message) });
        return;
      }
      const id = list === "owners" ? item : (item as { id?: unknown }).id;
      if (id === undefined) return;
      const earlier = seen.get(id);
      if (earlier !== undefined && list !== "owners") {
        problems.push({
          code: "VALIDATION_ERROR",
          field: `${list}[${index}].id`,
          message: `${list}[${index}].id ${String(id)} duplicates ${list}[${earlier}].id`,
        });
      } else {
        seen.set(id, index);
      }
    });
  }
  if (problems.length > 0) return problems;
  // Structure can only be judged once every item is sound. Each structure lives in one list
  // (department cycles, composite cycles, two grants for one pair), so each list is checked on
  // its own to report them all; the whole input names anything that spans lists.
  for (const list of ["departments", "composites", "grants"] as const) {
    const problem = root[list] === undefined ? null : attempt({ ...base, [list]: root[list] });
    if (problem) problems.push(problem);
  }
  return problems.length > 0 ? problems : [whole];
}
