/**
 * The what-if form: pick a change (add a grant, change a grant's level, revoke a grant), preview
 * what it would do to everyone's access, then make it or not. Making it hands the graph after
 * the change to the page, which writes it into the editor.
 * @module
 */
import type { AccessGraph, AccessLevel, EntityType, GranteeType } from "../core/index.js";
import { diffTable } from "./answer-tables.js";
import { byId, h } from "./dom.js";
import type { GrantWithId, GraphCatalog } from "./graph-text.js";
import { describeProposal, type Proposal, tryProposal } from "./what-if.js";

/** What the form needs from the page. */
export interface WhatIfHooks {
  /** The graph as it is now (the last valid one), or `null` when there is none yet. */
  readonly graph: () => AccessGraph | null;
  /** Makes the change: the page takes `after` as its graph. */
  readonly make: (after: AccessGraph, description: string) => void;
}

/** The form, wired. */
export interface WhatIfForm {
  /** Fills the pickers from the graph's catalog (keeping what is still there picked). */
  refresh(catalog: GraphCatalog): void;
  /** Forgets a preview: the graph changed under it. */
  forget(): void;
}

const PLACEHOLDERS: Readonly<Record<GranteeType, string>> = { user: "usr_…", department: "dept_…", role: "role_…" };
const ENTITY_PLACEHOLDERS: Readonly<Record<EntityType, string>> = {
  knowledge_slice: "kslice_…",
  vector_store: "vs_…",
  assistant: "asst_…",
};

function grantLabel(grant: GrantWithId): string {
  return `${grant.id}: ${grant.grantee_id} → ${grant.entity_id} (${grant.access_level})`;
}

/** Replaces a select's options, keeping the picked value when it is still offered. */
export function setOptions(select: HTMLSelectElement, options: readonly { value: string; label: string }[]): void {
  const picked = select.value;
  select.replaceChildren(...options.map(({ value, label }) => h("option", { value }, label)));
  if (options.some((option) => option.value === picked)) select.value = picked;
}

/** Wires the what-if form of the page. */
export function whatIfForm(hooks: WhatIfHooks): WhatIfForm {
  const form = byId("what-if-form", HTMLFormElement);
  const kind = byId("what-if-kind", HTMLSelectElement);
  const entityType = byId("what-if-entity-type", HTMLSelectElement);
  const entityId = byId("what-if-entity-id", HTMLInputElement);
  const granteeType = byId("what-if-grantee-type", HTMLSelectElement);
  const granteeId = byId("what-if-grantee-id", HTMLInputElement);
  const level = byId("what-if-level", HTMLSelectElement);
  const updateGrant = byId("what-if-update-grant", HTMLSelectElement);
  const updateLevel = byId("what-if-update-level", HTMLSelectElement);
  const revokeGrant = byId("what-if-revoke-grant", HTMLSelectElement);
  const knownEntities = byId("known-entities", HTMLDataListElement);
  const knownGrantees = byId("known-grantees", HTMLDataListElement);
  const apply = byId("what-if-apply", HTMLButtonElement);
  const result = byId("what-if-result", HTMLDivElement);

  let catalog: GraphCatalog | null = null;
  let preview: { readonly after: AccessGraph; readonly description: string } | null = null;

  const forget = () => {
    preview = null;
    apply.disabled = true;
  };

  const showKind = () => {
    form.querySelectorAll<HTMLElement>(".fields").forEach((fields) => {
      fields.hidden = fields.dataset.kind !== kind.value;
    });
  };

  const fillLists = () => {
    const type = entityType.value as EntityType;
    entityId.placeholder = ENTITY_PLACEHOLDERS[type];
    granteeId.placeholder = PLACEHOLDERS[granteeType.value as GranteeType];
    if (catalog === null) return;
    const entities = catalog.entities.filter((entity) => entity.entity_type === type).map((e) => e.entity_id);
    const grantees =
      granteeType.value === "user"
        ? catalog.users
        : granteeType.value === "department"
          ? catalog.departments
          : catalog.roles;
    knownEntities.replaceChildren(...entities.map((value) => h("option", { value })));
    knownGrantees.replaceChildren(...grantees.map((value) => h("option", { value })));
  };

  const proposal = (): Proposal => {
    switch (kind.value) {
      case "update":
        return { kind: "update", grantId: updateGrant.value, level: updateLevel.value as AccessLevel };
      case "revoke":
        return { kind: "revoke", grantId: revokeGrant.value };
      default:
        return {
          kind: "add",
          grant: {
            entity_type: entityType.value as EntityType,
            entity_id: entityId.value.trim(),
            grantee_type: granteeType.value as GranteeType,
            grantee_id: granteeId.value.trim(),
            access_level: level.value as AccessLevel,
          },
        };
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const graph = hooks.graph();
    if (graph === null) return;
    const asked = proposal();
    const tried = tryProposal(graph, asked);
    if (!tried.ok) {
      forget();
      result.replaceChildren(h("p", { class: "problem" }, `Refused: ${tried.problem}`));
      return;
    }
    const description = describeProposal(asked);
    preview = { after: tried.after, description };
    apply.disabled = false;
    result.replaceChildren(h("p", { class: "summary" }, `If you ${description}:`), diffTable(tried.changes));
  });

  apply.addEventListener("click", () => {
    if (preview === null) return;
    const { after, description } = preview;
    forget();
    hooks.make(after, description);
    result.replaceChildren(h("p", { class: "made" }, `Made: ${description}. The graph now includes it.`));
  });

  // Any edit of the form asks for a new preview before a change can be made.
  form.addEventListener("input", forget);
  form.addEventListener("change", forget);
  kind.addEventListener("change", showKind);
  entityType.addEventListener("change", fillLists);
  granteeType.addEventListener("change", fillLists);
  showKind();
  fillLists();

  return {
    refresh(next) {
      catalog = next;
      const grants = next.grants.map((grant) => ({ value: grant.id, label: grantLabel(grant) }));
      setOptions(updateGrant, grants);
      setOptions(revokeGrant, grants);
      fillLists();
    },
    forget() {
      if (preview !== null) result.replaceChildren();
      forget();
    },
  };
}
