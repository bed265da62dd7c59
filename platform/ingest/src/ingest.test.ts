import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBAdapter } from '@mesh/adapter-duckdb';
import type { AdapterSession } from '@mesh/engine';
import { formatError } from '@mesh/errors';
import { MetadataStore, MIGRATIONS } from '@mesh/metadata';
import { fileChecksum } from './checksum';
import { parseIngestFile, targetOf } from './config';
import { ingest, type IngestReport } from './ingest';
import { loadFile } from './load-file';

let dir: string;
let adapter: DuckDBAdapter;
let session: AdapterSession;
let store: MetadataStore;
let run = 0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-ingest-'));
  mkdirSync(join(dir, 'raw'));
  adapter = await DuckDBAdapter.open({ path: join(dir, 'target', 'shop.duckdb') });
  session = await adapter.session();
  store = await MetadataStore.open(':memory:');
});

afterEach(async () => {
  session.close();
  await adapter.close();
  await store.close();
});

const file = (name: string, text: string) => writeFileSync(join(dir, 'raw', name), text);

async function load(yaml: string, env: Record<string, string> = {}): Promise<IngestReport> {
  const config = parseIngestFile(join(dir, 'ingest.yml'), yaml);
  return ingest({ project: 'shop', root: dir, config, session, ledger: store, runId: `run-${++run}`, env, now: () => new Date('2026-03-01T12:00:00Z') });
}

const rows = (sql: string) => session.query(sql);
const outcomes = (report: IngestReport) => report.files.map((f) => [f.file.replace(`${dir}/`, ''), f.outcome, f.rows]);

const ORDERS = `
sources:
  - name: orders
    loader: csv
    path: raw/orders_*.csv
`;

