/**
 * The adapters `npm run bench:storage` compares, each as a database it seeds once and opens
 * afresh as many times as it likes. Memory cannot be shared across processes: its "fresh" open
 * is the one seeded adapter, and its two instances are two services in this process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type GraphInput, memoryStorage, type StorageAdapter } from "../src/index.js";
import { postgresStorage } from "../src/storage/postgres/index.js";
import { sqliteStorage } from "../src/storage/sqlite/index.js";
import type { StorageSpec } from "../test/multiprocess/instance.mjs";

export interface Backend {
  readonly name: "memory" | "sqlite" | "postgres";
  /** Stores `input` (the `initial` option) and answers once it is stored. */
  seed(input: GraphInput): Promise<void>;
  /** An adapter on the seeded database, as a restarted process would open it. */
  open(): StorageAdapter;
  /** Where another process finds the database; null when it cannot (memory). */
  readonly spec: StorageSpec | null;
  /** Removes the database. */
  dispose(): Promise<void>;
}

export function memoryBackend(): Backend {
  let seeded: StorageAdapter | null = null;
  return {
    name: "memory",
    async seed(input) {
      seeded = memoryStorage({ initial: [input] });
    },
    open() {
      if (seeded === null) throw new Error("bench: seed the memory adapter first");
      return seeded;
    },
    spec: null,
    async dispose() {
      // Let the next backend's measurements run without this adapter's 100k records on the heap.
      seeded = null;
    },
  };
}

/** Triggers seeding: SQLite seeds when it opens, PostgreSQL on its first call. */
async function seedThrough(adapter: StorageAdapter, organizationId: string): Promise<void> {
  await adapter.readChanges(organizationId, 1, 1);
  await adapter.close?.();
}

export function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), "grantpath-bench-"));
  const filename = join(dir, "bench.sqlite");
  return {
    name: "sqlite",
    seed: (input) => seedThrough(sqliteStorage({ filename, initial: [input] }), input.organization_id),
    open: () => sqliteStorage({ filename }),
    spec: { kind: "sqlite", filename },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(connectionString: string): Backend {
  const schema = `bench_storage_${Date.now().toString(36)}`;
  return {
    name: "postgres",
    seed: (input) =>
      seedThrough(postgresStorage({ connectionString, schema, initial: [input] }), input.organization_id),
    open: () => postgresStorage({ connectionString, schema }),
    spec: { kind: "postgres", connectionString, schema },
    async dispose() {
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}
