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
