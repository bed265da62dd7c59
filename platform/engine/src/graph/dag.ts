import { MeshError } from '@mesh/errors';
import type { GraphNode } from '../types';

/** The resolved DAG: every node by unique id, with edges both ways. */
export interface Dag {
  nodes: Map<string, GraphNode>;
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

export function buildDag(nodes: Iterable<GraphNode>): Dag {
  const byId = new Map<string, GraphNode>();
  for (const node of nodes) byId.set(node.unique_id, node);
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const id of byId.keys()) {
    parents.set(id, []);
    children.set(id, []);
  }
  for (const node of byId.values()) {
    if (node.resource_type === 'source') continue;
    for (const parent of node.depends_on.nodes) {
      if (!byId.has(parent)) continue;
      parents.get(node.unique_id)!.push(parent);
      children.get(parent)!.push(node.unique_id);
    }
  }
  const dag = { nodes: byId, parents, children };
  assertAcyclic(dag);
  return dag;
}

/** Throws E_CYCLE with the cycle spelled out (`model.a -> model.b -> model.a`). */
export function assertAcyclic(dag: Dag): void {
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done
  const stack: string[] = [];
  // Iterative DFS: 10,000-model chains would overflow a recursive one.
  for (const start of dag.nodes.keys()) {
    if (state.has(start)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    state.set(start, 1);
    stack.push(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const kids = dag.children.get(top.id)!;
      if (top.next < kids.length) {
        const child = kids[top.next++]!;
        const s = state.get(child);
        if (s === 1) {
          const cycle = [...stack.slice(stack.indexOf(child)), child];
          const first = dag.nodes.get(child)!;
          throw new MeshError('E_CYCLE', `found a cycle: ${cycle.join(' -> ')}`, {
            location: { file: first.original_file_path },
            node: child,
            hint: 'A model cannot depend on itself through its refs; remove one of the refs in the cycle.',
          });
        }
        if (s === undefined) {
          state.set(child, 1);
          stack.push(child);
          work.push({ id: child, next: 0 });
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        work.pop();
      }
    }
  }
}

/** Kahn's order, stable by unique id so runs are reproducible. */
export function topoSort(dag: Dag, only?: Set<string>): string[] {
  const include = (id: string) => !only || only.has(id);
  const indegree = new Map<string, number>();
  for (const id of dag.nodes.keys()) {
    if (!include(id)) continue;
    // Counted, not filtered: no array per node just to take its length.
    let degree = 0;
    for (const parent of dag.parents.get(id)!) if (include(parent)) degree++;
    indegree.set(id, degree);
  }
  const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id).sort();
  const order: string[] = [];
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head]!;
    order.push(id);
    for (const child of dag.children.get(id)!) {
      if (!indegree.has(child)) continue;
      const d = indegree.get(child)! - 1;
      indegree.set(child, d);
      if (d === 0) ready.push(child);
    }
  }
  return order;
}

/** Nodes within `depth` edges of any seed, seeds included; one BFS for all seeds keeps a wide seed set linear. */
export function reach(dag: Dag, seeds: Iterable<string>, direction: 'up' | 'down', depth = Infinity): Set<string> {
  const edges = direction === 'up' ? dag.parents : dag.children;
  const seen = new Set(seeds);
  let frontier = [...seen];
  for (let level = 0; level < depth && frontier.length; level++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const other of edges.get(id) ?? []) {
        if (!seen.has(other)) {
          seen.add(other);
          next.push(other);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

/** All ancestors (or descendants) of a node, up to `depth` edges away, without the node itself. */
export function walk(dag: Dag, start: string, direction: 'up' | 'down', depth = Infinity): Set<string> {
  const found = reach(dag, [start], direction, depth);
  found.delete(start);
  return found;
}
