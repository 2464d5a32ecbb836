// The edge-worker proof: test/edge/worker.ts embeds the built package (memory storage) as a
// Cloudflare Worker; this bundles it the way a worker is deployed and runs it inside workerd,
// Cloudflare's runtime, through miniflare. `npm test` builds dist/ first (the `pretest` script);
// alone: `npm run build && npx vitest run test/edge`.
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
/**
 * The whole REST worker's budget: every route of docs/spec.md §6, §8, §9 and §11 over memory
 * storage, without the OpenAPI document (29.2 KiB measured; docs/edge.md says what is in it).
 */
const GZIP_LIMIT_BYTES = 30 * 1024;
/** Starting workerd takes a few seconds on a cold or busy machine. */
const WORKERD_TIMEOUT_MS = 120_000;
/** A fixed date no later than the bundled workerd's, and no `nodejs_compat` flag. */
const COMPATIBILITY_DATE = "2025-06-01";

const ORG = "http://worker.test/v1/organizations/org_xyz789";
const OWNER = { authorization: "Bearer owner-token" };
const USER = { authorization: "Bearer user-token" };
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

interface GrantPath {
  readonly type: string;
  readonly access_level: string;
  readonly department_id: string | null;
  readonly role_id: string | null;
  readonly composite_id: string | null;
  readonly grant_id: string;
}
interface ResolvedAccess {
  readonly user_id: string;
  readonly entities: readonly {
    readonly entity_type: string;
    readonly entity_id: string;
    readonly access_level: string;
    readonly grant_paths: readonly GrantPath[];
  }[];
}
interface ErrorEnvelope {
  readonly success: false;
  readonly error: { readonly trace_id: string; readonly timestamp: string } & Record<string, unknown>;
}

/** The worked example's resolved-access example (docs/spec.md §12), which omits `grant_id`. */
const SEED_RESOLVED_ACCESS = {
  user_id: "usr_def456",
  entities: [
    {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      access_level: "write",
      grant_paths: [
        { type: "direct", access_level: "read", department_id: null, role_id: null, composite_id: null },
        { type: "department", access_level: "write", department_id: "dept_eng01", role_id: null, composite_id: null },
      ],
    },
    {
      entity_type: "knowledge_slice",
      entity_id: "kslice_def456",
      access_level: "admin",
      grant_paths: [
        { type: "role", access_level: "admin", department_id: null, role_id: "role_admin01", composite_id: null },
      ],
    },
  ],
};

const SEED_CREATE_GRANT = {
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  grantee_type: "user",
  grantee_id: "usr_def456",
  access_level: "read",
};

/**
 * Bundles the worker into one self-contained, minified ES module with no defines at all: the
 * package must run unchanged in workerd, where there is no `process` (nothing in grantpath reads
 * `process.env`).
 */
async function bundleWorker(): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    entryPoints: [`${root}/test/edge/worker.ts`],
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    format: "esm",
    target: "es2022",
    minify: true,
    // Resolve "grantpath" as a user's bundler does, through the package's exports (dist), not
    // through this repository's tsconfig paths (which point the typechecker at src).
    tsconfigRaw: "{}",
    // Kept out of the bundle rather than failing the build, so the test can name any that appear.
    external: ["node:*"],
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error("esbuild produced no output");
  return { code, metafile: result.metafile };
}

