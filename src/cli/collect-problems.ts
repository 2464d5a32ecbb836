/**
 * Every problem of a graph file, for `grantpath validate`. `createGraph` stops at the first, so
 * it is asked many small questions instead (graph-probe.ts): each field of each item on its own,
 * beside stand-in values that are valid; then duplicate ids; then each list's structure
 * (structure-problems.ts). Problems come in the file's order: the organization id and size, then
 * list by list, each list's items (a duplicate where it occurs) before its structure.
 *
 * A problem stops only the checks it makes meaningless:
 * - a file that is not an object, or a list that is not an array: everything inside it;
 * - an item that is not an object: its fields;
 * - a grant's bad `entity_type` or `grantee_type`: its `entity_id` or `grantee_id` (an id's
 *   prefix must fit its type);
 * - a bad `organization_id`: comparing the grants' own `organization_id` with it;
 * - an item's bad `id`: its part in the duplicate and structure checks (a grant's, in the
 *   one-grant-per-pair check, where it would be named by that id);
 * - a bad `parent_id` or member slice: that edge, in the cycle and depth checks;
 * - a grant's bad entity or grantee: its part in the one-grant-per-pair check;
 * - an id declared twice: the second item's part in the cycle and depth checks;
 * - a cycle: its closing edge, in the checks after it; a chain past a depth limit: the part past
 *   the limit (every department or composite there is on the chain just reported);
 * - an item that fails on something no field shows alone: it is reported as `createGraph` words
 *   it, and takes no part in the checks after it.
 * @module
 */
import { nextAutoIds } from "../core/grant-index.js";
import { type AccessError, type IdKind, isValidId } from "../core/index.js";
import {
  type GraphProblem,
  type Item,
  isItem,
  LISTS,
  type ListName,
  own,
  problemOf,
  standIn,
  verdict,
} from "./graph-probe.js";
import {
  type CompositeMembers,
  compositeProblems,
  type DepartmentEdge,
  departmentProblems,
  type GrantPair,
  grantPairProblems,
  type Placed,
} from "./structure-problems.js";

export type { GraphProblem } from "./graph-probe.js";

type ItemList = Exclude<ListName, "owners">;

/** How an item's fields are checked: alone, beside a template's valid values. */
interface ItemShape {
  /** The kind of the item's own id; grants' ids are optional and have no stand-in. */
  readonly kind?: IdKind;
  /** A valid item; each check puts some of the file's fields in place of its own. */
  readonly template: Item;
  /** Fields checked together, because a later one means nothing when an earlier one is wrong. */
  readonly groups: readonly (readonly string[])[];
  /** The fields that list ids, checked element by element, and the kind of those ids. */
  readonly idLists: Readonly<Record<string, IdKind>>;
}

const GRANT_TEMPLATE: Item = {
  entity_type: "knowledge_slice",
  entity_id: standIn("knowledge_slice"),
  grantee_type: "user",
  grantee_id: standIn("user"),
  access_level: "read",
};

const SHAPES: Readonly<Record<ItemList, ItemShape>> = {
  users: {
    kind: "user",
    template: { id: standIn("user") },
    groups: [["id"], ["department_ids"], ["role_ids"]],
    idLists: { department_ids: "department", role_ids: "role" },
  },
  departments: {
    kind: "department",
    template: { id: standIn("department") },
    groups: [["id"], ["parent_id"]],
    idLists: {},
  },
  roles: { kind: "role", template: { id: standIn("role") }, groups: [["id"]], idLists: {} },
  composites: {
    kind: "knowledge_slice",
    template: { id: standIn("knowledge_slice"), member_slice_ids: [] },
    groups: [["id"], ["member_slice_ids"]],
    idLists: { member_slice_ids: "knowledge_slice" },
  },
  grants: {
    template: GRANT_TEMPLATE,
    groups: [
      ["id"],
      ["entity_type", "entity_id"],
      ["grantee_type", "grantee_id"],
      ["access_level"],
      ["granted_by"],
      ["organization_id"],
      ["created_at"],
      ["updated_at"],
      ["expires_at"],
    ],
    idLists: {},
  },
};

/** What the checks share: the organization id items are checked against, and whether it is the file's. */
interface Context {
  readonly organizationId: string;
  readonly organizationValid: boolean;
}

/**
 * Every problem of a graph file, in the file's order; empty when `createGraph` accepts it.
 *
 * @example
 * ```ts
 * collectProblems({ organization_id: "org_1", users: [{ id: "bob" }, { id: "usr_a", role_ids: ["admin"] }] });
 * // [{ code: "VALIDATION_ERROR", field: "users[0].id", … }, { … field: "users[1].role_ids[0]", … }]
 * ```
 */
