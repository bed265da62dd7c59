import { mkdirSync, mkdtempSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { DuckDBAdapter } from './duckdb-adapter';

/**
 * A share of views: a relation written once to Parquet, masked and trimmed, and a database of views
 * over it that a reader attaches alone and resolves against the folder the files were written in.
 */

async function readShare(path: string, root: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:', { file_search_path: root });
  try {
    const c = await instance.connect();
    await c.run(`ATTACH '${path}' AS up (READ_ONLY)`);
    return (await c.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    instance.closeSync();
  }
}

describe('publishFile and publishViews', () => {
  it('keep the engine\'s types, mask in the file itself, and read from wherever the folder goes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-share-views-'));
    const adapter = await DuckDBAdapter.open({ path: join(dir, 'build.duckdb') });
    const session = await adapter.session();
    await session.execute(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE SCHEMA gold;
      CREATE TABLE gold.people AS SELECT i AS id, 'p' || i || '@example.com' AS email, (['sad', 'ok', 'happy'])[1 + i % 3]::mood AS mood,
        i::HUGEINT * 1000000000000 AS big, DATE '2026-01-01' + i::INTEGER AS day, 'secret ' || i AS note FROM range(1, 1001) r(i)`);
    session.close();
    const staging = join(dir, 'staging');
    const relation = { database: 'build', schema: 'gold', identifier: 'people', masks: [{ column: 'email', method: 'redact' as const }], withheld: ['note'] };
    const written = await adapter.publishFile(relation, join(staging, 'data/p/gold/people.masked.parquet'));
    expect(written.rows).toBe(1000);
    await adapter.publishViews([{ schema: 'gold', identifier: 'people', file: 'data/p/gold/people.masked.parquet', columns: written.columns }], join(staging, 'shares/a.duckdb'), staging);
    await adapter.close();

    // Renamed and moved, as a staged version and a project folder are: the view's path is relative.
    const version = join(dir, 'moved', 'v1');
    mkdirSync(join(dir, 'moved'));
    renameSync(staging, version);
    const share = join(version, 'shares', 'a.duckdb');
    const types = await readShare(share, version, "select column_name, data_type from duckdb_columns() where database_name = 'up' order by column_index");
    expect(types).toEqual([
      { column_name: 'id', data_type: 'BIGINT' },
      { column_name: 'email', data_type: 'VARCHAR' },
      { column_name: 'mood', data_type: "ENUM('sad', 'ok', 'happy')" },
      { column_name: 'big', data_type: 'HUGEINT' },
      { column_name: 'day', data_type: 'DATE' },
    ]);
    expect(await readShare(share, version, "select count(*)::INT as n, count(*) filter (where email = '[redacted]')::INT as redacted, max(big)::VARCHAR as big from up.gold.people"))
      .toEqual([{ n: 1000, redacted: 1000, big: '1000000000000000' }]);
    // Withheld and masked in the file itself, not only in the view.
    expect(await readShare(share, version, "select count(*)::INT as n from read_parquet('data/p/gold/people.masked.parquet') where email like '%@%'")).toEqual([{ n: 0 }]);
    await expect(readShare(share, version, 'select note from up.gold.people')).rejects.toThrow(/note/);
    // The share holds views only: a few blocks of 16 kB.
    expect(statSync(share).size).toBeLessThan(100_000);
    expect(await readShare(share, version, "select count(*)::INT as n from duckdb_tables() where database_name = 'up'")).toEqual([{ n: 0 }]);
  });
});
