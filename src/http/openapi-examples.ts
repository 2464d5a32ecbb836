/**
 * The examples the OpenAPI document shows: docs/spec.md's grant and resolved access (also with validity).
 * @module
 */
import type { JsonObject } from "./openapi-types.js";

/** The grant of docs/spec.md §6, as the API answers it. */
export const SEED_GRANT: JsonObject = {
  id: "agrant_abc123def456",
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  grantee_type: "user",
  grantee_id: "usr_def456",
  access_level: "read",
  granted_by: "usr_owner1",
  organization_id: "org_xyz789",
  created_at: "2025-06-15T10:00:00Z",
  updated_at: "2025-06-15T10:00:00Z",
};

/** The resolved access of docs/spec.md §3: one user, two slices, three paths. */
export const SEED_RESOLVED_ACCESS: JsonObject = {
  user_id: "usr_def456",
  entities: [
    {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      access_level: "write",
      grant_paths: [
        {
          type: "direct",
          access_level: "read",
          department_id: null,
          role_id: null,
          composite_id: null,
          grant_id: "agrant_abc123def456",
        },
        {
          type: "department",
          access_level: "write",
          department_id: "dept_eng01",
          role_id: null,
          composite_id: null,
          grant_id: "agrant_dept01",
        },
      ],
    },
    {
      entity_type: "knowledge_slice",
      entity_id: "kslice_def456",
      access_level: "admin",
      grant_paths: [
        {
          type: "role",
          access_level: "admin",
          department_id: null,
          role_id: "role_admin01",
          composite_id: null,
          grant_id: "agrant_role01",
        },
      ],
    },
  ],
};

/**
 * An example's grant paths with `include=validity` when none of their grants expires: each path
 * gains `expires_at: null`.
 */
export function pathsWithoutExpiry(paths: unknown): JsonObject[] {
  return (paths as JsonObject[]).map((path) => ({ ...path, expires_at: null }));
}

/**
 * The resolved access of docs/spec.md §12 with `include=validity`: none of its grants expires, so
 * every `expires_at`, `valid_until` and `next_change_at` is `null`.
 */
export const SEED_RESOLVED_ACCESS_WITH_VALIDITY: JsonObject = {
  ...SEED_RESOLVED_ACCESS,
  entities: (SEED_RESOLVED_ACCESS.entities as JsonObject[]).map((entity) => ({
    ...entity,
    grant_paths: pathsWithoutExpiry(entity.grant_paths),
    valid_until: null,
  })),
  next_change_at: null,
};
