/**
 * The `grantpath` command line: `serve` (the REST API on the embedded default), `resolve`,
 * `check`, `who`, `review` and `validate` over a graph file, `check --server` against a running server,
 * and `test` over scenario files.
 * @module
 */
import { readFile } from "node:fs/promises";
import { styleText } from "node:util";

/** Colours text whatever stream it ends up on: the caller has already decided colour is wanted. */
function paint(format: Parameters<typeof styleText>[0], text: string): string {
  return styleText(format, text, { validateStream: false });
}

import { Command, InvalidArgumentError, Option } from "commander";
import {
  type AccessCheck,
  AccessError,
  type AccessGraph,
  checkAccess,
  createGraph,
  diffAccess,
  type GrantPath,
  type GraphInput,
  isValidId,
  resolveAccess,
  reviewGrants,
  usersWithAccess,
} from "../core/index.js";
import { createHttpHandler } from "../http/index.js";
import { OPENAPI_DOCUMENT } from "../http/openapi-document.js";
import { serve } from "../node/index.js";
import { createAccessControl } from "../service/index.js";
import { memoryStorage, type StorageAdapter } from "../storage/index.js";
import { ScenarioError } from "../testing/scenarios/scenario-error.js";
import { runScenarioFile, updateScenarioFile } from "../testing/scenarios/scenario-files.js";
import { jsonReport, junitReport, textReport } from "../testing/scenarios/scenario-report.js";
import type { ScenarioResult } from "../testing/scenarios/scenario-types.js";
import { collectProblems } from "./collect-problems.js";
import { DEMO_ORGANIZATION, DEMO_TOKENS } from "./demo-organization.js";
import { parseDuration } from "./durations.js";
import { PLAYGROUND_PATH, withPlayground } from "./playground-route.js";
import { checkOnServer } from "./server-check.js";

/** Where the program writes, and how it ends; injectable so tests can run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly color: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Colours a text report's marks: ✓ green, ✗ red. */
function colorReport(text: string): string {
  return text.replace(
    /^(\s*)([✓✗])/gmu,
    (_, indent: string, mark: string) => indent + paint(mark === "✓" ? "green" : "red", mark),
  );
}

/** Exit codes: 0 success, 1 "no" (denied, or an invalid graph), 2 a usage or input error. */
export const EXIT = { ok: 0, no: 1, error: 2 } as const;

class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliFailure(`cannot read ${path}: ${(error as Error).message}`, EXIT.error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliFailure(`${path} is not valid JSON: ${(error as Error).message}`, EXIT.error);
  }
}

async function loadGraph(path: string): Promise<AccessGraph> {
  return createGraph((await readJsonFile(path)) as GraphInput);
}

function parseInstant(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError("expected an ISO-8601 date-time");
  return date;
}

/** Bearer tokens from a `{ "token": "usr_…" }` file, checked before the server starts. */
function tokenMap(value: unknown, file: string): Map<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliFailure(`${file} must map tokens to user ids, like {"my-token": "usr_owner1"}`, EXIT.error);
  }
  const tokens = new Map<string, string>();
  for (const [token, user] of Object.entries(value)) {
    if (typeof user !== "string" || !isValidId("user", user)) {
      throw new CliFailure(`${file}: token ${JSON.stringify(token)} must map to a user id (usr_…)`, EXIT.error);
    }
    tokens.set(token, user);
  }
  return tokens;
}

/**
 * The storage `serve` keeps its data in. The SQL adapters are imported only when asked for, so
 * serving from memory never loads a database driver.
 */
async function openStorage(
  options: { readonly db?: string; readonly postgres?: string },
  initial: readonly GraphInput[],
): Promise<StorageAdapter> {
  if (options.db !== undefined) {
    const { sqliteStorage } = await import("../storage/sqlite/index.js");
    return sqliteStorage({ filename: options.db, initial });
  }
  if (options.postgres !== undefined) {
    const { postgresStorage } = await import("../storage/postgres/index.js");
    return postgresStorage({ connectionString: options.postgres, initial });
  }
  return memoryStorage({ initial });
}

