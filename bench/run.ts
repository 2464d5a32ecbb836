/**
 * `npm run bench`: grantpath side by side with the brute-force reference (the simple resolver
 * the tests trust), on seeded organizations. Medians and p99 per call, measured in alternation
 * in one run, and ratios. Agreement is checked before anything is timed.
 *
 * Also: casbin and @casl/ability (bench/contenders), and the floor (a fresh copy of an answer
 * computed ahead). Writes docs/performance-resolve.svg: resolve time against organization size.
 * Last, huge answers whole and as pages of 20 (bench/huge-answers.ts).
 *
 *   npm run bench                      # small and medium
 *   npm run bench -- --presets small,medium,large
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  type AccessGraph,
  type AccessLevel,
  addGrant,
  checkAccess,
  createGraph,
  type EntityType,
  type GraphInput,
  type ResolvedAccess,
  resolveAccess,
  reviewGrants,
  revokeGrant,
  usersWithAccess,
} from "../src/index.js";
import { referenceCheck, referenceResolve, referenceUsersWithAccess } from "../test/support/reference.js";
import { buildCasbin } from "./contenders/casbin.js";
import { buildCasl } from "./contenders/casl.js";
import { buildFloor } from "./contenders/floor.js";
import { candidateUsers, type Levels, levelsOf, sameLevels } from "./contenders/levels.js";
import {
  BENCH_INSTANT,
  generateOrganization,
  PRESETS,
  type PresetName,
  seededRandom,
} from "./generate-organization.js";
import { measureHugeAnswers } from "./huge-answers.js";
import { compare, compareAsync, formatMicros, type Stats } from "./measure.js";
import { logLogPlot } from "./plot.js";

const { values } = parseArgs({ options: { presets: { type: "string", default: "small,medium" } } });
const presetNames = (values.presets ?? "small,medium").split(",") as PresetName[];

const at = BENCH_INSTANT;
const levelNames: readonly AccessLevel[] = ["read", "write", "admin"];
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
    const ratio = mine && name !== base ? `${(s.median / mine.median).toFixed(1)}× ${base}` : "";
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

/** Agreement of the contenders with the reference, on levels: every user, a sample of checks and entities. */
async function checkContenders(
  input: GraphInput,
  graph: AccessGraph,
  contenders: {
    casbin: Awaited<ReturnType<typeof buildCasbin>>;
    casl: ReturnType<typeof buildCasl>;
    floor: ReturnType<typeof buildFloor>;
  },
): Promise<void> {
  const fail = (what: string) => {
    throw new Error(`agreement FAILED: ${what}`);
  };
  const users = candidateUsers(input);
  for (const user of users) {
    const reference = levelsOf(referenceResolve(input, user, { at }));
    const answers: Record<string, Levels> = {
      grantpath: levelsOf(resolveAccess(graph, user, { at })),
      casbin: await contenders.casbin.resolveLevels(user),
      casl: contenders.casl.resolveLevels(user),
      floor: levelsOf(contenders.floor.resolve(user)),
    };
    for (const [name, levels] of Object.entries(answers)) {
      if (!sameLevels(levels, reference)) fail(`${name} resolves different levels than the reference for ${user}`);
    }
  }
  const entities = entitiesOf(input);
  const levels: AccessLevel[] = ["read", "write", "admin"];
  const checks = pick(users, 600, 11).map((user, i) => ({
    user,
    entity: entities[(i * 104729) % entities.length] as { type: EntityType; id: string },
    level: levels[i % 3] as AccessLevel,
  }));
  let allowed = 0;
  for (const q of checks) {
    const reference = referenceCheck(input, q.user, q.entity.type, q.entity.id, { level: q.level, at }).allowed;
    if (reference) allowed++;
    const answers: Record<string, boolean> = {
      grantpath: checkAccess(graph, q.user, q.entity.type, q.entity.id, { level: q.level, at }).allowed,
      casbin: contenders.casbin.check(q.user, q.entity.type, q.entity.id, q.level),
      casl: contenders.casl.check(q.user, q.entity.type, q.entity.id, q.level),
    };
    for (const [name, answer] of Object.entries(answers)) {
      if (answer !== reference) fail(`${name} checkAccess(${q.user}, ${q.entity.id}, ${q.level}) = ${answer}`);
    }
  }
  const sampled = pick(entities, 30, 13);
  for (const e of sampled) {
    const reference = new Map(
      referenceUsersWithAccess(input, e.type, e.id, { at }).users.map((u) => [u.user_id, u.access_level]),
    );
    const answers = {
      casbin: contenders.casbin.usersWithAccess(e.type, e.id),
      casl: contenders.casl.usersWithAccess(e.type, e.id),
    };
    for (const [name, answer] of Object.entries(answers)) {
      if (!sameLevels(answer, reference)) fail(`${name} usersWithAccess(${e.id}) differs from the reference`);
    }
  }
  console.log(
    `agreement: casbin, casl and the floor give the reference's levels for all ${users.length} users; ` +
      `casbin, casl and grantpath agree on ${checks.length} checks (${allowed} allowed) and casbin, casl on ` +
      `usersWithAccess of ${sampled.length} entities`,
  );
}

