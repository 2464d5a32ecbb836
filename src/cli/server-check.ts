/**
 * `grantpath check --server`: one check asked of a running grantpath server
 * (`POST /v1/organizations/{organization_id}/access/check`) instead of a graph file. It answers
 * with the server's `{allowed, access_level, grant_paths}`, so the command prints and exits as
 * the file form does; anything else the server (or the network) says becomes one line to print.
 * @module
 */
import type { AccessCheck } from "../core/index.js";

/** What to ask, and where. */
export interface ServerCheckRequest {
  /** The server's base URL, e.g. `http://127.0.0.1:3000` (a path prefix is kept). */
  readonly server: URL;
  /** The bearer token the server's `authenticate` knows. */
  readonly token: string;
  readonly organizationId: string;
  readonly userId: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly level?: string | undefined;
  /** Asks for an answer from this revision or a later one (`?min_revision=`). */
  readonly minRevision?: number | undefined;
  /** Ask for `suggestions` when denied. */
  readonly explain?: boolean | undefined;
}

/** The server's answer, or why there is none (one line, for standard error). */
export type ServerCheckOutcome =
  | { readonly ok: true; readonly check: AccessCheck }
  | { readonly ok: false; readonly message: string };

/** How long to wait for the server before giving up. */
const TIMEOUT_MS = 30_000;

/** The check route's URL under `server`, whatever trailing slash the user typed. */
export function checkUrl(server: URL, organizationId: string, minRevision: number | undefined): URL {
  const base = server.href.endsWith("/") ? server.href : `${server.href}/`;
  const url = new URL(`v1/organizations/${encodeURIComponent(organizationId)}/access/check`, base);
  if (minRevision !== undefined) url.searchParams.set("min_revision", String(minRevision));
  return url;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCheck(value: unknown): value is AccessCheck {
  return (
    isObject(value) &&
    typeof value.allowed === "boolean" &&
    (value.access_level === null || typeof value.access_level === "string") &&
    Array.isArray(value.grant_paths)
  );
}

/** The error envelope as one line: `CODE field: reason`, as the file form prints an `AccessError`. */
function describeFailure(status: number, body: unknown, url: URL): string {
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  if (error === undefined || typeof error.code !== "string") {
    return `${url.origin} answered ${status} without grantpath's error envelope: is it a grantpath server?`;
  }
  const details = isObject(error.details) ? error.details : {};
  const field = typeof details.field === "string" ? ` ${details.field}:` : "";
  const reason =
    typeof details.message === "string" ? details.message : typeof error.message === "string" ? error.message : "";
  return `${error.code}${field} ${reason}`.trimEnd();
}

/**
 * Asks the server. Never throws for what the server or the network does: a refused connection,
 * a timeout, an error envelope or an answer that is not a check each come back as a message.
 */
export async function checkOnServer(request: ServerCheckRequest): Promise<ServerCheckOutcome> {
  const url = checkUrl(request.server, request.organizationId, request.minRevision);
  const body = {
    user_id: request.userId,
    entity_type: request.entityType,
    entity_id: request.entityId,
    ...(request.level === undefined ? {} : { level: request.level }),
    ...(request.explain ? { explain: true } : {}),
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${request.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return { ok: false, message: `cannot reach ${url.origin}: ${cause instanceof Error ? cause.message : cause}` };
  }
  const text = await response.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) return { ok: false, message: describeFailure(response.status, parsed, url) };
  if (!isCheck(parsed)) {
    return { ok: false, message: `${url.origin} answered ${response.status}, but not with a check: is it grantpath?` };
  }
  return { ok: true, check: parsed };
}
