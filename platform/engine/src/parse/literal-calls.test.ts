import { describe, expect, it } from 'vitest';
import { parseLiteralTemplate } from './literal-calls';

const FNS = new Set(['ref', 'source', 'config', 'var']);
const NAMES = new Set(['this']);

describe('parseLiteralTemplate', () => {
  it('splits text and literal calls', () => {
    expect(parseLiteralTemplate("select * from {{ ref('a') }} where x = {{ var(\"n\", 3) }}", FNS, NAMES)).toEqual([
      'select * from ',
      { fn: 'ref', args: ['a'], kwargs: {} },
      ' where x = ',
      { fn: 'var', args: ['n', 3], kwargs: {} },
    ]);
  });

  it('reads keyword arguments, lists, booleans and none', () => {
    expect(parseLiteralTemplate("{{ config(tags=['x', 'y'], enabled=true, alias=none) }}", FNS, NAMES)).toEqual([
      { fn: 'config', args: [], kwargs: { tags: ['x', 'y'], enabled: true, alias: null } },
    ]);
  });

  it.each([
    '{% if x %}a{% endif %}',
    "{{ ref('a') | upper }}",
    "{{ ref('a').identifier }}",
    '{{ my_macro() }}',
    "{{- ref('a') }}",
    '{{ ref(name) }}',
    "{# note #}{{ ref('a') }}",
    "{{ ref('a', v=x) }}",
  ])('leaves anything else to nunjucks: %s', (source) => {
    expect(parseLiteralTemplate(source, FNS, NAMES)).toBeUndefined();
  });

  it('keeps bare names it knows', () => {
    expect(parseLiteralTemplate('delete from {{ this }}', FNS, NAMES)).toEqual(['delete from ', { name: 'this' }]);
  });
});
