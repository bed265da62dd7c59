import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBAdapter } from '@mesh/adapter-duckdb';
import { runProject, type RunOutcome } from '@mesh/engine';
import { parseDataProduct } from '../data-product';
import { failingSlos, formatAge, measureSlos, type SloResult } from './measure-slos';
import { sloTargets } from './slo-targets';

/**
 * SLOs measured on real tables built by the engine from data whose nulls and timestamps are known:
 * 10 orders, 3 of them without a customer e-mail, 1 without a date; the newest order is from 2026-03-01.
 */
const FILES: Record<string, string> = {
  'mesh_project.yml': 'name: shop\n',
  'models/orders.sql': `select * from (values
    (1, 'a@x', date '2026-02-20'), (2, null, date '2026-02-21'), (3, 'c@x', date '2026-02-22'), (4, null, date '2026-02-23'),
    (5, 'e@x', date '2026-02-24'), (6, 'f@x', date '2026-02-25'), (7, null, null), (8, 'h@x', date '2026-02-27'),
    (9, 'i@x', date '2026-02-28'), (10, 'j@x', date '2026-03-01')
  ) as t(order_id, email, order_date)`,
  'models/events.sql': "select 1 as event_id, timestamp '2026-03-01 10:00:00' as happened_at",
  'models/schema.yml': `version: 2
models:
  - name: orders
    config: {access: public}
    columns:
      - name: order_id
        constraints: [{type: not_null}]
      - name: email
        data_tests: [not_null]
      - name: order_date
  - name: events
    config: {access: public}
`,
};

const DESCRIPTOR = (slos: string) => parseDataProduct('data_product.yaml', `name: shop
domain: shop
owner: {team: Shop, email: shop@example.com}
description: Orders.
status: active
classification: internal
output_ports:
  - {name: orders, model: orders, format: duckdb}
  - {name: events, model: events, format: duckdb}
slos:
${slos}`);

async function built(): Promise<{ outcome: RunOutcome; adapter: DuckDBAdapter }> {
  const root = mkdtempSync(join(tmpdir(), 'mesh-slo-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const outcome = await runProject({
    projectDir: root, command: 'run', partialParse: false, writeCompiledFiles: false,
    openAdapter: (target) => DuckDBAdapter.open({ path: target.path }),
  });
  if (outcome.results.some((r) => r.status !== 'success')) throw new Error(JSON.stringify(outcome.results));
  // The run closed its database; the measurement opens it again, as the CLI's next command would.
  return { outcome, adapter: await DuckDBAdapter.open({ path: outcome.parsed.target.path }) };
}

async function measure(slos: string, options: { now: Date; lastBuilt?: Map<string, Date> }): Promise<SloResult[]> {
  const { outcome, adapter } = await built();
  const product = DESCRIPTOR(slos);
  const session = await adapter.session();
  try {
    return await measureSlos(session, product, sloTargets(outcome, product), { now: options.now, lastBuilt: options.lastBuilt ?? new Map() });
  } finally {
    session.close();
    await adapter.close();
  }
}

const brief = (r: SloResult) => [r.slo, r.model, r.column ?? null, r.measured ?? null, r.status];

describe('SLO measurement', () => {
  it('completeness is the share of non-null values, per listed column, against the minimum', async () => {
    const results = await measure('  completeness: {min: 0.8, models: [orders], columns: [email, order_date]}\n  on_breach: fail', { now: new Date() });
    expect(results.map(brief)).toEqual([
      ['completeness', 'orders', 'email', 0.7, 'breach'],
      ['completeness', 'orders', 'order_date', 0.9, 'pass'],
    ]);
    expect(results[0]!.message).toBe('70% of 10 rows have email (3 null); the objective is at least 80%');
    expect(failingSlos(results).map((r) => r.column)).toEqual(['email']);
  });

  it('without columns, completeness covers the required ones: not_null constraints and not_null tests', async () => {
    const results = await measure('  completeness: {min: 0.99, models: [orders]}\n  on_breach: warn', { now: new Date() });
    expect(results.map(brief)).toEqual([
      ['completeness', 'orders', 'order_id', 1, 'pass'],
      ['completeness', 'orders', 'email', 0.7, 'breach'],
    ]);
    expect(failingSlos(results)).toEqual([]);
  });

  it('freshness from a date column: the newest value against the maximum age', async () => {
    const now = new Date('2026-03-04T12:00:00Z');
    const results = await measure('  freshness: {max_age: 2d, column: order_date, model: orders}\n  on_breach: fail', { now });
    expect(results.map(brief)).toEqual([['freshness', 'orders', 'order_date', 3.5 * 86400, 'breach']]);
    expect(results[0]!.message).toBe('the newest order_date (2026-03-01 00:00:00 UTC) is 3d 12h old; the objective is at most 2d');
    const fresh = await measure('  freshness: {max_age: 4d, column: order_date, model: orders}\n  on_breach: fail', { now });
    expect(fresh.map((r) => r.status)).toEqual(['pass']);
  });

  it('freshness from a timestamp column on every port that has it, when no model is named', async () => {
    const results = await measure('  freshness: {max_age: 1h, column: happened_at}\n  on_breach: warn', { now: new Date('2026-03-01T10:30:00Z') });
    expect(results.map(brief)).toEqual([['freshness', 'events', 'happened_at', 1800, 'pass']]);
  });

  it('freshness without a column is the age of the last successful load', async () => {
    const { outcome } = await built();
    const id = [...outcome.dag.nodes.keys()].find((k) => k.endsWith('.orders'))!;
    const lastBuilt = new Map([[id, new Date('2026-03-01T00:00:00Z')]]);
    const results = await measure('  freshness: {max_age: 24h}\n  on_breach: fail', { now: new Date('2026-03-02T06:00:00Z'), lastBuilt });
    expect(results.map(brief)).toEqual([
      ['freshness', 'orders', null, 30 * 3600, 'breach'],
      ['freshness', 'events', null, null, 'breach'],
    ]);
    expect(results[0]!.message).toBe('the last load (2026-03-01 00:00:00 UTC) is 1d 6h old; the objective is at most 24h');
    expect(results[1]!.message).toBe('no successful build of the model is recorded');
  });

  it('row counts against a range, with a per-SLO on_breach over the product default', async () => {
    const results = await measure('  row_count: {min: 1, max: 5, model: orders, on_breach: fail}\n  on_breach: warn', { now: new Date() });
    expect(results.map(brief)).toEqual([['row_count', 'orders', null, 10, 'breach']]);
    expect(results[0]!.message).toBe('10 rows; the objective is between 1 and 5');
    expect(failingSlos(results)).toHaveLength(1);
  });

  it('an SLO that names what does not exist is an error, never silently dropped', async () => {
    const results = await measure('  completeness: {min: 1, columns: [emial]}\n  row_count: {min: 1, model: order}\n  on_breach: fail', { now: new Date() });
    expect(results.filter((r) => r.status === 'error').map((r) => r.message)).toEqual([
      "model 'order' is not a model of shop",
      "column 'emial' is in none of the models the completeness SLO covers (orders, events)",
    ]);
    expect(failingSlos(results)).toHaveLength(2);
  });
});

describe('formatAge', () => {
  it('keeps the two largest units', () => {
    expect([0, 59, 90, 3600, 93600, 90061].map(formatAge)).toEqual(['0s', '59s', '1m 30s', '1h', '1d 2h', '1d 1h']);
  });
});
