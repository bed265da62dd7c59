import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { copyFixture as copy, edit, mesh, queryDb, write } from '@mesh/testing';

const copyFixture = (name: string) => copy(fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url)), name);

const db = (dir: string) => join(dir, 'target', 'shop.duckdb');

describe('mesh build on the shop project (real DuckDB file)', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyFixture('shop');
  });

  it('builds every layer, runs the tests and writes dbt-shaped artifacts', async () => {
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Done\. PASS=17 WARN=0 ERROR=0 SKIP=0 TOTAL=17/);
    expect(r.stdout).toMatch(/OK table model gold\.customers \.+ \[CREATE TABLE \(4 rows\)/);

    const customers = await queryDb(db(dir), 'select customer_id, order_count, lifetime_value_cents from gold.customers order by 1');
    // Order 14 predates min_order_date, so Alan (3) keeps only order 13 (4200).
    expect(customers).toEqual([
      { customer_id: 1, order_count: 2, lifetime_value_cents: 4500 },
      { customer_id: 2, order_count: 1, lifetime_value_cents: 999 },
      { customer_id: 3, order_count: 1, lifetime_value_cents: 4200 },
      { customer_id: 4, order_count: 0, lifetime_value_cents: 0 },
    ]);
    // The ephemeral model is inlined, never created.
    const relations = await queryDb(db(dir), "select table_schema || '.' || table_name as r from information_schema.tables order by 1");
    expect(relations.map((x) => x.r)).toEqual(['bronze.raw_customers', 'bronze.raw_orders', 'bronze.raw_payments', 'gold.customers', 'gold.orders', 'silver.stg_customers', 'silver.stg_orders']);

    const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8'));
    expect(manifest.metadata.project_name).toBe('shop');
    const node = manifest.nodes['model.shop.customers'];
    expect(node.relation_name).toBe('"shop"."gold"."customers"');
    expect(node.depends_on.nodes).toEqual(['model.shop.stg_customers', 'model.shop.orders']);
    expect(node.access).toBe('public');
    expect(node.contract.enforced).toBe(true);
    expect(node.checksum.name).toBe('sha256');
    expect(node.columns.customer_id.data_type).toBe('integer');
    expect(manifest.child_map['model.shop.orders']).toContain('model.shop.customers');
    expect(manifest.parent_map['model.shop.orders']).toEqual(['model.shop.stg_orders', 'model.shop.stg_payments']);

    const runResults = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    const orders = runResults.results.find((x: { unique_id: string }) => x.unique_id === 'model.shop.orders');
    expect(orders.status).toBe('success');
    expect(orders.adapter_response.rows_affected).toBe(4);
    expect(runResults.results).toHaveLength(17);
  });

  it('merges an incremental model on its unique key the second time', async () => {
    write(dir, 'seeds/raw_payments.csv', readFileSync(join(dir, 'seeds/raw_payments.csv'), 'utf8') + '106,13,card,800\n');
    const r = mesh(dir, 'build', '--select', '+orders');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/OK incremental model gold\.orders \.+ \[MERGE \(1 rows\)/);
    const rows = await queryDb(db(dir), 'select order_id, amount_cents from gold.orders order by 1');
    expect(rows).toEqual([
      { order_id: 10, amount_cents: 1500 },
      { order_id: 11, amount_cents: 3000 },
      { order_id: 12, amount_cents: 999 },
      { order_id: 13, amount_cents: 5000 },
    ]);
  });

  it('selects with graph operators and --exclude', () => {
    const r = mesh(dir, 'ls', '-s', '+customers', '--exclude', 'stg_orders', '--resource-type', 'model');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['shop.silver.stg_customers', 'shop.silver.stg_payments', 'shop.gold.orders', 'shop.gold.customers']);
    const tags = mesh(dir, 'ls', '-s', 'path:models/gold', '--resource-type', 'model');
    expect(tags.stdout.trim().split('\n')).toEqual(['shop.gold.orders', 'shop.gold.customers']);
  });
});