/**
 * A graph built from an input made here and dropped. In a function of its own, so no register
 * of the (async) top-level frame still holds the input when the heap is measured: one did,
 * and added the whole input (about 170 B per grant) to the graph's figure.
 */
function buildFromFreshInput(preset: (typeof PRESETS)[PresetName]): AccessGraph {
  return createGraph(generateOrganization(preset));
}

function answersFor(graph: AccessGraph, users: readonly string[]): Map<string, ResolvedAccess> {
  return new Map(users.map((u) => [u, resolveAccess(graph, u, { at })]));
}

function oneRow(preset: string, question: string, system: string, value: string, samples = "1"): void {
  row(preset, question, system, value, "", samples, "");
}

for (const presetName of presetNames) {
  const preset = PRESETS[presetName];
  const input = generateOrganization(preset);
  const small = presetName === "small";
  const large = presetName === "large";
  console.log(`\n== ${presetName}: ${preset.users} users, ${preset.grants} grants`);

  // Build time, and the heap the graph retains once the input is gone.
  // Each timed build starts from a collected heap with only the input alive, so it does not
  // pay for collecting the builds before it; the graph the questions use is built afterwards.
  const builds: number[] = [];
  createGraph(input);
  for (let i = 0; i < (small ? 20 : 5); i++) {
    heapUsed();
    const start = performance.now();
    createGraph(input);
    builds.push(performance.now() - start);
  }
  const graph = createGraph(input);
  builds.sort((a, b) => a - b);
  const gpBuild = builds[builds.length >> 1] ?? 0;
  oneRow(presetName, "build (from GraphInput)", "grantpath", formatMicros(gpBuild), String(builds.length));
  const before = heapUsed();
  const retained = buildFromFreshInput(preset);
  const perGrant = (heapUsed() - before) / preset.grants;
  oneRow(presetName, "retained heap per grant", "grantpath", `${perGrant.toFixed(0)} B`);
  if (!retained) throw new Error("unreachable");

  // The contenders: one build each, timed, and the heap it adds (the input is alive already).
  let heap = heapUsed();
  let start = performance.now();
  const casbin = await buildCasbin(input, at);
  let took = performance.now() - start;
  row(
    presetName,
    "build (from GraphInput)",
    "casbin",
    formatMicros(took),
    "",
    "1",
    `${(took / gpBuild).toFixed(1)}× grantpath`,
  );
  oneRow(presetName, "retained heap per grant", "casbin", `${((heapUsed() - heap) / preset.grants).toFixed(0)} B`);
  // On large, per-user CASL abilities would hold every grant reaching each of 50k users
  // (on the order of 10^9 ids): not built, so not timed.
  let casl: ReturnType<typeof buildCasl> | null = null;
  if (large) {
    oneRow(presetName, "build (from GraphInput)", "casl", "not built", "0");
  } else {
    heap = heapUsed();
    start = performance.now();
    casl = buildCasl(input, at);
    took = performance.now() - start;
    row(
      presetName,
      "build (from GraphInput)",
      "casl",
      formatMicros(took),
      "",
      "1",
      `${(took / gpBuild).toFixed(1)}× grantpath`,
    );
    oneRow(presetName, "retained heap per grant", "casl", `${((heapUsed() - heap) / preset.grants).toFixed(0)} B`);
  }
  const cas = casl;

  const users = pick(
    (input.users ?? []).map((u) => u.id),
    small ? 400 : 200,
    1,
  );
  const floor = buildFloor(answersFor(graph, small ? candidateUsers(input) : [...new Set(users)]));

  if (small) {
    checkAgreement(input, graph);
    if (casl === null) throw new Error("casl is built on small");
    await checkContenders(input, graph, { casbin, casl, floor });
  }

  const resolvers = {
    grantpath: (user: string) => resolveAccess(graph, user, { at }),
    reference: (user: string) => referenceResolve(input, user, { at }),
    casbin: (user: string) => casbin.resolveLevels(user),
    casl: (user: string) => cas?.resolveLevels(user),
    floor: (user: string) => floor.resolve(user),
  };
  const resolveQ = "resolveAccess (random user)";
  if (small) {
    addComparison(resolveQ, presetName, await compareAsync(users, resolvers));
  } else {
    // The reference scans every grant per question and casbin every policy of every role, so
    // they get few samples, each in alternation with grantpath.
    const { grantpath, reference, casbin: cb, casl: cs, floor: fl } = resolvers;
    if (large) oneRow(presetName, resolveQ, "reference", "not timed", "0");
    else addComparison(resolveQ, presetName, compare(users.slice(0, 5), { grantpath, reference }));
    addComparison(
      resolveQ,
      presetName,
      await compareAsync(users.slice(0, large ? 10 : 100), { grantpath, casbin: cb }),
    );
    addComparison(
      resolveQ,
      presetName,
      compare(users, cas ? { grantpath, casl: cs, floor: fl } : { grantpath, floor: fl }),
    );
  }

  const levels: AccessLevel[] = ["read", "write", "admin"];
  const entities = entitiesOf(input);
  const checks = pick(users, 2000, 2).map((user, i) => ({
    user,
    entity: entities[(i * 7919) % entities.length] as { type: EntityType; id: string },
    level: levels[i % 3] as AccessLevel,
  }));
  type Check = (typeof checks)[number];
  const checkers = {
    grantpath: (q: Check) => checkAccess(graph, q.user, q.entity.type, q.entity.id, { level: q.level, at }),
    reference: (q: Check) => referenceCheck(input, q.user, q.entity.type, q.entity.id, { level: q.level, at }),
    casbin: (q: Check) => casbin.check(q.user, q.entity.type, q.entity.id, q.level),
    casl: (q: Check) => cas?.check(q.user, q.entity.type, q.entity.id, q.level),
  };
  const checkQ = "checkAccess (random user, entity, level)";
  if (small) {
    addComparison(checkQ, presetName, compare(checks, checkers));
  } else {
    const { grantpath, reference, casbin: cb, casl: cs } = checkers;
    if (large) oneRow(presetName, checkQ, "reference", "not timed", "0");
    else addComparison(checkQ, presetName, compare(checks.slice(0, 5), { grantpath, reference }));
    addComparison(checkQ, presetName, compare(checks.slice(0, large ? 10 : 30), { grantpath, casbin: cb }));
    addComparison(checkQ, presetName, compare(checks, cas ? { grantpath, casl: cs } : { grantpath }));
  }

  const sampledEntities = pick(entities, small ? 200 : 500, 3);
  type Entity = (typeof sampledEntities)[number];
  const listers = {
    grantpath: (e: Entity) => usersWithAccess(graph, e.type, e.id, { at }),
    reference: (e: Entity) => referenceUsersWithAccess(input, e.type, e.id, { at }),
    casbin: (e: Entity) => casbin.usersWithAccess(e.type, e.id),
    casl: (e: Entity) => cas?.usersWithAccess(e.type, e.id),
  };
  const listQ = "usersWithAccess (random entity)";
  if (small) {
    const { grantpath, reference, casbin: cb, casl: cs } = listers;
    addComparison(listQ, presetName, compare(sampledEntities, { grantpath, reference, casl: cs }));
    // casbin: one enforce (a scan of every policy) per candidate user and level.
    addComparison(listQ, presetName, compare(sampledEntities.slice(0, 10), { grantpath, casbin: cb }));
  } else {
    const { grantpath, casl: cs } = listers;
    addComparison(listQ, presetName, compare(sampledEntities, { grantpath }));
    if (cas) addComparison(listQ, presetName, compare(sampledEntities.slice(0, 10), { grantpath, casl: cs }));
    oneRow(presetName, listQ, "casbin", "not timed", "0");
  }

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

  // reviewGrants (docs/spec.md §11): the whole organization at once. Its cost follows the grants
  // times the users each reaches (on large, about 117 million user, grant and entity triples).
  const reviews = Array.from({ length: small ? 20 : large ? 5 : 10 }, (_, i) => i);
  addComparison(
    "reviewGrants (whole organization)",
    presetName,
    compare(reviews, { grantpath: () => reviewGrants(graph, { at }) }),
  );
}

