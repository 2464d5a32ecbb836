// Following an organization's change feed, as a replica (an edge worker, a read model) would:
// start from a snapshot, apply each page of commits with applyChanges, and start again from a
// snapshot when the log was trimmed past what the replica holds.
//
//   npx tsx examples/follow-changes.ts
import {
  type AccessControl,
  type AccessGraph,
  applyChanges,
  checkAccess,
  createAccessControl,
  createGraph,
  isAccessError,
  memoryStorage,
} from "../src/index.js";

const ORG = "org_xyz789";
const OWNER = "usr_owner1";

/** A replica of one organization: its graph and the revision it reflects. */
interface Replica {
  graph: AccessGraph;
  revision: number;
}

async function fromSnapshot(accessControl: AccessControl): Promise<Replica> {
  const snapshot = await accessControl.snapshot(ORG, OWNER);
  return { graph: createGraph(snapshot.graph), revision: snapshot.revision };
}

/** Applies every commit after the replica's revision; a trimmed log means a fresh snapshot. */
async function catchUp(accessControl: AccessControl, replica: Replica): Promise<Replica> {
  let current = replica;
  for (;;) {
    let page: Awaited<ReturnType<AccessControl["changes"]>>;
    try {
      page = await accessControl.changes(ORG, OWNER, { since: current.revision, limit: 2 });
    } catch (error) {
      if (!isAccessError(error, "CHANGES_EXPIRED")) throw error;
      console.log(`the log starts at ${error.details.oldest_revision}: loading a snapshot again`);
      current = await fromSnapshot(accessControl);
      continue;
    }
    for (const commit of page.items) {
      current = { graph: applyChanges(current.graph, commit.changes), revision: commit.revision };
    }
    if (!page.has_more) return current;
  }
}

const storage = memoryStorage();
const accessControl = createAccessControl({ storage });
await accessControl.createOrganization(ORG, { owners: [OWNER] });
let replica = await fromSnapshot(accessControl);
console.log(`replica at revision ${replica.revision}`);

await accessControl.addDepartmentMember(ORG, OWNER, "usr_def456", "dept_eng01");
await accessControl.createGrant(ORG, OWNER, {
  entity_type: "knowledge_slice",
  entity_id: "kslice_abc123",
  grantee_type: "department",
  grantee_id: "dept_eng01",
  access_level: "write",
});
await accessControl.addRoleMember(ORG, OWNER, "usr_ghi789", "role_viewer01");
replica = await catchUp(accessControl, replica);
const check = checkAccess(replica.graph, "usr_def456", "knowledge_slice", "kslice_abc123", { level: "write" });
console.log(`replica at revision ${replica.revision}: usr_def456 may write kslice_abc123: ${check.allowed}`);

// Retention (or an operator) trims the log past the replica's revision.
const grant = await accessControl.createGrant(ORG, OWNER, {
  entity_type: "vector_store",
  entity_id: "vs_docs01",
  grantee_type: "role",
  grantee_id: "role_viewer01",
  access_level: "read",
});
await storage.trimChanges(ORG, (await accessControl.graph(ORG)).revision);
replica = await catchUp(accessControl, replica);
const viewer = checkAccess(replica.graph, "usr_ghi789", "vector_store", "vs_docs01");
console.log(
  `replica at revision ${replica.revision}: usr_ghi789 reads vs_docs01 through ${viewer.grant_paths[0]?.grant_id === grant.id ? "the role grant" : "nothing"}`,
);
