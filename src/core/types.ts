/**
 * The vocabulary of docs/spec.md §1 as TypeScript types. Data objects keep the wire
 * format's snake_case field names so every result serializes to the documented JSON as is.
 * @module
 */

/**
 * The kinds of entity a grant can target.
 *
 * @example
 * ```ts
 * const type: EntityType = "vector_store";
 * ```
 */
export type EntityType = "knowledge_slice" | "vector_store" | "assistant";

/**
 * The kinds of grantee a grant can name.
 *
 * @example
 * ```ts
 * const type: GranteeType = "department";
 * ```
 */
export type GranteeType = "user" | "department" | "role";

/**
 * Access levels, totally ordered: `read` < `write` < `admin`; a higher level implies the lower ones.
 *
 * @example
 * ```ts
 * const level: AccessLevel = "write"; // implies "read"
 * ```
 */
export type AccessLevel = "read" | "write" | "admin";

/**
 * How a grant path reached the user (docs/spec.md §3).
 *
 * @example
 * ```ts
 * const type: GrantPathType = "composite";
 * ```
 */
export type GrantPathType = "direct" | "department" | "role" | "composite";

/**
 * All entity types, in the order results are sorted by.
 *
 * @example
 * ```ts
 * ENTITY_TYPES.includes("assistant"); // true
 * ```
 */
export const ENTITY_TYPES: readonly EntityType[] = Object.freeze([
  "assistant",
  "knowledge_slice",
  "vector_store",
] as const);

/**
 * All grantee types.
 *
 * @example
 * ```ts
 * GRANTEE_TYPES.includes("role"); // true
 * ```
 */
export const GRANTEE_TYPES: readonly GranteeType[] = Object.freeze(["user", "department", "role"] as const);

/**
 * All access levels, lowest first.
 *
 * @example
 * ```ts
 * ACCESS_LEVELS.indexOf("admin") > ACCESS_LEVELS.indexOf("read"); // true
 * ```
 */
export const ACCESS_LEVELS: readonly AccessLevel[] = Object.freeze(["read", "write", "admin"] as const);

/**
 * One grant as the graph holds it. Timestamps the caller did not supply are `null`
 * (the pure core never reads the clock); `expires_at` is present only when the grant expires.
 *
 * @example
 * ```ts
 * const grant: GraphGrant | undefined = getGrant(graph, "agrant_1");
 * ```
 */
export interface GraphGrant {
  /** The grant's id (`agrant_*`). */
  readonly id: string;
  /** The type of the entity granted. */
  readonly entity_type: EntityType;
  /** The entity granted. */
  readonly entity_id: string;
  /** Who receives the access: a user, a department or a role. */
  readonly grantee_type: GranteeType;
  /** The user, department or role id. */
  readonly grantee_id: string;
  /** The level granted. */
  readonly access_level: AccessLevel;
  /** The user who made the grant, when known. */
  readonly granted_by: string | null;
  /** The organization the grant belongs to. */
  readonly organization_id: string;
  /** When the grant was made (ISO-8601), when known. */
  readonly created_at: string | null;
  /** When the grant last changed (ISO-8601), when known. */
  readonly updated_at: string | null;
  /** From this instant on the grant is inactive. */
  readonly expires_at?: string;
}

/**
 * A grant in a {@link GraphInput}, or the argument of {@link addGrant}.
 *
 * @example
 * ```ts
 * const grant: GrantInput = { entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *   grantee_type: "user", grantee_id: "usr_def456", access_level: "read" };
 * ```
 */
export interface GrantInput {
  /** Generated (deterministically, `agrant_auto_N`) when absent. */
  readonly id?: string;
  /** The type of the entity to grant. */
  readonly entity_type: EntityType;
  /** The entity, with its type's prefix. */
  readonly entity_id: string;
  /** Who receives the access. */
  readonly grantee_type: GranteeType;
  /** The user, department or role id, with its type's prefix. */
  readonly grantee_id: string;
  /** The level to grant. */
  readonly access_level: AccessLevel;
  /** The user who made the grant. */
  readonly granted_by?: string | null;
  /** When present, must equal the graph's organization. */
  readonly organization_id?: string;
  /** ISO-8601. */
  readonly created_at?: string | null;
  /** ISO-8601. */
  readonly updated_at?: string | null;
  /** ISO-8601 with a time zone; the grant is inactive at and after this instant. */
  readonly expires_at?: string | null;
}

