import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { copyFixture, edit, mesh, queryDb, write } from '@mesh/testing';

/**
 * What the dbt runtime does at the command line: packages and `mesh deps`, run-operation, nodes rendered again
 * at run time, hooks, and Jinja errors placed at their template's file and line. Whether the results equal
 * dbt's is judged in dbt-differential.e2e.test.ts; this suite checks the commands themselves.
 */

const FIXTURES = fileURLToPath(new URL('./__fixtures__/dbt-differential', import.meta.url));
const fixture = (name: string) => copyFixture(join(FIXTURES, name), name);

function runResults(dir: string): Array<{ unique_id: string; status: string; compiled_code: string | null }> {
  return (JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { results: Array<{ unique_id: string; status: string; compiled_code: string | null }> }).results;
}

describe('packages', () => {
  it('mesh deps links local packages as dbt deps does, and names a hub package that is not installed', () => {
    const dir = fixture('packages');
    rmSync(join(dir, 'dbt_packages', 'shop_rules'), { recursive: true, force: true });
    const r = mesh(dir, 'deps');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('Installed local package shop_rules from local_packages/shop_rules');
    expect(r.stdout).toContain('Found acme/acme_utils in dbt_packages/acme_utils');
    const link = join(dir, 'dbt_packages', 'shop_rules');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../local_packages/shop_rules');

    edit(dir, 'packages.yml', (t) => `${t}  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n`);
    const missing = mesh(dir, 'deps');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error[E_PACKAGE_MISSING] packages.yml:5: the package dbt-labs/dbt_utils is not installed in dbt_packages/');
  });

  it('builds the package\'s models with the project\'s configs, and its macros run as its own code', async () => {
    const dir = fixture('packages');
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(0);
    const calendar = await queryDb(join(dir, 'target', 'shop.duckdb'), "select count(*)::int as days, min(calendar_date)::varchar as first from main.acme_calendar");
    // The project's vars for the package win over the package's own (7 days from 2023).
    expect(calendar).toEqual([{ days: 10, first: '2024-01-01' }]);
    // Without the hash dbt puts at the end of a generic test's unique id.
    const statuses = Object.fromEntries(runResults(dir).map((x) => [x.unique_id.replace(/\.[0-9a-f]{10}$/, ''), x.status]));
    expect(statuses['test.shop.acme_utils_is_positive_stg_orders_discount']).toBe('warn');
    expect(statuses['model.acme_utils.acme_calendar']).toBe('success');
  });

  it('a test of a package needs its prefix, as in dbt, and the error says which package has it', () => {
    const dir = fixture('packages');
    edit(dir, 'models/schema.yml', (t) => t.replace('- shop_rules.within_range:\n              arguments:\n                min_value: 1', '- within_range:\n              arguments:\n                min_value: 1'));
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown generic test 'within_range' on 'customers.band'");
    expect(r.stderr).toContain('hint: The test is in the package shop_rules: name it shop_rules.within_range, as dbt needs it.');
  });

  it('a package that sets restrict-access keeps its protected models to itself, as dbt does', () => {
    const dir = fixture('packages');
    expect(mesh(dir, 'compile').code).toBe(0);
    edit(dir, 'dbt_packages/acme_utils/dbt_project.yml', (t) => `${t}\nrestrict-access: true\n`);
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Node model.shop.daily_revenue attempted to reference node model.acme_utils.acme_calendar, which is not allowed because the referenced node is protected to the 'acme_utils' package.");
  });

  it('an error inside a package macro names the macro file and line, and who called it', () => {
    const dir = fixture('packages');
    write(dir, 'models/broken.sql', "select {{ acme_utils.safe_divide('a') }}\n");
    edit(dir, 'dbt_packages/acme_utils/macros/cross_db/safe_divide.sql', (t) => t.replace('{% macro safe_divide(numerator, denominator) -%}\n', "{% macro safe_divide(numerator, denominator) -%}\n  {% if denominator is not defined %}{{ exceptions.raise_compiler_error('safe_divide needs a denominator') }}{% endif %}\n"));
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[E_COMPILER_ERROR] dbt_packages/acme_utils/macros/cross_db/safe_divide.sql:2');
    expect(r.stderr).toContain('safe_divide needs a denominator');
    expect(r.stderr).toContain('called from models/broken.sql:1');
  });
});