// Resolve time against organization size: the presets run, plus sizes in between, made by the
// same generator. grantpath and the floor, in alternation, on 200 random users each.
const sizes: { label: string; users: number; grants: number }[] = [
  { label: "small", ...PRESETS.small },
  { label: "", users: 1_000, grants: 10_000 },
  { label: "", users: 2_500, grants: 35_000 },
  { label: "medium", ...PRESETS.medium },
  ...(presetNames.includes("large")
    ? [
        { label: "", users: 20_000, grants: 350_000 },
        { label: "large", ...PRESETS.large },
      ]
    : []),
];
const curve: { grants: number; label: string; grantpath: Stats; floor: Stats; reach: number }[] = [];
for (const size of sizes) {
  const input = generateOrganization(size);
  const graph = createGraph(input);
  const users = [
    ...new Set(
      pick(
        (input.users ?? []).map((u) => u.id),
        200,
        5,
      ),
    ),
  ];
  const answers = answersFor(graph, users);
  const floor = buildFloor(answers);
  const reach = [...answers.values()].map(
    (a) => new Set(a.entities.flatMap((e) => e.grant_paths.map((p) => p.grant_id))).size,
  );
  reach.sort((a, b) => a - b);
  const result = compare(users, { grantpath: (u) => resolveAccess(graph, u, { at }), floor: (u) => floor.resolve(u) });
  if (result.grantpath && result.floor) {
    curve.push({
      grants: size.grants,
      label: size.label || `${size.users}u`,
      grantpath: result.grantpath,
      floor: result.floor,
      reach: reach[reach.length >> 1] ?? 0,
    });
  }
}
console.log("\nresolveAccess against organization size (median over 200 random users)");
console.log("users/grants           grants reaching a user (median)  grantpath   floor      grantpath ÷ floor");
for (const [i, c] of curve.entries()) {
  const size = sizes[i];
  console.log(
    `${`${size?.users}/${size?.grants}`.padEnd(23)}${String(c.reach).padEnd(33)}${formatMicros(c.grantpath.median).padEnd(12)}${formatMicros(c.floor.median).padEnd(11)}${(c.grantpath.median / c.floor.median).toFixed(1)}×`,
  );
}
const svgPath = new URL("../docs/performance-resolve.svg", import.meta.url);
writeFileSync(
  svgPath,
  logLogPlot(
    "resolveAccess median time against organization size",
    "grants in the organization (log)",
    "median time per call (log)",
    [
      {
        name: "grantpath",
        colour: "#1f6feb",
        points: curve.map((c) => ({ x: c.grants, y: c.grantpath.median * 1000, label: c.label })),
      },
      {
        name: "floor (copy)",
        colour: "#8b949e",
        points: curve.map((c) => ({ x: c.grants, y: c.floor.median * 1000 })),
      },
    ],
  ),
);
console.log(`wrote ${svgPath.pathname}`);

