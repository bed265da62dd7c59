import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBAdapter, ingestReaderSql } from '@mesh/adapter-duckdb';
import { ingest, parseIngestFile } from '@mesh/ingest';
import { MetadataStore } from '@mesh/metadata';
import { BENCHMARKS_MD } from './paths';
import { updateBenchmarksFile } from './report';

/**
 * Ingestion of one large CSV file through the platform (checksum, schema check, one transaction with
 * load metadata columns, ledger entry), against DuckDB's own CREATE TABLE AS read_csv of the same file:
 * the difference is what ingestion costs on top of reading. Also the cost of finding a file unchanged.
 */

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, repeat: { type: 'string', default: '3' }, 'dry-run': { type: 'boolean', default: false } } });
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const root = mkdtempSync(join(tmpdir(), 'mesh-ingest-bench-'));
try {
  mkdirSync(join(root, 'raw'));
  const csv = join(root, 'raw', 'orders.csv');
  const setup = await DuckDBAdapter.open({ path: ':memory:' });
  const s = await setup.session();
  await s.execute(`COPY (SELECT range AS order_id, DATE '2026-01-01' + (range % 365)::INTEGER AS order_date, 'customer_' || (range % 5000) AS customer,
    (range * 7919) % 100000 / 100.0 AS amount, ['new', 'paid', 'shipped'][1 + range % 3] AS status FROM range(${rows})) TO '${csv}' (HEADER)`);
  s.close();
  await setup.close();
  const size = statSync(csv).size;
  const config = parseIngestFile(join(root, 'ingest.yml'), 'sources: [{name: orders, loader: csv, path: raw/orders.csv}]');
  const first: number[] = [];
  const unchanged: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const adapter = await DuckDBAdapter.open({ path: join(root, `run${i}.duckdb`) });
    const session = await adapter.session();
    const store = await MetadataStore.open(':memory:');
    const run = () => ingest({ project: 'bench', root, config, session, reader: ingestReaderSql, ledger: store, runId: `r${i}` });
    first.push(await timed(run));
    unchanged.push(await timed(run));
    raw.push(await timed(() => session.execute(`CREATE TABLE plain AS SELECT * FROM read_csv('${csv}')`)));
    session.close();
    await adapter.close();
    await store.close();
  }
  const mb = size / 1e6;
  const body = [
    `Measured by \`pnpm exec tsx tools/bench/src/ingest-bench.ts\`: one CSV file of ${rows.toLocaleString('en-US')} rows and 5 columns (${mb.toFixed(0)} MB), median of ${repeat} runs, each into a new database file.`,
    '',
    '| what | time | rows/s | MB/s |',
    '|---|---:|---:|---:|',
    `| \`mesh ingest\`, new file: sha256, schema check, load in one transaction with \`_loaded_at\`, \`_source_file\` | ${median(first).toFixed(2)} s | ${Math.round(rows / median(first)).toLocaleString('en-US')} | ${(mb / median(first)).toFixed(0)} |`,
    `| DuckDB alone: \`CREATE TABLE AS SELECT * FROM read_csv(...)\` | ${median(raw).toFixed(2)} s | ${Math.round(rows / median(raw)).toLocaleString('en-US')} | ${(mb / median(raw)).toFixed(0)} |`,
    `| \`mesh ingest\`, same file again (sha256 only, skipped) | ${median(unchanged).toFixed(2)} s | | ${(mb / median(unchanged)).toFixed(0)} |`,
  ].join('\n');
  console.log(body);
  if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'ingest', body);
} finally {
  rmSync(root, { recursive: true, force: true });
}
