import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { edit, mesh, queryDb, write } from '@mesh/testing';
import { publicationFacts, publishedManifestSchema } from '@mesh/loom';

/**
 * dbt projects written as dbt users write them (dbt_project.yml, dbt_utils, dbt-loom), built unmodified.
 * Every model checked here is compared with the same result computed in plain SQL from the seed files,
 * in a separate DuckDB, without any of the project's SQL.
 */

const CORPUS = fileURLToPath(new URL('./__fixtures__/dbt-corpus', import.meta.url));

/**
 * A copy of the whole corpus (the two mesh projects find each other by relative path), under the
 * platform's default policies: the corpus's own governance/ folder is for the judge against dbt-loom.
 */
function copyCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-dbt-corpus-'));
  cpSync(CORPUS, dir, { recursive: true, filter: (src) => !/\/target(\/|$)/.test(src) && !src.startsWith(join(CORPUS, 'governance')) });
  return dir;
}

/**
 * Rows in one query and not the other (both ways, duplicates counted), computed by DuckDB with the built
 * database attached read-only as `built`. Empty when the model equals the plain SQL.
 */
async function difference(project: string, database: string, builtSql: string, expectedSql: string): Promise<{ rows: number; diff: Array<Record<string, unknown>> }> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const c = await instance.connect();
    await c.run(`ATTACH '${join(project, 'target', `${database}.duckdb`)}' AS built (READ_ONLY)`);
    await c.run(`SET file_search_path = '${project}'`);
    const rows = await c.runAndReadAll(`SELECT count(*)::int AS n FROM (${expectedSql})`);
    const diff = await c.runAndReadAll(
      `(SELECT 'model only' AS side, * FROM ((${builtSql}) EXCEPT ALL (${expectedSql}))) UNION ALL (SELECT 'plain SQL only' AS side, * FROM ((${expectedSql}) EXCEPT ALL (${builtSql})))`,
    );
    c.closeSync();
    return { rows: Number(rows.getRowObjectsJS()[0]!.n), diff: diff.getRowObjectsJS() as Array<Record<string, unknown>> };
  } finally {
    instance.closeSync();
  }
}

