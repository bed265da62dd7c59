/// <reference lib="dom" />
import { columnUpstream, neighbourhood } from '../neighbourhood';
import { impactOf } from '../impact';
import { search } from '../search';
import type { Catalog, CatalogDomain, CatalogNode, ColumnRef } from '../types';
import { h, link, metaTable, table, tags } from './dom';
import { drawGraph, tracedByNode, type GraphView } from './graph';

/**
 * The catalog page: hash routes (`#/domain/sales`, `#/node/<id>`, `#/node/<id>/column/<name>`) over
 * the data in catalog-data.js, so the site is static files that work from disk or any web server.
 */

declare global {
  interface Window {
    MESH_CATALOG: Catalog;
    /** The drawn lineage graph, for tests and for poking at from the console. */
    meshGraph?: GraphView['cy'];
  }
}

const catalog = window.MESH_CATALOG;
const byId = new Map(catalog.nodes.map((n) => [n.id, n]));
const domainsByName = new Map(catalog.domains.map((d) => [d.name, d]));
const page = document.getElementById('page')!;
const input = document.getElementById('search') as HTMLInputElement;
const results = document.getElementById('search-results') as HTMLOListElement;
let graph: GraphView | undefined;
const hops = { up: 2, down: 1 };

const nodeHref = (id: string, column?: string) => `#/node/${encodeURIComponent(id)}${column ? `/column/${encodeURIComponent(column)}` : ''}`;
const qualified = (n: CatalogNode) => `${n.domain}.${n.name}`;
const nodeLink = (id: string, column?: string) => {
  const node = byId.get(id);
  const text = node ? `${qualified(node)}${column ? `.${column}` : ''}` : `${id}${column ? `.${column}` : ''}`;
  return link(nodeHref(id, column), text, { 'data-node': id, ...(column ? { 'data-column': column } : {}) });
};
const status = (s: string | null) => (s ? h('span', { class: `status-${s}` }, s) : h('span', { class: 'muted' }, 'not run'));
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : null);

function nav(): void {
  const el = document.getElementById('nav')!;
  el.replaceChildren(
    ...catalog.domains.map((d) =>
      h('div', {}, h('h3', {}, link(`#/domain/${encodeURIComponent(d.name)}`, d.name)), h('ul', {}, d.nodes.filter((id) => byId.get(id)?.kind === 'model').slice(0, 200).map((id) => h('li', {}, link(nodeHref(id), byId.get(id)!.name))))),
    ),
  );
}

function home(): Node[] {
  const models = catalog.nodes.filter((n) => n.kind === 'model').length;
  return [
    h('h1', {}, 'Data mesh catalog'),
    h('div', { class: 'sub' }, `${catalog.domains.length} domains, ${models} models, generated ${when(catalog.metadata.generated_at)}`),
    h('div', { class: 'cards' }, catalog.domains.map(domainCard)),
  ];
}

function domainCard(d: CatalogDomain): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, link(`#/domain/${encodeURIComponent(d.name)}`, d.name)),
    h('div', {}, d.description || h('span', { class: 'muted' }, d.external ? 'Known only from the domains that read it.' : 'No description.')),
    metaTable([
      ['Owner', d.owner ? `${d.owner.team} <${d.owner.email}>` : null],
      ['Contract', d.contract_version],
      ['Data products', d.output_ports.length ? d.output_ports.map((p) => p.name).join(', ') : null],
      ['Models', String(d.nodes.filter((id) => byId.get(id)?.kind === 'model').length)],
    ]),
  );
}

