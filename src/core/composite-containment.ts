/**
 * Composite containment and its closures. Each composite knows every slice it reaches and each
 * slice every composite that reaches it, so a composite grant fans out without a walk and a
 * check on one slice looks up only the composites above it. Containment is kept acyclic at
 * write time; the walks below still carry visited sets, so a cyclic stored graph terminates.
 * @module
 */
import { AccessError } from "./errors.js";
import type { GraphState } from "./graph-state.js";
import { trieDelete, trieGet, trieSet } from "./hash-trie.js";

/** Every slice a composite reaches through containment, not itself; sorted. */
export function compositeDescendants(state: GraphState, compositeId: string): readonly string[] {
  return trieGet(state.compositeDescendants, compositeId) ?? [];
}

/** Every composite that reaches a slice through containment; sorted. */
export function compositeAncestors(state: GraphState, sliceId: string): readonly string[] {
  return trieGet(state.compositeAncestors, sliceId) ?? [];
}

/** The slices a composite directly contains (empty when it is a plain slice). */
export function compositeMembers(state: GraphState, compositeId: string): readonly string[] {
  return trieGet(state.compositeMembers, compositeId) ?? [];
}

/**
 * Everything reachable from `start` by following `next`, excluding `start` itself, sorted.
 * The visited set makes it terminate on any graph, cyclic or not.
 */
export function reachable(start: string, next: (id: string) => readonly string[]): string[] {
  const seen = new Set<string>([start]);
  const found: string[] = [];
  const stack = [...next(start)];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    found.push(id);
    for (const child of next(id)) if (!seen.has(child)) stack.push(child);
  }
  return found.sort();
}

/**
 * Replaces a composite's direct members and updates both closures for the composites above
 * it and the slices below it. Throws `INVALID_GRAPH`, changing nothing, when a member is the
 * composite itself or already reaches it.
 */
export function setCompositeMembersIn(
  state: GraphState,
  compositeId: string,
  memberIds: readonly string[],
  field: string,
): void {
  const members = [...new Set(memberIds)];
  members.forEach((memberId) => {
    if (memberId === compositeId || compositeDescendants(state, memberId).includes(compositeId)) {
      const index = memberIds.indexOf(memberId);
      throw cycleError(state, compositeId, memberId, `${field}[${index}]`);
    }
  });

  const oldMembers = compositeMembers(state, compositeId);
  const oldBelow = compositeDescendants(state, compositeId);
  for (const memberId of oldMembers) {
    if (members.includes(memberId)) continue;
    const parents = (trieGet(state.compositeParents, memberId) ?? []).filter((id) => id !== compositeId);
    state.compositeParents =
      parents.length === 0
        ? trieDelete(state.compositeParents, memberId)
        : trieSet(state.compositeParents, memberId, parents);
  }
  for (const memberId of members) {
    if (oldMembers.includes(memberId)) continue;
    const parents = trieGet(state.compositeParents, memberId) ?? [];
    state.compositeParents = trieSet(state.compositeParents, memberId, [...parents, compositeId]);
  }
  state.compositeMembers = trieSet(state.compositeMembers, compositeId, members);

  // What the composite and everything above it reach may have changed...
  const childrenOf = (id: string) => compositeMembers(state, id);
  for (const id of [compositeId, ...compositeAncestors(state, compositeId)]) {
    setClosure(state, "compositeDescendants", id, reachable(id, childrenOf));
  }
  // ...and so may the composites above every slice that was or now is below it.
  const parentsOf = (id: string) => trieGet(state.compositeParents, id) ?? [];
  for (const id of new Set([...oldBelow, ...compositeDescendants(state, compositeId)])) {
    setClosure(state, "compositeAncestors", id, reachable(id, parentsOf));
  }
}

function setClosure(
  state: GraphState,
  index: "compositeDescendants" | "compositeAncestors",
  id: string,
  ids: readonly string[],
): void {
  state[index] = ids.length === 0 ? trieDelete(state[index], id) : trieSet(state[index], id, ids);
}

function cycleError(state: GraphState, compositeId: string, memberId: string, field: string): AccessError {
  // Find the containment chain from the member back down to the composite.
  const chain = findChain(state, memberId, compositeId) ?? [memberId];
  const cycle = [compositeId, ...chain];
  if (cycle[cycle.length - 1] !== compositeId) cycle.push(compositeId);
  return new AccessError("INVALID_GRAPH", {
    field,
    message: `${field} would create a composite cycle: ${cycle.join(" -> ")}`,
    cycle,
  });
}

