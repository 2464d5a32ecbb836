#!/usr/bin/env node
/**
 * The `grantpath` executable.
 * @module
 */
import { createProgram } from "./program.js";

const color = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb";
const program = createProgram({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  color,
  env: process.env,
});
process.exitCode = await program.run(process.argv.slice(2));