function portFromEnvironment(value: string | undefined): number {
  if (value === undefined || value === "") return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliFailure(`PORT must be a port 0-65535, got ${JSON.stringify(value)}`, EXIT.error);
  }
  return port;
}

function parsePort(value: string): number {
  const port = value.trim() === "" ? Number.NaN : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError("expected a port 0-65535");
  return port;
}

function describePath(path: GrantPath): string {
  const via =
    path.type === "direct"
      ? "direct"
      : path.type === "department"
        ? `department ${path.department_id}`
        : path.type === "role"
          ? `role ${path.role_id}`
          : `composite ${path.composite_id}${path.department_id ? ` via department ${path.department_id}` : ""}${path.role_id ? ` via role ${path.role_id}` : ""}`;
  return `${via}: ${path.access_level} (${path.grant_id})`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes take no columns
const ANSI = /\u001b\[\d+m/g;

/** How many columns a cell takes on screen: colour codes take none. */
function columns(text: string): number {
  return text.replace(ANSI, "").length;
}

/** A plain text table; the header is bold when colour is on. Columns align with or without colour. */
function table(headers: readonly string[], rows: readonly (readonly string[])[], color: boolean): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => columns(row[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell + " ".repeat(Math.max(0, (widths[i] ?? 0) - columns(cell))))
      .join("  ")
      .trimEnd();
  const head = line(headers);
  return [color ? paint("bold", head) : head, ...rows.map(line)].join("\n");
}

function levelText(level: string, color: boolean): string {
  if (!color) return level;
  return paint(level === "admin" ? "red" : level === "write" ? "yellow" : "green", level);
}

/** The options of `check`: the file form's, and the server form's. */
interface CheckCommandOptions {
  readonly level?: string;
  readonly explain?: boolean;
  readonly at?: Date;
  readonly json?: boolean;
  readonly server?: string;
  readonly org?: string;
  readonly token?: string;
  readonly minRevision?: number;
}

/** A check and whom and what it is about, whichever form answered it. */
interface CheckAnswer {
  readonly userId: string;
  readonly entityId: string;
  readonly check: AccessCheck;
}

const CHECK_USAGE =
  "check takes <graph.json> <user_id> <entity_type> <entity_id>, or --server <url> --org <organization_id> " +
  "<user_id> <entity_type> <entity_id>";

function parseRevision(value: string): number {
  const revision = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(revision)) throw new InvalidArgumentError("expected a revision: a whole number ≥ 0");
  return revision;
}

/** `check` over a graph file: the core's answer. */
async function checkFile(args: readonly string[], options: CheckCommandOptions): Promise<CheckAnswer> {
  const given: readonly [string, unknown][] = [
    ["--org", options.org],
    ["--token", options.token],
    ["--min-revision", options.minRevision],
  ];
  const misplaced = given.flatMap(([name, value]) => (value === undefined ? [] : [name]));
  if (misplaced.length > 0) {
    throw new CliFailure(`${misplaced.join(", ")} ${misplaced.length === 1 ? "goes" : "go"} with --server`, EXIT.error);
  }
  if (args.length !== 4) throw new CliFailure(CHECK_USAGE, EXIT.error);
  const [file, userId, entityType, entityId] = args as [string, string, string, string];
  const check = checkAccess(await loadGraph(file), userId, entityType as never, entityId, {
    level: options.level as never,
    at: options.at,
    explain: options.explain === true,
  });
  return { userId, entityId, check };
}

/** `check --server`: the running server's answer to `POST /access/check`. */
async function checkServer(
  args: readonly string[],
  options: CheckCommandOptions,
  env: CliIo["env"],
): Promise<CheckAnswer> {
  if (args.length !== 3) throw new CliFailure(`${CHECK_USAGE} (no graph file with --server)`, EXIT.error);
  const [userId, entityType, entityId] = args as [string, string, string];
  let server: URL;
  try {
    server = new URL(options.server ?? "");
  } catch {
    throw new CliFailure(`--server must be a URL such as http://127.0.0.1:3000, got ${options.server}`, EXIT.error);
  }
  if (server.protocol !== "http:" && server.protocol !== "https:") {
    throw new CliFailure(`--server must be an http or https URL, got ${options.server}`, EXIT.error);
  }
  if (options.org === undefined) throw new CliFailure("check --server needs --org <organization_id>", EXIT.error);
  const token = options.token ?? env.GRANTPATH_TOKEN;
  if (token === undefined || token === "") {
    throw new CliFailure("check --server needs --token <token> (or GRANTPATH_TOKEN in the environment)", EXIT.error);
  }
  const outcome = await checkOnServer({
    server,
    token,
    organizationId: options.org,
    userId,
    entityType,
    entityId,
    level: options.level,
    minRevision: options.minRevision,
    explain: options.explain === true,
  });
  if (!outcome.ok) throw new CliFailure(outcome.message, EXIT.error);
  return { userId, entityId, check: outcome.check };
}

/** Builds the program; `run` parses `argv` (without node and script) and resolves with the exit code. */
export function createProgram(io: CliIo): { run(argv: readonly string[]): Promise<number> } {
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name("grantpath")
    .description("Resolve and serve grantpath access graphs.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  program
    .command("serve")
    .description("serve the REST API (default: memory storage with the demo organization)")
    .option("--data <graph.json>", "organizations to seed instead of the demo (one GraphInput or an array)")
    .addOption(new Option("--db <file.sqlite>", "keep everything in this SQLite file").conflicts("postgres"))
    .option("--postgres <url>", "keep everything in this PostgreSQL database")
    .addOption(
      new Option("--port <port>", "port to listen on (0: any free port; default: PORT, or 3000)").argParser(parsePort),
    )
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--tokens <tokens.json>", 'bearer tokens to users, e.g. {"my-token": "usr_owner1"} (default: demo tokens)')
    .action(
      async (options: {
        data?: string;
        port?: number;
        host: string;
        tokens?: string;
        db?: string;
        postgres?: string;
      }) => {
        const port = options.port ?? portFromEnvironment(io.env.PORT);
        const organizations = options.data ? await readJsonFile(options.data) : DEMO_ORGANIZATION;
        const initial = (Array.isArray(organizations) ? organizations : [organizations]) as GraphInput[];
        if (initial.length === 0) throw new CliFailure(`${options.data} names no organization`, EXIT.error);
        const tokens = options.tokens
          ? tokenMap(await readJsonFile(options.tokens), options.tokens)
          : tokenMap(DEMO_TOKENS, "the demo tokens");
        // Seeding only adds organizations a database does not have yet, so a restart keeps its data.
        const storage = await openStorage(options, initial);
        const accessControl = createAccessControl({ storage });
        const api = createHttpHandler(accessControl, {
          openapi: OPENAPI_DOCUMENT,
          authenticate: (request) => {
            const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
            const user_id = match ? tokens.get(match[1] as string) : undefined;
            return user_id ? { user_id } : null;
          },
        });
        // The playground page (GET /playground) runs the engine in the browser, on a graph it edits.
        const handler = withPlayground(api);
        const server = await serve(handler, { port, host: options.host }).catch((error: unknown) => {
          throw new CliFailure(`cannot listen on ${options.host}:${port}: ${(error as Error).message}`, EXIT.error);
        });
        // Listen for the stop signals before saying it is ready: whoever waits for these lines
        // may send SIGTERM the moment they arrive.
        const stopped = new Promise<void>((resolve) => {
          let stopping = false;
          const stop = () => {
            // Stay subscribed until closed: a terminal's Ctrl-C reaches `npm start` too, which
            // forwards it, and that second SIGINT must not cut the graceful close short.
            if (stopping) return;
            stopping = true;
            io.stdout("grantpath: shutting down\n");
            void server
              .close()
              .then(() => accessControl.close())
              .then(() => storage.close?.())
              .then(() => {
                process.off("SIGINT", stop);
                process.off("SIGTERM", stop);
                resolve();
              });
          };
          process.on("SIGINT", stop);
          process.on("SIGTERM", stop);
        });
        io.stdout(`grantpath serving ${initial.map((o) => o.organization_id).join(", ")} at ${server.url}\n`);
        const [someToken = "<token>"] = tokens.keys();
        io.stdout(
          `try: curl -H "Authorization: Bearer ${someToken}" ${server.url}/v1/organizations/${initial[0]?.organization_id ?? "org_…"}/access/grants\n`,
        );
        io.stdout(`playground: ${server.url}${PLAYGROUND_PATH}\n`);
        io.stdout("bearer tokens:\n");
        for (const [token, user] of tokens) io.stdout(`  ${token}  ->  ${user}\n`);
        await stopped;
      },
    );

  program
    .command("resolve")
    .description("everything a user can reach, with levels and grant paths")
    .argument("<graph.json>", "a GraphInput file")
    .argument("<user_id>", "the user (usr_*)")
    .option("--entity-type <type>", "only this entity type")
    .option("--at <instant>", "decide expiry at this ISO-8601 instant (default: now)", parseInstant)
    .option("--json", "print the resolved access as JSON")
    .action(async (file: string, userId: string, options: { entityType?: string; at?: Date; json?: boolean }) => {
      const resolved = resolveAccess(await loadGraph(file), userId, {
        entityType: options.entityType as never,
        at: options.at,
      });
      if (options.json) {
        io.stdout(`${JSON.stringify(resolved, null, 2)}\n`);
        return;
      }
      if (resolved.entities.length === 0) {
        io.stdout(`${userId} reaches no entity\n`);
        return;
      }
      const rows = resolved.entities.flatMap((entity) =>
        entity.grant_paths.map((path, i) =>
          i === 0
            ? [entity.entity_type, entity.entity_id, levelText(entity.access_level, io.color), describePath(path)]
            : ["", "", "", describePath(path)],
        ),
      );
      io.stdout(`${table(["ENTITY TYPE", "ENTITY", "LEVEL", "GRANT PATHS"], rows, io.color)}\n`);
    });

  program
    .command("check")
    .description(
      "whether a user may act on an entity, in a graph file or on a running server (exit 0 allowed, 1 denied)",
    )
    .usage(
      "[options] <graph.json> <user_id> <entity_type> <entity_id>\n" +
        "       grantpath check [options] --server <url> --org <organization_id> <user_id> <entity_type> <entity_id>",
    )
    .argument(
      "<arguments...>",
      "a GraphInput file (not with --server), the user (usr_*), the entity type (knowledge_slice, vector_store or " +
        "assistant) and the entity",
    )
    .option("--level <level>", "the level needed: read, write or admin")
    .addOption(
      new Option("--at <instant>", "decide expiry at this ISO-8601 instant (default: now; graph files only)")
        .argParser(parseInstant)
        .conflicts("server"),
    )
    .option("--explain", "when denied, print the nearest grants that would allow it")
    .option("--json", "print the check as JSON")
    .option("--server <url>", "ask this running grantpath server (POST /access/check) instead of a graph file")
    .option("--org <organization_id>", "with --server: the organization")
    .option("--token <token>", "with --server: the bearer token (default: the GRANTPATH_TOKEN environment variable)")
    .addOption(
      new Option("--min-revision <n>", "with --server: answer from this revision or a later one").argParser(
        parseRevision,
      ),
    )
    .action(async (args: readonly string[], options: CheckCommandOptions) => {
      const { userId, entityId, check } =
        options.server === undefined ? await checkFile(args, options) : await checkServer(args, options, io.env);
      if (options.json) io.stdout(`${JSON.stringify(check, null, 2)}\n`);
      else {
        const verdict = check.allowed ? "allowed" : "denied";
        io.stdout(
          `${io.color ? paint(check.allowed ? "green" : "red", verdict) : verdict}: ${userId} has ${check.access_level ?? "no access"} on ${entityId}\n`,
        );
        for (const path of check.grant_paths) io.stdout(`  ${describePath(path)}\n`);
        if (check.suggestions && check.suggestions.length > 0) {
          io.stdout(`one grant at ${options.level ?? "read"} to any of these would allow it, nearest first:\n`);
          for (const s of check.suggestions)
            io.stdout(`  ${s.grantee_type} ${s.grantee_id} on ${s.entity_type} ${s.entity_id}\n`);
        }
      }
      if (!check.allowed) exitCode = EXIT.no;
    });

  program
    .command("diff")
    .description("every (user, entity) whose level differs between two graph files of one organization")
    .argument("<old.json>", "the graph before")
    .argument("<new.json>", "the graph after")
    .option("--at <instant>", "decide expiry at this ISO-8601 instant (default: now)", parseInstant)
    .option("--json", "print the diff as JSON")
    .action(async (oldFile: string, newFile: string, options: { at?: Date; json?: boolean }) => {
      const diff = diffAccess(await loadGraph(oldFile), await loadGraph(newFile), { at: options.at });
      if (options.json) {
        io.stdout(`${JSON.stringify(diff, null, 2)}\n`);
        return;
      }
      if (diff.changes.length === 0) {
        io.stdout("no access changes\n");
        return;
      }
      const rows = diff.changes.map((change) => [
        change.user_id,
        `${change.entity_type} ${change.entity_id}`,
        change.before ?? "-",
        change.after ?? "-",
      ]);
      io.stdout(`${table(["USER", "ENTITY", "BEFORE", "AFTER"], rows, io.color)}\n`);
    });

  program
    .command("who")
    .description("every user who can reach an entity")
    .argument("<graph.json>", "a GraphInput file")
    .argument("<entity_type>", "knowledge_slice, vector_store or assistant")
    .argument("<entity_id>", "the entity")
    .option("--at <instant>", "decide expiry at this ISO-8601 instant (default: now)", parseInstant)
    .option("--json", "print the answer as JSON")
    .action(async (file: string, entityType: string, entityId: string, options: { at?: Date; json?: boolean }) => {
      const answer = usersWithAccess(await loadGraph(file), entityType as never, entityId, { at: options.at });
      if (options.json) {
        io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
        return;
      }
      if (answer.users.length === 0) {
        io.stdout(`nobody reaches ${entityId}\n`);
        return;
      }
      const rows = answer.users.flatMap((user) =>
        user.grant_paths.map((path, i) =>
          i === 0
            ? [user.user_id, levelText(user.access_level, io.color), describePath(path)]
            : ["", "", describePath(path)],
        ),
      );
      io.stdout(`${table(["USER", "LEVEL", "GRANT PATHS"], rows, io.color)}\n`);
    });

  program
    .command("review")
    .description("redundant, unreachable and expiring grants (exit 0: findings are information, not a failure)")
    .argument("<graph.json>", "a GraphInput file")
    .option("--at <instant>", "review at this ISO-8601 instant (default: now)", parseInstant)
    .option(
      "--expiring-within <duration>",
      "report grants expiring within this long after --at: milliseconds, or like 12h, 7d, 2w (default: 7d)",
      parseDuration,
    )
    .option("--json", "print the review as JSON")
    .action(async (file: string, options: { at?: Date; expiringWithin?: number; json?: boolean }) => {
      const review = reviewGrants(await loadGraph(file), { at: options.at, expiringWithin: options.expiringWithin });
      if (options.json) {
        io.stdout(`${JSON.stringify(review, null, 2)}\n`);
        return;
      }
      if (review.findings.length === 0) {
        io.stdout(`${file}: no redundant, unreachable or expiring grants\n`);
        return;
      }
      const colours = { redundant: "yellow", unreachable: "red", expiring: "cyan" } as const;
      const rows = review.findings.map((finding) => [
        io.color ? paint(colours[finding.kind], finding.kind) : finding.kind,
        finding.grant_id,
        finding.entity_id,
        finding.grantee_id,
        levelText(finding.access_level, io.color),
        finding.kind === "redundant"
          ? `${finding.user_count} user${finding.user_count === 1 ? "" : "s"} reached, each holding as much through other grants`
          : finding.kind === "unreachable"
            ? `no user is ${finding.grantee_type === "role" ? "given the role" : "in the department or below it"}`
            : `expires at ${finding.expires_at}`,
      ]);
      io.stdout(`${table(["KIND", "GRANT", "ENTITY", "GRANTEE", "LEVEL", "WHY"], rows, io.color)}\n`);
      const count = (kind: string) => review.findings.filter((finding) => finding.kind === kind).length;
      io.stdout(
        `${review.findings.length} finding${review.findings.length === 1 ? "" : "s"}: ${count("redundant")} redundant, ` +
          `${count("unreachable")} unreachable, ${count("expiring")} expiring\n`,
      );
    });

  program
    .command("test")
    .description(
      "run scenario files (YAML or JSON): exit 0 when every test passes, 1 when one fails, 2 when a file cannot be read or is not a valid scenario",
    )
    .argument("<files...>", "scenario files")
    .option("--verbose", "print every test and assertion, not only failures")
    .addOption(
      new Option("--reporter <format>", "text, json (for programs) or junit (for CI)")
        .choices(["text", "json", "junit"])
        .default("text"),
    )
    .option("--update", "rewrite failing resolve/who expectations with the current answers (keeps comments)")
    .option("--coverage", "print the grants, departments, roles and composites no assertion exercised")
    .action(
      async (
        files: string[],
        options: { verbose?: boolean; reporter: "text" | "json" | "junit"; update?: boolean; coverage?: boolean },
      ) => {
        const started = performance.now();
        const results: ScenarioResult[] = [];
        let unreadable = false;
        for (const file of files) {
          try {
            if (options.update) {
              const update = await updateScenarioFile(file);
              if (update.updated.length > 0) {
                io.stderr(`${file}: updated ${update.updated.join(", ")}\n`);
              }
            }
            results.push(await runScenarioFile(file));
          } catch (error) {
            if (!(error instanceof ScenarioError)) throw error;
            unreadable = true;
            for (const problem of error.problems) {
              const where = problem.path === "" ? "" : `${problem.path}: `;
              io.stderr(`${file}: ${io.color ? paint("red", error.code) : error.code} ${where}${problem.message}\n`);
            }
          }
        }
        if (options.reporter === "json") io.stdout(jsonReport(results));
        else if (options.reporter === "junit") io.stdout(junitReport(results));
        else {
          const text = textReport(results, {
            verbose: options.verbose === true,
            coverage: options.coverage === true,
            durationMs: performance.now() - started,
          });
          io.stdout(io.color ? colorReport(text) : text);
        }
        exitCode = unreadable ? EXIT.error : results.every((result) => result.passed) ? EXIT.ok : EXIT.no;
      },
    );

  program
    .command("validate")
    .description("check a graph file and list every problem (exit 1 when there is any)")
    .argument("<graph.json>", "a GraphInput file")
    .action(async (file: string) => {
      const input = await readJsonFile(file);
      const problems = collectProblems(input);
      if (problems.length === 0) {
        const graph = input as GraphInput;
        io.stdout(`${file}: valid (${graph.users?.length ?? 0} users, ${graph.grants?.length ?? 0} grants)\n`);
        return;
      }
      for (const problem of problems) {
        // Messages usually start with their field already; name it only when they do not.
        const where = problem.field === "" || problem.message.startsWith(problem.field) ? "" : `${problem.field}: `;
        io.stdout(`${file}: ${io.color ? paint("red", problem.code) : problem.code} ${where}${problem.message}\n`);
      }
      io.stdout(`${problems.length} problem${problems.length === 1 ? "" : "s"}\n`);
      exitCode = EXIT.no;
    });

  return {
    async run(argv) {
      exitCode = EXIT.ok;
      try {
        await program.parseAsync([...argv], { from: "user" });
        return exitCode;
      } catch (error) {
        return failureCode(error, io);
      }
    },
  };
}

function failureCode(error: unknown, io: CliIo): number {
  if (error instanceof CliFailure) {
    io.stderr(`error: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof AccessError) {
    const field = typeof error.details.field === "string" ? ` ${error.details.field}:` : "";
    const reason = typeof error.details.message === "string" ? error.details.message : error.message;
    io.stderr(`error: ${error.code}${field} ${reason}\n`);
    return EXIT.error;
  }
  // commander's own exits (help, version, usage errors) carry their code.
  if (typeof error === "object" && error !== null && "exitCode" in error && typeof error.exitCode === "number") {
    return error.exitCode === 0 ? EXIT.ok : EXIT.error;
  }
  throw error;
}
