import type { Catalog, CatalogDomain, CatalogNode, SearchEntry } from './types';

/**
 * Search over every domain's nodes and columns. The index is computed when the site is generated:
 * one entry per node and per column, its text lower-cased once, starting with the name. A query is
 * then one pass of `includes` over flat strings (a few milliseconds for 10,000 models and their
 * columns), with no index structure to build in the browser.
 */

export function buildSearchIndex(nodes: readonly CatalogNode[], domains: readonly CatalogDomain[]): SearchEntry[] {
  const ownerOf = new Map(domains.map((d) => [d.name, d.owner ? `${d.owner.team} ${d.owner.email}` : '']));
  const entries: SearchEntry[] = [];
  nodes.forEach((node, n) => {
    const owner = [node.owner ?? '', ownerOf.get(node.domain) ?? ''].join(' ');
    entries.push([n, -1, [node.name, node.domain, node.kind, node.description, node.tags.join(' '), owner].join('\u0001').toLowerCase()]);
    node.columns.forEach((column, c) => {
      entries.push([n, c, [column.name, node.name, node.domain, column.description, column.tags.join(' ')].join('\u0001').toLowerCase()]);
    });
  });
  return entries;
}

export interface SearchHit {
  /** The entry's position in the index. */
  entry: number;
  node: number;
  /** -1 for the node itself. */
  column: number;
  /** Lower is better: 0 exact name, 1 name prefix, 2 name contains, 3 elsewhere (description, tags, owner). */
  rank: number;
}

/**
 * Entries matching every word of the query, best first (name matches before description matches,
 * nodes before columns, then shorter names); at most `limit`.
 */
export function search(index: readonly SearchEntry[], query: string, limit = 50): SearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const first = words[0]!;
  const hits: Array<SearchHit & { length: number }> = [];
  for (let entry = 0; entry < index.length; entry++) {
    const [node, column, text] = index[entry]!;
    let all = true;
    for (const word of words) {
      if (!text.includes(word)) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    const end = text.indexOf('\u0001');
    const name = text.slice(0, end);
    const rank = name === first ? 0 : name.startsWith(first) ? 1 : name.includes(first) ? 2 : 3;
    hits.push({ entry, node, column, rank, length: name.length });
  }
  hits.sort((a, b) => a.rank - b.rank || Number(a.column !== -1) - Number(b.column !== -1) || a.length - b.length || a.node - b.node || a.column - b.column);
  return hits.slice(0, limit).map(({ entry, node, column, rank }) => ({ entry, node, column, rank }));
}

/** The catalog's entries for a query, as names a person or a test can read: `sales.order_summary.total_value`. */
export function searchNames(catalog: Pick<Catalog, 'nodes' | 'search'>, query: string, limit = 50): string[] {
  return search(catalog.search, query, limit).map((hit) => {
    const node = catalog.nodes[hit.node]!;
    return hit.column === -1 ? `${node.domain}.${node.name}` : `${node.domain}.${node.name}.${node.columns[hit.column]!.name}`;
  });
}
