/**
 * `grantpath/testing/fast-check`: generators and laws for testing code built on grantpath with
 * [fast-check](https://fast-check.dev) (an optional peer dependency, version 3 or later), in any
 * test runner. Random valid organizations ({@link graphInputArbitrary}), instants around their
 * expiries ({@link instantArbitrary}), valid write sequences ({@link graphWritesArbitrary},
 * {@link applyWrite}, {@link applyWriteToInput}), reorderings ({@link reorderGraphInput}), and
 * the laws of docs/spec.md §4 as fast-check properties for your own resolver
 * ({@link accessLaws}, {@link runAccessLaws}). The oracle they check against is
 * `referenceResolve` from `grantpath/testing`.
 * @packageDocumentation
 */
export {
  type AccessLaw,
  type AccessLawCase,
  AccessLawError,
  type AccessLawName,
  type AccessLawsOptions,
  type AccessSubject,
  type AccessSubjectCheckOptions,
  accessLaws,
  type RunAccessLawsOptions,
  runAccessLaws,
} from "./fast-check/access-laws.js";
export {
  type GraphIdPools,
  type GraphInputArbitraryOptions,
  graphIdPools,
  graphInputArbitrary,
} from "./fast-check/graph-input.js";
export { type EntityToAsk, entitiesToAsk, UNNAMED_USER_ID, userIdsToAsk } from "./fast-check/graph-questions.js";
export {
  applyWrite,
  applyWriteToInput,
  type GraphWrite,
  type GraphWriteKind,
  type GraphWritesArbitraryOptions,
  graphWritesArbitrary,
} from "./fast-check/graph-writes.js";
export { ADVERSARIAL_ID_TOKENS, type IdPoolOptions, idPool } from "./fast-check/id-pools.js";
export { EXPIRY_CHOICES, instantArbitrary, REFERENCE_INSTANT } from "./fast-check/instants.js";
export { permutationKeysArbitrary, reorderGraphInput } from "./fast-check/reorder-input.js";
