/**
 * `reviewGrants` (docs/spec.md §11): the grants an organization could clean up — redundant ones
 * (every user they reach holds as much through other grants), unreachable ones (they reach
 * nobody) and those about to expire.
 *
 * One pass over every user does it, so the cost follows the grants times the users they reach
 * (times a composite grant's slices), never grants × grants: each user's grants are folded into
 * "the highest level on each entity, and whether one grant alone gives it". A grant that is ever
 * the only one at the top for some user and entity is needed; an active grant that reaches
 * someone and is never needed is redundant. The fold runs on typed arrays indexed by small
 * integers (grants, entities and grantees numbered once), so a user costs a few array reads
 * per grant that reaches them, not a map lookup.
 * @module
 */
import { compositeDescendants } from "./composite-containment.js";
import { departmentAncestors } from "./department-forest.js";
import { validationError } from "./errors.js";
import { expiresMs, isActive } from "./grant-index.js";
import { grantSetForEach } from "./grant-set.js";
import { type AccessGraph, type GraphState, type StoredGrant, stateOf } from "./graph-state.js";
import { trieForEach, trieHas } from "./hash-trie.js";
import { queryInstant } from "./query-arguments.js";
import { entityTypeOf, granteeTypeOf } from "./stored-grant.js";
import type { AccessLevel, EntityType, GranteeType } from "./types.js";
import { ownOptions } from "./validate.js";

/**
 * Options of {@link reviewGrants}.
 *
 * @example
 * ```ts
 * const options: ReviewGrantsOptions = { at: new Date("2025-06-15T10:00:00Z"), expiringWithin: 86_400_000 };
 * reviewGrants(graph, options);
 * ```
 */
export interface ReviewGrantsOptions {
  /** The instant the review is about: which grants are active, and from when `expiringWithin` counts. Default: now. */
  readonly at?: Date | undefined;
  /**
   * How soon, in milliseconds after `at`, an expiry makes an active grant `expiring`: a whole
   * number from 0 (no grant is expiring) to `Number.MAX_SAFE_INTEGER`. Default: 7 days
   * (604,800,000 ms).
   */
  readonly expiringWithin?: number | undefined;
}

/**
 * What every finding of {@link reviewGrants} says about its grant: the grant's id and what it
 * grants to whom, so a report reads without looking the grant up.
 *
 * @example
 * ```ts
 * const describe = (finding: GrantFindingBase) =>
 *   `${finding.grant_id}: ${finding.access_level} on ${finding.entity_id} to ${finding.grantee_id}`;
 * reviewGrants(graph).findings.map(describe);
 * ```
 */
export interface GrantFindingBase {
  /** The grant. */
  readonly grant_id: string;
  /** The type of the entity it is on. */
  readonly entity_type: EntityType;
  /** The entity it is on. */
  readonly entity_id: string;
  /** The type of its grantee. */
  readonly grantee_type: GranteeType;
  /** Its grantee. */
  readonly grantee_id: string;
  /** The level it gives. */
  readonly access_level: AccessLevel;
}

/**
 * A grant that changes nobody's access: it reaches at least one user, and every user it reaches
 * holds the same or a higher level, through other grants, on every entity it gives them (its
 * own entity and, on a composite, every slice the composite contains).
 *
 * @example
 * ```ts
 * const finding: RedundantGrantFinding = {
 *   kind: "redundant", grant_id: "agrant_1", entity_type: "assistant", entity_id: "asst_1",
 *   grantee_type: "user", grantee_id: "usr_1", access_level: "read", user_count: 1,
 * };
 * ```
 */
export interface RedundantGrantFinding extends GrantFindingBase {
  /** The kind of finding. */
  readonly kind: "redundant";
  /** How many users the grant reaches (every one of them is covered by other grants): at least 1. */
  readonly user_count: number;
}

