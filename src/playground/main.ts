/**
 * The playground page's script: reads the graph from the editor as it is typed, and answers the
 * page's questions with grantpath's core, in the browser — what the picked user reaches and
 * through which grant paths (a table and a picture), who reaches the picked entity, and what a
 * change would do. Bundled into the page at build time (build-page.ts).
 * @module
 */
import { type AccessGraph, resolveAccess, usersWithAccess } from "../core/index.js";
import { accessTable, usersTable } from "./answer-tables.js";
import { byId, h } from "./dom.js";
import { catalogOf, type GraphCatalog, type GraphFormat, readGraph, writeGraph, writeValue } from "./graph-text.js";
import { diagramOf, layoutDiagram } from "./path-diagram.js";
import { pathPicture } from "./path-picture.js";
import { setOptions, whatIfForm } from "./what-if-form.js";

const editor = byId("graph-text", HTMLTextAreaElement);
const format = byId("graph-format", HTMLSelectElement);
const status = byId("graph-status", HTMLParagraphElement);
const userSelect = byId("user-select", HTMLSelectElement);
const userAccess = byId("user-access", HTMLDivElement);
const pictureBox = byId("path-picture", HTMLDivElement);
const entitySelect = byId("entity-select", HTMLSelectElement);
const entityUsers = byId("entity-users", HTMLDivElement);

let graph: AccessGraph | null = null;
let catalog: GraphCatalog | null = null;
let textFormat: GraphFormat = "json";

const whatIf = whatIfForm({
  graph: () => graph,
  make: (after, description) => {
    editor.value = writeGraph(after, textFormat);
    readEditor(`Made: ${description}.`);
  },
});

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Reads the editor; a valid graph replaces the one the answers are about. */
function readEditor(done?: string): void {
  const read = readGraph(editor.value, textFormat);
  if (!read.ok) {
    status.className = "status problem";
    status.textContent =
      graph === null ? read.problem : `${read.problem} — the answers below are for the last valid graph.`;
    editor.setAttribute("aria-invalid", "true");
    return;
  }
  editor.removeAttribute("aria-invalid");
  graph = read.graph;
  catalog = catalogOf(graph);
  whatIf.forget();
  const summary = [
    plural(catalog.users.length, "user"),
    plural(catalog.departments.length, "department"),
    plural(catalog.roles.length, "role"),
    plural(catalog.grants.length, "grant"),
  ].join(", ");
  status.className = "status ok";
  status.textContent = `${done ? `${done} ` : ""}Valid graph: ${summary}.`;
  setOptions(
    userSelect,
    catalog.users.map((id) => ({ value: id, label: id })),
  );
  setOptions(
    entitySelect,
    catalog.entities.map((e) => ({
      value: `${e.entity_type} ${e.entity_id}`,
      label: `${e.entity_id} (${e.entity_type})`,
    })),
  );
  whatIf.refresh(catalog);
  showUser();
  showEntity();
}

let drawnWidth = -1;

/** What the picked user reaches: the table, then the picture. */
function showUser(): void {
  drawnWidth = -1;
  if (graph === null || userSelect.value === "") {
    userAccess.replaceChildren(h("p", { class: "empty" }, "The graph lists no user."));
    pictureBox.replaceChildren();
    return;
  }
  userAccess.replaceChildren(accessTable(resolveAccess(graph, userSelect.value)));
  drawPicture();
}

/** Draws the picked user's grant paths to the picture box's width (again when it changes). */
function drawPicture(): void {
  const width = pictureBox.clientWidth;
  if (graph === null || userSelect.value === "" || width === drawnWidth) return;
  drawnWidth = width;
  const resolved = resolveAccess(graph, userSelect.value);
  pictureBox.replaceChildren(pathPicture(layoutDiagram(diagramOf(graph, resolved), width), resolved.user_id));
}

/** Who reaches the picked entity. */
function showEntity(): void {
  const [type, id] = entitySelect.value.split(" ");
  if (graph === null || catalog === null || type === undefined || id === undefined) {
    entityUsers.replaceChildren(h("p", { class: "empty" }, "The graph names no entity."));
    return;
  }
  const entity = catalog.entities.find((e) => e.entity_type === type && e.entity_id === id);
  if (entity === undefined) return;
  entityUsers.replaceChildren(
    usersTable(usersWithAccess(graph, entity.entity_type, entity.entity_id), (userId) => {
      userSelect.value = userId;
      showUser();
      byId("user-section", HTMLElement).scrollIntoView({ block: "start" });
      userSelect.focus();
    }),
  );
}

let typing: ReturnType<typeof setTimeout> | undefined;
editor.addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => readEditor(), 250);
});

format.addEventListener("change", () => {
  const next = format.value === "yaml" ? "yaml" : "json";
  // Valid text is rewritten in the new format (as written, not reordered); otherwise it is
  // left alone and read as the new format.
  const read = readGraph(editor.value, textFormat);
  if (read.ok) editor.value = writeValue(read.input, next);
  textFormat = next;
  readEditor();
});

byId("load-example", HTMLButtonElement).addEventListener("click", () => {
  editor.value = editor.defaultValue;
  textFormat = "json";
  format.value = "json";
  readEditor("Loaded the worked example.");
});

userSelect.addEventListener("change", showUser);
entitySelect.addEventListener("change", showEntity);
new ResizeObserver(() => drawPicture()).observe(pictureBox);

readEditor();
document.documentElement.dataset.ready = "true";