function domainPage(name: string): Node[] {
  const d = domainsByName.get(name);
  if (!d) return [h('h1', {}, `No domain named ${name}`)];
  const nodes = d.nodes.map((id) => byId.get(id)!);
  return [
    h('h1', {}, d.name),
    h('div', { class: 'sub' }, d.description),
    metaTable([
      ['Owner', d.owner ? `${d.owner.team} <${d.owner.email}>` : null],
      ['Data product', d.product ? `${d.product.name} (${d.product.status}, ${d.product.classification})` : null],
      ['Package', d.package_name ? `${d.package_name} ${d.package_version ?? ''}` : null],
      ['Published contract', d.contract_version],
      ['Released contracts', d.released_contracts.join(', ')],
      ['Last build', when(d.built_at)],
    ]),
    h('h2', {}, 'Data products (output ports)'),
    d.output_ports.length
      ? table(['Port', 'Model', 'Format', 'Description'], d.output_ports.map((p) => {
          const node = nodes.find((n) => n.name === p.model && n.kind === 'model');
          return [p.name, node ? nodeLink(node.id) : p.model, p.format, p.description ?? ''];
        }))
      : h('div', { class: 'muted' }, 'None declared.'),
    h('h2', {}, 'Reads from (input ports)'),
    d.input_ports.length
      ? table(['Domain', 'Versions', 'Models'], d.input_ports.map((p) => [link(`#/domain/${encodeURIComponent(p.domain)}`, p.domain), p.version, p.models.join(', ')]))
      : h('div', { class: 'muted' }, 'None.'),
    h('h2', {}, `Models and sources (${nodes.length})`),
    table(['Name', 'Kind', 'Access', 'Materialized', 'Rows', 'Description'], nodes.map((n) => [nodeLink(n.id), n.kind, n.access ?? '', n.materialized ?? '', n.row_count ?? '', n.description])),
  ];
}

function nodePage(id: string, column: string | undefined): Node[] {
  const n = byId.get(id);
  if (!n) return [h('h1', {}, `No model or source ${id}`)];
  const columnTests = (c: string) => n.tests.filter((t) => t.column === c).map((t) => h('div', {}, status(t.status), ' ', t.name));
  return [
    h('h1', { 'data-node': n.id }, qualified(n)),
    h('div', { class: 'sub' }, n.description || 'No description.'),
    metaTable([
      ['Domain', link(`#/domain/${encodeURIComponent(n.domain)}`, n.domain)],
      ['Kind', n.kind],
      ['Access', n.access],
      ['Materialized', n.materialized],
      ['Owner', n.owner],
      ['Relation', n.relation],
      ['File', n.path],
      ['Rows', n.row_count === null ? null : n.row_count.toLocaleString()],
      ['Last build', n.last_built_at ? h('span', {}, when(n.last_built_at), ' ', status(n.build_status)) : null],
      ['Contract', n.contract_enforced ? `enforced${n.contract_version ? `, version ${n.contract_version}` : ''}` : null],
      ['Version', n.version],
      ['Deprecated on', n.deprecation_date],
      ['Tags', n.tags.length ? h('span', {}, tags(n.tags)) : null],
    ]),
    h('h2', {}, `Columns (${n.columns.length})`),
    h('table', { id: 'columns' },
      h('thead', {}, h('tr', {}, ['Column', 'Type', 'Description', 'Tags', 'Computed from', 'Tests'].map((x) => h('th', {}, x)))),
      h('tbody', {}, n.columns.map((c) =>
        h('tr', { class: c.name === column ? 'selected' : undefined, 'data-column': c.name },
          h('td', {}, link(nodeHref(n.id, c.name), c.name)),
          h('td', {}, c.type ?? ''),
          h('td', {}, c.description),
          h('td', {}, tags(c.tags)),
          h('td', {}, c.lineage.map((r) => h('div', {}, nodeLink(r.node, r.column)))),
          h('td', {}, columnTests(c.name)),
        ))),
    ),
    lineageSection(n, column),
    h('h2', {}, `Tests (${n.tests.length})`),
    n.tests.length
      ? table(['Test', 'Column', 'Last result', 'Failures', 'Ran'], n.tests.map((t) => [t.name, t.column ?? '', status(t.status), t.failures ?? '', when(t.ran_at) ?? '']))
      : h('div', { class: 'muted' }, 'No tests.'),
    n.lineage_warnings.length ? h('div', {}, h('h2', {}, 'Column lineage notes'), h('ul', { class: 'note' }, n.lineage_warnings.map((w) => h('li', {}, w)))) : null,
    n.compiled_sql ? h('div', {}, h('h2', {}, 'Compiled SQL'), h('pre', { id: 'sql' }, n.compiled_sql)) : null,
  ].filter((x): x is HTMLElement => x !== null);
}

/** Groups node links by domain, so the cross-domain part of a lineage is seen at a glance. */
function byDomain(listId: string, entries: Array<{ id: string; column?: string }>, empty: string): HTMLElement {
  if (!entries.length) return h('div', { id: listId, class: 'muted' }, empty);
  const groups = new Map<string, Array<{ id: string; column?: string }>>();
  for (const e of entries) {
    const domain = byId.get(e.id)?.domain ?? '?';
    groups.set(domain, [...(groups.get(domain) ?? []), e]);
  }
  return h('div', { id: listId }, [...groups].map(([domain, list]) =>
    h('div', { 'data-domain': domain }, h('div', { class: 'domain-label' }, domain), h('ul', {}, list.map((e) => h('li', {}, nodeLink(e.id, e.column)))))));
}

