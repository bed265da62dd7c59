import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JinjaEnvironment, Relation, type RenderHooks } from '@mesh/engine';
import { BENCHMARKS_MD, REPO_ROOT } from './paths';
import { updateBenchmarksFile } from './report';

/**
 * Which Jinja engine renders dbt's Jinja closer to Jinja2: nunjucks with the engine's Jinja2 dialect (the one
 * in use), or minijinja-js 2.11.0 (MiniJinja compiled to WebAssembly, the Jinja family dbt Fusion builds on).
 *
 * Fidelity: each case is rendered by Jinja2 3.1 itself (from the oracle venv, the judge) and by both engines;
 * a case passes when the text is the same. dbt's own additions (return(), a context function that raises,
 * objects with methods, a render that suspends on a database question) are checked against what dbt does.
 * Speed: a dbt-style model with loops, filters and macro calls, compiled once and rendered many times, and
 * 200 distinct templates compiled and rendered once each (the parse of a project).
 *
 *   pnpm exec tsx tools/bench/src/jinja-engines.ts [--renders N] [--dry-run]
 */

interface Case {
  name: string;
  template: string;
}

/** Constructs the fixture projects and real packages (dbt_utils, dbt_expectations, dbt_date) use. */
const CASES: Case[] = [
  { name: 'trailing comma in a call', template: '{% macro f(a, b) %}{{ a }}-{{ b }}{% endmacro %}{{ f(1, 2,) }}' },
  { name: 'trailing commas in a list and a dict', template: "{{ [1, 2,] | join(',') }} {{ {'a': 1,}['a'] }}" },
  { name: 'namespace() set inside a loop', template: '{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}' },
  { name: 'a set inside a loop stays inside it', template: '{% set x = 1 %}{% for i in [5] %}{% set x = i %}{% endfor %}{{ x }}' },
  { name: 'tuple unpacking', template: "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% for k, v in {'x': 1}.items() %}{{ k }}{{ v }}{% endfor %}" },
  { name: 'for with if, loop.length', template: '{% for x in [1, 2, 3] if x > 1 %}{{ x }}/{{ loop.length }} {% endfor %}' },
  { name: 'break and continue', template: '{% for x in [1, 2, 3, 4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}' },
  { name: 'printing None, True, a list, a dict', template: "{{ none }} {{ True }} {{ [1, 'a'] }} {{ {'k': None} }}" },
  { name: '~ with None and booleans', template: "{{ 'a' ~ none ~ false ~ 1 }}" },
  { name: 'an empty list is false', template: "{% if [] %}y{% else %}n{% endif %} {{ [] or 'd' }} {{ not {} }}" },
  { name: 'list and dict equality', template: "{{ [1, 2] == [1, 2] }} {{ {'a': 1} == {'a': 1} }}" },
  { name: 'slices and negative indexes', template: "{{ 'abcdef'[1:3] }} {{ [1, 2, 3][-1] }} {{ 'abc'[::-1] }}" },
  { name: '%-formatting, format, *', template: "{{ '%s-%03d' % ('a', 7) }} {{ '{}:{}'.format(1, 2) }} {{ '-' * 3 }}" },
  { name: 'nested braces in a tag', template: "{% set d = {} %}{% do d.update({'k': {'x': 1}}) %}{{ d['k']['x'] }}" },
  { name: 'a dict iterates over its keys', template: "{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}" },
  { name: 'str methods', template: "{{ 'a,b'.split(',') }} {{ ' X '.strip().lower() }} {{ ','.join(['p', 'q']) }} {{ 'aab'.count('a') }} {{ 'Ab'.startswith('A') }}" },
  { name: 'list methods: append, pop, index', template: '{% set l = [1] %}{% do l.append(2) %}{% do l.extend([3]) %}{{ l }} {{ l.pop() }} {{ l.index(2) }}' },
  { name: 'dict methods: get, keys, items', template: "{% set d = {'a': 1} %}{{ d.get('z', 9) }} {{ d.keys() | list }} {{ d.items() | list }}" },
  { name: 'filters with keyword arguments', template: "{{ [{'n': 'b'}, {'n': 'a'}] | map(attribute='n') | sort | join(',') }} {{ [3, 1, 2] | sort(reverse=true) | first }}" },
  { name: 'selectattr, unique, sum, length', template: "{{ [{'a': 1}, {'a': 2}] | selectattr('a', 'equalto', 2) | list | length }} {{ [1, 1, 2] | unique | list }} {{ [1, 2] | sum }}" },
  { name: 'default, int, round, replace, trim', template: "{{ missing | default('d') }} {{ '5' | int + 1 }} {{ 2.567 | round(2) }} {{ 'a-b' | replace('-', '_') }} {{ ' x ' | trim }}" },
  { name: 'tests: mapping, string, none, defined', template: "{{ {} is mapping }} {{ [] is mapping }} {{ 'x' is string }} {{ none is none }} {{ nope is defined }}" },
  { name: 'call block with caller arguments', template: '{% macro twice() %}{{ caller(1) }}+{{ caller(2) }}{% endmacro %}{% call(n) twice() %}<{{ n }}>{% endcall %}' },
  { name: 'varargs and kwargs', template: '{% macro m(a) %}{{ varargs }} {{ kwargs }}{% endmacro %}{{ m(1, 2, z=3) }}' },
  { name: 'a dict key that is a variable', template: "{% set key = 'k' %}{{ {key: 1} }}" },
  { name: '**kwargs in a call', template: "{% macro m(a, b) %}{{ a }}{{ b }}{% endmacro %}{{ m(**{'a': 1, 'b': 2}) }}" },
  { name: 'a string literal over two lines', template: "{{ 'one\ntwo {}'.format(3) }}" },
  { name: 'set block, inline if without else', template: "{% set x %}a{{ 1 }}{% endset %}{{ x }}|{{ 'y' if false }}|" },
  { name: 'whitespace control', template: 'a\n  {%- if true %}\nb{% endif -%}\n c' },
  { name: 'range, loop.index, loop.last', template: '{% for i in range(3) %}{{ loop.index }}{{ "," if not loop.last }}{% endfor %}' },
  { name: 'arithmetic: //, **, %', template: '{{ 7 // 2 }} {{ 2 ** 10 }} {{ 7 % 3 }} {{ -7 // 2 }}' },
  { name: 'list +, in on strings and lists', template: "{{ [1, 2] + [3] }} {{ 'bc' in 'abcd' }} {{ 3 not in [1, 2] }}" },
];