/**
 * A user and their direct memberships.
 *
 * @example
 * ```ts
 * const user: UserInput = { id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] };
 * ```
 */
export interface UserInput {
  /** The user (`usr_*`). */
  readonly id: string;
  /** Departments the user belongs to directly. */
  readonly department_ids?: readonly string[];
  /** Roles the user holds. */
  readonly role_ids?: readonly string[];
}

/**
 * A department; `parent_id` places it in the department forest.
 *
 * @example
 * ```ts
 * const department: DepartmentInput = { id: "dept_backend01", parent_id: "dept_eng01" };
 * ```
 */
export interface DepartmentInput {
  /** The department (`dept_*`). */
  readonly id: string;
  /** Its parent department, or `null` for a top-level one. */
  readonly parent_id?: string | null;
}

/**
 * A role. Roles named in memberships or grants exist implicitly; listing them is optional.
 *
 * @example
 * ```ts
 * const role: RoleInput = { id: "role_admin01" };
 * ```
 */
export interface RoleInput {
  /** The role (`role_*`). */
  readonly id: string;
}

/**
 * A composite knowledge slice and the slices it directly contains.
 *
 * @example
 * ```ts
 * const composite: CompositeInput = { id: "kslice_handbook01", member_slice_ids: ["kslice_policies01"] };
 * ```
 */
export interface CompositeInput {
  /** The composite slice (`kslice_*`). */
  readonly id: string;
  /** The slices it directly contains (`kslice_*`). */
  readonly member_slice_ids: readonly string[];
}

/**
 * One organization's graph as plain JSON (docs/spec.md §7), so a graph can live in a file.
 * Every list is optional; users, departments and roles named anywhere exist implicitly.
 *
 * @example
 * ```ts
 * const input: GraphInput = {
 *   organization_id: "org_acme",
 *   owners: ["usr_owner1"],
 *   users: [{ id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] }],
 *   departments: [{ id: "dept_eng01", parent_id: null }],
 *   composites: [{ id: "kslice_comp789", member_slice_ids: ["kslice_abc123"] }],
 *   grants: [{ id: "agrant_1", entity_type: "knowledge_slice", entity_id: "kslice_abc123",
 *              grantee_type: "user", grantee_id: "usr_def456", access_level: "read" }],
 * };
 * const graph = createGraph(input);
 * ```
 */
export interface GraphInput {
  /** The organization (`org_*`) every grant belongs to. */
  readonly organization_id: string;
  /** Users who may manage every grant in the organization. */
  readonly owners?: readonly string[];
  /** Listed users and their direct memberships. */
  readonly users?: readonly UserInput[];
  /** Departments that have a parent (or that you want listed). */
  readonly departments?: readonly DepartmentInput[];
  /** Roles, for the record; roles named elsewhere exist anyway. */
  readonly roles?: readonly RoleInput[];
  /** Composite knowledge slices and their direct members. */
  readonly composites?: readonly CompositeInput[];
  /** The organization's active grants. */
  readonly grants?: readonly GrantInput[];
}

/**
 * One explanation of why a user reaches an entity (docs/spec.md §3).
 *
 * @example
 * ```ts
 * const path: GrantPath = { type: "department", access_level: "write", department_id: "dept_eng01",
 *   role_id: null, composite_id: null, grant_id: "agrant_2" };
 * ```
 */
export interface GrantPath {
  /** How the grant reached the user. */
  readonly type: GrantPathType;
  /** The level of the grant this path comes from. */
  readonly access_level: AccessLevel;
  /** For `department` paths (and composite paths through one): the grantee department. */
  readonly department_id: string | null;
  /** For `role` paths (and composite paths through one): the role. */
  readonly role_id: string | null;
  /** For `composite` paths: the composite the grant is on. */
  readonly composite_id: string | null;
  /** The grant this path comes from. */
  readonly grant_id: string;
  /**
   * When the grant expires (ISO-8601), `null` if never; present only when validity was asked
   * for (`validity: true`, HTTP `include=validity`).
   */
  readonly expires_at?: string | null;
}

/**
 * An entity the user reaches, its effective level and every path that explains it.
 *
 * @example
 * ```ts
 * const entity: ResolvedEntity | undefined = resolveAccess(graph, "usr_def456").entities[0];
 * ```
 */
