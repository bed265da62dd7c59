import { describe, expect, it } from 'vitest';
import { thrownMeshError } from '@mesh/errors';
import { projectFromFiles } from '../test-support';
import { parseProject } from './parse-project';
import { resolveRefs } from '../graph/resolve-refs';
import { buildDag } from '../graph/dag';
import { Compiler } from '../compile/compile';
import type { UnitTestNode } from '../types';

const MODELS = {
  'models/stg_orders.sql': 'select 1 as id, 2 as amount',
  'models/totals.sql': "select id, sum(amount) as amount, '{{ var(\"label\", \"x\") }}' as label, '{{ env_var(\"CUR\", \"EUR\") }}' as cur, {{ money('amount') }} as m from {{ ref('stg_orders') }} group by id",
  'macros/money.sql': '{% macro money(c) %}round({{ c }}, 2){% endmacro %}',
  'seeds/raw.csv': 'id\n1\n',
};

function compile(files: Record<string, string>) {
  const parsed = parseProject(projectFromFiles({ ...MODELS, ...files }));
  const resolution = resolveRefs(parsed);
  const dag = buildDag(resolution.nodes);
  const compiler = new Compiler(parsed, dag, resolution);
  const tests = parsed.nodes.filter((n): n is UnitTestNode => n.resource_type === 'unit_test');
  return { parsed, dag, tests, compile: (t: UnitTestNode) => compiler.compileNode(t) };
}

const refusal = thrownMeshError;

const yaml = (...lines: string[]) => ({ 'models/unit.yml': ['unit_tests:', ...lines].join('\n') });

