/**
 * Builds the playground page: main.ts and everything it imports (grantpath's core, yaml)
 * bundled by esbuild into one script, the stylesheet minified, and both inlined with the worked
 * example (examples/seed-graph.json) into one self-contained HTML file that works offline.
 * Runs in Node at build time (`npm run build:playground`), and when `grantpath serve` runs from
 * source (`npm start`); never in the page, and never from the built package.
 * @module
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";
import { playgroundHtml } from "./page-html.js";

const here = (path: string) => new URL(path, import.meta.url);

/** The `'sha256-…'` source of a Content-Security-Policy for this inline text. */
function cspHash(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

/** The playground as one HTML file. */
export async function buildPlaygroundPage(): Promise<string> {
  const [bundled, css, seedGraph] = await Promise.all([
    build({
      entryPoints: [fileURLToPath(here("./main.ts"))],
      bundle: true,
      write: false,
      format: "iife",
      platform: "browser",
      target: "es2022",
      minify: true,
      charset: "utf8",
      legalComments: "none",
      logLevel: "silent",
    }),
    readFile(here("./playground.css"), "utf8").then((text) =>
      transform(text, { loader: "css", minify: true, charset: "utf8", logLevel: "silent" }),
    ),
    readFile(here("../../examples/seed-graph.json"), "utf8"),
  ]);
  const script = bundled.outputFiles[0]?.text.trim();
  if (script === undefined) throw new Error("esbuild wrote no playground script");
  if (/<\/script/i.test(script)) throw new Error("the playground script contains </script");
  const style = css.code.trim();
  return playgroundHtml({
    script,
    style,
    seedGraph,
    scriptHash: cspHash(script),
    styleHash: cspHash(style),
  });
}
