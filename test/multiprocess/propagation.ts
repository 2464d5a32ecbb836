/**
 * What a writer's and a reader's reports say together: how long each commit took to become
 * visible to the reader, and the reader's latencies. Shared by the multiprocess tests and
 * `npm run bench:storage`.
 */
import { type Stats, stats } from "../../bench/measure.js";
import type { CommitReport, ReadReport } from "./instance.mjs";

/** Median, p99 and the largest of some samples (ms). */
export interface Summary extends Stats {
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return { ...stats([...samples]), max: samples.length === 0 ? Number.NaN : Math.max(...samples) };
}

/** The latencies of one kind of read (0 resolveAccess, 1 graph + checkAccess). */
export function readLatencies(reads: readonly ReadReport[], kind: 0 | 1): number[] {
  return reads.filter((read) => read[0] === kind).map((read) => read[2]);
}

/** Each commit's propagation delay, and the revisions the reader never saw. */
export interface Propagation {
  /** Per commit seen, in revision order: ms from the writer hearing of it to the end of the first read that reflected it. */
  readonly delays: number[];
  /** The delay of the newest commit, or null when the reader never saw it. */
  readonly last: number | null;
  readonly unseen: number[];
}

/**
 * For each commit, the first read (by the time it ended) computed on that revision or a later
 * one. A read that ended before the writer heard of its own commit counts as 0: the commit was
 * visible already.
 */
export function propagation(commits: readonly CommitReport[], reads: readonly ReadReport[]): Propagation {
  const ended = reads.map((read) => ({ end: read[1] + read[2], revision: read[3] })).sort((a, b) => a.end - b.end);
  const newestBy: number[] = [];
  let newest = Number.NEGATIVE_INFINITY;
  for (const read of ended) {
    newest = Math.max(newest, read.revision);
    newestBy.push(newest);
  }
  const delays: number[] = [];
  const unseen: number[] = [];
  let last: number | null = null;
  let index = 0;
  const ordered = [...commits].sort((a, b) => a.revision - b.revision);
  for (const commit of ordered) {
    while (index < ended.length && (newestBy[index] ?? 0) < commit.revision) index++;
    const read = ended[index];
    if (read === undefined) {
      unseen.push(commit.revision);
      last = null;
      continue;
    }
    last = Math.max(0, read.end - commit.at);
    delays.push(last);
  }
  return { delays, last, unseen };
}

/** `12.3 ms`, or `–` for no samples. */
export function ms(value: number): string {
  return Number.isNaN(value) ? "–" : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

/** `p50 … / p99 … / max …` of a summary. */
export function spread(summary: Summary): string {
  return `p50 ${ms(summary.median)} / p99 ${ms(summary.p99)} / max ${ms(summary.max)} (${summary.samples})`;
}
