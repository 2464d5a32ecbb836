/**
 * The OpenAPI schemas of docs/spec.md §8: revisions, the change log (`GET /access/changes`: a
 * page of commits, each a list of storage changes) and snapshots (`GET /access/snapshot`: a
 * revision and a `GraphInput`). `openapi-document.ts` puts them among its components.
 * @module
 */
import { MAX_CHANGES_LIMIT } from "../service/service-input.js";
import { ENTITY_ID_BY_TYPE, GRANTEE_ID_BY_TYPE, idMatchesType, NULL, schemaRef } from "./openapi-helpers.js";
import type { JsonObject } from "./openapi-types.js";

const idList = (name: string): JsonObject => ({ type: "array", items: schemaRef(name) });

/** A closed object schema with every property required. */
function record(description: string, properties: Readonly<Record<string, JsonObject>>): JsonObject {
  return { type: "object", description, additionalProperties: false, required: Object.keys(properties), properties };
}

/** One kind of storage change: its `type`, and what it carries. */
function change(type: string, description: string, payload: Readonly<Record<string, JsonObject>>): JsonObject {
  return record(description, { type: { const: type }, ...payload });
}

const CHANGE_TYPES: readonly (readonly [type: string, schema: string])[] = [
  ["create_organization", "CreateOrganizationChange"],
  ["set_owners", "SetOwnersChange"],
  ["put_grant", "PutGrantChange"],
  ["put_user", "PutUserChange"],
  ["put_department", "PutDepartmentChange"],
  ["delete_department", "DeleteDepartmentChange"],
  ["put_composite", "PutCompositeChange"],
];

const owners: JsonObject = { type: "array", minItems: 1, items: schemaRef("UserId") };

/** A grant of a `GraphInput`, as a snapshot gives it: `granted_by` and the instants when known. */
const GRAPH_GRANT: JsonObject = {
  type: "object",
  description: "A grant of a graph: its fields, plus `granted_by` and the instants when known.",
  additionalProperties: false,
  required: ["id", "entity_type", "entity_id", "grantee_type", "grantee_id", "access_level", "organization_id"],
  properties: {
    id: schemaRef("GrantId"),
    entity_type: schemaRef("EntityType"),
    entity_id: schemaRef("EntityId"),
    grantee_type: schemaRef("GranteeType"),
    grantee_id: schemaRef("GranteeId"),
    access_level: schemaRef("AccessLevel"),
    organization_id: schemaRef("OrganizationId"),
    granted_by: schemaRef("UserId"),
    created_at: schemaRef("IsoDateTime"),
    updated_at: schemaRef("IsoDateTime"),
    expires_at: schemaRef("IsoDateTime"),
  },
  allOf: [
    ...idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
    ...idMatchesType("grantee_type", "grantee_id", GRANTEE_ID_BY_TYPE),
  ],
};

const COMMIT_EXAMPLE: JsonObject = {
  revision: 42,
  committed_at: "2025-06-15T10:00:00Z",
  changes: [{ type: "put_user", user: { id: "usr_def456", department_ids: ["dept_eng01"], role_ids: [] } }],
};

/** The schemas of revisions, the change log and snapshots. */
export const CHANGE_LOG_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  Revision: {
    type: "integer",
    description: "An organization's revision: it grows by one with every committed write.",
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
  },
  UserMemberships: record("A user's direct memberships.", {
    id: schemaRef("UserId"),
    department_ids: idList("DepartmentId"),
    role_ids: idList("RoleId"),
  }),
  Department: record("A department and its parent (`null` at the top).", {
    id: schemaRef("DepartmentId"),
    parent_id: { anyOf: [schemaRef("DepartmentId"), NULL] },
  }),
  Composite: record("A composite knowledge slice and the slices it directly contains.", {
    id: schemaRef("KnowledgeSliceId"),
    member_slice_ids: idList("KnowledgeSliceId"),
  }),
  CreateOrganizationChange: change("create_organization", "The organization was created with these owners.", {
    owners,
  }),
  SetOwnersChange: change("set_owners", "The owners are now these.", { owners }),
  PutGrantChange: change("put_grant", "A grant was made or changed; with `revoked_at`, revoked.", {
    grant: schemaRef("Grant"),
  }),
  PutUserChange: change("put_user", "A user's memberships are now these.", { user: schemaRef("UserMemberships") }),
  PutDepartmentChange: change("put_department", "A department was declared or moved.", {
    department: schemaRef("Department"),
  }),
  DeleteDepartmentChange: change(
    "delete_department",
    "A department's declaration was taken back; the changes after it in the commit move its sub-departments and " +
      "members.",
    { department_id: schemaRef("DepartmentId") },
  ),
  PutCompositeChange: change("put_composite", "A composite was declared or its members replaced.", {
    composite: schemaRef("Composite"),
  }),
  StorageChange: {
    type: "object",
    description: "One change of a commit; `type` says which.",
    oneOf: CHANGE_TYPES.map(([, schema]) => schemaRef(schema)),
    discriminator: { propertyName: "type" },
  },
  Commit: {
    ...record("One committed write: the revision it made, when, and its changes in the order they apply.", {
      revision: schemaRef("Revision"),
      committed_at: schemaRef("Timestamp"),
      changes: { type: "array", items: schemaRef("StorageChange") },
    }),
    examples: [COMMIT_EXAMPLE],
  },
  ChangePage: record(
    "Commits after `since`, oldest first, never splitting one; ask again with `since` = the last one's revision " +
      "while `has_more`.",
    {
      items: { type: "array", maxItems: MAX_CHANGES_LIMIT, items: schemaRef("Commit") },
      revision: schemaRef("Revision"),
      has_more: { type: "boolean" },
    },
  ),
  GraphGrant: GRAPH_GRANT,
  GraphInput: record("An organization's graph as plain JSON (`createGraph` input), every list sorted by id.", {
    organization_id: schemaRef("OrganizationId"),
    owners: idList("UserId"),
    users: idList("UserMemberships"),
    departments: idList("Department"),
    roles: { type: "array", items: record("A role.", { id: schemaRef("RoleId") }) },
    composites: idList("Composite"),
    grants: { type: "array", description: "The active grants.", items: schemaRef("GraphGrant") },
  }),
  Snapshot: record("An organization as of one revision: where a replica starts, then follows the change log.", {
    revision: schemaRef("Revision"),
    graph: schemaRef("GraphInput"),
  }),
};
