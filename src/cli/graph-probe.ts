/**
 * Asking `createGraph` about a small made-up input, and reading its answer as a problem of the
 * file it was made from: `validate` learns every problem this way, so the core stays the one
 * judge of what is valid and of how each problem reads.
 * @module
 */
import { AccessError, createGraph, ID_PREFIXES, type IdKind } from "../core/index.js";

/** One problem: the stable code, the field path and what is wrong. */
export interface GraphProblem {
  readonly code: string;
  readonly field: string;
  readonly message: string;
}

/** The lists of a graph file, in the order `createGraph` reads them. */
export const LISTS = ["owners", "users", "departments", "roles", "composites", "grants"] as const;

/** One of {@link LISTS}. */
export type ListName = (typeof LISTS)[number];

/** An item of a list, its fields not yet trusted. */
export type Item = Readonly<Record<string, unknown>>;

/** What `createGraph` says about `input`: `null` when it is valid. */
export function verdict(input: unknown): AccessError | null {
  try {
    createGraph(input as never);
    return null;
  } catch (error) {
    if (error instanceof AccessError) return error;
    throw error;
  }
}

/**
 * A valid id no file is likely to use, for the fields a probe does not ask about; `tag` makes
 * another one.
 */
export function standIn(kind: IdKind, tag = "1"): string {
  return `${ID_PREFIXES[kind]}grantpath_validate_${tag}`;
}

/** How a probe's field paths map back to the file's. */
export interface Renaming {
  readonly list: ListName;
  /** The file's index of each item of the probe's list. */
  readonly indexes: readonly number[];
  /** A probe of one element of an id list: the field, and the element's index in the file. */
  readonly element?: { readonly field: string; readonly index: number };
}

/**
 * The problem `error` names, with a probe's field paths renamed to the file's: `list[i]` becomes
 * `list[indexes[i]]`, and the one element of a probed id list takes its index in the file.
 */
export function problemOf(error: AccessError, renaming?: Renaming): GraphProblem {
  const field = typeof error.details.field === "string" ? error.details.field : "";
  const message = typeof error.details.message === "string" ? error.details.message : error.message;
  if (renaming === undefined) return { code: error.code, field, message };
  const { list, indexes, element } = renaming;
  const item = new RegExp(`\\b${list}\\[(\\d+)\\]`, "g");
  const rename = (text: string) => {
    const renamed = text.replace(item, (whole, i: string) => {
      const index = indexes[Number(i)];
      return index === undefined ? whole : `${list}[${index}]`;
    });
    if (element === undefined) return renamed;
    const at = `${list}[${indexes[0]}].${element.field}`;
    return renamed.replaceAll(`${at}[0]`, `${at}[${element.index}]`);
  };
  return { code: error.code, field: rename(field), message: rename(message) };
}

/** The probe index of the item a problem names (`departments[3].parent_id` → 3). */
export function probeIndex(error: AccessError, list: ListName): number | undefined {
  const field = error.details.field;
  const match = typeof field === "string" ? new RegExp(`^${list}\\[(\\d+)\\]`).exec(field) : null;
  return match ? Number(match[1]) : undefined;
}

/** Whether a value is an object item (not `null`, not an array). */
export function isItem(value: unknown): value is Item {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A field the item itself has (never one inherited from its prototype). */
export function own(item: Item, field: string): unknown {
  return Object.hasOwn(item, field) ? item[field] : undefined;
}
