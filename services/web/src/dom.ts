/** A child accepted by `h`: nodes, text, or nothing (skipped). */
export type Child = Node | string | number | null | undefined | false;

/** Attributes of an element made by `h`; `true` sets an empty attribute, `false`/`undefined` omit it. */
export type Attributes = Record<string, string | number | boolean | undefined>;

/**
 * Makes an element: `h("button", { type: "button", class: "primary" }, "Fight!")`. Text is
 * always set as text, never parsed as HTML, so names from the data services cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children to `parent`, skipping empty ones. */
export function append(parent: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === "number" ? String(child) : child);
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** The element with `id`; throws when index.html lacks it (a build mistake, not a runtime condition). */
export function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`index.html has no element #${id}`);
  return element;
}

/** `1234567` → `"1,234,567"`. */
export function formatCount(value: number | bigint): string {
  return countFormat.format(value);
}

const countFormat = new Intl.NumberFormat("en");

const svgNamespace = "http://www.w3.org/2000/svg";

/** Makes an SVG element, like `h` for HTML: `svg("line", { x1: 0, y1: 0, x2: 10, y2: 0 })`. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}
