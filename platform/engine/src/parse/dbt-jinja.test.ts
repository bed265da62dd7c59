import { describe, expect, it } from 'vitest';
import { thrownMeshError, type MeshError } from '@mesh/errors';
import { JinjaEnvironment, type RenderHooks } from './jinja';
import { Relation } from './relation';
import type { RefCall } from '../types';

function hooks(logs: string[] = [], refs: RefCall[] = []): RenderHooks {
  return {
    ref: (call) => {
      refs.push(call);
      return new Relation('db', 'main', call.name);
    },
    source: (call) => new Relation('db', call.source, call.table),
    config: () => undefined,
    thisRelation: new Relation('db', 'main', 'me'),
    isIncremental: false,
    vars: { cols: ['a', 'b'], surrogate_key_treat_nulls_as_empty_strings: false },
    env: {},
    log: (m) => logs.push(m),
  };
}

function render(source: string, macros: Record<string, string> = {}, h: RenderHooks = hooks()): string {
  const env = new JinjaEnvironment();
  for (const [file, text] of Object.entries(macros)) env.addMacros(file, text);
  return env.compile('models/m.sql', source).render(h);
}

function renderError(source: string, macros: Record<string, string> = {}): MeshError {
  return thrownMeshError(() => render(source, macros));
}

describe("dbt's Jinja", () => {
  it('macros with arguments, defaults and keyword arguments', () => {
    const macros = { 'macros/m.sql': "{% macro cents(col, scale=2) -%}round({{ col }} / 100, {{ scale }}){%- endmacro %}" };
    expect(render("{{ cents('amount') }}|{{ cents('x', 4) }}|{{ cents(col='y', scale=0) }}", macros)).toBe('round(amount / 100, 2)|round(x / 100, 4)|round(y / 100, 0)');
  });

  it('return() hands the caller a value, and the first value returned wins', () => {
    const macros = {
      'macros/m.sql': [
        "{% macro cols() %}{% set out = [] %}{% for c in var('cols') %}{% do out.append(c | upper) %}{% endfor %}{{ return(out) }}{% endmacro %}",
        '{% macro pick(x) %}{% if x %}{{ return("yes") }}{% endif %}{{ return("no") }}{% endmacro %}',
      ].join('\n'),
    };
    expect(render("{{ cols() | join(', ') }} {{ cols() | length }} {{ pick(true) }} {{ pick(false) }}", macros)).toBe('A, B 2 yes no');
  });

  it('Python list, dict and str methods, list +, and the filters dbt projects use', () => {
    const source = [
      "{% set d = {'k': 1} %}{% do d.update({'j': 2}) %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
      "{{ (var('cols') + ['c']) | join('|') }}",
      "{{ '  Mixed Case '.strip().lower().replace(' ', '_') }}",
      "{{ not_set | default('dflt') }}{{ none | default('x', true) }} {{ 'A-B' | lower | replace('-', '_') | trim }}",
      "{{ ['x', 'y'] | map('upper') | join }}{{ [{'n': 1}, {'n': 2}] | map(attribute='n') | join(',') }}",
      '{{ None is none }} {{ x is none }}',
    ].join('\n');
    expect(render(source)).toBe('k=1;j=2;\na|b|c\nmixed_case\ndfltx a_b\nXY1,2\ntrue false');
  });

  it('loop variables, whitespace control and comments', () => {
    const source = "select\n{%- for c in ['a', 'b', 'c'] %}\n  {{ c }}{{ ',' if not loop.last }} -- {{ loop.index }}/{{ loop.length }}\n{%- endfor %}\n{# a comment #}from t";
    expect(render(source)).toBe('select\n  a, -- 1/3\n  b, -- 2/3\n  c -- 3/3\nfrom t');
  });

  it('ref and source inside macros are the model\'s dependencies', () => {
    const refs: RefCall[] = [];
    const macros = { 'macros/m.sql': "{% macro users() %}{{ return(ref('stg_users')) }}{% endmacro %}{% macro raw() %}{{ source('raw', 'x') }}{% endmacro %}" };
    expect(render('select * from {{ users() }} join {{ raw() }}', macros, hooks([], refs))).toBe('select * from "db"."main"."stg_users" join "db"."raw"."x"');
    expect(refs).toEqual([{ name: 'stg_users' }]);
  });

  it('log(info=True) is reported, a plain log() is not, and target is the project\'s', () => {
    const logs: string[] = [];
    expect(render("{{ log('quiet') }}{{ log('loud ' ~ target.type, info=True) }}{{ target.name }}", {}, hooks(logs))).toBe('dev');
    expect(logs).toEqual(['loud duckdb']);
  });

  it('{% test %} blocks become test_<name> macros', () => {
    const env = new JinjaEnvironment();
    expect(env.addMacros('tests/generic/pos.sql', '{% test is_positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}')).toEqual(['test_is_positive']);
    const sql = env.callMacro('test_is_positive', { model: new Relation('db', 'main', 'm'), column_name: 'x' }, hooks(), 'models/m.yml');
    expect(sql).toBe('select * from "db"."main"."m" where x <= 0');
  });
});

