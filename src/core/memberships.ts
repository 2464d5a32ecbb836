/**
 * Users' department and role memberships, kept in both directions: user → memberships for
 * resolution, and department/role → members for users-with-access.
 * @module
 */
import type { GraphState, IdSet, StoredUser } from "./graph-state.js";
import { emptyTrie, type TrieNode, trieDelete, trieFromEntries, trieGet, trieSet, trieSize } from "./hash-trie.js";

const NO_MEMBERSHIPS: StoredUser = Object.freeze({ department_ids: Object.freeze([]), role_ids: Object.freeze([]) });

/** A listed user's memberships, or none for a user the graph does not list. */
export function userMemberships(state: GraphState, userId: string): StoredUser {
  return trieGet(state.users, userId) ?? NO_MEMBERSHIPS;
}

/** Replaces a user's direct departments (duplicates dropped, order kept), listing the user. */
export function setDepartmentsOf(state: GraphState, userId: string, departmentIds: readonly string[]): void {
  const current = userMemberships(state, userId);
  const next = [...new Set(departmentIds)];
  state.departmentMembers = moveMember(state.departmentMembers, userId, current.department_ids, next);
  state.users = trieSet(state.users, userId, { department_ids: next, role_ids: current.role_ids });
}

/** Replaces a user's roles (duplicates dropped, order kept), listing the user. */
export function setRolesOf(state: GraphState, userId: string, roleIds: readonly string[]): void {
  const current = userMemberships(state, userId);
  const next = [...new Set(roleIds)];
  state.roleMembers = moveMember(state.roleMembers, userId, current.role_ids, next);
  state.users = trieSet(state.users, userId, { department_ids: current.department_ids, role_ids: next });
}

/**
 * Lists every user of a new graph with their memberships, and both membership indexes, each
 * built whole. The user ids must be distinct; repeated memberships are dropped, order kept.
 */
export function writeMemberships(
  state: GraphState,
  users: readonly {
    readonly id: string;
    readonly department_ids: readonly string[];
    readonly role_ids: readonly string[];
  }[],
): void {
  const stored = users.map((user) =>
    Object.freeze({
      department_ids: Object.freeze([...new Set(user.department_ids)]),
      role_ids: Object.freeze([...new Set(user.role_ids)]),
    }),
  );
  state.users = trieFromEntries(
    users.map((user) => user.id),
    stored,
  );
  state.departmentMembers = membersIndex(users, stored, (user) => user.department_ids);
  state.roleMembers = membersIndex(users, stored, (user) => user.role_ids);
}

function membersIndex(
  users: readonly { readonly id: string }[],
  stored: readonly StoredUser[],
  groupsOf: (user: StoredUser) => readonly string[],
): TrieNode<IdSet> {
  const members = new Map<string, string[]>();
  stored.forEach((user, index) => {
    const userId = (users[index] as { readonly id: string }).id;
    for (const groupId of groupsOf(user)) {
      const ofGroup = members.get(groupId);
      if (ofGroup) ofGroup.push(userId);
      else members.set(groupId, [userId]);
    }
  });
  const sets = Array.from(members.values(), (userIds) =>
    trieFromEntries<true>(
      userIds,
      userIds.map(() => true),
    ),
  );
  return trieFromEntries([...members.keys()], sets);
}

/** The listed users who are direct members of a department or hold a role. */
export function membersOf(index: TrieNode<IdSet>, groupId: string): IdSet | undefined {
  return trieGet(index, groupId);
}

function moveMember(
  index: TrieNode<IdSet>,
  userId: string,
  before: readonly string[],
  after: readonly string[],
): TrieNode<IdSet> {
  let updated = index;
  for (const groupId of before) {
    if (after.includes(groupId)) continue;
    const members = trieGet(updated, groupId);
    if (!members) continue;
    const remaining = trieDelete(members, userId);
    updated = trieSize(remaining) === 0 ? trieDelete(updated, groupId) : trieSet(updated, groupId, remaining);
  }
  for (const groupId of after) {
    if (before.includes(groupId)) continue;
    updated = trieSet(updated, groupId, trieSet(trieGet(updated, groupId) ?? emptyTrie<true>(), userId, true));
  }
  return updated;
}
