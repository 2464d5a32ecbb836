/**
 * `npm run bench:storage`: the `medium` organization (100k grants) in each adapter, side by side
 * in one run:
 *  1. seeding it (`initial`), and the cold load (a fresh adapter and service answering their
 *     first question) against `createGraph` on the input the adapter's `loadOrganization` gives;
 *  2. another instance's reads, idle and while one instance writes 10 grants/s;
 *  3. propagation: a commit on one instance until it shows on the other.
 * SQLite and PostgreSQL run their two instances in two child processes, each running this same
 * bundle (`instance` argument); memory, which cannot cross processes, runs two services over one
 * adapter in this process. PostgreSQL runs when DATABASE_URL is set.
 *
 * Run bundled (bench/bundle.mjs), as `npm run bench:storage` does: the child processes fork the
 * bundle itself.
 */
import { fileURLToPath } from "node:url";
import { checkAccess, createAccessControl } from "../src/index.js";
import { postgresStorage } from "../src/storage/postgres/index.js";
import { sqliteStorage } from "../src/storage/sqlite/index.js";
import { type ChildInstance, startInstance } from "../test/multiprocess/harness.js";
import { createInstance, type Instance, type InstanceLibrary, serveInstance } from "../test/multiprocess/instance.mjs";
import type { Summary } from "../test/multiprocess/propagation.js";
import { generateOrganization, PRESETS, seededRandom } from "./generate-organization.js";
import { formatMicros, type Stats } from "./measure.js";
import { type Backend, memoryBackend, postgresBackend, sqliteBackend } from "./storage-backends.js";
import { type ColdLoad, measureBuild, measureColdLoad } from "./storage-cold-load.js";
import { measureTraffic, type Traffic } from "./storage-traffic.js";

const COLD_SAMPLES = 7;
const IDLE_MS = 3_000;
const WRITE_MS = 10_000;
const WRITES_PER_SECOND = 10;

/** A child's library: the adapters another process can open. */
const childLibrary: InstanceLibrary = {
  createAccessControl,
  checkAccess,
  openStorage(spec) {
    if (spec.kind === "sqlite") return sqliteStorage({ filename: spec.filename });
    if (spec.kind === "postgres")
      return postgresStorage({ connectionString: spec.connectionString, schema: spec.schema });
    throw new Error("bench: a memory adapter cannot be opened in another process");
  },
};

/** The two instances of a backend, opened on the seeded organization, and how to end them. */
async function openPair(
  backend: Backend,
  organizationId: string,
): Promise<{ writer: Instance; reader: Instance; end: () => Promise<void> }> {
  if (backend.spec === null) {
    const library: InstanceLibrary = { createAccessControl, checkAccess, openStorage: () => backend.open() };
    const writer = createInstance(library);
    const reader = createInstance(library);
    for (const instance of [writer, reader]) await instance.open({ storage: { kind: "memory" }, organizationId });
    const end = async () => {
      await writer.close(undefined);
      await reader.close(undefined);
    };
    return { writer, reader, end };
  }
  const self = fileURLToPath(import.meta.url);
  const children: ChildInstance[] = [startInstance(self, ["instance"]), startInstance(self, ["instance"])];
  const spec = backend.spec;
  try {
    await Promise.all(children.map((child) => child.open({ storage: spec, organizationId })));
  } catch (error) {
    for (const child of children) child.kill();
    throw error;
  }
  const [writer, reader] = children as [ChildInstance, ChildInstance];
  return { writer, reader, end: () => Promise.all(children.map((child) => child.shutdown())).then(() => {}) };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const time = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : formatMicros(ms));
const pair = (s: Stats | Summary) => `${time(s.median)} / ${time(s.p99)}`;

async function main(): Promise<void> {
  const preset = PRESETS.medium;
  const input = generateOrganization(preset);
  const org = input.organization_id;
  const owner = input.owners?.[0] ?? "usr_0";
  const random = seededRandom(7);
  const userIds = Array.from({ length: 50 }, () => `usr_${Math.floor(random() * preset.users)}`);
  const backends: Backend[] = [memoryBackend(), sqliteBackend()];
  const url = process.env.DATABASE_URL;
  if (url) backends.push(postgresBackend(url));
  else console.warn("DATABASE_URL is unset: PostgreSQL is left out of this run");

  const generatedBuild = await measureBuild(input, COLD_SAMPLES);
  const cold: [string, ColdLoad][] = [];
  const traffic: [string, Traffic][] = [];
  for (const backend of backends) {
    try {
      console.log(`${backend.name}: seeding and cold loads…`);
      cold.push([backend.name, await measureColdLoad(backend, input, COLD_SAMPLES)]);
      console.log(`${backend.name}: one instance writes ${WRITES_PER_SECOND}/s, the other reads…`);
      const instances = await openPair(backend, org);
      try {
        const plan = {
          organizationId: org,
          actorId: owner,
          granteeId: userIds[0] ?? "usr_1",
          userIds,
          probe: { entity_type: "knowledge_slice", entity_id: "kslice_1" },
          idleMs: IDLE_MS,
          writeMs: WRITE_MS,
          writesPerSecond: WRITES_PER_SECOND,
        } as const;
        traffic.push([backend.name, await measureTraffic(instances.writer, instances.reader, plan)]);
      } finally {
        await instances.end();
      }
    } finally {
      await backend.dispose();
    }
  }

  console.log(`\n== ${preset.grants} grants, ${preset.users} users (medium); medians / p99`);
  console.log(`\ncold load: ${COLD_SAMPLES} samples each, alternating, each after a full collection`);
  console.log(
    table(
      ["adapter", "seed (initial)", "cold load", "loadOrganization", "createGraph", "cold ÷ createGraph"],
      cold.map(([name, c]) => [
        name,
        name === "memory" ? `${time(c.seedMs)} (in memory)` : time(c.seedMs),
        pair(c.cold),
        pair(c.load),
        pair(c.build),
        `${(c.cold.median / c.build.median).toFixed(1)}×`,
      ]),
    ),
  );
  console.log(
    `createGraph on the generator's own input (no stored fields: timestamps, granted_by): ${pair(generatedBuild)}`,
  );
  console.log(
    `\nthe other instance, idle for ${IDLE_MS / 1000} s, then while one instance writes ${WRITES_PER_SECOND} grants/s for ${WRITE_MS / 1000} s`,
  );
  console.log(
    table(
      [
        "adapter",
        "instances",
        "resolveAccess idle",
        "resolveAccess under writes",
        "graph + checkAccess",
        "createGrant",
        "propagation",
        "max",
        "last write",
        "errors",
      ],
      traffic.map(([name, t]) => [
        name,
        name === "memory" ? "one process" : "two processes",
        `${pair(t.idle)} (${t.idle.samples})`,
        `${pair(t.busy)} (${t.busy.samples})`,
        pair(t.checks),
        `${pair(t.writes)} (${t.writes.samples})`,
        `${pair(t.propagation)} (${t.propagation.samples})`,
        time(t.propagation.max),
        t.last === null ? "never seen" : time(t.last),
        t.errors.length === 0 ? "none" : t.errors.map((e) => e.code).join(", "),
      ]),
    ),
  );
  for (const [name, t] of traffic) {
    for (const error of t.errors.slice(0, 5)) console.log(`${name}: ${error.code} ${error.message}`);
  }
  console.log(`\nnode ${process.version}, ${new Date().toISOString()}`);
}

if (process.argv[2] === "instance") serveInstance(childLibrary);
else await main();
