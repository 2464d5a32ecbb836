/**
 * The problems of a graph file's structure, all of them: department cycles and chains past the
 * depth limit, composite cycles and chains past the depth limit, and grants whose entity and
 * grantee an earlier grant already holds. `createGraph` reports the first of each; after each
 * one the edge that closes the cycle or deepens the chain is set aside and the rest is asked
 * again, so each cycle is reported once and none hides another.
 * @module
 */
import { type GraphProblem, type Item, own, probeIndex, problemOf, standIn, verdict } from "./graph-probe.js";

/** A sound item of a list, at its index in the file. */
export interface Placed<T> {
  readonly index: number;
  readonly item: T;
}

/** A department as the structure check reads it. */
export interface DepartmentEdge {
  readonly id: string;
  readonly parent_id: string | null;
}

/** A composite as the structure check reads it: members at their indexes in the file. */
export interface CompositeMembers {
  readonly id: string;
  readonly member_slice_ids: readonly string[];
}

/**
 * Department cycles and chains past `maxDepartmentDepth`. After a cycle, the department that
 * closes it is made a top department; after a chain too deep, the department at the first level
 * past the limit is set aside with everything below it (all of them lie too deep, on the chain
 * just reported); then the rest is checked again.
 */
export function departmentProblems(organizationId: string, placed: readonly Placed<DepartmentEdge>[]): GraphProblem[] {
  let entries = placed.map((entry) => ({ index: entry.index, item: { ...entry.item } }));
  const problems: GraphProblem[] = [];
  for (;;) {
    const departments = entries.map((entry) => entry.item);
    const error = verdict({ organization_id: organizationId, departments });
    if (error === null) return problems;
    problems.push(problemOf(error, { list: "departments", indexes: entries.map((entry) => entry.index) }));
    const department = departments[probeIndex(error, "departments") ?? -1];
    // A top department closes no cycle and lies at depth 1: nothing more would change.
    if (department === undefined || department.parent_id === null) return problems;
    if (error.details.limit === "maxDepartmentDepth") {
      const parentOf = new Map(departments.map((d) => [d.id, d.parent_id]));
      let top = department.id;
      for (let depth = Number(error.details.depth); depth > Number(error.details.max) + 1; depth--) {
        top = parentOf.get(top) ?? top;
      }
      const aside = subtree(top, departments);
      entries = entries.filter((entry) => !aside.has(entry.item.id));
    } else {
      department.parent_id = null;
    }
  }
}

/**
 * Composite cycles and chains past `maxCompositeDepth`. After a cycle, its closing member becomes
 * a plain slice no one else names (so member indexes still match the file); after a chain too
 * deep, the composite reported is set aside with every composite below it (a chain through any of
 * them is the one just reported); then the rest is checked again.
 */
export function compositeProblems(organizationId: string, placed: readonly Placed<CompositeMembers>[]): GraphProblem[] {
  let entries = placed.map((entry) => ({ index: entry.index, item: { ...entry.item } }));
  const problems: GraphProblem[] = [];
  for (let cut = 1; ; cut++) {
    const composites = entries.map((entry) => entry.item);
    const error = verdict({ organization_id: organizationId, composites });
    if (error === null) return problems;
    problems.push(problemOf(error, { list: "composites", indexes: entries.map((entry) => entry.index) }));
    const composite = composites[probeIndex(error, "composites") ?? -1];
    if (composite === undefined || composite.member_slice_ids.length === 0) return problems;
    if (error.details.limit === "maxCompositeDepth") {
      const membersOf = new Map(composites.map((c) => [c.id, c.member_slice_ids]));
      const aside = new Set([composite.id]);
      for (const id of aside) for (const member of membersOf.get(id) ?? []) aside.add(member);
      entries = entries.filter((entry) => !aside.has(entry.item.id));
      continue;
    }
    const member = /\.member_slice_ids\[(\d+)\]$/.exec(String(error.details.field));
    const closing = member ? composite.member_slice_ids[Number(member[1])] : undefined;
    if (closing === undefined) return problems;
    composite.member_slice_ids = composite.member_slice_ids.map((id) =>
      id === closing ? standIn("knowledge_slice", `cut_${cut}`) : id,
    );
  }
}

/** `top` and every department below it. */
function subtree(top: string, departments: readonly DepartmentEdge[]): Set<string> {
  const childrenOf = new Map<string, string[]>();
  for (const { id, parent_id } of departments) {
    if (parent_id === null) continue;
    const children = childrenOf.get(parent_id);
    if (children) children.push(id);
    else childrenOf.set(parent_id, [id]);
  }
  const found = new Set([top]);
  for (const id of found) for (const child of childrenOf.get(id) ?? []) found.add(child);
  return found;
}

/** A grant as the pair check reads it: its entity and grantee, and the id the file gives it. */
export interface GrantPair {
  readonly id: string;
  readonly fields: Item;
}

/** Each grant whose entity and grantee an earlier grant already holds (`RESOURCE_ALREADY_EXISTS`). */
export function grantPairProblems(organizationId: string, placed: readonly Placed<GrantPair>[]): GraphProblem[] {
  const holders = new Map<string, Placed<GrantPair>>();
  const problems: GraphProblem[] = [];
  for (const entry of placed) {
    const { fields } = entry.item;
    const pair = `${String(own(fields, "entity_id"))}\u0000${String(own(fields, "grantee_id"))}`;
    const holder = holders.get(pair);
    if (holder === undefined) {
      holders.set(pair, entry);
      continue;
    }
    // The holder under its own id; the later grant's id is not in question here.
    const error = verdict({
      organization_id: organizationId,
      grants: [
        { ...holder.item.fields, id: holder.item.id },
        { ...fields, id: undefined },
      ],
    });
    if (error) problems.push(problemOf(error, { list: "grants", indexes: [holder.index, entry.index] }));
  }
  return problems;
}
