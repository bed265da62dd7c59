import type { Catalog, CatalogNode, ColumnRef } from './types';

/**
 * What a change to a model or a column reaches: every node downstream of it, in every domain. At model
 * level that is the closure over children; at column level, the closure over column lineage (the
 * columns computed from it, the columns computed from those, ...), with the models holding them.
 */

export interface ImpactedNode {
  id: string;
  domain: string;
  name: string;
  kind: string;
  access: string | null;
  /** Hops from the start: 1 for a direct child. */
  depth: number;
  /** For a column's impact: the columns of this node computed from it, directly or not. */
  columns?: string[];
}

export interface Impact {
  target: { node: string; column?: string };
  downstream: ImpactedNode[];
  /** Domains reached, the target's own included when something of it is downstream. */
  domains: string[];
}

export interface ImpactTarget {
  node: CatalogNode;
  column?: string;
}

const key = (r: ColumnRef) => `${r.node}\u0000${r.column}`;

export function impactOf(catalog: Pick<Catalog, 'nodes'>, target: ImpactTarget): Impact {
  const byId = new Map(catalog.nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const columns = new Map<string, Set<string>>();
  if (target.column === undefined) {
    const queue = [target.node.id];
    depth.set(target.node.id, 0);
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      for (const child of byId.get(id)?.children ?? []) {
        if (depth.has(child)) continue;
        depth.set(child, depth.get(id)! + 1);
        queue.push(child);
      }
    }
  } else {
    // Column readers: upstream column -> the columns computed from it.
    const readers = new Map<string, ColumnRef[]>();
    for (const node of catalog.nodes) {
      for (const column of node.columns) {
        for (const source of column.lineage) {
          const k = key(source);
          const list = readers.get(k);
          const ref = { node: node.id, column: column.name };
          if (list) list.push(ref);
          else readers.set(k, [ref]);
        }
      }
    }
    const start = { node: target.node.id, column: target.column };
    const seen = new Set([key(start)]);
    const queue: Array<{ ref: ColumnRef; hops: number }> = [{ ref: start, hops: 0 }];
    depth.set(start.node, 0);
    for (let i = 0; i < queue.length; i++) {
      const { ref, hops } = queue[i]!;
      for (const reader of readers.get(key(ref)) ?? []) {
        if (seen.has(key(reader))) continue;
        seen.add(key(reader));
        queue.push({ ref: reader, hops: hops + 1 });
        if (!depth.has(reader.node)) depth.set(reader.node, hops + 1);
        let set = columns.get(reader.node);
        if (!set) columns.set(reader.node, (set = new Set()));
        set.add(reader.column);
      }
    }
  }
  depth.delete(target.node.id);
  const downstream: ImpactedNode[] = [...depth.entries()]
    .map(([id, d]) => {
      const node = byId.get(id)!;
      const entry: ImpactedNode = { id, domain: node.domain, name: node.name, kind: node.kind, access: node.access, depth: d };
      const cols = columns.get(id);
      if (cols) entry.columns = [...cols].sort();
      return entry;
    })
    .sort((a, b) => a.depth - b.depth || a.id.localeCompare(b.id));
  return {
    target: target.column === undefined ? { node: target.node.id } : { node: target.node.id, column: target.column },
    downstream,
    domains: [...new Set(downstream.map((d) => d.domain))].sort(),
  };
}
