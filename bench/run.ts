/**
 * `npm run bench`: grantpath side by side with the brute-force reference (the simple resolver
 * the tests trust), on seeded organizations. Medians and p99 per call, measured in alternation
 * in one run, and ratios. Agreement is checked before anything is timed.
 *
 *   npm run bench                      # small and medium
 *   npm run bench -- --presets small,medium,large
 */
import { parseArgs } from "node:util";
import {
  type AccessGraph,
  type AccessLevel,
  addGrant,
  checkAccess,
  createGraph,
  type EntityType,
  type GraphInput,
  resolveAccess,
  revokeGrant,
  usersWithAccess,
} from "../src/index.js";
import { referenceCheck, referenceResolve, referenceUsersWithAccess } from "../test/support/reference.js";
import {
  BENCH_INSTANT,
  generateOrganization,
  PRESETS,
  type PresetName,
  seededRandom,
} from "./generate-organization.js";
import { compare, formatMicros, type Stats } from "./measure.js";

const { values } = parseArgs({ options: { presets: { type: "string", default: "small,medium" } } });
const presetNames = (values.presets ?? "small,medium").split(",") as PresetName[];

const at = BENCH_INSTANT;
const rows: string[][] = [];
const row = (...cells: string[]) => rows.push(cells);

function pick<T>(items: readonly T[], count: number, seed: number): T[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => items[Math.floor(random() * items.length)] as T);
}

function entitiesOf(input: GraphInput): { type: EntityType; id: string }[] {
  const seen = new Map<string, EntityType>();
  for (const grant of input.grants ?? []) seen.set(grant.entity_id, grant.entity_type);
  for (const composite of input.composites ?? []) {
    for (const member of composite.member_slice_ids) seen.set(member, "knowledge_slice");
  }
  return [...seen].map(([id, type]) => ({ type, id }));
}

function addComparison(question: string, preset: string, result: Record<string, Stats>, base = "grantpath"): void {
  const mine = result[base];
  for (const [name, s] of Object.entries(result)) {
    const ratio = mine && name !== base ? `${(s.median / mine.median).toFixed(1)}× grantpath` : "";
    row(preset, question, name, formatMicros(s.median), formatMicros(s.p99), String(s.samples), ratio);
  }
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function checkAgreement(input: GraphInput, graph: AccessGraph): void {
  const users = (input.users ?? []).map((u) => u.id);
  for (const user of users) {
    const mine = JSON.stringify(resolveAccess(graph, user, { at }));
    const reference = JSON.stringify(referenceResolve(input, user, { at }));
    if (mine !== reference) throw new Error(`disagreement with the reference for ${user}`);
  }
  for (const entity of pick(entitiesOf(input), 50, 7)) {
    const mine = JSON.stringify(usersWithAccess(graph, entity.type, entity.id, { at }));
    const reference = JSON.stringify(referenceUsersWithAccess(input, entity.type, entity.id, { at }));
    if (mine !== reference) throw new Error(`usersWithAccess disagrees on ${entity.id}`);
  }
  console.log(
    `agreement: resolveAccess of all ${users.length} users and usersWithAccess of 50 entities match the reference`,
  );
}

for (const presetName of presetNames) {
  const preset = PRESETS[presetName];
  const input = generateOrganization(preset);
  const small = presetName === "small";
  console.log(`\n== ${presetName}: ${preset.users} users, ${preset.grants} grants`);

  // Build time, and the heap the graph retains once the input is gone.
  const builds: number[] = [];
  let graph = createGraph(input);
  for (let i = 0; i < (small ? 20 : 3); i++) {
    const start = performance.now();
    graph = createGraph(input);
    builds.push(performance.now() - start);
  }
  builds.sort((a, b) => a - b);
  row(
    presetName,
    "createGraph (validate + build)",
    "grantpath",
    formatMicros(builds[builds.length >> 1] ?? 0),
    "",
    String(builds.length),
    "",
  );
  const before = heapUsed();
  const retained = createGraph(generateOrganization(preset));
  const perGrant = (heapUsed() - before) / preset.grants;
  row(presetName, "retained heap per grant", "grantpath", `${perGrant.toFixed(0)} B`, "", "1", "");
  if (!retained) throw new Error("unreachable");

  if (small) checkAgreement(input, graph);

  const users = pick(
    (input.users ?? []).map((u) => u.id),
    small ? 400 : 200,
    1,
  );
  // The reference scans every grant per question, so it gets fewer samples on big presets.
  const referenceUsers = small ? users : users.slice(0, 10);
  addComparison(
    "resolveAccess (random user)",
    presetName,
    compare(referenceUsers, {
      grantpath: (user) => resolveAccess(graph, user, { at }),
      reference: (user) => referenceResolve(input, user, { at }),
    }),
  );
  if (!small) {
    addComparison(
      "resolveAccess (random user)",
      presetName,
      compare(users, { grantpath: (user) => resolveAccess(graph, user, { at }) }),
    );
  }

  const levels: AccessLevel[] = ["read", "write", "admin"];
  const entities = entitiesOf(input);
  const checks = pick(users, 2000, 2).map((user, i) => ({
    user,
    entity: entities[(i * 7919) % entities.length] as { type: EntityType; id: string },
    level: levels[i % 3] as AccessLevel,
  }));
  addComparison(
    "checkAccess (random user, entity, level)",
    presetName,
    compare(small ? checks : checks.slice(0, 20), {
      grantpath: (q) => checkAccess(graph, q.user, q.entity.type, q.entity.id, { level: q.level, at }),
      reference: (q) => referenceCheck(input, q.user, q.entity.type, q.entity.id, { level: q.level, at }),
    }),
  );

  const sampledEntities = pick(entities, small ? 200 : 500, 3);
  addComparison(
    "usersWithAccess (random entity)",
    presetName,
    small
      ? compare(sampledEntities, {
          grantpath: (e) => usersWithAccess(graph, e.type, e.id, { at }),
          reference: (e) => referenceUsersWithAccess(input, e.type, e.id, { at }),
        })
      : compare(sampledEntities, { grantpath: (e) => usersWithAccess(graph, e.type, e.id, { at }) }),
  );

  // One write on the whole graph: a fresh grant added, then that grant revoked.
  const writes = Array.from({ length: 500 }, (_, i) => i);
  const added = new Map<number, AccessGraph>();
  addComparison(
    "addGrant (one grant)",
    presetName,
    compare(writes, {
      grantpath: (i) => {
        const next = addGrant(graph, {
          id: `agrant_bench${i}`,
          entity_type: "assistant",
          entity_id: `asst_bench${i}`,
          grantee_type: "user",
          grantee_id: `usr_${i}`,
          access_level: "write",
        });
        added.set(i, next);
        return next;
      },
    }),
  );
  addComparison(
    "revokeGrant (one grant)",
    presetName,
    compare(writes, { grantpath: (i) => revokeGrant(added.get(i) as AccessGraph, `agrant_bench${i}`) }),
  );
}

const header = ["preset", "question", "system", "median", "p99", "samples", "ratio"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
for (const r of rows) console.log(line(r));
console.log(`\nnode ${process.version}, ${new Date().toISOString()}`);
