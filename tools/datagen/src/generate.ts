import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isoDate } from './calendar';
import { generateCatalog, type Product } from './catalog';
import { generateCustomers, type Customer } from './customers';
import type { CsvValue } from './csv';
import { CsvWriter, writeCsv } from './csv-writer';
import { seededFaker } from './fake';
import { SOURCE_FILES, type SourceName } from './files';
import { writeOrderLines } from './order-lines';
import { ORDER_STATUSES, planOrders, type OrderPlan } from './orders';
import { deriveSeed, streamFor } from './prng';
import { DEFAULT_LINES, DEFAULT_SEED, scaleFor } from './scale';
import { generateStock, pickUnstocked, type StockEntry } from './stock';

export interface GenerateOptions {
  /** Directory to write into; created if missing. Existing files of the same name are replaced. */
  outDir: string;
  /** Integer from 0 to 2^32 - 1. Default 42. */
  seed?: number;
  /** Order lines to generate, 100 to 10,000,000; every other table is sized from it. Default 45,000. */
  lines?: number;
}

export interface GenerateCounts {
  products: number;
  stock: number;
  customers: number;
  orders: number;
  lines: number;
}

export interface GenerateResult {
  /** Absolute path of each file written, by source name (`source_catalog`, ...). */
  files: Record<SourceName, string>;
  /** Data rows per file, headers not included. */
  counts: GenerateCounts;
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${String(seed)}`);
  }
  return seed;
}

function columnsOf(name: SourceName): readonly string[] {
  return SOURCE_FILES[name].columns;
}

async function writeCatalog(path: string, products: readonly Product[]): Promise<number> {
  return writeCsv(
    path,
    columnsOf('source_catalog'),
    products.map((p) => [p.product_id, p.product_name, p.product_category, p.price_cents]),
  );
}

async function writeStock(path: string, entries: readonly StockEntry[]): Promise<number> {
  return writeCsv(
    path,
    columnsOf('source_stock'),
    entries.map((e) => [e.entry_id, e.product_id, e.product_quantity, e.purchase_price_cents, e.entry_date]),
  );
}

function* customerRows(customers: Iterable<Customer>): Generator<CsvValue[]> {
  for (const c of customers) yield [c.customer_id, c.customer_name, c.customer_surname, c.customer_email];
}

async function writeCustomers(path: string, customers: Iterable<Customer>): Promise<number> {
  return writeCsv(path, columnsOf('source_customers'), customerRows(customers));
}

/** Up to ~900k rows of numbers, dates and fixed status words: pre-formatted, nothing to quote. */
async function writeOrders(path: string, plan: OrderPlan): Promise<number> {
  const writer = new CsvWriter(path, columnsOf('source_orders'));
  for (let i = 0; i < plan.day.length; i++) {
    const status = ORDER_STATUSES[plan.status[i] as number] as string;
    writer.rawRow(`${i + 1},${plan.customerId[i] as number},${status},${isoDate(plan.day[i] as number)}\n`);
    if (writer.full) await writer.flush();
  }
  await writer.close();
  return writer.rows;
}

/**
 * Writes the five raw source files of Teddy Retailers. Every table draws from its own
 * stream derived from the seed, so the same seed and options give byte-identical files.
 */
export async function generateTeddyData(options: GenerateOptions): Promise<GenerateResult> {
  const seed = checkSeed(options.seed ?? DEFAULT_SEED);
  const scale = scaleFor(options.lines ?? DEFAULT_LINES);
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const files = Object.fromEntries(
    Object.entries(SOURCE_FILES).map(([name, { file }]) => [name, join(outDir, file)]),
  ) as Record<SourceName, string>;

  const products = generateCatalog(seededFaker(deriveSeed(seed, 'catalog')), scale.products);
  const unstocked = pickUnstocked(streamFor(seed, 'unstocked'), products, scale.unstockedProducts);
  const stock = generateStock(streamFor(seed, 'stock'), products, unstocked);
  const customers = generateCustomers(
    seededFaker(deriveSeed(seed, 'customers')),
    streamFor(seed, 'tricky-names'),
    scale.customers,
  );
  const plan = planOrders(streamFor(seed, 'orders'), scale);

  const counts: GenerateCounts = {
    products: await writeCatalog(files.source_catalog, products),
    stock: await writeStock(files.source_stock, stock),
    customers: await writeCustomers(files.source_customers, customers),
    orders: await writeOrders(files.source_orders, plan),
    lines: 0,
  };
  const linesWriter = new CsvWriter(files.source_order_products, columnsOf('source_order_products'));
  await writeOrderLines(
    streamFor(seed, 'order-lines'),
    plan,
    products.map((p) => p.product_id),
    scale.repeatedTransactionShare,
    linesWriter,
  );
  await linesWriter.close();
  counts.lines = linesWriter.rows;
  return { files, counts };
}
