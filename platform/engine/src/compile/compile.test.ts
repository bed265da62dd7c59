import { describe, expect, it } from 'vitest';
import { projectFromFiles } from '../test-support';
import { parseProject } from '../parse/parse-project';
import { resolveRefs } from '../graph/resolve-refs';
import { buildDag } from '../graph/dag';
import { Compiler } from './compile';

function compileAll(files: Record<string, string>) {
  const parsed = parseProject(projectFromFiles(files));
  const resolution = resolveRefs(parsed);
  const dag = buildDag(resolution.nodes);
  const compiler = new Compiler(parsed, dag, resolution);
  const compile = (id: string) => compiler.compileNode(dag.nodes.get(id)!);
  return Object.assign(compile, { ids: [...dag.nodes.keys()] });
}

describe('Compiler', () => {
  it('replaces refs with quoted relations and this with the model itself', () => {
    const c = compileAll({
      'models/silver/a.sql': 'select 1 as id',
      'models/gold/b.sql': "select * from {{ ref('a') }} where id not in (select id from {{ this }});",
    });
    expect(c('model.demo.b').sql).toBe('select * from "demo"."silver"."a" where id not in (select id from "demo"."gold"."b")');
    expect(c('model.demo.b').relation).toBe('"demo"."gold"."b"');
  });

  it('inlines nested ephemeral models as CTEs, parents first', () => {
    const c = compileAll({
      'models/e1.sql': "{{ config(materialized='ephemeral') }}select 1 as id",
      'models/e2.sql': "{{ config(materialized='ephemeral') }}select id + 1 as id from {{ ref('e1') }}",
      'models/m.sql': "with x as (select * from {{ ref('e2') }}) select * from x",
    });
    expect(c('model.demo.m').sql).toBe([
      'with "__mesh_ephemeral__e1" as (',
      'select 1 as id',
      '),',
      '"__mesh_ephemeral__e2" as (',
      'select id + 1 as id from "__mesh_ephemeral__e1"',
      ')',
      'select * from (',
      'with x as (select * from "__mesh_ephemeral__e2") select * from x',
      ') as __mesh_body',
    ].join('\n'));
  });

  it('compiles generic tests to queries that return the failing rows', () => {
    const c = compileAll({
      'models/p.sql': 'select 1 as id',
      'models/o.sql': 'select 1 as id, 1 as product_id, \'x\' as status',
      'models/o.yml': [
        'models:',
        '  - name: o',
        '    columns:',
        '      - name: status',
        "        tests: [{accepted_values: {values: [\"a'b\", c], config: {where: 'id > 0'}}}]",
        '      - name: product_id',
        "        tests: [not_null, {relationships: {to: \"ref('p')\", field: id}}]",
      ].join('\n'),
    });
    const ids = c.ids;
    const av = c(ids.find((i) => i.startsWith('test.demo.accepted_values_o_status'))!);
    expect(av.sql).toBe(
      `select "status" as value_field, count(*) as n_records from (select * from "demo"."main"."o" where id > 0) as __mesh_test_input where "status" is not null and "status" not in ('a''b', 'c') group by "status"`,
    );
    const rel = c(ids.find((i) => i.startsWith('test.demo.relationships_o_product_id'))!);
    expect(rel.sql).toBe(
      'select child."product_id" as from_field from "demo"."main"."o" as child left join "demo"."main"."p" as parent on child."product_id" = parent."id" where child."product_id" is not null and parent."id" is null',
    );
    expect(c(ids.find((i) => i.startsWith('test.demo.not_null_o_product_id.'))!).sql).toBe('select * from "demo"."main"."o" where "product_id" is null');
  });
});
