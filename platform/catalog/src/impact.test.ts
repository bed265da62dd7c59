import { describe, expect, it } from 'vitest';
import { findTarget } from './find-target';
import { impactOf } from './impact';
import { neighbourhood } from './neighbourhood';
import { buildSearchIndex, searchNames } from './search';
import type { CatalogNode, ColumnRef } from './types';

function node(id: string, columns: Record<string, ColumnRef[]>, parents: string[], extra: Partial<CatalogNode> = {}): CatalogNode {
  const [, domain, name] = id.split('.');
  return {
    id, kind: 'model', domain: domain!, name: name!, layer: 'gold', description: '', tags: [], access: 'public', materialized: 'table', group: null, owner: null,
    relation: null, path: null, compiled_sql: null, tests: [], row_count: null, last_built_at: null, build_status: null, contract_enforced: false,
    contract_version: null, version: null, latest_version: null, deprecation_date: null, parents, children: [], lineage_warnings: [],
    columns: Object.entries(columns).map(([c, lineage]) => ({ name: c, type: null, description: '', tags: [], lineage })),
    ...extra,
  };
}

/** inventory.products -> sales.order_summary -> finance.orders_pl, plus a sales model that does not read prices. */
function mesh(): CatalogNode[] {
  const nodes = [
    node('model.inventory.products', { product_id: [], price_cents: [] }, [], { description: 'Catalog prices', tags: ['pricing'] }),
    node('model.sales.order_summary', { order_id: [], total_value: [{ node: 'model.inventory.products', column: 'price_cents' }] }, ['model.inventory.products']),
    node('model.sales.customers', { customer_id: [] }, ['model.inventory.products']),
    node('model.finance.orders_pl', {
      order_id: [{ node: 'model.sales.order_summary', column: 'order_id' }],
      order_pl: [{ node: 'model.sales.order_summary', column: 'total_value' }],
    }, ['model.sales.order_summary']),
  ];
  for (const n of nodes) for (const p of n.parents) nodes.find((x) => x.id === p)!.children.push(n.id);
  return nodes;
}

describe('impact', () => {
  it('a model reaches every node downstream, with its depth, across domains', () => {
    const nodes = mesh();
    const impact = impactOf({ nodes }, findTarget({ nodes }, 'inventory.products'));
    expect(impact.downstream.map((d) => [d.id, d.depth])).toEqual([
      ['model.sales.customers', 1],
      ['model.sales.order_summary', 1],
      ['model.finance.orders_pl', 2],
    ]);
    expect(impact.domains).toEqual(['finance', 'sales']);
  });

  it('a column reaches only the columns computed from it', () => {
    const nodes = mesh();
    const impact = impactOf({ nodes }, findTarget({ nodes }, 'products.price_cents'));
    expect(impact.downstream).toEqual([
      { id: 'model.sales.order_summary', domain: 'sales', name: 'order_summary', kind: 'model', access: 'public', depth: 1, columns: ['total_value'] },
      { id: 'model.finance.orders_pl', domain: 'finance', name: 'orders_pl', kind: 'model', access: 'public', depth: 2, columns: ['order_pl'] },
    ]);
    expect(impactOf({ nodes }, findTarget({ nodes }, 'inventory.products.product_id')).downstream).toEqual([]);
  });

  it('names an unknown or ambiguous target and what to write instead', () => {
    const nodes = [...mesh(), node('model.finance.products', {}, [])];
    expect(() => findTarget({ nodes }, 'products')).toThrow("'products' names more than one thing: inventory.products, finance.products");
    expect(() => findTarget({ nodes }, 'order_sumary')).toThrow("no model, source or column in the mesh is named 'order_sumary'");
    try {
      findTarget({ nodes }, 'order_sumary');
    } catch (error) {
      expect((error as { hint?: string }).hint).toMatch(/^Did you mean sales\.order_summary\?/);
    }
  });
});

describe('search and neighbourhood', () => {
  it('finds names before descriptions, nodes before columns, in every domain', () => {
    const nodes = mesh();
    const catalog = { nodes, search: buildSearchIndex(nodes, []) };
    expect(searchNames(catalog, 'order_id')).toEqual(['sales.order_summary.order_id', 'finance.orders_pl.order_id']);
    expect(searchNames(catalog, 'pricing')).toEqual(['inventory.products']);
    expect(searchNames(catalog, 'price finance')).toEqual([]);
    // A column is found by its model's name too, after the model itself.
    expect(searchNames(catalog, 'products')).toEqual(['inventory.products', 'inventory.products.product_id', 'inventory.products.price_cents']);
  });

  it('keeps the hops asked for and says when the cap cut the view', () => {
    const byId = new Map(mesh().map((n) => [n.id, n]));
    expect(neighbourhood(byId, 'model.finance.orders_pl', 1, 1).nodes.sort()).toEqual(['model.finance.orders_pl', 'model.sales.order_summary']);
    const all = neighbourhood(byId, 'model.sales.order_summary', 5, 5);
    expect(all.nodes.sort()).toEqual(['model.finance.orders_pl', 'model.inventory.products', 'model.sales.order_summary']);
    expect(all.edges.sort()).toEqual([['model.inventory.products', 'model.sales.order_summary'], ['model.sales.order_summary', 'model.finance.orders_pl']]);
    expect(neighbourhood(byId, 'model.inventory.products', 0, 5, 2).truncated).toBe(true);
  });
});
