// A Cloudflare Worker serving grantpath's REST API from D1, as docs/storage-adapters.md shows it.
// test/storage/d1.test.ts bundles it from the sources and runs it inside workerd with a D1
// binding. Each request makes its own adapter and service: what they share is the database.
import { createAccessControl, createHttpHandler } from "../../src/index.js";
import { type D1DatabaseLike, d1Storage } from "../../src/storage/d1/index.js";

/** Bearer tokens → users. A real worker would verify a signed token. */
const TOKENS: ReadonlyMap<string, string> = new Map([
  ["owner-token", "usr_owner1"],
  ["user-token", "usr_def456"],
]);

/** The organization the database is seeded with, when it does not hold it yet. */
const INITIAL = [
  {
    organization_id: "org_xyz789",
    owners: ["usr_owner1"],
    users: [{ id: "usr_def456", department_ids: ["dept_eng01"], role_ids: [] }],
    grants: [
      {
        id: "agrant_eng01write",
        entity_type: "knowledge_slice" as const,
        entity_id: "kslice_abc123",
        grantee_type: "department" as const,
        grantee_id: "dept_eng01",
        access_level: "write" as const,
        created_at: "2025-06-15T10:00:01Z",
      },
    ],
  },
];

export default {
  fetch: (request: Request, env: { DB: D1DatabaseLike }) =>
    createHttpHandler(createAccessControl({ storage: d1Storage(env.DB, { initial: INITIAL }) }), {
      authenticate: (req) => {
        const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
        const user_id = token === undefined ? undefined : TOKENS.get(token);
        return user_id === undefined ? null : { user_id };
      },
    })(request),
};
