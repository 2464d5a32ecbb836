/**
 * A what-if: one proposed write (add a grant, change a grant's level, revoke a grant) tried on
 * the graph with the core's own writes, and what it would do to everyone's access
 * (`diffAccess`, docs/spec.md §11). The graph itself is left as it was: graphs are immutable.
 * Pure: no DOM.
 * @module
 */
import {
  type AccessChange,
  AccessError,
  type AccessGraph,
  type AccessLevel,
  addGrant,
  diffAccess,
  type GrantInput,
  revokeGrant,
  updateGrantLevel,
} from "../core/index.js";

/** A write to try. */
export type Proposal =
  | { readonly kind: "add"; readonly grant: GrantInput }
  | { readonly kind: "update"; readonly grantId: string; readonly level: AccessLevel }
  | { readonly kind: "revoke"; readonly grantId: string };

/** The tried write: the graph after it and every level it changes, or why it was refused. */
export type Tried =
  | { readonly ok: true; readonly after: AccessGraph; readonly changes: readonly AccessChange[] }
  | { readonly ok: false; readonly problem: string };

/** The graph after the proposed write; throws the write's `AccessError` when it is refused. */
export function applyProposal(graph: AccessGraph, proposal: Proposal): AccessGraph {
  switch (proposal.kind) {
    case "add":
      return addGrant(graph, proposal.grant);
    case "update":
      return updateGrantLevel(graph, proposal.grantId, proposal.level);
    case "revoke":
      return revokeGrant(graph, proposal.grantId);
  }
}

/** Tries the write on `graph` and compares access before and after it, at `at` (default now). */
export function tryProposal(graph: AccessGraph, proposal: Proposal, at?: Date): Tried {
  let after: AccessGraph;
  try {
    after = applyProposal(graph, proposal);
  } catch (error) {
    if (!(error instanceof AccessError)) throw error;
    const { field, message, grant_id } = error.details;
    const why = typeof message === "string" ? message : error.message;
    const about = typeof field === "string" && !why.startsWith(field) ? `${field}: ` : "";
    const which = typeof grant_id === "string" ? ` (${grant_id})` : "";
    return { ok: false, problem: `${error.code}: ${about}${why}${which}` };
  }
  return { ok: true, after, changes: diffAccess(graph, after, { at }).changes };
}

/** The proposal in words. */
export function describeProposal(proposal: Proposal): string {
  switch (proposal.kind) {
    case "add": {
      const { grant } = proposal;
      return `grant ${grant.access_level} on ${grant.entity_id} to ${grant.grantee_type} ${grant.grantee_id}`;
    }
    case "update":
      return `change ${proposal.grantId} to ${proposal.level}`;
    case "revoke":
      return `revoke ${proposal.grantId}`;
  }
}
