/** Timing helpers: run contenders in alternation on the same inputs and report medians. */

export interface Stats {
  readonly median: number;
  readonly p99: number;
  readonly samples: number;
}

export function stats(samplesMs: number[]): Stats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p99: at(0.99), samples: sorted.length };
}

/**
 * Times each contender on the same sequence of inputs, alternating contenders input by input so
 * that machine noise hits them alike. Each sample is `batch` calls, divided back to one call.
 */
export function compare<I>(
  inputs: readonly I[],
  contenders: Readonly<Record<string, (input: I) => unknown>>,
  batch = 1,
): Record<string, Stats> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(contenders)) samples[name] = [];
  let sink = 0;
  for (const input of inputs) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = performance.now();
      for (let i = 0; i < batch; i++) if (run(input)) sink++;
      samples[name]?.push((performance.now() - start) / batch);
    }
  }
  if (sink < 0) console.log(sink);
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, stats(s)]));
}

export function formatMicros(ms: number): string {
  const us = ms * 1000;
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(us < 10 ? 2 : 1)} µs`;
}

/**
 * {@link compare} for contenders that may answer with a promise (casbin's API is async): a
 * promise is awaited inside the timed span; a plain value is timed exactly as `compare` does.
 */
export async function compareAsync<I>(
  inputs: readonly I[],
  contenders: Readonly<Record<string, (input: I) => unknown>>,
): Promise<Record<string, Stats>> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(contenders)) samples[name] = [];
  let sink = 0;
  for (const input of inputs) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = performance.now();
      let result = run(input);
      if (result instanceof Promise) result = await result;
      samples[name]?.push(performance.now() - start);
      if (result) sink++;
    }
  }
  if (sink < 0) console.log(sink);
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, stats(s)]));
}
