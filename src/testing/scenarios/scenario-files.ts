/**
 * Scenario files on disk: YAML (`.yaml`, `.yml`) or JSON (`.json`), `graph_file` resolved
 * relative to the file, and `--update`'s rewrite of `resolve`/`who` expectations that keeps the
 * file's comments and layout. The file system and the YAML library are loaded only when a file
 * is read, so `grantpath/testing` costs nothing to those who run scenario objects.
 * @module
 */
import { runScenario, type ScenarioRunOptions } from "./run-scenario-object.js";
import { ScenarioError } from "./scenario-error.js";
import type { ScenarioProblem, ScenarioResult } from "./scenario-types.js";

type YamlModule = typeof import("yaml");
type YamlDocument = ReturnType<YamlModule["parseDocument"]>;

/** A scenario file as read: its format, its parsed document (YAML) and its value. */
interface ReadFile {
  readonly format: "yaml" | "json";
  readonly text: string;
  readonly document: YamlDocument | undefined;
  readonly value: unknown;
}

function formatOf(file: string): "yaml" | "json" {
  return /\.json$/i.test(file) ? "json" : "yaml";
}

async function readText(file: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ScenarioError("SCENARIO_UNREADABLE", [{ path: "", message: reason }], file, { cause: error });
  }
}

/** Parses text as the file's format; a syntax error is a problem at its line and column. */
async function parseText(file: string, text: string): Promise<{ value: unknown; document: YamlDocument | undefined }> {
  if (formatOf(file) === "json") {
    try {
      return { value: JSON.parse(text), document: undefined };
    } catch (error) {
      throw new ScenarioError(
        "SCENARIO_UNREADABLE",
        [{ path: "", message: `not valid JSON: ${(error as Error).message}` }],
        file,
        {
          cause: error,
        },
      );
    }
  }
  const yaml: YamlModule = await import("yaml");
  const document = yaml.parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const problems: ScenarioProblem[] = document.errors.map((error) => {
      const at = error.linePos?.[0];
      return {
        path: at ? `line ${at.line}, column ${at.col}` : "",
        message: (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ""),
      };
    });
    throw new ScenarioError("SCENARIO_UNREADABLE", problems, file);
  }
  return { value: document.toJS({ maxAliasCount: 100 }), document };
}

async function readScenarioFile(file: string): Promise<ReadFile> {
  const text = await readText(file);
  const { value, document } = await parseText(file, text);
  if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, "graph_file")) {
    return { format: formatOf(file), text, document, value };
  }
  const { graph_file: graphFile, ...rest } = value as Record<string, unknown>;
  if (Object.hasOwn(rest, "graph")) {
    throw new ScenarioError(
      "SCENARIO_INVALID",
      [{ path: "graph_file", message: "give graph or graph_file, not both" }],
      file,
    );
  }
  if (typeof graphFile !== "string" || graphFile === "") {
    throw new ScenarioError(
      "SCENARIO_INVALID",
      [{ path: "graph_file", message: "must be a path relative to this file" }],
      file,
    );
  }
  const { dirname, resolve } = await import("node:path");
  const graphPath = resolve(dirname(file), graphFile);
  let graph: unknown;
  try {
    graph = (await parseText(graphPath, await readText(graphPath))).value;
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    const problems = error.problems.map((problem) => ({
      path: "graph_file",
      message: `${graphFile}: ${problem.path === "" ? "" : `${problem.path}: `}${problem.message}`,
    }));
    throw new ScenarioError(error.code, problems, file, { cause: error });
  }
  return { format: formatOf(file), text, document, value: { ...rest, graph } };
}

/**
 * Reads a scenario file (YAML or JSON, `graph_file` resolved relative to it) and runs it, as
 * {@link runScenario} runs an object. The result's `file` is `file` as given.
 *
 * @throws {@link ScenarioError} `SCENARIO_UNREADABLE` (no such file, not YAML or JSON) or
 *   `SCENARIO_INVALID`, with every problem.
 *
 * @example
 * ```ts
 * import { runScenarioFile } from "grantpath/testing";
 *
 * const result = await runScenarioFile("authz/scenarios.yaml");
 * if (!result.passed) console.log(result.tests.filter((test) => !test.passed));
 * ```
 */
export async function runScenarioFile(file: string, options: ScenarioRunOptions = {}): Promise<ScenarioResult> {
  const read = await readScenarioFile(file);
  return runScenario(read.value, options, file);
}

/**
 * What {@link updateScenarioFile} changed.
 *
 * @example
 * ```ts
 * const { updated } = await updateScenarioFile("authz/scenarios.yaml");
 * console.log(updated); // ["tests[0].resolve[0].entities"]
 * ```
 */
export interface ScenarioUpdate {
  readonly file: string;
  /** The expectations rewritten, as field paths (`tests[0].resolve[1].entities`). */
  readonly updated: readonly string[];
}

/**
 * Rewrites the failing `resolve` and `who` expectations of a scenario file with the current
 * answers, as a snapshot test updates its snapshot, and writes the file back only if something
 * changed. In YAML the entries kept keep their place and comments, new ones are added at the
 * end of their map and removed ones dropped; JSON is written back with two-space indentation.
 * `check` expectations are never rewritten: they state a decision, not a snapshot.
 *
 * @throws {@link ScenarioError} as {@link runScenarioFile}.
 *
 * @example
 * ```ts
 * await updateScenarioFile("authz/scenarios.yaml"); // as grantpath test --update
 * ```
 */
export async function updateScenarioFile(file: string, options: ScenarioRunOptions = {}): Promise<ScenarioUpdate> {
  const read = await readScenarioFile(file);
  const result = runScenario(read.value, options, file);
  const edits: { path: (string | number)[]; actual: Readonly<Record<string, string>> }[] = [];
  for (const test of result.tests) {
    for (const assertion of test.assertions) {
      if (assertion.passed || assertion.kind === "check") continue;
      const field = assertion.kind === "resolve" ? "entities" : "users";
      edits.push({ path: ["tests", test.index, assertion.kind, assertion.index, field], actual: assertion.actual });
    }
  }
  const updated = edits.map(({ path }) => `tests[${path[1]}].${path[2]}[${path[3]}].${path[4]}`);
  if (edits.length === 0) return { file, updated };
  let text: string;
  if (read.format === "json" || !read.document) {
    const value = JSON.parse(read.text) as Record<string, unknown>;
    for (const edit of edits) setIn(value, edit.path, { ...edit.actual });
    text = `${JSON.stringify(value, null, 2)}\n`;
  } else {
    const yaml: YamlModule = await import("yaml");
    const document = read.document;
    for (const edit of edits) {
      const node = document.getIn(edit.path, true);
      if (yaml.isMap(node)) {
        // Edit the map in place: the entries kept keep their comments and order.
        for (const pair of [...node.items]) {
          const key = yaml.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
          if (!Object.hasOwn(edit.actual, key)) node.delete(pair.key);
        }
        for (const [key, level] of Object.entries(edit.actual)) node.set(key, level);
      } else {
        document.setIn(edit.path, document.createNode({ ...edit.actual }, { flow: true }));
      }
    }
    // No folding: a flow map the file kept on one line stays on one line.
    text = document.toString({ lineWidth: 0 });
  }
  const { writeFile } = await import("node:fs/promises");
  await writeFile(file, text, "utf8");
  return { file, updated };
}

function setIn(target: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let at: unknown = target;
  for (const key of path.slice(0, -1)) at = (at as Record<string | number, unknown>)[key];
  (at as Record<string | number, unknown>)[path[path.length - 1] as string | number] = value;
}
