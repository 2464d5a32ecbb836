/**
 * The vocabulary of SPEC section 1 as TypeScript types. Data objects keep the wire
 * format's snake_case field names so every result serializes to the documented JSON as is.
 * @module
 */

/** The kinds of entity a grant can target. */
export type EntityType = "knowledge_slice" | "vector_store" | "assistant";

/** The kinds of grantee a grant can name. */
export type GranteeType = "user" | "department" | "role";

/** Access levels, totally ordered: `read` < `write` < `admin`; a higher level implies the lower ones. */
export type AccessLevel = "read" | "write" | "admin";

/** How a grant path reached the user (SPEC section 3). */
export type GrantPathType = "direct" | "department" | "role" | "composite";

/** All entity types, in the order results are sorted by. */
export const ENTITY_TYPES: readonly EntityType[] = Object.freeze([
  "assistant",
  "knowledge_slice",
  "vector_store",
] as const);

/** All grantee types. */
export const GRANTEE_TYPES: readonly GranteeType[] = Object.freeze(["user", "department", "role"] as const);

/** All access levels, lowest first. */
export const ACCESS_LEVELS: readonly AccessLevel[] = Object.freeze(["read", "write", "admin"] as const);

/**
 * One grant as the graph holds it. Timestamps the caller did not supply are `null`
 * (the pure core never reads the clock); `expires_at` is present only when the grant expires.
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

/** A grant in a {@link GraphInput}, or the argument of {@link addGrant}. */
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

/** A user and their direct memberships. */
export interface UserInput {
  /** The user (`usr_*`). */
  readonly id: string;
  /** Departments the user belongs to directly. */
  readonly department_ids?: readonly string[];
  /** Roles the user holds. */
  readonly role_ids?: readonly string[];
}

/** A department; `parent_id` places it in the department forest. */
export interface DepartmentInput {
  /** The department (`dept_*`). */
  readonly id: string;
  /** Its parent department, or `null` for a top-level one. */
  readonly parent_id?: string | null;
}

/** A role. Roles named in memberships or grants exist implicitly; listing them is optional. */
export interface RoleInput {
  /** The role (`role_*`). */
  readonly id: string;
}

/** A composite knowledge slice and the slices it directly contains. */
export interface CompositeInput {
  /** The composite slice (`kslice_*`). */
  readonly id: string;
  /** The slices it directly contains (`kslice_*`). */
  readonly member_slice_ids: readonly string[];
}

/**
 * One organization's graph as plain JSON (SPEC section 7), so a graph can live in a file.
 * Every list is optional; users, departments and roles named anywhere exist implicitly.
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

/** One explanation of why a user reaches an entity (SPEC section 3). */
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
}

/** An entity the user reaches, its effective level and every path that explains it. */
export interface ResolvedEntity {
  /** The entity's type. */
  readonly entity_type: EntityType;
  /** The entity's id. */
  readonly entity_id: string;
  /** The highest level among its paths. */
  readonly access_level: AccessLevel;
  /** Every path, in SPEC order. */
  readonly grant_paths: GrantPath[];
}

/** The result of {@link resolveAccess}: the seed's resolved-access JSON. */
export interface ResolvedAccess {
  /** The user asked about. */
  readonly user_id: string;
  /** Reached entities sorted by `entity_type`, then `entity_id`. */
  readonly entities: ResolvedEntity[];
}

/** The result of {@link checkAccess}. */
export interface AccessCheck {
  /** Some path exists and, when a level was asked for, `access_level` is at least that level. */
  readonly allowed: boolean;
  /** The effective level, or `null` when no path reaches the entity. */
  readonly access_level: AccessLevel | null;
  /** The paths to the entity, in SPEC order (empty when none). */
  readonly grant_paths: GrantPath[];
}

/** One user in a {@link UsersWithAccess} answer. */
export interface UserAccess {
  /** The user. */
  readonly user_id: string;
  /** The highest level among the user's paths. */
  readonly access_level: AccessLevel;
  /** The user's paths to the entity, in SPEC order. */
  readonly grant_paths: GrantPath[];
}

/** The result of {@link usersWithAccess}. */
export interface UsersWithAccess {
  /** The entity's type. */
  readonly entity_type: EntityType;
  /** The entity's id. */
  readonly entity_id: string;
  /** Every reached user, sorted by `user_id`. */
  readonly users: UserAccess[];
}

/** Options of {@link resolveAccess}. */
export interface ResolveOptions {
  /** Only return entities of this type (composite paths still count for `knowledge_slice`). */
  readonly entityType?: EntityType | undefined;
  /** The instant that decides which grants are active. Default: now. */
  readonly at?: Date | undefined;
}

/** Options of {@link checkAccess}. */
export interface CheckOptions {
  /** The level the caller needs; without it, any path allows. */
  readonly level?: AccessLevel | undefined;
  /** The instant that decides which grants are active. Default: now. */
  readonly at?: Date | undefined;
}

/** Options of {@link usersWithAccess}. */
export interface UsersWithAccessOptions {
  /** The instant that decides which grants are active. Default: now. */
  readonly at?: Date | undefined;
}
