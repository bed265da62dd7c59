/// <reference lib="dom" />
import { search } from '../search';
import { searchIndex } from './data';
import { h, link } from './dom';
import { appOf, nodeHref, qualified } from './context';
import { domainPage } from './domain-page';
import type { GraphView } from './graph';
import { home } from './home';
import type { MeshMap } from './mesh-map';
import { nodePage } from './node-page';
import { mountSidebar } from './sidebar';

/**
 * The catalog page: hash routes (`#/`, `#/domain/sales`, `#/node/<id>`, `#/node/<id>/column/<name>`)
 * over the data in catalog-data.js, so the site is static files that work from disk or any web server.
 */

declare global {
  interface Window {
    /** The drawn lineage graph, for tests and for poking at from the console. */
    meshGraph?: GraphView['cy'];
  }
}

const app = appOf(window.MESH_CATALOG);
const page = document.getElementById('page')!;
const input = document.getElementById('search') as HTMLInputElement;
const results = document.getElementById('search-results') as HTMLOListElement;
const sidebar = mountSidebar(document.getElementById('nav')!, app.catalog, app.byId, (id) => nodeHref(id));
let graph: GraphView | undefined;
let map: MeshMap | undefined;

let shown = 0;

/** Draws the page the hash names; a page that needs the nodes' details waits for them (once). */
async function render(): Promise<void> {
  const turn = ++shown;
  graph?.destroy();
  graph = undefined;
  map?.dispose();
  map = undefined;
  window.meshGraph = undefined;
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const onGraph = (g: GraphView) => {
    graph = g;
    window.meshGraph = g.cy;
  };
  const mounts: Array<() => void> = [];
  let content: Node[];
  if (parts[0] === 'domain' && parts[1]) {
    sidebar.show({ domain: parts[1] });
    content = await detailed(turn, () => domainPage(app, parts[1]!));
  } else if (parts[0] === 'node' && parts[1]) {
    sidebar.show({ node: parts[1] });
    content = await detailed(turn, () => nodePage(app, parts[1]!, parts[2] === 'column' ? parts[3] : undefined, () => void render(), onGraph, (work) => mounts.push(work)));
  } else {
    const view = home(app);
    content = view.content;
    map = view.map;
    sidebar.show({});
  }
  // Another page was asked for while this one waited.
  if (turn !== shown) return;
  page.replaceChildren(...content);
  map?.connect();
  for (const work of mounts) work();
  window.scrollTo(0, 0);
}

async function detailed(turn: number, make: () => Node[]): Promise<Node[]> {
  const ready = app.details();
  const pending = setTimeout(() => {
    if (turn === shown) page.replaceChildren(h('div', { class: 'loading' }, 'Loading the catalog…'));
  }, 120);
  try {
    await ready;
    return make();
  } catch (error) {
    return [h('div', { class: 'note' }, (error as Error).message)];
  } finally {
    clearTimeout(pending);
  }
}

let asked = 0;

async function showResults(): Promise<void> {
  const query = input.value.trim();
  const turn = ++asked;
  if (!query) {
    results.hidden = true;
    return;
  }
  const index = await searchIndex();
  // A later keystroke has its own answer coming.
  if (turn !== asked) return;
  const hits = search(index, query, 30);
  const items = hits.map((hit) => {
    const node = app.catalog.nodes[hit.node]!;
    const text = index[hit.entry]![2];
    // A column's name is its entry's first field, so a hit needs no details loaded.
    const column = hit.column === -1 ? undefined : text.slice(0, text.indexOf('\u0001'));
    const a = link(nodeHref(node.id, column), '', { 'data-node': node.id, ...(column ? { 'data-column': column } : {}) });
    a.append(h('span', { class: 'kind' }, column ? 'column' : node.kind), `${qualified(node)}${column ? `.${column}` : ''}`);
    return h('li', {}, a);
  });
  results.replaceChildren(...(items.length ? items : [h('li', { class: 'more' }, 'Nothing matches.')]));
  results.hidden = false;
}

input.addEventListener('input', () => void showResults());
input.addEventListener('focus', () => void showResults());
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') results.querySelector('a')?.click();
  if (event.key === 'Escape') results.hidden = true;
});
results.addEventListener('click', () => {
  results.hidden = true;
});
document.addEventListener('click', (event) => {
  if (!(event.target as HTMLElement).closest('.search')) results.hidden = true;
});
window.addEventListener('hashchange', () => void render());
void render().then(() => {
  // For the browser test and the benchmark: the moment the first page is in the document.
  performance.mark('mesh:rendered');
  // The search index next, while the reader looks at the page; the details when a page needs them.
  void searchIndex();
});
