// A Cloudflare Worker that keeps a read-only replica of one organization served by a grantpath
// origin, and answers resolveAccess and checkAccess from it without a round trip to the origin.
// See examples/edge-replica/README.md for the routes, the bindings and when it catches up.
//
// It starts from the origin's snapshot (GET /access/snapshot) on its first request, keeps the
// graph in module scope for the isolate's lifetime, and before answering applies the commits
// the origin made since (GET /access/changes?since=…) with applyChanges — at most every
// REPLICA_MAX_STALENESS_MS, or at once when a request asks for a revision it does not hold yet
// (min_revision) or sends Cache-Control: no-cache. A log trimmed past its revision (410
// CHANGES_EXPIRED) sends it back to the snapshot. Every answer names the revision it was
// computed on in Grantpath-Revision, as the origin's own answers do.
//
// It imports only the pure core from the package's main entry; the service, storage and HTTP
// handler are tree-shaken away (test/edge/replica.test.ts checks it and prints the size).
import {
  AccessError,
  type AccessGraph,
  type AccessLevel,
  applyChanges,
  type ChangePage,
  checkAccess,
  createGraph,
  type EntityType,
  isAccessError,
  type OrganizationSnapshot,
  resolveAccess,
} from "grantpath";

/** The worker's bindings (wrangler.toml `[vars]` and secrets). */
export interface Env {
  /** The origin's base URL, without `/v1`, e.g. `https://authz.example.com`. */
  readonly GRANTPATH_ORIGIN: string;
  /** A bearer token the origin maps to an owner of the organization (a secret). */
  readonly GRANTPATH_TOKEN: string;
  /** The organization this worker replicates (`org_*`). */
  readonly GRANTPATH_ORGANIZATION: string;
  /** How long an answer may come from the held revision without asking the origin (ms). Default 1000; 0 asks every time. */
  readonly REPLICA_MAX_STALENESS_MS?: string;
  /** When set, callers must send `Authorization: Bearer <it>` (a secret). */
  readonly REPLICA_TOKEN?: string;
}

/** The part of the Workers runtime's third `fetch` argument this worker uses. */
export interface WorkerContext {
  /** Keeps the isolate working on `promise` after the response, or after the request was cancelled. */
  waitUntil(promise: Promise<unknown>): void;
}

/** The response header naming the revision an answer was computed on. */
const REVISION_HEADER = "Grantpath-Revision";
const DEFAULT_MAX_STALENESS_MS = 1000;
/** The origin's largest page of the change log. */
const CHANGES_PAGE_LIMIT = 1000;
/** Snapshots one catch-up may load before it gives up (each after a 410 or a change that failed to apply). */
const MAX_SNAPSHOTS_PER_PULL = 3;

/** Why the replica loaded a snapshot, and what it cost (see /status). */
interface SnapshotLoad {
  readonly reason: "start" | "changes_expired" | "apply_failed";
  readonly revision: number;
  readonly bytes: number;
  /** Fetching the snapshot and reading its body. */
  readonly fetch_ms: number;
  /** JSON.parse of the body. */
  readonly parse_ms: number;
  /** createGraph over the parsed graph (validation included). */
  readonly build_ms: number;
}

/** The organization as of one revision, and when the origin last confirmed it was current. */
interface Replica {
  readonly graph: AccessGraph;
  readonly revision: number;
  /** The origin's revision when this replica was caught up: what a larger min_revision is checked against. */
  readonly originRevision: number;
  /** `Date.now()` at the end of the pull that made it. */
  readonly pulledAt: number;
  /** The number of the pull that made it (pulls are numbered from 1 as they start). */
  readonly pull: number;
}

/** What a request needs from the replica before it can be answered. */
interface Freshness {
  /** The answer must reflect at least this revision. */
  readonly minRevision: number | undefined;
  /** Ask the origin even if the held revision is recent (Cache-Control: no-cache). */
  readonly force: boolean;
}

// Module scope lives as long as the isolate: every request it serves shares the replica.
let replica: Replica | undefined;
/** The catch-up in flight, shared by the requests that arrive while it runs. */
let inFlight: Promise<Replica> | undefined;
let pullsStarted = 0;
let changePages = 0;
let commitsApplied = 0;
const snapshotLoads: SnapshotLoad[] = [];

/** Thrown when the origin cannot be reached or answers something the replica cannot use. */
class OriginError extends Error {
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

function organizationUrl(env: Env, path: string): string {
  const base = env.GRANTPATH_ORIGIN.replace(/\/+$/, "");
  return `${base}/v1/organizations/${encodeURIComponent(env.GRANTPATH_ORGANIZATION)}/${path}`;
}

async function originGet(env: Env, path: string): Promise<Response> {
  try {
    return await fetch(organizationUrl(env, path), {
      headers: { authorization: `Bearer ${env.GRANTPATH_TOKEN}`, accept: "application/json" },
    });
  } catch (error) {
    throw new OriginError("The origin could not be reached.", { reason: String(error) });
  }
}

/** The origin's error code, from its error envelope, when it sent one. */
async function originErrorCode(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = await response.json();
    if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
    const { error } = body;
    if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
    return typeof error.code === "string" ? error.code : undefined;
  } catch {
    return undefined;
  }
}