/** Bundled bytes per package (grantpath's dist/, each node_modules package), largest first. */
function bytesByPackage(metafile: Metafile): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = path.startsWith("dist/")
        ? "grantpath"
        : (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path);
      totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...totals]
    .map(([name, bytes]) => ({ name, bytes }))
    .filter((entry) => entry.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Drops `grant_id` from every path, to compare with the worked example (which leaves it out). */
function withoutGrantIds(resolved: ResolvedAccess): unknown {
  return {
    ...resolved,
    entities: resolved.entities.map((entity) => ({
      ...entity,
      grant_paths: entity.grant_paths.map(({ grant_id: _grantId, ...path }) => path),
    })),
  };
}

describe("grantpath in an edge worker", () => {
  let code = "";
  let metafile: Metafile = { inputs: {}, outputs: {} };
  let mf: Miniflare | undefined;

  beforeAll(async () => {
    ({ code, metafile } = await bundleWorker());
    mf = new Miniflare({ modules: true, script: code, compatibilityDate: COMPATIBILITY_DATE });
    await mf.ready;
  }, WORKERD_TIMEOUT_MS);

  afterAll(async () => {
    await mf?.dispose();
  }, WORKERD_TIMEOUT_MS);

  function worker(): Miniflare {
    if (!mf) throw new Error("miniflare did not start");
    return mf;
  }

  it("bundles the built package into one module with no Node built-in", () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain("dist/index.js");
    expect(inputs.filter((path) => path.startsWith("src/"))).toEqual([]);

    const nodeImports = Object.values(metafile.inputs).flatMap((input) =>
      input.imports.filter((i) => i.path.startsWith("node:")).map((i) => i.path),
    );
    expect(nodeImports).toEqual([]);
    // Self-contained: the deployed module imports nothing at all.
    expect(Object.values(metafile.outputs).flatMap((output) => output.imports)).toEqual([]);
    expect(code).not.toMatch(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'`]node:/);
    // Nor any Node global: workerd (without nodejs_compat), Deno and browsers have no `process`.
    expect(code).not.toMatch(/\bprocess\s*\.\s*env\b/);
  });

  it("keeps the whole worker under 30 KiB gzipped", async ({ annotate }) => {
    const raw = Buffer.byteLength(code);
    const gzipped = gzipSync(code).byteLength;
    const parts = bytesByPackage(metafile)
      .map((entry) => `${entry.name} ${kib(entry.bytes)}`)
      .join(", ");
    const summary = `worker bundle: ${kib(raw)} minified (${parts}), ${kib(gzipped)} gzipped (${gzipped} B; limit ${GZIP_LIMIT_BYTES} B)`;
    console.log(summary);
    await annotate(summary, "bundle-size");
    expect(gzipped).toBeLessThan(GZIP_LIMIT_BYTES);
  });

  it(
    "creates a grant and resolves it inside workerd, keeping state between requests",
    async () => {
      const create = () =>
        worker().dispatchFetch(`${ORG}/access/grants`, {
          method: "POST",
          headers: { ...OWNER, "content-type": "application/json" },
          body: JSON.stringify(SEED_CREATE_GRANT),
        });

      const created = await create();
      expect(created.status).toBe(201);
      expect(created.headers.get("content-type")).toMatch(/^application\/json/);
      const grant = (await created.json()) as Record<string, unknown>;
      expect(grant).toEqual({
        id: expect.stringMatching(/^agrant_[A-Za-z0-9_-]+$/),
        ...SEED_CREATE_GRANT,
        granted_by: "usr_owner1",
        organization_id: "org_xyz789",
        created_at: expect.stringMatching(ISO_SECONDS),
        updated_at: grant.created_at,
      });

      // The same isolate answers the next request: the grant is there.
      const again = await create();
      expect(again.status).toBe(409);
      expect(((await again.json()) as ErrorEnvelope).error.code).toBe("RESOURCE_ALREADY_EXISTS");

      const resolved = await worker().dispatchFetch(
        `${ORG}/users/usr_def456/resolved-access?entity_type=knowledge_slice`,
        {
          headers: USER,
        },
      );
      expect(resolved.status).toBe(200);
      const body = (await resolved.json()) as ResolvedAccess;
      expect(withoutGrantIds(body)).toEqual(SEED_RESOLVED_ACCESS);
      expect(body.entities.map((entity) => entity.grant_paths.map((path) => path.grant_id))).toEqual([
        [grant.id, "agrant_eng01write"],
        ["agrant_admin01"],
      ]);
    },
    WORKERD_TIMEOUT_MS,
  );

  it(
    "answers errors with the worked example's envelope",
    async () => {
      const anonymous = await worker().dispatchFetch(`${ORG}/users/usr_def456/resolved-access`);
      expect(anonymous.status).toBe(401);
      const envelope = (await anonymous.json()) as ErrorEnvelope;
      expect(envelope).toEqual({
        success: false,
        error: {
          code: "AUTHENTICATION_REQUIRED",
          message: "Please log in to continue.",
          system_message: "Authentication required",
          type: "client_error",
          status: 401,
          details: {},
          trace_id: expect.any(String),
          timestamp: expect.stringMatching(ISO_SECONDS),
        },
      });
      expect(envelope.error.trace_id).not.toBe("");

      const invalid = await worker().dispatchFetch(`${ORG}/access/grants`, {
        method: "POST",
        headers: { ...OWNER, "content-type": "application/json" },
        body: JSON.stringify({ ...SEED_CREATE_GRANT, entity_type: "spreadsheet" }),
      });
      expect(invalid.status).toBe(422);
      const rejected = (await invalid.json()) as ErrorEnvelope;
      expect(rejected.error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "entity_type" } });
      expect(rejected.error.trace_id).not.toBe(envelope.error.trace_id);
    },
    WORKERD_TIMEOUT_MS,
  );
});
