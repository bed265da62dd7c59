import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from './csv';
import { TRICKY_FIRST_NAMES, TRICKY_SURNAMES } from './customers';
import { SOURCE_FILES, type SourceName } from './files';
import { generateTeddyData, type GenerateResult } from './generate';
import { ORDER_STATUSES } from './orders';
import { scaleFor } from './scale';

/** RFC 4180 reader, deliberately independent of the writer under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

type Table = { header: string[]; rows: string[][] };

async function readTable(result: GenerateResult, name: SourceName): Promise<Table> {
  const [header = [], ...rows] = parseCsv(await readFile(result.files[name], 'utf8'));
  return { header, rows };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'teddy-datagen-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('generateTeddyData at the default scale', () => {
  let result: GenerateResult;
  const tables = {} as Record<SourceName, Table>;

  beforeAll(async () => {
    result = await generateTeddyData({ outDir: await tempDir() });
    for (const name of Object.keys(SOURCE_FILES) as SourceName[]) {
      tables[name] = await readTable(result, name);
    }
  });

  it('writes the five files with the exact headers, in column order', () => {
    expect(Object.values(SOURCE_FILES).map((f) => f.file)).toEqual([
      'source_catalog.csv',
      'source_stock.csv',
      'source_customers.csv',
      'source_orders.csv',
      'source_order_products.csv',
    ]);
    expect(tables.source_catalog.header).toEqual(['product_id', 'product_name', 'product_category', 'price_cents']);
    expect(tables.source_stock.header).toEqual([
      'entry_id',
      'product_id',
      'product_quantity',
      'purchase_price_cents',
      'entry_date',
    ]);
    expect(tables.source_customers.header).toEqual([
      'customer_id',
      'customer_name',
      'customer_surname',
      'customer_email',
    ]);
    expect(tables.source_orders.header).toEqual(['order_id', 'customer_id', 'order_status', 'order_date']);
    expect(tables.source_order_products.header).toEqual([
      'transaction_id',
      'order_id',
      'product_id',
      'product_quantity',
    ]);
  });

  it('has the documented default size, and counts that match the files', () => {
    expect(result.counts.products).toBe(50);
    expect(result.counts.customers).toBe(1000);
    expect(result.counts.orders).toBeGreaterThan(3800);
    expect(result.counts.orders).toBeLessThan(4300);
    expect(result.counts.lines).toBe(45_000);
    expect(result.counts.stock).toBeGreaterThan(500);
    expect(tables.source_catalog.rows).toHaveLength(result.counts.products);
    expect(tables.source_stock.rows).toHaveLength(result.counts.stock);
    expect(tables.source_customers.rows).toHaveLength(result.counts.customers);
    expect(tables.source_orders.rows).toHaveLength(result.counts.orders);
    expect(tables.source_order_products.rows).toHaveLength(result.counts.lines);
  });

  it('parses back into the right number of fields on every row', () => {
    for (const { header, rows } of Object.values(tables)) {
      expect(rows.filter((row) => row.length !== header.length)).toEqual([]);
    }
  });

  it('keeps values in their domains: cents, statuses, dates, references', () => {
    const inRange = (date: string | undefined) => !!date && date >= '2026-01-01' && date <= '2026-06-30';
    const price = new Map(tables.source_catalog.rows.map((r) => [r[0], Number(r[3])]));
    expect(tables.source_catalog.rows.filter((r) => !/^\d+$/.test(r[3] ?? ''))).toEqual([]);
    const badStock = tables.source_stock.rows.filter(
      ([, productId, quantity, cost, date]) =>
        !(Number(quantity) > 0) ||
        !/^\d+$/.test(cost ?? '') ||
        !(Number(cost) < (price.get(productId) ?? 0)) ||
        !inRange(date),
    );
    expect(badStock).toEqual([]);
    const customerIds = new Set(tables.source_customers.rows.map((r) => r[0]));
    const statuses: readonly string[] = ORDER_STATUSES;
    const badOrders = tables.source_orders.rows.filter(
      ([, customerId, status, date]) =>
        !customerIds.has(customerId) || !statuses.includes(status ?? '') || !inRange(date),
    );
    expect(badOrders).toEqual([]);
    const orderIds = new Set(tables.source_orders.rows.map((r) => r[0]));
    const badLines = tables.source_order_products.rows.filter(
      ([, orderId, productId, quantity]) =>
        !orderIds.has(orderId) || !price.has(productId) || !(Number(quantity) > 0),
    );
    expect(badLines).toEqual([]);
  });

  it('uses every order status', () => {
    const statuses = new Set(tables.source_orders.rows.map((r) => r[2]));
    expect([...statuses].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  describe('quirks of real data', () => {
    it('has about 10% customers without any order', () => {
      const ordering = new Set(tables.source_orders.rows.map((r) => r[1]));
      const silent = tables.source_customers.rows.filter((r) => !ordering.has(r[0])).length;
      expect(silent).toBe(scaleFor(45_000).silentCustomers);
      expect(silent / result.counts.customers).toBeCloseTo(0.1, 2);
    });

    it('has a few products that never get a stock entry', () => {
      const stocked = new Set(tables.source_stock.rows.map((r) => r[1]));
      const unstocked = tables.source_catalog.rows.filter((r) => !stocked.has(r[0])).length;
      expect(unstocked).toBe(scaleFor(45_000).unstockedProducts);
      expect(unstocked).toBeGreaterThanOrEqual(2);
    });

    it('has a few orders with no lines', () => {
      const withLines = new Set(tables.source_order_products.rows.map((r) => r[1]));
      const empty = tables.source_orders.rows.filter((r) => !withLines.has(r[0])).length;
      expect(empty).toBeGreaterThanOrEqual(3);
      expect(empty).toBeLessThanOrEqual(20);
    });

    it('repeats about 1% of transaction ids', () => {
      const seen = new Set<string>();
      let repeated = 0;
      for (const [transactionId = ''] of tables.source_order_products.rows) {
        if (seen.has(transactionId)) repeated++;
        seen.add(transactionId);
      }
      expect(repeated / result.counts.lines).toBeGreaterThan(0.007);
      expect(repeated / result.counts.lines).toBeLessThan(0.013);
    });

    it('books stock for a product on several dates within a month', () => {
      const dates = new Map<string, Set<string>>();
      for (const [, productId, , , date = ''] of tables.source_stock.rows) {
        const key = `${productId}@${date.slice(0, 7)}`;
        dates.set(key, (dates.get(key) ?? new Set()).add(date));
      }
      const stockedProducts = result.counts.products - scaleFor(45_000).unstockedProducts;
      expect(dates.size).toBe(stockedProducts * 6);
      expect([...dates.values()].filter((days) => days.size < 2)).toEqual([]);
    });

    it('has names with apostrophes, accents, a comma and quotes, read back intact', () => {
      const first = new Set(tables.source_customers.rows.map((r) => r[1]));
      const last = new Set(tables.source_customers.rows.map((r) => r[2]));
      for (const name of ['Zoë', 'Robert "Bob"']) expect(first.has(name)).toBe(true);
      for (const name of ["O'Brien", 'Smith, Jr.', 'Müller']) expect(last.has(name)).toBe(true);
      expect(TRICKY_FIRST_NAMES.filter((n) => first.has(n)).length).toBeGreaterThan(5);
      expect(TRICKY_SURNAMES.filter((n) => last.has(n)).length).toBeGreaterThan(5);
    });
  });

  it('quotes a name with a comma or a quote in the raw file', async () => {
    const raw = await readFile(result.files.source_customers, 'utf8');
    expect(raw).toContain(',"Smith, Jr.",');
    expect(raw).toContain('"Robert ""Bob"""');
    expect(raw).toMatch(/,O'Brien,/);
  });
});

describe('csvField', () => {
  it('quotes only what needs it and doubles inner quotes', () => {
    expect(csvField('Smith, Jr.')).toBe('"Smith, Jr."');
    expect(csvField('Robert "Bob"')).toBe('"Robert ""Bob"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField("O'Brien")).toBe("O'Brien");
    expect(csvField('Zoë')).toBe('Zoë');
    expect(csvField(1299)).toBe('1299');
  });
});

describe('determinism and scale', () => {
  async function filesOf(result: GenerateResult): Promise<Buffer[]> {
    return Promise.all(Object.values(result.files).map((path) => readFile(path)));
  }

  it('writes byte-identical files for the same seed and options', async () => {
    const a = await generateTeddyData({ outDir: await tempDir(), seed: 7, lines: 20_000 });
    const b = await generateTeddyData({ outDir: await tempDir(), seed: 7, lines: 20_000 });
    expect(b.counts).toEqual(a.counts);
    const [filesA, filesB] = await Promise.all([filesOf(a), filesOf(b)]);
    filesA.forEach((file, i) => expect(file.equals(filesB[i] as Buffer)).toBe(true));
  });

  it('writes different data for a different seed', async () => {
    const a = await generateTeddyData({ outDir: await tempDir(), seed: 7, lines: 20_000 });
    const c = await generateTeddyData({ outDir: await tempDir(), seed: 8, lines: 20_000 });
    const [filesA, filesC] = await Promise.all([filesOf(a), filesOf(c)]);
    filesA.forEach((file, i) => expect(file.equals(filesC[i] as Buffer)).toBe(false));
  });

  it('sizes every table from the line count', async () => {
    const { counts } = await generateTeddyData({ outDir: await tempDir(), lines: 450_000 });
    expect(counts.lines).toBe(450_000);
    expect(counts.orders).toBeCloseTo(450_000 / 11, -2);
    expect(counts.customers).toBe(10_000);
    expect(counts.products).toBe(50 * Math.ceil(Math.sqrt(10)));
  });

  it('rejects out-of-range options', async () => {
    const outDir = await tempDir();
    await expect(generateTeddyData({ outDir, lines: 10 })).rejects.toThrow(RangeError);
    await expect(generateTeddyData({ outDir, lines: 10_000_001 })).rejects.toThrow(/lines must be/);
    await expect(generateTeddyData({ outDir, lines: 1000.5 })).rejects.toThrow(RangeError);
    await expect(generateTeddyData({ outDir, seed: -1 })).rejects.toThrow(/seed must be/);
  });
});

describe('cli', () => {
  const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.ts');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', env: { ...process.env, INIT_CWD: '' } });

  it('exits 2 with a clear message on bad flags', () => {
    const missing = run();
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--out <dir> is required');
    const badLines = run('--out', '/tmp/unused', '--lines', '45k');
    expect(badLines.status).toBe(2);
    expect(badLines.stderr).toContain('--lines must be a non-negative integer, got "45k"');
    const unknown = run('--out', '/tmp/unused', '--rows', '5');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--rows'/);
  });

  it('writes the files and prints the counts', async () => {
    const out = await tempDir();
    const ok = run('--out', out, '--seed', '3', '--lines', '1000');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/lines\s+1,000/);
    expect(ok.stdout).toMatch(/customers\s+22\b/);
  });
});
