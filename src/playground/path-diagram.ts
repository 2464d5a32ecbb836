/**
 * The picture of a user's grant paths as a layered diagram, before it is drawn: who the user is
 * as a grantee (themself, their departments up the chain to the one granted, their roles), the
 * grants those reach, the entities the grants are on, and the slices composites pass them on
 * to (docs/spec.md §3). Then where each node goes: layers left to right on a wide screen, top to
 * bottom (wrapping) on a narrow one. Pure: no DOM, so it is tested in Node.
 * @module
 */
import {
  type AccessGraph,
  type AccessLevel,
  type EntityType,
  getDepartment,
  getUser,
  type ResolvedAccess,
} from "../core/index.js";

/** What a node of the diagram stands for. */
export type DiagramNodeKind = "user" | "department" | "role" | "grant" | "entity";

/**
 * How one node leads to the next: a user is a `member` of a department, which sits `within` its
 * parent; a user `holds` a role; a grantee `receives` a grant (the user itself for a direct
 * one); a grant is `on` an entity; a composite `contains` the slices it passes the grant to.
 */
export type DiagramEdgeKind = "member" | "within" | "holds" | "receives" | "on" | "contains";

/** A node: one user, department, role, grant or entity. */
export interface DiagramNode {
  /** `kind:id`, unique in the diagram. */
  readonly key: string;
  readonly kind: DiagramNodeKind;
  readonly id: string;
  /** A grant's level, or the user's effective level on an entity; `null` for the others. */
  readonly level: AccessLevel | null;
  /** An entity's type. */
  readonly entityType: EntityType | null;
  /** Whether an entity is a composite the user's access flows through. */
  readonly composite: boolean;
  /** Its layer: 0 for the user, then grantees, grants, entities, the slices composites reach. */
  readonly rank: number;
}

/** An edge, from one node's key to another's. */
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: DiagramEdgeKind;
}

