import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTeddyData, type GenerateResult } from './generate';
import { dayAfter, landTeddyDay, landTeddyHistory, type LandingResult } from './landing';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'teddy-landing-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const rowsOf = async (path: string) => (await readFile(path, 'utf8')).trimEnd().split('\n').slice(1);
const idsOf = (rows: string[]) => rows.map((r) => Number(r.split(',')[0]));

describe('the landing layout', () => {
  let flat: GenerateResult;
  let landed: LandingResult;
  let root: string;

  beforeAll(async () => {
    flat = await generateTeddyData({ outDir: await tempDir(), seed: 11, lines: 5_000 });
    root = await tempDir();
    landed = await landTeddyHistory({ outDir: root, seed: 11, lines: 5_000 });
  });

  it('lands a folder per domain: snapshots for the catalog and customers, a file per month for the rest', async () => {
    const files = (await Promise.all(['inventory', 'sales'].map(async (d) => (await readdir(join(root, d))).map((f) => `${d}/${f}`)))).flat().sort();
    const months = ['01', '02', '03', '04', '05', '06'];
    expect(files).toEqual([
      'inventory/catalog.csv', ...months.map((m) => `inventory/stock_2026-${m}.csv`),
      'sales/customers.csv', ...months.map((m) => `sales/order_products_2026-${m}.csv`), ...months.map((m) => `sales/orders_2026-${m}.csv`),
    ].sort());
    expect(landed.files.map((f) => relative(root, f)).sort()).toEqual(files);
  });

  it('holds exactly the rows of the flat files, each in the month of its date (order lines in their order\'s)', async () => {
    expect(landed.counts).toEqual(flat.counts);
    const concat = async (name: string) => (await Promise.all(landed.files.filter((f) => relative(root, f).startsWith(name)).sort().map(rowsOf))).flat();
    expect(await concat('sales/orders_')).toEqual(await rowsOf(flat.files.source_orders));
    expect(await concat('sales/order_products_')).toEqual(await rowsOf(flat.files.source_order_products));
    expect(await concat('inventory/stock_')).toEqual(await rowsOf(flat.files.source_stock));
    expect(await concat('sales/customers')).toEqual(await rowsOf(flat.files.source_customers));
    for (const month of ['01', '04']) {
      expect((await rowsOf(join(root, 'sales', `orders_2026-${month}.csv`))).every((r) => r.endsWith(`,2026-${month}-${r.slice(-2)}`))).toBe(true);
    }
  });

  it('lands a day after the history with ids that continue, and the same bytes every time', async () => {
    const first = await landTeddyDay({ outDir: root, seed: 11, lines: 5_000, day: '2026-07-01' });
    expect(first.files.map((f) => relative(root, f))).toEqual(['inventory/stock_2026-07-01.csv', 'sales/orders_2026-07-01.csv', 'sales/order_products_2026-07-01.csv']);
    const orders = await rowsOf(join(root, 'sales', 'orders_2026-07-01.csv'));
    expect(orders.length).toBe(first.counts.orders);
    expect(orders.length).toBeGreaterThan(0);
    expect(idsOf(orders)[0]).toBe(flat.counts.orders + 1);
    expect(orders.every((r) => /,(open|paid),2026-07-01$/.test(r))).toBe(true);
    // Every order line belongs to one of the day's orders.
    const lines = await rowsOf(join(root, 'sales', 'order_products_2026-07-01.csv'));
    const dayOrders = new Set(idsOf(orders));
    expect(lines.every((l) => dayOrders.has(Number(l.split(',')[1])))).toBe(true);
    // The first of a month books a delivery of every stocked product, so the month has purchase prices.
    const stocked = new Set((await rowsOf(flat.files.source_stock)).map((r) => r.split(',')[1]));
    const stock = await rowsOf(join(root, 'inventory', 'stock_2026-07-01.csv'));
    expect(new Set(stock.map((r) => r.split(',')[1]))).toEqual(stocked);
    expect(idsOf(stock)[0]).toBe(flat.counts.stock + 1);

    const again = await tempDir();
    await landTeddyDay({ outDir: again, seed: 11, lines: 5_000, day: '2026-07-01' });
    expect(await readFile(join(again, 'sales', 'orders_2026-07-01.csv'), 'utf8')).toBe(await readFile(join(root, 'sales', 'orders_2026-07-01.csv'), 'utf8'));

    const second = await landTeddyDay({ outDir: root, seed: 11, lines: 5_000, day: dayAfter('2026-07-01') });
    expect(idsOf(await rowsOf(second.files[1]!))[0]).toBe(flat.counts.orders + first.counts.orders + 1);
  });

  it('refuses a day inside the history', async () => {
    await expect(landTeddyDay({ outDir: root, seed: 11, lines: 5_000, day: '2026-06-30' })).rejects.toThrow(/inside the history/);
    expect(dayAfter()).toBe('2026-07-01');
  });
});
