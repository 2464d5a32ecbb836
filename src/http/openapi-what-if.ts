/**
 * The OpenAPI pieces of what-if (docs/spec.md §11): the body of `POST /access/what-if` — a list
 * of writes, each one of seven operations, told apart by `op` — and its answer, the revision it
 * was tried on and every (user, entity) whose level the writes would change. `openapi-document.ts`
 * puts these among its components, and `openapi-paths.ts` describes the operation.
 * @module
 */
import { MAX_WHAT_IF_CHANGES } from "../service/what-if.js";
import { ENTITY_ID_BY_TYPE, idMatchesType, NULL, schemaRef } from "./openapi-helpers.js";
import type { JsonObject } from "./openapi-types.js";

/** One kind of change: its `op`, what it carries, and which of that is required. */
function change(
  op: string,
  description: string,
  properties: Readonly<Record<string, JsonObject>>,
  required: readonly string[] = Object.keys(properties),
): JsonObject {
  return {
    type: "object",
    description: `${description} Other properties are ignored.`,
    required: ["op", ...required],
    properties: { op: { const: op }, ...properties },
  };
}

const idList = (name: string, description: string): JsonObject => ({
  type: "array",
  description,
  items: schemaRef(name),
});

/** The operations a what-if may try, with their schemas' names. */
const OPS: readonly (readonly [op: string, schema: string])[] = [
  ["create_grant", "CreateGrantWhatIf"],
  ["update_grant", "UpdateGrantWhatIf"],
  ["revoke_grant", "RevokeGrantWhatIf"],
  ["set_user_departments", "SetUserDepartmentsWhatIf"],
  ["set_user_roles", "SetUserRolesWhatIf"],
  ["set_composite_members", "SetCompositeMembersWhatIf"],
  ["move_department", "MoveDepartmentWhatIf"],
];

const LEVEL_OR_NONE: JsonObject = { anyOf: [schemaRef("AccessLevel"), NULL] };

/**
 * The worked example of docs/spec.md §12: what if the department grant on kslice_abc123 were
 * `read` only, and usr_def456 lost role_admin01?
 */
export const WHAT_IF_REQUEST_EXAMPLE: JsonObject = {
  changes: [
    { op: "update_grant", grant_id: "agrant_dept01", access_level: "read" },
    { op: "set_user_roles", user_id: "usr_def456", role_ids: [] },
  ],
};

/** What {@link WHAT_IF_REQUEST_EXAMPLE} would change: usr_def456 reads kslice_abc123 and loses kslice_def456. */
export const WHAT_IF_ANSWER_EXAMPLE: JsonObject = {
  revision: 42,
  changes: [
    {
      user_id: "usr_def456",
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      before: "write",
      after: "read",
    },
    {
      user_id: "usr_def456",
      entity_type: "knowledge_slice",
      entity_id: "kslice_def456",
      before: "admin",
      after: null,
    },
  ],
};

/** The schemas of what-if: its request, each kind of change, and its answer. */
export const WHAT_IF_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  WhatIfRequest: {
    type: "object",
    description:
      `1–${MAX_WHAT_IF_CHANGES} writes, tried in this order, each on the graph the ones before it left. ` +
      "Other properties are ignored.",
    required: ["changes"],
    properties: {
      changes: { type: "array", minItems: 1, maxItems: MAX_WHAT_IF_CHANGES, items: schemaRef("WhatIfChange") },
    },
    examples: [WHAT_IF_REQUEST_EXAMPLE],
  },
  WhatIfChange: {
    type: "object",
    description:
      "One write of a what-if; `op` says which. Each is checked exactly as the real write is (`POST " +
      "/access/grants`, `PATCH` and `DELETE /access/grants/{grant_id}`, and the service's membership, composite " +
      "and department writes), and refused with the same error, `details.index` naming it.",
    oneOf: OPS.map(([, schema]) => schemaRef(schema)),
    discriminator: { propertyName: "op" },
  },
  CreateGrantWhatIf: change("create_grant", "Create a grant, as `POST /access/grants` with `grant` as its body.", {
    grant: schemaRef("CreateGrantRequest"),
  }),
  UpdateGrantWhatIf: change("update_grant", "Change a grant's level, as `PATCH /access/grants/{grant_id}`.", {
    grant_id: schemaRef("GrantId"),
    access_level: schemaRef("AccessLevel"),
  }),
  RevokeGrantWhatIf: change("revoke_grant", "Revoke a grant, as `DELETE /access/grants/{grant_id}`.", {
    grant_id: schemaRef("GrantId"),
  }),
  SetUserDepartmentsWhatIf: change("set_user_departments", "Replace the departments a user is a member of.", {
    user_id: schemaRef("UserId"),
    department_ids: idList("DepartmentId", "The user's departments from now on (`[]`: none)."),
  }),
  SetUserRolesWhatIf: change("set_user_roles", "Replace the roles a user holds.", {
    user_id: schemaRef("UserId"),
    role_ids: idList("RoleId", "The user's roles from now on (`[]`: none)."),
  }),
  SetCompositeMembersWhatIf: change(
    "set_composite_members",
    "Replace the slices a declared composite directly contains (an unknown composite is a 404; a cycle a 422 " +
      "`INVALID_GRAPH`).",
    {
      composite_id: schemaRef("KnowledgeSliceId"),
      member_slice_ids: {
        description: "The composite's members from now on; `[]`, `null` or absent: none.",
        anyOf: [idList("KnowledgeSliceId", "Knowledge slices (composites too)."), NULL],
      },
    },
    ["composite_id"],
  ),
  MoveDepartmentWhatIf: change(
    "move_department",
    "Give a declared department a new parent (an unknown department is a 404; a cycle a 422 `INVALID_GRAPH`).",
    {
      department_id: schemaRef("DepartmentId"),
      parent_id: {
        description: "The new parent; `null`: the department moves to the top.",
        anyOf: [schemaRef("DepartmentId"), NULL],
      },
    },
  ),
  AccessChange: {
    type: "object",
    description:
      "One user's level on one entity before and after the writes (`null`: no access); only levels that differ " +
      "are listed.",
    additionalProperties: false,
    required: ["user_id", "entity_type", "entity_id", "before", "after"],
    properties: {
      user_id: schemaRef("UserId"),
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
      before: LEVEL_OR_NONE,
      after: LEVEL_OR_NONE,
    },
    allOf: idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE),
    // The same level (or none) on both sides is no change.
    not: {
      anyOf: ["read", "write", "admin", null].map((level) => ({
        type: "object",
        required: ["before", "after"],
        properties: { before: { const: level }, after: { const: level } },
      })),
    },
  },
  WhatIfAnswer: {
    type: "object",
    description:
      "The revision the writes were tried on (nothing was stored: the organization is still at it) and every " +
      "(user, entity) whose level they would change, sorted by `user_id`, then `entity_type`, then `entity_id`.",
    additionalProperties: false,
    required: ["revision", "changes"],
    properties: {
      revision: schemaRef("Revision"),
      changes: { type: "array", items: schemaRef("AccessChange") },
    },
    examples: [WHAT_IF_ANSWER_EXAMPLE],
  },
};

/** The request body of `POST /access/what-if`. */
export const WHAT_IF_REQUEST_BODIES: Readonly<Record<string, JsonObject>> = {
  WhatIf: {
    required: true,
    description: "The writes to try, in order.",
    content: { "application/json": { schema: schemaRef("WhatIfRequest"), example: WHAT_IF_REQUEST_EXAMPLE } },
  },
};