async function unexpected(response: Response, what: string): Promise<OriginError> {
  return new OriginError(`The origin refused to ${what}.`, {
    origin_status: response.status,
    origin_code: (await originErrorCode(response)) ?? null,
  });
}

/**
 * Loads the organization from the origin's snapshot. `minRevision` keeps a reload from going
 * back in time behind an origin with several instances.
 */
async function loadSnapshot(
  env: Env,
  reason: SnapshotLoad["reason"],
  minRevision: number,
): Promise<{ graph: AccessGraph; revision: number }> {
  const started = Date.now();
  const response = await originGet(env, `access/snapshot${minRevision > 0 ? `?min_revision=${minRevision}` : ""}`);
  if (!response.ok) throw await unexpected(response, "send its snapshot");
  const text = await response.text();
  const fetched = Date.now();
  let graph: AccessGraph;
  let snapshot: OrganizationSnapshot;
  let parsed: number;
  try {
    snapshot = JSON.parse(text) as OrganizationSnapshot;
    parsed = Date.now();
    graph = createGraph(snapshot.graph);
  } catch (error) {
    // Not the caller's fault: a snapshot that does not build is the origin's problem.
    const code = isAccessError(error) ? error.code : "INVALID_JSON";
    throw new OriginError("The origin's snapshot is not a graph the replica can build.", { code });
  }
  const built = Date.now();
  if (!Number.isSafeInteger(snapshot.revision)) {
    throw new OriginError("The origin's snapshot has no revision.", {});
  }
  snapshotLoads.push({
    reason,
    revision: snapshot.revision,
    bytes: text.length,
    fetch_ms: fetched - started,
    parse_ms: parsed - fetched,
    build_ms: built - parsed,
  });
  // Keep the record short: the first load and the latest few.
  if (snapshotLoads.length > 20) snapshotLoads.splice(1, 1);
  return { graph, revision: snapshot.revision };
}

/**
 * One catch-up: the snapshot when nothing is held, then every page of commits after the held
 * revision, applied with applyChanges. A trimmed log (410) or a page that does not apply sends it
 * back to the snapshot.
 */
async function pull(env: Env, from: Replica | undefined, number: number): Promise<Replica> {
  let snapshots = 0;
  const reload = async (reason: SnapshotLoad["reason"], atLeast: number) => {
    snapshots += 1;
    if (snapshots > MAX_SNAPSHOTS_PER_PULL) {
      throw new OriginError("The replica could not follow the origin's change log.", { reason });
    }
    return loadSnapshot(env, reason, atLeast);
  };
  let { graph, revision } = from ?? (await reload("start", 0));
  for (;;) {
    const response = await originGet(env, `access/changes?since=${revision}&limit=${CHANGES_PAGE_LIMIT}`);
    if (response.status === 410) {
      ({ graph, revision } = await reload("changes_expired", revision));
      continue;
    }
    if (!response.ok) throw await unexpected(response, "send its change log");
    const page = (await response.json().catch(() => {
      throw new OriginError("The origin's change log is not JSON.", {});
    })) as ChangePage;
    changePages += 1;
    try {
      // One applyChanges per page: the commits' changes in order are the page's changes.
      graph = applyChanges(
        graph,
        page.items.flatMap((commit) => commit.changes),
      );
    } catch (error) {
      if (!isAccessError(error)) throw error;
      ({ graph, revision } = await reload("apply_failed", revision));
      continue;
    }
    commitsApplied += page.items.length;
    revision = page.items.at(-1)?.revision ?? revision;
    if (!page.has_more) {
      return { graph, revision, originRevision: page.revision, pulledAt: Date.now(), pull: number };
    }
  }
}

function maxStalenessMs(env: Env): number {
  const given = Number(env.REPLICA_MAX_STALENESS_MS ?? DEFAULT_MAX_STALENESS_MS);
  return Number.isFinite(given) && given >= 0 ? given : DEFAULT_MAX_STALENESS_MS;
}

/**
 * The replica a request may be answered from. A request is satisfied by a held replica that is
 * recent enough (or made by a pull that started after it arrived, when it forces one) and at
 * least at its min_revision; otherwise it joins the catch-up in flight, or starts one.
 */
