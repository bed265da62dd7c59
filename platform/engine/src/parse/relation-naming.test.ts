import { describe, expect, it } from 'vitest';
import type { PackageFiles } from '../load/load-project';
import { projectFromFiles } from '../test-support';
import type { ModelNode } from '../types';
import { parseProject } from './parse-project';

const PROJECT = 'name: shop\nconfig-version: 2\nmodels:\n  shop:\n    marts:\n      +schema: marts\n';

/** An installed package of one model (and, if given, one macro file), as load-packages reads it. */
function installed(name: string, macros: string | undefined): PackageFiles {
  const dir = `dbt_packages/${name}`;
  return {
    name, dir, project: { name }, projectFile: `${dir}/dbt_project.yml`, projectLineOf: () => undefined,
    models: [{ path: `${dir}/models/${name}_model.sql`, text: 'select 1 as id' }], pythonModels: [], properties: [], seeds: [],
    macros: macros === undefined ? [] : [{ path: `${dir}/macros/naming.sql`, text: macros }], tests: [],
    modelPaths: [`${dir}/models`], seedPaths: [`${dir}/seeds`], testPaths: [`${dir}/tests`],
  };
}

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
      installed('own_naming', '{% macro generate_schema_name(custom_schema_name, node) %}{{ return("from_the_package") }}{% endmacro %}'),
      installed('plain', undefined),
    );
    expect(schemas(files)).toEqual({
      'model.shop.stg_orders': 'project_shop',
      'model.own_naming.own_naming_model': 'from_the_package',
      'model.plain.plain_model': 'project_plain',
    });
  });
});
