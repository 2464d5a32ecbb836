/**
 * `npm run bench:deep`: the cost of very deep structures, which an adversarial review found
 * quadratic in their depth. A department chain and a composite chain, 2,000 and 10,000 deep:
 * building the graph, one write deep in it (a move at the middle of the department chain, a
 * member added at the bottom of the composite chain), and the questions that walk them
 * (resolving the user at the bottom, checking the slice at the bottom). Medians and the slowest
 * sample. The graphs are built with limits raised to fit them (the defaults refuse such chains).
 *
 *   npm run bench:deep [-- --depths 2000,10000 --samples 10]
 */
import {
  type AccessGraph,
  checkAccess,
  createGraph,
  type GraphInput,
  moveDepartment,
  resolveAccess,
  setCompositeMembers,
} from "../src/index.js";
import { formatMicros, type Stats, stats } from "./measure.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const depths = option("depths", "2000,10000").split(",").map(Number);
const samples = Number(option("samples", "10"));
const ORG = "org_deep";
const AT = new Date("2026-01-01T00:00:00Z");

/** Limits wide enough for the chains measured (the second argument is ignored by code without limits). */
function build(input: GraphInput, depth: number): AccessGraph {
  const limits = { maxDepartmentDepth: depth + 10, maxCompositeDepth: depth + 10 };
  return (createGraph as (input: GraphInput, options: unknown) => AccessGraph)(input, { limits });
}

function departmentChain(depth: number): GraphInput {
  return {
    organization_id: ORG,
    users: [{ id: "usr_bottom", department_ids: [`dept_${depth - 1}`] }],
    departments: Array.from({ length: depth }, (_, i) => ({
      id: `dept_${i}`,
      parent_id: i === 0 ? null : `dept_${i - 1}`,
    })),
    grants: [
      {
        id: "agrant_top",
        entity_type: "assistant",
        entity_id: "asst_1",
        grantee_type: "department",
        grantee_id: "dept_0",
        access_level: "read",
      },
    ],
  };
}

function compositeChain(depth: number): GraphInput {
  return {
    organization_id: ORG,
    composites: Array.from({ length: depth }, (_, i) => ({ id: `kslice_${i}`, member_slice_ids: [`kslice_${i + 1}`] })),
    grants: [
      {
        id: "agrant_top",
        entity_type: "knowledge_slice",
        entity_id: "kslice_0",
        grantee_type: "user",
        grantee_id: "usr_reader",
        access_level: "read",
      },
    ],
  };
}

/** `count` timed runs of `run(i)`, each after a full collection when one is offered. */
function time(count: number, run: (i: number) => unknown): Stats {
  const taken: number[] = [];
  for (let i = 0; i < count; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    run(i);
    taken.push(performance.now() - start);
  }
  return stats(taken);
}

const rows: [string, string, Stats][] = [];
for (const depth of depths) {
  const departments = departmentChain(depth);
  const deptGraph = build(departments, depth);
  rows.push([`department chain ${depth}`, "createGraph", time(samples, () => build(departments, depth))]);
  const middle = `dept_${Math.floor(depth / 2)}`;
  const above = `dept_${Math.floor(depth / 2) - 1}`;
  let moved = deptGraph;
  rows.push([
    `department chain ${depth}`,
    "moveDepartment (the middle, to the top and back)",
    time(samples, (i) => {
      moved = moveDepartment(moved, middle, i % 2 === 0 ? null : above);
    }),
  ]);
  rows.push([
    `department chain ${depth}`,
    "resolveAccess (the user at the bottom)",
    time(samples, () => resolveAccess(deptGraph, "usr_bottom", { at: AT })),
  ]);

  const composites = compositeChain(depth);
  const compGraph = build(composites, depth);
  rows.push([`composite chain ${depth}`, "createGraph", time(samples, () => build(composites, depth))]);
  const bottom = `kslice_${depth - 1}`;
  let grown = compGraph;
  rows.push([
    `composite chain ${depth}`,
    "setCompositeMembers (a member more at the bottom, and back)",
    time(samples, (i) => {
      grown = setCompositeMembers(
        grown,
        bottom,
        i % 2 === 0 ? [`kslice_${depth}`, "kslice_extra"] : [`kslice_${depth}`],
      );
    }),
  ]);
  rows.push([
    `composite chain ${depth}`,
    "checkAccess (the slice at the bottom)",
    time(samples, () => checkAccess(compGraph, "usr_reader", "knowledge_slice", `kslice_${depth}`, { at: AT })),
  ]);
}

const widths = [28, 60];
console.log(`\n== deep chains; ${samples} samples each; median / slowest\n`);
for (const [structure, operation, result] of rows) {
  console.log(
    `${structure.padEnd(widths[0] as number)}${operation.padEnd(widths[1] as number)}${formatMicros(result.median)} / ${formatMicros(result.p99)}`,
  );
}
const memory = process.memoryUsage();
console.log(`\nheap used at the end: ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB; node ${process.version}`);
