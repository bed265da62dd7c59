import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Databases } from './databases';
import { LookupBatcher, lookupKeyOf } from './lookup-batch';
import { readByKey } from './page-reader';
import { parseRowQuery, type Column } from './row-query';
import { lookupStatement, type PortTable } from './row-sql';

/** Lookups batched over a real DuckDB file through the real pool, as the API runs them. */

let dir: string;
let path: string;
const COLUMNS: Column[] = [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'VARCHAR' }];
const TABLE: PortTable = { schema: 'main', table: 't', primaryKey: [COLUMNS[0]!] };
const parse = (query: string, columns = COLUMNS) => parseRowQuery(new URLSearchParams(query), columns, { defaultLimit: 10, maxLimit: 100, mode: 'page' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-api-lookups-'));
  path = join(dir, 'share.duckdb');
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run("CREATE TABLE t AS SELECT i::INTEGER AS id, 'name ' || i AS name FROM range(1, 1001) r(i)");
  connection.closeSync();
  instance.closeSync();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('lookup keys', () => {
  it('takes a lookup by the whole one-column key, written as DuckDB prints the key back', () => {
    expect(lookupKeyOf(TABLE, parse('id=eq.42'))).toBe('42');
    expect(lookupKeyOf(TABLE, parse('id=eq.%2B042'))).toBe('42');
    expect(lookupKeyOf(TABLE, parse('id=eq.-0'))).toBe('0');
    expect(lookupKeyOf(TABLE, parse('id=eq.7&select=name&order=name.desc'))).toBe('7');
    const text: PortTable = { ...TABLE, primaryKey: [COLUMNS[1]!] };
    expect(lookupKeyOf(text, parse('name=eq.Name%2001'))).toBe('Name 01');
  });

  it('leaves every other request to the sorted page', () => {
    for (const query of ['id=gt.42', 'id=in.(1,2)', 'id=eq.1&name=eq.x', 'name=eq.x', 'id=eq.1&cursor=abc', '']) {
      expect(lookupKeyOf(TABLE, parse(query)), query).toBeUndefined();
    }
    expect(lookupKeyOf({ ...TABLE, primaryKey: [] }, parse('id=eq.1'))).toBeUndefined();
    expect(lookupKeyOf({ ...TABLE, primaryKey: COLUMNS }, parse('id=eq.1'))).toBeUndefined();
    const day: Column = { name: 'day', type: 'DATE' };
    expect(lookupKeyOf({ ...TABLE, primaryKey: [day] }, parse('day=eq.2026-01-01', [...COLUMNS, day]))).toBeUndefined();
  });
});

describe('lookups answered together', () => {
  it('answers lookups that wait for a connection in shared queries, each with its own rows', async () => {
    const databases = new Databases({ memoryLimit: '64MB', threads: 1, connections: 1 });
    const query = parse('id=eq.1&select=id,name');
    const batches: number[] = [];
    const batcher = new LookupBatcher((seal) => databases.with(path, 'v1', async (session) => {
      const keys = seal();
      batches.push(keys.length);
      const statement = lookupStatement(TABLE, query, keys);
      return readByKey(await session.run(statement.sql, statement.params));
    }), 16);
    const asked = Array.from({ length: 100 }, (_, i) => String(1 + ((i * 37) % 1200)));
    const answers = await Promise.all(asked.map((id) => batcher.get(id)));
    answers.forEach((lines, i) => {
      const id = Number(asked[i]);
      expect(lines).toEqual(id <= 1000 ? [JSON.stringify({ id, name: `name ${id}` })] : []);
    });
    // 100 lookups in batches of at most 16, far fewer queries than lookups.
    expect(batches.reduce((a, b) => a + b, 0)).toBe(new Set(asked).size);
    expect(Math.max(...batches)).toBeLessThanOrEqual(16);
    expect(batches.length).toBeLessThan(10);
    await databases.closeAll();
  });

  it('gives the same key asked twice in one batch the same row, and a failed batch fails each of its lookups', async () => {
    let calls = 0;
    const batcher = new LookupBatcher(async (seal) => {
      calls++;
      // As if waiting for a connection: lookups asked meanwhile join the batch.
      await new Promise((resolve) => setImmediate(resolve));
      const keys = seal();
      if (keys.includes('bad')) throw new Error('Conversion Error: bad');
      return new Map(keys.map((k) => [k, [`line ${k}`]]));
    });
    expect(await Promise.all([batcher.get('5'), batcher.get('5'), batcher.get('6')])).toEqual([['line 5'], ['line 5'], ['line 6']]);
    expect(calls).toBe(1);
    const failed = await Promise.allSettled([batcher.get('7'), batcher.get('bad')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // The next batch starts afresh.
    expect(await batcher.get('8')).toEqual(['line 8']);
  });

  it('pads a batch to a power of two, so a handful of statement shapes serve every batch', () => {
    const query = parse('id=eq.1');
    const shapes = new Set<string>();
    for (let n = 1; n <= 128; n++) shapes.add(lookupStatement(TABLE, query, Array.from({ length: n }, (_, i) => String(i))).sql);
    expect(shapes.size).toBe(8);
    const three = lookupStatement(TABLE, query, ['1', '2', '3']);
    expect(three.params).toEqual(['1', '2', '3', '3']);
  });
});