describe('dbt_utils and dbt macros, natively', () => {
  it('star: every column but the excepted ones, with an alias, prefix and suffix', () => {
    expect(render("{{ dbt_utils.star(from=ref('m'), except=['A', 'b']) }}")).toBe("COLUMNS(c -> lower(c) NOT IN ('a', 'b'))");
    expect(render("{{ dbt_utils.star(ref('m')) }}")).toBe('COLUMNS(*)');
    expect(render("{{ dbt_utils.star(from=ref('m'), relation_alias='t', except=['x']) }}")).toBe('COLUMNS("t".* EXCLUDE ("x"))');
    expect(render("{{ dbt_utils.star(from=ref('m'), prefix='p_', suffix='_s') }}")).toBe('COLUMNS(*) AS "p_\\0_s"');
  });

  it('star refuses a CTE name, as dbt_utils does', () => {
    expect(renderError("{{ dbt_utils.star('orders') }}").message).toBe('dbt_utils.star(): from must be a relation (ref() or source()), got "orders"');
  });

  it('generate_surrogate_key and date_spine', () => {
    expect(render("{{ dbt_utils.generate_surrogate_key(['a', 'b']) }}")).toBe(
      "md5(cast(concat(coalesce(cast(a as varchar), '_dbt_utils_surrogate_key_null_'), '-', coalesce(cast(b as varchar), '_dbt_utils_surrogate_key_null_')) as varchar))",
    );
    expect(render("{{ dbt_utils.date_spine('month', \"date '2024-01-01'\", \"date '2024-04-01'\") }}")).toBe(
      "select range as \"date_month\" from range(cast(date '2024-01-01' as timestamp), cast(date '2024-04-01' as timestamp), interval 1 month)",
    );
  });

  it('dbt cross-database macros', () => {
    expect(render("{{ dbt.dateadd('day', 3, 'd') }} {{ dbt.datediff('a', 'b', 'day') }} {{ dbt.type_string() }} {{ dbt.safe_cast('x', dbt.type_int()) }}")).toBe(
      "date_add(d, interval (3) day) date_diff('day', a::timestamp, b::timestamp) varchar try_cast(x as integer)",
    );
  });
});

describe('constructs the engine refuses, by name, file and line', () => {
  it('an unknown dbt_utils macro', () => {
    const e = renderError("select\n  {{ dbt_utils.pivot('status', ['a']) }}\nfrom t");
    expect(e.code).toBe('E_DBT_UNSUPPORTED');
    expect(e.message).toBe('dbt_utils.pivot is not supported: it is usually fed by get_column_values, which queries the database while compiling');
    expect(e.location).toMatchObject({ file: 'models/m.sql', line: 2 });
    expect(renderError('{{ dbt_utils.haversine_distance(1, 2, 3, 4) }}').hint).toMatch(/^Natively available: dbt_utils\.star, dbt_utils\.generate_surrogate_key, dbt_utils\.date_spine/);
    expect(renderError("{{ dbt_utils.surrogate_key(['a']) }}").hint).toBe("Write dbt_utils.generate_surrogate_key(['a', 'b']) instead.");
  });

  it('adapter.dispatch and run_query, also inside a macro file', () => {
    const e = renderError("{{ adapter.dispatch('concat', 'my_pkg')(['a']) }}");
    expect(e.message).toBe('adapter.dispatch is not supported: the engine runs on DuckDB only, so there is nothing to dispatch between');
    expect(e.hint).toContain("duckdb__name(args)");
    const macros = { 'macros/values.sql': "{% macro statuses() %}\n  {% set r = run_query('select 1') %}\n  {{ return(r) }}\n{% endmacro %}" };
    const inMacro = renderError('select {{ statuses() }}', macros);
    expect(inMacro.message).toBe('run_query() is not supported: it runs a query while compiling, and the engine compiles without a database');
    expect(inMacro.location).toMatchObject({ file: 'macros/values.sql', line: 2 });
  });

  it('{% call statement %}, {% snapshot %} and {% materialization %} blocks', () => {
    const env = new JinjaEnvironment();
    const refuse = (file: string, text: string) => thrownMeshError(() => env.addMacros(file, text));
    const call = refuse('macros/q.sql', "{% macro q() %}\n{% call statement('x', fetch_result=True) %}select 1{% endcall %}\n{% endmacro %}");
    expect(`${call.code} ${call.location?.file}:${call.location?.line} ${call.message}`).toBe('E_DBT_UNSUPPORTED macros/q.sql:2 {% call statement %} is not supported: it runs a query while compiling, and the engine compiles without a database');
    expect(refuse('macros/s.sql', "{% snapshot orders_snapshot %}select 1{% endsnapshot %}").message).toBe('{% snapshot %} is not supported: snapshot blocks belong in files under snapshot-paths, not among models or macros');
    expect(refuse('macros/mat.sql', '{% materialization my_mat, default %}{% endmaterialization %}').hint).toBe('Use one of view, table, incremental or ephemeral.');
  });

  it('a macro nobody defined (a package macro)', () => {
    const e = renderError("select {{ dbt_date.today() }}");
    expect(e.code).toBe('E_JINJA_UNDEFINED');
    expect(e.message).toBe('dbt_date.today is not defined: no macro, function or variable has that name');
  });

  it('exceptions.raise_compiler_error speaks for the project', () => {
    const e = renderError("{% if true %}\n{{ exceptions.raise_compiler_error('grain must be day') }}\n{% endif %}");
    expect(`${e.code} ${e.location?.line} ${e.message}`).toBe('E_COMPILER_ERROR 2 grain must be day');
  });
});
