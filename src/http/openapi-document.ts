/**
 * The OpenAPI 3.1 document of the REST API (docs/spec.md §6, §8, §9 and §11): every route, parameter,
 * body, status, header and schema the handler answers with. `GET /openapi.json` serves it, and the
 * repository keeps it as `openapi.json` (regenerate with `npx tsx scripts/write-openapi.ts`).
 * @module
 */
import { DEFAULT_ACCESS_PAGE_LIMIT, MAX_ACCESS_PAGE_LIMIT } from "../core/query-arguments.js";
import { DEFAULT_LIMIT, MAX_LIMIT } from "../service/service-input.js";
import { HEADERS, PARAMETERS, REQUEST_BODIES, RESPONSES } from "./openapi-components.js";
import { PATHS } from "./openapi-paths.js";
import { SCHEMAS } from "./openapi-schemas.js";
import type { OpenApiDocument } from "./openapi-types.js";

export type {
  JsonObject,
  JsonValue,
  OpenApiDocument,
  OpenApiMethod,
  OpenApiOperation,
  OpenApiPathItem,
} from "./openapi-types.js";

const DESCRIPTION = `Access grants on knowledge slices, vector stores and assistants, and the access they resolve to.

Every route lives under \`/v1/organizations/{organization_id}\` and needs \`Authorization: Bearer …\`; the embedding
service decides whom a token belongs to. Owners of the organization may do everything in it; otherwise managing or
listing an entity's grants needs \`admin\` on that entity, a user's resolved access is readable by that user, and a
check of a user on an entity may be asked by that user or by an admin of the entity.

Every organization has a revision that grows by one with each committed write. Every 2xx answer about an organization
carries it in \`Grantpath-Revision\`: the revision a write committed, or the one a read was computed on. Every read
(every GET, and the checks and what-if, which are POSTs) takes \`min_revision\` and then answers from that revision or a
later one, on any instance; reads never answer a version conflict (what-if answers the 409 of a grant that already
exists, as the write it tries would).

Resolved access, users-with-access and the checks take \`include=validity\`: their answers then say when each grant path
expires (\`expires_at\`), until when each level holds (\`valid_until\`) and when the answer next changes by itself
(\`next_change_at\`). Resolved access and the checks answer \`Cache-Control: private, max-age=N\`, never past that
instant. A check with \`explain: true\` that is not allowed lists the grants that would allow it (\`suggestions\`).
\`POST /access/what-if\` (owners only) tries writes on a copy of the organization and answers the access they would
change, storing nothing.

Every failure answers with the error envelope (\`ErrorEnvelope\`), a fresh \`trace_id\` and the current \`timestamp\`.
The handler checks, in order: the route (404 \`RESOURCE_NOT_FOUND\` for an unknown path; 405 \`METHOD_NOT_ALLOWED\`
with an \`Allow\` header for a method the path does not list), the credentials (401), the body (413, 415, 422 when it
is not JSON), then the parameters and fields (422), and last the organization, permissions and data (404, 403, 409,
410). A database that does not answer in time is a 503 \`STORAGE_UNAVAILABLE\` with \`Retry-After\`. A failed write
changes nothing. Lists paginate with \`skip\` (default 0) and \`limit\` (default ${DEFAULT_LIMIT}, 1–${MAX_LIMIT}).
Resolved access and users-with-access answer whole unless \`skip\` or \`limit\` is given; then they answer a page
with the same envelope fields (\`limit\` 1–${MAX_ACCESS_PAGE_LIMIT}, default ${DEFAULT_ACCESS_PAGE_LIMIT}).`;

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The OpenAPI 3.1.0 document of the REST API that `createHttpHandler` serves: every
 * route of docs/spec.md §6, §8, §9 and §11 (plus `GET /openapi.json`), bearer authentication, path
 * and query parameters with their formats, bounds and defaults (`min_revision` on every read,
 * `include=validity` on the resolution routes), request bodies, every status each route can
 * answer, the `Grantpath-Revision` header of every 2xx and the `Cache-Control` of resolved access
 * and the checks, and the schemas (`Grant`, `GrantList`, `GrantPath`, `ResolvedAccess`,
 * `UsersWithAccess`, `AccessCheck`, `GrantSuggestion`, `BulkCheckAccess`, `WhatIfRequest`,
 * `WhatIfAnswer`, `ChangePage`, `Commit`, `StorageChange`, `Snapshot`, `GraphInput`,
 * `ErrorEnvelope`, …) as JSON Schema 2020-12.
 * Deeply frozen. The handler serves it at `GET /openapi.json`; `openapi.json` in the repository
 * is the same document.
 *
 * @example
 * ```ts
 * import { OPENAPI_DOCUMENT } from "grantpath";
 *
 * OPENAPI_DOCUMENT.openapi; // "3.1.0"
 * OPENAPI_DOCUMENT.paths["/v1/organizations/{organization_id}/access/grants"]?.post?.operationId; // "createGrant"
 * const grantSchema = OPENAPI_DOCUMENT.components.schemas.Grant; // JSON Schema 2020-12
 * const text = JSON.stringify(OPENAPI_DOCUMENT, null, 2); // what `openapi.json` holds
 * ```
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = deepFreeze({
  openapi: "3.1.0",
  jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
  info: {
    title: "grantpath",
    version: "0.1.0",
    summary: "Resolve every entity a user can reach, with the grant paths that explain it.",
    description: DESCRIPTION,
    license: { name: "MIT", identifier: "MIT" },
  },
  tags: [
    { name: "Access grants", description: "Create, list, read, change and revoke access grants." },
    {
      name: "Resolution",
      description: "The access grants resolve to, how long it holds, and what writes would change it.",
    },
    { name: "Change log", description: "Revisions, commits and snapshots: follow an organization from outside." },
    { name: "Meta", description: "This document." },
  ],
  security: [{ bearerAuth: [] }],
  paths: PATHS,
  components: {
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        description: "`Authorization: Bearer <token>`; the embedding service's `authenticate` decides who it is.",
      },
    },
    parameters: PARAMETERS,
    headers: HEADERS,
    requestBodies: REQUEST_BODIES,
    responses: RESPONSES,
    schemas: SCHEMAS,
  },
});
