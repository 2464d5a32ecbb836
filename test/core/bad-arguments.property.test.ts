/**
 * Every public function of the core throws only AccessError for bad input — never a
 * raw TypeError — whatever a JavaScript caller passes: primitives, symbols, big integers,
 * functions, Sets and Maps where lists are expected, objects of the wrong shape, invalid Dates.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AccessError,
  addGrant,
  applyChanges,
  checkAccess,
  compareAccessLevels,
  createDepartment,
  createGraph,
  expireGrant,
  findGrant,
  getComposite,
  getDepartment,
  getGrant,
  getUser,
  graphSize,
  graphToInput,
  isOwner,
  levelSatisfies,
  moveDepartment,
  removeDepartment,
  resolveAccess,
  revokeGrant,
  setCompositeMembers,
  setOwners,
  setUserDepartments,
  setUserRoles,
  updateGrantLevel,
  usersWithAccess,
} from "../../src/index.js";

const graph = createGraph({
  organization_id: "org_1",
  owners: ["usr_owner"],
  users: [{ id: "usr_1", department_ids: ["dept_a"], role_ids: ["role_r"] }],
  departments: [{ id: "dept_a", parent_id: null }],
  composites: [{ id: "kslice_c", member_slice_ids: ["kslice_m"] }],
  grants: [
    {
      id: "agrant_1",
      entity_type: "knowledge_slice",
      entity_id: "kslice_c",
      grantee_type: "user",
      grantee_id: "usr_1",
      access_level: "read",
    },
  ],
});

/** Anything a caller might pass, ill-typed values of every kind among plausible ones. */
const arbArgument: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
  }),
  fc.constantFrom(
    new Set(["usr_1"]),
    new Map([["id", "usr_1"]]),
    Symbol("x"),
    () => "usr_1",
    new Date(Number.NaN),
    Object.create(null),
    [null],
    { id: "usr_1", department_ids: new Set(["dept_a"]) },
    {
      entity_type: "assistant",
      entity_id: "asst_1",
      grantee_type: "user",
      grantee_id: "usr_1",
      access_level: ["admin"],
    },
    "usr_1",
    "agrant_1",
    "dept_a",
    "kslice_c",
    "read",
  ),
);

/** Every public function, called with the arguments given (the graph first where it takes one). */
const CALLS: Readonly<Record<string, (a: unknown, b: unknown, c: unknown, d: unknown) => unknown>> = {
  createGraph: (a, b) => createGraph(a as never, b as never),
  resolveAccess: (a, b) => resolveAccess(graph, a as never, b as never),
  checkAccess: (a, b, c, d) => checkAccess(graph, a as never, b as never, c as never, d as never),
  usersWithAccess: (a, b, c) => usersWithAccess(graph, a as never, b as never, c as never),
  addGrant: (a) => addGrant(graph, a as never),
  updateGrantLevel: (a, b, c) => updateGrantLevel(graph, a as never, b as never, c as never),
  revokeGrant: (a) => revokeGrant(graph, a as never),
  expireGrant: (a, b) => expireGrant(graph, a as never, b as never),
  setUserDepartments: (a, b) => setUserDepartments(graph, a as never, b as never),
  setUserRoles: (a, b) => setUserRoles(graph, a as never, b as never),
  createDepartment: (a) => createDepartment(graph, a as never),
  moveDepartment: (a, b) => moveDepartment(graph, a as never, b as never),
  removeDepartment: (a) => removeDepartment(graph, a as never),
  setCompositeMembers: (a, b) => setCompositeMembers(graph, a as never, b as never),
  setOwners: (a) => setOwners(graph, a as never),
  applyChanges: (a) => applyChanges(graph, a as never),
  applyChangesOf: (a) => applyChanges(graph, [a as never]),
  graphToInput: (a) => graphToInput(a as never),
  graphSize: (a) => graphSize(a as never),
  isOwner: (a) => isOwner(graph, a as never),
  getGrant: (a) => getGrant(graph, a as never),
  getUser: (a) => getUser(graph, a as never),
  getDepartment: (a) => getDepartment(graph, a as never),
  getComposite: (a) => getComposite(graph, a as never),
  findGrant: (a, b) => findGrant(graph, a as never, b as never),
  compareAccessLevels: (a, b) => compareAccessLevels(a as never, b as never),
  levelSatisfies: (a, b) => levelSatisfies(a as never, b as never),
};

describe("bad arguments", () => {
  it.each(Object.keys(CALLS))("%s throws only AccessError, whatever it is given", (name) => {
    const call = CALLS[name] as (a: unknown, b: unknown, c: unknown, d: unknown) => unknown;
    fc.assert(
      fc.property(arbArgument, arbArgument, arbArgument, arbArgument, (a, b, c, d) => {
        try {
          call(a, b, c, d);
        } catch (error) {
          if (!(error instanceof AccessError)) {
            throw new Error(`${name} threw ${String(error)} for ${fc.stringify([a, b, c, d])}`, { cause: error });
          }
          expect(["VALIDATION_ERROR", "RESOURCE_NOT_FOUND", "INVALID_GRAPH", "RESOURCE_ALREADY_EXISTS"]).toContain(
            error.code,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
