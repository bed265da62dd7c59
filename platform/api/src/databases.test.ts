import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Databases } from './databases';
import { readPage } from './page-reader';

/** Published files are real DuckDB files here, replaced by rename as a publication does. */

let dir: string;

async function writeDatabase(path: string, label: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE t AS SELECT '${label}' AS label, i AS id FROM range(3) r(i)`);
  connection.closeSync();
  instance.closeSync();
}

async function labelOf(databases: Databases, path: string, version: string): Promise<string> {
  return databases.with(path, version, async (session) =>
    readPage(await session.run('SELECT label FROM t LIMIT 1', []), 1, 0).lines[0]!);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-api-databases-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('databases per publication version', () => {
  it('reads each version from the file it was opened on, and closes a retired one once idle', async () => {
    const path = join(dir, 'share.duckdb');
    await writeDatabase(path, 'first');
    const databases = new Databases({ memoryLimit: '64MB', threads: 1, connections: 2 });
    expect(await labelOf(databases, path, 'v1')).toBe('first');

    // A new publication renames a new file in; version v1 keeps reading the file it opened.
    await writeDatabase(`${path}.new`, 'second');
    renameSync(`${path}.new`, path);
    expect(await labelOf(databases, path, 'v1')).toBe('first');
    expect(await labelOf(databases, path, 'v2')).toBe('second');
    expect(databases.openVersions().sort()).toEqual(['v1', 'v2']);

    // Retired while a request runs on it: the request finishes, then the instance closes.
    const running = databases.with(path, 'v1', async (session) => {
      databases.retire('v1');
      expect(databases.openVersions()).toContain('v1');
      return readPage(await session.run('SELECT label FROM t LIMIT 1', []), 1, 0).lines[0];
    });
    expect(await running).toBe('first');
    expect(databases.openVersions()).toEqual(['v2']);
    await databases.closeAll();
    expect(databases.openVersions()).toEqual([]);
  });

  it('runs at most its pool of connections at once; the others wait their turn, first come first served', async () => {
    const path = join(dir, 'pool.duckdb');
    await writeDatabase(path, 'pool');
    const databases = new Databases({ memoryLimit: '64MB', threads: 1, connections: 2 });
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const requests = Array.from({ length: 6 }, (_, i) => databases.with(path, 'v1', async (session) => {
      started.push(i);
      active++;
      most = Math.max(most, active);
      const result = await session.run('SELECT CAST(count(*) AS VARCHAR) FROM range(3000000)', []);
      active--;
      return readPage(result, 1, 0).lines[0];
    }));
    expect(await Promise.all(requests)).toEqual(Array(6).fill('3000000'));
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    await databases.closeAll();
  });

  it('binds each request\'s values to the statement its connection keeps', async () => {
    const path = join(dir, 'prepared.duckdb');
    await writeDatabase(path, 'prepared');
    const databases = new Databases({ memoryLimit: '64MB', threads: 1, connections: 1 });
    const ids = [];
    for (const id of ['2', '0', '1']) {
      ids.push(await databases.with(path, 'v1', async (session) =>
        readPage(await session.run('SELECT CAST(id AS VARCHAR) FROM t WHERE id = CAST($1 AS INTEGER)', [id]), 1, 0).lines[0]));
    }
    expect(ids).toEqual(['2', '0', '1']);
    await databases.closeAll();
  });
});
