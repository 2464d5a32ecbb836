/**
 * Errors as values with stable codes (docs/spec.md §5). One class, many codes: callers branch
 * on `code`, the HTTP layer turns any `AccessError` into the error envelope of docs/spec.md §5.
 * @module
 */

/**
 * The stable error codes of docs/spec.md §5 and §8, plus `STORAGE_UNAVAILABLE` (503) for a
 * database that does not answer in time and `STORED_DATA_INVALID` (500) for an organization
 * whose stored data fails validation when it is loaded (the caller's request is not at fault;
 * over HTTP it answers as `INTERNAL_ERROR`, its details only in the `onError` report).
 *
 * @example
 * ```ts
 * const code: ErrorCode = "RESOURCE_NOT_FOUND";
 * ```
 */
export type ErrorCode =
  | "VALIDATION_ERROR"
  | "AUTHENTICATION_REQUIRED"
  | "INSUFFICIENT_PERMISSIONS"
  | "RESOURCE_NOT_FOUND"
  | "RESOURCE_ALREADY_EXISTS"
  | "INVALID_GRAPH"
  | "VERSION_CONFLICT"
  | "CHANGES_EXPIRED"
  | "STORAGE_UNAVAILABLE"
  | "STORED_DATA_INVALID";

/**
 * Structured context of an error: which field or resource, and why.
 *
 * @example
 * ```ts
 * const details: ErrorDetails = { field: "grants[3].entity_type", message: "entity_type must be one of …" };
 * ```
 */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * The HTTP status and default texts of one error code.
 *
 * @example
 * ```ts
 * const entry: ErrorCatalogEntry = ERROR_CATALOG.RESOURCE_NOT_FOUND; // { status: 404, … }
 * ```
 */
export interface ErrorCatalogEntry {
  /** The HTTP status. */
  readonly status: number;
  /** The default user-facing message. */
  readonly message: string;
  /** The default terse summary. */
  readonly system_message: string;
}

/**
 * Status and default texts per code; the first two are docs/spec.md §12's own wording.
 *
 * @example
 * ```ts
 * ERROR_CATALOG.VALIDATION_ERROR.status; // 422
 * ```
 */
export const ERROR_CATALOG: Readonly<Record<ErrorCode, ErrorCatalogEntry>> = Object.freeze({
  VALIDATION_ERROR: {
    status: 422,
    message: "The request contains invalid data.",
    system_message: "Validation error",
  },
  AUTHENTICATION_REQUIRED: {
    status: 401,
    message: "Please log in to continue.",
    system_message: "Authentication required",
  },
  INSUFFICIENT_PERMISSIONS: {
    status: 403,
    message: "You do not have permission to perform this action.",
    system_message: "Insufficient permissions",
  },
  RESOURCE_NOT_FOUND: {
    status: 404,
    message: "The requested resource was not found.",
    system_message: "Resource not found",
  },
  RESOURCE_ALREADY_EXISTS: {
    status: 409,
    message: "The resource already exists.",
    system_message: "Resource already exists",
  },
  INVALID_GRAPH: {
    status: 422,
    message: "The change would make the organization's graph invalid.",
    system_message: "Invalid graph",
  },
  VERSION_CONFLICT: {
    status: 409,
    message: "The data changed while the request was processed. Please retry.",
    system_message: "Version conflict",
  },
  CHANGES_EXPIRED: {
    status: 410,
    message: "The change log no longer reaches back that far. Start again from a snapshot.",
    system_message: "Changes expired",
  },
  STORAGE_UNAVAILABLE: {
    status: 503,
    message: "The service cannot reach its database right now. Please retry shortly.",
    system_message: "Storage unavailable",
  },
  STORED_DATA_INVALID: {
    status: 500,
    message: "The organization's stored data is invalid. This is a problem on our side, not with the request.",
    system_message: "Stored data invalid",
  },
});

/**
 * An {@link AccessError} as plain JSON: the envelope's `error` object without `trace_id` and `timestamp`.
 *
 * @example
 * ```ts
 * const body: AccessErrorJSON = new AccessError("INVALID_GRAPH").toJSON();
 * ```
 */
export interface AccessErrorJSON {
  /** The stable code. */
  readonly code: ErrorCode;
  /** A user-facing message. */
  readonly message: string;
  /** A terse summary. */
  readonly system_message: string;
  /** `client_error` (4xx) or `server_error`. */
  readonly type: "client_error" | "server_error";
  /** The HTTP status. */
  readonly status: number;
  /** Which field or resource, and why. */
  readonly details: ErrorDetails;
}

