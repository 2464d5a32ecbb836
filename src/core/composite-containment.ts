/**
 * Composite containment: each composite's direct members, and each slice's direct containers.
 * No closure is stored: what a composite reaches is a walk down its members, what reaches a
 * slice a walk up its containers, each visiting every composite and slice once (containment is
 * a DAG, kept acyclic at write time; the walks carry visited sets, so a cyclic stored graph
 * terminates too). A write costs the walks it needs — the cycle check below the new members, the
 * depth check above and below the composite — never a closure per composite in the chain.
 * (Closures cost depth² in time and memory: a 10,000-deep chain took 14 s to load and 17 s to
 * grow by one member at the bottom.)
 * @module
 */
import { cycleError } from "./error-constructors.js";
import { type AccessError, validationError } from "./errors.js";
import type { GraphState } from "./graph-state.js";
import { trieDelete, trieGet, trieSet } from "./hash-trie.js";

/** The slices a composite directly contains (empty when it is a plain slice). */
export function compositeMembers(state: GraphState, compositeId: string): readonly string[] {
  return trieGet(state.compositeMembers, compositeId) ?? [];
}

/** The composites that directly contain a slice. */
export function compositeContainers(state: GraphState, sliceId: string): readonly string[] {
  return trieGet(state.compositeParents, sliceId) ?? [];
}

/**
 * Everything reachable from `start` by following `next`, excluding `start` itself, each once, in
 * no particular order. The visited set makes it terminate on any graph, cyclic or not.
 */
function reachable(start: string, next: (id: string) => readonly string[]): string[] {
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
  return found;
}

/** Every slice a composite reaches through containment, not itself, each once. */
export function compositeDescendants(state: GraphState, compositeId: string): string[] {
  return reachable(compositeId, (id) => compositeMembers(state, id));
}

/** Every composite that reaches a slice through containment, each once. */
export function compositeAncestors(state: GraphState, sliceId: string): string[] {
  return reachable(sliceId, (id) => compositeContainers(state, id));
}

/**
 * The longest chain of containment edges from `start` following `next` (0 when `next` gives
 * nothing), memoized so a DAG is walked once: iterative, as chains may be thousands deep.
 */
function longestChain(start: string, next: (id: string) => readonly string[]): number {
  const lengths = new Map<string, number>();
  const stack: { id: string; children: readonly string[]; at: number; best: number }[] = [
    { id: start, children: next(start), at: 0, best: 0 },
  ];
  const onPath = new Set<string>([start]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { id: string; children: readonly string[]; at: number; best: number };
    if (top.at === top.children.length) {
      stack.pop();
      onPath.delete(top.id);
      lengths.set(top.id, top.best);
      const parent = stack[stack.length - 1];
      if (parent) parent.best = Math.max(parent.best, top.best + 1);
      continue;
    }
    const child = top.children[top.at++] as string;
    const known = lengths.get(child);
    if (known !== undefined) {
      top.best = Math.max(top.best, known + 1);
    } else if (!onPath.has(child)) {
      onPath.add(child);
      stack.push({ id: child, children: next(child), at: 0, best: 0 });
    }
  }
  return lengths.get(start) ?? 0;
}

/**
 * Replaces a composite's direct members. Throws, changing nothing, `INVALID_GRAPH` when a member
 * is the composite itself or already reaches it, and `VALIDATION_ERROR` when the longest chain
 * of containment through the composite would be longer than the graph's `maxCompositeDepth`.
 */
