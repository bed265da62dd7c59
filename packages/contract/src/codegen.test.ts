import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MeshError } from '@mesh/errors';
import { generateTypeScript } from './codegen';
import { typeName, valueName } from './names';
import { readContract } from './parse';
import { contractSchemas } from './row-schema';
import type { Contract } from './schema';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, '__generated__');
const inventory = readContract(join(here, '__fixtures__/inventory.odcs.yaml'));
const versioned = readContract(join(here, '__fixtures__/inventory-versioned.odcs.yaml'));

type Module = Record<string, unknown>;

async function load(name: string, contract: Contract): Promise<Module> {
  const file = join(OUT, `${name}.ts`);
  writeFileSync(file, generateTypeScript(contract));
  return (await import(pathToFileURL(file).href)) as Module;
}

/** A schema's definition as plain data, so a generated schema and a runtime one can be compared. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if ('_zod' in value) return shapeOf((value as { _zod: { def: unknown } })._zod.def);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
}

function schemasOf(module: Module): Record<string, unknown> {
  return Object.fromEntries(Object.entries(module).filter(([name]) => name !== 'contract'));
}

describe('generateTypeScript', () => {
  let plain: Module;
  let split: Module;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    plain = await load('inventory', inventory);
    split = await load('inventory_versioned', versioned);
  });

  it('exports the same schemas as contractSchemas', () => {
    for (const [module, contract] of [[plain, inventory], [split, versioned]] as const) {
      const expected = contractSchemas(contract);
      const generated = schemasOf(module);
      expect(Object.keys(generated).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, schema] of Object.entries(expected)) expect(shapeOf(generated[name]), name).toEqual(shapeOf(schema));
    }
  });

  it('validates rows with the generated module', () => {
    const products = plain.products as z.ZodType;
    expect(products.safeParse({ product_id: 1, product_name: 'Teddy', product_category: 'plush', price_cents: 1999n }).success).toBe(true);
    expect(products.safeParse({ product_id: null, product_name: 'Teddy', product_category: 'plush', price_cents: 1999n }).success).toBe(false);
    const stock = plain.stockProduct as z.ZodType;
    expect(stock.safeParse({ product_id: 1, calendar_month: 1, calendar_year: 2026, quantity: 10n, avg_purchase_price: null }).success).toBe(true);
    expect(plain.contract).toEqual({ name: 'inventory', version: '1.0.0', models: ['products', 'stock_product'] });
  });

  it('types a column with accepted values as those values; a warning-only rule leaves it any string', async () => {
    // The fixture's rule on product_category is severity warn: values outside it are allowed.
    expect((plain.products as z.ZodType).safeParse({ product_id: 1, product_name: 'Teddy', product_category: 'robot', price_cents: 1n }).success).toBe(true);
    const strict = structuredClone(inventory);
    for (const rule of strict.schema[0]!.properties.find((p) => p.name === 'product_category')!.quality) delete rule.severity;
    const module = await load('inventory_strict', strict);
    expect(generateTypeScript(strict)).toContain(`product_category: z.enum(["plush", "puppet", "figurine"]).nullable(),`);
    expect(shapeOf(module.products)).toEqual(shapeOf(contractSchemas(strict).products));
    const products = module.products as z.ZodType;
    expect(products.safeParse({ product_id: 1, product_name: 'Teddy', product_category: 'puppet', price_cents: 1n }).success).toBe(true);
    expect(products.safeParse({ product_id: 1, product_name: 'Teddy', product_category: 'robot', price_cents: 1n }).success).toBe(false);
  });

  it('aliases the unpinned name to the latest version', () => {
    expect(split.products).toBe(split.productsV2);
    expect(Object.keys((split.productsV1 as z.ZodObject).shape)).toContain('product_category');
    expect(Object.keys((split.products as z.ZodObject).shape)).not.toContain('product_category');
  });

  it('writes descriptions as doc comments and types beside the schemas', () => {
    const source = generateTypeScript(inventory);
    expect(source).toContain("import { z } from 'zod';");
    expect(source).toContain("  /** The product's id in the catalog. */\n  product_id: z.number().int(),\n");
    expect(source).toContain('  price_cents: z.union([z.bigint(), z.number().int()]),\n');
    expect(source).toContain('  product_name: z.string().nullable(),\n');
    expect(source).toContain('export type StockProduct = z.infer<typeof stockProduct>;');
    const split = generateTypeScript(versioned);
    expect(split).toContain('export const products = productsV2;\nexport type Products = ProductsV2;');
  });

  it('compiles under strict TypeScript', () => {
    writeFileSync(join(OUT, 'consumer.ts'), [
      "import { products, type Products, type ProductsV1 } from './inventory_versioned';",
      "import { stockProduct, type StockProduct } from './inventory';",
      'const row: Products = products.parse({ product_id: 1, product_name: null, price_cents: 5n });',
      'const old: ProductsV1 = { product_id: 1, product_name: null, product_category: null, price_cents: 5 };',
      'const stock: StockProduct = stockProduct.parse({});',
      'export const ids: number[] = [row.product_id, old.product_id, stock.product_id];',
      '',
    ].join('\n'));
    writeFileSync(join(OUT, 'tsconfig.json'), JSON.stringify({ extends: '../../../../tsconfig.base.json', include: ['./*.ts'] }));
    const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', join(OUT, 'tsconfig.json')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('quotes column names that are not identifiers', () => {
    const odd = structuredClone(inventory);
    odd.schema[0]!.properties[0]!.name = 'product id';
    expect(generateTypeScript(odd)).toContain('  "product id": z.number().int(),\n');
  });
});

describe('export names', () => {
  it('are camelCase values and PascalCase types, safe as identifiers', () => {
    expect([valueName('stock_product'), typeName('stock_product')]).toEqual(['stockProduct', 'StockProduct']);
    expect([valueName('products', '2'), typeName('products', '2')]).toEqual(['productsV2', 'ProductsV2']);
    expect([valueName('order-lines', '1.1'), typeName('order-lines', '1.1')]).toEqual(['orderLinesV1_1', 'OrderLinesV1_1']);
    expect([valueName('2024_sales'), typeName('2024_sales')]).toEqual(['_2024Sales', '_2024Sales']);
    expect([valueName('PRODUCTS'), valueName('class'), valueName('contract')]).toEqual(['products', 'class_', 'contract_']);
  });

  it('refuses two models that would share an export', () => {
    const clash = structuredClone(inventory);
    clash.schema[1]!.name = 'Products';
    expect(() => generateTypeScript(clash)).toThrow(MeshError);
    expect(() => generateTypeScript(clash)).toThrow('products and Products would both be exported as products');
  });
});
