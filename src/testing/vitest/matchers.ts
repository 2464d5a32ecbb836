/**
 * Matchers for graphs: `expect(graph).toAllow(…)`, `toDeny(…)`, `toResolve(…)`, `toHavePath(…)`,
 * with failure messages that show the grant paths found.
 * @module
 */
import { expect } from "vitest";
import {
  type AccessGraph,
  type AccessLevel,
  checkAccess,
  type EntityType,
  type GrantPath,
  resolveAccess,
} from "../../core/index.js";
import { suggestGrants } from "../../core/suggest-grants.js";
import { describePath } from "../scenarios/scenario-report.js";

/**
 * What a matcher asks: the level needed (any, when absent) and the instant (default now).
 *
 * @example
 * ```ts
 * expect(graph).toAllow("usr_def456", "knowledge_slice", "kslice_abc123", { level: "write", at: new Date() });
 * ```
 */
export interface MatcherOptions {
  readonly level?: AccessLevel;
  readonly at?: Date;
}

/**
 * The grantpath matchers, as vitest's `Assertion` gains them.
 *
 * @example
 * ```ts
 * expect(graph).toDeny("usr_ghi789", "knowledge_slice", "kslice_def456");
 * expect(graph).toHavePath("usr_ghi789", "knowledge_slice", "kslice_policies01", { type: "composite" });
 * ```
 */
export interface GrantpathMatchers<R = unknown> {
  /** The user may act on the entity (at `level`, when given). */
  toAllow(userId: string, entityType: EntityType, entityId: string, options?: MatcherOptions): R;
  /** The user may not act on the entity (at `level`, when given). */
  toDeny(userId: string, entityType: EntityType, entityId: string, options?: MatcherOptions): R;
  /** The user reaches exactly these entities (of `entityType`, when given) at these levels. */
  toResolve(
    userId: string,
    entities: Readonly<Record<string, AccessLevel>>,
    options?: { readonly entityType?: EntityType; readonly at?: Date },
  ): R;
  /** One of the user's paths to the entity has every field of `path`. */
  toHavePath(
    userId: string,
    entityType: EntityType,
    entityId: string,
    path: Partial<GrantPath>,
    options?: { readonly at?: Date },
  ): R;
}

declare module "vitest" {
  // Declaration merging requires vitest's own parameter list verbatim, `any` default included:
  // the one `any` in this codebase, in a type position that no value of ours flows through.
  // biome-ignore lint/suspicious/noExplicitAny: vitest's signature, restated to merge.
  interface Matchers<T = any> extends GrantpathMatchers {}
}

/**
 * What a matcher answers vitest: whether it passed, and the message to show when the
 * expectation (or its `.not`) fails.
 *
 * @example
 * ```ts
 * const result: MatcherResult = grantpathMatchers.toAllow(graph, "usr_1", "assistant", "asst_1");
 * result.pass; // false: nothing reaches asst_1
 * ```
 */
export interface MatcherResult {
  /** Whether the expectation holds. */
  pass: boolean;
  /** What went wrong, shown when the expectation (or its `.not`) fails. */
  message: () => string;
}

function paths(found: readonly GrantPath[]): string {
  return found.length === 0 ? "  (no grant path)" : found.map((path) => `  ${describePath(path)}`).join("\n");
}

function check(graph: unknown, userId: string, entityType: EntityType, entityId: string, options: MatcherOptions = {}) {
  return checkAccess(graph as AccessGraph, userId, entityType, entityId, {
    ...(options.level ? { level: options.level } : {}),
    ...(options.at ? { at: options.at } : {}),
  });
}

/**
 * The matchers, for `expect.extend` (done for you by {@link installGrantpathMatchers}).
 *
 * @example
 * ```ts
 * expect.extend(grantpathMatchers); // what installGrantpathMatchers() does
 * ```
 */
