import { describe, expect, it } from 'vitest';
import { thrownMeshError } from '@mesh/errors';
import { projectFromFiles } from '../test-support';
import { parseProject } from './parse-project';
import type { ModelNode } from '../types';

const snapshot = (files: Record<string, string>, id: string) =>
  parseProject(projectFromFiles(files)).nodes.find((n) => n.unique_id === id) as ModelNode;

const refusal = (files: Record<string, string>) => thrownMeshError(() => parseProject(projectFromFiles(files)));

const BLOCKS = [
  '-- text outside the blocks is not part of any snapshot',
  '{% snapshot orders_ts %}',
  "{{ config(target_schema='history', unique_key='id', strategy='timestamp', updated_at='updated_at', invalidate_hard_deletes=True) }}",
  "select * from {{ ref('orders') }}",
  '{% endsnapshot %}',
  '',
  '{%- snapshot orders_check -%}',
  "{{ config(unique_key=['id', 'region'], strategy='check', check_cols='all', hard_deletes='new_record') }}",
  "select * from {{ source('raw', 'orders') }}",
  '{%- endsnapshot -%}',
].join('\n');

describe('snapshots', () => {
  it('parses every block of a snapshot file into a refable snapshot node with its strategy', () => {
    const files = {
      'mesh_project.yml': 'name: shop\nsnapshots:\n  shop:\n    +tags: [history]\n',
      'models/orders.sql': 'select 1 as id',
      'models/sources.yml': 'sources:\n  - name: raw\n    tables: [{name: orders}]\n',
      'snapshots/orders.sql': BLOCKS,
    };
    const ts = snapshot(files, 'snapshot.shop.orders_ts');
    expect(ts.resource_type).toBe('snapshot');
    expect([ts.schema, ts.alias, ts.config.materialized, ts.tags]).toEqual(['history', 'orders_ts', 'snapshot', ['history']]);
    expect(ts.fqn).toEqual(['shop', 'orders', 'orders_ts']);
    expect(ts.refs).toEqual([{ name: 'orders' }]);
    expect(ts.snapshot).toMatchObject({ strategy: 'timestamp', uniqueKey: ['id'], updatedAt: 'updated_at', hardDeletes: 'invalidate' });
    const check = snapshot(files, 'snapshot.shop.orders_check');
    expect(check.schema).toBe('main');
    expect(check.sources).toEqual([{ source: 'raw', table: 'orders' }]);
    expect(check.snapshot).toMatchObject({ strategy: 'check', uniqueKey: ['id', 'region'], checkCols: 'all', hardDeletes: 'new_record' });
    expect(check.snapshot!.columnNames.dbt_valid_to).toBe('dbt_valid_to');
  });

  it('defines a snapshot in YAML with relation:, with meta column names and dbt_valid_to_current', () => {
    const node = snapshot({
      'models/orders.sql': 'select 1 as id',
      'snapshots/_snapshots.yml': [
        'snapshots:',
        '  - name: orders_yaml',
        "    relation: ref('orders')",
        '    description: every version of every order',
        '    config:',
        '      schema: history',
        '      unique_key: id',
        '      strategy: check',
        '      check_cols: [status]',
        "      dbt_valid_to_current: \"'9999-12-31'::timestamp\"",
        '      snapshot_meta_column_names: {dbt_valid_from: valid_from, dbt_scd_id: scd}',
      ].join('\n'),
    }, 'snapshot.demo.orders_yaml');
    expect(node.original_file_path).toBe('snapshots/_snapshots.yml');
    expect(node.raw_code).toBe("select * from {{ ref('orders') }}");
    expect(node.refs).toEqual([{ name: 'orders' }]);
    expect([node.schema, node.description]).toEqual(['history', 'every version of every order']);
    expect(node.snapshot).toMatchObject({
      strategy: 'check',
      checkCols: ['status'],
      validToCurrent: "'9999-12-31'::timestamp",
      columnNames: { dbt_valid_from: 'valid_from', dbt_scd_id: 'scd', dbt_valid_to: 'dbt_valid_to', dbt_updated_at: 'dbt_updated_at', dbt_is_deleted: 'dbt_is_deleted' },
    });
  });

  it('is refused without a strategy, naming the block line', () => {
    const e = refusal({
      'models/orders.sql': 'select 1 as id',
      'snapshots/s.sql': "\n\n{% snapshot s %}\n{{ config(unique_key='id') }}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}\n",
    });
    expect([e.code, e.location?.file, e.location?.line]).toEqual(['E_SNAPSHOT_CONFIG', 'snapshots/s.sql', 3]);
    expect(e.message).toBe("snapshot s: strategy is not set: a snapshot needs a 'strategy' and a 'unique_key'");
  });

  it('names the line of the bad key in the config() call', () => {
    const e = refusal({
      'models/orders.sql': 'select 1 as id',
      'snapshots/s.sql': "{% snapshot s %}\n{{ config(\n    unique_key='id',\n    strategy='check',\n    check_cols='status'\n) }}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}\n",
    });
    expect([e.code, e.location?.line]).toEqual(['E_SNAPSHOT_CONFIG', 5]);
    expect(e.message).toBe("snapshot s: invalid value for 'check_cols': status");
  });

  it('names the file, line and key of a bad YAML config', () => {
    const e = refusal({
      'models/orders.sql': 'select 1 as id',
      'snapshots/s.yml': "snapshots:\n  - name: s\n    relation: ref('orders')\n    config:\n      unique_key: id\n      strategy: timestamp\n      invalidate_hard_deletes: true\n      hard_deletes: ignore\n      updated_at: updated_at\n",
    });
    expect([e.code, e.location?.file, e.location?.line]).toEqual(['E_SNAPSHOT_CONFIG', 'snapshots/s.yml', 8]);
    expect(e.message).toContain('both invalidate_hard_deletes and hard_deletes are set');
  });

  it('refuses a timestamp snapshot without updated_at and a YAML key dbt does not know', () => {
    const missing = refusal({
      'models/orders.sql': 'select 1 as id',
      'snapshots/s.yml': "snapshots:\n  - name: s\n    relation: ref('orders')\n    config: {unique_key: id, strategy: timestamp}\n",
    });
    expect([missing.location?.line, missing.message]).toEqual([2, 'snapshot s: the timestamp strategy needs updated_at']);
    const unknown = refusal({ 'snapshots/s.yml': "snapshots:\n  - name: s\n    relaton: ref('orders')\n" });
    expect([unknown.code, unknown.location?.line]).toEqual(['E_YAML_SCHEMA', 3]);
    expect(unknown.message).toContain("unknown key 'relaton'");
    const hard = refusal({ 'snapshots/s.yml': "snapshots:\n  - name: s\n    relation: ref('orders')\n    config:\n      hard_deletes: delete\n" });
    expect([hard.code, hard.location?.line]).toEqual(['E_YAML_SCHEMA', 5]);
  });

  it('refuses an unclosed block, a nameless one, and YAML properties of a snapshot nobody defines', () => {
    expect(refusal({ 'snapshots/s.sql': 'select 1\n{% snapshot s %}\nselect 1\n' }).message).toBe('{% snapshot s %} has no {% endsnapshot %}');
    expect(refusal({ 'snapshots/s.sql': '{% snapshot %}select 1{% endsnapshot %}' }).location).toEqual({ file: 'snapshots/s.sql', line: 1 });
    const orphan = refusal({ 'snapshots/s.yml': 'snapshots:\n  - name: ghost\n    description: x\n' });
    expect([orphan.code, orphan.location?.line]).toEqual(['E_PROPERTIES_ORPHAN', 2]);
  });
});
