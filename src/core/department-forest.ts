/**
 * The department forest: each department's parent, and each department's direct children. No
 * closure is stored: a department's ancestors are its parent chain (bounded by the depth
 * limit), its descendants a walk down the children. So a write costs what it touches — a move
 * walks the new parent's chain and the moved subtree, never every chain above or below — and a
 * graph keeps one entry per department however deep the forest is. (Ancestor and descendant
 * lists per department cost depth² in time and memory: a 10,000-deep chain took 8 s and 1.5 GB
 * to build.)
 * @module
 */
import { cycleError } from "./error-constructors.js";
import { type AccessError, validationError } from "./errors.js";
import type { GraphState, IdSet } from "./graph-state.js";
import { emptyTrie, type TrieNode, trieDelete, trieGet, trieKeys, trieSet, trieSize } from "./hash-trie.js";

/** The parent of a department, or `null` for a root or an undeclared department. */
export function departmentParent(state: GraphState, departmentId: string): string | null {
  return trieGet(state.departments, departmentId) ?? null;
}

/** Strict ancestors of a department, nearest first (empty for a root or an unknown id). */
export function departmentAncestors(state: GraphState, departmentId: string): string[] {
  const ancestors: string[] = [];
  for (let parent = departmentParent(state, departmentId); parent !== null; parent = departmentParent(state, parent)) {
    ancestors.push(parent);
  }
  return ancestors;
}

/** The departments whose parent is this one, in no particular order. */
export function departmentChildren(state: GraphState, departmentId: string): string[] {
  const children = trieGet(state.departmentChildren, departmentId);
  return children === undefined ? [] : trieKeys(children);
}

/** Strict descendants of a department, in no particular order. */
export function departmentDescendants(state: GraphState, departmentId: string): string[] {
  const found: string[] = [];
  const stack = departmentChildren(state, departmentId);
  while (stack.length > 0) {
    const id = stack.pop() as string;
    found.push(id);
    const below = trieGet(state.departmentChildren, id);
    if (below !== undefined) stack.push(...trieKeys(below));
  }
  return found;
}

/** Whether a department is named anywhere: declared, a parent, holding members or grants. */
export function departmentIsKnown(state: GraphState, departmentId: string): boolean {
  return (
    trieGet(state.departments, departmentId) !== undefined ||
    trieGet(state.departmentChildren, departmentId) !== undefined ||
    trieGet(state.departmentMembers, departmentId) !== undefined ||
    trieGet(state.grantsByGrantee, departmentId) !== undefined
  );
}

/** How many levels the subtree under a department adds below it (0 without children). */
function heightBelow(state: GraphState, departmentId: string): number {
  let height = 0;
  const stack: [string, number][] = [[departmentId, 0]];
  while (stack.length > 0) {
    const [id, level] = stack.pop() as [string, number];
    if (level > height) height = level;
    const below = trieGet(state.departmentChildren, id);
    if (below !== undefined) for (const child of trieKeys(below)) stack.push([child, level + 1]);
  }
  return height;
}

/**
 * Declares `departmentId` (if it was only implicit) and gives it `parentId`. Throws, changing
 * nothing, `INVALID_GRAPH` when the parent is the department itself or one of its descendants,
 * and `VALIDATION_ERROR` when the deepest department of the moved subtree would lie deeper than
 * the graph's `maxDepartmentDepth`. Costs the new parent's chain and, when the department has
 * children, its subtree.
 */
export function setDepartmentParent(
  state: GraphState,
  departmentId: string,
  parentId: string | null,
  field: string,
): void {
  if (parentId !== null) {
    const chain = [parentId, ...departmentAncestors(state, parentId)];
    if (chain.includes(departmentId)) throw departmentCycle(departmentId, chain, field);
    const deepest = chain.length + 1 + heightBelow(state, departmentId);
    const max = state.limits.maxDepartmentDepth;
    if (deepest > max) throw departmentDepthError(field, departmentId, deepest, max);
  }
  const previous = departmentParent(state, departmentId);
  state.departments = trieSet(state.departments, departmentId, parentId);
  if (previous === parentId) return;
  if (previous !== null) state.departmentChildren = withoutChild(state.departmentChildren, previous, departmentId);
  if (parentId !== null) state.departmentChildren = withChild(state.departmentChildren, parentId, departmentId);
}

/**
 * Takes a department's declaration back, as storage's `delete_department` does: it becomes an
 * undeclared root, and sub-departments that still name it keep it as their parent.
 */
