/**
 * `npm run bench:storage`: an organization of 100k grants (the `medium` preset) in each adapter.
 * Reports the cold load (a new adapter and service answering their first question) and the
 * latency of a single grant write, medians side by side. PostgreSQL runs when DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAccessControl, memoryStorage, type StorageAdapter } from "../src/index.js";
import { postgresStorage } from "../src/storage/postgres/index.js";
import { sqliteStorage } from "../src/storage/sqlite/index.js";
import { generateOrganization, PRESETS } from "./generate-organization.js";
import { formatMicros, stats } from "./measure.js";

const input = generateOrganization(PRESETS.medium);
const org = input.organization_id;
const owner = input.owners?.[0] as string;
const dir = mkdtempSync(join(tmpdir(), "grantpath-bench-"));
const schema = `bench_${Date.now()}`;

interface Contender {
  readonly name: string;
  /** Makes the database hold the organization (untimed). */
  seed(): Promise<void>;
  /** A fresh adapter on that database, as a restarted process would open it. */
  open(): StorageAdapter;
}

const contenders: Contender[] = [
  {
    name: "memory",
    seed: async () => {},
    open: () => memoryStorage({ initial: [input] }),
  },
  {
    name: "sqlite",
    seed: async () => {
      const storage = sqliteStorage({ filename: join(dir, "bench.sqlite"), initial: [input] });
      await storage.loadOrganization(org);
      await storage.close?.();
    },
    open: () => sqliteStorage({ filename: join(dir, "bench.sqlite") }),
  },
];
const url = process.env.DATABASE_URL;
if (url) {
  contenders.push({
    name: "postgres",
    seed: async () => {
      const storage = postgresStorage({ connectionString: url, schema, initial: [input] });
      await storage.loadOrganization(org);
      await storage.close?.();
    },
    open: () => postgresStorage({ connectionString: url, schema }),
  });
} else {
  console.warn("DATABASE_URL is unset: PostgreSQL is left out of this run");
}

const rows: string[][] = [];
for (const contender of contenders) {
  const seedStart = performance.now();
  await contender.seed();
  const seeded = performance.now() - seedStart;

  const loads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const storage = contender.open();
    const accessControl = createAccessControl({ storage });
    await accessControl.resolvedAccess(org, owner, owner);
    loads.push(performance.now() - start);
    await accessControl.close();
    await storage.close?.();
  }

  const storage = contender.open();
  const accessControl = createAccessControl({ storage });
  await accessControl.resolvedAccess(org, owner, owner);
  const writes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await accessControl.createGrant(org, owner, {
      entity_type: "assistant",
      entity_id: `asst_bench_${Date.now()}_${i}`,
      grantee_type: "user",
      grantee_id: owner,
      access_level: "read",
    });
    writes.push(performance.now() - start);
  }
  await accessControl.close();
  await storage.close?.();

  const load = stats(loads);
  const write = stats(writes);
  rows.push([
    contender.name,
    `${(seeded / 1000).toFixed(2)} s`,
    `${(load.median / 1000).toFixed(2)} s`,
    formatMicros(write.median),
    formatMicros(write.p99),
  ]);
}

const header = ["adapter", "seed 100k (once)", "cold load (median of 3)", "createGrant median", "p99"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
console.log(`\n${PRESETS.medium.grants} grants, ${PRESETS.medium.users} users\n${line(header)}`);
for (const row of rows) console.log(line(row));
console.log(`\nnode ${process.version}, ${new Date().toISOString()}`);
rmSync(dir, { recursive: true, force: true });
