// Every public export carries TSDoc with an example: the API reference (typedoc) is built
// from these comments, so an undocumented export is a hole in the reference.
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const entries = [
  "../../src/index.ts",
  "../../src/adapter.ts",
  "../../src/openapi.ts",
  "../../src/testing/index.ts",
  "../../src/testing/vitest.ts",
  "../../src/testing/fast-check.ts",
  "../../src/node/index.ts",
  "../../src/storage/sqlite/index.ts",
  "../../src/storage/postgres/index.ts",
  "../../src/storage/d1/index.ts",
].map((path) => fileURLToPath(new URL(path, import.meta.url)));

function exportedDocs(entry: string): { name: string; doc: string; hasExample: boolean }[] {
  const program = ts.createProgram([entry], { strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error("no entry");
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error("entry is not a module");
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const doc = ts.displayPartsToString(target.getDocumentationComment(checker));
    const tags = target.getJsDocTags(checker);
    return { name: symbol.getName(), doc, hasExample: tags.some((tag) => tag.name === "example") };
  });
}

describe("the public API", () => {
  const exports = entries.flatMap(exportedDocs);

  it("exports the names docs/spec.md §7 makes binding", () => {
    const names = exports.map((e) => e.name);
    for (const name of ["createGraph", "resolveAccess", "checkAccess", "usersWithAccess", "AccessError"]) {
      expect(names).toContain(name);
    }
  });

  it("documents every export", () => {
    expect(exports.filter((e) => e.doc.trim() === "").map((e) => e.name)).toEqual([]);
  });

  it("gives every export an example", () => {
    expect(exports.filter((e) => !e.hasExample).map((e) => e.name)).toEqual([]);
  });
});
