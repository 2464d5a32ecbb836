/**
 * Cold load against the core's build: a fresh adapter and service answering their first
 * question, beside `createGraph` on the very input the adapter's `loadOrganization` returns,
 * and that `loadOrganization` alone. Samples alternate, each after a full collection.
 */
import { createAccessControl, createGraph, type GraphInput } from "../src/index.js";
import { type Stats, stats } from "./measure.js";
import type { Backend } from "./storage-backends.js";

export interface ColdLoad {
  /** Seeding the organization (the adapter's `initial` option), once, ms. */
  readonly seedMs: number;
  /** A fresh adapter (memory: a fresh service) answering a resolveAccess. */
  readonly cold: Stats;
  /** `loadOrganization` on an open adapter. */
  readonly load: Stats;
  /** `createGraph` on the snapshot `loadOrganization` gave. */
  readonly build: Stats;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

async function timed(run: () => unknown): Promise<number> {
  collect();
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** `createGraph` on `input` itself: the generator's form, without the stored fields (timestamps, granted_by). */
export async function measureBuild(input: GraphInput, samples: number): Promise<Stats> {
  const build: number[] = [];
  for (let i = 0; i < samples; i++) build.push(await timed(() => createGraph(input)));
  return stats(build);
}

export async function measureColdLoad(backend: Backend, input: GraphInput, samples: number): Promise<ColdLoad> {
  const org = input.organization_id;
  const owner = input.owners?.[0] ?? "usr_0";
  const seedMs = await timed(() => backend.seed(input));

  const reader = backend.open();
  const snapshot = await reader.loadOrganization(org);
  if (snapshot === null) throw new Error(`bench: ${backend.name} lost ${org}`);
  const cold: number[] = [];
  const load: number[] = [];
  const build: number[] = [];
  for (let i = 0; i < samples; i++) {
    collect();
    const start = performance.now();
    const storage = backend.open();
    const accessControl = createAccessControl({ storage });
    await accessControl.resolveAccess(org, owner, owner);
    cold.push(performance.now() - start);
    await accessControl.close();
    if (storage !== reader) await storage.close?.();
    load.push(await timed(() => reader.loadOrganization(org)));
    build.push(await timed(() => createGraph(snapshot.graph)));
  }
  await reader.close?.();
  return { seedMs, cold: stats(cold), load: stats(load), build: stats(build) };
}
