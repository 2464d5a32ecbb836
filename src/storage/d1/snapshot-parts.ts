/**
 * Stored snapshots within D1's limit of 2 MB per value: the text is cut into parts, the first
 * kept in `snapshots.data` (where the SQLite adapter keeps the whole text, so a database imported
 * from it reads as it is) and the others in `snapshot_parts`, all written in one batch.
 * @module
 */
import type { D1DatabaseLike, D1PreparedStatementLike } from "./d1-binding.js";

/** The most UTF-16 code units a part holds: at most 1.5 MB as UTF-8, under D1's 2 MB per value. */
export const SNAPSHOT_PART_LENGTH = 500_000;

/** `text` in parts of at most `length` code units, never cutting a surrogate pair in two. */
export function splitParts(text: string, length: number = SNAPSHOT_PART_LENGTH): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length || parts.length === 0) {
    let end = Math.min(text.length, start + length);
    const last = text.charCodeAt(end - 1);
    // A high surrogate ending the part would leave its low half for the next one.
    if (end < text.length && last >= 0xd800 && last <= 0xdbff && end - 1 > start) end -= 1;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

/**
 * The statements storing `text` as the organization's snapshot at `revision`. A snapshot never
 * moves backwards: one older than the stored one changes nothing; one of the same revision
 * replaces it, which mends a snapshot that could not be read.
 */
export function snapshotStatements(
  database: D1DatabaseLike,
  organizationId: string,
  revision: number,
  text: string,
): D1PreparedStatementLike[] {
  const [first = "", ...rest] = splitParts(text);
  /** True when the stored snapshot is now this one. */
  const isThisOne = "(SELECT revision FROM snapshots WHERE organization_id = ?1) = ?2";
  return [
    database
      .prepare(
        `INSERT INTO snapshots (organization_id, revision, data) VALUES (?1, ?2, ?3)
         ON CONFLICT (organization_id) DO UPDATE SET revision = excluded.revision, data = excluded.data
         WHERE excluded.revision >= snapshots.revision`,
      )
      .bind(organizationId, revision, first),
    database
      .prepare(`DELETE FROM snapshot_parts WHERE organization_id = ?1 AND ${isThisOne}`)
      .bind(organizationId, revision),
    ...rest.map((part, index) =>
      database
        .prepare(`INSERT INTO snapshot_parts (organization_id, part, data) SELECT ?1, ?3, ?4 WHERE ${isThisOne}`)
        .bind(organizationId, revision, index + 1, part),
    ),
  ];
}

/** The statement reading a snapshot's further parts, in order (inside the batch that reads `snapshots`). */
export function snapshotPartsStatement(database: D1DatabaseLike, organizationId: string): D1PreparedStatementLike {
  return database
    .prepare("SELECT data FROM snapshot_parts WHERE organization_id = ?1 ORDER BY part")
    .bind(organizationId);
}
