import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyDomains, meshTeddy, meshWithEnv, publishedFile, queryDb } from '@mesh/testing';
import { contract, products, stockProduct, type Products } from '@teddy/inventory/contract';


/** Sales reads inventory's published products through the types generated from inventory's released contract. */
describe("inventory's contract types, used by a TypeScript consumer", () => {
  let published: string;
  beforeAll(() => {
    const root = copyDomains(['inventory'], 'typed');
    const r = meshTeddy(join(root, 'inventory'), 'build');
    if (r.code !== 0) throw new Error(r.output);
    // Sales reads the share inventory grants it.
    published = publishedFile(join(root, 'inventory'), 'shares/sales.duckdb');
  });

  it('validates the published rows and types them', async () => {
    const rows: Products[] = (await queryDb(published, 'select * from gold.products order by product_id')).map((row) => products.parse(row));
    expect(rows.map((p) => p.price_cents)).toEqual([2500, 1800, 900]);
    expect(contract).toMatchObject({ name: 'inventory', version: '1.0.0' });
    // Stock is granted to finance, not to sales: it is in finance's share only.
    const financeShare = published.replace(/sales\.duckdb$/, 'finance.duckdb');
    const stock = await queryDb(financeShare, 'select * from gold.stock_product');
    expect(stock.length).toBeGreaterThan(0);
    for (const row of stock) expect(stockProduct.safeParse(row).success).toBe(true);
  });

  it('rejects rows that break the contract', () => {
    expect(products.safeParse({ product_id: 1, product_name: 'Bear', product_category: 'plush', price_cents: null }).success).toBe(false);
    expect(products.safeParse({ product_id: '1', product_name: 'Bear', product_category: 'plush', price_cents: 100 }).success).toBe(false);
  });
});
