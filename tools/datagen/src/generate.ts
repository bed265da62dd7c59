import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isoDate } from './calendar';
import type { Product } from './catalog';
import { planCompany, type Company, type CompanyOptions } from './company';
import type { Customer } from './customers';
import type { CsvValue } from './csv';
import { CsvWriter, writeCsv } from './csv-writer';
import { SOURCE_FILES, type SourceName } from './files';
import { writeOrderLines } from './order-lines';
import { ORDER_STATUSES, type OrderPlan } from './orders';
import { streamFor } from './prng';
import type { StockEntry } from './stock';

export interface GenerateOptions extends CompanyOptions {
  /** Directory to write into; created if missing. Existing files of the same name are replaced. */
  outDir: string;
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

function columnsOf(name: SourceName): readonly string[] {
  return SOURCE_FILES[name].columns;
}

export function stockRow(e: StockEntry): CsvValue[] {
  return [e.entry_id, e.product_id, e.product_quantity, e.purchase_price_cents, e.entry_date];
}

export function* customerRows(customers: Iterable<Customer>): Generator<CsvValue[]> {
  for (const c of customers) yield [c.customer_id, c.customer_name, c.customer_surname, c.customer_email];
}

export async function writeCatalog(path: string, products: readonly Product[]): Promise<number> {
  return writeCsv(
    path,
    columnsOf('source_catalog'),
    products.map((p) => [p.product_id, p.product_name, p.product_category, p.price_cents]),
  );
}

/** One pre-formatted order row: numbers, a date and a fixed status word, nothing to quote. */
export function orderRow(plan: OrderPlan, i: number): string {
  const status = ORDER_STATUSES[plan.status[i] as number] as string;
  return `${i + 1},${plan.customerId[i] as number},${status},${isoDate(plan.day[i] as number)}\n`;
}

/** Up to ~900k rows, into the writer of each order (one file, or one per month). */
export async function writeOrders(plan: OrderPlan, writerFor: (order: number) => CsvWriter): Promise<void> {
  for (let i = 0; i < plan.day.length; i++) {
    const writer = writerFor(i);
    writer.rawRow(orderRow(plan, i));
    if (writer.full) await writer.flush();
  }
}

/** Writes the company's order lines through `writerFor`; the stream and its draws are the same for any layout. */
export function writeCompanyLines(company: Company, writerFor: (order: number) => CsvWriter): Promise<void> {
  return writeOrderLines(
    streamFor(company.seed, 'order-lines'),
    company.plan,
    company.products.map((p) => p.product_id),
    company.scale.repeatedTransactionShare,
    writerFor,
  );
}

/**
 * Writes the five raw source files of Teddy Retailers. Every table draws from its own
 * stream derived from the seed, so the same seed and options give byte-identical files.
 */
export async function generateTeddyData(options: GenerateOptions): Promise<GenerateResult> {
  const company = planCompany(options);
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const files = Object.fromEntries(
    Object.entries(SOURCE_FILES).map(([name, { file }]) => [name, join(outDir, file)]),
  ) as Record<SourceName, string>;

  const counts: GenerateCounts = {
    products: await writeCatalog(files.source_catalog, company.products),
    stock: await writeCsv(files.source_stock, columnsOf('source_stock'), company.stock.map(stockRow)),
    customers: await writeCsv(files.source_customers, columnsOf('source_customers'), customerRows(company.customers())),
    orders: 0,
    lines: 0,
  };
  const ordersWriter = new CsvWriter(files.source_orders, columnsOf('source_orders'));
  await writeOrders(company.plan, () => ordersWriter);
  await ordersWriter.close();
  counts.orders = ordersWriter.rows;
  const linesWriter = new CsvWriter(files.source_order_products, columnsOf('source_order_products'));
  await writeCompanyLines(company, () => linesWriter);
  await linesWriter.close();
  counts.lines = linesWriter.rows;
  return { files, counts };
}
