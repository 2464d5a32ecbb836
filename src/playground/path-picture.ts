/**
 * Draws a laid-out grant-path diagram as SVG: one box per user, department, role, grant and
 * entity, and arrows for how access flows from the user to each entity. Colours and line styles
 * come from the page's CSS, by the classes set here.
 * @module
 */
import type { EntityType } from "../core/index.js";
import { s } from "./dom.js";
import { COMPACT_BELOW, type DiagramLayout, type PlacedNode } from "./path-diagram.js";

const ENTITY_WORDS: Readonly<Record<EntityType, string>> = {
  knowledge_slice: "knowledge slice",
  vector_store: "vector store",
  assistant: "assistant",
};

/** The small line above a node's id: what it is, and its level. */
function kindLine(node: PlacedNode): string {
  const level = node.level === null ? "" : ` · ${node.level}`;
  if (node.kind === "entity") {
    const what = node.composite ? "composite" : node.entityType === null ? "entity" : ENTITY_WORDS[node.entityType];
    return `${what}${level}`;
  }
  return `${node.kind}${level}`;
}

/**
 * The same in a compact node, where only a short word fits: the level of a grant or an entity
 * (its colour says which), the kind of the others.
 */
function compactKindLine(node: PlacedNode): string {
  return node.level ?? (node.kind === "department" ? "dept" : node.kind);
}

/** How many lines a compact node's id may take (COMPACT_HEIGHT leaves room for them). */
const COMPACT_ID_LINES = 3;

/**
 * A node's id in lines that fit its width (monospace: 12 px on one line, or 10.5 px on up to
 * three in a compact node), cut with an ellipsis when it is longer still.
 */
function idLines(id: string, width: number, compact: boolean): string[] {
  const room = Math.max(4, Math.floor((width - (compact ? 8 : 20)) / (compact ? 6.4 : 7.3)));
  const lines: string[] = [];
  const most = compact ? COMPACT_ID_LINES : 1;
  for (let start = 0; start < id.length && lines.length < most; start += room)
    lines.push(id.slice(start, start + room));
  const last = lines.length - 1;
  if (room * lines.length < id.length) lines[last] = `${(lines[last] ?? "").slice(0, room - 1)}…`;
  return lines;
}

function nodeLabel(node: PlacedNode): SVGElement[] {
  const compact = node.width < COMPACT_BELOW;
  const x = compact ? 4 : 10;
  return [
    s("text", { class: "node-kind", x, y: compact ? 14 : 17 }, compact ? compactKindLine(node) : kindLine(node)),
    ...idLines(node.id, node.width, compact).map((line, i) =>
      s("text", { class: "node-id", x, y: compact ? 30 + i * 13 : 35 }, line),
    ),
  ];
}

/** The SVG picture of a user's grant paths. */
export function pathPicture(layout: DiagramLayout, userId: string): SVGSVGElement {
  const titleId = "path-picture-title";
  const descId = "path-picture-desc";
  const count = (kind: PlacedNode["kind"]) => layout.nodes.filter((n) => n.kind === kind).length;
  const entities = count("entity");
  const grants = count("grant");
  const edges = layout.edges.map((edge) =>
    s("path", {
      class: `edge edge-${edge.kind}`,
      d: edge.d,
      "marker-end": "url(#path-picture-arrow)",
      "data-from": edge.from,
      "data-to": edge.to,
    }),
  );
  const nodes = layout.nodes.map((node) =>
    s(
      "g",
      {
        class: `node node-${node.kind}${node.composite ? " node-composite" : ""}${node.width < COMPACT_BELOW ? " compact" : ""}`,
        "data-kind": node.kind,
        "data-id": node.id,
        "data-level": node.level,
        transform: `translate(${node.x} ${node.y})`,
      },
      s("title", {}, `${kindLine(node)}: ${node.id}`),
      s("rect", { width: node.width, height: node.height, rx: 7 }),
      ...nodeLabel(node),
    ),
  );
  return s(
    "svg",
    {
      class: "path-picture",
      xmlns: "http://www.w3.org/2000/svg",
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      width: layout.width,
      height: layout.height,
      role: "img",
      "aria-labelledby": `${titleId} ${descId}`,
      "data-orientation": layout.orientation,
    },
    s("title", { id: titleId }, `Grant paths of ${userId}`),
    s(
      "desc",
      { id: descId },
      entities === 0
        ? `${userId} reaches no entity.`
        : `${userId} reaches ${entities} ${entities === 1 ? "entity" : "entities"} through ${grants} ${grants === 1 ? "grant" : "grants"}, as the table lists path by path.`,
    ),
    s(
      "defs",
      {},
      s(
        "marker",
        {
          id: "path-picture-arrow",
          viewBox: "0 0 10 10",
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: "auto-start-reverse",
        },
        s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" }),
      ),
    ),
    s("g", { class: "edges" }, ...edges),
    s("g", { class: "nodes" }, ...nodes),
  );
}
