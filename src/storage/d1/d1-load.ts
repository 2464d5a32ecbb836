/**
 * Reading an organization from D1, each read one batch (one consistent state): from its stored
 * snapshot and the commits after it when the log still reaches back to the snapshot, otherwise
 * from its rows.
 * @module
 */
import type { GraphInput } from "../../core/index.js";
import { applyStoredChange, stateToGraph } from "../organization-state.js";
import { decodeSnapshot } from "../snapshot-codec.js";
import { GRANT_COLUMNS, type GrantRow, graphFromRows } from "../sql-rows.js";
import type { Commit, StorageChange } from "../storage-adapter.js";
import type { D1DatabaseLike, D1ResultLike } from "./d1-binding.js";
import { snapshotPartsStatement } from "./snapshot-parts.js";

/** A loaded organization, and how many commits its stored snapshot was behind (∞: none was used). */
export interface LoadedOrganization {
  readonly revision: number;
  readonly graph: GraphInput;
  readonly behind: number;
}

/** A logged commit as D1 answers it. */
export interface ChangeRow {
  readonly revision: number;
  readonly committed_at: string;
  readonly changes: string;
}

/** A logged commit, its changes parsed afresh (callers may keep or change them). */
export function toCommit(row: ChangeRow): Commit {
  return {
    revision: row.revision,
    committed_at: row.committed_at,
    changes: JSON.parse(row.changes) as StorageChange[],
  };
}

/** The rows of one statement of a batch (D1 answers every statement with its own result). */
export function rowsOf<T>(results: readonly D1ResultLike<unknown>[], index: number): T[] {
  return (results[index]?.results ?? []) as T[];
}

/**
 * The organization from its stored snapshot and the commits after it; `undefined` when there is
 * no usable snapshot (none yet, older than the log, or unreadable: reported), `null` when the
 * organization does not exist.
 */
export async function loadFromSnapshot(
  database: D1DatabaseLike,
  organizationId: string,
): Promise<LoadedOrganization | null | undefined> {
  const results = await database.batch([
    database.prepare("SELECT version, log_start FROM organizations WHERE id = ?1").bind(organizationId),
    database.prepare("SELECT revision, data FROM snapshots WHERE organization_id = ?1").bind(organizationId),
    snapshotPartsStatement(database, organizationId),
    database
      .prepare(
        `SELECT revision, committed_at, changes FROM changes WHERE organization_id = ?1
         AND revision > (SELECT revision FROM snapshots WHERE organization_id = ?1) ORDER BY revision`,
      )
      .bind(organizationId),
  ]);
  const organization = rowsOf<{ version: number; log_start: number }>(results, 0)[0];
  if (!organization) return null;
  const stored = rowsOf<{ revision: number; data: string }>(results, 1)[0];
  const { version, log_start } = organization;
  if (!stored || stored.revision < log_start || stored.revision > version) return undefined;
  const tail = rowsOf<ChangeRow>(results, 3);
  try {
    const text =
      stored.data +
      rowsOf<{ data: string }>(results, 2)
        .map((part) => part.data)
        .join("");
    const state = decodeSnapshot(organizationId, text);
    let revision = stored.revision;
    for (const row of tail) {
      if (row.revision !== revision + 1) throw new Error(`the log jumps from revision ${revision} to ${row.revision}`);
      for (const change of toCommit(row).changes) applyStoredChange(state, change);
      revision = row.revision;
    }
    if (revision !== version) throw new Error(`the log ends at revision ${revision}, not ${version}`);
    return { revision: version, graph: stateToGraph(organizationId, state), behind: version - stored.revision };
  } catch (error) {
    // The rows still hold the organization; the snapshot is written anew after loading them.
    console.error(`grantpath: the d1 snapshot of ${organizationId} could not be read; loading its rows`, error);
    return undefined;
  }
}

/** The organization from its rows; `null` when it does not exist. */
export async function loadFromRows(
  database: D1DatabaseLike,
  organizationId: string,
): Promise<LoadedOrganization | null> {
  const by = (sql: string) => database.prepare(sql).bind(organizationId);
  const results = await database.batch([
    by("SELECT version, owners FROM organizations WHERE id = ?1"),
    by("SELECT id, department_ids, role_ids FROM users WHERE organization_id = ?1 ORDER BY id"),
    by("SELECT id, parent_id FROM departments WHERE organization_id = ?1 ORDER BY id"),
    by("SELECT id FROM roles WHERE organization_id = ?1 ORDER BY id"),
    by("SELECT id, member_slice_ids FROM composites WHERE organization_id = ?1 ORDER BY id"),
    by(
      `SELECT ${GRANT_COLUMNS.join(", ")} FROM grants WHERE organization_id = ?1 AND revoked_at IS NULL
       ORDER BY created_at COLLATE BINARY, id COLLATE BINARY`,
    ),
  ]);
  const organization = rowsOf<{ version: number; owners: string }>(results, 0)[0];
  if (!organization) return null;
  const graph = graphFromRows(organizationId, {
    owners: organization.owners,
    users: rowsOf(results, 1),
    departments: rowsOf(results, 2),
    roles: rowsOf(results, 3),
    composites: rowsOf(results, 4),
    grants: rowsOf<GrantRow>(results, 5),
  });
  return { revision: organization.version, graph, behind: Number.POSITIVE_INFINITY };
}
