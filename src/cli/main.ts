#!/usr/bin/env node
/**
 * The `grantpath` executable.
 * @module
 */
import { watchParent } from "./parent-watch.js";
import { createProgram } from "./program.js";

// `npm start` sets this: a server it started must not outlive it. When the parent is gone the
// process stops as on SIGTERM (a server closes gracefully; any other command ends).
if (process.env.GRANTPATH_EXIT_WITH_PARENT === "1") watchParent(() => process.kill(process.pid, "SIGTERM"));

const color = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb";
const program = createProgram({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  color,
  env: process.env,
});
process.exitCode = await program.run(process.argv.slice(2));
