/// <reference lib="dom" />
import type { Catalog, CatalogNode } from '../types';
import { h } from './dom';
import { count } from './format';
import { byLayer } from './layers';
import { pushTo } from '../group-by';

/**
 * The sidebar: every node, grouped by domain and then by layer (bronze, silver, gold, staging, ...),
 * each group folding open and shut. It is virtualised: only the rows in view (and a few either side)
 * are in the page, so 5,000 models cost as much as 50. Rows have one fixed height, which is what
 * lets a scroll position name the first row without measuring anything.
 */

const ROW = 26;
const OVERSCAN = 12;
/** Bigger layers start folded: a reader opens the one they want rather than scrolling past thousands. */
const FOLD_ABOVE = 200;

type Row =
  | { kind: 'domain'; key: string; domain: string; count: number; colour: number }
  | { kind: 'layer'; key: string; domain: string; layer: string; count: number }
  | { kind: 'node'; key: string; node: CatalogNode };

interface Group {
  domain: string;
  colour: number;
  layers: Array<{ layer: string; nodes: CatalogNode[] }>;
}

function groups(catalog: Pick<Catalog, 'domains' | 'nodes' | 'metadata'>, byId: ReadonlyMap<string, CatalogNode>): Group[] {
  return catalog.domains.map((d, i) => {
    const layers = new Map<string, CatalogNode[]>();
    for (const id of d.nodes) {
      const node = byId.get(id);
      if (!node) continue;
      pushTo(layers, node.layer, node);
    }
    return {
      domain: d.name,
      colour: i,
      layers: [...layers].map(([layer, nodes]) => ({ layer, nodes: nodes.sort((a, b) => a.name.localeCompare(b.name)) }))
        .sort((a, b) => byLayer(a.layer, b.layer)),
    };
  });
}

export interface Sidebar {
  /** Marks the node or domain shown in the page, opening its group and scrolling it into view. */
  show(current: { node?: string; domain?: string }): void;
}

export function mountSidebar(nav: HTMLElement, catalog: Pick<Catalog, 'domains' | 'nodes' | 'metadata'>, byId: ReadonlyMap<string, CatalogNode>, hrefOf: (id: string) => string): Sidebar {
  const all = groups(catalog, byId);
  const folded = new Set<string>();
  for (const g of all) for (const l of g.layers) if (l.nodes.length > FOLD_ABOVE) folded.add(`${g.domain}/${l.layer}`);
  let current: { node?: string; domain?: string } = {};
  let rows: Row[] = [];

  const scroller = h('div', { class: 'nav-scroll' });
  const spacer = h('div', { class: 'nav-spacer' });
  scroller.append(spacer);
  nav.replaceChildren(h('div', { class: 'nav-title' }, 'Domains and layers'), scroller);

  const flatten = () => {
    rows = [];
    for (const g of all) {
      const total = g.layers.reduce((n, l) => n + l.nodes.length, 0);
      rows.push({ kind: 'domain', key: g.domain, domain: g.domain, count: total, colour: g.colour });
      if (folded.has(g.domain)) continue;
      for (const l of g.layers) {
        const key = `${g.domain}/${l.layer}`;
        rows.push({ kind: 'layer', key, domain: g.domain, layer: l.layer, count: l.nodes.length });
        if (!folded.has(key)) for (const node of l.nodes) rows.push({ kind: 'node', key: node.id, node });
      }
    }
    spacer.style.height = `${rows.length * ROW}px`;
  };

  const rowElement = (row: Row, index: number): HTMLElement => {
    const style = `transform: translateY(${index * ROW}px)`;
    if (row.kind === 'node') {
      const n = row.node;
      return h('a', {
        class: `nav-row nav-node${current.node === n.id ? ' current' : ''}`, style, href: hrefOf(n.id), title: `${n.domain}.${n.name}`, 'data-node': n.id,
      }, h('span', { class: `kind-dot kind-${n.kind}${n.access === 'public' ? ' public' : ''}` }), n.name);
    }
    const open = !folded.has(row.key);
    const button = h('button', {
      type: 'button', class: `nav-row nav-${row.kind}${row.kind === 'domain' && current.domain === row.domain && !current.node ? ' current' : ''}`, style,
      'aria-expanded': String(open), 'data-group': row.key,
    },
    h('span', { class: 'chevron' }, open ? '▾' : '▸'),
    row.kind === 'domain' ? h('span', { class: `domain-dot colour-${row.colour % 6}` }) : null,
    h('span', { class: 'nav-label' }, row.kind === 'domain' ? row.domain : row.layer),
    h('span', { class: 'nav-count' }, count(row.count)));
    button.addEventListener('click', (event) => {
      // The domain's name opens its page; the chevron and count fold it.
      if (row.kind === 'domain' && (event.target as HTMLElement).classList.contains('nav-label')) {
        location.hash = `#/domain/${encodeURIComponent(row.domain)}`;
        return;
      }
      if (folded.has(row.key)) folded.delete(row.key);
      else folded.add(row.key);
      flatten();
      draw();
    });
    return button;
  };

  let drawn = '';
  const draw = () => {
    const top = scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((top + scroller.clientHeight) / ROW) + OVERSCAN);
    const signature = `${first}:${last}:${rows.length}:${current.node ?? ''}:${current.domain ?? ''}:${folded.size}`;
    if (signature === drawn) return;
    drawn = signature;
    spacer.replaceChildren(...rows.slice(first, last).map((row, i) => rowElement(row, first + i)));
  };

  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
  scroller.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
  flatten();
  draw();

  return {
    show(next) {
      current = next;
      const node = next.node ? byId.get(next.node) : undefined;
      if (node) {
        folded.delete(node.domain);
        folded.delete(`${node.domain}/${node.layer}`);
      }
      flatten();
      const index = rows.findIndex((r) => (node ? r.kind === 'node' && r.node.id === node.id : r.kind === 'domain' && r.domain === next.domain));
      if (index >= 0) {
        const y = index * ROW;
        if (y < scroller.scrollTop || y + ROW > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = Math.max(0, y - scroller.clientHeight / 3);
      }
      drawn = '';
      draw();
    },
  };
}
