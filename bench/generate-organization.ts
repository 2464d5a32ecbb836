/**
 * A deterministic (seeded) generator of one organization, with the presets the benchmarks
 * use: departments nested up to 4 deep, users in 1–3 departments and 0–3 roles, grants about
 * 40 % user / 40 % department / 20 % role, composites of 2–10 members nested up to 4 deep, and
 * about 5 % of grants expiring (half of those already expired at BENCH_INSTANT).
 */
import type { AccessLevel, EntityType, GrantInput, GraphInput } from "../src/index.js";

export interface OrganizationPreset {
  readonly users: number;
  readonly grants: number;
}

export const PRESETS = {
  small: { users: 200, grants: 1_000 },
  medium: { users: 5_000, grants: 100_000 },
  large: { users: 50_000, grants: 1_000_000 },
} as const satisfies Record<string, OrganizationPreset>;

export type PresetName = keyof typeof PRESETS;

/** The instant every benchmark asks about, so expiry is deterministic. */
export const BENCH_INSTANT = new Date("2026-01-01T00:00:00Z");

/** mulberry32: a tiny seeded PRNG, so every run builds the same organization. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEVELS: readonly AccessLevel[] = ["read", "write", "admin"];

export function generateOrganization(preset: OrganizationPreset, seed = 42): GraphInput {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const departmentCount = Math.max(4, Math.round(preset.users / 25));
  const roleCount = Math.max(3, Math.round(preset.users / 100));
  const sliceCount = Math.max(10, Math.round(preset.grants / 8));
  const storeCount = Math.max(5, Math.round(preset.grants / 40));
  const assistantCount = Math.max(5, Math.round(preset.grants / 40));

  // Departments: a forest up to 4 deep; each department's parent is an earlier, shallower one.
  const depth: number[] = [];
  const departments = Array.from({ length: departmentCount }, (_, i) => {
    let parent: number | null = null;
    if (i >= 4) {
      const candidate = int(i);
      if ((depth[candidate] ?? 0) < 3) parent = candidate;
    }
    depth[i] = parent === null ? 0 : (depth[parent] ?? 0) + 1;
    return { id: `dept_${i}`, parent_id: parent === null ? null : `dept_${parent}` };
  });

  const users = Array.from({ length: preset.users }, (_, i) => ({
    id: `usr_${i}`,
    department_ids: [...new Set(Array.from({ length: 1 + int(3) }, () => `dept_${int(departmentCount)}`))],
    role_ids: [...new Set(Array.from({ length: int(4) }, () => `role_${int(roleCount)}`))],
  }));

  // Composites: the first 5 % of slices. Members are plain slices or later composites, so
  // containment is a DAG; built from the last composite back, nesting stays at most 4 deep.
  const compositeCount = Math.max(2, Math.round(sliceCount / 20));
  const compositeDepth: number[] = [];
  const composites: { id: string; member_slice_ids: string[] }[] = [];
  for (let i = compositeCount - 1; i >= 0; i--) {
    const size = 2 + int(9);
    const members = new Set<string>();
    let deepest = 0;
    while (members.size < size) {
      const later = i + 1 + int(Math.min(3, compositeCount - i - 1));
      if (random() < 0.2 && later < compositeCount && (compositeDepth[later] ?? 0) < 3) {
        members.add(`kslice_${later}`);
        deepest = Math.max(deepest, (compositeDepth[later] ?? 0) + 1);
      } else {
        members.add(`kslice_${compositeCount + int(sliceCount - compositeCount)}`);
      }
    }
    compositeDepth[i] = deepest;
    composites.push({ id: `kslice_${i}`, member_slice_ids: [...members] });
  }

  const entity = (): { entity_type: EntityType; entity_id: string } => {
    const roll = random();
    if (roll < 0.7) return { entity_type: "knowledge_slice", entity_id: `kslice_${int(sliceCount)}` };
    if (roll < 0.85) return { entity_type: "vector_store", entity_id: `vs_${int(storeCount)}` };
    return { entity_type: "assistant", entity_id: `asst_${int(assistantCount)}` };
  };

  const grants: GrantInput[] = [];
  const pairs = new Set<string>();
  while (grants.length < preset.grants) {
    const roll = random();
    const grantee =
      roll < 0.4
        ? { grantee_type: "user" as const, grantee_id: `usr_${int(preset.users)}` }
        : roll < 0.8
          ? { grantee_type: "department" as const, grantee_id: `dept_${int(departmentCount)}` }
          : { grantee_type: "role" as const, grantee_id: `role_${int(roleCount)}` };
    const target = entity();
    const pair = `${target.entity_id} ${grantee.grantee_id}`;
    if (pairs.has(pair)) continue;
    pairs.add(pair);
    const expiring = random() < 0.05;
    grants.push({
      id: `agrant_${grants.length}`,
      ...target,
      ...grantee,
      access_level: LEVELS[int(3)] as AccessLevel,
      ...(expiring ? { expires_at: random() < 0.5 ? "2025-06-01T00:00:00Z" : "2027-06-01T00:00:00Z" } : {}),
    });
  }
  return { organization_id: "org_bench", owners: ["usr_0"], users, departments, composites, grants };
}
