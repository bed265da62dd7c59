import type { ColumnRef } from '../types';

/** For the graph's labels: the traced columns grouped by node. */
export function tracedByNode(refs: readonly ColumnRef[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of refs) {
    const list = out.get(r.node);
    if (list) list.push(r.column);
    else out.set(r.node, [r.column]);
  }
  return out;
}
