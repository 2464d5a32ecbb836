/**
 * The oracle of the property tests, now shipped as `grantpath/testing`'s reference resolver
 * (src/testing/reference-resolver.ts): a deliberately naive resolver over a plain
 * GraphInput that shares no code with the library. Re-exported here so the tests keep their
 * imports.
 */
export {
  compareNullable,
  comparePaths,
  containedSlices,
  isActive,
  isWithin,
  levelRank,
  type ReferenceResolveOptions,
  reachableSlices,
  referenceCandidateUsers,
  referenceCheck,
  referenceResolve,
  referenceUsersWithAccess,
} from "../../src/testing/reference-resolver.js";
