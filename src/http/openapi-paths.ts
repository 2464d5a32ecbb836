/**
 * The OpenAPI document's operations: every route of the REST API with its parameters, body and
 * the statuses it can answer.
 * @module
 */
import { MAX_BULK_GRANTS } from "../service/service-input.js";
import { MAX_WHAT_IF_CHANGES } from "../service/what-if.js";
import { wholeOrPage } from "./openapi-access-pages.js";
import {
  ACCESS_CHECK_EXAMPLE,
  BULK_CHECK_EXAMPLE,
  EXPLAINED_CHECK_EXAMPLE,
  VALIDITY_CHECK_EXAMPLE,
} from "./openapi-checks.js";
import { jsonContent } from "./openapi-components.js";
import { SEED_GRANT, SEED_RESOLVED_ACCESS, SEED_RESOLVED_ACCESS_WITH_VALIDITY } from "./openapi-examples.js";
import { headerRef, parameterRef, requestBodyRef, responseRef, schemaRef } from "./openapi-helpers.js";
import type { JsonObject, OpenApiOperation, OpenApiPathItem } from "./openapi-types.js";
import { WHAT_IF_ANSWER_EXAMPLE } from "./openapi-what-if.js";
import { REVISION_HEADER } from "./revisions.js";

interface OperationSpec {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly tag: string;
  readonly parameters?: readonly string[];
  readonly requestBody?: string;
  readonly success: readonly [status: string, response: JsonObject];
  /** Whether a create can conflict with an existing grant (else 409 is only a version conflict). */
  readonly creates?: boolean;
  /** A read: it takes `min_revision` and never answers 409 (docs/spec.md §8). */
  readonly read?: boolean;
  /** Whether the whole request can be refused (403); a bulk check refuses item by item instead. */
  readonly forbids?: boolean;
  /** Whether its success says how long it may be kept, in `Cache-Control` (resolved access and the checks). */
  readonly cacheable?: boolean;
  /** Failures only this operation answers, by status (they replace the common ones of that status). */
  readonly failures?: Readonly<Record<string, JsonObject>>;
}

function operation(spec: OperationSpec): OpenApiOperation {
  const [status, success] = spec.success;
  const hasBody = spec.requestBody !== undefined;
  const read = spec.read === true;
  const headers: Record<string, JsonObject> = {
    [REVISION_HEADER]: headerRef("GrantpathRevision"),
    ...(spec.cacheable === true ? { "Cache-Control": headerRef("CacheControl") } : {}),
  };
  // Integer-like keys: the statuses list in numeric order whatever the order here.
  const responses: Record<string, JsonObject> = {
    [status]: { ...success, headers },
    "401": responseRef("Unauthorized"),
    ...(spec.forbids === false ? {} : { "403": responseRef("Forbidden") }),
    "404": responseRef("NotFound"),
    ...(read ? {} : { "409": responseRef(spec.creates === true ? "Conflict" : "VersionConflict") }),
    ...(hasBody ? { "413": responseRef("PayloadTooLarge"), "415": responseRef("UnsupportedMediaType") } : {}),
    "422": responseRef("ValidationFailed"),
    "500": responseRef("InternalError"),
    "503": responseRef("StorageUnavailable"),
    ...spec.failures,
  };
  const parameters = [...(spec.parameters ?? []), ...(read ? ["MinRevision"] : [])];
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: [spec.tag],
    ...(parameters.length === 0 ? {} : { parameters: parameters.map(parameterRef) }),
    ...(spec.requestBody === undefined ? {} : { requestBody: requestBodyRef(spec.requestBody) }),
    responses,
  };
}

const ORG = "/v1/organizations/{organization_id}";
const ORG_PARAMETERS: readonly JsonObject[] = [parameterRef("OrganizationIdPath")];

const grantResponse = (description: string): JsonObject => ({
  description,
  content: jsonContent(schemaRef("Grant"), SEED_GRANT),
});
const grantListResponse: JsonObject = {
  description: "A page of grants.",
  content: jsonContent(schemaRef("GrantList"), { items: [SEED_GRANT], total: 1, skip: 0, limit: 20, has_more: false }),
};
const entityGrants = (what: string, idParameter: string, operationId: string): OpenApiPathItem => ({
  parameters: [...ORG_PARAMETERS, parameterRef(idParameter)],
  get: operation({
    operationId,
    summary: `List the grants on ${what}`,
    description: `The active grants on ${what}, paginated. Needs \`admin\` on it, or being an owner.`,
    tag: "Access grants",
    parameters: ["Skip", "Limit"],
    success: ["200", grantListResponse],
    read: true,
  }),
});

