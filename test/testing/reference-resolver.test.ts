// The brute-force reference resolver as grantpath/testing exports it: it shares no code with the
// engine (every import it has from src/ is a type), and the entry hands out the very functions the
// property tests use.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import SEED from "../../examples/seed-graph.json" with { type: "json" };
import { createGraph, type GraphInput, resolveAccess } from "../../src/index.js";
import * as testing from "../../src/testing/index.js";
import * as reference from "../../src/testing/reference-resolver.js";
import * as supportReference from "../support/reference.js";

const FILE = fileURLToPath(new URL("../../src/testing/reference-resolver.ts", import.meta.url));

interface ImportFound {
  readonly text: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/** Every import, export-from, `import()` and `require()` of the file, and whether it is type-only. */
function importsOf(file: string): ImportFound[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: ImportFound[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      // `import type {…}`, or `import {type A, type B}` with nothing else: erased entirely.
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      found.push({ text: node.getText(), specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ text: node.getText(), specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    ) {
      found.push({ text: node.getText(), specifier: node.arguments[0]?.getText() ?? "", typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("the reference resolver", () => {
  it("imports nothing from src/ but types, and nothing from anywhere else", () => {
    const imports = importsOf(FILE);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !i.typeOnly).map((i) => i.text)).toStrictEqual([]);
    expect(imports.filter((i) => !i.specifier.startsWith("../")).map((i) => i.text)).toStrictEqual([]);
  });

  it("is what grantpath/testing exports, and what the property tests import", () => {
    expect(testing.referenceResolve).toBe(reference.referenceResolve);
    expect(testing.referenceCheck).toBe(reference.referenceCheck);
    expect(testing.referenceUsersWithAccess).toBe(reference.referenceUsersWithAccess);
    expect(supportReference.referenceResolve).toBe(reference.referenceResolve);
  });

  it("answers the seed graph exactly as the engine does, byte for byte", () => {
    const input = SEED as GraphInput;
    const graph = createGraph(input);
    const at = new Date("2025-07-01T00:00:00Z");
    for (const user of input.users ?? []) {
      expect(JSON.stringify(testing.referenceResolve(input, user.id, { at }))).toBe(
        JSON.stringify(resolveAccess(graph, user.id, { at })),
      );
    }
  });

  it("asks for explicit grant ids rather than guessing the generated ones", () => {
    const input: GraphInput = {
      organization_id: "org_1",
      grants: [
        {
          entity_type: "assistant",
          entity_id: "asst_1",
          grantee_type: "user",
          grantee_id: "usr_1",
          access_level: "read",
        },
      ],
    };
    expect(() => testing.referenceResolve(input, "usr_1", { at: new Date() })).toThrow(/explicit grant ids/);
  });
});
