import { describe, expect, it } from 'vitest';
import type { ModelNode } from '@mesh/engine';
import { parseDataProduct } from '@mesh/governance';
import { consumerView } from './consumer-view';
import { accessSection, planPublication } from './publication-plan';

const model = (name: string, columns: Array<Partial<ModelNode['columns'][number]> & { name: string }>, version?: string): ModelNode => ({
  unique_id: `model.sales.${name}${version ? `.v${version}` : ''}`, resource_type: 'model', name, package_name: 'sales', original_file_path: `models/${name}.sql`,
  fqn: ['sales', name], description: '', tags: [], meta: {},
  config: { materialized: 'table', schema: 'gold', tags: [], enabled: true, access: 'public', contract: { enforced: true }, meta: {} },
  columns: columns.map((c) => ({ description: '', constraints: [], tags: [], meta: {}, ...c })),
  raw_code: '', refs: [], sources: [], depends_on: { nodes: [], macros: [] }, database: 'sales', schema: 'gold', alias: name, version, checksum: '',
});

const MODELS = [
  model('order_summary', [{ name: 'order_id' }]),
  model('customer_summary', [{ name: 'customer_id' }, { name: 'email', tags: ['pii'], meta: { masking: 'hash' } }, { name: 'phone', tags: ['pii'] }]),
  model('audit_log', [{ name: 'id' }]),
];

const PRODUCT = parseDataProduct('data_product.yaml', `name: teddy-sales
domain: sales
owner: {team: Sales data team, email: sales@example.com}
description: Orders.
status: active
classification: confidential
output_ports:
  - {name: orders, model: order_summary, format: duckdb}
  - {name: customers, model: customer_summary, format: duckdb}
access:
  grants:
    - {to: [finance], ports: [orders, customers], pii: refused}
    - {to: [analysts], ports: [customers]}
`);

describe('publication plan', () => {
  it('without grants: one database for everyone, personal columns masked as declared, unmasked ones nulled', () => {
    const plan = planPublication('sales', MODELS, undefined);
    expect(plan.shares).toEqual([]);
    expect(plan.open?.file).toBe('sales.duckdb');
    expect(plan.open?.models[1]!.relation.masks).toEqual([{ column: 'email', method: 'hash' }, { column: 'phone', method: 'null' }]);
  });

  it('with grants: a database per grantee with its ports only, personal columns per its treatment', () => {
    const plan = planPublication('sales', MODELS, PRODUCT);
    expect(plan.open).toBeUndefined();
    const byConsumer = Object.fromEntries(plan.shares.map((s) => [s.consumer, s]));
    expect(Object.keys(byConsumer)).toEqual(['analysts', 'finance']);
    expect(byConsumer.finance!.file).toBe('shares/finance.duckdb');
    expect(byConsumer.finance!.models.map((m) => m.node.name)).toEqual(['order_summary', 'customer_summary']);
    expect(byConsumer.finance!.models[1]!.relation).toMatchObject({ withheld: ['email', 'phone'] });
    expect(byConsumer.analysts!.models.map((m) => [m.node.name, m.pii])).toEqual([['customer_summary', 'masked']]);
  });
});

describe('consumer view', () => {
  const access = accessSection(PRODUCT, planPublication('sales', MODELS, PRODUCT));
  const view = (consumer: string) => consumerView({ project: 'sales', access, nodes: MODELS }, consumer);

  it('gives a grantee its share and the columns left out for it', () => {
    const finance = view('finance');
    expect(finance.file).toBe('shares/finance.duckdb');
    expect(finance.withheld.get('model.sales.customer_summary')?.columns).toEqual(['email', 'phone']);
    expect(finance.refused.get('model.sales.audit_log')).toEqual({
      reason: "'sales' serves audit_log in no output port of its data product 'teddy-sales'.",
      hint: "Ask Sales data team (sales@example.com) to add an output port for audit_log to the data_product.yaml of 'sales' and grant it to 'finance', or use a port granted to 'finance': 'orders', 'customers'.",
    });
  });

  it('refuses every port to a consumer nobody granted anything, and gives it no database', () => {
    const marketing = view('marketing');
    expect(marketing.file).toBeUndefined();
    expect(marketing.refused.get('model.sales.order_summary')).toEqual({
      reason: "'sales' does not grant its output port 'orders' to 'marketing' (granted to: 'finance').",
      hint: "Ask Sales data team (sales@example.com) to add 'marketing' to a grant of 'orders' under access.grants in the data_product.yaml of 'sales'.",
    });
  });

  it('an open publication refuses nothing', () => {
    const open = consumerView({ project: 'sales', openFile: 'sales.duckdb', nodes: MODELS }, 'marketing');
    expect(open).toEqual({ file: 'sales.duckdb', refused: new Map(), withheld: new Map() });
  });
});
