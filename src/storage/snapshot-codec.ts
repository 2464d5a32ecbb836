/**
 * The SQL adapters' stored snapshots: an organization at one revision as one compact JSON text,
 * so a cold load reads one value and the few commits after it instead of a row per grant. (A
 * hundred thousand grant rows cost more to read than to build a graph from; one parse of their
 * compact text costs a fraction of it.) Grants are arrays in a fixed column order.
 * @module
 */
import type { EntityType, GranteeType, GraphInput } from "../core/index.js";
import { type OrganizationState, stateFromGraph } from "./organization-state.js";
import type { GrantRecord } from "./storage-adapter.js";

/** The format's version, the first field of every snapshot. */
const FORMAT = 1;

/** A grant as a snapshot stores it (its organization is the snapshot's). */
type GrantColumns = [
  id: string,
  entity_type: EntityType,
  entity_id: string,
  grantee_type: GranteeType,
  grantee_id: string,
  access_level: GrantRecord["access_level"],
  granted_by: string | null,
  created_at: string,
  updated_at: string,
  expires_at: string | null,
];

interface EncodedSnapshot {
  readonly format: number;
  readonly owners: readonly string[];
  readonly users: readonly [string, readonly string[], readonly string[]][];
  readonly departments: readonly [string, string | null][];
  readonly roles: readonly string[];
  readonly composites: readonly [string, readonly string[]][];
  readonly grants: readonly GrantColumns[];
}

/** The snapshot text of an organization's graph (its grants complete records, none revoked). */
export function encodeSnapshot(graph: GraphInput): string {
  const grants = (graph.grants ?? []) as readonly GrantRecord[];
  const encoded: EncodedSnapshot = {
    format: FORMAT,
    owners: graph.owners ?? [],
    users: (graph.users ?? []).map((u) => [u.id, u.department_ids ?? [], u.role_ids ?? []]),
    departments: (graph.departments ?? []).map((d) => [d.id, d.parent_id ?? null]),
    roles: (graph.roles ?? []).map((r) => r.id),
    composites: (graph.composites ?? []).map((c) => [c.id, c.member_slice_ids]),
    grants: grants.map((g) => [
      g.id,
      g.entity_type,
      g.entity_id,
      g.grantee_type,
      g.grantee_id,
      g.access_level,
      g.granted_by,
      g.created_at,
      g.updated_at,
      g.expires_at ?? null,
    ]),
  };
  return JSON.stringify(encoded);
}

/**
 * The state a snapshot text holds. Throws a plain `Error` when the text is not a snapshot of
 * this format: the adapter then loads the organization from its rows instead.
 */
export function decodeSnapshot(organizationId: string, text: string): OrganizationState {
  const decoded = JSON.parse(text) as Partial<EncodedSnapshot> | null;
  if (
    decoded === null ||
    typeof decoded !== "object" ||
    decoded.format !== FORMAT ||
    !Array.isArray(decoded.owners) ||
    !Array.isArray(decoded.users) ||
    !Array.isArray(decoded.departments) ||
    !Array.isArray(decoded.roles) ||
    !Array.isArray(decoded.composites) ||
    !Array.isArray(decoded.grants)
  ) {
    throw new Error(`grantpath: the stored snapshot of ${organizationId} is not in format ${FORMAT}`);
  }
  return stateFromGraph({
    organization_id: organizationId,
    owners: decoded.owners,
    users: decoded.users.map(([id, department_ids, role_ids]) => ({ id, department_ids, role_ids })),
    departments: decoded.departments.map(([id, parent_id]) => ({ id, parent_id })),
    roles: decoded.roles.map((id) => ({ id })),
    composites: decoded.composites.map(([id, member_slice_ids]) => ({ id, member_slice_ids })),
    grants: decoded.grants.map(
      ([
        id,
        entity_type,
        entity_id,
        grantee_type,
        grantee_id,
        access_level,
        granted_by,
        created_at,
        updated_at,
        expires_at,
      ]) =>
        expires_at === null
          ? {
              id,
              entity_type,
              entity_id,
              grantee_type,
              grantee_id,
              access_level,
              granted_by,
              organization_id: organizationId,
              created_at,
              updated_at,
            }
          : {
              id,
              entity_type,
              entity_id,
              grantee_type,
              grantee_id,
              access_level,
              granted_by,
              organization_id: organizationId,
              created_at,
              updated_at,
              expires_at,
            },
    ),
  });
}

/**
 * How many commits a snapshot may fall behind before a load writes a newer one: enough to make
 * writing rare, few enough that the commits applied on each load stay cheap, and always fewer
 * than a count retention keeps (a snapshot older than the log is useless).
 */
export function snapshotRefreshInterval(maxCommits: number | undefined): number {
  const interval = 1000;
  return maxCommits === undefined ? interval : Math.max(1, Math.min(interval, Math.floor(maxCommits / 2)));
}