// Same reach, larger organization: one unlisted user, reached by exactly 100 direct grants (60
// plain slices, 20 stores, 20 assistants, no composites) added to each preset. Resolution cost
// should follow what reaches the user, not the size of the organization.
const probeGraphs: Record<string, AccessGraph> = {};
for (const name of presetNames) {
  const input = generateOrganization(PRESETS[name]);
  const composites = new Set((input.composites ?? []).map((c) => c.id));
  const slices: string[] = [];
  for (let i = 0; slices.length < 60; i++) if (!composites.has(`kslice_${i}`)) slices.push(`kslice_${i}`);
  const targets: { entity_type: EntityType; entity_id: string }[] = [
    ...slices.map((id) => ({ entity_type: "knowledge_slice" as const, entity_id: id })),
    ...Array.from({ length: 20 }, (_, i) => ({ entity_type: "vector_store" as const, entity_id: `vs_${i}` })),
    ...Array.from({ length: 20 }, (_, i) => ({ entity_type: "assistant" as const, entity_id: `asst_${i}` })),
  ];
  const probeGrants = targets.map((target, i) => ({
    id: `agrant_probe${i}`,
    ...target,
    grantee_type: "user" as const,
    grantee_id: "usr_probe",
    access_level: levelNames[i % 3] as AccessLevel,
  }));
  probeGraphs[`grantpath on ${name}`] = createGraph({ ...input, grants: [...(input.grants ?? []), ...probeGrants] });
}
const probeRuns = Array.from({ length: 1000 }, (_, i) => i);
addComparison(
  "resolveAccess, user reached by the same 100 grants",
  presetNames.join(" vs "),
  compare(
    probeRuns,
    Object.fromEntries(
      Object.entries(probeGraphs).map(([name, g]) => [name, () => resolveAccess(g, "usr_probe", { at })]),
    ),
  ),
  `grantpath on ${presetNames[0] ?? "small"}`,
);

// Huge answers, whole and paged (bench/huge-answers.ts): a user through a 100,000-slice
// composite, a store 200,000 users reach. Each system is named with the size of its JSON.
for (const { question, timings, bytes } of measureHugeAnswers(5)) {
  const named = (name: string) => (bytes[name] === undefined ? name : `${name}, ${formatBytes(bytes[name])}`);
  const result = Object.fromEntries(Object.entries(timings).map(([name, s]) => [named(name), s]));
  addComparison(question, "huge", result, named("first 20"));
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

const header = ["preset", "question", "system", "median", "p99", "samples", "ratio"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
for (const r of rows) console.log(line(r));
console.log(`\nnode ${process.version}, ${new Date().toISOString()}`);
