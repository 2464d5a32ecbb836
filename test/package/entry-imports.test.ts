/**
 * What each built entry of the package imports when it runs, as docs/architecture.md states it:
 * every file of every `exports` entry (ESM and CommonJS) and of the `grantpath` executable is
 * followed from the entry through the chunks it loads, and the packages and Node built-ins it
 * reaches are listed apart from those only an `import()` reaches.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface PackageJson {
  readonly exports: Record<string, string | Record<string, string | Record<string, string>>>;
  readonly bin: Record<string, string>;
  readonly dependencies: Record<string, string>;
  readonly peerDependencies: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as PackageJson;

/** What an entry imports when loaded, and what only its `import()` calls reach. */
interface EntryImports {
  readonly loaded: readonly string[];
  readonly onDemand: readonly string[];
}

/** Each entry's runtime imports; Node built-ins written `node:…` whatever the build wrote. */
const EXPECTED: Readonly<Record<string, EntryImports>> = {
  ".": { loaded: [], onDemand: [] },
  "./adapter": { loaded: [], onDemand: [] },
  "./openapi": { loaded: [], onDemand: [] },
  "./node": { loaded: ["node:http", "node:stream"], onDemand: [] },
  "./sqlite": { loaded: ["better-sqlite3"], onDemand: [] },
  "./postgres": { loaded: ["pg"], onDemand: [] },
  "./d1": { loaded: [], onDemand: [] },
  // Reading a scenario file loads the file system and yaml; running an object loads nothing.
  "./testing": { loaded: [], onDemand: ["node:fs/promises", "node:path", "yaml"] },
  "./testing/vitest": { loaded: ["vitest"], onDemand: ["node:fs/promises", "node:path", "yaml"] },
  "./testing/fast-check": { loaded: ["fast-check"], onDemand: [] },
  "bin grantpath": {
    loaded: ["commander", "node:fs/promises", "node:http", "node:stream", "node:util"],
    onDemand: ["better-sqlite3", "node:path", "pg", "yaml"],
  },
};

const BUILTINS = new Set(["fs", "fs/promises", "http", "net", "stream", "util", "url", "path", "os", "crypto"]);

function normalize(specifier: string): string {
  return BUILTINS.has(specifier) ? `node:${specifier}` : specifier;
}

/** The files an `exports` value points at (every condition's `default`, or the plain path). */
function files(value: PackageJson["exports"][string]): string[] {
  if (typeof value === "string") return [value];
  return Object.entries(value).flatMap(([condition, target]) => {
    if (condition === "types") return [];
    if (typeof target === "string") return [target];
    return typeof target.default === "string" ? [target.default] : [];
  });
}

async function importsOf(file: string): Promise<EntryImports> {
  const result = await build({
    entryPoints: [`${ROOT}/${file}`],
    bundle: true,
    write: false,
    metafile: true,
    platform: "neutral",
    format: file.endsWith(".cjs") ? "cjs" : "esm",
    packages: "external",
    logLevel: "silent",
  });
  const inputs: Metafile["inputs"] = result.metafile.inputs;
  const entry = Object.keys(inputs).find((path) => `${ROOT}/${file}`.endsWith(path.replace(/^\.\//, "")));
  if (entry === undefined) throw new Error(`${file} is not among esbuild's inputs`);
  // Follow the files an entry loads; what an import() reaches is loaded only on demand.
  const loaded = new Set<string>();
  const onDemand = new Set<string>();
  const walk = (path: string, dynamic: boolean, seen: Set<string>) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const record of inputs[path]?.imports ?? []) {
      const lazy = dynamic || record.kind === "dynamic-import";
      if (record.external) (lazy ? onDemand : loaded).add(normalize(record.path));
      else walk(record.path, lazy, seen);
    }
  };
  walk(entry, false, new Set());
  return { loaded: [...loaded].sort(), onDemand: [...onDemand].filter((name) => !loaded.has(name)).sort() };
}

describe("what each built entry imports at run time", () => {
  const entries = [
    ...Object.entries(pkg.exports)
      .filter(([name]) => name !== "./package.json")
      .map(([name, value]) => [name, files(value)] as const),
    ...Object.entries(pkg.bin).map(([name, file]) => [`bin ${name}`, [file]] as const),
  ];

  it("every entry is described here (and in docs/architecture.md)", () => {
    expect(entries.map(([name]) => name).sort()).toStrictEqual(Object.keys(EXPECTED).sort());
  });

  it.each(entries)("%s", async (name, paths) => {
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(await importsOf(path), path).toStrictEqual(EXPECTED[name]);
  });

  it("the library's entries need nothing installed but yaml, for scenario files; the executable needs commander", () => {
    expect(Object.keys(pkg.dependencies)).toStrictEqual(["commander", "yaml"]);
    const needed = new Set(Object.values(EXPECTED).flatMap((entry) => [...entry.loaded, ...entry.onDemand]));
    const packages = [...needed].filter((name) => !name.startsWith("node:")).sort();
    expect(packages).toStrictEqual(["better-sqlite3", "commander", "fast-check", "pg", "vitest", "yaml"]);
    // every package but commander and yaml is an optional peer: installed by those who use its entry
    expect(Object.keys(pkg.peerDependencies).sort()).toStrictEqual(["better-sqlite3", "fast-check", "pg", "vitest"]);
  });
});
