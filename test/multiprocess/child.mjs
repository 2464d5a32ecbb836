// A forked child of the multiprocess tests: one grantpath service over SQLite or PostgreSQL,
// driven over IPC (instance.mjs). It imports the BUILT package by its name, as users do:
// `npm test` builds dist/ first.
import { checkAccess, createAccessControl } from "grantpath";
import { postgresStorage } from "grantpath/postgres";
import { sqliteStorage } from "grantpath/sqlite";
import { serveInstance } from "./instance.mjs";

serveInstance({
  createAccessControl,
  checkAccess,
  openStorage(spec) {
    if (spec.kind === "sqlite") return sqliteStorage({ filename: spec.filename });
    if (spec.kind === "postgres") {
      return postgresStorage({ connectionString: spec.connectionString, schema: spec.schema });
    }
    throw new Error(`child: a ${spec.kind} storage cannot be shared across processes`);
  },
});
