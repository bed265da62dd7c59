/// <reference lib="dom" />
import { impactOf } from '../impact';
import { columnUpstream, neighbourhood } from '../neighbourhood';
import type { CatalogNode, ColumnRef } from '../types';
import { collapsible, h, link, metaTable, table, tags } from './dom';
import { type App, domainHref, nodeHref, nodeLink, qualified, status } from './context';
import { absolute, count } from './format';
import { graphDrawer } from './data';
import type { GraphView } from './graph';
import { tracedByNode } from './traced';
import { historyStrip } from './history';
import { pushTo } from '../group-by';

/** Entries per domain in the upstream and downstream lists before "Show more". */
const LIST_LIMIT = 8;
const COLUMN_LIMIT = 100;

export const hops = { up: 2, down: 1 };

/** Groups node links by domain, so the cross-domain part of a lineage is seen at a glance; long groups fold. */
function byDomain(app: App, listId: string, entries: Array<{ id: string; column?: string }>, empty: string): HTMLElement {
  if (!entries.length) return h('div', { id: listId, class: 'muted' }, empty);
  const groups = new Map<string, Array<{ id: string; column?: string }>>();
  for (const e of entries) {
    const domain = app.byId.get(e.id)?.domain ?? '?';
    pushTo(groups, domain, e);
  }
  return h('div', { id: listId }, [...groups].map(([domain, list]) =>
    h('div', { 'data-domain': domain },
      h('div', { class: 'domain-label' }, domain, ' ', h('span', { class: 'muted' }, `(${count(list.length)})`)),
      collapsible(list, (e) => h('li', {}, nodeLink(app, e.id, e.column)), { limit: LIST_LIMIT }))));
}

function upstreamClosure(app: App, id: string): string[] {
  const seen = new Set<string>();
  const stack = [...(app.byId.get(id)?.parents ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(app.byId.get(next)?.parents ?? []));
  }
  return [...seen].sort();
}

/** What a page does once it is in the document (drawing needs its container's size). */
export type OnMount = (work: () => void) => void;

function lineageSection(app: App, n: CatalogNode, column: string | undefined, rerender: () => void, onGraph: (g: GraphView) => void, onMount: OnMount): HTMLElement {
  const traced: ColumnRef[] = column ? columnUpstream(app.byId, { node: n.id, column }) : [];
  const downstream = impactOf(app.catalog, column ? { node: n, column } : { node: n }).downstream;
  const hopSelect = (which: 'up' | 'down', text: string) => {
    const select = h('select', { id: `hops-${which}` }, [0, 1, 2, 3, 5, 10, 99].map((v) => h('option', { value: String(v), ...(v === hops[which] ? { selected: '' } : {}) }, v === 99 ? 'all' : String(v))));
    select.addEventListener('change', () => {
      hops[which] = Number(select.value);
      rerender();
    });
    return h('label', {}, `${text} `, select);
  };
  const container = h('div', { id: 'graph' });
  const area = neighbourhood(app.byId, n.id, Math.max(hops.up, column ? 99 : 0), hops.down);
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
        ? h('div', {}, h('h3', {}, `${column} is computed from`), byDomain(app, 'column-upstream', traced.map((r) => ({ id: r.node, column: r.column })), 'No upstream column: a constant, a file or an unnamed source.'))
        : h('div', {}, h('h3', {}, 'Upstream'), byDomain(app, 'upstream', upstreamClosure(app, n.id).map((id) => ({ id })), 'Nothing upstream.')),
      h('div', {}, h('h3', {}, column ? `Computed from ${column} (impact)` : 'Downstream (impact)'),
        byDomain(app, 'downstream', downstream.flatMap((d) => (d.columns ? d.columns.map((c) => ({ id: d.id, column: c })) : [{ id: d.id }])), 'Nothing downstream.')),
    ),
  );
  // Cytoscape measures its container, so it is drawn once the section is in the page and its script loaded.
  const drawer = graphDrawer();
  onMount(() => void drawer.then((draw) => {
    if (container.isConnected) onGraph(draw(container, area, app.byId, n.id, tracedByNode(traced), (id) => (location.hash = nodeHref(id))));
  }, (error: Error) => container.replaceChildren(h('div', { class: 'note' }, error.message))));
  return section;
}

