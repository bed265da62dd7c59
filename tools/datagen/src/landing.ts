import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DAYS, LAST_DAY } from './calendar';
import { planCompany, type Company } from './company';
import { CsvWriter, writeCsv } from './csv-writer';
import { SOURCE_FILES, type SourceName } from './files';
import {
  customerRows,
  stockRow,
  writeCatalog,
  writeCompanyLines,
  writeOrders,
  type GenerateCounts,
  type GenerateOptions,
} from './generate';
import { popularity, quantity } from './order-lines';
import { ORDER_STATUSES } from './orders';
import { streamFor, type Random } from './prng';
import { CARTON, purchasePrice } from './stock';

/**
 * Where each source's exports land, per domain, as the shop and the warehouse hand them over: one
 * folder per domain, a snapshot file for the catalog and the customers, and dated files for what
 * accrues (stock entries, orders, order lines). The history comes as one file per month
 * (`orders_2026-03.csv`); every day after it as one file per day (`orders_2026-07-01.csv`). Each
 * domain's ingest.yml names these paths.
 */
export const LANDING = {
  source_catalog: { domain: 'inventory', name: 'catalog', dated: false },
  source_stock: { domain: 'inventory', name: 'stock', dated: true },
  source_customers: { domain: 'sales', name: 'customers', dated: false },
  source_orders: { domain: 'sales', name: 'orders', dated: true },
  source_order_products: { domain: 'sales', name: 'order_products', dated: true },
} as const satisfies Record<SourceName, { domain: string; name: string; dated: boolean }>;

/** The file of a source within the landing folder: `sales/orders_2026-03.csv`, `inventory/catalog.csv`. */
export function landingFile(source: SourceName, period?: string): string {
  const { domain, name, dated } = LANDING[source];
  if (dated && !period) throw new RangeError(`${source} lands in dated files; give the month or day`);
  return `${domain}/${name}${dated ? `_${period}` : ''}.csv`;
}

/**
 * The raw tables the demo domains' ingest.yml declare (`<domain>.bronze.<name>`), each with its file of
 * the flat layout (same rows as the landing files together): what a loader of an engine `mesh ingest`
 * does not load (PostgreSQL, Trino) stages.
 */
export function rawTables(files: Record<SourceName, string>): Array<{ domain: string; table: string; path: string }> {
  return (Object.keys(LANDING) as SourceName[]).map((source) => ({ domain: LANDING[source].domain, table: LANDING[source].name, path: files[source] }));
}

export interface LandingResult {
  /** Absolute paths of the files written, in the order written. */
  files: string[];
  /** Data rows written, per table, headers not included. */
  counts: GenerateCounts;
}

/** One writer per period (month or day), opened on first use, so a file exists only for periods with rows. */
class PeriodWriters {
  private readonly open = new Map<string, CsvWriter>();
  readonly files: string[] = [];

  constructor(private readonly outDir: string, private readonly source: SourceName) {}

  get(period: string): CsvWriter {
    let writer = this.open.get(period);
    if (!writer) {
      const path = join(this.outDir, landingFile(this.source, period));
      writer = new CsvWriter(path, SOURCE_FILES[this.source].columns);
      this.open.set(period, writer);
      this.files.push(path);
    }
    return writer;
  }

  async close(): Promise<number> {
    let rows = 0;
    for (const writer of this.open.values()) {
      await writer.close();
      rows += writer.rows;
    }
    return rows;
  }
}

const monthOf = (iso: string) => iso.slice(0, 7);

async function landingDirs(outDir: string): Promise<string> {
  const root = resolve(outDir);
  for (const domain of new Set(Object.values(LANDING).map((l) => l.domain))) await mkdir(join(root, domain), { recursive: true });
  return root;
}

/**
 * Lands Teddy Retailers' half-year history in the landing layout (see LANDING). The rows are exactly
 * those `generateTeddyData` writes for the same seed and size, split by month.
 */
export async function landTeddyHistory(options: Omit<GenerateOptions, 'outDir'> & { outDir: string }): Promise<LandingResult> {
  const company = planCompany(options);
  const root = await landingDirs(options.outDir);
  const files: string[] = [];
  const catalog = join(root, landingFile('source_catalog'));
  const customers = join(root, landingFile('source_customers'));

  const stock = new PeriodWriters(root, 'source_stock');
  for (const entry of company.stock) stock.get(monthOf(entry.entry_date)).row(stockRow(entry));
  const orders = new PeriodWriters(root, 'source_orders');
  const monthOfOrder = (i: number) => monthOf(DAYS[company.plan.day[i] as number]!.iso);
  await writeOrders(company.plan, (i) => orders.get(monthOfOrder(i)));
  const lines = new PeriodWriters(root, 'source_order_products');
  await writeCompanyLines(company, (i) => lines.get(monthOfOrder(i)));

  const counts: GenerateCounts = {
    products: await writeCatalog(catalog, company.products),
    stock: await stock.close(),
    customers: await writeCsv(customers, SOURCE_FILES.source_customers.columns, customerRows(company.customers())),
    orders: await orders.close(),
    lines: await lines.close(),
  };
  files.push(catalog, ...stock.files, customers, ...orders.files, ...lines.files);
  return { files, counts };
}

const MS_PER_DAY = 86_400_000;