describe('unit tests', () => {
  it('read the inputs in each format, and compile the model over them with the overrides', () => {
    const { tests, compile: c, dag } = compile({
      ...yaml(
        '  - name: sums',
        '    model: totals',
        '    overrides:',
        '      vars: {label: y}',
        '      env_vars: {CUR: USD}',
        '      macros: {money: "42"}',
        '    given:',
        "      - input: ref('stg_orders')",
        '        format: csv',
        '        rows: |',
        '          id,amount',
        '          1,',
        '          1,2',
        '    expect:',
        '      rows: [{id: 1, amount: 2}]',
      ),
    });
    const [t] = tests;
    expect(t!.unique_id).toBe('unit_test.demo.totals.sums');
    expect(t!.given[0]!.rows).toEqual({ format: 'csv', rows: [{ id: '1', amount: '2' }, { id: '1', amount: null }] });
    expect(dag.parents.get(t!.unique_id)).toEqual(['model.demo.totals']);
    const compiled = c(t!);
    expect(compiled.sql).toBe(`select id, sum(amount) as amount, 'y' as label, 'USD' as cur, 42 as m from "__dbt__cte__stg_orders" group by id`);
    expect(compiled.unitTest!.inputs).toEqual([expect.objectContaining({ cte: '__dbt__cte__stg_orders', relation: '"demo"."main"."stg_orders"', name: 'stg_orders' })]);
  });

  it('reads fixture files, one test per version, and a seed given without rows', () => {
    const { tests } = compile({
      'models/v_v1.sql': "select * from {{ ref('raw') }}",
      'models/v_v2.sql': "select * from {{ ref('raw') }}",
      'models/v.yml': 'models:\n  - name: v\n    versions: [{v: 1}, {v: 2}]\n',
      'tests/fixtures/expected_v.sql': 'select 1 as id;\n',
      ...yaml('  - name: t', '    model: v', "    given: [{input: ref('raw')}]", '    expect: {format: sql, fixture: expected_v}'),
    });
    expect(tests.map((t) => t.unique_id)).toEqual(['unit_test.demo.v.t_v1', 'unit_test.demo.v.t_v2']);
    const excluded = compile({
      'models/v_v1.sql': "select * from {{ ref('raw') }}",
      'models/v_v2.sql': "select * from {{ ref('raw') }}",
      'models/v.yml': 'models:\n  - name: v\n    versions: [{v: 1}, {v: 2}]\n',
      ...yaml('  - name: t', '    model: v', '    versions: {exclude: [1]}', "    given: [{input: ref('raw')}]", '    expect: {rows: []}'),
    });
    expect(excluded.tests.map((t) => [t.unique_id, t.refs])).toEqual([['unit_test.demo.v.t_v2', [{ name: 'v', version: '2' }]]]);
    expect(tests[0]!.given[0]!.rows).toEqual({ format: 'seed' });
    expect(tests[0]!.expect).toMatchObject({ format: 'sql', sql: 'select 1 as id', fixture: 'expected_v' });
  });

  it('name the file, line and key of a bad config', () => {
    const unknownModel = refusal(() => compile(yaml('  - name: t', '    model: totls', "    given: [{input: ref('stg_orders'), rows: []}]", '    expect: {rows: []}')));
    expect([unknownModel.code, unknownModel.location, unknownModel.message, unknownModel.hint]).toEqual([
      'E_UNIT_TEST_CONFIG', { file: 'models/unit.yml', line: 3 }, "unit test t: model 'totls' does not exist", "Did you mean 'totals'?",
    ]);
    const badInput = refusal(() => compile(yaml('  - name: t', '    model: totals', '    given:', "      - input: ref(stg_orders)", '        rows: []', '    expect: {rows: []}')));
    expect([badInput.location?.line, badInput.message]).toEqual([5, 'unit test t: input "ref(stg_orders)" is not a ref(), source() or this']);
    const csvList = refusal(() => compile(yaml('  - name: t', '    model: totals', '    given:', "      - input: ref('stg_orders')", '        format: csv', '        rows: [{id: 1}]', '    expect: {rows: []}')));
    expect([csvList.location?.line, csvList.message]).toEqual([7, `unit test t: input "ref('stg_orders')" has rows or fixtures which do not match format csv: expected text`]);
    const noFile = refusal(() => compile({ ...yaml('  - name: t', '    model: totals', "    given: [{input: ref('stg_orders'), format: csv, fixture: orderz}]", '    expect: {rows: []}'), 'tests/fixtures/orders.csv': 'id\n' }));
    expect([noFile.location?.line, noFile.hint]).toEqual([4, "Did you mean 'orders'?"]);
    // A test of a model switched off is off too, as in dbt; one of a model nobody wrote is refused above.
    expect(compile({ 'models/off.sql': "{{ config(enabled=false) }}select 1", ...yaml('  - name: t', '    model: off', '    given: []', '    expect: {rows: []}') }).tests).toEqual([]);
    const schema = refusal(() => compile(yaml('  - name: t', '    model: totals', '    givn: []', '    expect: {rows: []}')));
    expect([schema.code, schema.location?.line]).toEqual(['E_YAML_SCHEMA', 2]);
    const versions = refusal(() => compile(yaml('  - name: t', '    model: totals', '    versions: {include: [2]}', "    given: [{input: ref('stg_orders'), rows: []}]", '    expect: {rows: []}')));
    expect([versions.location?.line, versions.message]).toEqual([4, "unit test t: versions: include or exclude is set, but 'totals' is not versioned"]);
  });

  it('refuse an incremental model tested without saying which branch, and inputs the model does not read', () => {
    const incremental = refusal(() => compile({
      'models/inc.sql': "select * from {{ ref('stg_orders') }}{% if is_incremental() %} where id > 1{% endif %}",
      ...yaml('  - name: t', '    model: inc', "    given: [{input: ref('stg_orders'), rows: []}]", '    expect: {rows: []}'),
    }));
    expect(incremental.message).toBe("unit test t: model 'inc' calls is_incremental(), so the test must say which branch it tests");
    const { tests, compile: c } = compile(yaml(
      '  - name: t', '    model: totals', '    given:', "      - input: ref('stg_orders')", '        rows: []', "      - input: ref('raw')", '        rows: []', '    expect: {rows: []}',
    ));
    const unread = refusal(() => c(tests[0]!));
    expect([unread.location, unread.message, unread.hint]).toEqual([
      { file: 'models/unit.yml', line: 7 }, "unit test t: input ref('raw') is not read by model 'totals'", "totals reads ref('stg_orders'); give those.",
    ]);
    const ephemeral = compile({
      'models/eph.sql': "{{ config(materialized='ephemeral') }}select 1 as id",
      'models/over_eph.sql': "select * from {{ ref('eph') }}",
      ...yaml('  - name: t', '    model: over_eph', "    given: [{input: ref('eph'), rows: [{id: 1}]}]", '    expect: {rows: []}'),
    });
    expect(refusal(() => ephemeral.compile(ephemeral.tests[0]!)).hint).toBe('Give its rows as format: sql (a query with the columns and types it returns), as dbt requires.');
    const missing = compile(yaml('  - name: t', '    model: totals', '    given: []', '    expect: {rows: []}'));
    expect(refusal(() => missing.compile(missing.tests[0]!)).message).toBe("unit test t: model 'totals' reads ref('stg_orders'), which the test does not give");
  });
});
