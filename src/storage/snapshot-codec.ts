/**
 * The SQL adapters' stored snapshots: an organization at one revision as one compact JSON text,
 * so a cold load reads one value and the few commits after it instead of a row per grant. (A
 * hundred thousand grant rows cost more to read than to build a graph from; one parse of their
 * compact text costs a fraction of it.) Grants are arrays in a fixed column order, and what
 * they repeat is written once.
 * @module
 */
import { storedDataInvalid, validationError } from "../core/errors.js";
import type { EntityType, GranteeType, GraphInput } from "../core/index.js";
import { expiresAtOf } from "./grant-records.js";
import { type OrganizationState, stateFromGraph } from "./organization-state.js";
import type { GrantRecord } from "./storage-adapter.js";

/** The format's version, the first field of every snapshot. */
const FORMAT = 1;

/**
 * A grant as a snapshot stores it: its ids, and indexes into the snapshot's string table for
 * what many grants repeat (the level, the author, timestamps from one bulk import), -1 for
 * `null`. Its organization is the snapshot's, and its types follow from its ids' prefixes.
 */
type GrantColumns = [
  id: string,
  entity_id: string,
  grantee_id: string,
  access_level: number,
  granted_by: number,
  created_at: number,
  updated_at: number,
  expires_at: number,
];

interface EncodedSnapshot {
  readonly format: number;
  readonly owners: readonly string[];
  readonly users: readonly [string, readonly string[], readonly string[]][];
  readonly departments: readonly [string, string | null][];
  readonly roles: readonly string[];
  readonly composites: readonly [string, readonly string[]][];
  /** The values grants refer to by index. */
  readonly strings: readonly string[];
  readonly grants: readonly GrantColumns[];
}

const ENTITY_PREFIXES: readonly (readonly [string, EntityType])[] = [
  ["kslice_", "knowledge_slice"],
  ["vs_", "vector_store"],
  ["asst_", "assistant"],
];
const GRANTEE_PREFIXES: readonly (readonly [string, GranteeType])[] = [
  ["usr_", "user"],
  ["dept_", "department"],
  ["role_", "role"],
];

function prefixType<T>(id: string, prefixes: readonly (readonly [string, T])[]): T | undefined {
  for (const [prefix, type] of prefixes) if (id.startsWith(prefix)) return type;
  return undefined;
}

function typeOf<T>(id: string, prefixes: readonly (readonly [string, T])[], organizationId: string): T {
  const type = prefixType(id, prefixes);
  if (type === undefined) {
    throw new Error(`grantpath: the stored snapshot of ${organizationId} holds an id of no known type: ${id}`);
  }
  return type;
}

/**
 * A snapshot leaves out the types that ids tell, so a grant whose stored type disagrees with its
 * id (a row edited by hand) cannot be written faithfully: that is `STORED_DATA_INVALID`, lest the
 * snapshot quietly mend what the rows still hold wrong.
 */
function checkTypesFollowIds(organizationId: string, grants: readonly GrantRecord[]): void {
  grants.forEach((grant, index) => {
    const entityType = prefixType(grant.entity_id, ENTITY_PREFIXES);
    const granteeType = prefixType(grant.grantee_id, GRANTEE_PREFIXES);
    const field =
      entityType !== grant.entity_type ? "entity_type" : granteeType !== grant.grantee_type ? "grantee_type" : null;
    if (field === null) return;
    const problem = validationError(`grants[${index}].${field}`, `${field} does not match the grant's id prefix`);
    throw storedDataInvalid(organizationId, problem, { stored_field: `grants[${grant.id}].${field}` });
  });
}

/**
 * The snapshot text of an organization's graph (its grants complete records, none revoked).
 * `STORED_DATA_INVALID` when a grant's types disagree with its ids.
 */
export function encodeSnapshot(graph: GraphInput): string {
  const grants = (graph.grants ?? []) as readonly GrantRecord[];
  checkTypesFollowIds(graph.organization_id, grants);
  const strings: string[] = [];
  const indexes = new Map<string, number>();
  const indexOf = (value: string | null | undefined): number => {
    if (value === null || value === undefined) return -1;
    let index = indexes.get(value);
    if (index === undefined) {
      index = strings.push(value) - 1;
      indexes.set(value, index);
    }
    return index;
  };
  const encoded: EncodedSnapshot = {
    format: FORMAT,
    owners: graph.owners ?? [],
    users: (graph.users ?? []).map((u) => [u.id, u.department_ids ?? [], u.role_ids ?? []]),
    departments: (graph.departments ?? []).map((d) => [d.id, d.parent_id ?? null]),
    roles: (graph.roles ?? []).map((r) => r.id),
    composites: (graph.composites ?? []).map((c) => [c.id, c.member_slice_ids]),
    strings,
    grants: grants.map((g) => [
      g.id,
      g.entity_id,
      g.grantee_id,
      indexOf(g.access_level),
      indexOf(g.granted_by),
      indexOf(g.created_at),
      indexOf(g.updated_at),
      indexOf(expiresAtOf(g)),
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
    !Array.isArray(decoded.strings) ||
    !Array.isArray(decoded.grants)
  ) {
    throw new Error(`grantpath: the stored snapshot of ${organizationId} is not in format ${FORMAT}`);
  }
  const strings = decoded.strings;
  const value = (index: number): string | null => {
    if (index === -1) return null;
    const found = strings[index];
    if (found === undefined) throw new Error(`grantpath: the stored snapshot of ${organizationId} is damaged`);
    return found;
  };
  const grants = decoded.grants.map(
    ([id, entity_id, grantee_id, access_level, granted_by, created_at, updated_at, expires_at]): GrantRecord => {
      const record = {
        id,
        entity_type: typeOf(entity_id, ENTITY_PREFIXES, organizationId),
        entity_id,
        grantee_type: typeOf(grantee_id, GRANTEE_PREFIXES, organizationId),
        grantee_id,
        access_level: value(access_level) as GrantRecord["access_level"],
        granted_by: value(granted_by),
        organization_id: organizationId,
        created_at: value(created_at) as string,
        updated_at: value(updated_at) as string,
      };
      const expires = value(expires_at);
      return expires === null ? record : { ...record, expires_at: expires };
    },
  );
  return stateFromGraph({
    organization_id: organizationId,
    owners: decoded.owners,
    users: decoded.users.map(([id, department_ids, role_ids]) => ({ id, department_ids, role_ids })),
    departments: decoded.departments.map(([id, parent_id]) => ({ id, parent_id })),
    roles: decoded.roles.map((id) => ({ id })),
    composites: decoded.composites.map(([id, member_slice_ids]) => ({ id, member_slice_ids })),
    grants,
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
