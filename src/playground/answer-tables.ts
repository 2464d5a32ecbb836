/**
 * The engine's answers as HTML tables: what a user reaches (resolveAccess), who reaches an
 * entity (usersWithAccess) and what a change would do (diffAccess). On a narrow screen the CSS
 * stacks each row, labelling its cells from `data-label`.
 * @module
 */
import type { AccessChange, AccessLevel, GrantPath, ResolvedAccess, UsersWithAccess } from "../core/index.js";
import { type Child, h } from "./dom.js";

/** One grant path in words: how the grant reaches the user, its level and its id. */
export function describePath(path: GrantPath): string {
  const through = [
    path.department_id === null ? null : `department ${path.department_id}`,
    path.role_id === null ? null : `role ${path.role_id}`,
  ].filter((part) => part !== null);
  const via =
    path.type === "composite"
      ? `composite ${path.composite_id}${through.length > 0 ? ` via ${through.join(", ")}` : " (direct)"}`
      : path.type === "direct"
        ? "direct"
        : through.join(", ");
  return `${via}: ${path.access_level} (${path.grant_id})`;
}

/** A level as a badge; `null` (no access) as "none". */
export function levelBadge(level: AccessLevel | null): HTMLElement {
  return h("span", { class: `level level-${level ?? "none"}` }, level ?? "none");
}

function pathList(paths: readonly GrantPath[]): HTMLElement {
  return h("ul", { class: "paths" }, ...paths.map((path) => h("li", {}, describePath(path))));
}

/** A cell; its content in one block, which a stacked row (narrow screens) sets beside the label. */
function cell(label: string, ...children: Child[]): HTMLTableCellElement {
  return h("td", { "data-label": label }, h("div", {}, ...children));
}

function table(caption: string, headers: readonly string[], rows: readonly HTMLTableRowElement[]): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "answer" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, ...headers.map((header) => h("th", { scope: "col" }, header)))),
      h("tbody", {}, ...rows),
    ),
  );
}

function entityCell(type: string, id: string): HTMLTableCellElement {
  return cell("Entity", h("code", {}, id), h("span", { class: "entity-type" }, type.replace("_", " ")));
}

/** What a user reaches: one row per entity, with its level and paths. */
export function accessTable(resolved: ResolvedAccess): HTMLElement {
  if (resolved.entities.length === 0) return h("p", { class: "empty" }, `${resolved.user_id} reaches no entity.`);
  return table(
    `Every entity ${resolved.user_id} can reach (resolveAccess)`,
    ["Entity", "Level", "Grant paths"],
    resolved.entities.map((entity) =>
      h(
        "tr",
        { "data-entity-id": entity.entity_id, "data-level": entity.access_level },
        entityCell(entity.entity_type, entity.entity_id),
        cell("Level", levelBadge(entity.access_level)),
        cell("Grant paths", pathList(entity.grant_paths)),
      ),
    ),
  );
}

/** Who reaches an entity: one row per user, each with a button that shows their paths above. */
export function usersTable(answer: UsersWithAccess, showUser: (userId: string) => void): HTMLElement {
  if (answer.users.length === 0) return h("p", { class: "empty" }, `No one can reach ${answer.entity_id}.`);
  return table(
    `Everyone who can reach ${answer.entity_id} (usersWithAccess)`,
    ["User", "Level", "Grant paths"],
    answer.users.map((user) => {
      const show = h("button", { type: "button", class: "link" }, "show paths");
      show.setAttribute("aria-label", `Show the grant paths of ${user.user_id}`);
      show.addEventListener("click", () => showUser(user.user_id));
      return h(
        "tr",
        { "data-user-id": user.user_id, "data-level": user.access_level },
        cell("User", h("code", {}, user.user_id), " ", show),
        cell("Level", levelBadge(user.access_level)),
        cell("Grant paths", pathList(user.grant_paths)),
      );
    }),
  );
}

/** What a change would do: one row per (user, entity) whose level it alters. */
export function diffTable(changes: readonly AccessChange[]): HTMLElement {
  if (changes.length === 0) return h("p", { class: "empty" }, "No one's access would change.");
  const users = new Set(changes.map((change) => change.user_id)).size;
  return table(
    `${changes.length} ${changes.length === 1 ? "change" : "changes"} for ${users} ${users === 1 ? "user" : "users"} (diffAccess)`,
    ["User", "Entity", "Before", "After"],
    changes.map((change) =>
      h(
        "tr",
        {
          "data-user-id": change.user_id,
          "data-entity-id": change.entity_id,
          "data-before": change.before ?? "none",
          "data-after": change.after ?? "none",
        },
        cell("User", h("code", {}, change.user_id)),
        entityCell(change.entity_type, change.entity_id),
        cell("Before", levelBadge(change.before)),
        cell("After", levelBadge(change.after)),
      ),
    ),
  );
}
