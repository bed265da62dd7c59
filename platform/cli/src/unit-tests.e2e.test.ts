import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { copyFixture, edit, mesh } from '@mesh/testing';

/**
 * Unit tests from the user's side: what `mesh test` and `mesh build` print and write, and how a unit
 * test that cannot run says why. (That they pass and fail as dbt's do is the differential suite's job.)
 */

const FIXTURE = fileURLToPath(new URL('./__fixtures__/dbt-differential/unit_tests', import.meta.url));

describe('unit tests in mesh test and mesh build', () => {
  it('need their inputs built: before a build, mesh test says which relation is missing and where the test is', () => {
    const dir = copyFixture(FIXTURE, 'unit-tests');
    const r = mesh(dir, 'test', '--select', 'customer_totals');
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('error[E_UNIT_TEST_INPUT] models/marts/marts.yml:16: (unit_test.unit_tests.customer_totals.totals_count_paid_orders_only) not able to get columns for unit test');
    expect(r.output).toContain('hint: Build raw_customers first');
  });

  it('run before their model in a build; a failure prints the rows as dbt does and skips the model and what reads it', () => {
    const dir = copyFixture(FIXTURE, 'unit-tests');
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(1);
    const lines = r.stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    expect(at(/PASS unit_test stg_orders::orders_in_whole_euros/)).toBeLessThan(at(/START view model main\.stg_orders/));
    expect(at(/FAIL unit_test country_report::one_customer_per_country .* \[FAIL 1/)).toBeGreaterThan(0);
    expect(at(/SKIP table model main\.country_report /)).toBeGreaterThan(0);
    expect(at(/SKIP table model main\.country_report_share /)).toBeGreaterThan(0);
    expect(r.stdout).toContain([
      'Failure in unit_test.unit_tests.country_report.one_customer_per_country (models/marts/marts.yml)',
      '',
      '  actual differs from expected:',
      '',
      '  @@,country,customers',
      '    ,DE     ,1',
      '  → ,NL     ,1→2',
    ].join('\n'));
    expect(r.stdout).toMatch(/Done\. PASS=19 WARN=0 ERROR=1 SKIP=2 TOTAL=22/);
    const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { results: Array<{ unique_id: string; status: string; failures: number | null; message: string }> };
    const failed = results.results.find((x) => x.unique_id === 'unit_test.unit_tests.country_report.one_customer_per_country')!;
    expect([failed.status, failed.failures]).toEqual(['fail', 1]);
    expect(failed.message).toContain('→ ,NL     ,1→2');
    const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as { unit_tests: Record<string, { model: string; depends_on: { nodes: string[] }; given: Array<{ format: string }> }> };
    expect(Object.keys(manifest.unit_tests)).toHaveLength(10);
    const csv = manifest.unit_tests['unit_test.unit_tests.customer_totals.totals_count_paid_orders_only']!;
    expect([csv.model, csv.depends_on.nodes, csv.given.map((g) => g.format)]).toEqual(['customer_totals', ['model.unit_tests.customer_totals'], ['dict', 'csv']]);

    // Once the inputs exist, mesh test runs unit tests by themselves, selected as dbt selects them.
    const only = mesh(dir, 'test', '--select', 'test_type:unit', '--exclude', 'country_report');
    expect(only.code, only.output).toBe(0);
    expect(only.stdout).toMatch(/Done\. PASS=9 WARN=0 ERROR=0 SKIP=0 TOTAL=9/);
    const ls = mesh(dir, 'ls', '--resource-type', 'unit_test', '--select', 'order_amounts');
    expect(ls.stdout.trim().split('\n').sort()).toEqual([
      'unit_tests.marts.order_amounts.amounts_every_version_v1',
      'unit_tests.marts.order_amounts.amounts_every_version_v2',
      'unit_tests.marts.order_amounts.amounts_in_cents_v2',
    ]);

    // A fixture column the input relation does not have is named with the file and line of its row.
    edit(dir, 'models/marts/marts.yml', (text) => text.replace('- {order_id: 1, method: card}', '- {order_id: 1, methd: card}'));
    const bad = mesh(dir, 'test', '--select', 'payment_mix');
    expect(bad.code, bad.output).toBe(1);
    expect(bad.output).toContain("error[E_UNIT_TEST_ROWS] models/marts/marts.yml:50: (unit_test.unit_tests.payment_mix.payment_mix_by_method) invalid column name 'methd' in unit test fixture for 'stg_payments'");
    expect(bad.output).toContain('hint: Accepted columns for \'stg_payments\' are: order_id, method, amount_cents.');
  });
});
