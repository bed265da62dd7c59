import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExternalSpec, SnapshotSpec } from '@mesh/engine';
import { DuckDBAdapter } from './duckdb-adapter';

const relation = (identifier: string) => ({ database: 'memory', schema: 'main', identifier });
const NAMES = { dbt_valid_from: 'dbt_valid_from', dbt_valid_to: 'dbt_valid_to', dbt_scd_id: 'dbt_scd_id', dbt_updated_at: 'dbt_updated_at', dbt_is_deleted: 'dbt_is_deleted' };

async function withSession<T>(fn: (run: (sql: string) => Promise<Array<Record<string, unknown>>>, session: Awaited<ReturnType<DuckDBAdapter['session']>>) => Promise<T>): Promise<T> {
  const adapter = await DuckDBAdapter.open({ path: ':memory:' });
  const session = await adapter.session();
  try {
    return await fn((sql) => session.query(sql), session);
  } finally {
    session.close();
    await adapter.close();
  }
}

describe('snapshots on DuckDB', () => {
  const spec: SnapshotSpec = { strategy: 'timestamp', uniqueKey: ['id'], updatedAt: 'updated_at', hardDeletes: 'invalidate', columnNames: NAMES };

  it('closes changed and vanished rows, adds new versions, and hashes scd ids as dbt does', async () => {
    await withSession(async (run, session) => {
      await run("create table src as select * from (values (1, 'a', timestamp '2024-01-01'), (2, 'b', timestamp '2024-01-01')) v(id, name, updated_at)");
      const plan = { kind: 'snapshot' as const, relation: relation('snap'), sql: 'select * from src', snapshot: spec };
      expect(await session.materialize(plan, undefined)).toEqual({ rows: 2 });
      await run("delete from src where id = 2; update src set name = 'a2', updated_at = timestamp '2024-01-02' where id = 1; insert into src values (3, 'c', timestamp '2024-01-02')");
      expect(await session.materialize(plan, 'table')).toEqual({ rows: 2 });
      const rows = await run('select id, name, cast(dbt_valid_from as varchar) as valid_from, cast(dbt_valid_to as varchar) as valid_to, dbt_valid_to > timestamp \'2025-01-01\' as stamped, dbt_scd_id from snap order by id, dbt_valid_from');
      expect(rows.map((r) => [r.id, r.name, r.valid_from, r.valid_to === null ? null : r.stamped ? 'run time' : r.valid_to])).toEqual([
        [1, 'a', '2024-01-01 00:00:00', '2024-01-02 00:00:00'],
        [1, 'a2', '2024-01-02 00:00:00', null],
        [2, 'b', '2024-01-01 00:00:00', 'run time'],
        [3, 'c', '2024-01-02 00:00:00', null],
      ]);
      const [hash] = await run("select md5('1|2024-01-01 00:00:00') as h");
      expect(rows[0]!.dbt_scd_id).toBe(hash!.h);
    });
  });

  it('refuses a view or a table without snapshot columns where the history should be', async () => {
    await withSession(async (run, session) => {
      await run('create view snap as select 1 as id');
      const plan = { kind: 'snapshot' as const, relation: relation('snap'), sql: 'select 1 as id, now() as updated_at', snapshot: spec };
      await expect(session.materialize(plan, 'view')).rejects.toMatchObject({ code: 'E_SNAPSHOT_TARGET' });
      await run('drop view snap; create table snap as select 1 as id, 2 as dbt_valid_from');
      await expect(session.materialize(plan, 'table')).rejects.toMatchObject({ code: 'E_SNAPSHOT_TARGET', message: '"memory"."main"."snap" is not a snapshot table: it has no columns dbt_scd_id, dbt_valid_to' });
    });
  });
});

describe('external models on DuckDB', () => {
  it('writes the files and a view over them; a failed rebuild leaves both as they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-external-'));
    const external: ExternalSpec = { location: join(dir, 'out', 'orders.csv'), format: 'csv', partitionBy: [], delimiter: ';', options: {} };
    await withSession(async (run, session) => {
      const plan = { kind: 'external' as const, relation: relation('orders'), sql: "select * from (values (1, 'a'), (2, 'b')) v(id, name)", external };
      expect(await session.materialize(plan, undefined)).toEqual({ rows: 2, files: [external.location] });
      expect(readFileSync(external.location, 'utf8')).toBe('id;name\n1;a\n2;b\n');
      await expect(session.materialize({ ...plan, sql: "select 1 as id, error('broken') as name" }, 'view')).rejects.toThrow(/broken/);
      await expect(session.materialize({ ...plan, external: { ...external, partitionBy: ['nope'] } }, 'view')).rejects.toThrow();
      expect(readFileSync(external.location, 'utf8')).toBe('id;name\n1;a\n2;b\n');
      expect(await run('select count(*) as n from orders')).toEqual([{ n: 2 }]);
      expect(existsSync(`${external.location}.mesh-${process.pid}.tmp`)).toBe(false);
    });
  });

  it('reads a compressed CSV back with the compression it was written with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-external-'));
    const external: ExternalSpec = { location: join(dir, 'orders.csv'), format: 'csv', partitionBy: [], options: { compression: 'gzip' } };
    await withSession(async (run, session) => {
      await session.materialize({ kind: 'external', relation: relation('zipped'), sql: 'select 1 as id', external }, undefined);
      expect(readFileSync(external.location).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(await run('select id from zipped')).toEqual([{ id: 1 }]);
    });
  });

  it('writes no rows as one row of nulls the view leaves out, and partitions by folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-external-'));
    await withSession(async (run, session) => {
      const empty: ExternalSpec = { location: join(dir, 'empty.parquet'), format: 'parquet', partitionBy: [], options: {} };
      await session.materialize({ kind: 'external', relation: relation('empty'), sql: 'select 1 as id, 2 as b where false', external: empty }, undefined);
      expect(await run('select count(*) as n from empty')).toEqual([{ n: 0 }]);
      expect(await run(`select count(*) as n from read_parquet('${empty.location}')`)).toEqual([{ n: 1 }]);
      const parts: ExternalSpec = { location: join(dir, 'parts'), format: 'parquet', partitionBy: ['region'], options: {} };
      const result = await session.materialize({ kind: 'external', relation: relation('parts'), sql: "select * from (values (1, 'eu'), (2, 'us'), (3, 'eu')) v(id, region)", external: parts }, undefined);
      expect(result.files?.map((f) => f.slice(parts.location.length + 1).split('/')[0])).toEqual(['region=eu', 'region=us']);
      expect(await run('select region, count(*) as n from parts group by region order by region')).toEqual([{ region: 'eu', n: 2 }, { region: 'us', n: 1 }]);
    });
  });
});
