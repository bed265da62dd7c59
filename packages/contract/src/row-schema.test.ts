import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readContract } from './parse';
import { contractSchemas, rowSchema } from './row-schema';
import type { ContractModel, ContractProperty, LogicalType } from './schema';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
const inventory = readContract(fixture('inventory.odcs.yaml'));
const products = rowSchema(inventory.schema[0]!);

const column = (name: string, physicalType: string | undefined, logicalType: LogicalType, required = true): ContractProperty => ({
  name, ...(physicalType ? { physicalType } : {}), logicalType, required, unique: false, primaryKey: false, tags: [], quality: [], relationships: [],
});

const model = (properties: ContractProperty[]): ContractModel => ({
  name: 'm', version: null, latestVersion: null, physicalName: 'main.m', physicalType: 'table', logicalType: 'object', tags: [], quality: [], properties,
});

describe('rowSchema', () => {
  it('accepts rows as DuckDB returns them, bigint or number', () => {
    expect(products.parse({ product_id: 1, product_name: 'Teddy', product_category: null, price_cents: 1999n })).toEqual({
      product_id: 1, product_name: 'Teddy', product_category: null, price_cents: 1999n,
    });
    expect(products.safeParse({ product_id: 2, product_name: null, product_category: 'plush', price_cents: 1250 }).success).toBe(true);
  });

  it('rejects null in a required column and values of the wrong kind', () => {
    const row = { product_id: 1, product_name: 'Teddy', product_category: 'plush', price_cents: 1999n };
    expect(products.safeParse({ ...row, product_id: null }).success).toBe(false);
    expect(products.safeParse({ ...row, price_cents: null }).success).toBe(false);
    expect(products.safeParse({ ...row, product_id: 1.5 }).success).toBe(false);
    expect(products.safeParse({ ...row, price_cents: '1999' }).success).toBe(false);
    expect(products.safeParse({ ...row, product_name: 7 }).success).toBe(false);
  });

  it('lets columns the contract does not know through, without keeping them', () => {
    expect(products.parse({ product_id: 1, product_name: 'T', product_category: null, price_cents: 1, launched_on: '2026-01-01' })).not.toHaveProperty('launched_on');
  });

  it.each([
    ['SMALLINT', 'integer', 7, 7.5],
    ['UINTEGER', 'integer', 7, '7'],
    ['HUGEINT', 'integer', 10n ** 30n, 1.5],
    ['DOUBLE', 'number', 1.5, '1.5'],
    ['DECIMAL(18,2)', 'number', '12.50', true],
    ['DECIMAL(18,2)', 'number', 12.5, null],
    ['VARCHAR', 'string', 'x', 1],
    ['UUID', 'string', '0b6a1c5e-0000-4000-8000-000000000000', 1],
    ['BOOLEAN', 'boolean', false, 'false'],
    ['DATE', 'date', '2026-01-31', '2026-13-01'],
    ['DATE', 'date', new Date('2026-01-31'), 20260131],
    ['TIMESTAMP', 'timestamp', '2026-01-31 10:00:00', 1],
    ['TIMESTAMP WITH TIME ZONE', 'timestamp', new Date(), 1],
    ['TIME', 'time', '10:00:00', 1],
    ['BIGINT[]', 'array', [1n, 2n], { a: 1 }],
    ['STRUCT(a INTEGER)', 'object', { a: 1 }, [1]],
    ['MAP(VARCHAR, INTEGER)', 'object', { k: 1 }, 'k=1'],
    [undefined, 'integer', 3, 3.5],
    [undefined, 'number', 3.5, '3.5'],
    [undefined, 'timestamp', '2026-01-31T10:00:00Z', 1],
  ] as const)('%s (%s) accepts %o and rejects %o', (physicalType, logicalType, good, bad) => {
    const schema = rowSchema(model([column('c', physicalType, logicalType)]));
    expect(schema.safeParse({ c: good }).success).toBe(true);
    expect(schema.safeParse({ c: bad }).success).toBe(false);
  });

  it('makes a column nullable unless it is required', () => {
    const schema = rowSchema(model([column('a', 'INTEGER', 'integer', true), column('b', 'INTEGER', 'integer', false)]));
    expect(schema.safeParse({ a: 1, b: null }).success).toBe(true);
    expect(schema.safeParse({ a: null, b: 1 }).success).toBe(false);
  });
});

describe('contractSchemas', () => {
  it('has one schema per consumer target, named as the generated module exports it', () => {
    expect(Object.keys(contractSchemas(inventory))).toEqual(['products', 'stockProduct']);
    const versioned = contractSchemas(readContract(fixture('inventory-versioned.odcs.yaml')));
    expect(Object.keys(versioned)).toEqual(['products', 'productsV1', 'productsV2']);
    expect(Object.keys(versioned.products!.shape)).toEqual(['product_id', 'product_name', 'price_cents']);
  });
});
