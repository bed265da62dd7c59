import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '@mesh/engine';
import { contractFromProject } from './from-project';

async function compile(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'mesh-contract-'));
  for (const [path, text] of Object.entries({ 'mesh_project.yml': 'name: shop\ndescription: The shop.\n', ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return compileProject({ projectDir: root, writeCompiledFiles: false });
}

const PROPERTIES = `
groups:
  - name: crm
    owner: {name: CRM team, email: crm@shop.example}
models:
  - name: customers
    description: One row per customer.
    config: {access: public, group: crm, contract: {enforced: true}}
    columns:
      - name: customer_id
        data_type: int
        constraints: [{type: primary_key}]
      - name: email
        data_type: varchar
        description: Contact address.
        tags: [pii]
        data_tests: [not_null, unique]
      - name: status
        data_type: varchar
        constraints: [{type: check, expression: "status <> ''"}]
        data_tests: [{accepted_values: {values: [active, closed], config: {severity: warn}}}]
  - name: orders
    config: {access: public}
    latest_version: 1
    versions:
      - v: 1
      - v: 2
        columns: [{include: all, exclude: [total]}]
    columns:
      - name: order_id
        data_type: integer
      - name: customer_id
        data_type: integer
        data_tests: [{relationships: {to: "ref('customers')", field: customer_id}}]
      - name: total
        data_type: decimal(10,2)
  - name: scratch
    config: {access: protected}
`;

describe('contractFromProject', () => {
  it('describes each public model and version with types, constraints, tests, classification and owner', async () => {
    const project = await compile({
      'models/gold/customers.sql': "select 1 as customer_id, 'a@b' as email, 'active' as status",
      'models/gold/orders_v1.sql': 'select 1 as order_id, 1 as customer_id, 2.5 as total',
      'models/gold/orders_v2.sql': 'select 1 as order_id, 1 as customer_id',
      'models/gold/scratch.sql': 'select 1 as x',
      'models/gold/_gold.yml': PROPERTIES,
    });
    const c = contractFromProject(project, { version: '1.2.0', product: { owner: { name: 'Shop team', email: 'shop@shop.example' } } });
    expect(c).toMatchObject({ id: 'urn:mesh:shop', name: 'shop', version: '1.2.0', domain: 'shop', status: 'active', team: { name: 'Shop team' }, description: { purpose: 'The shop.' } });
    expect(c.schema.map((m) => [m.name, m.version, m.latestVersion, m.physicalName])).toEqual([
      ['customers', null, null, 'gold.customers'],
      ['orders', '1', '1', 'gold.orders_v1'],
      ['orders', '2', '1', 'gold.orders_v2'],
    ]);
    const customers = c.schema[0]!;
    expect(customers.owner).toBe('crm@shop.example');
    expect(customers.properties).toEqual([
      { name: 'customer_id', physicalType: 'INTEGER', logicalType: 'integer', required: true, unique: true, primaryKey: true, tags: [], quality: [], relationships: [] },
      { name: 'email', physicalType: 'VARCHAR', logicalType: 'string', required: true, unique: true, primaryKey: false, description: 'Contact address.', classification: 'pii', tags: ['pii'], quality: [], relationships: [] },
      {
        name: 'status', physicalType: 'VARCHAR', logicalType: 'string', required: false, unique: false, primaryKey: false, tags: [],
        quality: [
          { type: 'sql', query: "SELECT COUNT(*) FROM {model} WHERE NOT (status <> '')", mustBe: 0, description: "check: status <> ''" },
          { type: 'library', metric: 'invalidValues', arguments: { validValues: ['active', 'closed'] }, mustBe: 0, severity: 'warning' },
        ],
        relationships: [],
      },
    ]);
    const [v1, v2] = [c.schema[1]!, c.schema[2]!];
    expect(v1.properties.map((p) => p.name)).toEqual(['order_id', 'customer_id', 'total']);
    expect(v1.properties[2]).toMatchObject({ physicalType: 'DECIMAL(10,2)', logicalType: 'number' });
    // A relationship to a public model of the same contract is the column's foreign key, to its table.
    expect(v1.properties[1]!.quality).toEqual([]);
    expect(v1.properties[1]!.relationships).toEqual([{ type: 'foreignKey', to: 'customers.customer_id' }]);
    // Where the data is: the export beside the database, which datacontract test reads.
    expect(c.servers).toEqual([expect.objectContaining({ server: 'published', type: 'duckdb', database: 'target/contract-data/shop.duckdb', schema: 'main' })]);
    expect(v2.properties.map((p) => p.name)).toEqual(['order_id', 'customer_id']);
  });

  it('fills undeclared types from the built relation and leaves out private, protected and ephemeral models', async () => {
    const project = await compile({
      'models/a.sql': 'select 1 as id',
      'models/e.sql': "{{ config(materialized='ephemeral', access='public') }}select 1 as id",
      'models/a.yml': 'models:\n  - name: a\n    config: {access: public}\n    columns: [{name: id}]\n',
    });
    const c = contractFromProject(project, { version: '0.1.0', actualTypes: new Map([['model.shop.a', [{ name: 'id', type: 'INTEGER' }]]]) });
    expect(c.schema.map((m) => m.name)).toEqual(['a']);
    expect(c.schema[0]!.properties[0]).toMatchObject({ name: 'id', physicalType: 'INTEGER', logicalType: 'integer' });
  });
});
