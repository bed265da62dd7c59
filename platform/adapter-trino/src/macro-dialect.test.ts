import { describe, expect, it } from 'vitest';
import { JinjaEnvironment, Relation, type RenderHooks } from '@mesh/engine';
import { trinoDialect } from './macro-dialect';

const hooks: RenderHooks = {
  ref: (call) => new Relation('lake', 'main', call.name),
  source: (call) => new Relation('lake', call.source, call.table),
  config: () => undefined,
  thisRelation: new Relation('lake', 'main', 'me'),
  isIncremental: false,
  vars: {},
  env: {},
};

function render(source: string): string {
  return new JinjaEnvironment({ project: 'shop', dialect: trinoDialect }).compile('models/m.sql', source).render(hooks);
}

describe("Trino's spellings of dbt's macros", () => {
  it('dispatch finds trino__ before default__, with and without the dbt. prefix', () => {
    expect(render("{{ dateadd('day', 1, 'd') }}|{{ dbt.safe_cast('x', 'int') }}|{{ any_value('x') }}|{{ dbt.hash('x') }}")).toBe(
      "date_add('day', 1, d)|try_cast(x as int)|min(x)|lower(to_hex(md5(to_utf8(cast(x as varchar)))))",
    );
    expect(render("{{ type_string() }}|{{ type_float() }}|{{ type_int() }}|{{ api.Column.translate_type('string') }}")).toBe('varchar|double|integer|VARCHAR');
    expect(render("{{ listagg('n', \"','\", 'order by n', 2) }}")).toBe("array_join(slice(array_agg(n order by n), 1, 2), ',')");
    expect(render("{{ array_append('a', 'b') }}")).toBe('concat(a, array[ b ])');
  });

  it("datediff builds on itself as dbt-trino's does", () => {
    expect(render("{{ datediff('a', 'b', 'month') }}")).toBe('((year(CAST(b AS TIMESTAMP)) - year(CAST(a AS TIMESTAMP))) * 12) + month(CAST(b AS TIMESTAMP)) - month(CAST(a AS TIMESTAMP))');
  });
});
