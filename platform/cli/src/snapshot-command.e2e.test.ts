import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { copyFixture, mesh, queryDb } from '@mesh/testing';

const FIXTURE = fileURLToPath(new URL('./__fixtures__/dbt-snapshots', import.meta.url));

describe('mesh snapshot', () => {
  it('runs the selected snapshots alone, which mesh run leaves out, and lists them as snapshot nodes', async () => {
    const dir = copyFixture(FIXTURE, 'snapshot-command');
    expect(mesh(dir, 'seed').code).toBe(0);
    const run = mesh(dir, 'run');
    expect(run.code, run.output).toBe(1); // current_orders reads snapshots that do not exist yet
    expect(run.stdout).not.toContain('START snapshot');
    const one = mesh(dir, 'snapshot', '--select', 'orders_timestamp');
    expect(one.code, one.output).toBe(0);
    expect(one.stdout).toMatch(/1 of 1 OK snapshot history\.orders_timestamp \.+ \[SNAPSHOT \(4 rows\)/);
    const all = mesh(dir, 'snapshot');
    expect(all.code, all.output).toBe(0);
    expect(all.stdout).toMatch(/Done\. PASS=5 WARN=0 ERROR=0 SKIP=0 TOTAL=5/);
    // The second run of orders_timestamp over the same rows adds no version.
    expect(all.stdout).toMatch(/OK snapshot history\.orders_timestamp \.+ \[SNAPSHOT \(0 rows\)/);
    expect(await queryDb(join(dir, 'target', 'snapshots.duckdb'), 'select count(*) as n from history.orders_timestamp')).toEqual([{ n: 4 }]);
    const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, { resource_type: string; config: Record<string, unknown>; relation_name: string }> };
    const node = manifest.nodes['snapshot.snapshots.orders_timestamp']!;
    expect([node.resource_type, node.config.strategy, node.config.unique_key, node.relation_name]).toEqual(['snapshot', 'timestamp', 'id', '"snapshots"."history"."orders_timestamp"']);
    // fqns as dbt makes them: a block's has its file's name, a YAML snapshot's the folders of its file.
    const ls = mesh(dir, 'ls', '--resource-type', 'snapshot');
    expect(ls.stdout.trim().split('\n').sort()).toEqual([
      'snapshots.customers_history', 'snapshots.orders.orders_check', 'snapshots.orders.orders_timestamp', 'snapshots.orders_all.orders_check_all', 'snapshots.orders_by_schema',
    ]);
  });
});
