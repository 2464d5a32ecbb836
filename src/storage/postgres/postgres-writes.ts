/**
 * Writing to the PostgreSQL tables: one batch of changes inside a commit's transaction, and a
 * seeded organization. Grants go in as arrays (`unnest`), so a thousand-grant bulk write or a
 * hundred-thousand-grant seed is a handful of statements, not one round trip per row.
 * @module
 */
import type pg from "pg";
import type { GraphInput } from "../../core/index.js";
import { revokedAtOf } from "../grant-records.js";
import { encodeSnapshot } from "../snapshot-codec.js";
import { GRANT_COLUMNS, grantRowValues } from "../sql-rows.js";
import type { GrantRecord, StorageChange } from "../storage-adapter.js";
import { timedQuery } from "./postgres-query.js";

/** Rows per statement when grants go in as arrays: large enough to amortize, small enough to stream. */
const GRANTS_PER_STATEMENT = 20_000;

/** The statements of one schema. */
export interface PostgresWrites {
  /** Applies a checked batch, in order, on a client inside a transaction. */
  applyBatch(client: pg.ClientBase, organizationId: string, changes: readonly StorageChange[]): Promise<void>;
  /**
   * Stores a seeded organization at revision 1 (rows and snapshot) with its log starting after it, unless it exists;
   * returns whether it stored it. Runs inside the caller's transaction.
   */
  seedOrganization(client: pg.ClientBase, graph: GraphInput, grants: readonly GrantRecord[]): Promise<boolean>;
}