describe('a jaffle-shop dbt project: seeds, an external CSV source, staging and marts', () => {
  let root: string;
  let dir: string;
  let build: ReturnType<typeof mesh>;
  beforeAll(() => {
    root = copyCorpus();
    dir = join(root, 'jaffle_shop');
    build = mesh(dir, 'build');
  });

  it('builds and tests green; the customers without orders warn as warn_if asks, and are stored', async () => {
    expect(build.code, build.output).toBe(0);
    expect(build.stdout).toMatch(/Done\. PASS=31 WARN=1 ERROR=0 SKIP=0 TOTAL=32/);
    expect(build.stdout).toMatch(/WARN test not_null_customers_number_of_orders \.+ \[WARN 2/);
    expect(build.stdout).toContain('configured to warn if > 1');
    const stored = await queryDb(join(dir, 'target', 'jaffle_shop.duckdb'), 'select customer_id from main_dbt_test__audit.not_null_customers_number_of_orders order by 1');
    expect(stored).toEqual([{ customer_id: 4 }, { customer_id: 8 }]);
    // Folder configs: +schema on marts, tags added up from the project file and config().
    const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8'));
    expect(manifest.nodes['model.jaffle_shop.customers'].schema).toBe('main_marts');
    expect(manifest.nodes['model.jaffle_shop.customers'].tags).toEqual(['marts', 'finance']);
    expect(manifest.nodes['model.jaffle_shop.stg_orders'].tags).toEqual(['staging']);
  });

  it('customers equals the plain SQL over the seed files', async () => {
    const { rows, diff } = await difference(dir, 'jaffle_shop',
      `select customer_key, customer_id, first_name, last_name, first_order, most_recent_order, number_of_orders, customer_lifetime_value::double
       from built.main_marts.customers`,
      `select md5(c.id::varchar || '-' || c.first_name) as customer_key, c.id, c.first_name, c.last_name,
              min(o.order_date), max(o.order_date), nullif(count(o.id), 0),
              (select sum(p.amount) / 100.0 from read_csv_auto('data/raw_payments.csv') p
                 join read_csv_auto('seeds/raw_orders.csv') o2 on p.order_id = o2.id where o2.user_id = c.id)::double
       from read_csv_auto('seeds/raw_customers.csv') c
       left join read_csv_auto('seeds/raw_orders.csv') o on o.user_id = c.id
       group by c.id, c.first_name, c.last_name`);
    expect(rows).toBe(8);
    expect(diff).toEqual([]);
  });

  it('orders pivots payments per method as the plain SQL does', async () => {
    const { rows, diff } = await difference(dir, 'jaffle_shop',
      `select order_id, customer_id, order_date, status, credit_card_amount::double, coupon_amount::double, bank_transfer_amount::double, gift_card_amount::double, amount::double
       from built.main_marts.orders`,
      `select o.id, o.user_id, o.order_date, o.status,
              coalesce(sum(p.amount) filter (where p.payment_method = 'credit_card'), 0) / 100.0,
              coalesce(sum(p.amount) filter (where p.payment_method = 'coupon'), 0) / 100.0,
              coalesce(sum(p.amount) filter (where p.payment_method = 'bank_transfer'), 0) / 100.0,
              coalesce(sum(p.amount) filter (where p.payment_method = 'gift_card'), 0) / 100.0,
              sum(p.amount) / 100.0
       from read_csv_auto('seeds/raw_orders.csv') o join read_csv_auto('data/raw_payments.csv') p on p.order_id = o.id
       group by all`);
    expect(rows).toBe(12);
    expect(diff).toEqual([]);
  });

  it('names a dbt_utils macro it has no stand-in for when dbt_utils is not installed, with the file and line', () => {
    const copy = join(copyCorpus(), 'jaffle_shop');
    edit(copy, 'models/marts/orders.sql', (t) => t.replace("{% set payment_methods = var('payment_methods') %}", "{% set payment_methods = dbt_utils.get_column_values(ref('stg_payments'), 'payment_method') %}"));
    const r = mesh(copy, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_JINJA_UNDEFINED] models/marts/orders.sql:1:57: 'dbt_utils.get_column_values' is undefined");
    expect(r.stderr).toContain('hint: Install the package that defines it (dbt_packages/dbt_utils, as dbt deps does)');
  });
});

describe('versioned models with access and groups, split over two projects wired by dbt-loom', () => {
  let root: string;
  let producer: string;
  let consumer: string;
  beforeAll(() => {
    root = copyCorpus();
    producer = join(root, 'core_platform');
    consumer = join(root, 'analytics');
  });

  it('the producer builds, enforces its contracts and publishes its public models', () => {
    const r = mesh(producer, 'build');
    expect(r.code, r.output).toBe(0);
    // People's names are personal data by default: with no masking declared they leave the project as NULL, and the build says so.
    expect(r.stderr).toMatch(/warning\[W_PII_NULLED\] personal columns without a masking reach consumers as NULL: .*dim_customers\.(first_name|full_name)/);
    expect(r.stdout).toMatch(/Done\. PASS=18 WARN=0 ERROR=0 SKIP=0 TOTAL=18/);
    expect(r.stdout).toMatch(/Published 3 public models \(17 rows\)/);
    const published = publicationFacts(publishedManifestSchema.parse(JSON.parse(readFileSync(join(producer, 'target', 'published', 'manifest.json'), 'utf8'))));
    expect(published.nodes.map((n) => n.unique_id).sort()).toEqual(['model.core_platform.dim_customers.v1', 'model.core_platform.dim_customers.v2', 'model.core_platform.fct_orders']);
    // The other models, by name and access only: no columns, relation or SQL.
    expect(published.restricted.find((n) => n.unique_id === 'model.core_platform.stg_customers')).toMatchObject({ access: 'private', group: 'customer_success', columns: {}, relation_name: null, raw_code: '' });
  });

  it('the consumer reads them through dbt_loom.config.yml, latest version and a pinned one', async () => {
    const r = mesh(consumer, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Done\. PASS=9 WARN=0 ERROR=0 SKIP=0 TOTAL=9/);
    // v1 is past its deprecation date: said, not fatal.
    expect(r.stderr).toContain('references model.core_platform.dim_customers.v1, which was deprecated on 2024-06-30');

    // The names came masked (NULL): everything else is what dbt computes from the same seeds.
    expect(await queryDb(join(consumer, 'target', 'analytics.duckdb'), 'select count(*) as n from main.customer_revenue where customer_name is not null')).toEqual([{ n: 0 }]);
    const revenue = await difference(consumer, 'analytics',
      'select customer_id, country_code, order_count, revenue::double from built.main.customer_revenue',
      `select c.customer_id, upper(c.country_code), count(o.order_id), coalesce(sum(o.amount), 0)::double
       from read_csv_auto('../core_platform/seeds/customers.csv') c
       left join read_csv_auto('../core_platform/seeds/orders.csv') o on o.customer_id = c.customer_id
       group by all`);
    expect(revenue.rows).toBe(5);
    expect(revenue.diff).toEqual([]);

    const legacy = await difference(consumer, 'analytics',
      'select customer_id, full_name is null from built.main.legacy_customer_names',
      "select customer_id, true from read_csv_auto('../core_platform/seeds/customers.csv')");
    expect(legacy.diff).toEqual([]);

    const byCountry = await difference(consumer, 'analytics',
      'select country_code, revenue::double, order_count from built.main.revenue_by_country',
      `select upper(c.country_code), coalesce(sum(o.amount), 0)::double, count(o.order_id)
       from read_csv_auto('../core_platform/seeds/customers.csv') c
       left join read_csv_auto('../core_platform/seeds/orders.csv') o on o.customer_id = c.customer_id
       group by 1`);
    expect(byCountry.rows).toBe(3);
    expect(byCountry.diff).toEqual([]);
  });

  it('refuses a ref to a private model of the producer in dbt words', () => {
    write(consumer, 'models/peek.sql', "select * from {{ ref('core_platform', 'stg_customers') }}\n");
    const r = mesh(consumer, 'compile');
    rmSync(join(consumer, 'models/peek.sql'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Node model.analytics.peek attempted to reference node model.core_platform.stg_customers, which is not allowed because the referenced node is private to the 'customer_success' group.");
  });

  it('a project named in dependencies.yml must say where its manifest is', () => {
    const original = readFileSync(join(consumer, 'dependencies.yml'), 'utf8');
    write(consumer, 'dependencies.yml', original.replace('  - name: core_platform\n', '  - name: core_platform\n  - name: marketing\n'));
    const r = mesh(consumer, 'compile');
    write(consumer, 'dependencies.yml', original);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_UPSTREAM_UNDECLARED] dependencies.yml: dependencies.yml names the project 'marketing', but nothing says where its manifest is");
  });
});

describe('a macro-heavy dbt project: macros, return(), do, filters, dbt_utils, custom generic tests', () => {
  let dir: string;
  let build: ReturnType<typeof mesh>;
  beforeAll(() => {
    dir = join(copyCorpus(), 'macro_lab');
    build = mesh(dir, 'build');
  });

  it('builds and tests green, with the two warnings its test configs ask for', () => {
    expect(build.code, build.output).toBe(0);
    expect(build.stdout).toMatch(/Done\. PASS=18 WARN=2 ERROR=0 SKIP=0 TOTAL=20/);
    // accepted_range fails on two days: over warn_if (>0), under error_if (>3).
    expect(build.stdout).toMatch(/WARN test dbt_utils_accepted_range_daily_activity_active_users__\w+ \.* ?\[WARN 2/);
    expect(build.stdout).toContain('configured to warn if > 0');
    expect(build.stdout).toContain('building stg_events for 2024-03-01..2024-03-08');
  });

  it('dbt_utils.star keeps every column but the excepted ones, in order', async () => {
    const columns = await queryDb(join(dir, 'target', 'macro_lab.duckdb'), "select column_name from information_schema.columns where table_name = 'stg_events' order by ordinal_position");
    expect(columns.map((c) => c.column_name)).toEqual(['event_id', 'user_id', 'amount', 'occurred_at', 'event_type', 'event_date']);
  });

  it('daily_activity (date_spine, macros returning lists, loops) equals the plain SQL', async () => {
    const { rows, diff } = await difference(dir, 'macro_lab',
      'select activity_date, n_view, n_click, n_purchase, active_users from built.main.daily_activity',
      `with days as (select unnest(generate_series(date '2024-03-01', date '2024-03-07', interval 1 day))::date as d),
            e as (select cast(occurred_at as date) as d, lower(trim(event_type)) as t, user_id from read_csv_auto('seeds/raw_events.csv'))
       select days.d, count(e.t) filter (where e.t = 'view'), count(e.t) filter (where e.t = 'click'),
              count(e.t) filter (where e.t = 'purchase'), count(distinct e.user_id)
       from days left join e on e.d = days.d group by days.d`);
    expect(rows).toBe(7);
    expect(diff).toEqual([]);
  });

  it('user_purchases (surrogate key, star with an alias, CSV and Parquet sources) equals the plain SQL', async () => {
    const { rows, diff } = await difference(dir, 'macro_lab',
      'select user_key, user_id, user_name, country_name, purchase_count, total_amount::double, currency from built.main.user_purchases',
      `with u as (select user_id, trim(user_name) as user_name, upper(trim(country)) as country_code from read_csv_auto('seeds/raw_users.csv')),
            p as (select user_id, count(*) as n, sum(amount) as s from read_csv_auto('seeds/raw_events.csv') where lower(trim(event_type)) = 'purchase' group by 1)
       select md5(u.user_id::varchar || '-' || coalesce(u.country_code, '_dbt_utils_surrogate_key_null_')), u.user_id, u.user_name,
              coalesce(c.name, 'unknown'), coalesce(p.n, 0), round(coalesce(p.s, 0), 2)::double, 'EUR'
       from u left join read_csv_auto('data/countries.csv') c on c.code = u.country_code left join p on p.user_id = u.user_id`);
    expect(rows).toBe(4);
    expect(diff).toEqual([]);
  });

  it('stores the failing rows of a store_failures test in the audit schema', async () => {
    const rows = await queryDb(join(dir, 'target', 'macro_lab.duckdb'), 'select * from main_dbt_test__audit.accepted_values_user_purchases_10b5566d43aef004a0c31203a19c213c');
    expect(rows).toEqual([{ value_field: 'unknown', n_records: 1 }]);
  });

  it('a test over error_if fails the build and skips nothing it does not guard', () => {
    edit(dir, 'models/marts/_marts.yml', (t) => t.replace('error_if: ">3"', 'error_if: ">1"'));
    const r = mesh(dir, 'test');
    edit(dir, 'models/marts/_marts.yml', (t) => t.replace('error_if: ">1"', 'error_if: ">3"'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('configured to fail if > 1');
  });

  it('refuses python models with the file, the line and a way out', () => {
    const copy = join(copyCorpus(), 'macro_lab');
    write(copy, 'models/marts/forecast.py', 'def model(dbt, session):\n    return dbt.ref("stg_events")\n');
    const py = mesh(copy, 'compile');
    expect(py.code).toBe(2);
    expect(py.stderr).toContain('error[E_DBT_UNSUPPORTED] models/marts/forecast.py:1: python models are not supported: models/marts/forecast.py');
    expect(existsSync(join(copy, 'target', 'macro_lab.duckdb'))).toBe(false);
  });
});
