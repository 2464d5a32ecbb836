/**
 * What every group of conformance cases shares: the fixture a case gets, the names it uses, and
 * small helpers for expecting errors, waiting for notifications and comparing snapshots.
 * @module
 */
import { expect } from "vitest";
import type { AccessLevel, EntityType, ErrorCode, GranteeType, GraphInput, ResolvedAccess } from "../../core/index.js";
import type { AccessControl, BulkCreateGrantsInput, CreateGrantInput } from "../../service/index.js";
import type { GrantRecord, StorageAdapter } from "../../storage/storage-adapter.js";
import type { ManualClock } from "../test-kit.js";

/** What one case works with: its own adapter, clock and services. */
export interface Fixture {
  readonly adapter: StorageAdapter;
  /** Starts at 2025-06-15T10:00:00Z; shared by every service of the case. */
  readonly clock: ManualClock;
  /** A service over the adapter with the case's clock and ids `agrant_test0001`, … */
  readonly ac: AccessControl;
  /** Another service over the same adapter (closed after the case). */
  service(options?: { readonly ids?: () => string; readonly maxAttempts?: number }): AccessControl;
}

/** An optional adapter method that some cases need. */
export type Capability = "watch" | "commitLatest";

export const T0 = "2025-06-15T10:00:00Z";
export const ORG = "org_conformance_a";
export const ORG_B = "org_conformance_b";
export const OWNER = "usr_owner1";
export const OWNER_B = "usr_owner2";
export const ALICE = "usr_alice";
export const BOB = "usr_bob";
export const CAROL = "usr_carol";
export const STRANGER = "usr_stranger";
export const SLICE = "kslice_abc123";
export const SLICE_2 = "kslice_def456";
export const STORE = "vs_store01";
export const ASSISTANT = "asst_helper01";
export const ENG = "dept_eng01";
export const BACKEND = "dept_backend01";
export const PLATFORM = "dept_platform01";
export const OPS = "role_ops01";
export const HANDBOOK = "kslice_handbook01";
export const POLICIES = "kslice_policies01";
export const BENEFITS = "kslice_benefits01";
export const HOUR = 3_600_000;

/** The keys of a grant record without `expires_at` and `revoked_at`, sorted. */
export const GRANT_KEYS = [
  "access_level",
  "created_at",
  "entity_id",
  "entity_type",
  "granted_by",
  "grantee_id",
  "grantee_type",
  "id",
  "organization_id",
  "updated_at",
];

export interface Entity {
  readonly entity_type: EntityType;
  readonly entity_id: string;
}

export const slice = (id: string): Entity => ({ entity_type: "knowledge_slice", entity_id: id });
export const store = (id: string): Entity => ({ entity_type: "vector_store", entity_id: id });
export const assistant = (id: string): Entity => ({ entity_type: "assistant", entity_id: id });

export function granteeType(id: string): GranteeType {
  if (id.startsWith("dept_")) return "department";
  if (id.startsWith("role_")) return "role";
  return "user";
}

/** A create-grant body for a grantee (its type read from its prefix) on an entity. */
export function grantTo(grantee: string, level: AccessLevel = "read", entity: Entity = slice(SLICE)): CreateGrantInput {
  return { ...entity, grantee_type: granteeType(grantee), grantee_id: grantee, access_level: level };
}

/** One item of a bulk create body. */
export function bulkItem(grantee: string, level: AccessLevel = "read"): BulkCreateGrantsInput["grants"][number] {
  return { grantee_type: granteeType(grantee), grantee_id: grantee, access_level: level };
}

/** Passes a deliberately ill-typed value where a typed one is expected (to test validation). */
export function loose<T>(value: unknown): T {
  return value as T;
}

/** A wire timestamp `minutes` after T0. */
export function at(minutes: number): string {
  return `${new Date(Date.parse(T0) + minutes * 60_000).toISOString().slice(0, 19)}Z`;
}

/** Grant ids handed out in the order given. */
export function idsFrom(...ids: string[]): () => string {
  let next = 0;
  return () => {
    const id = ids[next++];
    if (id === undefined) throw new Error("conformance: ran out of grant ids");
    return id;
  };
}

