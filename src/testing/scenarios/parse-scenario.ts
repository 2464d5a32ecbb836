/**
 * Checking a scenario (docs/spec.md §10) before anything runs: every problem, each at its field
 * path, so a file is fixed in one pass. The graph is checked by `createGraph`, and each test's
 * own grants by adding them to it, exactly as a run would.
 * @module
 */
import {
  AccessError,
  type AccessGraph,
  addGrant,
  createGraph,
  type EntityType,
  type GrantInput,
  type GraphInput,
  isValidId,
} from "../../core/index.js";
import type {
  CheckExpectation,
  ResolveExpectation,
  Scenario,
  ScenarioProblem,
  ScenarioTest,
  WhoExpectation,
} from "./scenario-types.js";

/** A scenario that can run, or everything wrong with it. */
export type ParsedScenario =
  | { readonly ok: true; readonly scenario: Scenario; readonly graph: AccessGraph }
  | { readonly ok: false; readonly problems: readonly ScenarioProblem[] };

const ENTITY_TYPES: readonly EntityType[] = ["knowledge_slice", "vector_store", "assistant"];
const LEVELS = ["read", "write", "admin"] as const;
const TEST_KEYS = ["name", "at", "grants", "check", "resolve", "who"];

type Fields = Readonly<Record<string, unknown>>;

/** Collects problems while reading; every reader answers `undefined` for a value it refused. */
class Reader {
  readonly problems: ScenarioProblem[] = [];

  problem(path: string, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  object(value: unknown, path: string, keys: readonly string[]): Fields | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return this.problem(path, "must be an object");
    }
    const fields: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (!keys.includes(key))
        this.problem(join(path, key), `is not a field here (expected one of: ${keys.join(", ")})`);
      else fields[key] = (value as Record<string, unknown>)[key];
    }
    return fields;
  }

  list(value: unknown, path: string): readonly unknown[] | undefined {
    return Array.isArray(value) ? value : this.problem(path, "must be a list");
  }

  text(value: unknown, path: string): string | undefined {
    return typeof value === "string" && value.trim() !== "" ? value : this.problem(path, "must be a non-empty string");
  }

  id(kind: "user" | EntityType, value: unknown, path: string): string | undefined {
    return isValidId(kind, value) ? value : this.problem(path, `must be a ${kind} id (${idExample(kind)})`);
  }

  entityType(value: unknown, path: string): EntityType | undefined {
    return ENTITY_TYPES.includes(value as EntityType)
      ? (value as EntityType)
      : this.problem(path, `must be one of ${ENTITY_TYPES.join(", ")}`);
  }

  level(value: unknown, path: string): (typeof LEVELS)[number] | undefined {
    return LEVELS.includes(value as (typeof LEVELS)[number])
      ? (value as (typeof LEVELS)[number])
      : this.problem(path, `must be one of ${LEVELS.join(", ")}`);
  }

  instant(value: unknown, path: string): string | undefined {
    const ok = typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
    return ok ? value : this.problem(path, "must be an ISO-8601 instant, like 2025-07-01T00:00:00Z");
  }

  /** `{ id: level }`, every id of `kind`. */
  levels(
    value: unknown,
    path: string,
    kind: "user" | EntityType | undefined,
  ): Record<string, "read" | "write" | "admin"> {
    const levels: Record<string, "read" | "write" | "admin"> = {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.problem(path, "must map ids to levels, like { usr_def456: write }");
      return levels;
    }
    for (const [id, level] of Object.entries(value)) {
      const idOk = kind === undefined ? ENTITY_TYPES.some((type) => isValidId(type, id)) : isValidId(kind, id);
      if (!idOk) this.problem(join(path, id), kind === undefined ? "is not an entity id" : `is not a ${kind} id`);
      const read = this.level(level, join(path, id));
      if (idOk && read !== undefined) Object.defineProperty(levels, id, { value: read, enumerable: true });
    }
    return levels;
  }
}

function idExample(kind: "user" | EntityType): string {
  return { user: "usr_…", knowledge_slice: "kslice_…", vector_store: "vs_…", assistant: "asst_…" }[kind];
}

/** A field path: `tests[0].check`, or a map key that is not a plain name quoted. */
function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const name = /^[A-Za-z_][\w]*$/.test(key) ? key : JSON.stringify(key);
  return path === "" ? name : `${path}.${name}`;
}

/** The field an AccessError names, as a path under `prefix`. */
function errorPath(prefix: string, error: AccessError): string {
  const field = error.details.field;
  if (typeof field !== "string" || field === "") return prefix;
  return field.startsWith("[") ? `${prefix}${field}` : `${prefix}.${field}`;
}

function errorText(error: unknown): string {
  if (error instanceof AccessError) {
    return typeof error.details.message === "string" ? error.details.message : error.message;
  }
  throw error; // not a problem with the scenario: ours
}

function readCheck(reader: Reader, value: unknown, path: string): CheckExpectation | undefined {
  const fields = reader.object(value, path, ["user", "entity_type", "entity_id", "level", "allowed"]);
  if (!fields) return undefined;
  const user = reader.id("user", fields.user, join(path, "user"));
  const entityType = reader.entityType(fields.entity_type, join(path, "entity_type"));
  const entityId = entityType && reader.id(entityType, fields.entity_id, join(path, "entity_id"));
  const level = fields.level === undefined ? undefined : reader.level(fields.level, join(path, "level"));
  const levelOk = fields.level === undefined || level !== undefined;
  const allowed =
    typeof fields.allowed === "boolean"
      ? fields.allowed
      : reader.problem(join(path, "allowed"), "must be true or false");
  if (!user || !entityType || !entityId || !levelOk || allowed === undefined) return undefined;
  return { user, entity_type: entityType, entity_id: entityId, ...(level ? { level } : {}), allowed };
}

