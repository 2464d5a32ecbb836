import { describe, expect, it } from "vitest";
import { storedDataInvalid } from "../../src/core/errors.js";
import { AccessError, ERROR_CATALOG, type ErrorCode, isAccessError } from "../../src/index.js";

// docs/spec.md §5: every code and the status it maps to.
const STATUS: Record<Exclude<ErrorCode, "STORAGE_UNAVAILABLE" | "STORED_DATA_INVALID">, number> = {
  VALIDATION_ERROR: 422,
  AUTHENTICATION_REQUIRED: 401,
  INSUFFICIENT_PERMISSIONS: 403,
  RESOURCE_NOT_FOUND: 404,
  RESOURCE_ALREADY_EXISTS: 409,
  INVALID_GRAPH: 422,
  VERSION_CONFLICT: 409,
  // docs/spec.md §8.
  CHANGES_EXPIRED: 410,
};

describe("AccessError", () => {
  it("STORAGE_UNAVAILABLE is a 503 server error: the database did not answer, the caller may retry", () => {
    const error = new AccessError("STORAGE_UNAVAILABLE", { timeout_ms: 5000 });
    expect(error.status).toBe(503);
    expect(error.type).toBe("server_error");
  });

  it("STORED_DATA_INVALID is a 500 server error naming the organization, with what failed as its cause", () => {
    const cause = new AccessError("VALIDATION_ERROR", { field: "grants[0].access_level" });
    const error = storedDataInvalid("org_1", cause, { revision: 3 });
    expect(error.status).toBe(500);
    expect(error.type).toBe("server_error");
    expect(error.details).toEqual({ organization_id: "org_1", revision: 3 });
    expect(error.cause).toBe(cause);
    expect(error.message).not.toContain("access_level");
  });

  it.each(Object.entries(STATUS))("%s maps to HTTP %i as a client error", (code, status) => {
    const error = new AccessError(code as ErrorCode, { field: "x" });
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(status);
    expect(error.type).toBe("client_error");
    expect(error.message).toBe(ERROR_CATALOG[code as ErrorCode].message);
    expect(error.system_message).toBe(ERROR_CATALOG[code as ErrorCode].system_message);
  });

  it("uses the worked example's wording for validation and authentication errors", () => {
    expect(new AccessError("VALIDATION_ERROR").message).toBe("The request contains invalid data.");
    expect(new AccessError("VALIDATION_ERROR").system_message).toBe("Validation error");
    expect(new AccessError("AUTHENTICATION_REQUIRED").message).toBe("Please log in to continue.");
    expect(new AccessError("AUTHENTICATION_REQUIRED").system_message).toBe("Authentication required");
  });

  it("serializes to the envelope's error fields, with overrides and a cause", () => {
    const cause = new Error("disk full");
    const error = new AccessError(
      "RESOURCE_NOT_FOUND",
      { grant_id: "agrant_1" },
      { message: "No such grant.", system_message: "Access grant not found", cause },
    );
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: "RESOURCE_NOT_FOUND",
      message: "No such grant.",
      system_message: "Access grant not found",
      type: "client_error",
      status: 404,
      details: { grant_id: "agrant_1" },
    });
  });

  it("keeps its details frozen", () => {
    const details = { field: "entity_type" };
    const error = new AccessError("VALIDATION_ERROR", details);
    details.field = "changed";
    expect(error.details).toEqual({ field: "entity_type" });
    expect(Object.isFrozen(error.details)).toBe(true);
  });

  it("isAccessError recognizes the class and, optionally, the code", () => {
    const error = new AccessError("INVALID_GRAPH");
    expect(isAccessError(error)).toBe(true);
    expect(isAccessError(error, "INVALID_GRAPH")).toBe(true);
    expect(isAccessError(error, "VALIDATION_ERROR")).toBe(false);
    expect(isAccessError(new Error("plain"))).toBe(false);
    expect(isAccessError({ code: "INVALID_GRAPH" })).toBe(false);
  });
});

describe("AccessError across copies of grantpath", () => {
  it("recognizes an error made by another copy of the library (ESM and CJS builds side by side)", () => {
    const foreign = Object.assign(new Error("from the other build"), { code: "VERSION_CONFLICT" });
    Object.defineProperty(foreign, Symbol.for("grantpath.AccessError"), { value: true });
    expect(foreign instanceof AccessError).toBe(true);
    expect(isAccessError(foreign, "VERSION_CONFLICT")).toBe(true);
  });

  it("does not mistake other errors or look-alike objects for one", () => {
    expect(new TypeError("x") instanceof AccessError).toBe(false);
    expect({ name: "AccessError", code: "VERSION_CONFLICT" } instanceof AccessError).toBe(false);
    expect((null as unknown as object) instanceof AccessError).toBe(false);
  });
});
