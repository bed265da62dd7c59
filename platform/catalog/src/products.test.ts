import { describe, expect, it } from 'vitest';
import type { StoredSlo } from '@mesh/metadata';
import type { CollectedDomain } from './collect';
import { describeProducts } from './products';
import type { CatalogDomain, CatalogNode } from './types';

function node(id: string, parents: string[], extra: Partial<CatalogNode> = {}): CatalogNode {
  const [kind, domain, name] = id.split('.') as ['model', string, string];
  return {
    id, kind, domain, name, layer: 'gold', description: '', columns: [], tags: [], access: 'public', materialized: 'table', group: null, owner: null,
    relation: null, path: null, compiled_sql: null, tests: [], row_count: 10, last_built_at: '2026-07-01T05:00:00.000Z', build_status: 'success',
    contract_enforced: true, contract_version: '2.0.0', version: null, latest_version: null, deprecation_date: null, parents, children: [], lineage_warnings: [], ...extra,
  };
}

const domain = (name: string): CatalogDomain => ({
  name, package_name: null, package_version: null, contract_version: '1.0.0', released_contracts: [], description: '', owner: null, product: null,
  output_ports: [], input_ports: [], products: [], nodes: [], built_at: null, external: false,
});

const slo = (model: string, status: 'pass' | 'breach', at: string): StoredSlo =>
  ({ slo: 'row_count', model, measured: 10, objective: '>= 1', status, message: `${status}`, runId: at, measuredAt: new Date(at) });

/** What describeProducts reads of a collected domain: its name, descriptor and history. */
function collected(name: string, ports: string[], grants: Array<{ to: string[]; ports?: string[] }>, slos: StoredSlo[] = []): CollectedDomain {
  return {
    name,
    product: { output_ports: ports.map((p) => ({ name: p, model: p, format: 'duckdb' })), access: { grants: grants.map((g) => ({ ...g, pii: 'masked' })) } },
    history: { slos, tests: [] },
  } as unknown as CollectedDomain;
}

describe('data products on the mesh map', () => {
  it('names who reads a product (domains that ref it, roles its grants name), what is built from it, and its SLOs at their last measurement', () => {
    const nodes = [
      node('model.sales.order_summary', []),
      node('model.sales.customer_summary', ['model.sales.order_summary'], { tests: [{ id: 't', name: 't', column: null, status: 'fail', failures: 1, message: null, ran_at: null, history: [] }] }),
      node('model.finance.int_lines', ['model.sales.order_summary']),
      node('model.finance.orders_pl', ['model.finance.int_lines']),
      node('model.marketing.campaigns', ['model.sales.order_summary']),
    ];
    for (const n of nodes) for (const p of n.parents) nodes.find((x) => x.id === p)!.children.push(n.id);
    const domains = ['finance', 'marketing', 'sales'].map(domain);
    describeProducts(domains, nodes, [
      collected('sales', ['order_summary', 'customer_summary'], [{ to: ['finance', 'analysts'], ports: ['order_summary'] }, { to: ['*'], ports: ['customer_summary'] }],
        [slo('order_summary', 'breach', '2026-07-01T00:00:00Z'), slo('order_summary', 'pass', '2026-06-30T00:00:00Z')]),
      collected('finance', ['orders_pl'], []),
      collected('marketing', [], []),
    ]);
    const [summary, customers] = domains[2]!.products;
    // finance reads it through an intermediate model: its product is still built from it; marketing
    // reads it without a grant and has no product of its own.
    expect(summary!.consumers).toEqual([
      { name: 'finance', kind: 'domain', reads: true, granted: true },
      { name: 'marketing', kind: 'domain', reads: true, granted: false },
      { name: 'analysts', kind: 'role', reads: false, granted: true },
    ]);
    expect(summary!.feeds).toEqual(['finance/orders_pl']);
    expect(summary!.slo_status).toBe('breached');
    expect(summary!.slos[0]!.history.map((h) => h.status)).toEqual(['pass', 'breach']);
    expect(customers!.consumers).toEqual([{ name: 'everyone', kind: 'role', reads: false, granted: true }]);
    expect(customers!.slo_status).toBe('unmeasured');
    expect(customers!.tests).toEqual({ passed: 0, failed: 1, other: 0 });
    expect(domains[0]!.products[0]).toMatchObject({ port: 'orders_pl', node: 'model.finance.orders_pl', consumers: [], feeds: [], contract_version: '2.0.0', row_count: 10 });
  });
});
