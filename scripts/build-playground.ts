/**
 * `npm run build:playground` (and the end of `npm run build`): writes the playground, one
 * self-contained HTML file, to dist/playground/index.html, where the built `grantpath serve`
 * reads it to answer `GET /playground`, or to the file named as the first argument. Open the
 * file in a browser as it is: it needs no server.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlaygroundPage } from "../src/playground/build-page.js";

const out = resolve(process.argv[2] ?? fileURLToPath(new URL("../dist/playground/index.html", import.meta.url)));
const page = await buildPlaygroundPage();
await mkdir(dirname(out), { recursive: true });
await writeFile(out, page);
console.log(`playground: ${out} (${(Buffer.byteLength(page) / 1024).toFixed(1)} KiB)`);
