// The nearest grants that would allow a denied check (core/suggest-grants.ts, used by scenario
// failures and the matchers), against brute force: every suggestion, granted at the level,
// allows the check by the reference resolver (which shares no code with src/), and every
// (grantee, entity) pair of the organization whose grant would allow it is suggested.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { suggestGrants } from "../../src/core/suggest-grants.js";
import { type AccessLevel, createGraph, type GrantInput, type GraphInput } from "../../src/index.js";
import { arbGraphInput, arbLevel, pickEntity, pickUser, REF_INSTANT } from "../support/arbitraries.js";
import { referenceCheck } from "../support/reference.js";

const AT = new Date(REF_INSTANT);
const RANK: Record<AccessLevel, number> = { read: 0, write: 1, admin: 2 };

/** The input with one grant at `level` on the pair: a new grant, or the pair's grant raised to it. */
function withGrant(input: GraphInput, pair: Omit<GrantInput, "access_level" | "id">, level: AccessLevel): GraphInput {
  const grants = [...(input.grants ?? [])];
  const at = grants.findIndex((grant) => grant.entity_id === pair.entity_id && grant.grantee_id === pair.grantee_id);
  if (at < 0) grants.push({ ...pair, id: "agrant_suggested", access_level: level });
  else {
    const existing = grants[at] as GrantInput;
    const raised = RANK[existing.access_level] >= RANK[level] ? existing.access_level : level;
    grants[at] = { ...existing, access_level: raised, expires_at: null };
  }
  return { ...input, grants };
}

/** Every grantee and entity id the organization names: the candidates of brute force. */
function candidates(input: GraphInput, entityType: GrantInput["entity_type"]) {
  const grantees = new Map<string, GrantInput["grantee_type"]>();
  const entities = new Set<string>();
  for (const user of input.users ?? []) {
    grantees.set(user.id, "user");
    for (const id of user.department_ids ?? []) grantees.set(id, "department");
    for (const id of user.role_ids ?? []) grantees.set(id, "role");
  }
  for (const department of input.departments ?? []) grantees.set(department.id, "department");
  for (const role of input.roles ?? []) grantees.set(role.id, "role");
  for (const composite of input.composites ?? []) {
    if (entityType === "knowledge_slice") entities.add(composite.id);
    for (const id of composite.member_slice_ids) if (entityType === "knowledge_slice") entities.add(id);
  }
  for (const grant of input.grants ?? []) {
    grantees.set(grant.grantee_id, grant.grantee_type);
    if (grant.entity_type === entityType) entities.add(grant.entity_id);
  }
  return { grantees, entities };
}

describe("suggested grants", () => {
  it("each allows the denied check, and together they are every pair that would", () => {
    fc.assert(
      fc.property(arbGraphInput(), fc.nat(), fc.nat(), arbLevel, (input, userPick, entityPick, level) => {
        const user = pickUser(input, userPick);
        const { entity_type, entity_id } = pickEntity(input, entityPick);
        if (referenceCheck(input, user, entity_type, entity_id, { at: AT, level }).allowed) return;
        const suggested = suggestGrants(createGraph(input), user, entity_type, entity_id);
        const key = (pair: { grantee_id: string; entity_id: string }) => `${pair.grantee_id} ${pair.entity_id}`;
        for (const pair of suggested) {
          expect(
            referenceCheck(withGrant(input, pair, level), user, entity_type, entity_id, { at: AT, level }).allowed,
          ).toBe(true);
        }
        const { grantees, entities } = candidates(input, entity_type);
        grantees.set(user, "user");
        entities.add(entity_id);
        const allowing: string[] = [];
        for (const [grantee_id, grantee_type] of grantees) {
          for (const target of entities) {
            const pair = { entity_type, entity_id: target, grantee_type, grantee_id };
            if (
              referenceCheck(withGrant(input, pair, level), user, entity_type, entity_id, { at: AT, level }).allowed
            ) {
              allowing.push(key(pair));
            }
          }
        }
        expect(suggested.map(key).sort()).toEqual(allowing.sort());
      }),
      { numRuns: 300 },
    );
  });
});
