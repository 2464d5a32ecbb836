// Types of instance.mjs: the commands one service instance answers, for the harness and the bench.
import type { AccessControlOptions, checkAccess, createAccessControl, EntityType } from "../../src/index.js";
import type { StorageAdapter } from "../../src/storage/storage-adapter.js";

/** Where an instance's adapter keeps the data: what `openStorage` is given. */
export type StorageSpec =
  | { readonly kind: "sqlite"; readonly filename: string }
  | { readonly kind: "postgres"; readonly connectionString: string; readonly schema: string }
  | { readonly kind: "memory" };

/** What an instance needs from grantpath, passed in so one script runs the build or a bundle. */
export interface InstanceLibrary {
  readonly createAccessControl: (options: AccessControlOptions) => ReturnType<typeof createAccessControl>;
  readonly checkAccess: typeof checkAccess;
  readonly openStorage: (spec: StorageSpec) => StorageAdapter;
}

/** An error as plain data, with the wall time it happened. */
export interface ErrorReport {
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

/** A committed write: its revision, the wall time the writer heard of it, and its latency (ms). */
export interface CommitReport {
  readonly revision: number;
  readonly at: number;
  readonly ms: number;
}

/** A read: kind (0 resolveAccess, 1 graph + checkAccess), wall start, latency (ms), revision. */
export type ReadReport = readonly [kind: 0 | 1, start: number, ms: number, revision: number];

/** Each command's arguments and answer. */
export interface InstanceCommands {
  open: {
    args: { readonly storage: StorageSpec; readonly organizationId: string };
    result: { readonly revision: number; readonly loadMs: number };
  };
  write: {
    args: {
      readonly organizationId: string;
      readonly actorId: string;
      readonly granteeId: string;
      readonly entityPrefix: string;
      readonly startAt: number;
      readonly until: number;
      readonly intervalMs: number;
    };
    result: {
      readonly commits: CommitReport[];
      readonly errors: ErrorReport[];
      readonly lastEntityId: string | null;
    };
  };
  read: {
    args: {
      readonly organizationId: string;
      readonly userIds: readonly string[];
      readonly probe: { readonly entity_type: EntityType; readonly entity_id: string };
      readonly startAt: number;
    };
    result: {
      readonly reads: ReadReport[];
      readonly errors: ErrorReport[];
      readonly sawRevision: number | null;
      readonly sawEntity: boolean | null;
    };
  };
  stopReading: {
    args: {
      readonly deadline: number;
      readonly revision?: number;
      readonly entityId?: string;
      readonly granteeId?: string;
    };
    result: null;
  };
  count: {
    args: { readonly organizationId: string; readonly actorId: string };
    result: { readonly total: number; readonly revision: number };
  };
  close: { args: undefined; result: null };
}

export type InstanceCommandName = keyof InstanceCommands;

/** An instance in this process: each command as an async function. */
export type Instance = {
  readonly [C in InstanceCommandName]: (args: InstanceCommands[C]["args"]) => Promise<InstanceCommands[C]["result"]>;
};

export function describeError(error: unknown): ErrorReport;
export function createInstance(library: InstanceLibrary): Instance;
export function serveInstance(library: InstanceLibrary): void;
