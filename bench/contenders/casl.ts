/**
 * @casl/ability, modelled as faithfully as it allows.
 *
 * CASL has no notion of departments, roles or containment: an ability is a flat list of rules
 * for one user. So each user's ability is built ahead, from the grants that reach them
 * (direct, through any of their departments or those departments' ancestors, through any of
 * their roles), with composite grants flattened into the slices they contain. Rules: one per
 * (entity type, level) with `{ id: { $in: [...] } }`; the actions alias `admin → write → read`
 * (`createAliasResolver`), so `can("read", …)` is allowed by a write or admin rule.
 *
 * What CASL cannot express:
 * - grant paths: `can` answers allow/deny; `relevantRuleFor` names one rule, and a rule here no
 *   longer remembers which grant, department, role or composite it came from;
 * - inheritance (department ancestry, roles, composite containment): resolved outside CASL when
 *   the abilities are built, so any change to a membership, a role, a containment edge or a
 *   grant means rebuilding the abilities of every affected user;
 * - expiry at an instant: rules have no validity interval; expired grants are dropped when the
 *   abilities are built, for the benchmark instant only;
 * - "every entity a user reaches": read back from the ability's rule index
 *   (`rulesFor("read", type)`, whose conditions list the ids), the way one would turn CASL rules
 *   into a database query;
 * - "every user with access to an entity": no reverse index; one `can` per user and level.
 */
import { createAliasResolver, createMongoAbility, type MongoAbility, subject } from "@casl/ability";
import type { AccessLevel, EntityType, GraphInput } from "../../src/index.js";
import { activeGrants, candidateUsers, containment, entityKey, type Levels, raise } from "./levels.js";

const TYPES: readonly EntityType[] = ["assistant", "knowledge_slice", "vector_store"];
const LEVELS: readonly AccessLevel[] = ["admin", "write", "read"];
const resolveAction = createAliasResolver({ admin: "write", write: "read" });

export interface CaslContender {
  resolveLevels(userId: string): Levels;
  check(userId: string, type: EntityType, id: string, level: AccessLevel): boolean;
  usersWithAccess(type: EntityType, id: string): Map<string, AccessLevel>;
}

function idsOf(conditions: unknown): readonly string[] {
  if (typeof conditions !== "object" || conditions === null || !("id" in conditions)) return [];
  const id = conditions.id;
  if (typeof id !== "object" || id === null || !("$in" in id) || !Array.isArray(id.$in)) return [];
  return id.$in as string[];
}

export function buildCasl(input: GraphInput, at: Date): CaslContender {
  // grantee → its active grants; department → its parent.
  const byGrantee = new Map<string, { type: EntityType; id: string; level: AccessLevel }[]>();
  for (const g of activeGrants(input, at)) {
    const key = `${g.grantee_type} ${g.grantee_id}`;
    let list = byGrantee.get(key);
    if (list === undefined) {
      list = [];
      byGrantee.set(key, list);
    }
    list.push({ type: g.entity_type, id: g.entity_id, level: g.access_level });
  }
  const parent = new Map<string, string>();
  for (const d of input.departments ?? []) if (d.parent_id) parent.set(d.id, d.parent_id);
  const contained = containment(input);
  const listed = new Map((input.users ?? []).map((u) => [u.id, u]));

  const abilities = new Map<string, MongoAbility>();
  for (const userId of candidateUsers(input)) {
    const user = listed.get(userId);
    const grantees = new Set<string>([`user ${userId}`]);
    for (const d of user?.department_ids ?? []) {
      const seen = new Set<string>();
      for (
        let current: string | undefined = d;
        current !== undefined && !seen.has(current);
        current = parent.get(current)
      ) {
        seen.add(current);
        grantees.add(`department ${current}`);
      }
    }
    for (const r of user?.role_ids ?? []) grantees.add(`role ${r}`);
    // (type, level) → ids
    const ids = new Map<string, Set<string>>();
    const add = (type: EntityType, level: AccessLevel, id: string) => {
      const key = `${type} ${level}`;
      let set = ids.get(key);
      if (set === undefined) {
        set = new Set();
        ids.set(key, set);
      }
      set.add(id);
    };
    for (const grantee of grantees) {
      for (const g of byGrantee.get(grantee) ?? []) {
        add(g.type, g.level, g.id);
        if (g.type === "knowledge_slice") for (const m of contained.get(g.id) ?? []) add(g.type, g.level, m);
      }
    }
    const rules = [...ids].map(([key, set]) => {
      const [type, level] = key.split(" ") as [EntityType, AccessLevel];
      return { action: level, subject: type, conditions: { id: { $in: [...set] } } };
    });
    abilities.set(userId, createMongoAbility(rules, { resolveAction }));
  }

  const users = [...abilities.keys()];
  return {
    resolveLevels(userId) {
      const levels: Levels = new Map();
      const ability = abilities.get(userId);
      if (ability === undefined) return levels;
      for (const type of TYPES) {
        for (const rule of ability.rulesFor("read", type)) {
          const level = (Array.isArray(rule.action) ? rule.action[0] : rule.action) as AccessLevel;
          for (const id of idsOf(rule.conditions)) raise(levels, entityKey(type, id), level);
        }
      }
      return levels;
    },
    check(userId, type, id, level) {
      return abilities.get(userId)?.can(level, subject(type, { id })) ?? false;
    },
    usersWithAccess(type, id) {
      const found = new Map<string, AccessLevel>();
      for (const user of users) {
        const ability = abilities.get(user);
        if (ability === undefined) continue;
        for (const level of LEVELS) {
          if (ability.can(level, subject(type, { id }))) {
            found.set(user, level);
            break;
          }
        }
      }
      return found;
    },
  };
}
