/**
 * Durations on the command line (`grantpath review --expiring-within`): whole milliseconds, or a
 * whole number with a unit.
 * @module
 */
import { InvalidArgumentError } from "commander";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A duration in milliseconds: `86400000`, or a whole number with `ms`, `s`, `m`, `h`, `d` or `w`
 * (`500ms`, `90s`, `30m`, `12h`, `7d`, `2w`). Anything else, or more than
 * `Number.MAX_SAFE_INTEGER` milliseconds, is a usage error.
 *
 * @example
 * ```ts
 * parseDuration("7d"); // 604800000
 * parseDuration("1500"); // 1500
 * ```
 */
export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? "ms"] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new InvalidArgumentError("expected milliseconds, or a whole number with ms, s, m, h, d or w (like 7d)");
  }
  return ms;
}