/**
 * A grant that reaches nobody: a department grant where neither the department nor any
 * department below it has a listed member, or a role grant where no listed user holds the role.
 * A grant to a user is never unreachable: direct grants reach the named user, listed or not.
 *
 * @example
 * ```ts
 * const finding: UnreachableGrantFinding = {
 *   kind: "unreachable", grant_id: "agrant_2", entity_type: "vector_store", entity_id: "vs_1",
 *   grantee_type: "role", grantee_id: "role_nobody", access_level: "write",
 * };
 * ```
 */
export interface UnreachableGrantFinding extends GrantFindingBase {
  /** The kind of finding. */
  readonly kind: "unreachable";
}

/**
 * An active grant whose expiry falls within the review's window: `at < expires_at <= at +
 * expiringWithin`.
 *
 * @example
 * ```ts
 * const finding: ExpiringGrantFinding = {
 *   kind: "expiring", grant_id: "agrant_3", entity_type: "knowledge_slice", entity_id: "kslice_1",
 *   grantee_type: "department", grantee_id: "dept_eng", access_level: "read",
 *   expires_at: "2025-06-16T00:00:00Z",
 * };
 * ```
 */
export interface ExpiringGrantFinding extends GrantFindingBase {
  /** The kind of finding. */
  readonly kind: "expiring";
  /** The grant's `expires_at`, exactly as the grant holds it (as {@link getGrant} gives it). */
  readonly expires_at: string;
}

/**
 * One finding of {@link reviewGrants}; `kind` tells which.
 *
 * @example
 * ```ts
 * for (const finding of reviewGrants(graph).findings) {
 *   if (finding.kind === "expiring") console.log(finding.grant_id, "expires at", finding.expires_at);
 * }
 * ```
 */
export type GrantFinding = RedundantGrantFinding | UnreachableGrantFinding | ExpiringGrantFinding;

/**
 * The answer of {@link reviewGrants}.
 *
 * @example
 * ```ts
 * const { findings }: GrantReview = reviewGrants(graph, { at: new Date("2025-06-15T10:00:00Z") });
 * ```
 */
export interface GrantReview {
  /** Every finding: by kind (`redundant`, `unreachable`, `expiring`), then by `grant_id` in code-unit order. */
  readonly findings: GrantFinding[];
}

/** The default of `expiringWithin`: seven days. */
const DEFAULT_EXPIRING_WITHIN_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Reviews every grant of the graph (docs/spec.md §11) and reports those worth a look:
 *
 * - `redundant`: the grant is active at `at`, reaches at least one user, and every user it
 *   reaches holds the same or a higher level, through other grants active at `at`, on every
 *   entity it gives them — its own entity and, for a grant on a composite, every slice the
 *   composite contains. Each grant is judged with all the others in place: two grants that cover
 *   each other are both redundant, and revoking both would take the access away.
 * - `unreachable`: the grant is active at `at` and reaches nobody — a department grant where
 *   neither the department nor any department below it has a listed member, a role grant where
 *   no listed user holds the role. A grant to a user always reaches that user (listed or not),
 *   so it is never unreachable.
 * - `expiring`: the grant is active at `at` and expires within `expiringWithin` milliseconds
 *   (`at < expires_at <= at + expiringWithin`). A grant may be expiring and redundant, or
 *   expiring and unreachable: it then has two findings.
 *
 * Grants inactive at `at` (expired) are left out entirely: they give no finding, and they give
 * no other grant's users any access. Findings come by kind (`redundant`, then `unreachable`,
 * then `expiring`), and within a kind by `grant_id` in code-unit order.
 *
 * The cost follows the grants times the users each reaches (times its slices, for a grant on
 * a composite): one pass over every listed user and every user named by a grant, folding the
 * grants that reach them; it never compares grants pairwise.
 *
 * @param graph - The organization's graph.
 * @param options - `at` (default now) and `expiringWithin` (milliseconds, default 7 days).
 * @throws {@link AccessError} `VALIDATION_ERROR` for a graph this library did not make, an `at`
 *   that is not a valid `Date` (field `at`), or an `expiringWithin` that is not a whole number
 *   from 0 to `Number.MAX_SAFE_INTEGER` (field `expiring_within`).
 *
 * @example
 * ```ts
 * import { createGraph, reviewGrants } from "grantpath";
 *
 * const graph = createGraph({
 *   organization_id: "org_1",
 *   users: [{ id: "usr_1", department_ids: ["dept_eng"] }],
 *   grants: [
 *     { id: "agrant_dept", entity_type: "assistant", entity_id: "asst_1",
 *       grantee_type: "department", grantee_id: "dept_eng", access_level: "admin" },
 *     { id: "agrant_user", entity_type: "assistant", entity_id: "asst_1",
 *       grantee_type: "user", grantee_id: "usr_1", access_level: "read" },
 *     { id: "agrant_role", entity_type: "assistant", entity_id: "asst_1",
 *       grantee_type: "role", grantee_id: "role_nobody", access_level: "read",
 *       expires_at: "2025-06-16T00:00:00Z" },
 *   ],
 * });
 * reviewGrants(graph, { at: new Date("2025-06-15T10:00:00Z"), expiringWithin: 86_400_000 }).findings;
 * // [ { kind: "redundant", grant_id: "agrant_user", …, user_count: 1 },
 * //   { kind: "unreachable", grant_id: "agrant_role", … },
 * //   { kind: "expiring", grant_id: "agrant_role", …, expires_at: "2025-06-16T00:00:00Z" } ]
 * ```
 */