/**
 * Optional overrides when raising an {@link AccessError}.
 *
 * @example
 * ```ts
 * new AccessError("RESOURCE_NOT_FOUND", { grant_id: "agrant_1" }, { system_message: "Access grant not found" });
 * ```
 */
export interface AccessErrorOptions {
  /** A user-facing message; defaults to the code's catalog text. */
  readonly message?: string;
  /** A short machine-oriented summary, e.g. `Access grant not found`. */
  readonly system_message?: string;
  /** The underlying error, when this one wraps another. */
  readonly cause?: unknown;
}

// A registry symbol, the same in every copy of this module: an application that ends up with
// two copies of grantpath (its ESM and CJS builds, say) still recognizes either's errors.
const ACCESS_ERROR_BRAND = Symbol.for("grantpath.AccessError");

/**
 * The error every grantpath function throws. It carries a stable `code`, the HTTP `status`
 * that code maps to, a user-facing `message`, a terse `system_message`, and `details` that name
 * the field or resource and say why.
 *
 * @example
 * ```ts
 * import { AccessError, createGraph } from "grantpath";
 *
 * try {
 *   createGraph({ organization_id: "org_1", grants: [{ entity_type: "file" } as never] });
 * } catch (error) {
 *   if (error instanceof AccessError && error.code === "VALIDATION_ERROR") {
 *     console.log(error.details.field); // "grants[0].entity_type"
 *   }
 * }
 * ```
 */
export class AccessError extends Error {
  /** `error instanceof AccessError` holds for errors from any copy of grantpath. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ACCESS_ERROR_BRAND] === true
    );
  }

  /** The stable code, e.g. `VALIDATION_ERROR`. */
  readonly code: ErrorCode;
  /** The HTTP status the code maps to. */
  readonly status: number;
  /** A terse summary for logs and programs. */
  readonly system_message: string;
  /** Which field or resource, and why. */
  readonly details: ErrorDetails;

  /**
   * Raises an error of the given code.
   * @param code - The stable code; `status` and the default texts follow from it.
   * @param details - Which field or resource, and why.
   * @param options - Texts that override the code's defaults, and the `cause`.
   */
  constructor(code: ErrorCode, details: ErrorDetails = {}, options: AccessErrorOptions = {}) {
    const entry = ERROR_CATALOG[code];
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AccessError";
    Object.defineProperty(this, ACCESS_ERROR_BRAND, { value: true });
    this.code = code;
    this.status = entry.status;
    this.system_message = options.system_message ?? entry.system_message;
    this.details = Object.freeze({ ...details });
  }

  /** `client_error` for 4xx statuses, `server_error` otherwise (the envelope's `type`). */
  get type(): "client_error" | "server_error" {
    return this.status < 500 ? "client_error" : "server_error";
  }

  /** The error's fields as plain JSON (without the envelope's `trace_id` and `timestamp`). */
  toJSON(): AccessErrorJSON {
    return {
      code: this.code,
      message: this.message,
      system_message: this.system_message,
      type: this.type,
      status: this.status,
      details: this.details,
    };
  }
}

/** A `VALIDATION_ERROR` naming the offending field and why it is wrong. */
export function validationError(field: string, message: string, extra: ErrorDetails = {}): AccessError {
  return new AccessError("VALIDATION_ERROR", { field, message, ...extra });
}

/**
 * A `STORED_DATA_INVALID` for an organization whose stored data cannot be loaded: `cause` is
 * what failed (usually the `VALIDATION_ERROR` or `INVALID_GRAPH` naming the stored field), the
 * details say which organization and, when known, where.
 */
export function storedDataInvalid(organizationId: string, cause: unknown, extra: ErrorDetails = {}): AccessError {
  return new AccessError("STORED_DATA_INVALID", { organization_id: organizationId, ...extra }, { cause });
}

/**
 * `true` when `error` is an {@link AccessError}, optionally with the given code.
 *
 * @example
 * ```ts
 * try {
 *   createGraph({ organization_id: "bad" });
 * } catch (error) {
 *   if (isAccessError(error, "VALIDATION_ERROR")) console.log(error.details.field); // "organization_id"
 * }
 * ```
 */
export function isAccessError(error: unknown, code?: ErrorCode): error is AccessError {
  return error instanceof AccessError && (code === undefined || error.code === code);
}
