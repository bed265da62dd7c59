import { describe, expect, it } from 'vitest';
import { buildDag } from '../graph/dag';
import { resolveRefs } from '../graph/resolve-refs';
import { parseProject } from '../parse/parse-project';
import { projectFromFiles } from '../test-support';
import { orderUnitTests } from './unit-test-order';

const dag = buildDag(resolveRefs(parseProject(projectFromFiles({
  'seeds/raw.csv': 'id\n1\n',
  'models/stg.sql': "select * from {{ ref('raw') }}",
  'models/mart.sql': "select * from {{ ref('stg') }}",
  'models/u.yml': ['unit_tests:', ...['b', 'a'].map((n) => `  - {name: ${n}, model: mart, given: [{input: ref('stg'), rows: []}], expect: {rows: []}}`)].join('\n'),
}))).nodes);

describe('unit tests in the order of a run', () => {
  const ids = ['seed.demo.raw', 'model.demo.stg', 'model.demo.mart', 'unit_test.demo.mart.a', 'unit_test.demo.mart.b'];
  const base = () => new Map<string, string[]>([['seed.demo.raw', []], ['model.demo.stg', ['seed.demo.raw']], ['model.demo.mart', ['model.demo.stg']]]);

  it('in a build: after the model\'s inputs, one after the other, before the model', () => {
    const waits = base();
    orderUnitTests(dag, ids, waits, 'build');
    expect(waits.get('unit_test.demo.mart.a')).toEqual(['model.demo.stg']);
    expect(waits.get('unit_test.demo.mart.b')).toEqual(['model.demo.stg', 'unit_test.demo.mart.a']);
    expect(waits.get('model.demo.mart')).toEqual(['model.demo.stg', 'unit_test.demo.mart.a', 'unit_test.demo.mart.b']);
  });

  it('in mesh test: on their own', () => {
    const waits = new Map<string, string[]>();
    orderUnitTests(dag, ['unit_test.demo.mart.a', 'unit_test.demo.mart.b'], waits, 'test');
    expect([...waits]).toEqual([['unit_test.demo.mart.a', []], ['unit_test.demo.mart.b', []]]);
  });
});
