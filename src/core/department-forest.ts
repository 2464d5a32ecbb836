/**
 * The department forest and its closures. Every department knows its strict ancestors
 * (nearest first) and its strict descendants, so resolution walks no chains and a
 * users-with-access question visits only the departments under the granted one.
 * A move rewrites the closures of the moved subtree and of the old and new ancestors only.
 * @module
 */
import { AccessError } from "./errors.js";
import type { GraphState } from "./graph-state.js";
import { trieDelete, trieGet, trieSet } from "./hash-trie.js";

/** Strict ancestors of a department, nearest first (empty for a root or an unknown id). */
export function departmentAncestors(state: GraphState, departmentId: string): readonly string[] {
  return trieGet(state.departmentAncestors, departmentId) ?? [];
}

/** Strict descendants of a department, in no particular order. */
export function departmentDescendants(state: GraphState, departmentId: string): readonly string[] {
  return trieGet(state.departmentDescendants, departmentId) ?? [];
}

/** The parent of a department, or `null` for a root or an undeclared department. */
export function departmentParent(state: GraphState, departmentId: string): string | null {
  return trieGet(state.departments, departmentId) ?? null;
}

/** Whether a department is named anywhere: declared, a parent, holding members or grants. */
export function departmentIsKnown(state: GraphState, departmentId: string): boolean {
  return (
    trieGet(state.departments, departmentId) !== undefined ||
    trieGet(state.departmentDescendants, departmentId) !== undefined ||
    trieGet(state.departmentMembers, departmentId) !== undefined ||
    trieGet(state.grantsByGrantee, departmentId) !== undefined
  );
}

/**
 * Declares `departmentId` (if it was only implicit) and gives it `parentId`, keeping every
 * closure exact. Throws `INVALID_GRAPH`, changing nothing, when the parent is the department
 * itself or one of its descendants.
 */
export function setDepartmentParent(
  state: GraphState,
  departmentId: string,
  parentId: string | null,
  field: string,
): void {
  const subtreeBelow = departmentDescendants(state, departmentId);
  if (parentId !== null && (parentId === departmentId || subtreeBelow.includes(parentId))) {
    throw cycleError(state, departmentId, parentId, field);
  }
  const oldAncestors = departmentAncestors(state, departmentId);
  const newAncestors = parentId === null ? [] : [parentId, ...departmentAncestors(state, parentId)];
  state.departments = trieSet(state.departments, departmentId, parentId);
  if (oldAncestors.length === newAncestors.length && oldAncestors.every((id, i) => id === newAncestors[i])) return;

  const subtree = [departmentId, ...subtreeBelow];
  const moved = new Set(subtree);
  for (const ancestor of oldAncestors) {
    const remaining = departmentDescendants(state, ancestor).filter((id) => !moved.has(id));
    state.departmentDescendants =
      remaining.length === 0
        ? trieDelete(state.departmentDescendants, ancestor)
        : trieSet(state.departmentDescendants, ancestor, remaining);
  }
  for (const ancestor of newAncestors) {
    state.departmentDescendants = trieSet(state.departmentDescendants, ancestor, [
      ...departmentDescendants(state, ancestor),
      ...subtree,
    ]);
  }
  // Inside the subtree, each department keeps its chain up to the moved one and swaps the rest.
  for (const id of subtree) {
    const ancestors = departmentAncestors(state, id);
    const keep = id === departmentId ? 0 : ancestors.length - oldAncestors.length;
    const updated = [...ancestors.slice(0, keep), ...newAncestors];
    state.departmentAncestors =
      updated.length === 0
        ? trieDelete(state.departmentAncestors, id)
        : trieSet(state.departmentAncestors, id, updated);
  }
}

function cycleError(state: GraphState, departmentId: string, parentId: string, field: string): AccessError {
  // Walk up from the would-be parent to the department: that chain plus the new edge is the cycle.
  const chain = [parentId];
  for (const ancestor of departmentAncestors(state, parentId)) {
    if (chain[chain.length - 1] === departmentId) break;
    chain.push(ancestor);
  }
  const cycle = [departmentId, ...chain];
  if (cycle[cycle.length - 1] !== departmentId) cycle.push(departmentId);
  return new AccessError("INVALID_GRAPH", {
    field,
    message: `${field} would create a department cycle: ${cycle.join(" -> ")}`,
    cycle,
  });
}

