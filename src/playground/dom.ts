/**
 * The few DOM helpers the playground needs: building elements (HTML and SVG) with their
 * attributes and children, and finding the page's own elements by id.
 * @module
 */

/** A child of a built element: an element, text, or nothing (skipped). */
export type Child = Node | string | null | undefined | false;

/** Attributes of a built element; `false`, `null` and `undefined` leave an attribute out. */
export type Attributes = Readonly<Record<string, string | number | boolean | null | undefined>>;

function fill<T extends Element>(element: T, attributes: Attributes, children: readonly Child[]): T {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** An HTML element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attributes, children);
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** The page's element with this id, which must be of this kind (the page is ours: anything else is a bug). */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`the playground page has no ${kind.name} #${id}`);
  return element;
}
