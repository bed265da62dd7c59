import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatError } from '@mesh/errors';
import { MIGRATIONS } from './schema';
import { MetadataStore } from './store';

const at = (iso: string) => new Date(iso);

describe('metadata store', () => {
  it('records runs and answers when each model last built successfully', async () => {
    const store = await MetadataStore.open(':memory:');
    const node = (uniqueId: string, status: string, finished: string) => ({ uniqueId, resourceType: 'model', status, elapsedS: 0.1, finishedAt: at(finished), rows: 3 });
    await store.recordRun({ runId: 'r1', project: 'sales', command: 'build', startedAt: at('2026-01-01T00:00:00Z'), finishedAt: at('2026-01-01T00:01:00Z'), status: 'success',
      nodes: [node('model.sales.a', 'success', '2026-01-01T00:00:30Z'), node('model.sales.b', 'success', '2026-01-01T00:00:40Z')] });
    await store.recordRun({ runId: 'r2', project: 'sales', command: 'build', startedAt: at('2026-01-02T00:00:00Z'), finishedAt: at('2026-01-02T00:01:00Z'), status: 'error',
      nodes: [node('model.sales.a', 'success', '2026-01-02T00:00:30Z'), node('model.sales.b', 'error', '2026-01-02T00:00:40Z')] });
    const last = await store.lastBuilt(['model.sales.a', 'model.sales.b', 'model.sales.never']);
    expect(last.get('model.sales.a')?.toISOString()).toBe('2026-01-02T00:00:30.000Z');
    expect(last.get('model.sales.b')?.toISOString()).toBe('2026-01-01T00:00:40.000Z');
    expect(last.has('model.sales.never')).toBe(false);
    await store.close();
  });

  it('keeps every SLO measurement and returns the newest first per SLO', async () => {
    const store = await MetadataStore.open(':memory:');
    const m = (measured: number, status: 'pass' | 'breach') => ({ slo: 'completeness' as const, model: 'orders', column: 'order_date', measured, objective: '>= 0.99', status, message: `${measured}` });
    await store.recordSlos('r1', 'sales', at('2026-01-01T00:00:00Z'), [m(1, 'pass'), { slo: 'row_count', model: 'orders', measured: 5, objective: '>= 1', status: 'pass', message: '5 rows' }]);
    await store.recordSlos('r2', 'sales', at('2026-01-02T00:00:00Z'), [m(0.5, 'breach')]);
    await store.recordSlos('r3', 'other', at('2026-01-03T00:00:00Z'), [m(0.1, 'breach')]);
    const latest = await store.sloHistory('sales');
    expect(latest.map((s) => [s.slo, s.runId, s.measured, s.status])).toEqual([['completeness', 'r2', 0.5, 'breach'], ['row_count', 'r1', 5, 'pass']]);
    const history = await store.sloHistory('sales', 10);
    expect(history.filter((s) => s.slo === 'completeness').map((s) => s.runId)).toEqual(['r2', 'r1']);
    await store.close();
  });

  it("keeps each test's results, newest first and at most the limit, for the project's runs only", async () => {
    const store = await MetadataStore.open(':memory:');
    const test = (status: string, finished: string) => ({ uniqueId: 'test.sales.unique_orders_id', resourceType: 'test', status, elapsedS: 0, finishedAt: at(finished) });
    for (const [i, status] of ['pass', 'fail', 'pass'].entries()) {
      await store.recordRun({ runId: `r${i}`, project: 'sales', command: 'build', startedAt: at(`2026-01-0${i + 1}T00:00:00Z`), finishedAt: at(`2026-01-0${i + 1}T00:01:00Z`), status: 'success',
        nodes: [test(status, `2026-01-0${i + 1}T00:00:30Z`), { uniqueId: 'model.sales.orders', resourceType: 'model', status: 'success', elapsedS: 0, finishedAt: at(`2026-01-0${i + 1}T00:00:10Z`) }] });
    }
    await store.recordRun({ runId: 'x', project: 'finance', command: 'build', startedAt: at('2026-01-05T00:00:00Z'), finishedAt: at('2026-01-05T00:01:00Z'), status: 'success', nodes: [test('error', '2026-01-05T00:00:30Z')] });
    expect((await store.testHistory('sales', 2)).map((t) => [t.uniqueId, t.status, t.runId])).toEqual([['test.sales.unique_orders_id', 'pass', 'r2'], ['test.sales.unique_orders_id', 'fail', 'r1']]);
    expect(await store.testHistory('sales')).toHaveLength(3);
    await store.close();
  });

  it('migrates a new file once and reopens it with its history', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mesh-meta-')), 'm.duckdb');
    const first = await MetadataStore.open(path);
    await first.recordSlos('r1', 'sales', at('2026-01-01T00:00:00Z'), [{ slo: 'row_count', model: 'x', measured: 1, objective: '>= 1', status: 'pass', message: '' }]);
    await first.close();
    const again = await MetadataStore.open(path);
    expect(await again.sloHistory('sales')).toHaveLength(1);
    await again.close();
  });

  it('lists runs newest first with node totals, and shows one by a unique prefix of its id', async () => {
    const store = await MetadataStore.open(':memory:');
    const node = (uniqueId: string, status: string, rows: number) => ({ uniqueId, resourceType: 'model', status, elapsedS: 1, finishedAt: at('2026-01-01T00:00:30Z'), rows });
    await store.recordRun({ runId: 'aaa-1', project: 'sales', command: 'build', startedAt: at('2026-01-01T00:00:00Z'), finishedAt: at('2026-01-01T00:01:00Z'), status: 'error',
      nodes: [node('model.sales.a', 'success', 3), node('model.sales.b', 'error', 0)] });
    await store.recordRun({ runId: 'aab-2', project: 'sales', command: 'ingest', startedAt: at('2026-01-02T00:00:00Z'), finishedAt: at('2026-01-02T00:00:05Z'), status: 'success',
      nodes: [], trigger: 'schedule', parentRunId: 'tick-1' });
    await store.recordRun({ runId: 'tick-1', project: 'sales', command: 'schedule', startedAt: at('2026-01-02T00:00:00Z'), finishedAt: at('2026-01-02T00:02:00Z'), status: 'success',
      nodes: [], scheduledFor: at('2026-01-02T00:00:00Z') });
    const runs = await store.listRuns({ project: 'sales' });
    expect(runs.map((r) => [r.runId, r.nodeCount, r.failedNodes, r.rows])).toEqual([['aab-2', 0, 0, 0], ['tick-1', 0, 0, 0], ['aaa-1', 2, 1, 3]]);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', parentRunId: 'tick-1', elapsedS: 5 });
    expect((await store.listRuns({ command: 'build' })).map((r) => r.runId)).toEqual(['aaa-1']);
    expect((await store.runDetail('aaa'.concat('-')))?.nodes.map((n) => n.status)).toEqual(['success', 'error']);
    expect(formatError(await store.runDetail('aa').catch((e: unknown) => e))).toContain("error[E_RUN_AMBIGUOUS] the run id 'aa' matches more than one run");
    expect(await store.runDetail('zzz')).toBeUndefined();
    expect((await store.lastScheduled('sales'))?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(await store.lastScheduled('finance')).toBeUndefined();
    await store.close();
  });

  it('remembers each ingested file with its checksum, replaced when loaded again', async () => {
    const store = await MetadataStore.open(':memory:');
    const file = { project: 'sales', source: 'orders', file: 'o.csv', path: '/raw/o.csv', bytes: 10, rowsLoaded: 2, target: 'bronze.orders', runId: 'r1', loadedAt: at('2026-01-01T00:00:00Z') };
    await store.recordIngestedFile({ ...file, checksum: 'c1' });
    await store.recordIngestedFile({ ...file, path: '/moved/raw/o.csv', checksum: 'c2', rowsLoaded: 3, runId: 'r2' });
    expect(await store.ingestedFile('sales', 'orders', 'o.csv')).toMatchObject({ path: '/moved/raw/o.csv', checksum: 'c2', rowsLoaded: 3, runId: 'r2' });
    expect(await store.ingestedFile('sales', 'other', 'o.csv')).toBeUndefined();
    expect(await store.ingestedFiles('sales', 'orders')).toMatchObject({ files: [{ file: 'o.csv', checksum: 'c2' }], legacy: [] });
    await store.close();
  });

  it('keeps files an older version recorded by absolute path apart, until each is recorded again under its key', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mesh-meta-')), 'm.duckdb');
    const db = await DuckDBInstance.create(path);
    const c = await db.connect();
    await c.run(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL); ${MIGRATIONS.slice(0, 3).join(';')};
      INSERT INTO schema_migrations VALUES (1, now()), (2, now()), (3, now());
      INSERT INTO ingested_files VALUES ('sales', 'orders', '/raw/o.csv', 'c1', 10, 2, 'bronze.orders', 'r1', '2026-01-01'), ('sales', 'orders', '/raw/p.csv', 'c9', 5, 1, 'bronze.orders', 'r1', '2026-01-01')`);
    c.closeSync();
    db.closeSync();
    const store = await MetadataStore.open(path);
    const before = await store.ingestedFiles('sales', 'orders');
    expect(before.files).toEqual([]);
    expect(before.legacy.map((l) => [l.path, l.checksum, l.rowsLoaded])).toEqual([['/raw/o.csv', 'c1', 2], ['/raw/p.csv', 'c9', 1]]);
    await store.recordIngestedFile({ ...before.legacy[0]!, file: 'o.csv' }, '/raw/o.csv');
    const after = await store.ingestedFiles('sales', 'orders');
    expect(after.files.map((f) => [f.file, f.path, f.checksum])).toEqual([['o.csv', '/raw/o.csv', 'c1']]);
    expect(after.legacy.map((l) => l.path)).toEqual(['/raw/p.csv']);
    await store.close();
  });

  it('waits while another process has the file open, then names it and the run holding the project', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-meta-'));
    const path = join(dir, '.mesh', 'metadata.duckdb');
    await (await MetadataStore.open(path)).close();
    // Another process: DuckDB's lock is per process, so a second instance in this one would not conflict.
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `
      import { DuckDBInstance } from '@duckdb/node-api';
      const db = await DuckDBInstance.create(${JSON.stringify(path)});
      console.log('open');
      setTimeout(() => db.closeSync(), 1500);`], { cwd: dirname(fileURLToPath(import.meta.url)) });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', () => resolve());
        holder.on('exit', () => reject(new Error('the holding process ended early')));
      });
      writeFileSync(join(dir, '.mesh', 'run.lock'), JSON.stringify({ pid: holder.pid, command: 'ingest', startedAt: '2026-01-01T00:00:00.000Z', host: hostname() }));
      const error = await MetadataStore.open(path, { waitMs: 200 }).catch((e: unknown) => e);
      expect(formatError(error)).toContain(`error[E_METADATA_LOCKED] the metadata database ${path} is held open by pid ${holder.pid}`);
      expect(formatError(error)).toContain(`the project's ingest of pid ${holder.pid} (started 2026-01-01T00:00:00.000Z) is running`);
      // Given long enough, it gets in as soon as the other process lets go.
      const store = await MetadataStore.open(path, { waitMs: 10_000 });
      expect(await store.listRuns()).toEqual([]);
      await store.close();
    } finally {
      holder.kill();
    }
  });

  it('brings a file of the first schema forward, keeping its runs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mesh-meta-')), 'm.duckdb');
    const db = await DuckDBInstance.create(path);
    const c = await db.connect();
    await c.run(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL); ${MIGRATIONS[0]}; INSERT INTO schema_migrations VALUES (1, now());
      INSERT INTO runs VALUES ('old', 'sales', 'build', '2026-01-01', '2026-01-01', 'success', 1)`);
    c.closeSync();
    db.closeSync();
    const store = await MetadataStore.open(path);
    expect((await store.listRuns()).map((r) => [r.runId, r.trigger])).toEqual([['old', undefined]]);
    await store.close();
  });

  it('refuses a file written by a newer platform instead of writing the wrong shape into it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mesh-meta-')), 'm.duckdb');
    const db = await DuckDBInstance.create(path);
    const c = await db.connect();
    await c.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL); INSERT INTO schema_migrations VALUES (99, now())');
    c.closeSync();
    db.closeSync();
    const error = await MetadataStore.open(path).catch((e: unknown) => e);
    expect(formatError(error)).toContain(`error[E_METADATA_VERSION] the metadata database ${path} was written by a newer platform (schema 99, this one knows ${MIGRATIONS.length})`);
  });
});
