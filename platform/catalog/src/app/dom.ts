/// <reference lib="dom" />

type Child = Node | string | number | null | undefined | false | Child[];

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

export const link = (href: string, text: string, attrs: Record<string, string> = {}) => h('a', { href, ...attrs }, text);

export function table(headers: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLTableElement {
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

/** Key/value rows; empty values are left out so the table shows only what is known. */
export function metaTable(rows: Array<[string, Child]>): HTMLTableElement {
  return h('table', { class: 'meta' }, h('tbody', {}, rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))));
}

export const tags = (list: string[]) => list.map((t) => h('span', { class: 'tag' }, t));