export function nodePage(app: App, id: string, column: string | undefined, rerender: () => void, onGraph: (g: GraphView) => void, onMount: OnMount): Node[] {
  const n = app.byId.get(id);
  if (!n) return [h('h1', {}, `No model or source ${id}`)];
  const columnTests = (c: string) => n.tests.filter((t) => t.column === c).map((t) => h('div', {}, status(t.status), ' ', t.name));
  return [
    h('div', { class: 'page-head' }, h('h1', { 'data-node': n.id }, qualified(n)), h('div', { class: 'sub' }, n.description || 'No description.')),
    metaTable([
      ['Domain', link(domainHref(n.domain), n.domain)],
      ['Kind', n.kind],
      ['Layer', n.layer],
      ['Access', n.access],
      ['Materialized', n.materialized],
      ['Owner', n.owner],
      ['Relation', n.relation],
      ['File', n.path],
      ['Rows', n.row_count === null ? null : count(n.row_count)],
      ['Last build', n.last_built_at ? h('span', {}, absolute(n.last_built_at), ' ', status(n.build_status)) : null],
      ['Contract', n.contract_enforced ? `enforced${n.contract_version ? `, version ${n.contract_version}` : ''}` : null],
      ['Version', n.version],
      ['Deprecated on', n.deprecation_date],
      ['Tags', n.tags.length ? h('span', {}, tags(n.tags)) : null],
    ]),
    h('h2', {}, `Columns (${count(n.columns.length)})`),
    h('table', { id: 'columns' },
      h('colgroup', {}, ['15%', '10%', '27%', '8%', '22%', '18%'].map((width) => h('col', { style: `width: ${width}` }))),
      h('thead', {}, h('tr', {}, ['Column', 'Type', 'Description', 'Tags', 'Computed from', 'Tests'].map((x) => h('th', {}, x)))),
      // The selected column is always shown, even past the fold.
      collapsible([...n.columns].sort((a, b) => Number(b.name === column) - Number(a.name === column)), (c) =>
        h('tr', { class: c.name === column ? 'selected' : undefined, 'data-column': c.name },
          h('td', {}, link(nodeHref(n.id, c.name), c.name)),
          h('td', { class: 'type' }, c.type ?? ''),
          h('td', {}, c.description),
          h('td', {}, tags(c.tags)),
          h('td', {}, c.lineage.map((r) => h('div', {}, nodeLink(app, r.node, r.column)))),
          h('td', {}, columnTests(c.name)),
        ), { tag: 'tbody', limit: COLUMN_LIMIT })),
    lineageSection(app, n, column, rerender, onGraph, onMount),
    h('h2', {}, `Tests (${n.tests.length})`),
    n.tests.length
      ? table(['Test', 'Column', 'Last result', 'Failures', 'Ran', 'History'], n.tests.map((t) => [t.name, t.column ?? '', status(t.status), t.failures ?? '', absolute(t.ran_at) ?? '', historyStrip(t.history)]), { class: 'test-table' })
      : h('div', { class: 'muted' }, 'No tests.'),
    n.lineage_warnings.length ? h('div', {}, h('h2', {}, 'Column lineage notes'), h('ul', { class: 'note' }, n.lineage_warnings.map((w) => h('li', {}, w)))) : null,
    n.compiled_sql ? h('div', {}, h('h2', {}, 'Compiled SQL'), h('pre', { id: 'sql' }, n.compiled_sql)) : null,
  ].filter((x): x is HTMLElement => x !== null);
}
