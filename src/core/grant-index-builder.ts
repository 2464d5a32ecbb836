/**
 * Building the three grant indexes of a new graph in one pass. Inserting a million grants
 * one at a time would copy trie paths a million times; instead the grants are grouped with
 * plain `Map`s while they are validated, in input order (so the first problem reported is
 * still the first in the input), and each index is then built whole.
 * @module
 */
import { validationError } from "./errors.js";
import { pairTaken } from "./grant-index.js";
import { grantSetOf } from "./grant-set.js";
import type { GraphState, StoredGrant } from "./graph-state.js";
import { trieFromEntries } from "./hash-trie.js";

/** Past this many grants on one entity, the (entity, grantee) check uses a set, not a scan. */
const SCAN_MAX = 32;

/** Collects a new graph's grants, rejecting reused ids and (entity, grantee) pairs as they come. */
export class GrantIndexBuilder {
  private readonly grants: StoredGrant[] = [];
  private readonly ids = new Map<string, number>();
  private readonly byGrantee = new Map<string, StoredGrant[]>();
  private readonly byEntity = new Map<string, StoredGrant[]>();
  /** Grantee ids of the entities with more than {@link SCAN_MAX} grants. */
  private readonly granteesOfBusyEntities = new Map<string, Set<string>>();
  private readonly interned = new Map<string, string>();

  /** One shared string per id, so a million grants do not hold a million copies of their ids. */
  readonly intern = (id: string): string => {
    const known = this.interned.get(id);
    if (known !== undefined) return known;
    this.interned.set(id, id);
    return id;
  };

  /** Adds the grant at `grants[index]`, or throws on a reused id or a granted pair. */
  add(grant: StoredGrant, index: number): void {
    const earlier = this.ids.get(grant.id);
    if (earlier !== undefined) {
      throw validationError(`grants[${index}].id`, `grants[${index}].id ${grant.id} duplicates grants[${earlier}].id`);
    }
    const onEntity = this.byEntity.get(grant.entity_id);
    if (onEntity === undefined) {
      this.byEntity.set(grant.entity_id, [grant]);
    } else {
      const existing = this.holder(onEntity, grant);
      if (existing) throw pairTaken(grant, existing, `grants[${index}]`);
      onEntity.push(grant);
      this.noteGrantee(onEntity, grant);
    }
    this.ids.set(grant.id, index);
    this.grants.push(grant);
    const ofGrantee = this.byGrantee.get(grant.grantee_id);
    if (ofGrantee === undefined) this.byGrantee.set(grant.grantee_id, [grant]);
    else ofGrantee.push(grant);
  }

  /** Whether `id` is a grant id already added. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Stores the three indexes in `state`, whose grant indexes must be empty. */
  writeTo(state: GraphState): void {
    state.grants = trieFromEntries(
      this.grants.map((grant) => grant.id),
      this.grants,
    );
    state.grantsByGrantee = trieFromEntries(
      [...this.byGrantee.keys()],
      Array.from(this.byGrantee.values(), (grants) => grantSetOf(grants, "entity_id")),
    );
    state.grantsByEntity = trieFromEntries(
      [...this.byEntity.keys()],
      Array.from(this.byEntity.values(), (grants) => grantSetOf(grants, "grantee_id")),
    );
  }

  private holder(onEntity: readonly StoredGrant[], grant: StoredGrant): StoredGrant | undefined {
    if (onEntity.length <= SCAN_MAX) return onEntity.find((other) => other.grantee_id === grant.grantee_id);
    if (!this.granteesOfBusyEntities.get(grant.entity_id)?.has(grant.grantee_id)) return undefined;
    return onEntity.find((other) => other.grantee_id === grant.grantee_id);
  }

  private noteGrantee(onEntity: readonly StoredGrant[], grant: StoredGrant): void {
    if (onEntity.length <= SCAN_MAX) return;
    let grantees = this.granteesOfBusyEntities.get(grant.entity_id);
    if (grantees === undefined) {
      grantees = new Set(onEntity.map((other) => other.grantee_id));
      this.granteesOfBusyEntities.set(grant.entity_id, grantees);
    } else {
      grantees.add(grant.grantee_id);
    }
  }
}
