/**
 * The grant-management service.
 * @module
 */
export {
  type AccessControl,
  type AccessControlOptions,
  type BulkCreateGrantsInput,
  type CreateGrantInput,
  createAccessControl,
  type GrantList,
  type ListGrantsQuery,
  type PageQuery,
  type UserMemberships,
} from "./access-control.js";
export { randomGrantId } from "./grant-ids.js";