export interface ResolvedEntity {
  /** The entity's type. */
  readonly entity_type: EntityType;
  /** The entity's id. */
  readonly entity_id: string;
  /** The highest level among its paths. */
  readonly access_level: AccessLevel;
  /** Every path, in docs/spec.md §3's order. */
  readonly grant_paths: GrantPath[];
  /**
   * With validity: the instant the entity's level would first drop (the latest expiry among its
   * paths at that level), `null` if one of them never expires.
   */
  readonly valid_until?: string | null;
}

/**
 * The result of {@link resolveAccess}: the resolved-access JSON of docs/spec.md §12.
 *
 * @example
 * ```ts
 * const access: ResolvedAccess = resolveAccess(graph, "usr_def456", { entityType: "knowledge_slice" });
 * JSON.stringify(access); // the resolved-access JSON of docs/spec.md §12
 * ```
 */
export interface ResolvedAccess {
  /** The user asked about. */
  readonly user_id: string;
  /** Reached entities sorted by `entity_type`, then `entity_id`. */
  readonly entities: ResolvedEntity[];
  /** With validity: the earliest expiry of any path in the answer, `null` if none expires. */
  readonly next_change_at?: string | null;
}

/**
 * The result of {@link checkAccess}.
 *
 * @example
 * ```ts
 * const check: AccessCheck = checkAccess(graph, "usr_def456", "knowledge_slice", "kslice_abc123", { level: "write" });
 * ```
 */
export interface AccessCheck {
  /** Some path exists and, when a level was asked for, `access_level` is at least that level. */
  readonly allowed: boolean;
  /** The effective level, or `null` when no path reaches the entity. */
  readonly access_level: AccessLevel | null;
  /** The paths to the entity, in docs/spec.md §3's order (empty when none). */
  readonly grant_paths: GrantPath[];
  /** With validity: the instant the level would first drop, `null` if never (or no access). */
  readonly valid_until?: string | null;
  /** With validity: the earliest expiry of any path, `null` if none expires. */
  readonly next_change_at?: string | null;
  /**
   * With `explain: true`, when not allowed: every place one grant at the needed level would
   * allow it, nearest first (docs/spec.md §11).
   */
  readonly suggestions?: GrantSuggestion[];
}

/**
 * One user in a {@link UsersWithAccess} answer.
 *
 * @example
 * ```ts
 * const first: UserAccess | undefined = usersWithAccess(graph, "assistant", "asst_1").users[0];
 * ```
 */
export interface UserAccess {
  /** The user. */
  readonly user_id: string;
  /** The highest level among the user's paths. */
  readonly access_level: AccessLevel;
  /** The user's paths to the entity, in docs/spec.md §3's order. */
  readonly grant_paths: GrantPath[];
  /** With validity: the instant the user's level would first drop, `null` if never. */
  readonly valid_until?: string | null;
}

/**
 * The result of {@link usersWithAccess}.
 *
 * @example
 * ```ts
 * const answer: UsersWithAccess = usersWithAccess(graph, "vector_store", "vs_docs01");
 * ```
 */
export interface UsersWithAccess {
  /** The entity's type. */
  readonly entity_type: EntityType;
  /** The entity's id. */
  readonly entity_id: string;
  /** Every reached user, sorted by `user_id`. */
  readonly users: UserAccess[];
  /** With validity: the earliest expiry of any path in the answer, `null` if none expires. */
  readonly next_change_at?: string | null;
}

/**
 * Options of {@link resolveAccess}.
 *
 * @example
 * ```ts
 * resolveAccess(graph, "usr_1", { entityType: "assistant", at: new Date("2025-06-15T10:00:00Z") });
 * ```
 */
export interface ResolveOptions extends AccessPageOptions {
  /** Only return entities of this type (composite paths still count for `knowledge_slice`). */
  readonly entityType?: EntityType | undefined;
  /** The instant that decides which grants are active. Default: now. */
  readonly at?: Date | undefined;
  /** Add `expires_at`, `valid_until` and `next_change_at` (docs/spec.md §11). */
  readonly validity?: boolean | undefined;
}

/**
 * Options of {@link checkAccess}.
 *
 * @example
 * ```ts
 * checkAccess(graph, "usr_1", "assistant", "asst_1", { level: "admin", at: new Date() });
 * ```
 */
