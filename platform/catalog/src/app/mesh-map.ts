/// <reference lib="dom" />
import type { Catalog, CatalogDomain, CatalogNode, CatalogProduct } from '../types';
import { h, svg } from './dom';
import { absolute, ago, count, plural } from './format';

/**
 * The mesh map on the home page: every domain as a box holding its data products, in columns by
 * dependency (a domain sits right of every domain it reads), the roles its grants name beside the
 * producers, and an arrow from a product to each product built from it (or role granted it). The boxes
 * are laid out by CSS (so text wraps as it needs); the arrows are drawn once the boxes have their sizes,
 * and again when the window changes size.
 */

const SLO_TEXT: Record<CatalogProduct['slo_status'], string> = { met: 'SLOs met', breached: 'SLO breached', error: 'SLO could not be measured', unmeasured: 'no SLO measured' };

interface Column {
  domains: CatalogDomain[];
  roles: string[];
}

/** Domains read from other domains' products; a domain's rank is one more than its upstreams' highest. */
function columns(catalog: Pick<Catalog, 'domains'>): Column[] {
  const upstreams = new Map<string, Set<string>>(catalog.domains.map((d) => [d.name, new Set<string>()]));
  const roles = new Map<string, Set<string>>();
  for (const d of catalog.domains) {
    for (const p of d.products) {
      for (const c of p.consumers) {
        if (c.kind === 'domain' && c.reads) upstreams.get(c.name)?.add(d.name);
        if (c.kind === 'role') roles.set(c.name, new Set([...(roles.get(c.name) ?? []), d.name]));
      }
    }
    for (const i of d.input_ports) if (i.domain !== d.name && upstreams.has(i.domain)) upstreams.get(d.name)!.add(i.domain);
  }
  const rank = new Map<string, number>();
  const rankOf = (name: string, seen = new Set<string>()): number => {
    const known = rank.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0;
    seen.add(name);
    const r = Math.max(-1, ...[...(upstreams.get(name) ?? [])].map((u) => rankOf(u, seen))) + 1;
    rank.set(name, r);
    return r;
  };
  const out: Column[] = [];
  const at = (i: number) => (out[i] ??= { domains: [], roles: [] });
  for (const d of catalog.domains) at(rankOf(d.name)).domains.push(d);
  // A role stands just right of the rightmost domain that grants it something, but never in a column
  // of its own: the map stays as wide as the mesh is deep.
  const last = out.length - 1;
  for (const [role, granters] of roles) at(Math.min(last, Math.max(...[...granters].map((g) => rankOf(g))) + 1)).roles.push(role);
  for (let i = 0; i < out.length; i++) at(i);
  // Each column in the order of the rows its upstreams are on, so arrows cross as little as they can.
  const row = new Map<string, number>();
  out.forEach((col) => {
    const centre = (d: CatalogDomain) => {
      const ups = [...(upstreams.get(d.name) ?? [])].map((u) => row.get(u) ?? 0);
      return ups.length ? ups.reduce((a, b) => a + b, 0) / ups.length : 0;
    };
    col.domains.sort((a, b) => centre(a) - centre(b) || a.name.localeCompare(b.name));
    col.domains.forEach((d, i) => row.set(d.name, i));
    col.roles.sort();
  });
  return out;
}

