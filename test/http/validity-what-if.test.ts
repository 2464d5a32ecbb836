// docs/spec.md §11 over the service and HTTP: include=validity, Cache-Control that never
// outlives an expiry, explanations on denied checks, and what-if that stores nothing and
// refuses exactly what the real write would.
import { describe, expect, it } from "vitest";
import SEED from "../../examples/seed-graph.json" with { type: "json" };
import { createAccessControl, createHttpHandler, type GraphInput, memoryStorage } from "../../src/index.js";
import { manualClock } from "../../src/testing/index.js";

const ORG = "/v1/organizations/org_xyz789";
const START = "2098-12-31T23:58:29.500Z"; // 90.5 s before agrant_store01 expires

function setup(options: { cacheMaxAgeSeconds?: number } = {}) {
  const clock = manualClock(START);
  const accessControl = createAccessControl({
    storage: memoryStorage({ initial: [SEED as GraphInput] }),
    clock: clock.now,
  });
  const users: Record<string, string> = { owner: "usr_owner1", def: "usr_def456", ghi: "usr_ghi789" };
  const handler = createHttpHandler(accessControl, {
    authenticate: (request) => {
      const who = request.headers.get("x-user");
      return who && users[who] ? { user_id: users[who] as string } : null;
    },
    clock: clock.now,
    ...options,
  });
  const ask = (path: string, who = "owner", body?: unknown) =>
    handler(
      new Request(`http://x${ORG}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "x-user": who, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
  return { accessControl, ask, clock };
}

describe("include=validity", () => {
  it("adds expires_at, valid_until and next_change_at, and only when asked", async () => {
    const { ask } = setup();
    const plain = await (await ask("/users/usr_ghi789/resolved-access?entity_type=vector_store")).json();
    expect(JSON.stringify(plain)).not.toMatch(/expires_at|valid_until|next_change_at/);
    const valid = await (
      await ask("/users/usr_ghi789/resolved-access?entity_type=vector_store&include=validity")
    ).json();
    expect(valid).toMatchObject({
      entities: [
        {
          entity_id: "vs_docs01",
          valid_until: "2099-01-01T00:00:00.000Z",
          grant_paths: [{ grant_id: "agrant_store01", expires_at: "2099-01-01T00:00:00.000Z" }],
        },
      ],
      next_change_at: "2099-01-01T00:00:00.000Z",
    });
    const who = await (
      await ask("/access/users-with-access?entity_type=vector_store&entity_id=vs_docs01&include=validity")
    ).json();
    expect(who).toMatchObject({ users: [{ user_id: "usr_ghi789", valid_until: "2099-01-01T00:00:00.000Z" }] });
    const check = await (
      await ask("/access/check?include=validity", "owner", {
        user_id: "usr_def456",
        entity_type: "knowledge_slice",
        entity_id: "kslice_abc123",
      })
    ).json();
    expect(check).toMatchObject({ allowed: true, valid_until: null, next_change_at: null });
    const bad = await ask("/users/usr_ghi789/resolved-access?include=everything");
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.details.field).toBe("include");
  });
});

describe("Cache-Control", () => {
  it("is private, bounded by cacheMaxAgeSeconds and never past the next expiry", async () => {
    const { ask, clock } = setup({ cacheMaxAgeSeconds: 300 });
    const expiring = await ask("/users/usr_ghi789/resolved-access");
    expect(expiring.headers.get("cache-control")).toBe("private, max-age=90");
    const lasting = await ask("/users/usr_def456/resolved-access?entity_type=assistant");
    expect(lasting.headers.get("cache-control")).toBe("private, max-age=300");
    const check = await ask("/access/check", "owner", {
      user_id: "usr_ghi789",
      entity_type: "vector_store",
      entity_id: "vs_docs01",
    });
    expect(check.headers.get("cache-control")).toBe("private, max-age=90");
    clock.advance(90_000); // 0.5 s before the expiry
    expect((await ask("/users/usr_ghi789/resolved-access")).headers.get("cache-control")).toBe("private, max-age=0");
    expect((await ask("/access/grants")).headers.get("cache-control")).toBeNull();
  });

  it("is max-age=0 by default: a revoke is seen at once", async () => {
    const { ask } = setup();
    expect((await ask("/users/usr_def456/resolved-access")).headers.get("cache-control")).toBe("private, max-age=0");
  });
});

describe("explanations", () => {
  it("a denied check with explain lists the nearest grants that would allow it", async () => {
    const { ask } = setup();
    const denied = await (
      await ask("/access/check", "owner", {
        user_id: "usr_ghi789",
        entity_type: "knowledge_slice",
        entity_id: "kslice_def456",
        level: "admin",
        explain: true,
      })
    ).json();
    expect(denied.allowed).toBe(false);
    expect(denied.suggestions.slice(0, 2)).toEqual([
      { grantee_type: "user", grantee_id: "usr_ghi789", entity_type: "knowledge_slice", entity_id: "kslice_def456" },
      {
        grantee_type: "department",
        grantee_id: "dept_backend01",
        entity_type: "knowledge_slice",
        entity_id: "kslice_def456",
      },
    ]);
    const allowed = await (
      await ask("/access/check", "owner", {
        user_id: "usr_def456",
        entity_type: "knowledge_slice",
        entity_id: "kslice_def456",
        explain: true,
      })
    ).json();
    expect(allowed).not.toHaveProperty("suggestions");
    const bulk = await (
      await ask("/access/check/bulk", "owner", {
        explain: true,
        checks: [{ user_id: "usr_ghi789", entity_type: "assistant", entity_id: "asst_x" }],
      })
    ).json();
    expect(bulk.results[0].suggestions).toEqual([
      { grantee_type: "user", grantee_id: "usr_ghi789", entity_type: "assistant", entity_id: "asst_x" },
      { grantee_type: "department", grantee_id: "dept_backend01", entity_type: "assistant", entity_id: "asst_x" },
      { grantee_type: "department", grantee_id: "dept_eng01", entity_type: "assistant", entity_id: "asst_x" },
    ]);
    const wrong = await ask("/access/check", "owner", {
      user_id: "usr_ghi789",
      entity_type: "assistant",
      entity_id: "asst_x",
      explain: "yes",
    });
    expect(wrong.status).toBe(422);
  });
});

describe("POST /access/what-if", () => {
  it("answers the access the writes would change, and stores nothing", async () => {
    const { ask, accessControl } = setup();
    const before = await (await ask("/users/usr_ghi789/resolved-access")).text();
    const revision = (await ask("/access/grants")).headers.get("grantpath-revision");
    const response = await ask("/access/what-if", "owner", {
      changes: [
        { op: "update_grant", grant_id: "agrant_eng01write", access_level: "read" },
        {
          op: "create_grant",
          grant: {
            entity_type: "assistant",
            entity_id: "asst_new",
            grantee_type: "user",
            grantee_id: "usr_ghi789",
            access_level: "admin",
          },
        },
        { op: "set_user_roles", user_id: "usr_def456", role_ids: [] },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      revision: Number(revision),
      changes: [
        {
          user_id: "usr_def456",
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          before: "write",
          after: "read",
        },
        {
          user_id: "usr_def456",
          entity_type: "knowledge_slice",
          entity_id: "kslice_def456",
          before: "admin",
          after: null,
        },
        { user_id: "usr_ghi789", entity_type: "assistant", entity_id: "asst_new", before: null, after: "admin" },
        {
          user_id: "usr_ghi789",
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          before: "write",
          after: "read",
        },
      ],
    });
    expect(await (await ask("/users/usr_ghi789/resolved-access")).text()).toBe(before);
    expect((await ask("/access/grants")).headers.get("grantpath-revision")).toBe(revision);
    expect(
      (
        await accessControl.whatIf("org_xyz789", "usr_owner1", {
          changes: [{ op: "revoke_grant", grant_id: "agrant_admin01" }],
        })
      ).changes,
    ).toHaveLength(1);
  });

  it("refuses what the real write refuses, with the same error and the change's index", async () => {
    const { ask } = setup();
    const duplicate = {
      entity_type: "knowledge_slice",
      entity_id: "kslice_abc123",
      grantee_type: "department",
      grantee_id: "dept_eng01",
      access_level: "read",
    };
    const real = await ask("/access/grants", "owner", duplicate);
    const tried = await ask("/access/what-if", "owner", {
      changes: [
        { op: "revoke_grant", grant_id: "agrant_admin01" },
        { op: "create_grant", grant: duplicate },
      ],
    });
    const realError = (await real.json()).error;
    const triedError = (await tried.json()).error;
    expect(tried.status).toBe(real.status);
    expect(triedError.code).toBe(realError.code);
    expect(triedError.details).toEqual({ ...realError.details, index: 1 });
    const unknown = await ask("/access/what-if", "owner", { changes: [{ op: "delete_everything" }] });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error.details).toMatchObject({ field: "op", index: 0 });
    expect(
      (await ask("/access/what-if", "def", { changes: [{ op: "revoke_grant", grant_id: "agrant_admin01" }] })).status,
    ).toBe(403);
    expect((await ask("/access/what-if", "owner", { changes: [] })).status).toBe(422);
  });
});
