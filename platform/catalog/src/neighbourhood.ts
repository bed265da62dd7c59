import type { CatalogNode, ColumnRef } from './types';

/**
 * The part of the mesh graph the lineage view draws: the selected node and what lies up to N hops
 * upstream and downstream of it. Drawing 5,000 models at once helps nobody; a focused neighbourhood
 * stays readable, and a cap keeps a hub with thousands of children usable (the cut is reported).
 */

export interface Neighbourhood {
  nodes: string[];
  edges: Array<[from: string, to: string]>;
  /** True when the cap stopped the walk before the requested hops. */
  truncated: boolean;
}

export function neighbourhood(byId: ReadonlyMap<string, CatalogNode>, focus: string, up: number, down: number, cap = 400): Neighbourhood {
  const kept = new Set<string>([focus]);
  let truncated = false;
  const walk = (direction: 'parents' | 'children', hops: number) => {
    let frontier = [focus];
    for (let hop = 0; hop < hops && frontier.length; hop++) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const other of byId.get(id)?.[direction] ?? []) {
          if (kept.has(other)) continue;
          if (kept.size >= cap) {
            truncated = true;
            return;
          }
          kept.add(other);
          next.push(other);
        }
      }
      frontier = next;
    }
  };
  walk('parents', up);
  walk('children', down);
  const edges: Array<[string, string]> = [];
  for (const id of kept) for (const child of byId.get(id)?.children ?? []) if (kept.has(child)) edges.push([id, child]);
  return { nodes: [...kept], edges, truncated };
}

export interface TracedColumn extends ColumnRef {
  depth: number;
}

/** Every column the given column is computed from, however far upstream and in whichever domain. */
export function columnUpstream(byId: ReadonlyMap<string, CatalogNode>, start: ColumnRef): TracedColumn[] {
  const seen = new Set<string>([`${start.node}\u0000${start.column}`]);
  const out: TracedColumn[] = [];
  let frontier: ColumnRef[] = [start];
  for (let depth = 1; frontier.length; depth++) {
    const next: ColumnRef[] = [];
    for (const ref of frontier) {
      const column = byId.get(ref.node)?.columns.find((c) => c.name === ref.column);
      for (const source of column?.lineage ?? []) {
        const k = `${source.node}\u0000${source.column}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ ...source, depth });
        next.push(source);
      }
    }
    frontier = next;
  }
  return out;
}
