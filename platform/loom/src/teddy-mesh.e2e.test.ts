import { createReadStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { existingMaskingKey } from '@mesh/governance';
import { copyDomains, edit, hmacHex, meshAsync, meshTeddy, meshTeddyAsync, meshWithEnv, publishedFile, queryDb, versionFile, write } from '@mesh/testing';

const DOMAINS = ['inventory', 'sales', 'finance'] as const;

const makeWorkspace = () => copyDomains(DOMAINS, 'teddy');

const build = (root: string, domain: string, ...args: string[]) => meshTeddy(join(root, domain), 'build', ...args);
const db = (root: string, domain: string) => join(root, domain, 'target', `${domain}.duckdb`);

describe('the Teddy Retailers mesh on a small dataset computed by hand', () => {
  let root: string;
  beforeAll(() => {
    root = makeWorkspace();
    for (const domain of DOMAINS) {
      const r = build(root, domain);
      if (r.code !== 0) throw new Error(`${domain} failed:\n${r.output}`);
    }
  });

  it('inventory: products and stock per product and month (average truncated toward zero)', async () => {
    expect(await queryDb(db(root, 'inventory'), 'select * from gold.stock_product order by calendar_month, product_id')).toEqual([
      { product_id: 1, calendar_month: 1, calendar_year: 2026, quantity: 30, avg_purchase_price: 1050 },
      { product_id: 2, calendar_month: 1, calendar_year: 2026, quantity: 5, avg_purchase_price: 700 },
      { product_id: 1, calendar_month: 2, calendar_year: 2026, quantity: 4, avg_purchase_price: 1200 },
      { product_id: 2, calendar_month: 2, calendar_year: 2026, quantity: 9, avg_purchase_price: 750 },
    ]);
    expect(await queryDb(db(root, 'inventory'), 'select count(*) as n from gold.products')).toEqual([{ n: 3 }]);
  });

  it('sales: order totals at catalog price, orders without lines left out, customers with orders only', async () => {
    expect(await queryDb(db(root, 'sales'), 'select order_id, customer_id, total_value from gold.order_summary order by 1')).toEqual([
      { order_id: 100, customer_id: 1, total_value: 6800 },
      { order_id: 101, customer_id: 1, total_value: 2500 },
      { order_id: 102, customer_id: 2, total_value: 6300 },
      { order_id: 104, customer_id: 2, total_value: 2500 },
    ]);
    expect(await queryDb(db(root, 'sales'), 'select customer_id, customer_surname, customer_tlv from gold.customer_summary order by 1')).toEqual([
      { customer_id: 1, customer_surname: 'Lovelace', customer_tlv: 9300 },
      { customer_id: 2, customer_surname: "O'Brien", customer_tlv: 8800 },
    ]);
    // transaction_id repeats in the source and the public order lines keep every line.
    expect(await queryDb(db(root, 'sales'), 'select count(*) as lines, count(distinct transaction_id) as tx from silver.stg_order_products')).toEqual([{ lines: 6, tx: 4 }]);
  });

  it('finance: cost at the month average, P&L for orders with both revenue and cost', async () => {
    expect(await queryDb(db(root, 'finance'), 'select * from gold.orders_cost order by 1')).toEqual([
      { order_id: 100, order_cost: 2800 },
      { order_id: 101, order_cost: 1200 },
      { order_id: 102, order_cost: 2250 },
    ]);
    expect(await queryDb(db(root, 'finance'), 'select * from gold.orders_pl order by 1')).toEqual([
      { order_id: 100, order_revenue: 6800, order_cost: 2800, order_pl: 4000 },
      { order_id: 101, order_revenue: 2500, order_cost: 1200, order_pl: 1300 },
      { order_id: 102, order_revenue: 6300, order_cost: 2250, order_pl: 4050 },
    ]);
  });

  it("the consumer's manifest carries the upstream nodes with their project", () => {
    const manifest = JSON.parse(readFileSync(join(root, 'finance', 'target', 'manifest.json'), 'utf8'));
    expect(manifest.nodes['model.finance.orders_pl'].depends_on.nodes).toEqual(['model.sales.order_summary', 'model.finance.orders_cost']);
    const upstream = manifest.nodes['model.inventory.stock_product'];
    expect(upstream.package_name).toBe('inventory');
    // Injected as dbt injects another project's node: no file of its own here.
    expect([upstream.path, upstream.original_file_path]).toEqual(['', '']);
    expect(upstream.relation_name).toBe('"inventory"."gold"."stock_product"');
    expect(manifest.child_map['model.sales.stg_order_products']).toEqual(['model.finance.int_order_products_dates']);
  });

  it('publishes only public models, each grantee getting only the ports granted to it', async () => {
    const shares = publishedFile(join(root, 'sales'), 'shares');
    const tables = async (file: string) =>
      (await queryDb(join(shares, file), "select table_schema || '.' || table_name as t from information_schema.tables order by 1")).map((t) => t.t);
    expect(await tables('finance.duckdb')).toEqual(['gold.order_summary', 'silver.stg_order_products']);
    expect(await tables('analysts.duckdb')).toEqual(['gold.customer_summary', 'gold.order_summary']);
    expect(existsSync(publishedFile(join(root, 'sales'), 'sales.duckdb'))).toBe(false);
    // Personal data declared with meta: {masking: hash} leaves the domain as its keyed hash, which still joins.
    const analysts = join(shares, 'analysts.duckdb');
    const key = existingMaskingKey(join(root, 'sales'), 'sales')!.key;
    expect(await queryDb(analysts, `select count(*) as n from gold.customer_summary where customer_email = '${hmacHex(key, 'ada@example.com')}'`)).toEqual([{ n: 1 }]);
    // Without the key a list of candidate e-mails finds nobody: sha256 of the address is not what was published.
    expect(await queryDb(analysts, "select count(*) as n from gold.customer_summary where customer_email = sha256('ada@example.com')")).toEqual([{ n: 0 }]);
    expect(await queryDb(analysts, "select bool_and(regexp_full_match(customer_email, '[0-9a-f]{64}')) as hashed from gold.customer_summary")).toEqual([{ hashed: true }]);
    expect(await queryDb(db(root, 'sales'), "select count(*) as n from gold.customer_summary where customer_email like '%@%'")).toEqual([{ n: 2 }]);
  });

  it('a consumer builds while the producer holds its own database open for writing', async () => {
    const writer = await DuckDBInstance.create(db(root, 'inventory'));
    const connection = await writer.connect();
    try {
      await connection.run('begin transaction; create table main.lock_holder as select 1 as x;');
      const r = build(root, 'sales', '-s', 'order_summary');
      expect(r.code, r.output).toBe(0);
    } finally {
      await connection.run('rollback');
      connection.closeSync();
      writer.closeSync();
    }
  });
});

describe('cross-domain refusals', () => {
  let root: string;
  beforeAll(() => {
    root = makeWorkspace();
    for (const domain of ['inventory', 'sales']) expect(build(root, domain).code).toBe(0);
  });

  it('refuses a protected model of another domain, in dbt wording', () => {
    write(join(root, 'finance'), 'models/gold/peek.sql', "select * from {{ ref('sales', 'stg_orders') }}");
    const r = build(root, 'finance');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_REF_ACCESS] models/gold/peek.sql:1: (model.finance.peek) Node model.finance.peek attempted to reference node model.sales.stg_orders, which is not allowed because the referenced node is protected to the 'sales' package.");
  });

  it("refuses a private model of another domain's group", () => {
    write(join(root, 'finance'), 'models/gold/peek.sql', "select * from {{ ref('sales', 'stg_customers') }}");
    const r = build(root, 'finance');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("which is not allowed because the referenced node is private to the 'sales' group.");
  });

  it('refuses a ref to a domain that is not declared as a dependency', () => {
    write(join(root, 'finance'), 'models/gold/peek.sql', 'select 1 as x');
    const pkg = readFileSync(join(root, 'sales', 'package.json'), 'utf8');
    const project = readFileSync(join(root, 'sales', 'mesh_project.yml'), 'utf8');
    edit(join(root, 'sales'), 'package.json', (t) => t.replace('"@teddy/inventory": "workspace:*",', ''));
    edit(join(root, 'sales'), 'mesh_project.yml', (t) => t.replace(/upstreams:\n(  .*\n)+/, ''));
    const r = build(root, 'sales');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_REF_UNKNOWN_PROJECT] models/gold/order_summary.sql:10: (model.sales.order_summary) ref('inventory', 'products'): 'inventory' is not an upstream project of 'sales'");
    write(join(root, 'sales'), 'package.json', pkg);
    write(join(root, 'sales'), 'mesh_project.yml', project);
  });

  it('finance cannot read a sales private table even with hand-written SQL', () => {
    write(join(root, 'finance'), 'models/gold/peek.sql', 'select * from sales.silver.stg_customers');
    const r = build(root, 'finance', '-s', 'peek');
    expect(r.code, r.output).toBe(1);
    expect(r.stdout).toMatch(/Catalog Error: Table with name stg_customers does not exist/);
  });

  it('names the upstream that has not published yet and how to build it', () => {
    const fresh = makeWorkspace();
    const r = build(fresh, 'finance');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_UPSTREAM_NOT_PUBLISHED\] upstream '(inventory|sales)' has not published yet/);
    expect(r.stderr).toContain('nx run-many -t build');
  });
});

