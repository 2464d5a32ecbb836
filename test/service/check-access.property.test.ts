/**
 * docs/spec.md §4.6 and 9, as a property: for random organizations and random (user, entity,
 * level) triples asked at random instants by a random actor, the service's `checkAccess` and each
 * result of one `bulkCheckAccess` of all the triples agree with the brute-force reference
 * (`referenceCheck`, which shares no code with src/), and the actor is refused exactly when they
 * are neither the user, an owner, nor — by the reference, now — an admin of the entity.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AccessCheck, AccessError, createAccessControl, type GraphInput, memoryStorage } from "../../src/index.js";
import { manualClock } from "../../src/testing/test-kit.js";
import {
  arbAt,
  arbGraphInput,
  arbLevel,
  type EntityRef,
  ORG_ID,
  pickEntity,
  pickUser,
  REF_INSTANT,
} from "../support/arbitraries.js";
import { referenceCheck } from "../support/reference.js";

interface Triple {
  readonly user_id: string;
  readonly entity: EntityRef;
  readonly level: "read" | "write" | "admin" | undefined;
}

/** How a triple's user and entity are chosen: at random, from a grant (so it mostly reaches), or the actor. */
type Source = "random" | "grant" | "self";

const arbCase = arbGraphInput().chain((input) =>
  fc.record({
    input: fc.constant(input),
    actorPick: fc.nat(),
    // Often an owner, so most triples are answered rather than refused.
    actorIsOwner: fc.boolean(),
    triples: fc.array(
      fc.record({
        source: fc.constantFrom<Source>("random", "grant", "grant", "self"),
        user: fc.nat(),
        entity: fc.nat(),
        level: fc.option(arbLevel, { nil: undefined }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    at: fc.option(arbAt, { nil: undefined }),
  }),
);

/**
 * A user and entity near a grant of the input, so the triple often reaches: the grant's user
 * grantee, a holder of its role, or a user in some department (perhaps under the grant's); the
 * grant's entity, or a slice its composite contains.
 */
function fromGrant(input: GraphInput, n: number): { user_id: string; entity: EntityRef } | undefined {
  const grants = input.grants ?? [];
  const grant = grants[n % Math.max(grants.length, 1)];
  if (grant === undefined) return undefined;
  const members = (input.users ?? []).filter((user) =>
    grant.grantee_type === "department"
      ? (user.department_ids ?? []).length > 0
      : grant.grantee_type === "role" && (user.role_ids ?? []).includes(grant.grantee_id),
  );
  const user_id = grant.grantee_type === "user" ? grant.grantee_id : members[n % Math.max(members.length, 1)]?.id;
  if (user_id === undefined) return undefined;
  // The grant's own entity, or a slice it may reach through containment.
  const composite = (input.composites ?? []).find((c) => c.id === grant.entity_id);
  const member = composite?.member_slice_ids[Math.floor(n / 7) % Math.max(composite.member_slice_ids.length, 1)];
  const entity_id = member !== undefined && n % 2 === 0 ? member : grant.entity_id;
  return { user_id, entity: { entity_type: grant.entity_type, entity_id } };
}

/** What the service must answer: the reference's check, or a refusal. */
function expected(
  input: GraphInput,
  actor: string,
  triple: Triple,
  at: Date,
  now: Date,
): AccessCheck | "INSUFFICIENT_PERMISSIONS" {
  const { entity_type, entity_id } = triple.entity;
  const mayAsk =
    actor === triple.user_id ||
    (input.owners ?? []).includes(actor) ||
    referenceCheck(input, actor, entity_type, entity_id, { level: "admin", at: now }).allowed;
  if (!mayAsk) return "INSUFFICIENT_PERMISSIONS";
  return referenceCheck(input, triple.user_id, entity_type, entity_id, { level: triple.level, at });
}

describe("the service's checks agree with the brute-force reference", () => {
  it("checkAccess and every bulkCheckAccess result, for any organization, actor, triple and instant", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ input: generated, actorPick, actorIsOwner, triples: picks, at }) => {
        const now = new Date(REF_INSTANT);
        const picked = pickUser(generated, actorPick);
        const owners = generated.owners ?? [];
        // An owner actor is one of the owners, made one if the organization has none.
        const actor = actorIsOwner ? (owners[actorPick % Math.max(owners.length, 1)] ?? picked) : picked;
        const input =
          actorIsOwner && !owners.includes(actor) ? { ...generated, owners: [...owners, actor] } : generated;
        const triples: Triple[] = picks.map((pick) => {
          const random = { user_id: pickUser(input, pick.user), entity: pickEntity(input, pick.entity) };
          const chosen =
            pick.source === "self"
              ? { ...random, user_id: actor }
              : pick.source === "grant"
                ? (fromGrant(input, pick.user) ?? random)
                : random;
          return { ...chosen, level: pick.level };
        });
        const ac = createAccessControl({ storage: memoryStorage({ initial: [input] }), clock: manualClock(now).now });
        const when = at ?? now;
        const wanted = triples.map((triple) => expected(input, actor, triple, when, now));

        for (const [index, triple] of triples.entries()) {
          const want = wanted[index];
          const call = ac.checkAccess(
            ORG_ID,
            actor,
            triple.user_id,
            triple.entity.entity_type,
            triple.entity.entity_id,
            {
              level: triple.level,
              at,
            },
          );
          if (want === "INSUFFICIENT_PERMISSIONS") {
            const error = await call.then(
              () => undefined,
              (rejection: unknown) => rejection,
            );
            expect(error).toBeInstanceOf(AccessError);
            expect((error as AccessError).code).toBe("INSUFFICIENT_PERMISSIONS");
          } else {
            expect(await call).toStrictEqual(want);
          }
        }

        const { results } = await ac.bulkCheckAccess(ORG_ID, actor, {
          checks: triples.map((triple) => ({ user_id: triple.user_id, ...triple.entity, level: triple.level })),
          at,
        });
        expect(results).toHaveLength(triples.length);
        for (const [index, result] of results.entries()) {
          const want = wanted[index];
          if (want === "INSUFFICIENT_PERMISSIONS") {
            expect(result).toMatchObject({ error: { code: want, details: { index } } });
          } else {
            expect(result).toStrictEqual(want);
          }
        }
        await ac.close();
      }),
      { numRuns: 150 },
    );
  });
});
