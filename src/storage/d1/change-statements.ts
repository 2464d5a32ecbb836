/**
 * A batch of storage changes as a few D1 statements. Consecutive changes of one kind become one
 * statement over a JSON array of rows (`json_each`), taken in array order, so a commit of a
 * hundred grants is a handful of statements, not a hundred: D1 counts every statement of a
 * batch against a Worker's queries, and each statement is bound to at most 100 values. The rows
 * are written in the order given, so the unique index on active pairs holds at every step.
 * @module
 */
import type { GraphInput } from "../../core/index.js";
import { grantRowValues } from "../sql-rows.js";
import type { GrantRecord, StorageChange } from "../storage-adapter.js";
import type { D1DatabaseLike, D1PreparedStatementLike } from "./d1-binding.js";

/** The most rows one statement carries (its JSON stays far below D1's 2 MB per value). */
const ROWS_PER_STATEMENT = 1000;

/** `?2`'s JSON array of rows, in array order; `WHERE true` lets an upsert follow the SELECT. */
const ROWS = "FROM json_each(?2) WHERE true ORDER BY key";
const at = (index: number) => `json_extract(value, '$[${index}]')`;

/** The grant columns after `organization_id`, as `grantRowValues` gives them. */
const GRANT_COLUMNS_AFTER_ORGANIZATION = [
  "id",
  "entity_type",
  "entity_id",
  "grantee_type",
  "grantee_id",
  "access_level",
  "granted_by",
  "created_at",
  "updated_at",
  "expires_at",
  "revoked_at",
] as const;

/** One statement per kind of row, each given `?1` the organization and `?2` the rows. */
const SQL = {
  putGrants: `INSERT INTO grants (organization_id, ${GRANT_COLUMNS_AFTER_ORGANIZATION.join(", ")})
    SELECT ?1, ${GRANT_COLUMNS_AFTER_ORGANIZATION.map((_, index) => at(index)).join(", ")} ${ROWS}
    ON CONFLICT (organization_id, id) DO UPDATE SET ${GRANT_COLUMNS_AFTER_ORGANIZATION.slice(1)
      .map((column) => `${column} = excluded.${column}`)
      .join(", ")}`,
  putUsers: `INSERT INTO users (organization_id, id, department_ids, role_ids)
    SELECT ?1, ${at(0)}, ${at(1)}, ${at(2)} ${ROWS}
    ON CONFLICT (organization_id, id) DO UPDATE SET department_ids = excluded.department_ids, role_ids = excluded.role_ids`,
  putDepartments: `INSERT INTO departments (organization_id, id, parent_id)
    SELECT ?1, ${at(0)}, ${at(1)} ${ROWS}
    ON CONFLICT (organization_id, id) DO UPDATE SET parent_id = excluded.parent_id`,
  deleteDepartments: "DELETE FROM departments WHERE organization_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
  putComposites: `INSERT INTO composites (organization_id, id, member_slice_ids)
    SELECT ?1, ${at(0)}, ${at(1)} ${ROWS}
    ON CONFLICT (organization_id, id) DO UPDATE SET member_slice_ids = excluded.member_slice_ids`,
  putRoles: `INSERT OR IGNORE INTO roles (organization_id, id) SELECT ?1, value ${ROWS}`,
  setOwners: "UPDATE organizations SET owners = ?2 WHERE id = ?1",
} as const;

type RowKind = Exclude<keyof typeof SQL, "setOwners">;

/** A grant's row values after its organization. */
function grantRow(organizationId: string, grant: GrantRecord): (string | null)[] {
  return grantRowValues(organizationId, grant).slice(1);
}

/** The row kind and row of a change that writes a row; `null` for the organization's own. */
function rowOf(organizationId: string, change: StorageChange): [RowKind, unknown] | null {
  switch (change.type) {
    case "put_grant":
      return ["putGrants", grantRow(organizationId, change.grant)];
    case "put_user":
      return [
        "putUsers",
        [change.user.id, JSON.stringify([...change.user.department_ids]), JSON.stringify([...change.user.role_ids])],
      ];
    case "put_department":
      return ["putDepartments", [change.department.id, change.department.parent_id]];
    case "delete_department":
      return ["deleteDepartments", change.department_id];
    case "put_composite":
      return ["putComposites", [change.composite.id, JSON.stringify([...change.composite.member_slice_ids])]];
    default:
      return null;
  }
}

/** Statements writing `rows` of one kind, at most {@link ROWS_PER_STATEMENT} rows each. */
function rowStatements(
  database: D1DatabaseLike,
  organizationId: string,
  kind: RowKind,
  rows: readonly unknown[],
): D1PreparedStatementLike[] {
  const statements: D1PreparedStatementLike[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    statements.push(database.prepare(SQL[kind]).bind(organizationId, JSON.stringify(chunk)));
  }
  return statements;
}

/**
 * The statements applying `changes` in order (checked already, `create_organization` left out:
 * the commit's revision guard creates the organization's row). Consecutive changes of one kind
 * share a statement.
 */
export function changeStatements(
  database: D1DatabaseLike,
  organizationId: string,
  changes: readonly StorageChange[],
): D1PreparedStatementLike[] {
  const statements: D1PreparedStatementLike[] = [];
  let kind: RowKind | null = null;
  let rows: unknown[] = [];
  const flush = () => {
    if (kind !== null) statements.push(...rowStatements(database, organizationId, kind, rows));
    kind = null;
    rows = [];
  };
  for (const change of changes) {
    if (change.type === "create_organization") continue;
    if (change.type === "set_owners") {
      flush();
      statements.push(database.prepare(SQL.setOwners).bind(organizationId, JSON.stringify([...change.owners])));
      continue;
    }
    const row = rowOf(organizationId, change);
    if (row === null) continue;
    if (row[0] !== kind) {
      flush();
      kind = row[0];
    }
    rows.push(row[1]);
  }
  flush();
  return statements;
}

/** The statements writing a seeded organization's directory and grants (its row written already). */
export function seedStatements(
  database: D1DatabaseLike,
  graph: GraphInput,
  grants: readonly GrantRecord[],
): D1PreparedStatementLike[] {
  const id = graph.organization_id;
  return [
    ...rowStatements(
      database,
      id,
      "putUsers",
      (graph.users ?? []).map((user) => [
        user.id,
        JSON.stringify(user.department_ids ?? []),
        JSON.stringify(user.role_ids ?? []),
      ]),
    ),
    ...rowStatements(
      database,
      id,
      "putDepartments",
      (graph.departments ?? []).map((department) => [department.id, department.parent_id ?? null]),
    ),
    ...rowStatements(
      database,
      id,
      "putRoles",
      (graph.roles ?? []).map((role) => role.id),
    ),
    ...rowStatements(
      database,
      id,
      "putComposites",
      (graph.composites ?? []).map((composite) => [composite.id, JSON.stringify(composite.member_slice_ids)]),
    ),
    ...rowStatements(
      database,
      id,
      "putGrants",
      grants.map((grant) => grantRow(id, grant)),
    ),
  ];
}