/** The write statements for the (already quoted) schema `s`, each with the client-side deadline. */
export function postgresWrites(s: string, queryTimeoutMs: number): PostgresWrites {
  const run = (client: pg.ClientBase, text: string, values: unknown[]) =>
    timedQuery(client, queryTimeoutMs, text, values);
  const grantColumns = GRANT_COLUMNS.join(", ");
  // Column i + 1 of the grant row comes from array parameter $(i + 2); $1 is the organization.
  const grantArrays = GRANT_COLUMNS.slice(1)
    .map((_, i) => `$${i + 2}::text[]`)
    .join(", ");
  const grantUpdates = GRANT_COLUMNS.filter((c) => c !== "organization_id" && c !== "id")
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(", ");
  const upsertGrants = `INSERT INTO ${s}.grants (${grantColumns})
    SELECT $1, * FROM unnest(${grantArrays})
    ON CONFLICT (organization_id, id) DO UPDATE SET ${grantUpdates}`;

  /** Upserts grants whose ids are distinct, revoked ones first so the active-pair index never sees two. */
  async function upsertDistinct(client: pg.ClientBase, organizationId: string, grants: readonly GrantRecord[]) {
    const ordered = [
      ...grants.filter((grant) => revokedAtOf(grant) !== undefined),
      ...grants.filter((grant) => revokedAtOf(grant) === undefined),
    ];
    for (let start = 0; start < ordered.length; start += GRANTS_PER_STATEMENT) {
      const chunk = ordered.slice(start, start + GRANTS_PER_STATEMENT);
      const columns: (string | null)[][] = GRANT_COLUMNS.slice(1).map(() => []);
      for (const grant of chunk) {
        const values = grantRowValues(organizationId, grant);
        for (let column = 1; column < values.length; column++) {
          (columns[column - 1] as (string | null)[]).push(values[column] as string | null);
        }
      }
      await run(client, upsertGrants, [organizationId, ...columns]);
    }
  }

  /** Upserts a run of grants in order: a grant id seen twice starts a new statement. */
  async function putGrants(client: pg.ClientBase, organizationId: string, grants: readonly GrantRecord[]) {
    let segment: GrantRecord[] = [];
    let ids = new Set<string>();
    for (const grant of grants) {
      if (ids.has(grant.id)) {
        await upsertDistinct(client, organizationId, segment);
        segment = [];
        ids = new Set();
      }
      segment.push(grant);
      ids.add(grant.id);
    }
    if (segment.length > 0) await upsertDistinct(client, organizationId, segment);
  }

  async function applyOne(client: pg.ClientBase, organizationId: string, change: StorageChange): Promise<void> {
    switch (change.type) {
      case "create_organization":
      case "set_owners":
        await run(client, `UPDATE ${s}.organizations SET owners = $2 WHERE id = $1`, [
          organizationId,
          JSON.stringify(change.owners),
        ]);
        return;
      case "put_grant":
        await putGrants(client, organizationId, [change.grant]);
        return;
      case "put_user":
        await run(
          client,
          `INSERT INTO ${s}.users (organization_id, id, department_ids, role_ids) VALUES ($1, $2, $3, $4)
           ON CONFLICT (organization_id, id) DO UPDATE SET department_ids = EXCLUDED.department_ids, role_ids = EXCLUDED.role_ids`,
          [
            organizationId,
            change.user.id,
            JSON.stringify(change.user.department_ids),
            JSON.stringify(change.user.role_ids),
          ],
        );
        return;
      case "put_department":
        await run(
          client,
          `INSERT INTO ${s}.departments (organization_id, id, parent_id) VALUES ($1, $2, $3)
           ON CONFLICT (organization_id, id) DO UPDATE SET parent_id = EXCLUDED.parent_id`,
          [organizationId, change.department.id, change.department.parent_id],
        );
        return;
      case "delete_department":
        await run(client, `DELETE FROM ${s}.departments WHERE organization_id = $1 AND id = $2`, [
          organizationId,
          change.department_id,
        ]);
        return;
      case "put_composite":
        await run(
          client,
          `INSERT INTO ${s}.composites (organization_id, id, member_slice_ids) VALUES ($1, $2, $3)
           ON CONFLICT (organization_id, id) DO UPDATE SET member_slice_ids = EXCLUDED.member_slice_ids`,
          [organizationId, change.composite.id, JSON.stringify(change.composite.member_slice_ids)],
        );
        return;
    }
  }

  return {
    async applyBatch(client, organizationId, changes) {
      // Runs of grants (a bulk create, say) go in as arrays; everything else one statement each.
      let run: GrantRecord[] = [];
      for (const change of changes) {
        if (change.type === "put_grant") {
          run.push(change.grant);
          continue;
        }
        if (run.length > 0) await putGrants(client, organizationId, run);
        run = [];
        await applyOne(client, organizationId, change);
      }
      if (run.length > 0) await putGrants(client, organizationId, run);
    },

    async seedOrganization(client, graph, grants) {
      const id = graph.organization_id;
      const inserted = await run(
        client,
        `INSERT INTO ${s}.organizations (id, version, owners, log_start) VALUES ($1, 1, $2, 1)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, JSON.stringify(graph.owners ?? [])],
      );
      if (inserted.rowCount === 0) return false;
      const users = graph.users ?? [];
      await run(
        client,
        `INSERT INTO ${s}.users (organization_id, id, department_ids, role_ids)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])`,
        [
          id,
          users.map((user) => user.id),
          users.map((user) => JSON.stringify(user.department_ids ?? [])),
          users.map((user) => JSON.stringify(user.role_ids ?? [])),
        ],
      );
      const departments = graph.departments ?? [];
      await run(
        client,
        `INSERT INTO ${s}.departments (organization_id, id, parent_id) SELECT $1, * FROM unnest($2::text[], $3::text[])`,
        [id, departments.map((d) => d.id), departments.map((d) => d.parent_id ?? null)],
      );
      await run(client, `INSERT INTO ${s}.roles (organization_id, id) SELECT $1, * FROM unnest($2::text[])`, [
        id,
        (graph.roles ?? []).map((role) => role.id),
      ]);
      const composites = graph.composites ?? [];
      await run(
        client,
        `INSERT INTO ${s}.composites (organization_id, id, member_slice_ids) SELECT $1, * FROM unnest($2::text[], $3::text[])`,
        [id, composites.map((c) => c.id), composites.map((c) => JSON.stringify(c.member_slice_ids))],
      );
      await upsertDistinct(client, id, grants);
      await run(client, `INSERT INTO ${s}.snapshots (organization_id, revision, data) VALUES ($1, 1, $2)`, [
        id,
        encodeSnapshot({ ...graph, grants }),
      ]);
      return true;
    },
  };
}
