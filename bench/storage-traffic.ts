/**
 * One instance writes at a steady rate while another reads back to back: the reader's
 * latencies, idle first and then under the writes, and how long each commit took to show on
 * the reader (the writer's Date.now() when it heard of its commit, to the end of the reader's
 * first read on that revision or a later one).
 */
import type { EntityType } from "../src/index.js";
import type { ErrorReport, Instance } from "../test/multiprocess/instance.mjs";
import { propagation, readLatencies, type Summary, summarize } from "../test/multiprocess/propagation.js";

export interface TrafficPlan {
  readonly organizationId: string;
  /** Who writes (an owner). */
  readonly actorId: string;
  /** Who each new grant goes to; resolved by the reader too. */
  readonly granteeId: string;
  /** The users the reader resolves in turn. */
  readonly userIds: readonly string[];
  /** The entity the reader's checks ask about. */
  readonly probe: { readonly entity_type: EntityType; readonly entity_id: string };
  readonly idleMs: number;
  readonly writeMs: number;
  readonly writesPerSecond: number;
}

export interface Traffic {
  /** resolveAccess on the reader with nobody writing. */
  readonly idle: Summary;
  /** resolveAccess on the reader while the writer writes. */
  readonly busy: Summary;
  /** graph() + the core's checkAccess on the reader while the writer writes. */
  readonly checks: Summary;
  /** The writer's createGrant latencies. */
  readonly writes: Summary;
  /** Commit on the writer to visible on the reader, per commit. */
  readonly propagation: Summary;
  /** The same for the writer's last commit; null when the reader never saw it. */
  readonly last: number | null;
  readonly errors: readonly ErrorReport[];
}

const after = (ms: number) => Date.now() + ms;

export async function measureTraffic(writer: Instance, reader: Instance, plan: TrafficPlan): Promise<Traffic> {
  const readArgs = { organizationId: plan.organizationId, userIds: plan.userIds, probe: plan.probe };

  const idleRun = reader.read({ ...readArgs, startAt: after(50) });
  await new Promise((resolve) => setTimeout(resolve, 50 + plan.idleMs));
  await reader.stopReading({ deadline: Date.now() });
  const idle = await idleRun;

  const startAt = after(100);
  const busyRun = reader.read({ ...readArgs, startAt });
  const written = await writer.write({
    organizationId: plan.organizationId,
    actorId: plan.actorId,
    granteeId: plan.granteeId,
    entityPrefix: `bench${Date.now().toString(36)}`,
    startAt,
    until: startAt + plan.writeMs,
    intervalMs: 1000 / plan.writesPerSecond,
  });
  const last = written.commits.at(-1);
  await reader.stopReading({
    revision: last?.revision ?? 0,
    entityId: written.lastEntityId ?? "",
    granteeId: plan.granteeId,
    deadline: (last?.at ?? Date.now()) + 10_000,
  });
  const busy = await busyRun;
  const seen = propagation(written.commits, busy.reads);
  const errors = [...idle.errors, ...written.errors, ...busy.errors];
  if (busy.sawEntity === false) {
    errors.push({ code: "MISSING", message: "the reader's graph lacks the last write", at: Date.now() });
  }
  return {
    idle: summarize(readLatencies(idle.reads, 0)),
    busy: summarize(readLatencies(busy.reads, 0)),
    checks: summarize(readLatencies(busy.reads, 1)),
    writes: summarize(written.commits.map((commit) => commit.ms)),
    propagation: summarize(seen.delays),
    last: seen.last,
    errors,
  };
}
