import { describe, expect, it } from 'vitest';
import { thrownMeshError } from '@mesh/errors';
import { projectFromFiles } from '../test-support';
import { parseProject } from '../parse/parse-project';
import { resolveRefs } from '../graph/resolve-refs';
import { buildDag } from '../graph/dag';
import type { TestNode } from '../types';
import { Compiler } from './compile';
import { externalRelationSql } from './relations';

/** A dbt project's files (the project file under dbt's keys), compiled; returns each test's SQL and config. */
function compileTests(files: Record<string, string>) {
  const parsed = parseProject(projectFromFiles(files));
  const resolution = resolveRefs(parsed);
  const dag = buildDag(resolution.nodes);
  const compiler = new Compiler(parsed, dag, resolution);
  const tests = [...dag.nodes.values()].filter((n): n is TestNode => n.resource_type === 'test');
  return { parsed, tests: tests.map((t) => ({ name: t.name, config: t.config, sql: compiler.compileNode(t).sql })) };
}

const PROJECT = [
  "name: 'shop'",
  'config-version: 2',
  'vars:',
  '  shop:',
  '    min_amount: 0',
  '  currency: EUR',
  'data_tests:',
  '  shop:',
  '    +store_failures: true',
  '    marts:',
  '      +severity: warn',
].join('\n');

describe('a dbt project\'s tests', () => {
  it('dbt_utils tests compile to the SQL dbt_utils writes, with the arguments: style too', () => {
    const { tests } = compileTests({
      'mesh_project.yml': PROJECT,
      'models/o.sql': 'select 1 as id, 2 as amount',
      'models/o.yml': [
        'models:',
        '  - name: o',
        '    data_tests:',
        '      - dbt_utils.expression_is_true:',
        '          arguments: {expression: "amount >= 0"}',
        '      - dbt_utils.unique_combination_of_columns:',
        '          combination_of_columns: [id, amount]',
        '    columns:',
        '      - name: amount',
        '        data_tests:',
        '          - dbt_utils.accepted_range: {min_value: 0, max_value: 10, inclusive: false}',
      ].join('\n'),
    });
    // Named as dbt names them: the namespace, the test, the model, then every argument's value.
    const sql = Object.fromEntries(tests.map((t) => [t.name, t.sql]));
    expect(sql).toEqual({
      dbt_utils_expression_is_true_o_amount_0: 'select * from "shop"."main"."o" where not(amount >= 0)',
      dbt_utils_unique_combination_of_columns_o_id__amount: 'with validation_errors as (select id, amount from "shop"."main"."o" group by id, amount having count(*) > 1) select * from validation_errors',
      dbt_utils_accepted_range_o_amount__False__10__0: 'select * from "shop"."main"."o" where 1 = 2 or not amount > 0 or not amount < 10',
    });
  });

  it('configs come from data_tests: folder configs, then the test; where filters first', () => {
    const { tests } = compileTests({
      'mesh_project.yml': PROJECT,
      'models/marts/o.sql': 'select 1 as id',
      'models/marts/o.yml': "models:\n  - name: o\n    columns:\n      - name: id\n        data_tests:\n          - not_null:\n              config: {where: \"id > 1\", warn_if: '>10', error_if: '>100', severity: error}\n          - unique\n",
    });
    const [notNull, unique] = tests;
    expect(notNull!.config).toMatchObject({ severity: 'error', warn_if: '>10', error_if: '>100', store_failures: true, schema: 'main_dbt_test__audit' });
    expect(notNull!.sql).toBe('select * from (select * from "shop"."main"."o" where id > 1) as __mesh_test_input where "id" is null');
    expect(unique!.config).toMatchObject({ severity: 'warn', warn_if: '!=0', error_if: '!=0', fail_calc: 'count(*)' });
  });

  it('a warn_if that is not a comparison with a number fails at compile time', () => {
    const files = projectFromFiles({
      'models/o.sql': 'select 1 as id',
      'models/o.yml': "models:\n  - name: o\n    columns:\n      - name: id\n        tests:\n          - unique: {config: {warn_if: 'more than 10'}}\n",
    });
    const e = thrownMeshError(() => parseProject(files));
    expect(e.message).toBe('test unique_o_id: warn_if must compare the failure count with a number, got "more than 10"');
    expect(e.hint).toBe('Write warn_if: ">10" (or "!=0", ">=5", "=0").');
  });

  it('a {% test %} block is a generic test: it gets model (filtered by where) and its arguments', () => {
    const { tests } = compileTests({
      'mesh_project.yml': 'name: demo\n',
      'macros/tests.sql': '{% test is_positive(model, column_name, allow_zero=false) %}select * from {{ model }} where {{ column_name }} {{ "<" if allow_zero else "<=" }} 0{% endtest %}',
      'models/o.sql': 'select 1 as amount',
      'models/o.yml': "models:\n  - name: o\n    columns:\n      - name: amount\n        data_tests:\n          - is_positive: {allow_zero: true, config: {where: 'amount is not null'}}\n",
    });
    expect(tests[0]!.sql).toBe('select * from (select * from "demo"."main"."o" where amount is not null) as dbt_subquery where amount < 0');
  });

  it('tests of packages that are not installed are refused with a way out', () => {
    const files = projectFromFiles({
      'models/o.sql': 'select 1 as id',
      'models/o.yml': 'models:\n  - name: o\n    columns:\n      - name: id\n        tests: [dbt_expectations.expect_column_to_exist]\n',
    });
    expect(() => parseProject(files)).toThrowError("unknown generic test 'dbt_expectations.expect_column_to_exist' on 'o.id'");
  });
});

