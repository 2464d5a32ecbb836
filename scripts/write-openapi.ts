/**
 * Writes openapi.json, the repository's copy of the OpenAPI document, from OPENAPI_DOCUMENT:
 * 2-space JSON with a trailing newline, laid out as Biome formats JSON so `npm run lint` stays
 * clean. test/http/openapi.test.ts fails when the file and the document differ.
 *
 * Run: `npx tsx scripts/write-openapi.ts`
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OPENAPI_DOCUMENT } from "../src/http/openapi-document.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = fileURLToPath(new URL("../openapi.json", import.meta.url));

writeFileSync(target, `${JSON.stringify(OPENAPI_DOCUMENT, null, 2)}\n`);
// Biome keeps 2-space indentation and the newline, and puts short arrays on one line.
execFileSync(
  process.execPath,
  [fileURLToPath(new URL("../node_modules/@biomejs/biome/bin/biome", import.meta.url)), "format", "--write", target],
  {
    cwd: root,
    stdio: "inherit",
  },
);
console.log(`wrote ${target}`);
