/// <reference lib="dom" />
import { h } from './dom';
import { type App, nodeHref } from './context';
import { absolute, plural } from './format';
import { meshMap, type MeshMap } from './mesh-map';

/** The home page: the mesh at a glance, as a map of domains and their data products. */
export function home(app: App): { content: Node[]; map: MeshMap } {
  const { catalog } = app;
  const products = catalog.domains.flatMap((d) => d.products);
  const models = catalog.nodes.filter((n) => n.kind === 'model').length;
  const breached = products.filter((p) => p.slo_status === 'breached' || p.slo_status === 'error').length;
  const map = meshMap(catalog, app.byId, nodeHref);
  const content = [
    h('div', { class: 'page-head' },
      h('h1', {}, 'Data mesh'),
      h('div', { class: 'sub' }, `${plural(catalog.domains.length, 'domain')}, ${plural(products.length, 'data product')}, ${plural(models, 'model')}; generated ${absolute(catalog.metadata.generated_at)}`)),
    h('div', { class: 'summary' },
      h('div', { class: 'stat' }, h('b', {}, String(products.filter((p) => p.slo_status === 'met').length)), ' meet their SLOs'),
      h('div', { class: `stat${breached ? ' stat-bad' : ''}` }, h('b', {}, String(breached)), ' breached'),
      h('div', { class: 'stat' }, h('b', {}, String(products.filter((p) => p.slo_status === 'unmeasured').length)), ' not measured yet'),
      h('div', { class: 'legend' },
        h('span', {}, h('i', { class: 'legend-line feeds' }), 'built from'),
        h('span', {}, h('i', { class: 'legend-line grant' }), 'granted to a role'))),
    h('div', { class: 'map-scroll' }, map.element),
  ];
  return { content, map };
}