describe('a dbt project\'s vars and sources', () => {
  it('vars scoped to the project name apply to it, beside the global ones', () => {
    const parsed = parseProject(projectFromFiles({ 'mesh_project.yml': PROJECT.replace("name: 'shop'", 'name: shop') }));
    expect(parsed.vars).toEqual({ min_amount: 0, currency: 'EUR' });
  });

  it('external_location reads by file extension, or as the reader call written', () => {
    expect(externalRelationSql('/d/x.csv')).toBe("read_csv_auto('/d/x.csv')");
    expect(externalRelationSql('/d/*.parquet')).toBe("read_parquet('/d/*.parquet')");
    expect(externalRelationSql('/d/x.ndjson.gz')).toBe("read_json_auto('/d/x.ndjson.gz')");
    expect(externalRelationSql("read_csv('/d/x.txt', delim='|')")).toBe("read_csv('/d/x.txt', delim='|')");
    const parsed = parseProject(projectFromFiles({
      'models/x.sql': "select * from {{ source('raw', 'orders') }}",
      'models/src.yml': "sources:\n  - name: raw\n    tables:\n      - name: orders\n        external_location: \"read_csv('data/{name}.csv', delim=';')\"\n",
    }));
    const source = parsed.nodes.find((n) => n.resource_type === 'source');
    expect(source?.resource_type === 'source' && source.external_location).toBe("read_csv('/virtual/project/data/orders.csv', delim=';')");
  });

  it('warns about packages that are not installed', () => {
    const files = projectFromFiles({});
    files.dbtPackages.push(
      { spec: 'dbt-labs/dbt_utils', kind: 'hub', guess: 'dbt_utils', file: 'packages.yml', line: 2 },
      { spec: 'calogica/dbt_expectations', kind: 'hub', guess: 'dbt_expectations', file: 'packages.yml', line: 4 },
    );
    const parsed = parseProject(files);
    expect(parsed.warnings.map((w) => `${w.code} ${w.location?.file}:${w.location?.line} ${w.message}`)).toEqual([
      "W_DBT_PACKAGE packages.yml:4 the dbt package 'calogica/dbt_expectations' is not installed: its macros, tests and models are not available",
    ]);
  });
});