/** The diagram: nodes in the order they were first met, and the edges between them. */
export interface Diagram {
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

interface NodeDraft {
  key: string;
  kind: DiagramNodeKind;
  id: string;
  level: AccessLevel | null;
  entityType: EntityType | null;
  composite: boolean;
  rank: number;
}

/**
 * The user's departments chains up to `target`: each from a department the user belongs to
 * directly, through its parents, to `target` (docs/spec.md §2: membership flows upward).
 */
function departmentChains(graph: AccessGraph, userDepartments: readonly string[], target: string): string[][] {
  const chains: string[][] = [];
  for (const start of userDepartments) {
    const chain: string[] = [];
    let current: string | null = start;
    // The graph refuses cycles and bounds the depth; the guard only keeps a bad graph finite.
    while (current !== null && chain.length <= 10_000) {
      chain.push(current);
      if (current === target) {
        chains.push(chain);
        break;
      }
      current = getDepartment(graph, current)?.parent_id ?? null;
    }
  }
  return chains;
}

/** The diagram of everything `resolved` (the user's answer over `graph`) says. */
export function diagramOf(graph: AccessGraph, resolved: ResolvedAccess): Diagram {
  const nodes = new Map<string, NodeDraft>();
  const edges = new Map<string, DiagramEdge>();
  const node = (kind: DiagramNodeKind, id: string, rank: number): NodeDraft => {
    const key = `${kind}:${id}`;
    let found = nodes.get(key);
    if (found === undefined) {
      found = { key, kind, id, level: null, entityType: null, composite: false, rank };
      nodes.set(key, found);
    }
    found.rank = Math.max(found.rank, rank);
    return found;
  };
  const edge = (from: NodeDraft, to: NodeDraft, kind: DiagramEdgeKind): void => {
    edges.set(`${from.key} ${to.key}`, { from: from.key, to: to.key, kind });
  };

  const user = node("user", resolved.user_id, 0);
  const memberships = getUser(graph, resolved.user_id);
  const levels = new Map(resolved.entities.map((entity) => [`${entity.entity_type} ${entity.entity_id}`, entity]));
  const entity = (type: EntityType, id: string): NodeDraft => {
    const found = node("entity", id, 0);
    found.entityType = type;
    found.level = levels.get(`${type} ${id}`)?.access_level ?? null;
    return found;
  };
  const grants: NodeDraft[] = [];

  for (const reached of resolved.entities) {
    for (const path of reached.grant_paths) {
      const grant = node("grant", path.grant_id, 0);
      grant.level = path.access_level;
      grants.push(grant);
      if (path.department_id !== null) {
        for (const chain of departmentChains(graph, memberships?.department_ids ?? [], path.department_id)) {
          let from = user;
          chain.forEach((id, i) => {
            const department = node("department", id, i + 1);
            edge(from, department, i === 0 ? "member" : "within");
            from = department;
          });
          edge(from, grant, "receives");
        }
      } else if (path.role_id !== null) {
        const role = node("role", path.role_id, 1);
        edge(user, role, "holds");
        edge(role, grant, "receives");
      } else {
        edge(user, grant, "receives");
      }
      const target = entity(reached.entity_type, reached.entity_id);
      if (path.composite_id === null) {
        edge(grant, target, "on");
      } else {
        // A composite holds knowledge slices only; the grant is on the composite itself.
        const composite = entity("knowledge_slice", path.composite_id);
        composite.composite = true;
        edge(grant, composite, "on");
        edge(composite, target, "contains");
      }
    }
  }

  // Grants line up in one layer after the deepest grantee, entities after the grants, and a
  // slice a composite passes a grant to after that composite (longest path: containment is acyclic).
  const grantRank = 1 + Math.max(0, ...[...nodes.values()].filter((n) => n.kind !== "grant").map(rankOfGrantee));
  for (const grant of grants) grant.rank = grantRank;
  for (const n of nodes.values()) if (n.kind === "entity") n.rank = grantRank + 1;
  for (let changed = true, rounds = 0; changed && rounds <= nodes.size; rounds++) {
    changed = false;
    for (const { from, to, kind } of edges.values()) {
      const [a, b] = [nodes.get(from), nodes.get(to)];
      if (kind === "contains" && a && b && b.rank <= a.rank) {
        b.rank = a.rank + 1;
        changed = true;
      }
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

function rankOfGrantee(n: NodeDraft): number {
  return n.kind === "department" || n.kind === "role" ? n.rank : 0;
}

/** A node placed on the picture: its top-left corner and size, in pixels. */
export interface PlacedNode extends DiagramNode {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An edge placed on the picture: its SVG path data. */
export interface PlacedEdge extends DiagramEdge {
  readonly d: string;
}

/** The laid-out diagram. */
export interface DiagramLayout {
  /** `across`: layers left to right; `down`: layers top to bottom, each wrapped to the width. */
  readonly orientation: "across" | "down";
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

const NODE_WIDTH = 176;
const NODE_HEIGHT = 46;
const MARGIN = 8;
const ACROSS_GAP_X = 56;
const ACROSS_GAP_Y = 14;
/** The narrowest a node may be when layers run down a narrow screen (its id then takes lines). */
const MIN_NODE_WIDTH = 74;
/** Narrower than this, a node is compact: short words, the id on up to three lines. */
export const COMPACT_BELOW = 140;
const COMPACT_HEIGHT = 64;
/** The room a waypoint takes in its layer (across: its height; down: its width). */
const WAYPOINT = 12;

/**
 * A place in a layer: a node, or a waypoint of an edge that skips the layer. Waypoints take
 * room of their own, so such an edge passes between nodes, never behind one.
 */
interface Slot {
  readonly key: string;
  readonly node: DiagramNode | null;
}

/** The layers of slots, and each edge as the slots it runs through, first to last. */
interface Layers {
  readonly layers: Slot[][];
  readonly routes: ReadonlyMap<DiagramEdge, readonly string[]>;
  readonly links: readonly { readonly from: string; readonly to: string }[];
}

function slotLayers(diagram: Diagram): Layers {
  const ranks = [...new Set(diagram.nodes.map((n) => n.rank))].sort((a, b) => a - b);
  const layerOf = new Map(ranks.map((rank, i) => [rank, i]));
  const layers: Slot[][] = ranks.map(() => []);
  const nodeLayer = new Map<string, number>();
  for (const n of diagram.nodes) {
    const i = layerOf.get(n.rank) ?? 0;
    layers[i]?.push({ key: n.key, node: n });
    nodeLayer.set(n.key, i);
  }
  const routes = new Map<DiagramEdge, string[]>();
  const links: { from: string; to: string }[] = [];
  diagram.edges.forEach((edge, e) => {
    const [a, b] = [nodeLayer.get(edge.from), nodeLayer.get(edge.to)];
    if (a === undefined || b === undefined) return;
    const route = [edge.from];
    for (let i = a + 1; i < b; i++) {
      const key = `~${e}:${i}`;
      layers[i]?.push({ key, node: null });
      route.push(key);
    }
    route.push(edge.to);
    for (let i = 1; i < route.length; i++) links.push({ from: route[i - 1] ?? "", to: route[i] ?? "" });
    routes.set(edge, route);
  });
  return { layers, routes, links };
}

/**
 * Orders each layer to cross fewer edges: a few sweeps placing each slot at the mean position
 * of its neighbours in the layer before (then after), starting from the order nodes were first
 * met (the resolved answer's order).
 */
function orderLayers({ layers, links }: Layers): void {
  const position = new Map<string, number>();
  const place = () => {
    for (const layer of layers) {
      layer.forEach((slot, i) => {
        position.set(slot.key, (i + 0.5) / layer.length);
      });
    }
  };
  const before = new Map<string, string[]>();
  const after = new Map<string, string[]>();
  for (const { from, to } of links) {
    before.set(to, [...(before.get(to) ?? []), from]);
    after.set(from, [...(after.get(from) ?? []), to]);
  }
  const sortLayer = (layer: Slot[], neighbours: ReadonlyMap<string, string[]>) => {
    const weight = new Map<string, number>();
    for (const slot of layer) {
      const near = (neighbours.get(slot.key) ?? []).map((k) => position.get(k) ?? 0);
      const own = position.get(slot.key) ?? 0;
      weight.set(slot.key, near.length === 0 ? own : near.reduce((a, b) => a + b, 0) / near.length);
    }
    layer.sort((a, b) => (weight.get(a.key) ?? 0) - (weight.get(b.key) ?? 0));
    place();
  };
  place();
  for (let sweep = 0; sweep < 3; sweep++) {
    for (const layer of layers.slice(1)) sortLayer(layer, before);
    for (const layer of layers.slice(0, -1).reverse()) sortLayer(layer, after);
  }
}

/** How wide the diagram is with its layers left to right at full size. */
export function acrossWidth(diagram: Diagram): number {
  const layers = new Set(diagram.nodes.map((n) => n.rank)).size;
  return 2 * MARGIN + layers * NODE_WIDTH + Math.max(0, layers - 1) * ACROSS_GAP_X;
}

/** A slot placed: a node's box, or a waypoint's (a line through it). */
interface PlacedSlot {
  readonly slot: Slot;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Places the diagram in `availableWidth` pixels: layers left to right when that fits (or fits
 * shrunk by at most a fifth), otherwise top to bottom, each layer on one line while its nodes
 * fit at the narrowest, wrapped into lines beyond that.
 */
export function layoutDiagram(diagram: Diagram, availableWidth: number): DiagramLayout {
  const sorted = slotLayers(diagram);
  orderLayers(sorted);
  const { layers } = sorted;
  const placed = new Map<string, PlacedSlot>();
  let width: number;
  let height: number;
  let orientation: DiagramLayout["orientation"];

  if (acrossWidth(diagram) * 0.8 <= availableWidth) {
    orientation = "across";
    const heightOf = (slot: Slot) => (slot.node === null ? WAYPOINT : NODE_HEIGHT);
    const columnHeight = (layer: Slot[]) =>
      layer.reduce((sum, slot) => sum + heightOf(slot), 0) + Math.max(0, layer.length - 1) * ACROSS_GAP_Y;
    const tallest = Math.max(NODE_HEIGHT, ...layers.map(columnHeight));
    width = acrossWidth(diagram);
    height = 2 * MARGIN + tallest;
    layers.forEach((layer, column) => {
      let y = MARGIN + (tallest - columnHeight(layer)) / 2;
      for (const slot of layer) {
        const x = MARGIN + column * (NODE_WIDTH + ACROSS_GAP_X);
        placed.set(slot.key, { slot, x, y, width: NODE_WIDTH, height: heightOf(slot) });
        y += heightOf(slot) + ACROSS_GAP_Y;
      }
    });
  } else {
    orientation = "down";
    width = Math.max(MIN_NODE_WIDTH + 2 * MARGIN, Math.floor(availableWidth));
    const inner = width - 2 * MARGIN;
    const gapX = 6;
    // The widest node every layer leaves room for on one line, within the bounds.
    const fitting = layers.map((layer) => {
      const nodes = layer.filter((slot) => slot.node !== null).length;
      const waypoints = layer.length - nodes;
      return nodes === 0
        ? Number.POSITIVE_INFINITY
        : (inner - waypoints * WAYPOINT - (layer.length - 1) * gapX) / nodes;
    });
    const nodeWidth = Math.floor(Math.max(MIN_NODE_WIDTH, Math.min(NODE_WIDTH + 24, inner, ...fitting)));
    const nodeHeight = nodeWidth < COMPACT_BELOW ? COMPACT_HEIGHT : NODE_HEIGHT;
    const widthOf = (slot: Slot) => (slot.node === null ? WAYPOINT : nodeWidth);
    const lineGap = 10;
    const layerGap = 34;
    let y = MARGIN;
    for (const layer of layers) {
      // Lines of as many slots as fit the width.
      const lines: Slot[][] = [[]];
      let used = 0;
      for (const slot of layer) {
        const line = lines[lines.length - 1] ?? [];
        const needed = (line.length > 0 ? gapX : 0) + widthOf(slot);
        if (line.length > 0 && used + needed > inner) {
          lines.push([slot]);
          used = widthOf(slot);
        } else {
          line.push(slot);
          used += needed;
        }
      }
      for (const line of lines) {
        const lineWidth = line.reduce((sum, slot) => sum + widthOf(slot), 0) + (line.length - 1) * gapX;
        let x = MARGIN + (inner - lineWidth) / 2;
        for (const slot of line) {
          placed.set(slot.key, { slot, x, y, width: widthOf(slot), height: nodeHeight });
          x += widthOf(slot) + gapX;
        }
        y += nodeHeight + lineGap;
      }
      y += layerGap - lineGap;
    }
    height = y - layerGap + MARGIN;
  }

  const nodes: PlacedNode[] = [];
  for (const { slot, x, y, width: w, height: h } of placed.values()) {
    if (slot.node !== null) nodes.push({ ...slot.node, x: r1(x), y: r1(y), width: w, height: h });
  }
  const edges: PlacedEdge[] = [];
  for (const [edge, route] of sorted.routes) {
    const stops = route.map((key) => placed.get(key)).filter((stop) => stop !== undefined);
    if (stops.length === route.length) edges.push({ ...edge, d: edgePath(stops, orientation) });
  }
  return { orientation, width: r1(width), height: r1(height), nodes, edges };
}

/** A coordinate to a tenth of a pixel, for short path data. */
const r1 = (n: number) => Math.round(n * 10) / 10;

/**
 * An edge through its stops: a curve from each stop to the next (leaving and arriving square
 * to the layers), and a straight line through each waypoint.
 */
function edgePath(stops: readonly PlacedSlot[], orientation: DiagramLayout["orientation"]): string {
  const across = orientation === "across";
  // Where an edge leaves a stop, and where it arrives at one.
  const out = (p: PlacedSlot): [number, number] =>
    across ? [p.x + p.width, p.y + p.height / 2] : [p.x + p.width / 2, p.y + p.height];
  const into = (p: PlacedSlot): [number, number] => (across ? [p.x, p.y + p.height / 2] : [p.x + p.width / 2, p.y]);
  const first = stops[0];
  if (first === undefined) return "";
  const [x0, y0] = out(first);
  let d = `M${r1(x0)},${r1(y0)}`;
  for (let i = 1; i < stops.length; i++) {
    const [from, to] = [stops[i - 1], stops[i]];
    if (from === undefined || to === undefined) continue;
    const [x1, y1] = out(from);
    const [x2, y2] = into(to);
    if (across) {
      const bend = Math.max(24, (x2 - x1) / 2);
      d += ` C${r1(x1 + bend)},${r1(y1)} ${r1(x2 - bend)},${r1(y2)} ${r1(x2)},${r1(y2)}`;
    } else {
      const bend = Math.max(14, (y2 - y1) / 2);
      d += ` C${r1(x1)},${r1(y1 + bend)} ${r1(x2)},${r1(y2 - bend)} ${r1(x2)},${r1(y2)}`;
    }
    if (to.slot.node === null && i < stops.length - 1) {
      const [x3, y3] = out(to);
      d += ` L${r1(x3)},${r1(y3)}`;
    }
  }
  return d;
}