export function collectProblems(input: unknown): GraphProblem[] {
  const whole = verdict(input);
  if (whole === null) return [];
  if (!isItem(input)) return [problemOf(whole)];

  const problems: GraphProblem[] = [];
  const organizationId = own(input, "organization_id");
  const organization = verdict({ organization_id: organizationId });
  if (organization) problems.push(problemOf(organization));
  const context: Context = organization
    ? { organizationId: standIn("organization"), organizationValid: false }
    : { organizationId: organizationId as string, organizationValid: true };
  const size = sizeProblem(input, context);
  if (size) problems.push(size);
  for (const list of LISTS) problems.push(...listProblems(list, own(input, list), context));
  // Should a rule none of these checks asks about fail the file, it still has its say.
  if (problems.length === 0) problems.push(problemOf(whole));
  return problems;
}

/** The organization-size limit, judged on the lists' lengths alone. */
function sizeProblem(root: Item, context: Context): GraphProblem | null {
  const hollow = (value: unknown) => (Array.isArray(value) ? new Array<undefined>(value.length) : undefined);
  const error = verdict({
    organization_id: context.organizationId,
    users: hollow(own(root, "users")),
    departments: hollow(own(root, "departments")),
    composites: hollow(own(root, "composites")),
    grants: hollow(own(root, "grants")),
  });
  return error?.details.limit === "maxOrganizationSize" ? problemOf(error) : null;
}

function listProblems(list: ListName, value: unknown, context: Context): GraphProblem[] {
  if (value === undefined || value === null) return [];
  const probe = (items: unknown) => verdict({ organization_id: context.organizationId, [list]: items });
  if (!Array.isArray(value)) {
    const error = probe(value);
    return error ? [problemOf(error)] : [];
  }
  // A grant's own organization_id cannot be compared with an invalid organization id.
  const items: readonly unknown[] = Array.from(value, (item) =>
    list === "grants" && !context.organizationValid && isItem(item) ? { ...item, organization_id: undefined } : item,
  );
  if (probe(items) === null) return [];
  if (list === "owners") {
    return items.flatMap((owner, index) => {
      const error = probe([owner]);
      return error ? [problemOf(error, { list, indexes: [index] })] : [];
    });
  }

  const shape = SHAPES[list];
  const problems: GraphProblem[] = [];
  /** Each item's sound part (its fields that passed), at its index; the first item of each id. */
  const views: Placed<Item>[] = [];
  const firstWithId = new Map<unknown, number>();
  const alone = soundAlone(items, probe);
  items.forEach((item, index) => {
    const checked = alone[index] ? { problems: [], view: item as Item } : checkItem(list, shape, item, index, probe);
    problems.push(...checked.problems);
    if (checked.view === null) return;
    // A grant without an id (undefined or null) gets one of its own.
    const id = own(checked.view, "id") ?? undefined;
    const earlier = id === undefined ? undefined : firstWithId.get(id);
    if (earlier === undefined) {
      if (id !== undefined) firstWithId.set(id, index);
      views.push({ index, item: checked.view });
      return;
    }
    const duplicate = probe([withFields(shape, { id }), withFields(shape, { id })]);
    if (duplicate) problems.push(problemOf(duplicate, { list, indexes: [earlier, index] }));
    // A grant with a reused id still holds its entity and grantee.
    if (list === "grants") views.push({ index, item: checked.view });
  });
  return [...problems, ...structureProblems(list, items, views, context)];
}

/**
 * Which items `createGraph` takes (each as a list of one would be), found by halving the list:
 * a run with no problem costs one probe, so a big file with a few problems is checked in a few
 * passes rather than one probe per item. A run can fail on something between its items (a
 * duplicate, a cycle): halving then ends at items that pass alone.
 */
function soundAlone(items: readonly unknown[], probe: (items: unknown) => AccessError | null): boolean[] {
  const sound = new Array<boolean>(items.length).fill(false);
  const visit = (start: number, end: number) => {
    if (end - start > 1) {
      const middle = (start + end) >>> 1;
      for (const [from, to] of [
        [start, middle],
        [middle, end],
      ] as const) {
        if (probe(items.slice(from, to)) === null) sound.fill(true, from, to);
        else visit(from, to);
      }
    }
  };
  // The whole list has failed already.
  visit(0, items.length);
  return sound;
}

