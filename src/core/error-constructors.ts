/**
 * The errors grantpath raises, each built in one place: a "not found" or a cycle reads the same
 * wherever it is thrown, and a reader finds every kind of failure here. `errors.ts` holds the
 * class and its catalog; these are the named ways to make one.
 * @module
 */
import { AccessError, type ErrorDetails } from "./errors.js";

/**
 * The organization does not exist (404, `details.organization_id`).
 *
 * @example
 * ```ts
 * if (!stored) throw organizationNotFound("org_acme");
 * ```
 */
export function organizationNotFound(organizationId: string): AccessError {
  return new AccessError(
    "RESOURCE_NOT_FOUND",
    { organization_id: organizationId },
    { message: `Organization ${organizationId} was not found.`, system_message: "Organization not found" },
  );
}

/** No grant has this id in the organization (404, `details.grant_id`). */
export function grantNotFound(grantId: string): AccessError {
  return new AccessError("RESOURCE_NOT_FOUND", { grant_id: grantId }, { system_message: "Access grant not found" });
}

/** The department is not known in the organization (404, `details.department_id`). */
export function departmentNotFound(departmentId: string): AccessError {
  return new AccessError(
    "RESOURCE_NOT_FOUND",
    { department_id: departmentId },
    { system_message: "Department not found" },
  );
}

/** The composite is not declared in the organization (404, `details.composite_id`). */
export function compositeNotFound(compositeId: string): AccessError {
  return new AccessError(
    "RESOURCE_NOT_FOUND",
    { composite_id: compositeId },
    { system_message: "Composite not found" },
  );
}

/** The user does not hold that department or role (404, with both ids). */
export function membershipNotFound(userId: string, groupField: string, groupId: string): AccessError {
  return new AccessError(
    "RESOURCE_NOT_FOUND",
    { user_id: userId, [groupField]: groupId },
    { message: `${userId} does not hold ${groupId}.`, system_message: "Membership not found" },
  );
}

/**
 * Something of this kind already exists (409). `what` names it in the messages
 * (`Organization`, `Department`, `Composite`); `details` say which.
 */
export function alreadyExists(what: string, id: string, details: ErrorDetails): AccessError {
  return new AccessError("RESOURCE_ALREADY_EXISTS", details, {
    message: `${what} ${id} already exists.`,
    system_message: `${what} already exists`,
  });
}

/** A write would close a department or composite cycle (422 `INVALID_GRAPH`, with the cycle). */
export function cycleError(kind: "department" | "composite", field: string, cycle: readonly string[]): AccessError {
  return new AccessError("INVALID_GRAPH", {
    field,
    message: `${field} would create a ${kind} cycle: ${cycle.join(" -> ")}`,
    cycle: [...cycle],
  });
}

/**
 * A commit named a revision that is not the organization's (409 `VERSION_CONFLICT`).
 *
 * @example
 * ```ts
 * if (actual !== expected) throw versionConflict("org_acme", expected, actual);
 * ```
 */
export function versionConflict(
  organizationId: string,
  expectedRevision: number,
  actualRevision: number | null,
  cause?: unknown,
): AccessError {
  return new AccessError(
    "VERSION_CONFLICT",
    {
      organization_id: organizationId,
      expected_revision: expectedRevision,
      ...(actualRevision === null ? {} : { actual_revision: actualRevision }),
    },
    cause === undefined ? {} : { cause },
  );
}

/**
 * The database did not answer in time or could not be reached (503: the caller may retry).
 *
 * @example
 * ```ts
 * throw storageUnavailable("my-store", "commit", error); // 503, the caller may retry
 * ```
 */
export function storageUnavailable(storage: string, operation: string, cause: unknown): AccessError {
  return new AccessError(
    "STORAGE_UNAVAILABLE",
    { storage, operation },
    { system_message: "Storage unavailable", cause },
  );
}

/** The request carries no valid credentials (401). */
export function authenticationRequired(): AccessError {
  return new AccessError(
    "AUTHENTICATION_REQUIRED",
    {},
    { message: "Please log in to continue.", system_message: "Authentication required" },
  );
}

/**
 * The grantee already holds an active grant on the entity (409, naming that grant); `where` adds
 * the field and index of a bulk item.
 *
 * @example
 * ```ts
 * throw activeGrantExists({ entity_type: "assistant", entity_id: "asst_1" }, { grantee_type: "user", grantee_id: "usr_1" }, "agrant_1");
 * ```
 */
export function activeGrantExists(
  entity: { readonly entity_type: string; readonly entity_id: string },
  grantee: { readonly grantee_type: string; readonly grantee_id: string },
  grantId: string,
  where: ErrorDetails = {},
): AccessError {
  return new AccessError(
    "RESOURCE_ALREADY_EXISTS",
    {
      ...where,
      grant_id: grantId,
      entity_type: entity.entity_type,
      entity_id: entity.entity_id,
      grantee_type: grantee.grantee_type,
      grantee_id: grantee.grantee_id,
    },
    {
      message: `${grantee.grantee_type} ${grantee.grantee_id} already has an active grant on ${entity.entity_id}.`,
      system_message: "Access grant already exists",
    },
  );
}
