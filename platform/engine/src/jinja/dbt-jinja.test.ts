import { describe, expect, it } from 'vitest';
import { thrownMeshError, type MeshError } from '@mesh/errors';
import { JinjaEnvironment, type RenderHooks } from './environment';
import { Introspection, renderWithIntrospection, type IntrospectionAnswer, type IntrospectionRequest } from './introspection';
import { Relation } from '../parse/relation';
import { DBT_UTILS_STANDINS } from '../parse/dbt-natives';
import { macro } from './macro-api';
import type { RefCall } from '../types';

function hooks(overrides: Partial<RenderHooks> = {}, logs: string[] = [], refs: RefCall[] = []): RenderHooks {
  return {
    ref: (call) => {
      refs.push(call);
      return new Relation('db', 'main', call.name);
    },
    source: (call) => new Relation('db', call.source, call.table),
    config: () => undefined,
    thisRelation: new Relation('db', 'main', 'me'),
    isIncremental: false,
    vars: { cols: ['a', 'b'], start: "{{ dbt.dateadd('day', -1, 'd') }}", n: 3, surrogate_key_treat_nulls_as_empty_strings: false },
    env: {},
    log: (m) => logs.push(m),
    ...overrides,
  };
}

function environment(macros: Record<string, string> = {}, packages: Record<string, Record<string, string>> = {}, dispatch: Array<{ macro_namespace: string; search_order: string[] }> = []): JinjaEnvironment {
  const env = new JinjaEnvironment({ project: 'shop', dispatch });
  for (const [file, text] of Object.entries(macros)) env.addMacros(file, text);
  for (const [pkg, files] of Object.entries(packages)) for (const [file, text] of Object.entries(files)) env.addMacros(file, text, pkg);
  return env;
}

function render(source: string, macros: Record<string, string> = {}, h: RenderHooks = hooks()): string {
  return environment(macros).compile('models/m.sql', source).render(h);
}

function renderError(source: string, macros: Record<string, string> = {}, h: RenderHooks = hooks()): MeshError {
  return thrownMeshError(() => render(source, macros, h));
}