/** Days from the last day of the history to `day` (2026-07-01 is day 1); a day inside the history is refused. */
function dayNumber(day: string): number {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(t)) throw new RangeError(`day must be a date as YYYY-MM-DD, got ${day}`);
  const n = Math.round((t - Date.parse(`${LAST_DAY}T00:00:00Z`)) / MS_PER_DAY);
  if (n < 1) throw new RangeError(`day ${day} is inside the history (up to ${LAST_DAY}); new days start on the day after`);
  return n;
}

function isoOf(n: number): string {
  return new Date(Date.parse(`${LAST_DAY}T00:00:00Z`) + n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** What one day after the history brings: its orders with their lines, and the stock that arrived. */
interface DayPlan {
  orders: Array<{ customerId: number; status: string; lines: Array<[productId: number, quantity: number]> }>;
  stock: Array<{ productId: number; quantity: number; priceCents: number }>;
}

/**
 * A day after the history, drawn from its own stream (seed and date), so each day is the same whatever
 * days were landed before it. Sales run at the pace of the history's last weeks; the warehouse books a
 * delivery of every stocked product on the first of a month, so the month has purchase prices from its
 * first day, and of a few products on other days.
 */
function planDay(company: Company, ranked: Int32Array, n: number): DayPlan {
  const random: Random = streamFor(company.seed, `day:${isoOf(n)}`);
  const { scale } = company;
  const weekday = new Date(Date.parse(`${isoOf(n)}T00:00:00Z`)).getUTCDay();
  const pace = (scale.orders / DAYS.length) * 1.2 * (weekday === 0 || weekday === 6 ? 1.35 : 1);
  const count = Math.max(1, Math.round(pace * (0.85 + 0.3 * random.next())));
  const linesPerOrder = scale.lines / scale.orders;
  const orders: DayPlan['orders'] = [];
  for (let k = 0; k < count; k++) {
    const customerId = 1 + random.int(scale.customers);
    // A day's orders are new: mostly still open, some paid at once.
    const status = random.next() < 0.8 ? ORDER_STATUSES[0] : ORDER_STATUSES[1];
    const lineCount = 1 + Math.floor(random.next() * 2 * (linesPerOrder - 1));
    const lines: Array<[number, number]> = [];
    for (let l = 0; l < lineCount; l++) {
      const u = random.next();
      lines.push([ranked[Math.floor(ranked.length * u * Math.sqrt(u))] as number, quantity(random)]);
    }
    orders.push({ customerId, status, lines });
  }
  const firstOfMonth = isoOf(n).endsWith('-01');
  const stock: DayPlan['stock'] = [];
  for (const product of company.products) {
    if (company.unstocked.has(product.product_id)) continue;
    if (!firstOfMonth && random.next() >= 0.08) continue;
    stock.push({ productId: product.product_id, quantity: CARTON * random.between(2, 30), priceCents: purchasePrice(random, product.price_cents) });
  }
  return { orders, stock };
}

/**
 * Lands one day after the history (`2026-07-01` or later): that day's orders, order lines and stock
 * entries, each in its own dated file. Ids continue after the history and after every earlier day
 * (those days are planned again, not read back), so days can be landed one by one, in order.
 */
export async function landTeddyDay(options: Omit<GenerateOptions, 'outDir'> & { outDir: string; day: string }): Promise<LandingResult> {
  const n = dayNumber(options.day);
  const company = planCompany(options);
  const ranked = popularity(streamFor(company.seed, 'order-lines'), company.products.map((p) => p.product_id));
  // The history's ids: orders are numbered 1..orders, transaction ids never pass the line count.
  let orderId = company.scale.orders;
  let transactionId = company.scale.lines;
  let entryId = company.stock.length;
  for (let k = 1; k < n; k++) {
    const earlier = planDay(company, ranked, k);
    orderId += earlier.orders.length;
    transactionId += earlier.orders.length;
    entryId += earlier.stock.length;
  }
  const day = planDay(company, ranked, n);
  const root = await landingDirs(options.outDir);
  const paths = {
    orders: join(root, landingFile('source_orders', options.day)),
    lines: join(root, landingFile('source_order_products', options.day)),
    stock: join(root, landingFile('source_stock', options.day)),
  };
  const orders = new CsvWriter(paths.orders, SOURCE_FILES.source_orders.columns);
  const lines = new CsvWriter(paths.lines, SOURCE_FILES.source_order_products.columns);
  for (const order of day.orders) {
    orders.row([++orderId, order.customerId, order.status, options.day]);
    // A payment covers the whole order: its lines share one transaction id.
    transactionId++;
    for (const [productId, qty] of order.lines) lines.row([transactionId, orderId, productId, qty]);
  }
  await orders.close();
  await lines.close();
  const stockRows = day.stock.map((s) => stockRow({ entry_id: ++entryId, product_id: s.productId, product_quantity: s.quantity, purchase_price_cents: s.priceCents, entry_date: options.day }));
  const stockCount = await writeCsv(paths.stock, SOURCE_FILES.source_stock.columns, stockRows);
  return {
    files: [paths.stock, paths.orders, paths.lines],
    counts: { products: 0, stock: stockCount, customers: 0, orders: orders.rows, lines: lines.rows },
  };
}

/** The day after `day` (YYYY-MM-DD): after the history's last day, the first day to land on its own. */
export function dayAfter(day: string = LAST_DAY): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + MS_PER_DAY).toISOString().slice(0, 10);
}
