/// <reference lib="dom" />

export type Child = Node | string | number | null | undefined | false | Child[];

/** Creates an element; text goes in as text nodes, so no catalog content is ever parsed as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  const add = (c: Child) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else el.append(c instanceof Node ? c : String(c));
  };
  children.forEach(add);
  return el;
}

/** An SVG element (the mesh map's edges); attributes only, no text from the catalog. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: SVGElement[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

export const link = (href: string, text: string, attrs: Record<string, string> = {}) => h('a', { href, ...attrs }, text);

export function table(headers: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLTableElement {
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

/** Key/value rows; empty values are left out so the table shows only what is known. */
export function metaTable(rows: Array<[string, Child]>): HTMLTableElement {
  return h('table', { class: 'meta' }, h('tbody', {}, rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))));
}

export const tags = (list: string[]) => list.map((t) => h('span', { class: 'tag' }, t));

/**
 * A long list shown short: the first `limit` items and a button that shows the rest. The items are made
 * only when shown, so a list of 5,000 costs nothing until it is opened.
 */
export function collapsible<T>(items: readonly T[], render: (item: T) => Node, options: { limit?: number; tag?: 'ul' | 'tbody'; attrs?: Record<string, string> } = {}): HTMLElement {
  const limit = options.limit ?? 8;
  const list = h(options.tag ?? 'ul', options.attrs ?? {});
  list.append(...items.slice(0, limit).map(render));
  if (items.length > limit) {
    const rest = items.length - limit;
    const button = h('button', { type: 'button', class: 'show-more', 'data-more': String(rest) }, `Show ${rest.toLocaleString('en-US')} more`);
    button.addEventListener('click', () => {
      list.append(...items.slice(limit).map(render));
      (row ?? button).remove();
    });
    const row = options.tag === 'tbody' ? h('tr', { class: 'more-row' }, h('td', { colspan: '99' }, button)) : undefined;
    list.append(row ?? h('li', { class: 'more-row' }, button));
  }
  return list;
}
