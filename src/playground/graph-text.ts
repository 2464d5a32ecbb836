/**
 * The graph as the person edits it: JSON or YAML text in, a graph (or the one problem to fix)
 * out; a graph back to text; and the users, entities and grants a graph names, for the pickers.
 * @module
 */
import { parse as parseYaml, stringify as stringifyYaml, YAMLParseError } from "yaml";
import {
  AccessError,
  type AccessGraph,
  createGraph,
  type EntityType,
  type GrantInput,
  type GraphInput,
  graphToInput,
} from "../core/index.js";

/** How the graph is written. */
export type GraphFormat = "json" | "yaml";

/** Text read into a graph, or the problem that stopped it. */
export type ReadGraph =
  | { readonly ok: true; readonly graph: AccessGraph; readonly input: unknown }
  | { readonly ok: false; readonly problem: string };

/** Parses the text as the format says; a syntax error names its line and column. */
function parseText(text: string, format: GraphFormat): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (format === "yaml") {
    try {
      return { ok: true, value: parseYaml(text) };
    } catch (error) {
      if (error instanceof YAMLParseError) {
        const at = error.linePos?.[0];
        const where = at ? `line ${at.line}, column ${at.col}: ` : "";
        // yaml's message repeats the position at its end: it is given once, first.
        const message = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
        return { ok: false, problem: `YAML ${where}${message}` };
      }
      throw error;
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: `JSON: ${(error as Error).message}` };
  }
}

/** Reads the text as a graph: the syntax first, then everything `createGraph` checks. */
export function readGraph(text: string, format: GraphFormat): ReadGraph {
  const parsed = parseText(text, format);
  if (!parsed.ok) return parsed;
  try {
    return { ok: true, graph: createGraph(parsed.value as GraphInput), input: parsed.value };
  } catch (error) {
    if (!(error instanceof AccessError)) throw error;
    const { field, message } = error.details;
    const why = typeof message === "string" ? message : error.message;
    return {
      ok: false,
      problem: typeof field === "string" && !why.startsWith(field) ? `${field}: ${why}` : `${error.code}: ${why}`,
    };
  }
}

/** A parsed value as text in the format. */
export function writeValue(value: unknown, format: GraphFormat): string {
  return format === "yaml" ? stringifyYaml(value, { lineWidth: 0 }) : `${JSON.stringify(value, null, 2)}\n`;
}

/** A graph as text, in the canonical order of `graphToInput`. */
export function writeGraph(graph: AccessGraph, format: GraphFormat): string {
  return writeValue(graphToInput(graph), format);
}

/** An entity a graph names. */
export interface EntityRef {
  readonly entity_type: EntityType;
  readonly entity_id: string;
}

/** A grant of the graph, which always has its id. */
export type GrantWithId = GrantInput & { readonly id: string };

/** What a graph names, each list sorted, for the pickers. */
export interface GraphCatalog {
  /** Listed users and users granted to directly. */
  readonly users: readonly string[];
  /** Entities granted, composites and their members: by type, then id. */
  readonly entities: readonly EntityRef[];
  /** Active grants by id. */
  readonly grants: readonly GrantWithId[];
  /** Departments and roles named anywhere. */
  readonly departments: readonly string[];
  readonly roles: readonly string[];
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The users, entities, grants, departments and roles a graph names. */
export function catalogOf(graph: AccessGraph): GraphCatalog {
  const input = graphToInput(graph);
  const users = new Set<string>();
  const departments = new Set<string>();
  const roles = new Set<string>();
  const entities = new Map<string, EntityRef>();
  const addEntity = (entity_type: EntityType, entity_id: string) =>
    entities.set(`${entity_type} ${entity_id}`, { entity_type, entity_id });
  for (const user of input.users ?? []) {
    users.add(user.id);
    for (const id of user.department_ids ?? []) departments.add(id);
    for (const id of user.role_ids ?? []) roles.add(id);
  }
  for (const department of input.departments ?? []) {
    departments.add(department.id);
    if (department.parent_id) departments.add(department.parent_id);
  }
  for (const role of input.roles ?? []) roles.add(role.id);
  for (const composite of input.composites ?? []) {
    addEntity("knowledge_slice", composite.id);
    for (const member of composite.member_slice_ids) addEntity("knowledge_slice", member);
  }
  const grants: GrantWithId[] = [];
  for (const grant of input.grants ?? []) {
    if (grant.id === undefined) continue; // graphToInput gives every grant its id
    addEntity(grant.entity_type, grant.entity_id);
    if (grant.grantee_type === "user") users.add(grant.grantee_id);
    if (grant.grantee_type === "department") departments.add(grant.grantee_id);
    if (grant.grantee_type === "role") roles.add(grant.grantee_id);
    grants.push({ ...grant, id: grant.id });
  }
  return {
    users: [...users].sort(byCodeUnits),
    entities: [...entities.values()].sort(
      (a, b) => byCodeUnits(a.entity_type, b.entity_type) || byCodeUnits(a.entity_id, b.entity_id),
    ),
    grants: grants.sort((a, b) => byCodeUnits(a.id, b.id)),
    departments: [...departments].sort(byCodeUnits),
    roles: [...roles].sort(byCodeUnits),
  };
}