/** Removes a department's own closures; its subtree must already have been moved away. */
export function forgetDepartment(state: GraphState, departmentId: string): void {
  setDepartmentParent(state, departmentId, null, "department_id");
  state.departments = trieDelete(state.departments, departmentId);
  state.departmentAncestors = trieDelete(state.departmentAncestors, departmentId);
  state.departmentDescendants = trieDelete(state.departmentDescendants, departmentId);
}

/** A declared department as `createGraph` reads it. */
export interface DepartmentDeclaration {
  readonly id: string;
  readonly parent_id: string | null;
}

/**
 * Builds the forest and both closures for a whole list at once, in time proportional to the
 * closures' size (a per-department insert would copy ancestor lists again and again). A cycle is
 * reported as the incremental inserts would have: at the department whose `parent_id` closes the
 * earliest-completed cycle, named by `fieldOf(index)`.
 */
export function buildDepartmentForest(
  state: GraphState,
  departments: readonly DepartmentDeclaration[],
  fieldOf: (index: number) => string,
): void {
  const parentOf = new Map(departments.map((d) => [d.id, d.parent_id]));
  const indexOf = new Map(departments.map((d, index) => [d.id, index]));
  rejectEarliestCycle(departments, parentOf, indexOf, fieldOf);

  const ancestors = new Map<string, readonly string[]>();
  const ancestorsOf = (id: string): readonly string[] => {
    const known = ancestors.get(id);
    if (known) return known;
    const chain: string[] = [];
    // Walk up iteratively (chains may be thousands deep) until a department with known ancestors.
    let cursor = parentOf.get(id) ?? null;
    let tail: readonly string[] = [];
    while (cursor !== null) {
      chain.push(cursor);
      const cached = ancestors.get(cursor);
      if (cached) {
        tail = cached;
        break;
      }
      cursor = parentOf.get(cursor) ?? null;
    }
    const result = tail.length === 0 ? chain : [...chain, ...tail];
    ancestors.set(id, result);
    return result;
  };

  const descendants = new Map<string, string[]>();
  for (const { id, parent_id } of departments) {
    state.departments = trieSet(state.departments, id, parent_id);
    const above = ancestorsOf(id);
    if (above.length === 0) continue;
    state.departmentAncestors = trieSet(state.departmentAncestors, id, above);
    for (const ancestor of above) {
      const list = descendants.get(ancestor);
      if (list) list.push(id);
      else descendants.set(ancestor, [id]);
    }
  }
  for (const [ancestor, below] of descendants) {
    state.departmentDescendants = trieSet(state.departmentDescendants, ancestor, below);
  }
}

function rejectEarliestCycle(
  departments: readonly DepartmentDeclaration[],
  parentOf: ReadonlyMap<string, string | null>,
  indexOf: ReadonlyMap<string, number>,
  fieldOf: (index: number) => string,
): void {
  // Each department has one parent, so cycles are disjoint rings; find them all with colours.
  const state = new Map<string, "visiting" | "done">();
  let earliest: { closingIndex: number; members: string[] } | null = null;
  for (const { id } of departments) {
    const path: string[] = [];
    let cursor: string | null = id;
    while (cursor !== null && !state.has(cursor)) {
      state.set(cursor, "visiting");
      path.push(cursor);
      cursor = parentOf.get(cursor) ?? null;
    }
    if (cursor !== null && state.get(cursor) === "visiting") {
      const members = path.slice(path.indexOf(cursor));
      const closingIndex = Math.max(...members.map((m) => indexOf.get(m) ?? -1));
      if (earliest === null || closingIndex < earliest.closingIndex) earliest = { closingIndex, members };
    }
    for (const visited of path) state.set(visited, "done");
  }
  if (earliest === null) return;
  const closing = departments[earliest.closingIndex] as DepartmentDeclaration;
  const cycle = [closing.id];
  let cursor = parentOf.get(closing.id) ?? null;
  while (cursor !== null && cursor !== closing.id) {
    cycle.push(cursor);
    cursor = parentOf.get(cursor) ?? null;
  }
  cycle.push(closing.id);
  const field = fieldOf(earliest.closingIndex);
  throw new AccessError("INVALID_GRAPH", {
    field,
    message: `${field} would create a department cycle: ${cycle.join(" -> ")}`,
    cycle,
  });
}
