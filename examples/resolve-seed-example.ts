// Resolves the worked example's organization and prints what each user reaches and why.
// Run with `npm run example` (or `npm start`, until the HTTP server arrives).
import { readFileSync } from "node:fs";
import { checkAccess, createGraph, type GraphInput, resolveAccess, usersWithAccess } from "../src/index.js";

const input = JSON.parse(readFileSync(new URL("./seed-graph.json", import.meta.url), "utf8")) as GraphInput;
const graph = createGraph(input);

console.log("resolveAccess(graph, 'usr_def456', { entityType: 'knowledge_slice' }):");
console.log(JSON.stringify(resolveAccess(graph, "usr_def456", { entityType: "knowledge_slice" }), null, 2));

console.log("\ncheckAccess(graph, 'usr_ghi789', 'vector_store', 'vs_docs01', { level: 'write' }):");
console.log(JSON.stringify(checkAccess(graph, "usr_ghi789", "vector_store", "vs_docs01", { level: "write" }), null, 2));

console.log("\nusersWithAccess(graph, 'knowledge_slice', 'kslice_policies01'):");
console.log(JSON.stringify(usersWithAccess(graph, "knowledge_slice", "kslice_policies01"), null, 2));
