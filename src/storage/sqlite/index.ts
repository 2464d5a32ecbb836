/**
 * `grantpath/sqlite`: the SQLite storage adapter, on better-sqlite3 (an optional peer
 * dependency, loaded only by this entry).
 * @packageDocumentation
 */
export { type SqliteStorageOptions, sqliteStorage } from "./sqlite-storage.js";