function productCard(domain: CatalogDomain, p: CatalogProduct, byId: ReadonlyMap<string, CatalogNode>, nodeHref: (id: string) => string): HTMLElement {
  const node = p.node ? byId.get(p.node) : undefined;
  const testsTotal = p.tests.passed + p.tests.failed + p.tests.other;
  const readers = p.consumers.map((c) => (c.kind === 'role' ? `${c.name} (role)` : c.name));
  return h('article', { class: `product-card slo-${p.slo_status}`, 'data-product': `${domain.name}/${p.port}` },
    h('div', { class: 'card-head' },
      node ? h('a', { class: 'product-name', href: nodeHref(node.id), title: p.description ?? '' }, p.port) : h('span', { class: 'product-name' }, p.port),
      p.contract_version ? h('span', { class: 'version', title: 'contract version' }, `v${p.contract_version}`) : null),
    h('div', { class: 'card-sub' }, [p.model !== p.port ? p.model : node?.layer ? `${node.layer}.${p.model}` : p.model, p.row_count === null ? null : `${count(p.row_count)} rows`].filter(Boolean).join(' · ')),
    h('div', { class: 'card-badges' },
      h('span', { class: `badge slo-${p.slo_status}`, title: p.slos.map((s) => `${s.slo}${s.column ? ` of ${s.column}` : ''}: ${s.message}`).join('\n') || 'No SLO measured yet' }, SLO_TEXT[p.slo_status]),
      testsTotal ? h('span', { class: `badge ${p.tests.failed ? 'tests-failed' : 'tests-ok'}` }, `tests ${p.tests.passed}/${testsTotal}`) : null),
    h('div', { class: 'card-built', title: absolute(p.last_built_at) ?? '' }, p.last_built_at ? `built ${ago(p.last_built_at)}${p.build_status && p.build_status !== 'success' ? ` (${p.build_status})` : ''}` : 'not built'),
    h('div', { class: 'card-consumers' }, readers.length ? `→ ${readers.join(', ')}` : h('span', { class: 'muted' }, 'no consumers yet')),
  );
}

function domainBox(d: CatalogDomain, colour: number, byId: ReadonlyMap<string, CatalogNode>, nodeHref: (id: string) => string): HTMLElement {
  const nodes = d.nodes.map((id) => byId.get(id)).filter((n): n is CatalogNode => n !== undefined);
  const models = nodes.filter((n) => n.kind === 'model').length;
  const sources = nodes.filter((n) => n.kind === 'source').length;
  return h('section', { class: `domain-box colour-${colour % 6}`, 'data-domain': d.name },
    h('header', {},
      h('div', { class: 'box-title' }, h('a', { href: `#/domain/${encodeURIComponent(d.name)}` }, d.name), d.contract_version ? h('span', { class: 'version' }, d.contract_version) : null),
      h('div', { class: 'box-owner' }, d.owner?.team ?? (d.external ? 'outside this workspace' : 'no owner declared')),
      h('div', { class: 'box-count' }, [plural(models, 'model'), sources ? plural(sources, 'source') : null].filter(Boolean).join(' · '))),
    d.products.length
      ? d.products.map((p) => productCard(d, p, byId, nodeHref))
      : h('div', { class: 'no-products', 'data-product': `${d.name}/` }, d.external ? 'Known from the domains that read it.' : 'No data products declared.'),
  );
}

export interface MeshMap {
  element: HTMLElement;
  /** Draws the arrows; call once the map is in the page. */
  connect(): void;
  dispose(): void;
}