describe('Jinja2 as dbt renders it', () => {
  it.each([
    ['trailing commas in calls, lists and dicts', "{% macro f(a, b=2) %}{{ a }}{{ b }}{% endmacro %}{{ f(1, b=3,) }} {{ [1, 2,] | join }} {{ {'a': 1,}['a'] }}", '13 12 1'],
    ['namespace() and set ns.x inside a loop', "{% set ns = namespace(total=0, seen=[]) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% do ns.seen.append(i) %}{% endfor %}{{ ns.total }} {{ ns.seen }}", '6 [1, 2, 3]'],
    ['a set inside a loop does not leak out of it', '{% set found = False %}{% for x in [1] %}{% set found = True %}{% endfor %}{{ found }}', 'False'],
    ['tuple unpacking in set and for', "{% set a, b = 1, 2 %}{{ a }}{{ b }} {% for k, v in {'x': 1}.items() %}{{ k }}={{ v }}{% endfor %}", '12 x=1'],
    ['for with an if filter, loop.length counting what is left', '{% for x in [1, 2, 3] if x > 1 %}{{ x }}/{{ loop.length }} {% endfor %}', '2/2 3/2 '],
    ['break and continue', '{% for x in [1, 2, 3, 4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}', '13'],
    ['Python printing of None, booleans, lists and dicts', "{{ none }}|{{ True }}|{{ [1, 'a'] }}|{{ {'k': None} }}|{{ 'a' ~ none ~ false }}", "None|True|[1, 'a']|{'k': None}|aNoneFalse"],
    ['Python truth: empty lists and dicts are false', "{% if [] %}y{% else %}n{% endif %}{{ [] or 'default' }}{{ not {} }}", 'ndefaultTrue'],
    ['equality by value', "{{ [1, 2] == [1, 2] }} {{ {'a': 1} != {'a': 1} }}", 'True False'],
    ['slices and negative indexes', "{{ 'abcdef'[1:3] }} {{ [1, 2, 3][-1] }} {{ 'abc'[::-1] }} {{ [1, 2, 3][1:] }}", 'bc 3 cba [2, 3]'],
    ['%-formatting, str.format and string repetition', "{{ '%s-%03d' % ('a', 7) }} {{ '{}:{}'.format(1, 'x') }} {{ '-' * 3 }}", 'a-007 1:x ---'],
    ['nested braces inside a tag', "{% set d = {} %}{% do d.update({'k': {'x': [1, 2]}}) %}{{ d['k']['x'][1] }}", '2'],
    ['a dict iterates over its keys, a string over its characters', "{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %} {% for c in 'xy' %}[{{ c }}]{% endfor %}", 'ab [x][y]'],
    ['Python str, list and dict methods', "{{ 'a,b'.split(',') }} {{ ' X '.strip().lower() }} {{ ','.join(['p', 'q']) }} {{ 'aab'.count('a') }} {{ {'a': 1}.get('z', 9) }} {{ 'Abc'.startswith('A') }}", "['a', 'b'] x p,q 2 9 True"],
    ['filters with keyword arguments', "{{ [{'n': 'b'}, {'n': 'a'}] | map(attribute='n') | sort | join(',') }} {{ [{'n': 1}, {'n': 2}] | selectattr('n', 'equalto', 2) | list | length }} {{ [3, 1, 2] | sort(reverse=true) | first }}", 'a,b 1 3'],
    ['tests: is mapping, is string, is none, is defined', "{{ {} is mapping }} {{ [] is mapping }} {{ 'x' is string }} {{ none is none }} {{ nope is defined }}", 'True False True True False'],
    ['a macro keeps its keyword arguments after calling one of its file that returns', "{% macro twice(n) %}{% for i in [n] %}{{ return(i * 2) }}{% endfor %}{% endmacro %}{% macro f(n, unit='day') %}{% set h = twice(n) %}{{ h }} {{ unit }}{% endmacro %}{{ f(4) }}|{{ f(2, 'week') }}", '8 day|4 week'],
    ['default(none) gives none, and a chain of defaults reaches its last', "{% set d = {} %}{{ d['a'] | default(none) }} {{ d['a'] | default(d['b']) | default(none) is none }} [{{ d['a'] | default }}] {{ d['a'] | default(d['b']) | default(3) }}", 'None True [] 3'],
    ['adjacent strings are one, so Python-style triple quotes read as in Jinja2', '{% set name = "x" %}{{ "a" \'b\' }} {{ """say """ ~ name ~ """ now""" }} {{ ("""\nline""") | trim }}', 'ab say x now line'],
    ['a conditional expression in the else branch of another', "{% set t = 'pg' %}{{ 'v' if t in ['redshift', 'postgres'] else 'S' if t in ['clickhouse'] else 's' }} {{ 1 if t == 'pg' else 2 if t == 'x' else 3 }} {{ 'a' if false else 'b' if false else 'c' if false else 'd' }}", 's 1 d'],
    ['string escapes as Python reads them: unknown ones keep their backslash', "{{ 'a\\tb' }}|{{ '\\s+' }}|{{ '\\x41\\u00e9' }}|{{ modules.re.search('(?i)(?s)^.*\\s+with\\s', 'x\\nWITH y') is not none }}", 'a\tb|\\s+|A\u00e9|True'],
    ['call blocks, with arguments for the caller', "{% macro twice() %}{{ caller(1) }}+{{ caller(2) }}{% endmacro %}{% call(n) twice() %}<{{ n }}>{% endcall %}", '<1>+<2>'],
    ['varargs and kwargs, tuples printed as Python prints them', "{% macro m(a) %}{{ varargs }} {{ kwargs }}{% endmacro %}{{ m(1, 2, z=3) }} {{ {'k': 1}.items() | list }} {{ (1,) }}", "(2,) {'z': 3} [('k', 1)] (1,)"],
    ['modules.datetime and modules.re', "{{ modules.datetime.date(2024, 2, 29).strftime('%Y%m%d') }} {{ modules.re.sub('[ -]+', '_', 'a b-c') }} {{ (modules.datetime.date(2024, 3, 1) - modules.datetime.timedelta(days=1)) }}", '20240229 a_b_c 2024-02-29'],
  ])('%s', (_, source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it('return() ends the macro at once and hands back lists and dicts; {% do return() %} too', () => {
    const macros = {
      'macros/m.sql': [
        "{% macro cols() %}{% set out = [] %}{% for c in var('cols') %}{% do out.append(c | upper) %}{% endfor %}{{ return(out) }}{% endmacro %}",
        "{% macro settings() %}{% do return({'a': 1}) %}{{ exceptions.raise_compiler_error('never reached') }}{% endmacro %}",
        '{% macro pick(x) %}{% if x %}{{ return("yes") }}{% endif %}{{ return("no") }}{% endmacro %}',
      ].join('\n'),
    };
    expect(render("{{ cols() | join(', ') }} {{ cols() | length }} {{ settings()['a'] }} {{ pick(true) }} {{ pick(false) }}", macros)).toBe('A, B 2 1 yes no');
  });

  it('a var holding Jinja is rendered when read, in the reading node\'s context', () => {
    expect(render("where d >= {{ var('start') }}")).toBe('where d >= dateadd(day, -1, d)');
  });
});

describe("dbt's macro library and dispatch", () => {
  it("dbt's global macros are callable with and without the dbt. prefix", () => {
    expect(render("{{ type_string() }}|{{ dbt.type_int() }}|{{ concat(['a', 'b']) }}|{{ dbt.hash('x') }}|{{ safe_cast('x', 'int') }}|{{ except() }}")).toBe(
      'TEXT|integer|a || b|md5(cast(x as TEXT))|cast(x as int)|except',
    );
  });

  it('a dialect comes first, the project can override it, and the dispatch config orders packages', () => {
    const dialect = { adapterType: 'duckdb', packageName: 'dbt_duckdb', translateType: (t: string) => t, macros: { duckdb__dateadd: macro(['datepart', 'interval', 'from_date_or_timestamp'], (a) => `duckdb(${String(a.interval)})`) } };
    const plain = new JinjaEnvironment({ project: 'shop', dialect });
    expect(plain.compile('m.sql', "{{ dateadd('day', 1, 'd') }}").render(hooks())).toBe('duckdb(1)');
    plain.addMacros('macros/o.sql', '{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) %}mine({{ interval }}){% endmacro %}');
    expect(plain.compile('m.sql', "{{ dbt.dateadd('day', 2, 'd') }}").render(hooks())).toBe('mine(2)');

    const packages = {
      acme: { 'dbt_packages/acme/macros/a.sql': "{% macro clean(x) %}{{ return(adapter.dispatch('clean', 'acme')(x)) }}{% endmacro %}{% macro default__clean(x) %}trim({{ x }}){% endmacro %}" },
      shim: { 'dbt_packages/shim/macros/s.sql': '{% macro duckdb__clean(x) %}lower(trim({{ x }})){% endmacro %}' },
    };
    expect(environment({}, packages).compile('m.sql', "{{ acme.clean('c') }}").render(hooks())).toBe('trim(c)');
    const shimmed = environment({}, packages, [{ macro_namespace: 'acme', search_order: ['shim', 'acme'] }]);
    expect(shimmed.compile('m.sql', "{{ acme.clean('c') }}").render(hooks())).toBe('lower(trim(c))');
  });

  it("a package's macros are its namespace; unprefixed names are the node's package's, then the project's", () => {
    const env = environment({ 'macros/m.sql': '{% macro who() %}project{% endmacro %}' }, { acme: { 'p/m.sql': '{% macro who() %}acme{% endmacro %}{% macro hello() %}hi {{ who() }}{% endmacro %}' } });
    expect(env.compile('m.sql', '{{ who() }} {{ acme.who() }} {{ acme.hello() }}').render(hooks())).toBe('project acme hi project');
    expect(env.compile('p/models/x.sql', '{{ who() }}', 'acme').render(hooks({ package: 'acme' }))).toBe('acme');
  });

  it('dispatch names what it searched when nothing is found', () => {
    const e = renderError("{{ adapter.dispatch('nothing_here', 'dbt')() }}");
    expect(e.code).toBe('E_DISPATCH');
    expect(e.message).toContain("'shop.duckdb__nothing_here', 'shop.default__nothing_here', 'dbt.duckdb__nothing_here', 'dbt.default__nothing_here'");
  });
});

describe('introspection at run time', () => {
  const answers = (request: IntrospectionRequest): IntrospectionAnswer => {
    if (request.kind === 'columns') return [{ name: 'id', type: 'INTEGER' }, { name: 'Name', type: 'VARCHAR' }, { name: 'secret', type: 'VARCHAR' }];
    if (request.kind === 'statement') return { columns: [{ name: 'status', type: 'VARCHAR' }], rows: [['open'], ['paid']] };
    if (request.kind === 'relation') return { kind: 'table' };
    return [];
  };
  const run = async (source: string, macros: Record<string, string> = {}) => {
    const env = environment(macros);
    env.flags.WHICH = 'run';
    env.addNativeMacros('dbt_utils', DBT_UTILS_STANDINS);
    const template = env.compile('models/m.sql', source);
    const asked: IntrospectionRequest[] = [];
    const dynamic: boolean[] = [];
    const parse = template.render(hooks({ onDynamic: () => dynamic.push(true) }));
    const { value, questions } = await renderWithIntrospection((introspection) => template.render(hooks({ execute: true, introspection })), async (r) => {
      asked.push(r);
      return answers(r);
    });
    return { parse, value, questions, asked, dynamic: dynamic.length > 0 };
  };

  it('parses with execute false, renders again with the answers; each question reaches the database once', async () => {
    const source = "{% if execute %}{% set r = run_query('select status from t') %}{{ r.columns[0].values() | join(',') }} {{ r.rows | length }}{% else %}parse{% endif %}";
    const out = await run(source);
    expect(out).toMatchObject({ parse: 'parse', value: 'open,paid 2', questions: 1, dynamic: true });
    expect(out.asked).toEqual([{ kind: 'statement', sql: 'select status from t', fetch: true }]);
  });

  it('call statement and load_result, and adapter.get_columns_in_relation', async () => {
    const source = [
      "{% call statement('s', fetch_result=True) %}select status from {{ ref('t') }}{% endcall %}",
      "{% set res = load_result('s') %}{{ res['data'] | map(attribute=0) | join('|') if res else '-' }}",
      "{% for c in adapter.get_columns_in_relation(ref('t')) %} {{ c.name }}:{{ c.dtype }}{% endfor %}",
    ].join('');
    expect((await run(source)).value).toBe('open|paid id:INTEGER Name:VARCHAR secret:VARCHAR');
  });

  it("dbt_utils.star without the package: '*' while parsing, the columns at run time, and a comment when none is left", async () => {
    const out = await run("select {{ dbt_utils.star(from=ref('t'), except=['SECRET'], relation_alias='t') }} from x");
    expect(out.parse).toBe('select * from x');
    expect(out.value).toBe('select t."id",\n  t."Name" from x');
    expect((await run("select {{ dbt_utils.star(ref('t'), except=['id', 'name', 'secret']) }}")).value).toBe('select /* no columns returned from star() macro */');
  });

  it('a render that asks something different the second time is refused', () => {
    const introspection = new Introspection([{ request: { kind: 'statement', sql: 'select 1', fetch: true }, answer: { columns: [], rows: [] } }]);
    const env = environment();
    const e = thrownMeshError(() => env.compile('m.sql', "{{ run_query('select 2') }}").render(hooks({ execute: true, introspection })));
    expect(e.code).toBe('E_JINJA_NONDETERMINISTIC');
  });
});

describe('errors name the template and its line', () => {
  it('in a model, in a macro, and in the macro of a package', () => {
    const model = renderError('select 1\nfrom t\nwhere {{ nope() }}');
    expect(`${model.code} ${model.location?.file}:${model.location?.line}`).toBe('E_JINJA_UNDEFINED models/m.sql:3');
    const inMacro = renderError('select {{ outer() }}', { 'macros/m.sql': "{% macro outer() %}\n  {{ var('missing') }}\n{% endmacro %}" });
    expect(`${inMacro.code} ${inMacro.location?.file}:${inMacro.location?.line}`).toBe('E_VAR_MISSING macros/m.sql:2');
    expect(inMacro.details).toContain('called from models/m.sql:1');
    const env = environment({}, { acme: { 'dbt_packages/acme/macros/a.sql': "{% macro boom() %}\n\n  {{ exceptions.raise_compiler_error('acme says no') }}\n{% endmacro %}" } });
    const pkg = thrownMeshError(() => env.compile('models/m.sql', '{{ acme.boom() }}').render(hooks()));
    expect(`${pkg.code} ${pkg.location?.file}:${pkg.location?.line} ${pkg.message}`).toBe('E_COMPILER_ERROR dbt_packages/acme/macros/a.sql:3 acme says no');
  });

  it('a syntax error, in a model and in a macro file', () => {
    const env = environment();
    const model = thrownMeshError(() => env.compile('models/b.sql', 'select 1\n{{ f( }}'));
    expect(`${model.code} ${model.location?.file}:${model.location?.line}`).toBe('E_JINJA_SYNTAX models/b.sql:2');
    const macroFile = thrownMeshError(() => env.addMacros('macros/x.sql', '{% macro x() %}\n\n{% if %}{% endif %}{% endmacro %}'));
    expect(`${macroFile.code} ${macroFile.location?.file}:${macroFile.location?.line}`).toBe('E_JINJA_SYNTAX macros/x.sql:3');
  });

  it('in a YAML value, at the line of the value', () => {
    const env = environment();
    const e = thrownMeshError(() => env.renderValue("{{ var('nope') }}", hooks(), { file: 'models/schema.yml', line: 12 }));
    expect(`${e.code} ${e.location?.file}:${e.location?.line}`).toBe('E_VAR_MISSING models/schema.yml:12');
  });

  it('Python errors are named as Python names them', () => {
    expect(renderError("{{ [1, 2].index(5) }}").message).toBe('Jinja render error: ValueError: 5 is not in list');
    expect(renderError('{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}').message).toContain("macro 'm' takes not more than 1 argument(s)");
  });
});

describe('dbt block tags', () => {
  it('{% test %} blocks become test_<name> macros; {% materialization %} blocks are read, not run', () => {
    const env = environment();
    expect(env.addMacros('tests/generic/pos.sql', '{% test is_positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}')).toEqual(['test_is_positive']);
    expect(env.callMacro('test_is_positive', { model: new Relation('db', 'main', 'm'), column_name: 'x' }, hooks(), 'models/m.yml')).toBe('select * from "db"."main"."m" where x <= 0');
    expect(env.addMacros('macros/mat.sql', "{% materialization my_mat, adapter='duckdb' %}{{ return({'relations': []}) }}{% endmaterialization %}")).toEqual(['materialization_my_mat_duckdb']);
  });

  it('ref and source inside macros are the model\'s dependencies, and log(info=True) is reported', () => {
    const refs: RefCall[] = [];
    const logs: string[] = [];
    const out = render("{{ users() }} {{ log('loud ' ~ target.type, info=True) }}{{ log('quiet') }}", { 'macros/m.sql': "{% macro users() %}{{ return(ref('stg_users')) }}{% endmacro %}" }, hooks({}, logs, refs));
    expect(out).toBe('"db"."main"."stg_users" ');
    expect(refs).toEqual([{ name: 'stg_users' }]);
    expect(logs).toEqual(['loud duckdb']);
  });
});

describe('a unit test\'s macro overrides', () => {
  it('replace the macro for the render alone, bare and under dbt., in the macros it calls too', () => {
    const macros = { 'macros/c.sql': '{% macro cents(x) %}({{ x }} / 100){% endmacro %}{% macro stamp() %}{{ current_timestamp() }}{% endmacro %}' };
    const env = environment(macros);
    const t = env.compile('models/m.sql', "{{ cents('a') }} {{ stamp() }} {{ dbt.current_timestamp() }}");
    const over = hooks({ macros: { cents: '0', current_timestamp: "'2024-01-01'" } });
    expect(t.render(over)).toBe("0 '2024-01-01' '2024-01-01'");
    expect(env.compile('models/n.sql', "{{ cents('a') }}").render(hooks())).toBe('(a / 100)');
  });

  it('a {% snapshot %} block outside snapshot-paths is refused by name', () => {
    const e = thrownMeshError(() => environment().addMacros('macros/s.sql', '{% snapshot orders_snapshot %}select 1{% endsnapshot %}'));
    expect(`${e.code} ${e.location?.file}:${e.location?.line} ${e.message}`).toBe('E_DBT_UNSUPPORTED macros/s.sql:1 {% snapshot %} is not supported: snapshot blocks belong in files under snapshot-paths, not among models or macros');
  });
});
