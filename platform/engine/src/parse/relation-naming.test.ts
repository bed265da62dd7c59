import { describe, expect, it } from 'vitest';
import { packageFromFiles, projectFromFiles } from '../test-support';
import type { ModelNode } from '../types';
import { parseProject } from './parse-project';

const PROJECT = 'name: shop\nconfig-version: 2\nmodels:\n  shop:\n    marts:\n      +schema: marts\n';

function schemas(files: ReturnType<typeof projectFromFiles>): Record<string, string> {
  const parsed = parseProject(files);
  return Object.fromEntries(parsed.nodes.filter((n) => n.resource_type === 'model' || n.resource_type === 'seed').map((n) => [n.unique_id, (n as ModelNode).schema]));
}

describe('relation names through the project\'s own naming macros', () => {
  it('a generate_schema_name runs in the Jinja runtime: return(), the node, and dbt\'s default macro', () => {
    const files = projectFromFiles({
      'dbt_project.yml': PROJECT,
      'models/marts/orders.sql': 'select 1 as id',
      'models/stg_orders.sql': 'select 1 as id',
      'seeds/raw_orders.csv': 'id\n1\n',
      'macros/generate_schema_name.sql': [
        '{% macro generate_schema_name(custom_schema_name, node) -%}',
        '  {%- if node.resource_type == "seed" -%}{{ return("raw") }}',
        '  {%- elif custom_schema_name is none -%}{{ return(target.schema) }}',
        '  {%- else -%}{{ default__generate_schema_name(custom_schema_name, node) | trim }}_{{ node.fqn[1] }}',
        '  {%- endif -%}',
        '{%- endmacro %}',
      ].join('\n'),
    });
    expect(schemas(files)).toEqual({ 'model.shop.orders': 'main_marts_marts', 'model.shop.stg_orders': 'main', 'seed.shop.raw_orders': 'raw' });
  });

  it('an installed package\'s own override names its nodes; the project\'s names the others, as dbt does', () => {
    const files = projectFromFiles({
      'dbt_project.yml': PROJECT,
      'models/stg_orders.sql': 'select 1 as id',
      'macros/naming.sql': '{% macro generate_schema_name(custom_schema_name, node) %}project_{{ node.package_name }}{% endmacro %}',
    });
    files.packages.push(
      packageFromFiles('own_naming', {
        'models/own_naming_model.sql': 'select 1 as id',
        'macros/naming.sql': '{% macro generate_schema_name(custom_schema_name, node) %}{{ return("from_the_package") }}{% endmacro %}',
      }),
      packageFromFiles('plain', { 'models/plain_model.sql': 'select 1 as id' }),
    );
    expect(schemas(files)).toEqual({
      'model.shop.stg_orders': 'project_shop',
      'model.own_naming.own_naming_model': 'from_the_package',
      'model.plain.plain_model': 'project_plain',
    });
  });
});
