/**
 * Timestamps in the wire format (`2025-06-15T10:00:00Z`, or with milliseconds as `toISOString`
 * writes them) take a fast path that must decide exactly as the general ISO-8601 parser does:
 * the same instant for every real date-time, a VALIDATION_ERROR for every impossible one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectTimestamp } from "../../src/core/validate.js";
import { AccessError } from "../../src/index.js";

/** The reference: a date-time is real when the calendar round-trips it (shares no code with src/). */
function referenceMs(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const date = new Date(0);
  date.setUTCFullYear(year as number, (month as number) - 1, day);
  date.setUTCHours(hour as number, minute, second, Number(match[7] ?? 0));
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === (month as number) - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return real ? date.getTime() : null;
}

function parse(text: string): number | "invalid" {
  try {
    return expectTimestamp(text, "expires_at");
  } catch (error) {
    expect(error).toBeInstanceOf(AccessError);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "expires_at" } });
    return "invalid";
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

describe("wire-format timestamps", () => {
  it("every real instant, with and without milliseconds, parses to the instant it names", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0000-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59.999Z"),
          noInvalidDate: true,
        }),
        (date) => {
          const withMs = date.toISOString();
          expect(parse(withMs)).toBe(date.getTime());
          const seconds = `${withMs.slice(0, 19)}Z`;
          expect(parse(seconds)).toBe(Math.floor(date.getTime() / 1000) * 1000);
        },
      ),
    );
  });

  it("any date-time shaped text is accepted exactly when the calendar has it (Feb 29, month 13, hour 24, …)", () => {
    fc.assert(
      fc.property(
        // Leap-year edges are rare among ten thousand years: ask for them often.
        fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1600, 1700, 1900, 2000, 2024, 2100, 2400)),
        fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constant(2)),
        fc.oneof(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 28, max: 31 })),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.option(fc.integer({ min: 0, max: 999 })),
        (year, month, day, hour, minute, second, ms) => {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${ms === null ? "" : `.${pad(ms, 3)}`}Z`;
          expect(parse(text)).toBe(referenceMs(text) ?? "invalid");
        },
      ),
    );
  });

  it("near misses of the format are not taken for it", () => {
    for (const text of [
      "2025-06-15T10:00:00z",
      "2025-06-15 10:00:00Z",
      "2025-06-15T10:00:0aZ",
      "2025-02-29T10:00:00Z",
      "2024-02-30T00:00:00.000Z",
      "+02025-06-15T10:00:00Z",
    ]) {
      expect(parse(text), text).toBe("invalid");
    }
    expect(parse("2024-02-29T23:59:59.999Z")).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(parse("2000-02-29T00:00:00Z")).toBe(Date.UTC(2000, 1, 29));
    expect(parse("1900-02-29T00:00:00Z")).toBe("invalid");
    expect(parse("2100-02-29T00:00:00Z")).toBe("invalid");
  });
});