export interface CheckOptions {
  /** The level the caller needs; without it, any path allows. */
  readonly level?: AccessLevel | undefined;
  /** The instant that decides which grants are active. Default: now. */
  readonly at?: Date | undefined;
  /** Add `expires_at`, `valid_until` and `next_change_at` (docs/spec.md §11). */
  readonly validity?: boolean | undefined;
  /** When not allowed, add `suggestions`: where one grant would allow it (docs/spec.md §11). */
  readonly explain?: boolean | undefined;
}

/**
 * Options of {@link usersWithAccess}.
 *
 * @example
 * ```ts
 * usersWithAccess(graph, "assistant", "asst_1", { at: new Date("2025-06-15T10:00:00Z") });
 * ```
 */
export interface UsersWithAccessOptions extends AccessPageOptions {
  /** The instant that decides which grants are active. Default: now. */
  readonly at?: Date | undefined;
  /** Add `expires_at`, `valid_until` and `next_change_at` (docs/spec.md §11). */
  readonly validity?: boolean | undefined;
}

/**
 * Paging of the two answers that can grow with the organization: the entities of
 * {@link resolveAccess} (in their docs/spec.md §3's order) and the users of {@link usersWithAccess} (by
 * `user_id`). Without `skip` and `limit` the answer is whole and has the exact shape of docs/spec.md §12;
 * with either, it is one page with the grant lists' envelope fields (`total`, `skip`, `limit`,
 * `has_more`), and its cost follows the page, not the whole answer (docs/concepts.md).
 *
 * @example
 * ```ts
 * const page: AccessPageOptions = { skip: 200, limit: 100 }; // entities 201–300
 * resolveAccess(graph, "usr_def456", page).has_more; // whether to ask for skip: 300 next
 * ```
 */
export interface AccessPageOptions {
  /** How many entities (or users) to skip: a whole number ≥ 0. Default 0 once paging. */
  readonly skip?: number | undefined;
  /** The page size: a whole number from 1 to 1000. Default 100 once paging. */
  readonly limit?: number | undefined;
}

/**
 * Options that ask for a page: `skip`, `limit` or both given.
 *
 * @example
 * ```ts
 * const first: AccessPageRequest = { limit: 20 };
 * const next: AccessPageRequest = { skip: 20, limit: 20 };
 * ```
 */
export type AccessPageRequest =
  | { readonly skip: number; readonly limit?: number | undefined }
  | { readonly skip?: number | undefined; readonly limit: number };

/**
 * The envelope fields of a page, the same as a grant list's.
 *
 * @example
 * ```ts
 * const { total, skip, limit, has_more }: AccessPageInfo = usersWithAccess(graph, "assistant", "asst_1", { limit: 20 });
 * ```
 */
export interface AccessPageInfo {
  /** How many entities (or users) the whole answer has. */
  readonly total: number;
  /** How many came before this page. */
  readonly skip: number;
  /** The page size asked for (or the default). */
  readonly limit: number;
  /** Whether more follow this page. */
  readonly has_more: boolean;
}

/**
 * One page of {@link resolveAccess}: `entities` holds what the whole answer holds at positions
 * `skip` to `skip + limit - 1`, each entity with all its paths.
 *
 * @example
 * ```ts
 * const page: ResolvedAccessPage = resolveAccess(graph, "usr_def456", { skip: 0, limit: 20 });
 * JSON.stringify(page); // {"user_id":…,"entities":[…],"total":…,"skip":0,"limit":20,"has_more":…}
 * ```
 */
export interface ResolvedAccessPage extends ResolvedAccess, AccessPageInfo {}

/**
 * One page of {@link usersWithAccess}: `users` holds what the whole answer holds at positions
 * `skip` to `skip + limit - 1` (by `user_id`), each user with all their paths.
 *
 * @example
 * ```ts
 * const page: UsersWithAccessPage = usersWithAccess(graph, "vector_store", "vs_docs01", { limit: 50 });
 * page.users.length <= 50; // true
 * ```
 */
export interface UsersWithAccessPage extends UsersWithAccess, AccessPageInfo {}

/**
 * Where one grant would allow a denied check: to this grantee, on this entity (docs/spec.md §11).
 *
 * @example
 * ```ts
 * const suggestion: GrantSuggestion = { grantee_type: "department", grantee_id: "dept_eng01",
 *   entity_type: "knowledge_slice", entity_id: "kslice_abc123" };
 * ```
 */
export interface GrantSuggestion {
  readonly grantee_type: GranteeType;
  readonly grantee_id: string;
  readonly entity_type: EntityType;
  readonly entity_id: string;
}
