import { describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { JinjaEnvironment, type RenderHooks } from './environment';
import { Relation } from '../parse/relation';
import type { RefCall } from '../types';

function hooks(overrides: Partial<RenderHooks> = {}): RenderHooks & { refs: RefCall[]; configs: Record<string, unknown>[] } {
  const refs: RefCall[] = [];
  const configs: Record<string, unknown>[] = [];
  return {
    refs,
    configs,
    ref: (call) => {
      refs.push(call);
      return new Relation('db', call.project ?? 'main', call.name);
    },
    source: (call) => new Relation('db', call.source, call.table),
    config: (values) => configs.push(values),
    thisRelation: new Relation('db', 'gold', 'me'),
    isIncremental: false,
    vars: { region: 'eu' },
    env: { HOME_DIR: '/home/x' },
    ...overrides,
  };
}

describe('JinjaEnvironment', () => {
  const templates = [
    "select * from {{ ref('orders') }}",
    "{{ config(materialized='table', tags=['a', 'b']) }}select 1 from {{ ref('sales', 'orders', v=2) }} join {{ source('raw', 'x') }}",
    "select '{{ var('region') }}' as r, '{{ var('missing', 'dflt') }}' as d, '{{ env_var('HOME_DIR') }}' as h from {{ this }}",
  ];

  it.each(templates)('renders literal-call templates exactly as nunjucks does: %s', (source) => {
    const env = new JinjaEnvironment();
    const fast = env.compile('m.sql', source);
    // A block tag forces the nunjucks path; it renders to nothing, so both outputs must be equal.
    const slow = env.compile('m.sql', `{% if false %}{% endif %}${source}`);
    const a = hooks();
    const b = hooks();
    expect(fast.render(a)).toBe(slow.render(b));
    expect(a.refs).toEqual(b.refs);
    expect(a.configs).toEqual(b.configs);
  });

  it('passes keyword arguments: ref(..., v=2) and config(...)', () => {
    const env = new JinjaEnvironment();
    const h = hooks();
    env.compile('m.sql', templates[1]!).render(h);
    expect(h.refs).toEqual([{ project: 'sales', name: 'orders', version: '2' }]);
    expect(h.configs).toEqual([{ materialized: 'table', tags: ['a', 'b'] }]);
  });

  it('supports set, for with loop variables, if, is_incremental and whitespace control', () => {
    const env = new JinjaEnvironment();
    const source = [
      "{%- set cols = ['a', 'b', 'c'] -%}",
      'select {% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %} from {{ this }}',
      '{%- if is_incremental() %} where a > 1{% endif %}',
    ].join('\n');
    const t = env.compile('m.sql', source);
    expect(t.render(hooks())).toBe('select a, b, c from "db"."gold"."me"');
    expect(t.render(hooks({ isIncremental: true }))).toBe('select a, b, c from "db"."gold"."me" where a > 1');
  });

  it('makes project macros global, and ref works inside them', () => {
    const env = new JinjaEnvironment();
    env.addMacros('macros/m.sql', "{% macro cents(col, scale=2) %}round({{ col }} / 100.0, {{ scale }}){% endmacro %}{% macro latest(m) %}select max(ts) from {{ ref(m) }}{% endmacro %}");
    const h = hooks();
    const out = env.compile('m.sql', "select {{ cents('x') }}, ({{ latest('events') }})").render(h);
    expect(out).toBe('select round(x / 100.0, 2), (select max(ts) from "db"."main"."events")');
    expect(h.refs).toEqual([{ name: 'events' }]);
  });

  it('a missing var names the file, the line and how to set it', () => {
    const env = new JinjaEnvironment();
    const t = env.compile('models/a.sql', "select 1\n{% if true %}\nwhere x = '{{ var('start') }}'{% endif %}");
    let error: unknown;
    try {
      t.render(hooks());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MeshError);
    const e = error as MeshError;
    expect(e.code).toBe('E_VAR_MISSING');
    expect(e.message).toBe("required var 'start' is not set");
    expect(e.location).toMatchObject({ file: 'models/a.sql', line: 3 });
  });

  it('a Jinja syntax error is located', () => {
    const env = new JinjaEnvironment();
    expect(() => env.compile('models/b.sql', 'select 1\n{% for x in y %}\nselect')).toThrowError(MeshError);
    try {
      env.compile('models/b.sql', 'select 1\n{% if x %}\n');
    } catch (e) {
      expect((e as MeshError).code).toBe('E_JINJA_SYNTAX');
      expect((e as MeshError).location?.file).toBe('models/b.sql');
    }
  });

  it('wrong ref arguments get a usage message', () => {
    const env = new JinjaEnvironment();
    expect(() => env.compile('m.sql', '{{ ref() }}').render(hooks())).toThrowError(/ref\(\): expects a model name/);
  });
});
