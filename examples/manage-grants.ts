// The grant-management service on the embedded memory storage: an owner sets up a
// department, grants it access, a department admin delegates, and everyone's access resolves.
// Run with `npx tsx examples/manage-grants.ts`.
import { AccessError, createAccessControl, memoryStorage } from "../src/index.js";

const org = "org_xyz789";
const owner = "usr_owner1";
const accessControl = createAccessControl({ storage: memoryStorage() });

await accessControl.createOrganization(org, { owners: [owner] });
await accessControl.createDepartment(org, owner, { id: "dept_eng01", parent_id: null });
await accessControl.createDepartment(org, owner, { id: "dept_backend01", parent_id: "dept_eng01" });
await accessControl.addDepartmentMember(org, owner, "usr_def456", "dept_backend01");
await accessControl.addRoleMember(org, owner, "usr_lead1", "role_admin01");

// Engineering (and so every sub-department) may read the slice; the admin role may manage it.
await accessControl.bulkCreateGrants(org, owner, {
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  grants: [
    { grantee_type: "department", grantee_id: "dept_eng01", access_level: "read" },
    { grantee_type: "role", grantee_id: "role_admin01", access_level: "admin" },
  ],
});

// The role admin may now grant that slice, but not anything else.
const delegated = await accessControl.createGrant(org, "usr_lead1", {
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  grantee_type: "user",
  grantee_id: "usr_def456",
  access_level: "write",
});
console.log("usr_lead1 granted", delegated.id, "with granted_by", delegated.granted_by);

try {
  await accessControl.createGrant(org, "usr_lead1", {
    entity_type: "vector_store",
    entity_id: "vs_docs01",
    grantee_type: "user",
    grantee_id: "usr_def456",
    access_level: "read",
  });
} catch (error) {
  if (!(error instanceof AccessError)) throw error;
  console.log("usr_lead1 on vs_docs01:", error.status, error.code);
}

const resolved = await accessControl.resolveAccess(org, "usr_def456", "usr_def456");
console.log(JSON.stringify(resolved, null, 2));

const page = await accessControl.listSliceGrants(org, owner, "kslice_abc123", { limit: 2 });
console.log(`slice grants: ${page.items.length} of ${page.total}, has_more: ${page.has_more}`);

await accessControl.revokeGrant(org, owner, delegated.id);
const revoked = await accessControl.getGrant(org, owner, delegated.id);
console.log("revoked at", revoked.revoked_at);
await accessControl.close();