export function setCompositeMembersIn(
  state: GraphState,
  compositeId: string,
  memberIds: readonly string[],
  field: string,
): void {
  const members = [...new Set(memberIds)];
  const oldMembers = new Set(compositeMembers(state, compositeId));
  const added = members.filter((memberId) => !oldMembers.has(memberId));
  for (const memberId of added) {
    // Only a member new to the composite can close a cycle.
    if (memberId === compositeId || compositeDescendants(state, memberId).includes(compositeId)) {
      throw compositeCycle(state, compositeId, memberId, `${field}[${memberIds.indexOf(memberId)}]`);
    }
  }
  if (added.length > 0) {
    const max = state.limits.maxCompositeDepth;
    const above = longestChain(compositeId, (id) => compositeContainers(state, id));
    let below = 0;
    for (const memberId of members)
      below = Math.max(below, 1 + longestChain(memberId, (id) => compositeMembers(state, id)));
    if (above + below > max) {
      throw validationError(
        field,
        `${field} would make a chain of composites ${above + below} deep (through ${compositeId}); the limit maxCompositeDepth is ${max}`,
        { limit: "maxCompositeDepth", max, depth: above + below },
      );
    }
  }

  const kept = new Set(members);
  for (const memberId of oldMembers) {
    if (kept.has(memberId)) continue;
    const containers = compositeContainers(state, memberId).filter((id) => id !== compositeId);
    state.compositeParents =
      containers.length === 0
        ? trieDelete(state.compositeParents, memberId)
        : trieSet(state.compositeParents, memberId, containers);
  }
  for (const memberId of added) {
    state.compositeParents = trieSet(state.compositeParents, memberId, [
      ...compositeContainers(state, memberId),
      compositeId,
    ]);
  }
  state.compositeMembers = trieSet(state.compositeMembers, compositeId, members);
}

function compositeCycle(state: GraphState, compositeId: string, memberId: string, field: string): AccessError {
  // Find the containment chain from the member back down to the composite.
  const chain = findChain(state, memberId, compositeId) ?? [memberId];
  const cycle = [compositeId, ...chain];
  if (cycle[cycle.length - 1] !== compositeId) cycle.push(compositeId);
  return cycleError("composite", field, cycle);
}

/** A chain of containment from `from` down to `to`, found iteratively (chains may be deep). */
function findChain(state: GraphState, from: string, to: string): string[] | null {
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === to) {
      const chain: string[] = [];
      for (let at: string | null = id; at !== null; at = cameFrom.get(at) ?? null) chain.push(at);
      return chain.reverse();
    }
    for (const child of compositeMembers(state, id)) {
      if (cameFrom.has(child)) continue;
      cameFrom.set(child, id);
      stack.push(child);
    }
  }
  return null;
}

/** A declared composite as `createGraph` reads it. */
export interface CompositeDeclaration {
  readonly id: string;
  readonly member_slice_ids: readonly string[];
}

/**
 * Builds containment for a whole list at once, in time proportional to the composites and their
 * members: one depth-first walk (iterative, so deep chains do not exhaust the stack) orders the
 * composites members-first, reporting the first member that leads back to a composite on the
 * current path as the cycle; in that order each composite's longest chain below is one more
 * than its members', and the first composite (in input order) whose chain is longer than
 * `maxCompositeDepth` is refused.
 */
export function buildContainment(
  state: GraphState,
  composites: readonly CompositeDeclaration[],
  fieldOf: (index: number) => string,
): void {
  const membersOf = new Map<string, readonly string[]>();
  for (const { id, member_slice_ids } of composites) membersOf.set(id, [...new Set(member_slice_ids)]);
  const heights = new Map<string, number>();
  for (const id of membersFirst(composites, membersOf, fieldOf)) {
    let height = 0;
    for (const member of membersOf.get(id) ?? []) height = Math.max(height, 1 + (heights.get(member) ?? 0));
    heights.set(id, height);
  }
  const max = state.limits.maxCompositeDepth;
  composites.forEach(({ id }, index) => {
    const height = heights.get(id) ?? 0;
    if (height > max) {
      const field = fieldOf(index);
      throw validationError(
        field,
        `${field} would make a chain of composites ${height} deep (from ${id}); the limit maxCompositeDepth is ${max}`,
        { limit: "maxCompositeDepth", max, depth: height },
      );
    }
  });

  const parents = new Map<string, string[]>();
  for (const { id } of composites) {
    const members = membersOf.get(id) ?? [];
    state.compositeMembers = trieSet(state.compositeMembers, id, members);
    for (const member of members) {
      const list = parents.get(member);
      if (list) list.push(id);
      else parents.set(member, [id]);
    }
  }
  for (const [slice, above] of parents) state.compositeParents = trieSet(state.compositeParents, slice, above);
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
  return cycleError("composite", `${fieldOf(index)}[${memberIndex}]`, cycle);
}
