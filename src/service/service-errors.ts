/**
 * The service's "not found" errors, each built in one place so its code, details and texts are
 * the same wherever it is raised.
 * @module
 */
import { AccessError } from "../core/index.js";

/** The organization does not exist (404, `details.organization_id`). */
export function organizationNotFound(organizationId: string): AccessError {
  return new AccessError(
    "RESOURCE_NOT_FOUND",
    { organization_id: organizationId },
    { message: `Organization ${organizationId} was not found.`, system_message: "Organization not found" },
  );
}

/** No active (or, for reads, no) grant has this id in the organization (404, `details.grant_id`). */
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
