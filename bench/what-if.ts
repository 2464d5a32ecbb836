/**
 * `npm run bench:what-if`: what a change does to access, on the medium organization (100,000
 * grants, 5,000 users), side by side with the way one would find it without diffAccess —
 * resolving every affected user before and after and comparing. Each input is one grant change
 * (a level update of a random grant: a user, a department or a role grant) and the graph it
 * makes; both contenders answer it, in alternation. Also the service's `whatIf` end to end (read,
 * the write's checks on a copy, the diff), over memory storage. Medians and p99.
 *
 *   npm run bench:what-if [-- --preset medium --samples 200]
 */
import {
  type AccessGraph,
  createAccessControl,
  createGraph,
  diffAccess,
  type GraphInput,
  getGrant,
  memoryStorage,
  resolveAccess,
  updateGrantLevel,
  usersWithAccess,
} from "../src/index.js";
import {
  BENCH_INSTANT,
  generateOrganization,
  PRESETS,
  type PresetName,
  seededRandom,
} from "./generate-organization.js";
import { compare, compareAsync, formatMicros, type Stats } from "./measure.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const presetName = option("preset", "medium") as PresetName;
const samples = Number(option("samples", "200"));

interface Change {
  readonly grantId: string;
  readonly level: "read" | "write" | "admin";
  readonly after: AccessGraph;
  /** The users the grant reaches: whom a full comparison must resolve again. */
  readonly users: readonly string[];
}

const input: GraphInput = generateOrganization(PRESETS[presetName]);
const before = createGraph(input);
const grants = input.grants ?? [];
const random = seededRandom(7);
const levels = ["read", "write", "admin"] as const;

const changes: Change[] = [];
while (changes.length < samples) {
  const grant = grants[Math.floor(random() * grants.length)];
  if (!grant?.id) continue;
  const current = getGrant(before, grant.id)?.access_level;
  const level = levels.find((l) => l !== current) ?? "read";
  const after = updateGrantLevel(before, grant.id, level);
  const users = new Set<string>();
  for (const graph of [before, after]) {
    for (const user of usersWithAccess(graph, grant.entity_type, grant.entity_id, { at: BENCH_INSTANT }).users) {
      users.add(user.user_id);
    }
  }
  changes.push({ grantId: grant.id, level, after, users: [...users] });
}

/** The long way: every affected user resolved before and after, their levels compared. */
function resolveEveryAffectedUser(change: Change): number {
  let differing = 0;
  for (const user of change.users) {
    const was = new Map(
      resolveAccess(before, user, { at: BENCH_INSTANT }).entities.map((e) => [e.entity_id, e.access_level]),
    );
    for (const entity of resolveAccess(change.after, user, { at: BENCH_INSTANT }).entities) {
      if (was.get(entity.entity_id) !== entity.access_level) differing++;
      was.delete(entity.entity_id);
    }
    differing += was.size;
  }
  return differing;
}

const timed = compare(changes, {
  diffAccess: (change) => diffAccess(before, change.after, { at: BENCH_INSTANT }).changes.length,
  "resolve every affected user, before and after": resolveEveryAffectedUser,
});

const owner = "usr_bench_owner";
const accessControl = createAccessControl({
  storage: memoryStorage({ initial: [{ ...input, owners: [owner] }] }),
  clock: () => BENCH_INSTANT,
});
const service = await compareAsync(changes, {
  "service whatIf (update_grant)": (change) =>
    accessControl.whatIf(input.organization_id, owner, {
      changes: [{ op: "update_grant", grant_id: change.grantId, access_level: change.level }],
    }),
});

const affected = changes.map((change) => change.users.length).sort((a, b) => a - b);
console.log(
  `${presetName}: ${grants.length} grants; ${samples} grant changes, users each reaches: median ${affected[Math.floor(affected.length / 2)]}, max ${affected[affected.length - 1]}`,
);
const rows: [string, Stats][] = [...Object.entries(timed), ...Object.entries(service)];
const base = timed.diffAccess?.median ?? Number.NaN;
console.log(
  ["contender".padEnd(48), "median".padStart(10), "p99".padStart(10), "÷ diffAccess".padStart(13)].join("  "),
);
for (const [name, s] of rows) {
  console.log(
    [
      name.padEnd(48),
      formatMicros(s.median).padStart(10),
      formatMicros(s.p99).padStart(10),
      `${(s.median / base).toFixed(1)}×`.padStart(13),
    ].join("  "),
  );
}
await accessControl.close();
