// Two service instances in separate processes sharing one SQLite file or one PostgreSQL schema,
// each a child running the BUILT package (child.mjs; `npm test` builds dist/ first). One
// writes while the other reads: the reader never fails and sees the last write within the
// issue's deadline (1 s over SQLite, which polls; 250 ms over PostgreSQL, which is notified).
// Two writers: both land a fair share. Latencies are printed, never asserted.
// PostgreSQL needs DATABASE_URL; without it those cases are skipped, loudly.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateOrganization } from "../../bench/generate-organization.js";
import { createGraph, type GraphInput } from "../../src/index.js";
import { postgresStorage } from "../../src/storage/postgres/index.js";
import { sqliteStorage } from "../../src/storage/sqlite/index.js";
import type { StorageAdapter } from "../../src/storage/storage-adapter.js";
import { DATABASE_URL, warnWithoutDatabase } from "../support/postgres-url.js";
import { type ChildInstance, startInstance } from "./harness.js";
import type { StorageSpec } from "./instance.mjs";
import { ms, propagation, readLatencies, spread, summarize } from "./propagation.js";

const url = DATABASE_URL;
warnWithoutDatabase("the multiprocess PostgreSQL tests", "test/multiprocess");

const root = fileURLToPath(new URL("../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));

/**
 * 20,000 grants: measured on a 2-vCPU machine, loading this organization from SQLite and
 * building its graph takes about 190 ms, against about 2 ms for a resolveAccess on it, so an
 * instance that reloaded after every remote write would show it plainly in its read latencies.
 */
const ORGANIZATION = generateOrganization({ users: 1_000, grants: 20_000 }, 7);
const ORG = ORGANIZATION.organization_id;
const OWNER = ORGANIZATION.owners?.[0] as string;
/** The user the writer grants new slices to, and the reader resolves. */
const READER_USER = "usr_1";
const PROBE = { entity_type: "knowledge_slice", entity_id: "kslice_1" } as const;

const dir = mkdtempSync(join(tmpdir(), "grantpath-multiprocess-"));
const admin = url ? new pg.Pool({ connectionString: url, max: 1 }) : null;
const schemas: string[] = [];
const running = new Set<ChildInstance>();
let databases = 0;

beforeAll(() => {
  if (!existsSync(join(root, "dist/index.js"))) {
    throw new Error("dist/ is missing: the multiprocess tests run the built package (npm run build)");
  }
  const start = performance.now();
  createGraph(ORGANIZATION);
  console.log(
    `multiprocess: ${ORGANIZATION.grants?.length} grants, createGraph ${ms(performance.now() - start)} (first build)`,
  );
});

afterEach(async () => {
  // A failed case may leave children behind: end the ones this file started.
  for (const child of running) child.kill();
  running.clear();
});

afterAll(async () => {
  for (const schema of schemas) await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin?.end();
  rmSync(dir, { recursive: true, force: true });
});

interface Backend {
  readonly name: "sqlite" | "postgres";
  /** The deadline for the last write to be visible on the other instance. */
  readonly visibleWithinMs: number;
  readonly skip: boolean;
  /** A new database, seeded with `initial` (through the source adapter, in this process). */
  seed(initial: GraphInput): Promise<StorageSpec>;
}

async function seedWith(adapter: StorageAdapter): Promise<void> {
  // The SQLite adapter seeds when it opens, the PostgreSQL one on its first call.
  await adapter.readChanges(ORG, 1, 1);
  await adapter.close?.();
}

const backends: Backend[] = [
  {
    name: "sqlite",
    visibleWithinMs: 1000,
    skip: false,
    async seed(initial) {
      databases += 1;
      const filename = join(dir, `shared-${databases}.sqlite`);
      await seedWith(sqliteStorage({ filename, initial: [initial] }));
      return { kind: "sqlite", filename };
    },
  },
  {
    name: "postgres",
    visibleWithinMs: 250,
    skip: !url,
    async seed(initial) {
      databases += 1;
      const schema = `gp_multiprocess_${process.pid}_${Date.now().toString(36)}_${databases}`;
      schemas.push(schema);
      await seedWith(postgresStorage({ connectionString: url ?? "", schema, initial: [initial] }));
      return { kind: "postgres", connectionString: url ?? "", schema };
    },
  },
];

/** Starts a child and opens the shared database in it (a cold load of the organization). */
async function openInstance(storage: StorageSpec): Promise<ChildInstance> {
  const child = startInstance(CHILD);
  running.add(child);
  await child.open({ storage, organizationId: ORG });
  return child;
}

async function shutdown(...children: ChildInstance[]): Promise<void> {
  await Promise.all(children.map((child) => child.shutdown()));
  for (const child of children) running.delete(child);
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`two processes over ${backend.name}`, () => {
    it(`a reader never fails and sees the writer's last commit within ${backend.visibleWithinMs} ms`, async () => {
      const storage = await backend.seed(ORGANIZATION);
      const [writer, reader] = await Promise.all([openInstance(storage), openInstance(storage)]);

      const startAt = Date.now() + 200;
      const reading = reader.read({ organizationId: ORG, userIds: [READER_USER], probe: PROBE, startAt });
      const written = await writer.write({
        organizationId: ORG,
        actorId: OWNER,
        granteeId: READER_USER,
        entityPrefix: "mp",
        startAt,
        until: startAt + 3000,
        intervalMs: 40,
      });
      const last = written.commits.at(-1);
      await reader.stopReading({
        revision: last?.revision ?? 0,
        entityId: written.lastEntityId ?? "",
        granteeId: READER_USER,
        deadline: (last?.at ?? Date.now()) + 5000,
      });
      const seen = await reading;
      await shutdown(writer, reader);

      const delays = propagation(written.commits, seen.reads);
      console.log(
        [
          `${backend.name}, writer: ${written.commits.length} commits in 3 s (${spread(summarize(written.commits.map((c) => c.ms)))})`,
          `  reader: ${seen.reads.length} reads; resolveAccess ${spread(summarize(readLatencies(seen.reads, 0)))}`,
          `          graph + checkAccess ${spread(summarize(readLatencies(seen.reads, 1)))}`,
          `  propagation: ${spread(summarize(delays.delays))}; last commit ${delays.last === null ? "never seen" : ms(delays.last)}`,
        ].join("\n"),
      );

      expect(written.errors).toEqual([]);
      expect(seen.errors).toEqual([]);
      expect(written.commits.length).toBeGreaterThan(20);
      expect(seen.sawRevision).toBeGreaterThanOrEqual(last?.revision ?? Number.POSITIVE_INFINITY);
      expect(seen.sawEntity).toBe(true);
      expect(delays.last).not.toBeNull();
      expect(delays.last).toBeLessThanOrEqual(backend.visibleWithinMs);
    });

    it("two writers both make progress, and every commit lands once", async () => {
      const storage = await backend.seed(ORGANIZATION);
      const [first, second] = await Promise.all([openInstance(storage), openInstance(storage)]);

      const startAt = Date.now() + 300;
      const run = (child: ChildInstance, entityPrefix: string) =>
        child.write({
          organizationId: ORG,
          actorId: OWNER,
          granteeId: READER_USER,
          entityPrefix,
          startAt,
          until: startAt + 2000,
          intervalMs: 0,
        });
      const [a, b] = await Promise.all([run(first, "mpa"), run(second, "mpb")]);
      await shutdown(first, second);
      const auditor = await openInstance(storage);
      const stored = await auditor.count({ organizationId: ORG, actorId: OWNER });
      await shutdown(auditor);

      console.log(
        [
          `${backend.name}, two writers for 2 s: ${a.commits.length} and ${b.commits.length} grants`,
          `  first  ${spread(summarize(a.commits.map((c) => c.ms)))}`,
          `  second ${spread(summarize(b.commits.map((c) => c.ms)))}`,
        ].join("\n"),
      );

      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
      expect(a.commits.length).toBeGreaterThanOrEqual(Math.max(1, 0.2 * b.commits.length));
      expect(b.commits.length).toBeGreaterThanOrEqual(Math.max(1, 0.2 * a.commits.length));
      // The seed is revision 1; each grant is one commit, so the revisions are 2… exactly once each.
      const revisions = [...a.commits, ...b.commits].map((commit) => commit.revision).sort((x, y) => x - y);
      const total = a.commits.length + b.commits.length;
      expect(revisions).toEqual(Array.from({ length: total }, (_, i) => i + 2));
      expect(stored).toEqual({ total: (ORGANIZATION.grants?.length ?? 0) + total, revision: total + 1 });
    });
  });
}
