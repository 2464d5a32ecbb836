/**
 * Who a user is, as a grantee: themself, every department they belong to directly or through
 * a sub-department, and every role they hold. Each grant names exactly one grantee, so with
 * this list de-duplicated every grant reaches the user at most once.
 * @module
 */
import { departmentAncestors } from "./department-forest.js";
import { DIRECT_REACH, type Reach } from "./grant-paths.js";
import type { GraphState } from "./graph-state.js";
import { userMemberships } from "./memberships.js";

/** A grantee id that stands for the user, and how grants to it reach them. */
export interface UserGrantee {
  readonly grantee_id: string;
  readonly reach: Reach;
}

/** The user's grantee ids: the user, their departments with all ancestors, and their roles. */
export function userGrantees(state: GraphState, userId: string): UserGrantee[] {
  const grantees: UserGrantee[] = [{ grantee_id: userId, reach: DIRECT_REACH }];
  const memberships = userMemberships(state, userId);
  const departments = new Set<string>();
  for (const departmentId of memberships.department_ids) {
    departments.add(departmentId);
    for (const ancestor of departmentAncestors(state, departmentId)) departments.add(ancestor);
  }
  for (const departmentId of departments) {
    grantees.push({
      grantee_id: departmentId,
      reach: { type: "department", department_id: departmentId, role_id: null },
    });
  }
  for (const roleId of memberships.role_ids) {
    grantees.push({ grantee_id: roleId, reach: { type: "role", department_id: null, role_id: roleId } });
  }
  return grantees;
}
