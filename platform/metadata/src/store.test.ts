import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatError } from '@mesh/errors';
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

  it('migrates a new file once and reopens it with its history', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mesh-meta-')), 'm.duckdb');
    const first = await MetadataStore.open(path);
    await first.recordSlos('r1', 'sales', at('2026-01-01T00:00:00Z'), [{ slo: 'row_count', model: 'x', measured: 1, objective: '>= 1', status: 'pass', message: '' }]);
    await first.close();
    const again = await MetadataStore.open(path);
    expect(await again.sloHistory('sales')).toHaveLength(1);
    await again.close();
  });

  it('refuses a file written by a newer platform instead of writing the wrong shape into it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mesh-meta-')), 'm.duckdb');
    const db = await DuckDBInstance.create(path);
    const c = await db.connect();
    await c.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL); INSERT INTO schema_migrations VALUES (99, now())');
    c.closeSync();
    db.closeSync();
    const error = await MetadataStore.open(path).catch((e: unknown) => e);
    expect(formatError(error)).toContain(`error[E_METADATA_VERSION] the metadata database ${path} was written by a newer platform (schema 99, this one knows 1)`);
  });
});