describe('a package test the project copied', () => {
  it('keeps its prefixed name, runs the project\'s copy and says so', () => {
    const { parsed, tests } = compileTests({
      'models/o.sql': 'select 1 as amount',
      'macros/between.sql': '{% test expect_column_values_to_be_between(model, column_name, min_value) %}select * from {{ model }} where {{ column_name }} < {{ min_value }}{% endtest %}',
      'models/o.yml': 'models:\n  - name: o\n    columns:\n      - name: amount\n        data_tests:\n          - dbt_expectations.expect_column_values_to_be_between: {min_value: 0}\n',
    });
    expect(tests.map((t) => t.sql)).toEqual(['select * from "demo"."main"."o" where amount < 0']);
    expect(tests[0]!.name).toMatch(/^dbt_expectations_expect_column_values_to_be_between_o_amount/);
    expect(parsed.warnings.map((w) => w.code)).toContain('W_TEST_COPIED');
  });
});

describe("dbt_utils' tests without the package", () => {
  it('group_by_columns groups, trim_whitespace: false keeps the spaces, as dbt_utils 1.x does', () => {
    const { tests } = compileTests({
      'models/s.sql': "select 1 as id, ' ' as label, 'x' as grp",
      'models/s.yml': [
        'models:',
        '  - name: s',
        '    columns:',
        '      - name: label',
        '        data_tests:',
        '          - dbt_utils.not_empty_string: {trim_whitespace: false}',
        '          - dbt_utils.at_least_one: {group_by_columns: [grp]}',
        '          - dbt_utils.not_constant: {group_by_columns: [grp]}',
      ].join('\n'),
    });
    const sql = Object.fromEntries(tests.map((t) => [t.name.replace(/__\w+$/, ''), t.sql]));
    expect(sql.dbt_utils_not_empty_string_s_label).toBe('with all_values as (select label from "demo"."main"."s"), errors as (select * from all_values where label = \'\') select * from errors');
    expect(sql.dbt_utils_at_least_one_s_label).toBe('select * from (with pruned_rows as (select grp ,label from "demo"."main"."s") select grp, count(label) as filler_column from pruned_rows group by grp having count(label) = 0) validation_errors');
    expect(sql.dbt_utils_not_constant_s_label).toBe('select grp, count(distinct label) as filler_column from "demo"."main"."s" group by grp having count(distinct label) = 1');
  });
});

describe('dbt configs the engine does not run', () => {
  it('other materializations are refused, not ignored', () => {
    // A model's refusal is kept with the model (raised when a command selects it).
    const parsed = parseProject(projectFromFiles({ 'models/m.sql': "{{ config(materialized='materialized_view') }}select 1" }));
    const e = parsed.broken.get('model.demo.m');
    expect(`${e?.code} ${e?.message}`).toBe("E_DBT_UNSUPPORTED materialized='materialized_view' is not supported");
  });

  it('hooks are kept for the run: model hooks add up over config levels, on-run hooks in dbt\'s order', () => {
    const parsed = parseProject(projectFromFiles({
      'mesh_project.yml': "name: demo\non-run-end:\n  - \"{{ grant_all() }}\"\nmodels:\n  demo:\n    +post-hook: \"grant select on {{ this }} to reporter\"\n",
      'models/m.sql': "{{ config(post_hook='analyze {{ this }}') }}select 1",
    }));
    const m = parsed.nodes.find((n) => n.unique_id === 'model.demo.m');
    expect(m && 'config' in m && (m.config as Record<string, unknown>)['post-hook']).toEqual(['grant select on {{ this }} to reporter', 'analyze {{ this }}']);
    expect(parsed.hooks['on-run-end'].map((h) => [h.id, h.sql])).toEqual([['operation.demo.demo-on-run-end-0', '{{ grant_all() }}']]);
  });
});
