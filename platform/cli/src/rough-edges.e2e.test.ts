import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { copyDomains, copyFixture, edit, makeUnwritable, mesh, meshTeddy, meshWithEnv, REPO_ROOT } from '@mesh/testing';

/** Errors and edges found by trying the CLI as a hostile user would; each as it was reported. */

const SHOP = fileURLToPath(new URL('./__fixtures__/shop', import.meta.url));
const BIN = join(REPO_ROOT, 'platform/cli/bin/mesh.js');

const undo: Array<() => void> = [];
afterEach(() => {
  for (const u of undo.splice(0).reverse()) u();
});

describe('errors that point at the model file', () => {
  it('a SQL error names the line and column of the model file, not of the compiled SQL', () => {
    const dir = copyFixture(SHOP, 'sql-line');
    // Jinja above the mistake changes the line count of the compiled SQL; the ref on the from line changes its text.
    edit(dir, 'models/gold/customers.sql', () => [
      "{{ config(materialized='table') }}",
      '{% set note = "lifetime value" %}',
      'select',
      '  c.customer_id,',
      '  c.frist_name,',
      '  count(o.order_id)::bigint as order_count',
      "from {{ ref('stg_customers') }} as c",
      "left join {{ ref('orders') }} as o using (customer_id)",
      'group by all',
    ].join('\n'));
    const r = mesh(dir, 'build', '-s', '+customers');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error[E_SQL] models/gold/customers.sql:5:3: (model.shop.customers)');
    expect(r.stdout).toContain('5 |   c.frist_name,');
    expect(r.stdout).toMatch(/\(line \d+ of the compiled SQL in target\/compiled\/\)/);
  });
});

describe('file-system errors come out typed', () => {
  it('a read-only target/ fails with E_FS_PERMISSION, the path and a hint, no stack trace', () => {
    const dir = copyFixture(SHOP, 'ro-target');
    expect(mesh(dir, 'build').code).toBe(0);
    undo.push(makeUnwritable(join(dir, 'target')));
    const r = mesh(dir, 'build');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_FS_PERMISSION\] cannot [a-z ]+: (operation not permitted \(EPERM\)|permission denied \(EACCES\)) at .*target/);
    expect(r.stderr).toContain('hint: ');
    expect(r.output).not.toMatch(/\n\s+at [\w.<]+ \(/);
  });
});

describe('a closed pipe ends the command quietly', () => {
  for (const command of ['ls', 'runs']) {
    it(`mesh ${command} | head -1, and a reader that reads nothing`, () => {
      const dir = copyFixture(SHOP, `pipe-${command}`);
      expect(mesh(dir, 'build').code).toBe(0);
      for (const reader of ['head -1', 'true']) {
        const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" ${command} | ${reader}`], { cwd: dir, encoding: 'utf8' });
        expect(r.stderr, `${command} | ${reader}`).toBe('');
        expect(r.status).toBe(0);
        if (reader === 'head -1') expect(r.stdout.trim().split('\n')).toHaveLength(1);
      }
    });
  }
});

describe('the last lines of a build say what happened', () => {
  it('a build refused with E_CONTRACT_BROKEN does not end with ERROR=0', () => {
    const root = copyDomains(['inventory'], 'contract-broken');
    const inventory = join(root, 'inventory');
    expect(meshTeddy(inventory, 'build').code).toBe(0);
    edit(inventory, 'models/gold/products.sql', (sql) => sql.replace('price_cents', 'price_cents as unit_price_cents'));
    edit(inventory, 'models/gold/_gold.yml', (yml) => yml.replace('- name: price_cents', '- name: unit_price_cents'));
    edit(inventory, 'data_product.yaml', (y) => y.replace('columns: [product_id, price_cents]', 'columns: [product_id, unit_price_cents]'));
    const r = meshTeddy(inventory, 'build');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_CONTRACT_BROKEN]');
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^Done\. PASS=\d+ WARN=0 ERROR=1 SKIP=0 TOTAL=\d+ \(not published: E_CONTRACT_BROKEN\)$/);
  });

  it('a build whose sources failed does not report its SLOs as met', () => {
    const root = copyDomains(['inventory', 'sales'], 'sources-failed');
    expect(meshTeddy(join(root, 'inventory'), 'build').code).toBe(0);
    expect(meshTeddy(join(root, 'sales'), 'build').stdout).toContain('SLOs: 7 met');
    // The bronze tables ingestion loads are gone (a database restored without them): every source fails.
    rmSync(join(root, 'sales', 'target', 'sales.duckdb'));
    const r = meshWithEnv(join(root, 'sales'), { TEDDY_RAW_DIR: mkdtempSync(join(tmpdir(), 'mesh-no-raw-')) }, 'build');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('SLOs: 7 met');
    expect(r.stdout).toMatch(/SLOs: 0 met, 5 not measured \(their models did not build\)/);
    expect(r.stdout).toMatch(/ERROR \(warn\) +\| completeness +\| order_summary .*not measured: order_summary was skipped in this run/);
  });
});
