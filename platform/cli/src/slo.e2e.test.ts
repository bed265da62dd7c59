import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyDomains, edit, meshTeddy, meshWithEnv, publishedFile, queryDb, REPO_ROOT } from '@mesh/testing';

/** SLOs measured after each build of a real domain, kept in its metadata database, failing or warning as configured. */

const mesh = (dir: string, ...args: string[]) => meshTeddy(dir, ...args);

describe('SLOs after a build', () => {
  let inventory: string;
  beforeAll(() => {
    inventory = join(copyDomains(['inventory'], 'slo'), 'inventory');
  });

  it('measures every SLO after the build and records it in the metadata database', async () => {
    const r = mesh(inventory, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/SLOs: 5 met\n/);
    const rows = await queryDb(join(inventory, '.mesh', 'metadata.duckdb'), 'select slo, model, column_name, measured, status from slo_results order by slo, model, column_name');
    expect(rows).toEqual([
      { slo: 'completeness', model: 'products', column_name: 'price_cents', measured: 1, status: 'pass' },
      { slo: 'completeness', model: 'products', column_name: 'product_id', measured: 1, status: 'pass' },
      { slo: 'freshness', model: 'products', column_name: null, measured: expect.any(Number), status: 'pass' },
      { slo: 'freshness', model: 'stock_product', column_name: null, measured: expect.any(Number), status: 'pass' },
      { slo: 'row_count', model: 'products', column_name: null, measured: 3, status: 'pass' },
    ]);
    expect(await queryDb(join(inventory, '.mesh', 'metadata.duckdb'), "select command, status from runs order by started_at")).toEqual([{ command: 'ingest', status: 'success' }, { command: 'build', status: 'success' }]);
  });

  it('a breached SLO with on_breach: fail fails the build and keeps the last publication', async () => {
    const share = publishedFile(inventory, 'shares/sales.duckdb');
    const before = statSync(share).mtimeMs;
    edit(inventory, 'data_product.yaml', (t) => t.replace(/row_count:\n    min: 1\n/, 'row_count:\n    min: 10\n'));
    const r = mesh(inventory, 'build');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/SLOs: 4 met, 1 breached \(fail\)\n/);
    expect(r.stdout).toContain('BREACHED (fail) | row_count | products |        | 3 rows; the objective is at least 10');
    expect(r.stderr).toContain('error[E_SLO_BREACHED] inventory was not published: 1 SLO with on_breach: fail is not met');
    expect(r.stderr).toContain('row_count products: 3 rows; the objective is at least 10');
    expect(r.stderr).toContain('hint: Fix the data or the model, then build again; or, if the objective is wrong, change it (or its on_breach) under slos: in data_product.yaml.');
    expect(statSync(share).mtimeMs).toBe(before);
  });

  it('the same breach with on_breach: warn is reported and the build publishes', () => {
    edit(inventory, 'data_product.yaml', (t) => t.replace('on_breach: fail', 'on_breach: warn'));
    const r = mesh(inventory, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/SLOs: 4 met, 1 breached \(warn\)\n/);
    expect(r.stdout).toMatch(/Published 2 public models/);
  });

  it('mesh slo shows the latest measurements and their history', () => {
    const latest = mesh(inventory, 'slo');
    expect(latest.code).toBe(0);
    expect(latest.stdout).toMatch(/BREACHED \| row_count +\| products +\| +\| 3 rows; the objective is at least 10/);
    expect(latest.stdout).toContain('inventory: 4 of 5 SLOs met at their last measurement.');
    const history = mesh(inventory, 'slo', '--history', '5', '--json');
    const rows = JSON.parse(history.stdout) as Array<{ slo: string; status: string; objective: string }>;
    expect(rows.filter((r) => r.slo === 'row_count').map((r) => [r.status, r.objective])).toEqual([['breach', '>= 10'], ['breach', '>= 10'], ['pass', '>= 1']]);
    expect(existsSync(join(inventory, 'target', 'published', 'manifest.json'))).toBe(true);
  });

});
