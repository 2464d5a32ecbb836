/**
 * The error envelope (docs/spec.md §5): every failed request answers
 * `{ success: false, error: { code, message, system_message, type, status, details, trace_id, timestamp } }`
 * with a fresh `trace_id` and the current `timestamp`.
 * @module
 */
import type { AccessError } from "../core/index.js";
import { wireTimestamp } from "../storage/grant-records.js";
import type { Answer } from "./answer.js";

/** The codes the HTTP layer adds to docs/spec.md §5's for failures that only HTTP has. */
export type HttpOnlyErrorCode =
  | "METHOD_NOT_ALLOWED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "INTERNAL_ERROR";

/** The `error` object of an envelope. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly system_message: string;
  readonly type: "client_error" | "server_error";
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The body of an {@link AccessError} as the envelope carries it. A 500 (`STORED_DATA_INVALID`)
 * is never the caller's to act on and its details name stored fields, so it answers as
 * `INTERNAL_ERROR` with no details; the error itself goes to the handler's `onError`.
 */
export function accessErrorBody(error: AccessError): ErrorBody {
  return error.status === 500 ? httpErrorBody("INTERNAL_ERROR") : error.toJSON();
}

/** How long a client should wait before retrying when the database did not answer, in seconds. */
const STORAGE_RETRY_AFTER_SECONDS = 1;

/** The headers an {@link AccessError}'s answer carries besides the envelope's: `Retry-After` on a 503. */
export function accessErrorHeaders(error: AccessError): Readonly<Record<string, string>> {
  return error.code === "STORAGE_UNAVAILABLE" ? { "retry-after": String(STORAGE_RETRY_AFTER_SECONDS) } : {};
}

const HTTP_ONLY: Readonly<Record<HttpOnlyErrorCode, Omit<ErrorBody, "code" | "details" | "type">>> = {
  METHOD_NOT_ALLOWED: {
    status: 405,
    message: "This method is not allowed on this resource.",
    system_message: "Method not allowed",
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The request body is too large.", system_message: "Payload too large" },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: "The request body must be JSON (Content-Type: application/json).",
    system_message: "Unsupported media type",
  },
  INTERNAL_ERROR: {
    status: 500,
    message: "Something went wrong on our side. Please try again later.",
    system_message: "Internal server error",
  },
};

/** The body of an HTTP-only failure. */
export function httpErrorBody(code: HttpOnlyErrorCode, details: Readonly<Record<string, unknown>> = {}): ErrorBody {
  const { status, message, system_message } = HTTP_ONLY[code];
  return { code, message, system_message, type: status < 500 ? "client_error" : "server_error", status, details };
}

/** The envelope's JSON text for `body`, with a new trace id. */
export function errorEnvelopeText(body: ErrorBody, now: Date): string {
  const envelope = {
    success: false,
    error: { ...body, trace_id: globalThis.crypto.randomUUID(), timestamp: wireTimestamp(now) },
  };
  return JSON.stringify(envelope);
}

/** A JSON answer carrying the envelope, with a new trace id. */
export function errorAnswer(body: ErrorBody, now: Date, headers: Readonly<Record<string, string>> = {}): Answer {
  return {
    status: body.status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: errorEnvelopeText(body, now),
  };
}
