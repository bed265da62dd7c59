/// <reference lib="dom" />
import type { CatalogDomain, CatalogNode, CatalogProduct } from '../types';
import { collapsible, h, link, metaTable, table } from './dom';
import { type App, domainHref, nodeLink, status } from './context';
import { absolute, ago, count, plural } from './format';
import { historyStrip } from './history';
import { byLayer } from './layers';
import { pushTo } from '../group-by';

/** Rows of a long table shown before "Show more": enough to scan, few enough to stay fast at 5,000. */
const TABLE_LIMIT = 50;

function productSection(app: App, d: CatalogDomain, p: CatalogProduct): HTMLElement {
  const node = p.node ? app.byId.get(p.node) : undefined;
  const tests = node?.tests ?? [];
  return h('section', { class: 'product', id: `product-${p.port}`, 'data-product': `${d.name}/${p.port}` },
    h('h3', {}, p.port, ' ', h('span', { class: `badge slo-${p.slo_status}` }, p.slo_status === 'met' ? 'SLOs met' : p.slo_status === 'unmeasured' ? 'no SLO measured' : `SLO ${p.slo_status}`)),
    p.description ? h('div', { class: 'sub' }, p.description) : null,
    metaTable([
      ['Model', node ? nodeLink(app, node.id) : p.model],
      ['Format', p.format],
      ['Contract', p.contract_version ? `version ${p.contract_version}` : null],
      ['Rows', p.row_count === null ? null : count(p.row_count)],
      ['Last build', p.last_built_at ? h('span', { title: absolute(p.last_built_at) ?? '' }, ago(p.last_built_at), ' ', status(p.build_status)) : 'not built'],
      ['Consumers', p.consumers.length ? h('span', {}, p.consumers.map((c, i) => [i ? ', ' : '', c.kind === 'domain' ? link(domainHref(c.name), c.name) : c.name,
        h('span', { class: 'muted' }, ` (${[c.reads ? 'reads' : '', c.granted ? 'granted' : '', c.kind === 'role' ? 'role' : ''].filter(Boolean).join(', ')})`)])) : null],
    ]),
    h('h4', {}, 'SLOs'),
    p.slos.length
      ? table(['SLO', 'Objective', 'Last measured', 'Result', `History (last ${plural(Math.max(...p.slos.map((s) => s.history.length)), 'run')})`],
          p.slos.map((s) => [`${s.slo}${s.column ? ` of ${s.column}` : ''}`, s.objective, h('span', { title: absolute(s.at) ?? '' }, ago(s.at)), h('span', { title: s.message }, status(s.status)), historyStrip(s.history)]),
          { class: 'slo-table' })
      : h('div', { class: 'muted' }, 'Not measured yet: the SLOs in data_product.yaml are measured after each build.'),
    h('h4', {}, 'Tests'),
    tests.length
      ? table(['Test', 'Column', 'Last result', 'History'], tests.map((t) => [t.name, t.column ?? '', status(t.status), historyStrip(t.history)]), { class: 'test-table' })
      : h('div', { class: 'muted' }, 'No tests on this model.'),
  );
}

/** One table for the domain's nodes, a group of rows per layer; a long layer shows its first rows. */
function modelsByLayer(app: App, nodes: CatalogNode[]): HTMLElement {
  const layers = new Map<string, CatalogNode[]>();
  for (const n of nodes) pushTo(layers, n.layer, n);
  const row = (n: CatalogNode) => h('tr', {}, h('td', {}, nodeLink(app, n.id)), h('td', {}, n.kind), h('td', {}, n.access ?? ''), h('td', {}, n.materialized ?? ''),
    h('td', { class: 'num' }, n.row_count === null ? '' : count(n.row_count)), h('td', {}, n.description));
  return h('table', { class: 'models' },
    h('colgroup', {}, ['28%', '9%', '10%', '12%', '9%', '32%'].map((width) => h('col', { style: `width: ${width}` }))),
    h('thead', {}, h('tr', {}, ['Name', 'Kind', 'Access', 'Materialized', 'Rows', 'Description'].map((x) => h('th', {}, x)))),
    [...layers].sort(([a], [b]) => byLayer(a, b)).flatMap(([layer, list]) => [
      h('tbody', { class: 'layer-head', 'data-layer': layer }, h('tr', {}, h('th', { colspan: '6' }, layer, ' ', h('span', { class: 'muted' }, `(${count(list.length)})`)))),
      collapsible(list.sort((a, b) => a.name.localeCompare(b.name)), row, { tag: 'tbody', limit: TABLE_LIMIT, attrs: { 'data-layer-rows': layer } }),
    ]));
}

export function domainPage(app: App, name: string): Node[] {
  const d = app.domains.get(name);
  if (!d) return [h('h1', {}, `No domain named ${name}`)];
  const nodes = d.nodes.map((id) => app.byId.get(id)!);
  return [
    h('div', { class: 'page-head' }, h('h1', {}, d.name), h('div', { class: 'sub' }, d.description)),
    metaTable([
      ['Owner', d.owner ? `${d.owner.team} <${d.owner.email}>` : null],
      ['Data product', d.product ? `${d.product.name} (${d.product.status}, ${d.product.classification})` : null],
      ['Package', d.package_name ? `${d.package_name} ${d.package_version ?? ''}` : null],
      ['Published contract', d.contract_version],
      ['Released contracts', d.released_contracts.join(', ')],
      ['Last build', d.built_at ? h('span', { title: absolute(d.built_at) ?? '' }, ago(d.built_at)) : null],
    ]),
    h('h2', {}, `Data products (${d.products.length})`),
    d.products.length ? h('div', { class: 'products' }, d.products.map((p) => productSection(app, d, p))) : h('div', { class: 'muted' }, 'None declared.'),
    h('h2', {}, 'Reads from (input ports)'),
    d.input_ports.length
      ? table(['Domain', 'Versions', 'Models'], d.input_ports.map((p) => [link(domainHref(p.domain), p.domain), p.version, p.models.join(', ')]))
      : h('div', { class: 'muted' }, 'None.'),
    h('h2', {}, `Models and sources (${count(nodes.length)})`),
    modelsByLayer(app, nodes),
  ];
}
