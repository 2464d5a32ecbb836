/**
 * The demo organization `grantpath serve` starts with: the worked example of docs/spec.md §12
 * (`org_xyz789`, `usr_def456`, `dept_eng01`, `role_admin01`, `kslice_abc123`, …), and bearer
 * tokens for a few of its users so the README's curl examples work as written. Its
 * create-grant request (usr_def456 read on kslice_abc123) is left for the README to make:
 * after it, the resolved-access request answers exactly as docs/spec.md §12 shows.
 * @module
 */
import type { GraphInput } from "../core/index.js";

export const DEMO_ORGANIZATION: GraphInput = {
  organization_id: "org_xyz789",
  owners: ["usr_owner1"],
  users: [
    { id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] },
    { id: "usr_ghi789", department_ids: ["dept_backend01"], role_ids: [] },
  ],
  departments: [
    { id: "dept_eng01", parent_id: null },
    { id: "dept_backend01", parent_id: "dept_eng01" },
  ],
  roles: [{ id: "role_admin01" }],
  composites: [{ id: "kslice_handbook01", member_slice_ids: ["kslice_policies01", "kslice_benefits01"] }],
  grants: [
    {
      id: "agrant_eng01write",
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      grantee_type: "department",
      grantee_id: "dept_eng01",
      access_level: "write",
      granted_by: "usr_owner1",
      created_at: "2025-06-15T10:00:01Z",
      updated_at: "2025-06-15T10:00:01Z",
    },
    {
      id: "agrant_admin01",
      entity_type: "knowledge_slice",
      entity_id: "kslice_def456",
      grantee_type: "role",
      grantee_id: "role_admin01",
      access_level: "admin",
      granted_by: "usr_owner1",
      created_at: "2025-06-15T10:00:02Z",
      updated_at: "2025-06-15T10:00:02Z",
    },
    {
      id: "agrant_handbook01",
      entity_type: "knowledge_slice",
      entity_id: "kslice_handbook01",
      grantee_type: "department",
      grantee_id: "dept_backend01",
      access_level: "read",
      granted_by: "usr_owner1",
      created_at: "2025-06-15T10:00:03Z",
      updated_at: "2025-06-15T10:00:03Z",
    },
  ],
};

/** Demo bearer tokens → users. Only for the demo server on a developer's machine. */
export const DEMO_TOKENS: Readonly<Record<string, string>> = {
  "demo-owner-token": "usr_owner1",
  "demo-user-token": "usr_def456",
  "demo-backend-token": "usr_ghi789",
};
