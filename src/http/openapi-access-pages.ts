/**
 * The OpenAPI pieces of paged resolution: the `skip` and `limit` query parameters of
 * `GET /users/{user_id}/resolved-access` and `GET /access/users-with-access`, and the page
 * schemas they answer with. Without `skip` and `limit` those routes answer the whole
 * `ResolvedAccess` / `UsersWithAccess`, exactly the shape of docs/spec.md §12; with either, a page: the same
 * fields, the list cut to the page, plus the grant lists' `total`, `skip`, `limit` and `has_more`.
 * `openapi-document.ts` puts these among its components.
 * @module
 */
import { DEFAULT_ACCESS_PAGE_LIMIT, MAX_ACCESS_PAGE_LIMIT } from "../core/query-arguments.js";
import {
  ENTITY_ID_BY_TYPE,
  idMatchesType,
  NEXT_CHANGE_AT,
  schemaRef,
  validityAllOrNothing,
} from "./openapi-helpers.js";
import type { JsonObject } from "./openapi-types.js";

/** The envelope fields of a page of `what` (entities or users), as in a grant list. */
function pageFields(what: string): Readonly<Record<string, JsonObject>> {
  return {
    total: { type: "integer", minimum: 0, description: `How many ${what} the whole answer has.` },
    skip: { type: "integer", minimum: 0, description: `How many ${what} came before this page.` },
    limit: {
      type: "integer",
      minimum: 1,
      maximum: MAX_ACCESS_PAGE_LIMIT,
      description: `The page size asked for (${DEFAULT_ACCESS_PAGE_LIMIT} when only \`skip\` was given).`,
    },
    has_more: { type: "boolean", description: `Whether more ${what} follow this page.` },
  };
}

/** The `skip` and `limit` parameters of the two resolution routes, given the largest skip the handler reads. */
export function accessPageParameters(skipMax: number): Readonly<Record<string, JsonObject>> {
  return {
    AccessSkip: {
      name: "skip",
      in: "query",
      required: false,
      description:
        "Ask for a page: how many entities (or users) of the whole answer to skip (0 when only `limit` is " +
        "given). Without `skip` and `limit` the answer is whole.",
      schema: { type: "integer", minimum: 0, maximum: skipMax },
    },
    AccessLimit: {
      name: "limit",
      in: "query",
      required: false,
      description:
        `Ask for a page: at most this many entities (or users), 1–${MAX_ACCESS_PAGE_LIMIT} ` +
        `(${DEFAULT_ACCESS_PAGE_LIMIT} when only \`skip\` is given). Without \`skip\` and \`limit\` the answer is whole.`,
      schema: { type: "integer", minimum: 1, maximum: MAX_ACCESS_PAGE_LIMIT },
    },
  };
}

/** The page schemas: `ResolvedAccessPage` and `UsersWithAccessPage`. */
export const ACCESS_PAGE_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  ResolvedAccessPage: {
    type: "object",
    description:
      "One page of a user's resolved access (`skip` or `limit` given): the entities the whole answer has at " +
      "positions `skip` to `skip + limit - 1`, each with every path, then the page's envelope. With " +
      "`include=validity`, `next_change_at` is the page's (the earliest expiry of a path on it).",
    additionalProperties: false,
    required: ["user_id", "entities", "total", "skip", "limit", "has_more"],
    properties: {
      user_id: schemaRef("UserId"),
      entities: {
        type: "array",
        maxItems: MAX_ACCESS_PAGE_LIMIT,
        description: "This page's entities, in the whole answer's order (`entity_type`, then `entity_id`).",
        items: schemaRef("ResolvedEntity"),
      },
      next_change_at: NEXT_CHANGE_AT,
      ...pageFields("entities"),
    },
    ...validityAllOrNothing("entities"),
  },
  UsersWithAccessPage: {
    type: "object",
    description:
      "One page of the users who reach an entity (`skip` or `limit` given): the users the whole answer has at " +
      "positions `skip` to `skip + limit - 1`, by `user_id`, each with every path, then the page's envelope. " +
      "With `include=validity`, `next_change_at` is the page's (the earliest expiry of a path on it).",
    additionalProperties: false,
    required: ["entity_type", "entity_id", "users", "total", "skip", "limit", "has_more"],
    properties: {
      entity_type: schemaRef("EntityType"),
      entity_id: schemaRef("EntityId"),
      users: { type: "array", maxItems: MAX_ACCESS_PAGE_LIMIT, items: schemaRef("UserAccess") },
      next_change_at: NEXT_CHANGE_AT,
      ...pageFields("users"),
    },
    allOf: [...idMatchesType("entity_type", "entity_id", ENTITY_ID_BY_TYPE), validityAllOrNothing("users")],
  },
};

/** A route's answer: the whole answer's schema, or its page's. */
export function wholeOrPage(whole: string, page: string): JsonObject {
  return { oneOf: [schemaRef(whole), schemaRef(page)] };
}
