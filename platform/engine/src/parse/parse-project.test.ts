import { describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { packageFromFiles, projectFromFiles } from '../test-support';
import { parseProject } from './parse-project';
import type { ModelNode } from '../types';

const model = (nodes: ReturnType<typeof parseProject>['nodes'], id: string) => nodes.find((n) => n.unique_id === id) as ModelNode;

describe('parseProject', () => {
  it('maps layer folders to schemas and applies folder configs, YAML config and config() in that order', () => {
    const parsed = parseProject(projectFromFiles({
      'mesh_project.yml': 'name: shop\nmodels:\n  shop:\n    +tags: [all]\n    gold:\n      +materialized: table\n      +tags: [mart]\n      finance:\n        +schema: fin\n',
      'models/bronze/raw.sql': 'select 1 as id',
      'models/gold/orders.sql': "{{ config(tags=['inline']) }}select * from {{ ref('raw') }}",
      'models/gold/finance/pl.sql': "{{ config(materialized='view') }}select * from {{ ref('orders') }}",
      'models/gold/_props.yml': 'models:\n  - name: orders\n    config:\n      materialized: incremental\n      unique_key: id\n',
      'models/misc.sql': 'select 2 as x',
    }));
    const raw = model(parsed.nodes, 'model.shop.raw');
    const orders = model(parsed.nodes, 'model.shop.orders');
    const pl = model(parsed.nodes, 'model.shop.pl');
    expect([raw.schema, raw.config.materialized]).toEqual(['bronze', 'view']);
    expect([orders.schema, orders.config.materialized, orders.config.unique_key]).toEqual(['gold', 'incremental', 'id']);
    expect(orders.tags).toEqual(['all', 'mart', 'inline']);
    expect([pl.schema, pl.config.materialized]).toEqual(['fin', 'view']);
    expect(model(parsed.nodes, 'model.shop.misc').schema).toBe('main');
    expect(orders.refs).toEqual([{ name: 'raw' }]);
    expect(orders.fqn).toEqual(['shop', 'gold', 'orders']);
    expect(orders.database).toBe('shop');
  });

  it('reads model versions from <name>_v<n>.sql with columns include/exclude', () => {
    const parsed = parseProject(projectFromFiles({
      'mesh_project.yml': 'name: inv\n',
      'models/gold/products_v1.sql': 'select 1 as id, 2 as price, 3 as legacy',
      'models/gold/products_v2.sql': 'select 1 as id, 2 as price',
      'models/gold/p.yml': [
        'models:',
        '  - name: products',
        '    latest_version: 2',
        '    config: {access: public}',
        '    columns: [{name: id, data_type: int}, {name: price, data_type: int}, {name: legacy, data_type: int}]',
        '    versions:',
        '      - v: 1',
        "        deprecation_date: '2026-01-01'",
        '      - v: 2',
        '        columns: [{include: all, exclude: [legacy]}]',
      ].join('\n'),
    }));
    const v1 = model(parsed.nodes, 'model.inv.products.v1');
    const v2 = model(parsed.nodes, 'model.inv.products.v2');
    expect(v1.columns.map((c) => c.name)).toEqual(['id', 'price', 'legacy']);
    expect(v2.columns.map((c) => c.name)).toEqual(['id', 'price']);
    expect([v1.alias, v2.alias, v2.latest_version, v1.deprecation_date]).toEqual(['products_v1', 'products_v2', '2', '2026-01-01']);
    expect(v2.config.access).toBe('public');
  });

  it('without latest_version, the latest is the highest version as dbt orders them (10 above 9)', () => {
    const parsed = parseProject(projectFromFiles({
      'mesh_project.yml': 'name: inv\n',
      'models/gold/products_v9.sql': 'select 1 as id',
      'models/gold/products_v10.sql': 'select 1 as id',
      'models/gold/p.yml': 'models:\n  - name: products\n    versions:\n      - v: 9\n      - v: 10\n',
    }));
    expect(model(parsed.nodes, 'model.inv.products.v9').latest_version).toBe('10');
  });

  it('turns YAML tests into test nodes attached to their model', () => {
    const parsed = parseProject(projectFromFiles({
      'models/a.sql': 'select 1 as id, 2 as b',
      'models/a.yml': "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique, not_null]\n      - name: b\n        data_tests:\n          - accepted_values: {values: [1, 2], quote: false, config: {severity: warn}}\n          - relationships: {to: \"ref('a')\", field: id}\n",
    }));
    const tests = parsed.nodes.filter((n) => n.resource_type === 'test');
    expect(tests.map((t) => t.name.replace(/__\w+$/, ''))).toEqual(['unique_a_id', 'not_null_a_id', 'accepted_values_a_b', 'relationships_a_b']);
    const av = tests[2]!;
    expect(av.resource_type === 'test' && av.config.severity).toBe('warn');
    expect(av.resource_type === 'test' && av.attached_node).toBe('model.demo.a');
  });

  it('an unknown generic test suggests the closest one, with file and line', () => {
    const files = projectFromFiles({
      'models/a.sql': 'select 1 as id',
      'models/a.yml': 'models:\n  - name: a\n    columns:\n      - name: id\n        tests: [uniqe]\n',
    });
    expect(() => parseProject(files)).toThrowError(MeshError);
    try {
      parseProject(files);
    } catch (e) {
      const err = e as MeshError;
      expect(err.message).toBe("unknown generic test 'uniqe' on 'a.id'");
      expect(err.hint).toBe("Did you mean 'unique'?");
      expect(err.location).toEqual({ file: 'models/a.yml', line: 4 });
    }
  });

  it('properties for a model with no SQL file warn, as dbt does, and the rest builds', () => {
    const parsed = parseProject(projectFromFiles({ 'models/a.yml': 'models:\n  - name: b\n  - name: ghost\n', 'models/b.sql': 'select 1 as id' }));
    expect(parsed.nodes.map((n) => n.unique_id)).toEqual(['model.demo.b']);
    const [warning] = parsed.warnings;
    expect(warning!.code).toBe('W_PROPERTIES_ORPHAN');
    expect(warning!.message).toBe("models/a.yml describes model 'ghost', but there is no ghost.sql; the entry is ignored");
    expect(warning!.location).toEqual({ file: 'models/a.yml', line: 3 });
  });

  it('renders source external_location with vars', () => {
    const parsed = parseProject(projectFromFiles({
      'mesh_project.yml': 'name: s\nvars:\n  raw_dir: /data/raw\n',
      'models/bronze/x.sql': "select * from {{ source('raw', 'catalog') }}",
      'models/bronze/src.yml': "sources:\n  - name: raw\n    meta:\n      external_location: \"{{ var('raw_dir') }}/source_{name}.csv\"\n    tables:\n      - name: catalog\n",
    }));
    const src = parsed.nodes.find((n) => n.resource_type === 'source');
    expect(src && src.resource_type === 'source' && src.external_location).toBe('/data/raw/source_catalog.csv');
  });

  it("a package's nodes are placed in its own folders: fqn, tests' fqn, restrict-access", () => {
    const files = projectFromFiles({ 'dbt_project.yml': 'name: shop\n', 'models/o.sql': 'select 1 as id' });
    files.packages.push(packageFromFiles('acme', {
      'dbt_project.yml': 'name: acme\nrestrict-access: true\n',
      'models/staging/calendar.sql': 'select 1 as day',
      'models/staging/calendar.yml': 'models:\n  - name: calendar\n    columns:\n      - name: day\n        data_tests: [not_null]\n',
    }));
    const parsed = parseProject(files);
    expect(model(parsed.nodes, 'model.acme.calendar').fqn).toEqual(['acme', 'staging', 'calendar']);
    expect(parsed.nodes.find((n) => n.resource_type === 'test')?.fqn).toEqual(['acme', 'staging', 'not_null_calendar_day']);
    expect([...parsed.restrictAccess]).toEqual(['acme']);
  });
});
