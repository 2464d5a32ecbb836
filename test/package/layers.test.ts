/**
 * The import graph of `src/` is the one docs/architecture.md describes: each layer imports only
 * the layers it names, Node built-ins and drivers only where it says, and the CLI loads a SQL
 * adapter only by `import()`. Read from every import and export statement (types included) and
 * every `import()` call, with the TypeScript parser.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

/** The layers, and what each may import: other layers, and packages or built-ins outside. */
const LAYERS = {
  core: { layers: [], outside: [] },
  storage: { layers: ["core"], outside: [] },
  "storage/sqlite": { layers: ["core", "storage"], outside: ["better-sqlite3"] },
  "storage/postgres": { layers: ["core", "storage"], outside: ["pg"] },
  // D1 is reached only through the binding it is given: no driver, no built-in.
  "storage/d1": { layers: ["core", "storage"], outside: [] },
  service: { layers: ["core", "storage"], outside: [] },
  // Scenario files load node: built-ins and yaml only by import() (checked below).
  testing: { layers: ["core", "storage", "service"], outside: ["vitest", "fast-check", "yaml", "node:"] },
  http: { layers: ["core", "storage", "service"], outside: [] },
  node: { layers: ["core", "http"], outside: ["node:"] },
  cli: {
    layers: ["core", "storage", "storage/sqlite", "storage/postgres", "service", "http", "node", "testing"],
    outside: ["commander", "node:"],
  },
  // The playground page runs the core in a browser; only its builder (build-page.ts, run in Node at
  // build time) imports esbuild and built-ins (checked below). The CLI reaches the builder only
  // through a computed import() when it runs from source.
  playground: { layers: ["core"], outside: ["yaml", "esbuild", "node:"] },
  // The package entries (src/*.ts) gather layers; none reaches the CLI, Node or a driver.
  entry: { layers: ["core", "storage", "service", "http"], outside: [] },
} as const satisfies Record<string, { layers: readonly string[]; outside: readonly string[] }>;

type Layer = keyof typeof LAYERS;

function layerOf(file: string): Layer {
  const parts = relative(SRC, file).split(sep);
  if (parts.length === 1) return "entry";
  const [top, next] = parts;
  if (top === "storage" && (next === "sqlite" || next === "postgres" || next === "d1")) return `storage/${next}`;
  if (top !== undefined && top in LAYERS) return top as Layer;
  throw new Error(`${file} is in no known layer`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

interface Import {
  readonly file: string;
  readonly specifier: string;
  readonly dynamic: boolean;
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) {
        found.push({ file, specifier: node.moduleSpecifier.text, dynamic: false });
      }
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ file, specifier: node.arguments[0].text, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const imports = sourceFiles(SRC).flatMap(importsOf);

function describeImport({ file, specifier, dynamic }: Import): string {
  return `${relative(SRC, file)} ${dynamic ? "import()s" : "imports"} ${specifier}`;
}

describe("the layers of src/", () => {
  it("reads the imports of every source file", () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(new Set(imports.map((i) => layerOf(i.file)))).toStrictEqual(new Set(Object.keys(LAYERS)));
  });

  it("each layer imports only the layers it may", () => {
    const wrong = imports
      .filter((i) => i.specifier.startsWith("."))
      .filter((i) => {
        const from = layerOf(i.file);
        const to = layerOf(join(i.file, "..", i.specifier));
        return from !== to && !(LAYERS[from].layers as readonly string[]).includes(to);
      })
      .map(describeImport);
    expect(wrong).toStrictEqual([]);
  });

  it("each layer imports only the packages and built-ins it may", () => {
    const wrong = imports
      .filter((i) => !i.specifier.startsWith("."))
      .filter(
        (i) => !(LAYERS[layerOf(i.file)].outside as readonly string[]).some((p) => packageMatches(i.specifier, p)),
      )
      .map(describeImport);
    expect(wrong).toStrictEqual([]);
  });

  it("the testing kit loads the file system and yaml only when a scenario file is read: by import()", () => {
    const loaded = imports.filter(
      (i) => layerOf(i.file) === "testing" && (i.specifier.startsWith("node:") || i.specifier === "yaml") && !i.dynamic,
    );
    expect(loaded.map(describeImport)).toStrictEqual([]);
  });

  it("the playground's page code imports no Node built-in and no esbuild: only its builder does", () => {
    const node = imports.filter(
      (i) =>
        layerOf(i.file) === "playground" &&
        (i.specifier.startsWith("node:") || i.specifier === "esbuild") &&
        !i.file.endsWith(`${sep}build-page.ts`),
    );
    expect(node.map(describeImport)).toStrictEqual([]);
  });

  it("the CLI loads a SQL adapter only when asked: by import(), never a static import", () => {
    const sql = imports.filter(
      (i) => layerOf(i.file) === "cli" && /storage\/(sqlite|postgres)\//.test(i.specifier.replaceAll("\\", "/")),
    );
    expect(sql.map(describeImport).sort()).toStrictEqual([
      "cli/program.ts import()s ../storage/postgres/index.js",
      "cli/program.ts import()s ../storage/sqlite/index.js",
    ]);
  });
});

/** `node:` allows every built-in; a name allows the package and its subpaths. */
function packageMatches(specifier: string, allowed: string): boolean {
  return allowed.endsWith(":")
    ? specifier.startsWith(allowed)
    : specifier === allowed || specifier.startsWith(`${allowed}/`);
}