export const grantpathMatchers = {
  /** Passes when the user may act on the entity (at `options.level`, when given). */
  toAllow(
    graph: unknown,
    userId: string,
    entityType: EntityType,
    entityId: string,
    options?: MatcherOptions,
  ): MatcherResult {
    const answer = check(graph, userId, entityType, entityId, options);
    const asked = `${userId} ${options?.level ?? "any level"} on ${entityType} ${entityId}`;
    const suggestions = answer.allowed
      ? []
      : suggestGrants(graph as AccessGraph, userId, entityType, entityId).slice(0, 3);
    return {
      pass: answer.allowed,
      message: () =>
        answer.allowed
          ? `expected ${asked} to be denied, but it is allowed through:\n${paths(answer.grant_paths)}`
          : `expected ${asked} to be allowed, but it is denied (${answer.access_level ?? "no access"}); paths found:\n${paths(answer.grant_paths)}\nnearest grants that would allow it:\n${suggestions.map((s) => `  ${s.grantee_type} ${s.grantee_id} on ${s.entity_id}`).join("\n")}`,
    };
  },
  /** Passes when the user may not act on the entity (at `options.level`, when given). */
  toDeny(
    graph: unknown,
    userId: string,
    entityType: EntityType,
    entityId: string,
    options?: MatcherOptions,
  ): MatcherResult {
    const allowed = grantpathMatchers.toAllow(graph, userId, entityType, entityId, options);
    return { pass: !allowed.pass, message: allowed.message };
  },
  /** Passes when the user reaches exactly `entities` (of `options.entityType`) at those levels. */
  toResolve(
    graph: unknown,
    userId: string,
    entities: Readonly<Record<string, AccessLevel>>,
    options: { readonly entityType?: EntityType; readonly at?: Date } = {},
  ): MatcherResult {
    const answer = resolveAccess(graph as AccessGraph, userId, {
      ...(options.entityType ? { entityType: options.entityType } : {}),
      ...(options.at ? { at: options.at } : {}),
    });
    const actual = new Map(answer.entities.map((entity) => [entity.entity_id, entity] as const));
    const ids = [...new Set([...Object.keys(entities), ...actual.keys()])].sort();
    const lines: string[] = [];
    for (const id of ids) {
      const want = Object.hasOwn(entities, id) ? entities[id] : undefined;
      const got = actual.get(id);
      if (want === got?.access_level) continue;
      lines.push(`  ${id}: expected ${want ?? "no access"}, actual ${got?.access_level ?? "no access"}`);
      if (got) lines.push(...got.grant_paths.map((path) => `    ${describePath(path)}`));
    }
    return {
      pass: lines.length === 0,
      message: () =>
        lines.length === 0
          ? `expected ${userId} not to reach exactly these entities, but it does`
          : `expected ${userId} to reach exactly these entities:\n${lines.join("\n")}`,
    };
  },
  /** Passes when one of the user's paths to the entity has every field of `path`. */
  toHavePath(
    graph: unknown,
    userId: string,
    entityType: EntityType,
    entityId: string,
    path: Partial<GrantPath>,
    options: { readonly at?: Date } = {},
  ): MatcherResult {
    const answer = check(graph, userId, entityType, entityId, options.at ? { at: options.at } : {});
    const fields = Object.entries(path) as [keyof GrantPath, unknown][];
    const pass = answer.grant_paths.some((found) => fields.every(([key, value]) => found[key] === value));
    return {
      pass,
      message: () =>
        `expected ${userId}'s paths to ${entityType} ${entityId} ${pass ? "not " : ""}to include ${JSON.stringify(path)}; paths found:\n${paths(answer.grant_paths)}`,
    };
  },
};

/**
 * Adds the grantpath matchers to vitest's `expect`: call it once, in a setup file or at the
 * top of a test file.
 *
 * @example
 * ```ts
 * import { installGrantpathMatchers } from "grantpath/testing/vitest";
 * installGrantpathMatchers();
 *
 * expect(graph).toAllow("usr_def456", "knowledge_slice", "kslice_abc123", { level: "write" });
 * expect(graph).toResolve("usr_ghi789", { kslice_abc123: "write" }, { entityType: "knowledge_slice" });
 * ```
 */
export function installGrantpathMatchers(): void {
  expect.extend(grantpathMatchers);
}