export function reviewGrants(graph: AccessGraph, options: ReviewGrantsOptions = {}): GrantReview {
  const state = stateOf(graph);
  const given = ownOptions(options, "options");
  const atMs = queryInstant(given.at);
  const withinMs = queryExpiringWithin(given.expiringWithin);

  const active = numberActiveGrants(state, atMs);
  const { userCounts, needed } = foldUsers(state, active);

  const redundant: StoredGrant[] = [];
  const unreachable: StoredGrant[] = [];
  const expiring: StoredGrant[] = [];
  const countOf = new Map<StoredGrant, number>();
  const until = atMs + withinMs;
  active.grants.forEach((grant, index) => {
    const users = userCounts[index] as number;
    if (users > 0 && needed[index] === 0) {
      redundant.push(grant);
      countOf.set(grant, users);
    } else if (users === 0 && granteeTypeOf(grant) !== "user") {
      unreachable.push(grant);
    }
    // Active, so at < expires_at; Infinity (never) is never within the window.
    if (expiresMs(grant) <= until) expiring.push(grant);
  });

  const findings: GrantFinding[] = [];
  for (const grant of byId(redundant)) {
    findings.push({ kind: "redundant", ...describe(grant), user_count: countOf.get(grant) as number });
  }
  for (const grant of byId(unreachable)) findings.push({ kind: "unreachable", ...describe(grant) });
  for (const grant of byId(expiring)) {
    findings.push({ kind: "expiring", ...describe(grant), expires_at: grant.details?.expires_at as string });
  }
  return { findings };
}