/** A plain static file server on loopback, standing in for any web server that hosts a publication. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(dir) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200);
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('upstreams from a URL', () => {
  it('reads a publication over http, caches it, and names the URL when it is unreachable', async () => {
    const root = makeWorkspace();
    expect(build(root, 'inventory').code).toBe(0);
    const { url, server } = await serve(join(root, 'inventory', 'target', 'published'));
    const sales = join(root, 'sales');
    rmSync(join(sales, 'node_modules'), { recursive: true });
    edit(sales, 'mesh_project.yml', (t) => t.replace('  - name: inventory\n', `  - name: inventory\n    from: ${url}\n`));
    try {
      const r = await meshTeddyAsync(sales, 'build');
      expect(r.code, r.output).toBe(0);
      // Only the share granted to sales is fetched.
      expect(existsSync(versionFile(join(sales, 'target', 'upstreams', 'inventory'), 'shares/sales.duckdb'))).toBe(true);
      expect(existsSync(versionFile(join(sales, 'target', 'upstreams', 'inventory'), 'shares/finance.duckdb'))).toBe(false);
      expect(await queryDb(db(root, 'sales'), 'select sum(total_value) as v from gold.order_summary')).toEqual([{ v: 18100 }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // The server is gone: the cached copy keeps the consumer building.
    expect(build(root, 'sales').code).toBe(0);
    rmSync(join(sales, 'target', 'upstreams'), { recursive: true });
    const down = build(root, 'sales');
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`error[E_UPSTREAM_UNREACHABLE] upstream 'inventory' is unreachable at ${url}manifest.json`);
    expect(down.stderr).toContain('optional: true');
  });
});
