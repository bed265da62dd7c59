import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mesh } from '@mesh/testing';
import { startTestServer, type TestServer } from './test-server';

/**
 * What the PostgreSQL adapter does not build (snapshots, dbt-duckdb's external files) is refused before
 * anything runs, with the node, its file and the way out; the rest of the project builds without it.
 */
describe('a project with a snapshot and an external model on a PostgreSQL target', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'mesh-pg-capabilities-'));
    const files: Record<string, string> = {
      'mesh_project.yml': `name: shop\ntarget: pg\ntargets:\n  pg: {type: postgres, host: ${server.socketDir}, port: ${server.port}, database: shop, user: ${server.user}}\n`,
      'seeds/orders.csv': 'id,updated_at\n1,2024-01-01\n',
      'models/order_count.sql': "select count(*) as n from {{ ref('orders') }}",
      'models/orders_file.sql': "{{ config(materialized='external', location='out/orders.parquet') }}select * from {{ ref('orders') }}",
      'snapshots/orders.sql': "{% snapshot orders_history %}\n{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  }, 60_000);
  afterAll(() => server?.stop());

  it('refuses the run and names what it cannot build', () => {
    const snapshot = mesh(dir, 'build', '--exclude', 'orders_file');
    expect(snapshot.code, snapshot.output).toBe(2);
    expect(snapshot.stderr).toContain("error[E_ADAPTER_UNSUPPORTED] snapshots/orders.sql: (snapshot.shop.orders_history) target 'pg' (postgres) cannot build snapshot orders_history");
    expect(snapshot.stderr).toContain('hint: Build snapshots on a duckdb target, or leave them out of this run (--exclude resource_type:snapshot).');
    const external = mesh(dir, 'run');
    expect(external.code, external.output).toBe(2);
    expect(external.stderr).toContain("(model.shop.orders_file) target 'pg' (postgres) cannot build external model orders_file");
  });

  it('builds the rest when they are left out', () => {
    const r = mesh(dir, 'build', '--exclude', 'resource_type:snapshot orders_file');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Done\. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2/);
  });
});
