/// <reference lib="dom" />
import type { CatalogDomain, CatalogNode, CatalogSummary } from '../types';
import { loadDetails } from './data';
import { h, link } from './dom';

/**
 * What every page reads: the catalog, its indexes, and how the page names and links a node. The nodes
 * are whole once `details()` has resolved; pages that show columns, SQL or tests wait for it, the home
 * page and the sidebar read only what the summary carries.
 */
export interface App {
  catalog: { metadata: CatalogSummary['metadata']; domains: CatalogDomain[]; nodes: CatalogNode[] };
  byId: ReadonlyMap<string, CatalogNode>;
  domains: ReadonlyMap<string, CatalogDomain>;
  details(): Promise<void>;
}

export function appOf(summary: CatalogSummary): App {
  // The summaries are completed in place by loadDetails; until then only summary fields are read.
  const nodes = summary.nodes as CatalogNode[];
  return {
    catalog: { metadata: summary.metadata, domains: summary.domains, nodes },
    byId: new Map(nodes.map((n) => [n.id, n])),
    domains: new Map(summary.domains.map((d) => [d.name, d])),
    details: () => loadDetails(nodes),
  };
}

export const nodeHref = (id: string, column?: string) => `#/node/${encodeURIComponent(id)}${column ? `/column/${encodeURIComponent(column)}` : ''}`;
export const domainHref = (name: string) => `#/domain/${encodeURIComponent(name)}`;
export const qualified = (n: CatalogNode) => `${n.domain}.${n.name}`;

export function nodeLink(app: App, id: string, column?: string): HTMLAnchorElement {
  const node = app.byId.get(id);
  const text = node ? `${qualified(node)}${column ? `.${column}` : ''}` : `${id}${column ? `.${column}` : ''}`;
  return link(nodeHref(id, column), text, { 'data-node': id, ...(column ? { 'data-column': column } : {}) });
}

export const status = (s: string | null) => (s ? h('span', { class: `status status-${s}` }, s) : h('span', { class: 'muted' }, 'not run'));