function queryExpiringWithin(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_EXPIRING_WITHIN_MS;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw validationError(
      "expiring_within",
      `expiring_within must be a whole number of milliseconds from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  return value;
}

function describe(grant: StoredGrant): GrantFindingBase {
  return {
    grant_id: grant.id,
    entity_type: entityTypeOf(grant),
    entity_id: grant.entity_id,
    grantee_type: granteeTypeOf(grant),
    grantee_id: grant.grantee_id,
    access_level: grant.access_level,
  };
}

/** Grants by id in code-unit order (ids are unique). */
function byId(grants: StoredGrant[]): StoredGrant[] {
  return grants.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const LEVEL_RANK: Readonly<Record<AccessLevel, number>> = { read: 1, write: 2, admin: 3 };

/**
 * Grant and entity numbers stay below 2^28, so a number shifted left by 3 beside three flag
 * bits fits an Int32Array cell. (A graph that large does not fit in memory: at about 220 bytes
 * per grant, 2^28 grants would take 60 GB.)
 */
const MAX_NUMBERED = 2 ** 28;

/**
 * The grants active at the review's instant, numbered 0…n-1 grantee by grantee, so each
 * grantee's grants are one contiguous range (they reach the same users); their entities
 * numbered too, and each granted composite's slices listed once as entity numbers.
 */
interface ActiveGrants {
  /** Grant number → grant. */
  readonly grants: StoredGrant[];
  /**
   * Grant number → `entity << 3 | composite << 2 | rank`: its entity's number, whether it is on
   * a composite with slices (then see `fanout`), and its level's rank (1 read, 2 write, 3 admin).
   */
  readonly gives: Int32Array;
  /** Grant number → the number of its composite's slice list in `slices` (read only when flagged). */
  readonly fanout: Int32Array;
  /** The slices each granted composite contains, as entity numbers. */
  readonly slices: Int32Array[];
  /** Grantee id → its range's number, for grantees holding an active grant. */
  readonly rangeOf: Map<string, number>;
  /** Range number → its first grant number; the range ends where the next begins. */
  readonly rangeStart: number[];
  /** How many entities were numbered. */
  readonly entityCount: number;
  /** Users named by a grant whom the graph does not list. */
  readonly unlistedUsers: string[];
}

function numberActiveGrants(state: GraphState, atMs: number): ActiveGrants {
  const grants: StoredGrant[] = [];
  const entityNumbers = new Map<string, number>();
  const numberOf = (entityId: string): number => {
    let number = entityNumbers.get(entityId);
    if (number === undefined) {
      number = entityNumbers.size;
      entityNumbers.set(entityId, number);
    }
    return number;
  };
  // Entity number → its slice list's number, -1 for none, undefined until a grant on it is met:
  // the containment index is read once per granted entity, not once per grant.
  const fanoutOfEntity: (number | undefined)[] = [];
  const slices: Int32Array[] = [];
  const fanoutOf = (grant: StoredGrant, entity: number): number => {
    let fanout = fanoutOfEntity[entity];
    if (fanout !== undefined) return fanout;
    fanout = -1;
    if (entityTypeOf(grant) === "knowledge_slice" && trieHas(state.compositeMembers, grant.entity_id)) {
      const reached = compositeDescendants(state, grant.entity_id);
      if (reached.length > 0) {
        fanout = slices.length;
        slices.push(Int32Array.from(reached, numberOf));
      }
    }
    fanoutOfEntity[entity] = fanout;
    return fanout;
  };

  const rangeOf = new Map<string, number>();
  const rangeStart: number[] = [];
  const unlistedUsers: string[] = [];
  const gives: number[] = [];
  const fanouts: number[] = [];
  trieForEach(state.grantsByGrantee, (set, granteeId) => {
    const start = grants.length;
    grantSetForEach(set, (grant) => {
      if (!isActive(grant, atMs)) return;
      grants.push(grant);
      const entity = numberOf(grant.entity_id);
      const fanout = fanoutOf(grant, entity);
      gives.push((entity << 3) | (fanout < 0 ? 0 : 4) | LEVEL_RANK[grant.access_level]);
      fanouts.push(fanout);
    });
    if (grants.length === start) return;
    rangeOf.set(granteeId, rangeStart.length);
    rangeStart.push(start);
    if (granteeId.startsWith("usr_") && !trieHas(state.users, granteeId)) unlistedUsers.push(granteeId);
  });
  rangeStart.push(grants.length);
  if (grants.length >= MAX_NUMBERED || entityNumbers.size >= MAX_NUMBERED) {
    throw new Error("grantpath internal error: too many grants or entities to review at once");
  }
  return {
    grants,
    gives: Int32Array.from(gives),
    fanout: Int32Array.from(fanouts),
    slices,
    rangeOf,
    rangeStart,
    entityCount: entityNumbers.size,
    unlistedUsers,
  };
}

/**
 * Walks every user who can be reached — each listed user, and each unlisted user a grant names
 * — folding the active grants that reach them. Answers, per grant number, how many users it
 * reaches and whether it is needed: for some user and some entity it gives them, it is the only
 * grant at the highest level that user holds there.
 */
function foldUsers(state: GraphState, active: ActiveGrants): { userCounts: Int32Array; needed: Uint8Array } {
  const { gives, fanout, slices, rangeOf, rangeStart } = active;
  const needed = new Uint8Array(active.grants.length);
  // A range's grants all reach the same users: counted once per range, not per grant.
  const rangeUsers = new Int32Array(rangeStart.length);
  const rangeSeenBy = new Int32Array(rangeStart.length);
  // Per entity, two cells side by side (one cache line for both): the user's turn when the
  // entity was last given, and then `grant << 3 | shared << 2 | rank` — the highest level the
  // user holds there (rank 1–3), the first grant that gave it, and whether another grant gives
  // it too.
  const cells = new Int32Array(2 * active.entityCount);
  // The entities given to the user being walked, each once.
  const touched = new Int32Array(active.entityCount);
  let touchedCount = 0;
  let turn = 0;

  const give = (e: number, grant: number, rank: number) => {
    const at = e << 1;
    if (cells[at] !== turn) {
      cells[at] = turn;
      cells[at + 1] = (grant << 3) | rank;
      touched[touchedCount++] = e;
      return;
    }
    const word = cells[at + 1] as number;
    const topRank = word & 3;
    if (rank > topRank) cells[at + 1] = (grant << 3) | rank;
    else if (rank === topRank && word >>> 3 !== grant) cells[at + 1] = word | 4;
  };
  const fold = (range: number | undefined) => {
    if (range === undefined || rangeSeenBy[range] === turn) return;
    rangeSeenBy[range] = turn;
    rangeUsers[range] = (rangeUsers[range] as number) + 1;
    const end = rangeStart[range + 1] as number;
    for (let grant = rangeStart[range] as number; grant < end; grant++) {
      const word = gives[grant] as number;
      const rank = word & 3;
      give(word >>> 3, grant, rank);
      if ((word & 4) === 0) continue;
      const reached = slices[fanout[grant] as number] as Int32Array;
      for (let i = 0; i < reached.length; i++) give(reached[i] as number, grant, rank);
    }
  };
  // A department's range and those of the departments above it, walked once per department.
  const chains = new Map<string, number[]>();
  const chainOf = (departmentId: string): number[] => {
    let chain = chains.get(departmentId);
    if (chain === undefined) {
      chain = [];
      for (const id of [departmentId, ...departmentAncestors(state, departmentId)]) {
        const range = rangeOf.get(id);
        if (range !== undefined) chain.push(range);
      }
      chains.set(departmentId, chain);
    }
    return chain;
  };
  const settle = () => {
    for (let i = 0; i < touchedCount; i++) {
      const word = cells[((touched[i] as number) << 1) + 1] as number;
      if ((word & 4) === 0) needed[word >>> 3] = 1;
    }
    touchedCount = 0;
  };

  trieForEach(state.users, (user, userId) => {
    turn++;
    fold(rangeOf.get(userId));
    for (const departmentId of user.department_ids) for (const range of chainOf(departmentId)) fold(range);
    for (const roleId of user.role_ids) fold(rangeOf.get(roleId));
    settle();
  });
  for (const userId of active.unlistedUsers) {
    turn++;
    fold(rangeOf.get(userId));
    settle();
  }
  const userCounts = new Int32Array(active.grants.length);
  for (let range = 0; range + 1 < rangeStart.length; range++) {
    userCounts.fill(rangeUsers[range] as number, rangeStart[range], rangeStart[range + 1]);
  }
  return { userCounts, needed };
}