describe('failure paths name the file, the node and the fix', () => {
  it('bad YAML syntax: file and line, exit 2', () => {
    const dir = copyFixture('shop');
    edit(dir, 'models/gold/_gold.yml', (t) => t.replace('    description: Paid orders', '   description: Paid orders'));
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_YAML_SYNTAX\] models\/gold\/_gold\.yml:\d+/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a YAML value of the wrong shape: file, line, path and what is expected', () => {
    const dir = copyFixture('shop');
    edit(dir, 'models/gold/_gold.yml', (t) => t.replace('      access: public', '      access: public\n      materialized: tabel'));
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[E_YAML_SCHEMA] models/gold/_gold.yml:7:');
    expect(r.stderr).toContain('models[0].config.materialized: expected one of "view", "table", "incremental", "ephemeral", "external", got string "tabel"');
  });

  it('an unknown ref suggests the closest model', () => {
    const dir = copyFixture('shop');
    edit(dir, 'models/gold/customers.sql', (t) => t.replace("ref('orders')", "ref('ordres')"));
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_REF_UNKNOWN] models/gold/customers.sql:7: (model.shop.customers) ref('ordres') refers to a model that does not exist");
    expect(r.stderr).toContain("hint: Did you mean 'orders'?");
  });

  it('a cycle is printed node by node', () => {
    const dir = copyFixture('shop');
    edit(dir, 'models/silver/stg_customers.sql', (t) => `-- depends_on: {{ ref('customers') }}\n${t}`);
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[E_CYCLE] models/gold/customers.sql: (model.shop.customers) found a cycle: model.shop.customers -> model.shop.stg_customers -> model.shop.customers');
  });

  it('a SQL error fails the model, skips what is downstream and exits 1', () => {
    const dir = copyFixture('shop');
    edit(dir, 'models/silver/stg_customers.sql', (t) => t.replace('first_name,', 'first_nam,'));
    const r = mesh(dir, 'build');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR view model silver\.stg_customers/);
    expect(r.stdout).toMatch(/SKIP table model gold\.customers/);
    expect(r.stdout).toMatch(/error\[E_SQL\] models\/silver\/stg_customers\.sql:\d+(:\d+)?: \(model\.shop\.stg_customers\) Binder Error/);
    expect(r.stdout).toMatch(/Done\. PASS=\d+ WARN=0 ERROR=1 SKIP=\d+ TOTAL=17/);
  });

  it('a failing test shows its first failing rows and skips the models downstream', () => {
    const dir = copyFixture('shop');
    edit(dir, 'seeds/raw_orders.csv', (t) => `${t}15,9,2026-04-01,lost\n`);
    const r = mesh(dir, 'build');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL test accepted_values_stg_orders_status__\w+ \.* ?\[FAIL 1 in/);
    expect(r.stdout).toMatch(/FAIL test relationships_stg_orders_customer_id__\w+/);
    expect(r.stdout).toContain('Got 1 failing row, configured to fail if != 0');
    expect(r.stdout).toMatch(/value_field \| n_records\n\s+-+\|-+\n\s+lost\s+\| 1/);
    expect(r.stdout).toMatch(/SKIP incremental model gold\.orders/);
  });

  it('a contract mismatch is shown as a table before anything is built', async () => {
    const dir = copyFixture('shop');
    expect(mesh(dir, 'build').code).toBe(0);
    edit(dir, 'models/gold/customers.sql', (t) => t.replace('count(o.order_id)::bigint as order_count', 'count(o.order_id)::int as order_count, 1 as extra'));
    const r = mesh(dir, 'run', '-s', 'customers');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error[E_CONTRACT_MISMATCH] models/gold/_gold.yml: (model.shop.customers) model customers: the SQL does not match its enforced contract (2 columns)');
    expect(r.stdout).toMatch(/order_count\s+\| BIGINT\s+\| INTEGER\s+\| type differs/);
    expect(r.stdout).toMatch(/extra\s+\| \(missing\)\s+\| INTEGER\s+\| produced by the SQL, not in the contract/);
    expect(await queryDb(db(dir), 'select count(*) as n from gold.customers')).toEqual([{ n: 4 }]);
  });

  it('a failing table or incremental build leaves the previous table intact', async () => {
    const dir = copyFixture('shop');
    expect(mesh(dir, 'build').code).toBe(0);
    const before = await queryDb(db(dir), 'select * from gold.orders order by order_id');
    // Fails only on the incremental path, which exists once the first build made the table.
    edit(dir, 'models/gold/orders.sql', (t) =>
      t.replace('using (order_id)\n', 'using (order_id)\nwhere true\n').replace('where o.order_date >=', "and cast('x' as integer) = 1 and o.order_date >="),
    );
    const r = mesh(dir, 'run', '-s', 'orders');
    expect(r.code, r.output).toBe(1);
    expect(r.stdout).toMatch(/ERROR incremental model gold\.orders/);
    expect(r.stdout).toMatch(/Conversion Error/);
    expect(await queryDb(db(dir), 'select * from gold.orders order by order_id')).toEqual(before);

    edit(dir, 'models/gold/customers.sql', (t) => t.replace('group by all', "group by all\nhaving cast('y' as integer) > 0"));
    const c = mesh(dir, 'run', '-s', 'customers');
    expect(c.code).toBe(1);
    expect(await queryDb(db(dir), 'select count(*) as n from gold.customers')).toEqual([{ n: 4 }]);
    expect(await queryDb(db(dir), "select count(*) as n from information_schema.tables where table_name like '%__mesh_%'")).toEqual([{ n: 0 }]);
  });

  it('a missing project says where to run', () => {
    const dir = copyFixture('shop');
    rmSync(join(dir, 'mesh_project.yml'));
    const r = mesh(dir, 'build');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[E_PROJECT_NOT_FOUND]');
    expect(existsSync(join(dir, 'target'))).toBe(false);
  });
});