/**
 * An item's problems, and its sound part: the item itself when `createGraph` takes it alone (a
 * cycle of one is structure, reported later), the fields that pass otherwise (an id list keeps
 * its length, a bad element replaced by a slice or id no one else names), `null` when there is
 * nothing to read.
 */
function checkItem(
  list: ItemList,
  shape: ItemShape,
  item: unknown,
  index: number,
  probe: (items: unknown) => AccessError | null,
): { problems: GraphProblem[]; view: Item | null } {
  const error = probe([item]);
  if (error === null || (error.code === "INVALID_GRAPH" && isItem(item))) {
    return { problems: [], view: item as Item };
  }
  const whole = problemOf(error, { list, indexes: [index] });
  if (!isItem(item)) return { problems: [whole], view: null };
  const problems: GraphProblem[] = [];
  const view: Record<string, unknown> = {};
  for (const group of shape.groups) {
    const [field = ""] = group;
    const kind = shape.idLists[field];
    const value = own(item, field);
    if (kind !== undefined && Array.isArray(value)) {
      view[field] = Array.from(value, (element, elementIndex) => {
        const bad = probe([withFields(shape, { [field]: [element] })]);
        if (bad === null) return element;
        problems.push(problemOf(bad, { list, indexes: [index], element: { field, index: elementIndex } }));
        return standIn(kind, `${list}_${index}_${elementIndex}`);
      });
      continue;
    }
    const fields = Object.fromEntries(group.map((name) => [name, own(item, name)]));
    const bad = probe([withFields(shape, fields)]);
    if (bad) problems.push(problemOf(bad, { list, indexes: [index] }));
    else Object.assign(view, fields);
  }
  // The item fails on something no field shows alone: report that, and keep it out of the rest.
  if (problems.length === 0) return { problems: [whole], view: null };
  return { problems, view };
}

/**
 * The template with `fields` in place of its own. Its stand-in id changes when a checked value is
 * that very id, lest a department be its own parent or a composite its own member.
 */
function withFields(shape: ItemShape, fields: Item): Item {
  const standInId = shape.template.id;
  const clash = Object.values(fields).some(
    (value) => value === standInId || (Array.isArray(value) && value.includes(standInId)),
  );
  const id = clash && shape.kind !== undefined ? { id: standIn(shape.kind, "2") } : {};
  return { ...shape.template, ...id, ...fields };
}

/** The list's structure, among the sound parts of its items. */
function structureProblems(
  list: ListName,
  items: readonly unknown[],
  views: readonly Placed<Item>[],
  context: Context,
): GraphProblem[] {
  const withId = views.filter(({ item }) => typeof own(item, "id") === "string");
  if (list === "departments") {
    const departments = withId.map(({ index, item }): Placed<DepartmentEdge> => {
      const parent = own(item, "parent_id");
      return { index, item: { id: own(item, "id") as string, parent_id: typeof parent === "string" ? parent : null } };
    });
    return departmentProblems(context.organizationId, departments);
  }
  if (list === "composites") {
    const composites = withId.map(({ index, item }): Placed<CompositeMembers> => {
      const members = own(item, "member_slice_ids");
      return {
        index,
        item: { id: own(item, "id") as string, member_slice_ids: Array.isArray(members) ? (members as string[]) : [] },
      };
    });
    return compositeProblems(context.organizationId, composites);
  }
  if (list === "grants") {
    const ids = grantIds(items);
    const pairs = views.flatMap(({ index, item }): Placed<GrantPair>[] => {
      const id = ids.get(index);
      const parts = ["entity_type", "entity_id", "grantee_type", "grantee_id"] as const;
      if (id === undefined || parts.some((part) => own(item, part) === undefined)) return [];
      const fields = { ...GRANT_TEMPLATE, ...Object.fromEntries(parts.map((part) => [part, own(item, part)])) };
      return [{ index, item: { id, fields } }];
    });
    return grantPairProblems(context.organizationId, pairs);
  }
  return [];
}

/**
 * Each grant's id as `createGraph` would give it: its own when valid, or the `agrant_auto_N` it
 * would get when it has none. A grant whose own id is bad has none to be named by.
 */
function grantIds(items: readonly unknown[]): Map<number, string> {
  const taken = new Set(items.map((item) => (isItem(item) ? own(item, "id") : undefined)));
  const auto = nextAutoIds(0, (id) => taken.has(id));
  const ids = new Map<number, string>();
  items.forEach((item, index) => {
    if (!isItem(item)) return;
    const id = own(item, "id");
    if (id === undefined || id === null) ids.set(index, auto.next());
    else if (isValidId("grant", id)) ids.set(index, id);
  });
  return ids;
}