describe('incremental loading by file', () => {
  it('loads a new file with load metadata, skips it when unchanged, and replaces its rows when it changes', async () => {
    file('orders_1.csv', 'id,amount\n1,10\n2,20\n');
    expect(outcomes(await load(ORDERS))).toEqual([['raw/orders_1.csv', 'loaded', 2]]);
    expect(await rows('SELECT id, amount, _loaded_at, _source_file FROM bronze.orders ORDER BY id')).toEqual([
      { id: 1, amount: 10, _loaded_at: new Date('2026-03-01T12:00:00Z'), _source_file: 'orders_1.csv' },
      { id: 2, amount: 20, _loaded_at: new Date('2026-03-01T12:00:00Z'), _source_file: 'orders_1.csv' },
    ]);

    // The same file again: nothing to do.
    expect(outcomes(await load(ORDERS))).toEqual([['raw/orders_1.csv', 'unchanged', 0]]);

    // A new file next to it: only it loads.
    file('orders_2.csv', 'id,amount\n3,30\n');
    expect(outcomes(await load(ORDERS))).toEqual([['raw/orders_1.csv', 'unchanged', 0], ['raw/orders_2.csv', 'loaded', 1]]);

    // The first file corrected in place: its rows are replaced, not added to.
    file('orders_1.csv', 'id,amount\n1,11\n2,21\n4,40\n');
    const changed = await load(ORDERS);
    expect(outcomes(changed)).toEqual([['raw/orders_1.csv', 'replaced', 3], ['raw/orders_2.csv', 'unchanged', 0]]);
    expect(changed.files[0]!.replacedRows).toBe(2);
    expect(await rows('SELECT id, amount FROM bronze.orders ORDER BY id')).toEqual([
      { id: 1, amount: 11 }, { id: 2, amount: 21 }, { id: 3, amount: 30 }, { id: 4, amount: 40 },
    ]);
    const recorded = await store.ingestedFile('shop', 'orders', 'orders_1.csv');
    expect(recorded).toMatchObject({ path: join(dir, 'raw/orders_1.csv'), rowsLoaded: 3, target: 'bronze.orders', runId: 'run-4' });
    expect(recorded?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never duplicates a file whose load was not recorded (a crash between the two databases)', async () => {
    file('orders_1.csv', 'id,amount\n1,10\n');
    await load(ORDERS);
    const forgetful = { ingestedFiles: async () => ({ files: [], legacy: [] }), recordIngestedFile: async () => {}, forgetIngestedFiles: async () => {} };
    const config = parseIngestFile(join(dir, 'ingest.yml'), ORDERS);
    await ingest({ project: 'shop', root: dir, config, session, ledger: forgetful, runId: 'again' });
    expect(await rows('SELECT count(*)::INTEGER AS n FROM bronze.orders')).toEqual([{ n: 1 }]);
  });

  it("loads a file again when the table lacks its rows (a database restored from a cache, a rebuilt target)", async () => {
    file('orders_1.csv', 'id,amount\n1,10\n2,20\n');
    file('orders_2.csv', 'id,amount\n3,30\n');
    await load(ORDERS);
    // The table as an older copy of the database had it: orders_2 never arrived there.
    await session.execute(`DELETE FROM bronze.orders WHERE _source_file = 'orders_2.csv'`);
    const healed = await load(ORDERS);
    expect(outcomes(healed)).toEqual([['raw/orders_1.csv', 'unchanged', 0], ['raw/orders_2.csv', 'loaded', 1]]);
    expect(healed.files[1]!.notes).toEqual(['loaded again: bronze.orders held 0 of its 1 rows']);
    // The whole table gone (the database file deleted and built anew): every file loads again.
    await session.execute('DROP TABLE bronze.orders');
    expect(outcomes(await load(ORDERS))).toEqual([['raw/orders_1.csv', 'loaded', 2], ['raw/orders_2.csv', 'loaded', 1]]);
    expect(await rows('SELECT count(*)::INTEGER AS n FROM bronze.orders')).toEqual([{ n: 3 }]);
  });

  it('starts a source over with fullRefresh: rows of files no longer there go, every file present loads', async () => {
    file('orders_1.csv', 'id,amount\n1,10\n');
    file('orders_2.csv', 'id,amount\n2,20\n');
    await load(ORDERS);
    rmSync(join(dir, 'raw', 'orders_2.csv'));
    // Without a refresh, bronze is a history: the rows of a file that went stay.
    expect(outcomes(await load(ORDERS))).toEqual([['raw/orders_1.csv', 'unchanged', 0]]);
    expect(await rows('SELECT count(*)::INTEGER AS n FROM bronze.orders')).toEqual([{ n: 2 }]);
    const config = parseIngestFile(join(dir, 'ingest.yml'), ORDERS);
    const refreshed = await ingest({ project: 'shop', root: dir, config, session, ledger: store, runId: 'refresh', fullRefresh: true });
    expect(outcomes(refreshed)).toEqual([['raw/orders_1.csv', 'loaded', 1]]);
    expect(refreshed.files[0]!.notes).toEqual(['created bronze.orders']);
    expect(await rows('SELECT id FROM bronze.orders')).toEqual([{ id: 1 }]);
    // What went is forgotten too: landing it again is a first load, not a restore.
    expect((await store.ingestedFiles('shop', 'orders')).files.map((f) => f.file)).toEqual(['orders_1.csv']);
  });

  it('reads JSON, newline-delimited JSON and Parquet files, folders, and paths from the environment', async () => {
    file('a.json', '[{"id": 1, "tags": ["x"]}, {"id": 2, "tags": []}]');
    mkdirSync(join(dir, 'raw', 'events', '2026-03'), { recursive: true });
    file('events/2026-03/e1.ndjson', '{"id": 1, "kind": "view"}\n{"id": 2, "kind": "buy"}\n');
    file('events/2026-03/notes.txt', 'not an event file');
    await session.execute(`COPY (SELECT range AS id, 'p' || range AS name FROM range(5)) TO '${join(dir, 'raw', 'p.parquet')}' (FORMAT parquet)`);
    const report = await load(`
sources:
  - {name: items, loader: json, path: raw/a.json}
  - {name: events, loader: ndjson, path: raw/events, target: landing.events}
  - {name: products, loader: parquet, path: '\${RAW:-nowhere}/p.parquet'}
`, { RAW: join(dir, 'raw') });
    expect(report.errors).toEqual([]);
    expect(outcomes(report)).toEqual([['raw/a.json', 'loaded', 2], ['raw/events/2026-03/e1.ndjson', 'loaded', 2], ['raw/p.parquet', 'loaded', 5]]);
    expect(await rows(`SELECT kind FROM landing.events ORDER BY id`)).toEqual([{ kind: 'view' }, { kind: 'buy' }]);
    expect(await rows(`SELECT len(tags)::INTEGER AS n FROM bronze.items ORDER BY id`)).toEqual([{ n: 1 }, { n: 0 }]);
    expect(await rows(`SELECT count(*)::INTEGER AS n FROM bronze.products`)).toEqual([{ n: 5 }]);
    // Each file is named within its source's base folder: the folder itself, or the file's own folder.
    expect(await rows(`SELECT DISTINCT _source_file FROM landing.events`)).toEqual([{ _source_file: '2026-03/e1.ndjson' }]);
    expect(await rows(`SELECT DISTINCT _source_file FROM bronze.products`)).toEqual([{ _source_file: 'p.parquet' }]);
  });

  it('names a path that does not exist and an unset variable, and goes on with the other sources', async () => {
    file('orders_1.csv', 'id\n1\n');
    const report = await load(`
sources:
  - {name: missing, loader: csv, path: raw/nope.csv}
  - {name: unset, loader: csv, path: '\${NOT_SET_ANYWHERE}/x.csv'}
  - {name: orders, loader: csv, path: raw/orders_*.csv}
`);
    expect(report.errors.map((e) => e.code)).toEqual(['E_INGEST_PATH', 'E_ENV_UNSET']);
    expect(formatError(report.errors[0])).toContain('ingest.yml:3');
    expect(report.files.at(-1)).toMatchObject({ source: 'orders', outcome: 'loaded', rows: 1 });
  });
});

describe('a file is the same file wherever its raw folder lives', () => {
  const MOVABLE = `
sources:
  - name: orders
    loader: csv
    path: \${RAW_DIR:-raw}/orders_*.csv
`;
  const perFile = () => rows('SELECT _source_file, count(*)::INTEGER AS n, sum(amount)::INTEGER AS amount FROM bronze.orders GROUP BY ALL ORDER BY 1');

  it('skips every file after the raw folder moved and the variable pointing at it changed, and replaces only a changed one', async () => {
    file('orders_1.csv', 'id,amount\n1,10\n2,20\n');
    file('orders_2.csv', 'id,amount\n3,30\n');
    expect((await load(MOVABLE)).files.map((f) => f.outcome)).toEqual(['loaded', 'loaded']);

    renameSync(join(dir, 'raw'), join(dir, 'landing'));
    const moved = await load(MOVABLE, { RAW_DIR: join(dir, 'landing') });
    expect(outcomes(moved)).toEqual([['landing/orders_1.csv', 'unchanged', 0], ['landing/orders_2.csv', 'unchanged', 0]]);
    expect(await perFile()).toEqual([{ _source_file: 'orders_1.csv', n: 2, amount: 30 }, { _source_file: 'orders_2.csv', n: 1, amount: 30 }]);

    writeFileSync(join(dir, 'landing', 'orders_2.csv'), 'id,amount\n3,31\n4,40\n');
    const changed = await load(MOVABLE, { RAW_DIR: join(dir, 'landing') });
    expect(outcomes(changed)).toEqual([['landing/orders_1.csv', 'unchanged', 0], ['landing/orders_2.csv', 'replaced', 2]]);
    expect(changed.files[1]!.replacedRows).toBe(1);
    expect(await perFile()).toEqual([{ _source_file: 'orders_1.csv', n: 2, amount: 30 }, { _source_file: 'orders_2.csv', n: 2, amount: 71 }]);
    expect(await store.ingestedFile('shop', 'orders', 'orders_2.csv')).toMatchObject({ path: join(dir, 'landing', 'orders_2.csv'), rowsLoaded: 2 });
  });

  it('takes over what an older version keyed by absolute path, without loading anything twice', async () => {
    file('orders_1.csv', 'id,amount\n1,10\n2,20\n');
    file('orders_2.csv', 'id,amount\n3,30\n');
    file('orders_3.csv', 'id,amount\n5,50\n');
    // What an older version left: rows and records keyed by absolute path. orders_1 was loaded from where
    // the raw folder used to be; orders_2 from here, and it changed since; orders_3 was loaded but the
    // process died before recording it.
    const source = parseIngestFile(join(dir, 'ingest.yml'), ORDERS).sources[0]!;
    const at = (name: string) => join(dir, 'raw', name);
    const oldLoads = [['orders_1.csv', '/mnt/old-raw/orders_1.csv'], ['orders_2.csv', at('orders_2.csv')], ['orders_3.csv', at('orders_3.csv')]] as const;
    for (const [name, key] of oldLoads) {
      await loadFile({ session, source, file: at(name), key, target: targetOf(source), loadedAt: new Date('2026-01-01T00:00:00Z') });
    }
    const metadata = join(dir, 'metadata.duckdb');
    const old = await DuckDBAdapter.open({ path: metadata });
    const c = await old.session();
    await c.execute(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL);
      ${MIGRATIONS.slice(0, 3).join(';\n')}; INSERT INTO schema_migrations VALUES (1, now()), (2, now()), (3, now());
      INSERT INTO ingested_files VALUES
        ('shop', 'orders', '/mnt/old-raw/orders_1.csv', '${await fileChecksum(at('orders_1.csv'))}', 16, 2, 'bronze.orders', 'old', '2026-01-01'),
        ('shop', 'orders', '${at('orders_2.csv')}', 'a-checksum-of-older-content', 9, 1, 'bronze.orders', 'old', '2026-01-01')`);
    c.close();
    await old.close();
    await store.close();
    store = await MetadataStore.open(metadata);
    file('orders_2.csv', 'id,amount\n3,31\n4,40\n');

    expect(outcomes(await load(ORDERS))).toEqual([['raw/orders_1.csv', 'unchanged', 0], ['raw/orders_2.csv', 'replaced', 2], ['raw/orders_3.csv', 'loaded', 1]]);
    const expected = [
      { _source_file: 'orders_1.csv', n: 2, amount: 30 },
      { _source_file: 'orders_2.csv', n: 2, amount: 71 },
      { _source_file: 'orders_3.csv', n: 1, amount: 50 },
    ];
    expect(await perFile()).toEqual(expected);
    expect(await store.ingestedFiles('shop', 'orders')).toMatchObject({ files: [{ file: 'orders_1.csv', runId: 'old' }, { file: 'orders_2.csv' }, { file: 'orders_3.csv' }], legacy: [] });
    // Re-keyed once: the next ingest has nothing to do.
    expect((await load(ORDERS)).files.map((f) => f.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await perFile()).toEqual(expected);
  });
});

describe('schema drift', () => {
  it('refuses a new column by default, loading nothing of the file', async () => {
    file('orders_1.csv', 'id,amount\n1,10\n');
    await load(ORDERS);
    file('orders_2.csv', 'id,amount,currency\n2,20,EUR\n');
    const report = await load(ORDERS);
    expect(report.errors).toHaveLength(1);
    const text = formatError(report.errors[0]);
    expect(text).toContain('error[E_INGEST_SCHEMA_DRIFT]');
    expect(text).toContain('new column currency VARCHAR');
    expect(text).toContain('on_schema_change: add_columns');
    expect(await rows('SELECT count(*)::INTEGER AS n FROM bronze.orders')).toEqual([{ n: 1 }]);
    expect(await store.ingestedFile('shop', 'orders', 'orders_2.csv')).toBeUndefined();
  });

  it('adds new columns and loads missing ones as NULL with add_columns', async () => {
    const yaml = `${ORDERS}    on_schema_change: add_columns\n`;
    file('orders_1.csv', 'id,amount\n1,10\n');
    await load(yaml);
    file('orders_2.csv', 'id,amount,currency\n2,20,EUR\n');
    file('orders_3.csv', 'id,currency\n3,USD\n');
    const report = await load(yaml);
    expect(report.errors).toEqual([]);
    expect(report.files[1]!.notes).toEqual(['new column currency VARCHAR: added to the table']);
    expect(report.files[2]!.notes).toEqual(['column amount BIGINT is missing: loaded as NULL']);
    expect(await rows('SELECT id, amount, currency FROM bronze.orders ORDER BY id')).toEqual([
      { id: 1, amount: 10, currency: null }, { id: 2, amount: 20, currency: 'EUR' }, { id: 3, amount: null, currency: 'USD' },
    ]);
  });

  it('refuses a retyped column even with add_columns, but takes a narrower number into a wider column', async () => {
    const yaml = `${ORDERS}    on_schema_change: add_columns\n`;
    file('orders_1.csv', 'id,amount\n1,10.5\n');
    await load(yaml);
    file('orders_2.csv', 'id,amount\n2,20\n'); // BIGINT into DOUBLE: fits
    file('orders_3.csv', 'id,amount\n3,lots\n'); // VARCHAR into DOUBLE: does not
    const report = await load(yaml);
    expect(outcomes(report)).toEqual([['raw/orders_1.csv', 'unchanged', 0], ['raw/orders_2.csv', 'loaded', 1], ['raw/orders_3.csv', 'failed', 0]]);
    expect(formatError(report.errors[0])).toContain('column amount is VARCHAR in the file, DOUBLE in the table');
    expect(formatError(report.errors[0])).toContain('types: {amount: <type>}');
  });
});

describe('malformed files', () => {
  it('reports the file and line, loads nothing of it, keeps earlier files and stops the source there', async () => {
    file('orders_1.csv', 'id,amount\n1,10\n');
    file('orders_2.csv', 'id,amount\n2,20\n3,30,oops\n4,40\n');
    file('orders_3.csv', 'id,amount\n5,50\n');
    const report = await load(ORDERS);
    expect(outcomes(report)).toEqual([['raw/orders_1.csv', 'loaded', 1], ['raw/orders_2.csv', 'failed', 0]]);
    const error = report.errors[0]!;
    expect(error.code).toBe('E_INGEST_PARSE');
    expect(error.location).toEqual({ file: join(dir, 'raw/orders_2.csv'), line: 3 });
    expect(formatError(error)).toContain(`raw/orders_2.csv:3: source 'orders': cannot read orders_2.csv at line 3`);
    expect(await rows('SELECT id FROM bronze.orders')).toEqual([{ id: 1 }]);
    // Fixed, the file loads and the source carries on past it.
    file('orders_2.csv', 'id,amount\n2,20\n3,30\n4,40\n');
    expect(outcomes(await load(ORDERS)).map((o) => o[1])).toEqual(['unchanged', 'loaded', 'loaded']);
  });

  it('finds the line of a CSV the sniffer gives up on (an unclosed quote)', async () => {
    file('orders_1.csv', 'id,name\n1,a\n2,"b\n3,c\n');
    const report = await load(ORDERS);
    expect(report.errors[0]?.location?.line).toBe(3);
  });

  it('finds the line of a value that does not fit the existing column, inside the transaction', async () => {
    file('orders_1.csv', 'id,amount\n1,10\n');
    await load(`${ORDERS}    types: {amount: INTEGER}\n`);
    file('orders_2.csv', `id,amount\n${Array.from({ length: 30_000 }, (_, i) => `${i},${i}`).join('\n')}\n30000,x\n`);
    const report = await load(`${ORDERS}    types: {amount: INTEGER}\n`);
    expect(report.errors[0]?.location?.line).toBe(30_002);
    expect(await rows('SELECT count(*)::INTEGER AS n FROM bronze.orders')).toEqual([{ n: 1 }]);
  });

  it('names the line of a broken newline-delimited JSON record', async () => {
    file('e.ndjson', '{"id": 1}\n{"id": 2,\n{"id": 3}\n');
    const report = await load('sources: [{name: events, loader: ndjson, path: raw/e.ndjson}]');
    expect(report.errors[0]?.code).toBe('E_INGEST_PARSE');
    expect(report.errors[0]?.location?.line).toBe(3);
  });
});

describe('ingest.yml', () => {
  it('names the line and the key it probably meant', () => {
    const error = (() => {
      try {
        parseIngestFile('ingest.yml', 'sources:\n  - name: orders\n    loader: csv\n    path: x.csv\n    on_schema_chnage: fail\n');
      } catch (e) {
        return e;
      }
    })();
    expect(formatError(error)).toContain("ingest.yml:5");
    expect(formatError(error)).toContain("did you mean 'on_schema_change'?");
  });

  it('refuses two sources loading one table', () => {
    expect(() => parseIngestFile('ingest.yml', 'sources:\n  - {name: a, loader: csv, path: a.csv, target: bronze.x}\n  - {name: x, loader: csv, path: b.csv}\n'))
      .toThrow(/sources 'a' and 'x' load the same table bronze.x/);
  });
});
