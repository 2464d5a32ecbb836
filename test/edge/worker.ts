// A Cloudflare Worker that embeds grantpath with memory storage. test/edge/workerd.test.ts
// bundles it (resolving "grantpath" to the built dist/index.js) and runs it inside workerd.
//
// Everything at module scope lives as long as the isolate: grants created by one request are
// seen by the next request that reaches the same isolate, and are lost when it is evicted.
import { createAccessControl, createHttpHandler, memoryStorage } from "grantpath";

/**
 * The worked example's organization (docs/spec.md §12), before the worked example's create-grant request: after that request,
 * the worked example's resolved-access request answers exactly the worked example. Ids and timestamps
 * are given so the seed is the same in every isolate (workerd forbids random values at global
 * scope; grant ids generated later, inside requests, use `crypto.getRandomValues`).
 */
const storage = memoryStorage({
  initial: [
    {
      organization_id: "org_xyz789",
      owners: ["usr_owner1"],
      users: [{ id: "usr_def456", department_ids: ["dept_eng01"], role_ids: ["role_admin01"] }],
      grants: [
        {
          id: "agrant_eng01write",
          entity_type: "knowledge_slice",
          entity_id: "kslice_abc123",
          grantee_type: "department",
          grantee_id: "dept_eng01",
          access_level: "write",
          granted_by: "usr_owner1",
          created_at: "2025-06-15T10:00:01Z",
          updated_at: "2025-06-15T10:00:01Z",
        },
        {
          id: "agrant_admin01",
          entity_type: "knowledge_slice",
          entity_id: "kslice_def456",
          grantee_type: "role",
          grantee_id: "role_admin01",
          access_level: "admin",
          granted_by: "usr_owner1",
          created_at: "2025-06-15T10:00:02Z",
          updated_at: "2025-06-15T10:00:02Z",
        },
      ],
    },
  ],
});

/** Bearer tokens → users. A real worker would verify a signed token or ask its identity provider. */
const TOKENS: ReadonlyMap<string, string> = new Map([
  ["owner-token", "usr_owner1"],
  ["user-token", "usr_def456"],
]);

const handler = createHttpHandler(createAccessControl({ storage }), {
  authenticate: (request) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
    const user_id = match?.[1] === undefined ? undefined : TOKENS.get(match[1]);
    return user_id === undefined ? null : { user_id };
  },
});

export default { fetch: handler };