function readResolve(reader: Reader, value: unknown, path: string): ResolveExpectation | undefined {
  const fields = reader.object(value, path, ["user", "entity_type", "entities"]);
  if (!fields) return undefined;
  const user = reader.id("user", fields.user, join(path, "user"));
  const entityType =
    fields.entity_type === undefined ? undefined : reader.entityType(fields.entity_type, join(path, "entity_type"));
  const typeOk = fields.entity_type === undefined || entityType !== undefined;
  const entities = reader.levels(fields.entities ?? null, join(path, "entities"), entityType);
  if (!user || !typeOk) return undefined;
  return { user, ...(entityType ? { entity_type: entityType } : {}), entities };
}

function readWho(reader: Reader, value: unknown, path: string): WhoExpectation | undefined {
  const fields = reader.object(value, path, ["entity_type", "entity_id", "users"]);
  if (!fields) return undefined;
  const entityType = reader.entityType(fields.entity_type, join(path, "entity_type"));
  const entityId = entityType && reader.id(entityType, fields.entity_id, join(path, "entity_id"));
  const users = reader.levels(fields.users ?? null, join(path, "users"), "user");
  if (!entityType || !entityId) return undefined;
  return { entity_type: entityType, entity_id: entityId, users };
}

function readList<T>(
  reader: Reader,
  value: unknown,
  path: string,
  read: (reader: Reader, item: unknown, path: string) => T | undefined,
): T[] | undefined {
  if (value === undefined) return undefined;
  const items = reader.list(value, path);
  if (!items) return undefined;
  const read_: T[] = [];
  items.forEach((item, i) => {
    const one = read(reader, item, join(path, i));
    if (one !== undefined) read_.push(one);
  });
  return read_;
}

function readTest(
  reader: Reader,
  value: unknown,
  path: string,
  graph: AccessGraph | undefined,
): ScenarioTest | undefined {
  const fields = reader.object(value, path, TEST_KEYS);
  if (!fields) return undefined;
  const name = reader.text(fields.name, join(path, "name"));
  const at = fields.at === undefined ? undefined : reader.instant(fields.at, join(path, "at"));
  let grants: GrantInput[] | undefined;
  if (fields.grants !== undefined) {
    const items = reader.list(fields.grants, join(path, "grants"));
    grants = (items ?? []) as GrantInput[];
    // Each grant is added as the run will add it, so whatever would fail then is named now.
    let withGrants = graph;
    (items ?? []).forEach((grant, i) => {
      if (withGrants === undefined) return;
      try {
        withGrants = addGrant(withGrants, grant as GrantInput);
      } catch (error) {
        const grantPath = join(join(path, "grants"), i);
        reader.problem(error instanceof AccessError ? errorPath(grantPath, error) : grantPath, errorText(error));
      }
    });
  }
  const check = readList(reader, fields.check, join(path, "check"), readCheck);
  const resolve = readList(reader, fields.resolve, join(path, "resolve"), readResolve);
  const who = readList(reader, fields.who, join(path, "who"), readWho);
  if (check === undefined && resolve === undefined && who === undefined) {
    reader.problem(path, "states nothing: give it check, resolve or who");
  }
  if (name === undefined) return undefined;
  return {
    name,
    ...(at !== undefined ? { at } : {}),
    ...(grants !== undefined ? { grants } : {}),
    ...(check !== undefined ? { check } : {}),
    ...(resolve !== undefined ? { resolve } : {}),
    ...(who !== undefined ? { who } : {}),
  };
}

/**
 * Checks a scenario, given as the object a YAML or JSON file holds (with `graph`, not
 * `graph_file`, which the file reader resolves first), and answers it ready to run or with
 * every problem found, each at its field path.
 */
export function parseScenario(value: unknown): ParsedScenario {
  const reader = new Reader();
  const fields = reader.object(value, "", ["graph", "tests"]);
  let graph: AccessGraph | undefined;
  if (fields) {
    if (fields.graph === undefined) reader.problem("graph", "is required (or graph_file, in a file)");
    else {
      try {
        graph = createGraph(fields.graph as GraphInput);
      } catch (error) {
        reader.problem(error instanceof AccessError ? errorPath("graph", error) : "graph", errorText(error));
      }
    }
  }
  const tests: ScenarioTest[] = [];
  const items =
    fields &&
    (fields.tests === undefined ? reader.problem("tests", "is required") : reader.list(fields.tests, "tests"));
  if (items && items.length === 0) reader.problem("tests", "must list at least one test");
  items?.forEach((item, i) => {
    const test = readTest(reader, item, join("tests", i), graph);
    if (test) tests.push(test);
  });
  const names = new Map<string, number>();
  tests.forEach((test, i) => {
    const first = names.get(test.name);
    if (first !== undefined) reader.problem(join(join("tests", i), "name"), `repeats the name of tests[${first}]`);
    else names.set(test.name, i);
  });
  if (reader.problems.length > 0 || !graph || !fields) return { ok: false, problems: reader.problems };
  return { ok: true, scenario: { graph: fields.graph as GraphInput, tests }, graph };
}