function findChain(state: GraphState, from: string, to: string): string[] | null {
  if (from === to) return [from];
  const seen = new Set<string>();
  const walk = (id: string): string[] | null => {
    if (id === to) return [id];
    if (seen.has(id)) return null;
    seen.add(id);
    for (const child of compositeMembers(state, id)) {
      const rest = walk(child);
      if (rest) return [id, ...rest];
    }
    return null;
  };
  return walk(from);
}

/** A declared composite as `createGraph` reads it. */
export interface CompositeDeclaration {
  readonly id: string;
  readonly member_slice_ids: readonly string[];
}

/**
 * Builds containment and both closures for a whole list at once, in time proportional to the
 * closures' size: one depth-first walk (iterative, so deep chains do not exhaust the stack)
 * orders the composites members-first, then each composite's reach is the union of its
 * members' reaches. The walk visits composites and their members in input order; the first
 * member that leads back to a composite on the current path is reported as the cycle.
 */
export function buildContainment(
  state: GraphState,
  composites: readonly CompositeDeclaration[],
  fieldOf: (index: number) => string,
): void {
  const membersOf = new Map<string, readonly string[]>();
  for (const { id, member_slice_ids } of composites) membersOf.set(id, [...new Set(member_slice_ids)]);
  const reach = new Map<string, readonly string[]>();
  for (const id of membersFirst(composites, membersOf, fieldOf)) {
    const found = new Set<string>();
    for (const member of membersOf.get(id) ?? []) {
      found.add(member);
      for (const below of reach.get(member) ?? []) found.add(below);
    }
    reach.set(id, [...found].sort());
  }

  const parents = new Map<string, string[]>();
  const ancestors = new Map<string, string[]>();
  for (const { id } of composites) {
    const members = membersOf.get(id) ?? [];
    state.compositeMembers = trieSet(state.compositeMembers, id, members);
    for (const member of members) {
      const list = parents.get(member);
      if (list) list.push(id);
      else parents.set(member, [id]);
    }
    const below = reach.get(id) ?? [];
    if (below.length > 0) state.compositeDescendants = trieSet(state.compositeDescendants, id, below);
    for (const slice of below) {
      const list = ancestors.get(slice);
      if (list) list.push(id);
      else ancestors.set(slice, [id]);
    }
  }
  for (const [slice, above] of parents) state.compositeParents = trieSet(state.compositeParents, slice, above);
  for (const [slice, above] of ancestors) {
    state.compositeAncestors = trieSet(state.compositeAncestors, slice, above.sort());
  }
}

/** Composites ordered so that every composite comes after the composites it contains. */
function membersFirst(
  composites: readonly CompositeDeclaration[],
  membersOf: ReadonlyMap<string, readonly string[]>,
  fieldOf: (index: number) => string,
): string[] {
  const onPath = new Set<string>();
  const done = new Set<string>();
  const order: string[] = [];
  for (const { id: root } of composites) {
    if (done.has(root)) continue;
    const path: { id: string; next: number }[] = [{ id: root, next: 0 }];
    onPath.add(root);
    while (path.length > 0) {
      const top = path[path.length - 1] as { id: string; next: number };
      const members = membersOf.get(top.id) ?? [];
      if (top.next === members.length) {
        path.pop();
        onPath.delete(top.id);
        done.add(top.id);
        order.push(top.id);
        continue;
      }
      const member = members[top.next++] as string;
      if (onPath.has(member)) throw containmentCycle(composites, path, top.id, member, fieldOf);
      if (!done.has(member) && membersOf.has(member)) {
        onPath.add(member);
        path.push({ id: member, next: 0 });
      }
    }
  }
  return order;
}

function containmentCycle(
  composites: readonly CompositeDeclaration[],
  path: readonly { id: string }[],
  compositeId: string,
  memberId: string,
  fieldOf: (index: number) => string,
): AccessError {
  const index = composites.findIndex((c) => c.id === compositeId);
  const memberIndex = composites[index]?.member_slice_ids.indexOf(memberId) ?? -1;
  const ids = path.map((step) => step.id);
  const loop = ids.slice(ids.indexOf(memberId));
  const cycle = [compositeId, ...loop.slice(0, -1), compositeId];
  const field = `${fieldOf(index)}[${memberIndex}]`;
  return new AccessError("INVALID_GRAPH", {
    field,
    message: `${field} would create a composite cycle: ${cycle.join(" -> ")}`,
    cycle,
  });
}
