import { MeshError } from '@mesh/errors';

/**
 * The domain a schedule fired for, then every domain downstream of it (transitively), each after all
 * of its own upstreams among them: inventory -> sales -> finance. Ties keep name order, so a run's
 * order is the same every time.
 */
export function downstreamOrder(upstreamsOf: ReadonlyMap<string, readonly string[]>, root: string): string[] {
  return orderOf(upstreamsOf, reachableFrom(upstreamsOf, root), root);
}

/** Every domain, each after all of its upstreams; ties keep name order. */
export function workspaceOrder(upstreamsOf: ReadonlyMap<string, readonly string[]>): string[] {
  return orderOf(upstreamsOf, new Set(upstreamsOf.keys()));
}

function reachableFrom(upstreamsOf: ReadonlyMap<string, readonly string[]>, root: string): Set<string> {
  const downstream = new Map<string, string[]>();
  for (const [domain, ups] of upstreamsOf) {
    for (const up of ups) downstream.set(up, [...(downstream.get(up) ?? []), domain]);
  }
  const reach = new Set<string>([root]);
  const queue = [root];
  while (queue.length) {
    for (const d of downstream.get(queue.shift()!) ?? []) {
      if (!reach.has(d)) {
        reach.add(d);
        queue.push(d);
      }
    }
  }
  return reach;
}

function orderOf(upstreamsOf: ReadonlyMap<string, readonly string[]>, reach: ReadonlySet<string>, root?: string): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < reach.size) {
    const ready = [...reach]
      .filter((d) => !placed.has(d) && (upstreamsOf.get(d) ?? []).every((u) => !reach.has(u) || placed.has(u)))
      .sort();
    if (!ready.length && (placed.size > 0 || root === undefined)) {
      const stuck = [...reach].filter((d) => !placed.has(d));
      throw new MeshError('E_SCHEDULE_CYCLE', `the domains ${stuck.join(', ')} depend on each other in a cycle`, {
        hint: 'Cross-domain references must form no cycle; remove the dependency that closes it.',
      });
    }
    // The root goes first: what fired is refreshed before anything that reads it.
    const next = placed.size === 0 && root !== undefined ? root : ready[0]!;
    order.push(next);
    placed.add(next);
  }
  return order;
}