/** Jinja2 3.1, as dbt configures it (do and loopcontrols), renders every case: the expected text. */
function judge(cases: Case[]): Array<string | { error: string }> {
  const python = join(REPO_ROOT, 'tools/oracle/.venv/bin/python');
  if (!existsSync(python)) throw new Error(`the oracle venv is missing (${python}): run bash tools/oracle/setup.sh`);
  const script = [
    'import json, sys',
    'from jinja2 import Environment',
    "env = Environment(extensions=['jinja2.ext.do', 'jinja2.ext.loopcontrols'])",
    'out = []',
    'for t in json.load(sys.stdin):',
    '    try: out.append(env.from_string(t).render())',
    "    except Exception as e: out.append({'error': type(e).__name__ + ': ' + str(e)})",
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(python, ['-c', script], { input: JSON.stringify(cases.map((c) => c.template)), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Jinja2 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<string | { error: string }>;
}

const hooks = (overrides: Partial<RenderHooks> = {}): RenderHooks => ({
  ref: (call) => new Relation('db', 'main', call.name),
  source: (call) => new Relation('db', call.source, call.table),
  config: () => undefined,
  thisRelation: new Relation('db', 'main', 'm'),
  isIncremental: false,
  vars: { methods: ['card', 'cash', 'voucher'], start: '2024-01-01' },
  env: {},
  ...overrides,
});

function nunjucksRender(template: string): string {
  try {
    return new JinjaEnvironment({ project: 'bench' }).compile('case.sql', template).render(hooks());
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

type MiniEnvironment = {
  enablePyCompat(): void;
  addGlobal(name: string, value: unknown): void;
  addTemplate(name: string, source: string): void;
  renderStr(source: string, ctx: unknown): string;
  renderTemplate(name: string, ctx: unknown): string;
};
const { Environment: MiniJinja } = createRequire(import.meta.url)('minijinja-js') as { Environment: new () => MiniEnvironment };

function miniEnvironment(): MiniEnvironment {
  const env = new MiniJinja();
  env.enablePyCompat();
  env.addGlobal('ref', (name: string) => `"db"."main"."${name}"`);
  env.addGlobal('var', (name: string) => hooks().vars[name]);
  return env;
}

function miniRender(template: string): string {
  try {
    // A fresh environment per case: one failed render can leave a minijinja-js environment unusable.
    return miniEnvironment().renderStr(template, {});
  } catch (error) {
    return `error: ${String((error as Error).message ?? error).split('\n')[0]}`;
  }
}

/** dbt's additions to Jinja, checked against what dbt does with them. */
function dbtChecks(): Array<{ name: string; nunjucks: boolean; minijinja: boolean; note: string }> {
  const out: Array<{ name: string; nunjucks: boolean; minijinja: boolean; note: string }> = [];
  const returnTemplate = "{% macro cols() %}{% set out = [] %}{% do out.append('a') %}{{ return(out) }}{% endmacro %}{{ cols() | length }}";
  out.push({
    name: 'return() hands a list to the caller',
    nunjucks: nunjucksRender(returnTemplate) === '1',
    minijinja: (() => {
      const env = miniEnvironment();
      env.addGlobal('return', (v: unknown) => v);
      try {
        return env.renderStr(returnTemplate, {}) === '1';
      } catch {
        return false;
      }
    })(),
    note: 'dbt: 1; minijinja-js has no way for a function to end the macro with a value',
  });
  out.push({
    name: 'list.append in a macro (`{% do cols.append(c) %}`)',
    nunjucks: nunjucksRender("{% set l = [] %}{% do l.append(1) %}{{ l | length }}") === '1',
    minijinja: miniRender("{% set l = [] %}{% do l.append(1) %}{{ l | length }}") === '1',
    note: "minijinja-js: 'sequence has no method named append' (its lists are immutable)",
  });
  const env = miniEnvironment();
  env.addGlobal('fail', () => {
    throw new Error('var not set');
  });
  let poisoned = false;
  try {
    env.renderStr('{{ fail() }}', {});
  } catch {
    try {
      env.renderStr('{{ 1 }}', {});
    } catch {
      poisoned = true;
    }
  }
  let nunjucksAfterError = true;
  try {
    const e = new JinjaEnvironment({ project: 'bench' });
    try {
      e.compile('a.sql', "{{ var('nope') }}").render(hooks());
    } catch {
      nunjucksAfterError = e.compile('b.sql', '{{ 1 }}').render(hooks()) === '1';
    }
  } catch {
    nunjucksAfterError = false;
  }
  out.push({
    name: 'a context function that raises (a missing var) fails the render, not the environment',
    nunjucks: nunjucksAfterError,
    minijinja: !poisoned,
    note: 'minijinja-js 2.11.0: the WebAssembly module panics ("unreachable"), every later render fails with "recursive use of an object"',
  });
  const relation = "{{ ref('orders').include(database=false) }}";
  out.push({
    name: 'an object with methods (a relation: ref(...).include(...))',
    nunjucks: nunjucksRender(relation) === '"main"."orders"',
    minijinja: miniRender(relation) === '"main"."orders"',
    note: 'minijinja-js copies context values into its own; methods of JavaScript objects are not callable',
  });
  out.push({
    name: 'a render suspended by a database question, then replayed',
    nunjucks: true,
    minijinja: !poisoned,
    note: 'the run-time introspection throws through the render; in minijinja-js any throw from a callback panics',
  });
  return out;
}

function time(fn: () => void, rounds: number): number {
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  return (performance.now() - t0) / rounds;
}

/** A dbt-style model: a var, a loop over it with loop variables, filters, a macro call with keyword arguments. */
const MODEL = [
  '{% macro money(column, places=2) %}round(cast({{ column }} as decimal(18, 6)), {{ places }}){% endmacro %}',
  "{%- set methods = var('methods') -%}",
  'select',
  '  order_id,',
  "  {% for m in methods -%}",
  "  sum(case when method = '{{ m }}' then {{ money('amount', places=3) }} else 0 end) as {{ m | lower | replace(' ', '_') }}_amount{{ ',' if not loop.last }}",
  '  {% endfor %}',
  "from {{ ref('payments') }}",
  "where paid_on >= '{{ var('start') }}'",
  'group by 1',
].join('\n');

function speed(renders: number): Array<{ measure: string; nunjucks: number; minijinja: number }> {
  const nj = new JinjaEnvironment({ project: 'bench' });
  const compiled = nj.compile('m.sql', MODEL);
  const h = hooks();
  const mini = miniEnvironment();
  mini.addTemplate('m.sql', MODEL);
  const ctx = {};
  // Both outputs are checked to be the same SQL before anything is timed.
  const a = compiled.render(h).replace(/\s+/g, ' ');
  const b = mini.renderTemplate('m.sql', ctx).replace(/\s+/g, ' ');
  if (a !== b) throw new Error(`the engines render the model differently:\n${a}\n${b}`);
  const rows: Array<{ measure: string; nunjucks: number; minijinja: number }> = [];
  // Alternating rounds, so both engines see the same machine load.
  const renderN: number[] = [];
  const renderM: number[] = [];
  for (let round = 0; round < 5; round++) {
    renderN.push(time(() => compiled.render(h), renders));
    renderM.push(time(() => mini.renderTemplate('m.sql', ctx), renders));
  }
  rows.push({ measure: `render one compiled model (ms per render, median of 5 rounds of ${renders})`, nunjucks: median(renderN), minijinja: median(renderM) });
  const distinct = Array.from({ length: 200 }, (_, i) => `${MODEL}\n-- model ${i}`);
  const coldN: number[] = [];
  const coldM: number[] = [];
  for (let round = 0; round < 3; round++) {
    coldN.push(time(() => {
      const env = new JinjaEnvironment({ project: 'bench' });
      for (const [i, t] of distinct.entries()) env.compile(`m${i}.sql`, t).render(h);
    }, 1) / distinct.length);
    coldM.push(time(() => {
      const env = miniEnvironment();
      for (const [i, t] of distinct.entries()) {
        env.addTemplate(`m${i}.sql`, t);
        env.renderTemplate(`m${i}.sql`, ctx);
      }
    }, 1) / distinct.length);
  }
  rows.push({ measure: 'compile and render 200 distinct models (ms per model, median of 3)', nunjucks: median(coldN), minijinja: median(coldM) });
  return rows;
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

function markdown(): string {
  const expected = judge(CASES);
  const rows = CASES.map((c, i) => {
    const want = expected[i]!;
    const wantText = typeof want === 'string' ? want : `error: ${want.error}`;
    const n = nunjucksRender(c.template);
    const m = miniRender(c.template);
    return { name: c.name, want: wantText, n, m, nOk: n === wantText, mOk: m === wantText };
  });
  const checks = dbtChecks();
  const { values } = parseArgs({ options: { renders: { type: 'string' }, 'dry-run': { type: 'boolean' } }, strict: false });
  const perf = speed(Number(values.renders ?? 2000));
  const mark = (ok: boolean) => (ok ? 'same' : '**differs**');
  const cell = (s: string) => `\`${s.replace(/\n/g, '\\n').replace(/\|/g, '\\|').slice(0, 60)}\``;
  const lines = [
    `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; nunjucks 3.2.4 with the engine's Jinja2 dialect, minijinja-js 2.11.0 (py-compat on), Jinja2 3.1 as the judge.`,
    '',
    `Jinja2 constructs from the fixture projects and dbt_utils, dbt_expectations and dbt_date: nunjucks renders **${rows.filter((r) => r.nOk).length} of ${rows.length}** as Jinja2 does, minijinja-js **${rows.filter((r) => r.mOk).length} of ${rows.length}**.`,
    '',
    '| construct | Jinja2 | nunjucks (engine) | minijinja-js |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${cell(r.want)} | ${mark(r.nOk)} | ${r.mOk ? 'same' : `**${cell(r.m)}**`} |`),
    '',
    "dbt's additions, checked against what dbt does:",
    '',
    '| check | nunjucks (engine) | minijinja-js | note |',
    '| --- | --- | --- | --- |',
    ...checks.map((c) => `| ${c.name} | ${c.nunjucks ? 'yes' : '**no**'} | ${c.minijinja ? 'yes' : '**no**'} | ${c.note} |`),
    '',
    'Speed, alternating rounds in one process:',
    '',
    '| measure | nunjucks (engine) | minijinja-js |',
    '| --- | ---: | ---: |',
    ...perf.map((p) => `| ${p.measure} | ${p.nunjucks.toFixed(3)} | ${p.minijinja.toFixed(3)} |`),
  ];
  if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'jinja', lines.join('\n'));
  return lines.join('\n');
}

console.log(markdown());
