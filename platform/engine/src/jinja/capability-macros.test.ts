import { describe, expect, it } from 'vitest';
import { JinjaEnvironment, type RenderHooks } from './environment';
import { Introspection, renderWithIntrospection, type IntrospectionRequest } from './introspection';
import { columnsInRelationMacro, relationsInSchemaMacro } from './capability-macros';
import { Relation } from '../parse/relation';

const dialect = {
  adapterType: 'warehouse',
  packageName: 'dbt_warehouse',
  translateType: (t: string) => t,
  macros: {
    warehouse__get_columns_in_relation: columnsInRelationMacro(),
    warehouse__list_relations_without_caching: relationsInSchemaMacro('varchar', 'relation'),
  },
};

function hooks(introspection?: Introspection): RenderHooks {
  return {
    ref: (call) => new Relation('lake', 'main', call.name),
    source: (call) => new Relation('lake', call.source, call.table),
    config: () => undefined,
    thisRelation: new Relation('lake', 'main', 'me'),
    isIncremental: false,
    vars: {},
    env: {},
    ...(introspection ? { execute: true, introspection } : {}),
  };
}

describe("the introspection macros adapters share: they ask the session's capabilities", () => {
  const source = [
    "{% for c in adapter.get_columns_in_relation(ref('orders')) %}{{ c.name }} {{ c.data_type }}; {% endfor %}",
    "{% set t = list_relations_without_caching(schema_relation=api.Relation.create(database='lake', schema='raw')) %}",
    "{{ t.column_names | join(',') }}: {% for r in t.rows %}{{ r['schema'] }}.{{ r['name'] }} {{ r['type'] }}; {% endfor %}",
  ].join('');

  it('answer with what the database says, asking each question once', async () => {
    const env = new JinjaEnvironment({ project: 'shop', dialect });
    const template = env.compile('models/m.sql', source);
    const asked: IntrospectionRequest[] = [];
    const { value } = await renderWithIntrospection((i) => template.render(hooks(i)), async (r) => {
      asked.push(r);
      if (r.kind === 'columns') return [{ name: 'id', type: 'INTEGER' }, { name: 'status', type: 'VARCHAR' }];
      if (r.kind === 'relations') return [{ database: 'lake', schema: 'raw', identifier: 'events', kind: 'table' as const }];
      return null;
    });
    expect(value).toBe('id INTEGER; status VARCHAR; database,name,schema,type: raw.events table; ');
    expect(asked).toEqual([
      { kind: 'columns', relation: { database: 'lake', schema: 'main', identifier: 'orders' } },
      { kind: 'relations', database: 'lake', schemaPattern: 'raw', identifierPattern: '%', exclude: '' },
    ]);
  });

  it('ask nothing while parsing', () => {
    const env = new JinjaEnvironment({ project: 'shop', dialect });
    expect(env.compile('models/m.sql', source).render(hooks())).toBe('database,name,schema,type: ');
  });
});
