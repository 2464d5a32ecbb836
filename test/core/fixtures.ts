/**
 * Small builders shared by the core unit tests. Every expected value in the tests is written
 * out from docs/spec.md §1-§5; these helpers only save typing.
 */
import { expect } from "vitest";
import {
  AccessError,
  type AccessLevel,
  createGraph,
  type EntityType,
  type GranteeType,
  type GrantInput,
  type GrantPath,
  type GraphInput,
  graphToInput,
  type ResolvedAccess,
  type ResolvedEntity,
  resolveAccess,
} from "../../src/index.js";

/** The opaque graph type, whatever the implementation calls it. */
export type Graph = ReturnType<typeof createGraph>;

/** The organization every fixture graph belongs to. */
export const ORG = "org_test";

/** A fixed instant used wherever a test does not care about time. */
export const AT = new Date("2026-03-01T12:00:00Z");

/** Builds a graph of organization {@link ORG}. */
export function makeGraph(rest: Omit<GraphInput, "organization_id"> = {}): Graph {
  return createGraph({ organization_id: ORG, ...rest });
}

/** A grant input with an explicit id. */
export function grant(
  id: string,
  entity_type: EntityType,
  entity_id: string,
  grantee_type: GranteeType,
  grantee_id: string,
  access_level: AccessLevel,
  extra: Omit<GrantInput, "entity_type" | "entity_id" | "grantee_type" | "grantee_id" | "access_level" | "id"> = {},
): GrantInput {
  return { id, entity_type, entity_id, grantee_type, grantee_id, access_level, ...extra };
}

/** A knowledge-slice grant (the most common case in the tests). */
export function ks(
  id: string,
  entity_id: string,
  grantee_type: GranteeType,
  grantee_id: string,
  access_level: AccessLevel,
  extra: Omit<GrantInput, "entity_type" | "entity_id" | "grantee_type" | "grantee_id" | "access_level" | "id"> = {},
): GrantInput {
  return grant(id, "knowledge_slice", entity_id, grantee_type, grantee_id, access_level, extra);
}

/** Expected path builders, keys in the documented order. */
export function direct(access_level: AccessLevel, grant_id: string): GrantPath {
  return { type: "direct", access_level, department_id: null, role_id: null, composite_id: null, grant_id };
}
export function viaDept(access_level: AccessLevel, department_id: string, grant_id: string): GrantPath {
  return { type: "department", access_level, department_id, role_id: null, composite_id: null, grant_id };
}
export function viaRole(access_level: AccessLevel, role_id: string, grant_id: string): GrantPath {
  return { type: "role", access_level, department_id: null, role_id, composite_id: null, grant_id };
}
export function viaComposite(
  access_level: AccessLevel,
  composite_id: string,
  grant_id: string,
  from: { department_id?: string; role_id?: string } = {},
): GrantPath {
  return {
    type: "composite",
    access_level,
    department_id: from.department_id ?? null,
    role_id: from.role_id ?? null,
    composite_id,
    grant_id,
  };
}

/** An expected resolved entity, keys in the documented order. */
export function entity(
  entity_type: EntityType,
  entity_id: string,
  access_level: AccessLevel,
  grant_paths: GrantPath[],
): ResolvedEntity {
  return { entity_type, entity_id, access_level, grant_paths };
}

/** Shorthand for a knowledge-slice entity. */
export function ksEntity(entity_id: string, access_level: AccessLevel, grant_paths: GrantPath[]): ResolvedEntity {
  return entity("knowledge_slice", entity_id, access_level, grant_paths);
}

/** Runs `fn` and returns the AccessError it throws; fails the test when it throws nothing or something else. */
export function catchAccessError(fn: () => unknown): AccessError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error("expected an AccessError, but nothing was thrown");
  if (!(thrown instanceof AccessError)) {
    throw new Error(`expected an AccessError, got ${String(thrown)}`, { cause: thrown });
  }
  return thrown;
}

/** Asserts `fn` throws VALIDATION_ERROR (422) naming exactly `field`, with a message saying why. */
export function expectValidationError(fn: () => unknown, field: string): AccessError {
  const error = catchAccessError(fn);
  expect({ code: error.code, status: error.status, field: error.details.field }).toEqual({
    code: "VALIDATION_ERROR",
    status: 422,
    field,
  });
  expect(typeof error.details.message).toBe("string");
  expect(String(error.details.message).length).toBeGreaterThan(0);
  return error;
}

/** Asserts `fn` throws INVALID_GRAPH (422) whose details carry a `cycle` containing `members`. */
export function expectInvalidGraph(fn: () => unknown, members: readonly string[]): AccessError {
  const error = catchAccessError(fn);
  expect(error.code).toBe("INVALID_GRAPH");
  expect(error.status).toBe(422);
  const cycle = error.details.cycle;
  expect(Array.isArray(cycle)).toBe(true);
  expect(cycle).toEqual(expect.arrayContaining([...members]));
  expect(typeof error.details.message).toBe("string");
  return error;
}

/** Asserts `fn` throws the given code and status. */
export function expectCode(fn: () => unknown, code: string, status: number): AccessError {
  const error = catchAccessError(fn);
  expect({ code: error.code, status: error.status }).toEqual({ code, status });
  return error;
}

/** Everything observable about a graph for the given users, for "old graph unchanged" checks. */
export function observe(
  graph: Graph,
  users: readonly string[],
  at: Date = AT,
): { input: string; access: ResolvedAccess[] } {
  return {
    input: JSON.stringify(graphToInput(graph)),
    access: users.map((user) => resolveAccess(graph, user, { at })),
  };
}

/**
 * Asserts every object reachable from `root` through own data properties, Map entries and Set
 * values is frozen, and that a mutation attempt on each either throws or has no effect.
 */
export function expectDeepFrozen(root: unknown): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    expect(Object.isFrozen(value), `object reachable from the graph is not frozen: ${preview(value)}`).toBe(true);
    // A class instance's getters live on its prototype: that must be frozen too.
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== null && prototype !== Object.prototype && prototype !== Array.prototype) {
      if (!(value instanceof Map) && !(value instanceof Set)) {
        expect(Object.isFrozen(prototype), `prototype of ${preview(value)} is not frozen`).toBe(true);
      }
    }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && "value" in descriptor) stack.push(descriptor.value);
    }
    if (value instanceof Map) {
      const map: Map<unknown, unknown> = value;
      for (const [k, v] of map) stack.push(k, v);
      const probe = Symbol("probe");
      try {
        map.set(probe, 1);
      } catch {
        // throwing is fine
      }
      expect(map.has(probe), "a Map inside the graph accepted set()").toBe(false);
    }
    if (value instanceof Set) {
      const set: Set<unknown> = value;
      for (const v of set) stack.push(v);
      const probe = Symbol("probe");
      try {
        set.add(probe);
      } catch {
        // throwing is fine
      }
      expect(set.has(probe), "a Set inside the graph accepted add()").toBe(false);
    }
  }
}

function preview(value: object): string {
  try {
    return JSON.stringify(value).slice(0, 200);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Asserts that assigning a new property to `target` throws a TypeError (ESM test files run in strict mode). */
export function expectAssignmentThrows(target: object): void {
  expect(() => {
    (target as Record<string, unknown>).injected = 1;
  }).toThrow(TypeError);
  expect(Object.hasOwn(target, "injected")).toBe(false);
}

/** Passes a deliberately wrong value where the types forbid it (for validation tests). */
export function bad<T>(value: unknown): T {
  return value as T;
}
