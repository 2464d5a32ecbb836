/**
 * Small checks that turn untrusted values into typed ones, each failing with a
 * `VALIDATION_ERROR` that names the exact field path (e.g. `grants[3].entity_type`).
 * Hand-written because the rules cross fields (an id's prefix depends on a sibling type
 * field) and the messages must name the wire's fields (docs/spec.md §12); a schema library would add weight to
 * every edge bundle without removing these cross-field checks.
 * @module
 */
import { validationError } from "./errors.js";
import { describeIdProblem, ID_PREFIXES, type IdKind, isValidId } from "./ids.js";
import { ACCESS_LEVELS, type AccessLevel, type EntityType, GRANTEE_TYPES, type GranteeType } from "./types.js";

/** A plain JSON-like object whose fields are not yet trusted. */
export type UntrustedObject = Readonly<Record<string, unknown>>;

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "undefined" ? "nothing" : `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

function oneOf(values: readonly string[]): string {
  return `{${values.map((v) => `'${v}'`).join(", ")}}`;
}

/** Joins a field path: `path("grants[3]", "entity_type")` → `grants[3].entity_type`. */
export function fieldPath(parent: string, name: string): string {
  return parent === "" ? name : `${parent}.${name}`;
}

/**
 * A plain snapshot of an object's own fields: each field (even a getter) is read exactly once,
 * so what is checked is what is kept, and a field the object lacks is `undefined` whatever
 * other code has put on `Object.prototype` (the copy has no prototype). `field` may be a
 * function, called only for an error.
 */
export function expectObject(value: unknown, field: string | (() => string)): UntrustedObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const name = typeof field === "string" ? field : field();
    throw validationError(name, `${name} must be an object, got ${describeType(value)}`);
  }
  return { __proto__: null, ...value };
}

/**
 * A caller's options as a snapshot of their own fields (`{}` when absent): options the caller did
 * not give are `undefined`, never whatever other code has put on `Object.prototype`.
 */
export function ownOptions<T extends object>(value: T | undefined | null, field: string): Partial<T> {
  return value === undefined || value === null ? {} : (expectObject(value, field) as Partial<T>);
}

/** A dense copy of an array: holes become `undefined`, so item checks report them as missing. */
export function expectArray(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw validationError(field, `${field} must be an array, got ${describeType(value)}`);
  return Array.from(value);
}

/** An optional list: `undefined` (and `null`) mean empty. */
export function optionalArray(value: unknown, field: string): readonly unknown[] {
  return value === undefined || value === null ? [] : expectArray(value, field);
}

export function expectId(kind: IdKind, value: unknown, field: string): string {
  if (value === undefined || value === null) throw validationError(field, `${field} is required`);
  if (!isValidId(kind, value)) throw validationError(field, `${field} ${describeIdProblem(kind, value)}`);
  return value;
}

/** An id of any of `kinds` (its prefix says which), or a VALIDATION_ERROR naming `field`. */
export function expectIdOfKinds(kinds: readonly IdKind[], value: unknown, field: string): string {
  if (value === undefined || value === null) throw validationError(field, `${field} is required`);
  if (kinds.some((kind) => isValidId(kind, value))) return value as string;
  const prefixes = kinds.map((kind) => ID_PREFIXES[kind]).join(", ");
  throw validationError(field, `${field} must be an id starting with one of ${prefixes}`);
}

export function expectIdList(kind: IdKind, value: unknown, field: string): string[] {
  return optionalArray(value, field).map((item, index) => expectId(kind, item, `${field}[${index}]`));
}

function expectEnum<T extends string>(allowed: readonly T[], value: unknown, field: string): T {
  if (value === undefined || value === null) throw validationError(field, `${field} is required`);
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw validationError(field, `${field} must be one of ${oneOf(allowed)}`);
  }
  return value as T;
}

export function expectEntityType(value: unknown, field: string): EntityType {
  return expectEnum(["knowledge_slice", "vector_store", "assistant"], value, field);
}

export function expectGranteeType(value: unknown, field: string): GranteeType {
  return expectEnum(GRANTEE_TYPES, value, field);
}

export function expectAccessLevel(value: unknown, field: string): AccessLevel {
  return expectEnum(ACCESS_LEVELS, value, field);
}

// ISO-8601 date-time with an explicit zone: a zone-less time would mean "local time",
// which differs between the machines that read the same graph.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  return lastDay.getUTCDate();
}

/** The value of `length` decimal digits at `start`, or -1 when one is not a digit. */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
function monthLength(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The instant of a timestamp in the wire format, `2025-06-15T10:00:00Z` or with milliseconds
 * (`toISOString`), without a regular expression or a `Date`; `undefined` for anything else, which
 * the general parser then decides. Stored grants carry two such timestamps each, so a graph of a
 * hundred thousand stored grants parses two hundred thousand: measured, the general parser spent
 * 1.9 µs on each, three fifths of building the graph.
 */
function wireTimestampMs(text: string): number | undefined {
  const length = text.length;
  if (length !== 20 && length !== 24) return undefined;
  if (
    text.charCodeAt(length - 1) !== 90 || // Z
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    (length === 24 && text.charCodeAt(19) !== 46) // .
  ) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const millisecond = length === 24 ? digitsAt(text, 20, 3) : 0;
  // Years before 1000 go the general way (Date.UTC maps 0–99 to the 1900s).
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (millisecond < 0 || day > monthLength(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
}

/** Parses an ISO-8601 timestamp to epoch milliseconds, or fails naming the field. */
export function expectTimestamp(value: unknown, fieldOrName: string | (() => string)): number {
  if (typeof value === "string") {
    const fast = wireTimestampMs(value);
    if (fast !== undefined) return fast;
  }
  const name = () => (typeof fieldOrName === "string" ? fieldOrName : fieldOrName());
  const match = typeof value === "string" ? ISO_DATE_TIME.exec(value) : null;
  if (!match) {
    const field = name();
    throw validationError(field, `${field} must be an ISO-8601 date-time with a time zone, e.g. 2025-06-15T10:00:00Z`);
  }
  const fraction = match[7] ?? "";
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, , offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  // Date.parse rolls impossible dates over (Feb 30 → Mar 2); an access rule must not drift.
  const real =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  const ms = Date.parse(value as string);
  if (!real || Number.isNaN(ms)) throw validationError(name(), `${name()} is not a real date-time`);
  // Date.parse drops digits below the millisecond; round up so "inactive at and after" holds.
  return /[1-9]/.test(fraction.slice(3)) ? ms + 1 : ms;
}

/** An optional timestamp: `undefined` and `null` mean absent. */
export function optionalTimestamp(value: unknown, field: string | (() => string)): string | null {
  if (value === undefined || value === null) return null;
  expectTimestamp(value, field);
  return value as string;
}

/** A `Date` argument (such as `at`) that must hold a real instant. */
export function expectDate(value: unknown, field: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw validationError(field, `${field} must be a valid Date`);
  }
  return value.getTime();
}

/** A `Date` that must also be writable as an ISO-8601 timestamp (years 0000–9999). */
export function expectStorableDate(value: unknown, field: string): string {
  const ms = expectDate(value, field);
  const year = new Date(ms).getUTCFullYear();
  if (year < 0 || year > 9999) throw validationError(field, `${field} must lie in the years 0000 to 9999`);
  return new Date(ms).toISOString();
}