async function replicaFor(env: Env, context: WorkerContext, wanted: Freshness): Promise<Replica> {
  const arrivedAfterPull = pullsStarted;
  for (;;) {
    const held = replica;
    if (held && satisfies(held, wanted, arrivedAfterPull, maxStalenessMs(env))) return held;
    if (inFlight) {
      // Someone else's catch-up: its result is checked again above (a failure is not ours to report).
      await inFlight.catch(() => undefined);
      if (replica !== held) continue;
    }
    pullsStarted += 1;
    const running = pull(env, replica, pullsStarted);
    inFlight = running;
    // Other requests may be waiting on this catch-up: it must finish even if this request is cancelled.
    context.waitUntil(running.catch(() => undefined));
    try {
      const caughtUp = await running;
      if (!replica || caughtUp.revision >= replica.revision) replica = caughtUp;
      if (wanted.minRevision !== undefined && caughtUp.revision < wanted.minRevision) {
        throw new AccessError("VALIDATION_ERROR", {
          field: "min_revision",
          message: `min_revision ${wanted.minRevision} is beyond the organization's current revision ${caughtUp.originRevision}`,
          revision: caughtUp.originRevision,
        });
      }
      return caughtUp;
    } finally {
      if (inFlight === running) inFlight = undefined;
    }
  }
}

function satisfies(held: Replica, wanted: Freshness, arrivedAfterPull: number, maxStaleness: number): boolean {
  if (wanted.minRevision !== undefined && held.revision < wanted.minRevision) return false;
  if (wanted.force) return held.pull > arrivedAfterPull;
  return Date.now() - held.pulledAt <= maxStaleness;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function errorResponse(
  status: number,
  code: string,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
): Response {
  return json(status, {
    success: false,
    error: { code, message, status, details, trace_id: crypto.randomUUID(), timestamp: new Date().toISOString() },
  });
}

function freshnessOf(request: Request, query: URLSearchParams): Freshness {
  const given = query.get("min_revision");
  let minRevision: number | undefined;
  if (given !== null) {
    minRevision = /^\d{1,15}$/.test(given) ? Number(given) : Number.NaN;
    if (!Number.isSafeInteger(minRevision)) {
      throw new AccessError("VALIDATION_ERROR", {
        field: "min_revision",
        message: "min_revision must be a whole number of at least 0",
      });
    }
  }
  const force = /\bno-cache\b/i.test(request.headers.get("cache-control") ?? "");
  return { minRevision, force };
}

/** A query parameter the core validates (its errors name the same field); absent is undefined. */
function param(query: URLSearchParams, name: string): string | undefined {
  return query.get(name) ?? undefined;
}

function authorized(request: Request, env: Env): boolean {
  if (env.REPLICA_TOKEN === undefined || env.REPLICA_TOKEN === "") return true;
  return request.headers.get("authorization") === `Bearer ${env.REPLICA_TOKEN}`;
}

async function answer(request: Request, env: Env, context: WorkerContext): Promise<Response> {
  const url = new URL(request.url);
  const route = url.pathname;
  if (route !== "/resolve" && route !== "/check" && route !== "/status") {
    return errorResponse(404, "RESOURCE_NOT_FOUND", `No route ${route}: try /resolve, /check or /status.`);
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return errorResponse(405, "METHOD_NOT_ALLOWED", "Only GET is allowed.");
  }
  if (!authorized(request, env)) {
    return errorResponse(401, "AUTHENTICATION_REQUIRED", "Send Authorization: Bearer <REPLICA_TOKEN>.");
  }
  if (route === "/status") return json(200, status(env));

  const query = url.searchParams;
  const freshness = freshnessOf(request, query);
  const held = await replicaFor(env, context, freshness);
  const headers = { [REVISION_HEADER]: String(held.revision) };
  const userId = param(query, "user_id");
  const entityType = param(query, "entity_type") as EntityType | undefined;
  if (route === "/resolve") {
    return json(200, resolveAccess(held.graph, userId as string, { entityType }), headers);
  }
  const level = param(query, "level") as AccessLevel | undefined;
  const entityId = param(query, "entity_id") as string;
  return json(200, checkAccess(held.graph, userId as string, entityType as EntityType, entityId, { level }), headers);
}

function status(env: Env): Record<string, unknown> {
  return {
    organization_id: env.GRANTPATH_ORGANIZATION,
    revision: replica?.revision ?? null,
    origin_revision: replica?.originRevision ?? null,
    pulled_ms_ago: replica ? Date.now() - replica.pulledAt : null,
    max_staleness_ms: maxStalenessMs(env),
    pulls: pullsStarted,
    change_pages: changePages,
    commits_applied: commitsApplied,
    snapshot_loads: snapshotLoads,
  };
}

export default {
  async fetch(request: Request, env: Env, context: WorkerContext): Promise<Response> {
    try {
      return await answer(request, env, context);
    } catch (error) {
      if (isAccessError(error)) return errorResponse(error.status, error.code, error.message, error.details);
      if (error instanceof OriginError) {
        return errorResponse(503, "ORIGIN_UNAVAILABLE", error.message, error.details);
      }
      return errorResponse(500, "INTERNAL_ERROR", "The replica failed to answer.");
    }
  },
};
