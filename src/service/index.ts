/**
 * The grant-management service.
 * @module
 */
export { createAccessControl } from "./access-control.js";
export type {
  AccessControl,
  AccessControlOptions,
  BulkCheckAccessAnswer,
  BulkCheckAccessInput,
  BulkCheckAccessResult,
  BulkCreateGrantsInput,
  CallOptions,
  ChangesQuery,
  CheckAccessItem,
  CheckAccessItemError,
  CheckAccessQuery,
  CreateGrantInput,
  GrantList,
  ListGrantsQuery,
  PageQuery,
  ResolveAccessQuery,
  ResolvedAccessQuery,
  RevisionedGraph,
  SnapshotAnswer,
  UserMemberships,
  UsersWithAccessEntityQuery,
  UsersWithAccessQuery,
  WhatIfAnswer,
  WhatIfChange,
  WhatIfInput,
} from "./access-control-types.js";
export { randomGrantId } from "./grant-ids.js";
