/**
 * Id formats of docs/spec.md §1: a type prefix, then 1–128 characters of `[A-Za-z0-9_-]`.
 * Ids such as `usr___proto__` are ordinary ids; nothing here treats them specially.
 * @module
 */

/**
 * The kinds of id grantpath knows, and their prefixes.
 *
 * @example
 * ```ts
 * ID_PREFIXES.knowledge_slice; // "kslice_"
 * ```
 */
export const ID_PREFIXES = Object.freeze({
  organization: "org_",
  user: "usr_",
  department: "dept_",
  role: "role_",
  grant: "agrant_",
  knowledge_slice: "kslice_",
  vector_store: "vs_",
  assistant: "asst_",
} as const);

/**
 * A kind of id, named after what it identifies.
 *
 * @example
 * ```ts
 * const kind: IdKind = "department";
 * isValidId(kind, "dept_eng01"); // true
 * ```
 */
export type IdKind = keyof typeof ID_PREFIXES;

/** Whether a UTF-16 code unit is one of `[A-Za-z0-9_-]`. */
function isTokenChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    code === 95 || // _
    code === 45 // -
  );
}

/**
 * Whether `value` is a well-formed id of the given kind.
 *
 * @example
 * ```ts
 * import { isValidId } from "grantpath";
 * isValidId("user", "usr_def456"); // true
 * isValidId("user", "dept_eng01"); // false
 * ```
 */
export function isValidId(kind: IdKind, value: unknown): value is string {
  if (typeof value !== "string") return false;
  const prefix = ID_PREFIXES[kind];
  const tokenLength = value.length - prefix.length;
  if (tokenLength < 1 || tokenLength > 128 || !value.startsWith(prefix)) return false;
  // A loop, not a regular expression on a slice: a million-grant import checks three ids a grant.
  for (let i = prefix.length; i < value.length; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
  return true;
}

/** Why `value` is not a valid id of `kind`, for an error message. */
export function describeIdProblem(kind: IdKind, value: unknown): string {
  const prefix = ID_PREFIXES[kind];
  if (typeof value !== "string") return `must be a string starting with "${prefix}"`;
  if (!value.startsWith(prefix)) return `must start with "${prefix}"`;
  const token = value.slice(prefix.length);
  if (token.length === 0) return `must have 1-128 characters after "${prefix}"`;
  if (token.length > 128) return `must have at most 128 characters after "${prefix}" (has ${token.length})`;
  return `may only contain A-Z, a-z, 0-9, "_" and "-" after "${prefix}"`;
}