export const PATHS: Readonly<Record<string, OpenApiPathItem>> = {
  "/openapi.json": {
    get: {
      operationId: "getOpenApiDocument",
      summary: "This document",
      description: "The OpenAPI 3.1 document of this API. Needs no credentials.",
      tags: ["Meta"],
      security: [],
      responses: {
        "200": {
          description: "The OpenAPI document.",
          content: jsonContent({
            type: "object",
            required: ["openapi", "info", "paths"],
            properties: { openapi: { const: "3.1.0" }, info: { type: "object" }, paths: { type: "object" } },
          }),
        },
      },
    },
    head: {
      operationId: "headOpenApiDocument",
      summary: "This document's headers",
      description: "As `GET /openapi.json`, without the body.",
      tags: ["Meta"],
      security: [],
      responses: { "200": { description: "The document's headers." } },
    },
  },
  [`${ORG}/access/grants`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "createGrant",
      summary: "Create an access grant",
      description:
        "Gives a user, department or role access to an entity at a level. Needs `admin` on the entity, or being an " +
        "owner. At most one active grant exists per entity and grantee: a second is a 409 (change the level with " +
        "PATCH instead).",
      tag: "Access grants",
      requestBody: "CreateGrant",
      success: ["201", grantResponse("The newly created grant.")],
      creates: true,
    }),
    get: operation({
      operationId: "listGrants",
      summary: "List access grants",
      description:
        "The organization's active grants, filtered and paginated. Filtered by an entity it needs `admin` on that " +
        "entity; otherwise it is for owners only.",
      tag: "Access grants",
      parameters: ["EntityTypeFilter", "EntityIdFilter", "GranteeTypeFilter", "GranteeIdFilter", "Skip", "Limit"],
      success: ["200", grantListResponse],
      read: true,
    }),
  },
  [`${ORG}/access/grants/bulk`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "bulkCreateGrants",
      summary: "Create grants for many grantees on one entity",
      description:
        "All or nothing: when any grantee fails (invalid, already granted, named twice), no grant is created. Needs " +
        "`admin` on the entity, or being an owner.",
      tag: "Access grants",
      requestBody: "BulkCreateGrants",
      success: [
        "201",
        {
          description: "The created grants, in the order of the request's `grants`.",
          content: jsonContent({ type: "array", minItems: 1, maxItems: MAX_BULK_GRANTS, items: schemaRef("Grant") }, [
            SEED_GRANT,
          ]),
        },
      ],
      creates: true,
    }),
  },
  [`${ORG}/access/grants/{grant_id}`]: {
    parameters: [...ORG_PARAMETERS, parameterRef("GrantIdPath")],
    get: operation({
      operationId: "getGrant",
      summary: "Get an access grant",
      description:
        "One grant by id, revoked ones included (with `revoked_at`). Needs `admin` on its entity, or being an owner.",
      tag: "Access grants",
      success: ["200", grantResponse("The grant.")],
      read: true,
    }),
    patch: operation({
      operationId: "updateGrant",
      summary: "Change a grant's access level",
      description:
        "`access_level` is the only field that can change. A revoked grant cannot be changed (404). Needs `admin` on " +
        "its entity, or being an owner.",
      tag: "Access grants",
      requestBody: "UpdateGrant",
      success: ["200", grantResponse("The updated grant.")],
    }),
    delete: operation({
      operationId: "revokeGrant",
      summary: "Revoke an access grant",
      description:
        "A soft delete: the grant stays readable by id with `revoked_at`, but no longer resolves, lists or " +
        "conflicts. A revoked grant cannot be revoked again (404). Needs `admin` on its entity, or being an owner.",
      tag: "Access grants",
      success: ["204", { description: "Revoked; no body." }],
    }),
  },
  [`${ORG}/knowledge/slices/{slice_id}/grants`]: entityGrants("a knowledge slice", "SliceIdPath", "listSliceGrants"),
  [`${ORG}/vector-stores/{store_id}/grants`]: entityGrants("a vector store", "StoreIdPath", "listVectorStoreGrants"),
  [`${ORG}/assistants/{assistant_id}/grants`]: entityGrants("an assistant", "AssistantIdPath", "listAssistantGrants"),
  [`${ORG}/users/{user_id}/resolved-access`]: {
    parameters: [...ORG_PARAMETERS, parameterRef("UserIdPath")],
    get: operation({
      operationId: "getResolvedAccess",
      summary: "Get a user's resolved access",
      description:
        "Every entity the user reaches through direct, department, role and composite-slice grants, with the " +
        "highest effective level and the grant paths that explain it. Readable by that user and by owners. With " +
        "`skip` or `limit`, one page of the entities (`ResolvedAccessPage`), which costs about what the page " +
        "holds plus one pass over the ids the user reaches; without them, the whole answer (`ResolvedAccess`). " +
        "With `include=validity`, also until when each level holds and when the answer next changes by itself. " +
        "`Cache-Control` says how long the answer may be kept.",
      tag: "Resolution",
      parameters: ["ResolvedEntityType", "AccessSkip", "AccessLimit", "Include"],
      read: true,
      cacheable: true,
      success: [
        "200",
        {
          description: "The user's resolved access, or one page of it.",
          content: {
            "application/json": {
              schema: wholeOrPage("ResolvedAccess", "ResolvedAccessPage"),
              examples: {
                plain: { summary: "docs/spec.md §12's user", value: SEED_RESOLVED_ACCESS },
                validity: {
                  summary: "The same with include=validity (none of the grants expires)",
                  value: SEED_RESOLVED_ACCESS_WITH_VALIDITY,
                },
              },
            },
          },
        },
      ],
    }),
  },
  [`${ORG}/access/users-with-access`]: {
    parameters: ORG_PARAMETERS,
    get: operation({
      operationId: "getUsersWithAccess",
      summary: "List the users who reach an entity",
      description:
        "Every user an active grant reaches on the entity, sorted by `user_id`, with their level and paths. Needs " +
        "`admin` on the entity, or being an owner. With `skip` or `limit`, one page of the users " +
        "(`UsersWithAccessPage`); without them, all of them. With `include=validity`, also until when each " +
        "user's level holds and when the answer next changes by itself.",
      tag: "Resolution",
      parameters: ["EntityTypeRequired", "EntityIdRequired", "AccessSkip", "AccessLimit", "Include"],
      read: true,
      success: [
        "200",
        {
          description: "The users who reach the entity, or one page of them.",
          content: jsonContent(wholeOrPage("UsersWithAccess", "UsersWithAccessPage"), {
            entity_type: "knowledge_slice",
            entity_id: "kslice_abc123",
            users: [
              {
                user_id: "usr_def456",
                access_level: "read",
                grant_paths: [
                  {
                    type: "direct",
                    access_level: "read",
                    department_id: null,
                    role_id: null,
                    composite_id: null,
                    grant_id: "agrant_abc123def456",
                  },
                ],
              },
            ],
          }),
        },
      ],
    }),
  },
  [`${ORG}/access/check`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "checkAccess",
      summary: "Check whether a user may act on an entity",
      description:
        "Whether the user reaches the entity and, with `level`, at least at that level, with the effective level and " +
        "the grant paths resolved access gives for it. A read sent as POST: it changes nothing, takes " +
        "`min_revision`, and answers on the revision in `Grantpath-Revision`. Asked by the user themself, an " +
        "owner, or a user with `admin` on the entity; anyone else gets 403. With `include=validity`, also until " +
        "when the level holds; with `explain: true` in the body, a check that is not allowed also lists the grants " +
        "that would allow it (`suggestions`). `Cache-Control` says how long the answer may be kept.",
      tag: "Resolution",
      parameters: ["Include"],
      requestBody: "CheckAccess",
      read: true,
      cacheable: true,
      success: [
        "200",
        {
          description: "The check.",
          content: {
            "application/json": {
              schema: schemaRef("AccessCheck"),
              examples: {
                allowed: { summary: "docs/spec.md §12's user writes kslice_abc123", value: ACCESS_CHECK_EXAMPLE },
                validity: { summary: "The same with include=validity", value: VALIDITY_CHECK_EXAMPLE },
                explained: {
                  summary: "Refused, with explain: true: where one grant would allow it",
                  value: EXPLAINED_CHECK_EXAMPLE,
                },
              },
            },
          },
        },
      ],
    }),
  },
  [`${ORG}/access/check/bulk`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "bulkCheckAccess",
      summary: "Check many users and entities at once",
      description:
        "Up to 100 checks, answered in order on one revision of the organization. Each result is the check, or " +
        "that item's own error (`CheckItemError`): an item with an invalid field, or one the caller may not ask " +
        "(the caller is not that user, an owner, or an admin of the entity), does not fail the others, so the " +
        "request as a whole is never refused for permissions. A body whose `checks` is not a list of 1–100 " +
        "objects is a 422 naming `checks` (or `checks[i]`); an unknown organization is a 404. `include=validity` " +
        "and `explain` apply to every item. `Cache-Control` says how long the answer may be kept (until the " +
        "earliest change of any item).",
      tag: "Resolution",
      parameters: ["Include"],
      requestBody: "BulkCheckAccess",
      read: true,
      cacheable: true,
      forbids: false,
      success: [
        "200",
        {
          description: "One result per check, in the request's order.",
          content: jsonContent(schemaRef("BulkCheckAccess"), BULK_CHECK_EXAMPLE),
        },
      ],
    }),
  },
  [`${ORG}/access/what-if`]: {
    parameters: ORG_PARAMETERS,
    post: operation({
      operationId: "whatIf",
      summary: "Try writes without storing them",
      description:
        `Up to ${MAX_WHAT_IF_CHANGES} writes (create, change or revoke a grant; replace a user's departments or ` +
        "roles or a composite's members; move a department), tried in order on a copy of the organization's " +
        "graph, and every (user, entity) whose level they would change. Nothing is stored: the revision stays " +
        "what `Grantpath-Revision` says. Each write is checked and refused exactly as the real one would be: the " +
        "answer is that write's error (404 for an unknown grant, department or composite, 409 for an existing " +
        "active grant, 422 for an invalid field or a cycle), with `details.index` naming the change. Like the " +
        "reads, it takes `min_revision`; the 409 is the would-be write's, never a version conflict. Owners only.",
      tag: "Resolution",
      requestBody: "WhatIf",
      read: true,
      success: [
        "200",
        {
          description: "The access the writes would change.",
          content: jsonContent(schemaRef("WhatIfAnswer"), WHAT_IF_ANSWER_EXAMPLE),
        },
      ],
      failures: {
        "404": responseRef("WhatIfNotFound"),
        "409": responseRef("GrantExists"),
        "422": responseRef("WhatIfInvalid"),
      },
    }),
  },
  [`${ORG}/access/changes`]: {
    parameters: ORG_PARAMETERS,
    get: operation({
      operationId: "listChanges",
      summary: "Read the change log",
      description:
        "The commits after `since`, oldest first, at most `limit` of them and never part of one, with the " +
        "organization's current revision: a replica started from `GET /access/snapshot` follows the organization " +
        "by applying them. A `since` beyond the current revision is a 422. Owners only.",
      tag: "Change log",
      parameters: ["ChangesSince", "ChangesLimit"],
      success: [
        "200",
        {
          description: "A page of the change log.",
          content: jsonContent(schemaRef("ChangePage"), {
            items: [
              {
                revision: 42,
                committed_at: "2025-06-15T10:00:00Z",
                changes: [{ type: "put_grant", grant: SEED_GRANT }],
              },
            ],
            revision: 42,
            has_more: false,
          }),
        },
      ],
      read: true,
      failures: { "410": responseRef("ChangesExpired") },
    }),
  },
  [`${ORG}/access/snapshot`]: {
    parameters: ORG_PARAMETERS,
    get: operation({
      operationId: "getSnapshot",
      summary: "Get the organization's graph and revision",
      description:
        "The whole graph as plain JSON with the revision it reflects: where a replica starts before it follows " +
        "`GET /access/changes?since=<revision>`. Owners only.",
      tag: "Change log",
      success: [
        "200",
        {
          description: "The organization as of one revision.",
          content: jsonContent(schemaRef("Snapshot"), {
            revision: 42,
            graph: {
              organization_id: "org_xyz789",
              owners: ["usr_owner1"],
              users: [{ id: "usr_def456", department_ids: ["dept_eng01"], role_ids: [] }],
              departments: [{ id: "dept_eng01", parent_id: null }],
              roles: [],
              composites: [],
              grants: [
                {
                  id: "agrant_abc123def456",
                  entity_type: "knowledge_slice",
                  entity_id: "kslice_abc123",
                  grantee_type: "department",
                  grantee_id: "dept_eng01",
                  access_level: "write",
                  organization_id: "org_xyz789",
                  granted_by: "usr_owner1",
                  created_at: "2025-06-15T10:00:00Z",
                  updated_at: "2025-06-15T10:00:00Z",
                },
              ],
            },
          }),
        },
      ],
      read: true,
    }),
  },
};