export function undeclareDepartment(state: GraphState, departmentId: string, field: string): void {
  if (trieGet(state.departments, departmentId) === undefined) return;
  setDepartmentParent(state, departmentId, null, field);
  state.departments = trieDelete(state.departments, departmentId);
}

function withChild(index: TrieNode<IdSet>, parentId: string, childId: string): TrieNode<IdSet> {
  return trieSet(index, parentId, trieSet(trieGet(index, parentId) ?? emptyTrie<true>(), childId, true));
}

function withoutChild(index: TrieNode<IdSet>, parentId: string, childId: string): TrieNode<IdSet> {
  const children = trieGet(index, parentId);
  if (children === undefined) return index;
  const remaining = trieDelete(children, childId);
  return trieSize(remaining) === 0 ? trieDelete(index, parentId) : trieSet(index, parentId, remaining);
}

function departmentCycle(departmentId: string, chainAboveParent: readonly string[], field: string): AccessError {
  // The new parent's chain up to the department, plus the new edge, is the cycle.
  const upTo = chainAboveParent.slice(0, chainAboveParent.indexOf(departmentId) + 1);
  return cycleError("department", field, [departmentId, ...upTo]);
}

function departmentDepthError(field: string, departmentId: string, depth: number, max: number): AccessError {
  return validationError(
    field,
    `${field} would make a chain of departments ${depth} deep (through ${departmentId}); the limit maxDepartmentDepth is ${max}`,
    { limit: "maxDepartmentDepth", max, depth },
  );
}

/** A declared department as `createGraph` reads it. */
export interface DepartmentDeclaration {
  readonly id: string;
  readonly parent_id: string | null;
}

/**
 * Builds the forest for a whole list at once, in time proportional to the list. A cycle is
 * reported as the incremental inserts would have: at the department whose `parent_id` closes the
 * earliest-completed cycle, named by `fieldOf(index)`; then a chain deeper than
 * `maxDepartmentDepth`, at the first department (in input order) that lies too deep.
 */
export function buildDepartmentForest(
  state: GraphState,
  departments: readonly DepartmentDeclaration[],
  fieldOf: (index: number) => string,
): void {
  const parentOf = new Map(departments.map((d) => [d.id, d.parent_id]));
  const indexOf = new Map(departments.map((d, index) => [d.id, index]));
  rejectEarliestCycle(departments, parentOf, indexOf, fieldOf);
  rejectTooDeep(departments, parentOf, state.limits.maxDepartmentDepth, fieldOf);

  const children = new Map<string, string[]>();
  for (const { id, parent_id } of departments) {
    state.departments = trieSet(state.departments, id, parent_id);
    if (parent_id === null) continue;
    const list = children.get(parent_id);
    if (list) list.push(id);
    else children.set(parent_id, [id]);
  }
  for (const [parentId, ids] of children) {
    let set = emptyTrie<true>();
    for (const id of ids) set = trieSet(set, id, true);
    state.departmentChildren = trieSet(state.departmentChildren, parentId, set);
  }
}

/** Throws for the first department (in input order) whose chain from the top is deeper than `max`. */
function rejectTooDeep(
  departments: readonly DepartmentDeclaration[],
  parentOf: ReadonlyMap<string, string | null>,
  max: number,
  fieldOf: (index: number) => string,
): void {
  const depths = new Map<string, number>();
  // Iterative, memoized: each department's depth is computed once, whatever the chain's length.
  const depthOfDeclared = (id: string): number => {
    const chain: string[] = [];
    let cursor: string | null = id;
    let base = 0;
    while (cursor !== null) {
      const known = depths.get(cursor);
      if (known !== undefined) {
        base = known;
        break;
      }
      chain.push(cursor);
      cursor = parentOf.get(cursor) ?? null;
    }
    for (let i = chain.length - 1; i >= 0; i--) depths.set(chain[i] as string, ++base);
    return depths.get(id) as number;
  };
  departments.forEach(({ id }, index) => {
    const depth = depthOfDeclared(id);
    if (depth > max) throw departmentDepthError(fieldOf(index), id, depth, max);
  });
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
      // A reduce, not Math.max(...): a ring may hold more departments than a call has arguments.
      const closingIndex = members.reduce((latest, m) => Math.max(latest, indexOf.get(m) ?? -1), -1);
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
  throw cycleError("department", fieldOf(earliest.closingIndex), cycle);
}