describe('introspection at run time', () => {
  it('compile without the database writes the parse-time SQL and says so; build renders with the database', async () => {
    const dir = fixture('introspection');
    const offline = mesh(dir, 'compile');
    expect(offline.code, offline.output).toBe(0);
    expect(offline.stderr).toContain("warning[W_COMPILE_OFFLINE] the database of target 'dev' is not there");
    expect(existsSync(join(dir, 'target/introspection.duckdb'))).toBe(false);
    const compiledFile = join(dir, 'target/compiled/introspection/models/marts/payments_by_method.sql');
    expect(readFileSync(compiledFile, 'utf8')).not.toContain('paid_card');
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(0);
    const pivot = runResults(dir).find((x) => x.unique_id === 'model.introspection.payments_by_method')!;
    expect(pivot.compiled_code).toContain('as "paid_card"');
    expect(await queryDb(join(dir, 'target/introspection.duckdb'), 'select count(*)::int as n from main.all_events')).toEqual([{ n: 6 }]);

    // With the database there, compile asks it, as dbt compile does, and writes what the build ran.
    const online = mesh(dir, 'compile');
    expect(online.code, online.output).toBe(0);
    expect(online.stderr).not.toContain('W_COMPILE_OFFLINE');
    expect(readFileSync(compiledFile, 'utf8').trimEnd()).toBe(pivot.compiled_code?.trimEnd());
  });

  it('compile renders an incremental model whose table exists with is_incremental() true, as dbt compile does', () => {
    const dir = fixture('introspection');
    write(dir, 'models/marts/payment_log.sql', "{{ config(materialized='incremental') }}\nselect * from {{ ref('raw_payments') }}\n{% if is_incremental() %}where amount > (select max(amount) from {{ this }}){% endif %}\n");
    const compiledFile = join(dir, 'target/compiled/introspection/models/marts/payment_log.sql');
    expect(mesh(dir, 'build').code).toBe(0);
    expect(mesh(dir, 'compile').code).toBe(0);
    expect(readFileSync(compiledFile, 'utf8')).toContain('where amount > (select max(amount) from "introspection"."main"."payment_log")');
    for (const file of ['introspection.duckdb', 'introspection.duckdb.wal']) rmSync(join(dir, 'target', file), { force: true });
    expect(mesh(dir, 'compile').code).toBe(0);
    expect(readFileSync(compiledFile, 'utf8')).not.toContain('where amount >');
  });

  it('a ref made only at run time is refused with the line to add, as dbt asks for it', () => {
    const dir = fixture('introspection');
    edit(dir, 'models/marts/event_kinds.sql', (t) => t.replace("-- depends_on: {{ ref('raw_events_2024_01') }}\n", ''));
    const r = mesh(dir, 'build');
    expect(r.code).toBe(1);
    expect(r.output).toContain("model.introspection.event_kinds refs 'raw_events_2024_01' only when it renders at run time");
    expect(r.output).toContain("-- depends_on: {{ ref('raw_events_2024_01') }}");
  });
});

describe('hooks and run-operation', () => {
  it('run-operation creates what the build reads; hooks write the audit table', async () => {
    const dir = fixture('hooks');
    const op = mesh(dir, 'run-operation', 'create_lookup', '--args', '{table_name: status_codes, codes: {P: pending, S: shipped}}');
    expect(op.code, op.output).toBe(0);
    expect(op.stdout).toContain('created "hooks"."lookups"."status_codes" with 2 codes');
    expect(runResults(dir)).toMatchObject([{ unique_id: 'macro.hooks.create_lookup', status: 'success' }]);
    const r = mesh(dir, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/OK hook: hooks\.on-run-start\.0/);
    const log = await queryDb(join(dir, 'target/hooks.duckdb'), "select event, relation, detail from audit.build_log where event in ('before', 'after') order by all");
    expect(log.map((l) => `${String(l.event)} ${String(l.relation)} ${String(l.detail)}`)).toEqual([
      'after orders_with_status folder post-hook',
      'after orders_with_status second post-hook',
      'after stg_orders config post-hook',
      'before orders_with_status project pre-hook',
      'before stg_orders config pre-hook',
      'before stg_orders project pre-hook',
    ]);
  });

  it('what a run-operation does not commit is rolled back, as dbt does; an unknown macro is named', async () => {
    const dir = fixture('hooks');
    edit(dir, 'macros/create_lookup.sql', (t) => t.replace('{% do adapter.commit() %}', ''));
    expect(mesh(dir, 'run-operation', 'create_lookup', '--args', '{table_name: codes, codes: {A: a}}').code).toBe(0);
    expect(await queryDb(join(dir, 'target/hooks.duckdb'), "select count(*)::int as n from information_schema.tables where table_name = 'codes'")).toEqual([{ n: 0 }]);
    const unknown = mesh(dir, 'run-operation', 'no_such_macro');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error[E_OPERATION_UNKNOWN] run-operation: no macro named 'no_such_macro'");
  });
});

describe('Jinja errors in YAML values', () => {
  it('name the YAML file and the line of the value', () => {
    const dir = fixture('jinja_fidelity');
    edit(dir, 'models/schema.yml', (t) => t.replace('values: "{{ payment_methods() }}"', 'values: "{{ payment_method() }}"'));
    const r = mesh(dir, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_JINJA_UNDEFINED] models/schema.yml:13: 'payment_method' is undefined");
    expect(r.stderr).toContain("hint: Did you mean 'payment_methods'?");
    expect(existsSync(join(dir, 'target', 'jinja_fidelity.duckdb'))).toBe(false);
  });
});
