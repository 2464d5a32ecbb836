/**
 * The same graph written in another order: every list of a {@link GraphInput} (owners, users,
 * each user's departments and roles, departments, roles, composites, each composite's members,
 * grants) permuted. docs/spec.md §4 (invariant 4): no answer may change.
 * @module
 */
import * as fc from "fast-check";
import type { GraphInput } from "../../core/types.js";

/** Reorders `items` by sort keys (stable), so random keys give a random permutation. */
function permute<T>(items: readonly T[], keys: readonly number[], offset: number): T[] {
  const key = (i: number) => keys[(i + offset) % Math.max(keys.length, 1)] ?? 0;
  return items
    .map((item, i) => ({ item, i, key: key(i) }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map((entry) => entry.item);
}

/**
 * `input` with every list permuted by sort keys: each list (and each user's and composite's own
 * lists) reads `keys` from its own offset, so one key array reorders them all differently. Keys
 * are reused cyclically; no key or an all-equal array leaves the order as it was. Keys that are
 * absent from the input stay absent.
 *
 * @example
 * ```ts
 * import { reorderGraphInput } from "grantpath/testing/fast-check";
 *
 * const reversed = reorderGraphInput(input, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
 * ```
 */
export function reorderGraphInput(input: GraphInput, keys: readonly number[]): GraphInput {
  return {
    organization_id: input.organization_id,
    ...(input.owners === undefined ? {} : { owners: permute(input.owners, keys, 1) }),
    ...(input.users === undefined
      ? {}
      : {
          users: permute(input.users, keys, 2).map((u, i) => ({
            ...u,
            ...(u.department_ids === undefined ? {} : { department_ids: permute(u.department_ids, keys, 3 + i) }),
            ...(u.role_ids === undefined ? {} : { role_ids: permute(u.role_ids, keys, 5 + i) }),
          })),
        }),
    ...(input.departments === undefined ? {} : { departments: permute(input.departments, keys, 7) }),
    ...(input.roles === undefined ? {} : { roles: permute(input.roles, keys, 11) }),
    ...(input.composites === undefined
      ? {}
      : {
          composites: permute(input.composites, keys, 13).map((c, i) => ({
            ...c,
            member_slice_ids: permute(c.member_slice_ids, keys, 17 + i),
          })),
        }),
    ...(input.grants === undefined ? {} : { grants: permute(input.grants, keys, 19) }),
  };
}

/**
 * Sort keys for {@link reorderGraphInput}: 64 of them, shrinking towards the input's own order.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { graphInputArbitrary, permutationKeysArbitrary, reorderGraphInput } from "grantpath/testing/fast-check";
 *
 * fc.assert(fc.property(graphInputArbitrary(), permutationKeysArbitrary(), (input, keys) => {
 *   const shuffled = reorderGraphInput(input, keys); // must answer exactly as input does
 * }));
 * ```
 */
export function permutationKeysArbitrary(): fc.Arbitrary<number[]> {
  return fc.array(fc.nat(1000), { minLength: 64, maxLength: 64 });
}