function upstreamClosure(id: string): string[] {
  const seen = new Set<string>();
  const stack = [...(byId.get(id)?.parents ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(byId.get(next)?.parents ?? []));
  }
  return [...seen].sort();
}

function lineageSection(n: CatalogNode, column: string | undefined): HTMLElement {
  const traced: ColumnRef[] = column ? columnUpstream(byId, { node: n.id, column }) : [];
  const downstream = impactOf(catalog, column ? { node: n, column } : { node: n }).downstream;
  const hopSelect = (which: 'up' | 'down', text: string) => {
    const select = h('select', { id: `hops-${which}` }, [0, 1, 2, 3, 5, 10, 99].map((v) => h('option', { value: String(v), ...(v === hops[which] ? { selected: '' } : {}) }, v === 99 ? 'all' : String(v))));
    select.addEventListener('change', () => {
      hops[which] = Number(select.value);
      render();
    });
    return h('label', {}, `${text} `, select);
  };
  const container = h('div', { id: 'graph' });
  const area = neighbourhood(byId, n.id, Math.max(hops.up, column ? 99 : 0), hops.down);
  const section = h('section', { id: 'lineage' },
    h('h2', {}, column ? `Lineage of ${n.name}.${column}` : 'Lineage'),
    h('div', { class: 'controls' },
      hopSelect('up', 'Upstream hops'),
      hopSelect('down', 'Downstream hops'),
      column ? link(nodeHref(n.id), 'show the model lineage') : h('span', { class: 'muted' }, 'Choose a column to follow it across domains.'),
      area.truncated ? h('span', { class: 'note' }, `Showing the nearest ${area.nodes.length} nodes; lower the hops to see fewer.`) : null,
    ),
    container,
    h('div', { class: 'lineage-lists' },
      column
        ? h('div', {}, h('h3', {}, `${column} is computed from`), byDomain('column-upstream', traced.map((r) => ({ id: r.node, column: r.column })), 'No upstream column: a constant, a file or an unnamed source.'))
        : h('div', {}, h('h3', {}, 'Upstream'), byDomain('upstream', upstreamClosure(n.id).map((id) => ({ id })), 'Nothing upstream.')),
      h('div', {}, h('h3', {}, column ? `Computed from ${column} (impact)` : 'Downstream (impact)'),
        byDomain('downstream', downstream.flatMap((d) => (d.columns ? d.columns.map((c) => ({ id: d.id, column: c })) : [{ id: d.id }])), 'Nothing downstream.')),
    ),
  );
  // Cytoscape measures its container, so it is drawn once the section is in the page.
  queueMicrotask(() => {
    graph = drawGraph(container, area, byId, n.id, tracedByNode(traced), (id) => (location.hash = nodeHref(id)));
    window.meshGraph = graph.cy;
  });
  return section;
}

function render(): void {
  graph?.destroy();
  graph = undefined;
  window.meshGraph = undefined;
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  let content: Node[];
  if (parts[0] === 'domain' && parts[1]) content = domainPage(parts[1]);
  else if (parts[0] === 'node' && parts[1]) content = nodePage(parts[1], parts[2] === 'column' ? parts[3] : undefined);
  else content = home();
  page.replaceChildren(...content);
  window.scrollTo(0, 0);
}

function showResults(): void {
  const query = input.value.trim();
  if (!query) {
    results.hidden = true;
    return;
  }
  const hits = search(catalog.search, query, 30);
  const items = hits.map((hit) => {
    const node = catalog.nodes[hit.node]!;
    const column = hit.column === -1 ? undefined : node.columns[hit.column]!.name;
    const a = link(nodeHref(node.id, column), '', { 'data-node': node.id, ...(column ? { 'data-column': column } : {}) });
    a.append(h('span', { class: 'kind' }, column ? 'column' : node.kind), `${qualified(node)}${column ? `.${column}` : ''}`);
    return h('li', {}, a);
  });
  results.replaceChildren(...(items.length ? items : [h('li', { class: 'more' }, 'Nothing matches.')]));
  results.hidden = false;
}

input.addEventListener('input', showResults);
input.addEventListener('focus', showResults);
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
window.addEventListener('hashchange', render);
nav();
render();