/** A complete stored grant record, for adapter-level commits. */
export function record(id: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    entity_type: "knowledge_slice",
    entity_id: SLICE,
    grantee_type: "user",
    grantee_id: ALICE,
    access_level: "read",
    granted_by: OWNER,
    organization_id: ORG,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

export interface ErrorLike {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly system_message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Whether a thrown value is an AccessError. Checked by shape rather than `instanceof`, so an
 * adapter built against another copy of the library (a CJS/ESM pair) is judged fairly.
 */
export function asAccessError(error: unknown): ErrorLike | null {
  if (!(error instanceof Error) || error.name !== "AccessError") return null;
  const fields = error as Error & Partial<Record<keyof ErrorLike, unknown>>;
  if (typeof fields.code !== "string" || typeof fields.details !== "object" || fields.details === null) return null;
  return fields as unknown as ErrorLike;
}

/** Runs `action`, expects it to fail with an AccessError of `code` (and these details), returns the error. */
export async function expectAccessError(
  action: () => unknown,
  code: ErrorCode,
  details?: Readonly<Record<string, unknown>>,
): Promise<ErrorLike> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error(`expected an AccessError ${code}, but the call succeeded`);
  const error = asAccessError(thrown);
  if (!error) throw new Error(`expected an AccessError ${code}, got ${String(thrown)}`, { cause: thrown });
  expect({ code: error.code, details: error.details }).toMatchObject({ code, details: details ?? {} });
  return error;
}

/**
 * Retries a check until it passes or `timeoutMs` elapses: adapters may announce changes after
 * `commit` resolves (a database notification arrives a moment later), within a second.
 */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Tries to change a value in place, everywhere inside it; frozen parts refuse (and throw), which is fine. */
export function tamper(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) tamper(item);
    attempt(() => value.push("tampered"));
    attempt(() => value.reverse());
    return;
  }
  const target = value as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    tamper(target[key]);
    attempt(() => {
      target[key] = typeof target[key] === "number" ? -1 : "tampered";
    });
  }
  attempt(() => {
    target.tampered = true;
  });
}

export function attempt(action: () => unknown): void {
  try {
    action();
  } catch {
    // A frozen value refuses the change: exactly what a safe adapter may do.
  }
}

/** A plain JSON copy, to compare later reads with. */
export function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The grant ids of a page, in order. */
export function ids(page: { readonly items: readonly GrantRecord[] }): string[] {
  return page.items.map((grant) => grant.id);
}

/** The entity ids of a resolved access answer, in order. */
export function entityIds(access: ResolvedAccess): string[] {
  return access.entities.map((entity) => entity.entity_id);
}

export async function revisionOf(adapter: StorageAdapter, organizationId: string): Promise<number | null> {
  return (await adapter.loadOrganization(organizationId))?.revision ?? null;
}

export async function snapshotOf(adapter: StorageAdapter, organizationId: string): Promise<GraphInput> {
  const snapshot = await adapter.loadOrganization(organizationId);
  if (!snapshot) throw new Error(`conformance: ${organizationId} is not stored`);
  return snapshot.graph;
}

/** A snapshot's graph with every list present and sorted, so two adapters' answers compare equal. */
export function canonical(graph: GraphInput): GraphInput {
  const byId = <T extends { readonly id?: string | undefined }>(items: readonly T[] | undefined): T[] =>
    [...(items ?? [])].sort((a, b) => ((a.id ?? "") < (b.id ?? "") ? -1 : 1));
  return {
    organization_id: graph.organization_id,
    owners: [...(graph.owners ?? [])].sort(),
    users: byId(graph.users).map((u) => ({
      id: u.id,
      department_ids: [...(u.department_ids ?? [])].sort(),
      role_ids: [...(u.role_ids ?? [])].sort(),
    })),
    departments: byId(graph.departments).map((d) => ({ id: d.id, parent_id: d.parent_id ?? null })),
    composites: byId(graph.composites).map((c) => ({ id: c.id, member_slice_ids: [...c.member_slice_ids].sort() })),
    grants: byId(graph.grants),
  };
}

/** How a group of cases registers itself with the suite. */
export interface ConformanceSuite {
  /** Registers one case; it is skipped (with the reason) when named in `skip` or missing a capability. */
  conformance(title: string, body: (f: Fixture) => Promise<void>, needs?: readonly Capability[]): void;
  /** Creates the organization with its owners (default: OWNER), through the given service. */
  organization(ac: AccessControl, organizationId?: string, owners?: readonly string[]): Promise<GraphInput>;
}