export function meshMap(catalog: Pick<Catalog, 'domains' | 'nodes' | 'metadata'>, byId: ReadonlyMap<string, CatalogNode>, nodeHref: (id: string) => string): MeshMap {
  const colourOf = new Map(catalog.domains.map((d, i) => [d.name, i]));
  const cols = columns(catalog);
  const edges = h('div', { class: 'map-edges' });
  const map = h('div', { class: 'mesh-map', role: 'figure', 'aria-label': 'Domains, their data products and who reads them' },
    edges,
    cols.map((c) => h('div', { class: 'map-column' },
      c.domains.map((d) => domainBox(d, colourOf.get(d.name) ?? 0, byId, nodeHref)),
      c.roles.map((r) => h('div', { class: 'role-node', 'data-role': r }, h('span', { class: 'role-name' }, r), h('span', { class: 'role-kind' }, 'role'))))),
  );

  /** `to` is a product (`domain/port`), a role, or a domain whose box the arrow ends at. */
  const arrows: Array<{ from: string; to: string; target: string; kind: 'feeds' | 'grant'; colour: number }> = [];
  for (const d of catalog.domains) {
    const colour = colourOf.get(d.name) ?? 0;
    for (const p of d.products) {
      const from = `${d.name}/${p.port}`;
      for (const f of p.feeds) arrows.push({ from, to: f, target: `[data-product="${CSS.escape(f)}"]`, kind: 'feeds', colour });
      for (const c of p.consumers) {
        if (c.kind === 'role') arrows.push({ from, to: c.name, target: `[data-role="${CSS.escape(c.name)}"]`, kind: 'grant', colour });
        // A domain that reads the product but has no product built from it: the arrow ends at its box.
        else if (c.reads && !p.feeds.some((f) => f.startsWith(`${c.name}/`))) arrows.push({ from, to: c.name, target: `[data-domain="${CSS.escape(c.name)}"] header`, kind: 'feeds', colour });
      }
    }
  }

  /**
   * An arrow leaves its product's domain box on the right and enters the target's box on the left, at
   * the height of the product; one that spans columns runs in a lane above the boxes between, so it never
   * hides behind one; one to a role in its own column loops round on the right.
   */
  const connect = () => {
    const origin = map.getBoundingClientRect();
    const rect = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { left: r.left - origin.left, right: r.right - origin.left, top: r.top - origin.top, bottom: r.bottom - origin.top, y: r.top - origin.top + Math.min(r.height / 2, 24) };
    };
    const columnEls = [...map.querySelectorAll(':scope > .map-column')];
    const columnRects = columnEls.map(rect);
    const columnOf = (el: Element) => columnEls.findIndex((c) => c.contains(el));
    const lanes = new Map<string, number>();
    const paths: SVGElement[] = [];
    for (const a of arrows) {
      const source = map.querySelector(`[data-product="${CSS.escape(a.from)}"]`);
      const target = map.querySelector(a.target);
      if (!source || !target) continue;
      const outer = (el: Element) => el.closest('.domain-box, .role-node') ?? el;
      const [s, t] = [rect(source), rect(target)];
      const [sb, tb] = [rect(outer(source)), rect(outer(target))];
      const [from, to] = [columnOf(source), columnOf(target)];
      let d: string;
      if (to === from) {
        const x = Math.max(sb.right, tb.right);
        d = `M ${sb.right} ${s.y} C ${x + 46} ${s.y}, ${x + 46} ${t.y}, ${tb.right + 8} ${t.y}`;
      } else if (to === from + 1) {
        const bend = Math.max(30, (tb.left - sb.right) / 2);
        d = `M ${sb.right} ${s.y} C ${sb.right + bend} ${s.y}, ${tb.left - bend} ${t.y}, ${tb.left - 8} ${t.y}`;
      } else {
        const between = columnRects.slice(from + 1, to);
        const key = `${from}-${to}`;
        const lane = lanes.get(key) ?? lanes.size;
        lanes.set(key, lane);
        const y = Math.min(...between.map((c) => c.top)) - 12 - 7 * lane;
        const [gapOut, gapIn] = [(sb.right + between[0]!.left) / 2, (between.at(-1)!.right + tb.left) / 2];
        d = `M ${sb.right} ${s.y} C ${gapOut} ${s.y}, ${gapOut - 20} ${y}, ${gapOut + 10} ${y} L ${gapIn - 10} ${y} C ${gapIn + 20} ${y}, ${gapIn} ${t.y}, ${tb.left - 8} ${t.y}`;
      }
      paths.push(svg('path', { d, class: `edge edge-${a.kind} colour-${a.colour % 6}`, 'marker-end': `url(#arrow-${a.kind})`, 'data-from': a.from, 'data-to': a.to }));
    }
    const marker = (id: string) => svg('marker', { id, viewBox: '0 0 10 10', refX: 1, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `arrowhead ${id}` }));
    edges.replaceChildren(svg('svg', { width: map.scrollWidth, height: map.scrollHeight, class: 'map-svg' }, svg('defs', {}, marker('arrow-feeds'), marker('arrow-grant')), ...paths));
  };
  const onResize = () => requestAnimationFrame(connect);
  window.addEventListener('resize', onResize);
  return { element: map, connect, dispose: () => window.removeEventListener('resize', onResize) };
}
