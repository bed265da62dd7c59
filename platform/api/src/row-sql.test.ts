import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPage } from '@mesh/adapter-duckdb';
import { parseList, parseRowQuery, type Column } from './row-query';
import { orderSignature, pageStatement, type PortTable } from './row-sql';

/**
 * Keyset pages read in a loop must return every row exactly once, in the order a single ORDER BY gives,
 * whatever the order asked for: ties, nulls in sort columns and descending keys included.
 */

let db: DuckDBConnection;
const COLUMNS: Column[] = [{ name: 'id', type: 'INTEGER' }, { name: 'grp', type: 'VARCHAR' }, { name: 'score', type: 'DOUBLE' }, { name: 'day', type: 'DATE' }];

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`CREATE SCHEMA gold; CREATE TABLE gold.t AS
    SELECT i AS id,
           CASE WHEN i % 7 = 0 THEN NULL ELSE chr((97 + i % 3)::INTEGER) END AS grp,
           CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 4) * 1.5 END AS score,
           DATE '2026-01-01' + (i % 10)::INTEGER AS day
    FROM range(1, 58) r(i)`);
});

async function allPages(query: string, table: PortTable, limit: number, connection = db, columns = COLUMNS): Promise<number[]> {
  const ids: number[] = [];
  let after: Array<string | null> | undefined;
  for (let page = 0; page < 10_000; page++) {
    const q = parseRowQuery(new URLSearchParams(`${query}&limit=${limit}`), columns, { defaultLimit: 10, maxLimit: 100_000, mode: 'page' });
    const s = pageStatement(table, q, after);
    const statement = await connection.prepare(s.sql);
    statement.bind(s.params);
    const rows = readPage(await statement.run(), limit, s.keys);
    statement.destroySync();
    ids.push(...rows.lines.map((line) => JSON.parse(line).id as number));
    if (!rows.next) return ids;
    after = rows.next;
  }
  throw new Error('did not finish');
}

async function expected(orderBy: string): Promise<number[]> {
  return (await db.runAndReadAll(`SELECT id FROM gold.t ORDER BY ${orderBy}`)).getRowObjectsJS().map((r) => Number(r.id));
}

const withKey: PortTable = { schema: 'gold', table: 't', primaryKey: [COLUMNS[0]!] };
const withoutKey: PortTable = { schema: 'gold', table: 't', primaryKey: [] };

describe('keyset pagination', () => {
  it.each([
    ['order=grp', withKey, 'grp ASC NULLS LAST, id'],
    ['order=grp.desc,score', withKey, 'grp DESC NULLS LAST, score ASC NULLS LAST, id'],
    ['order=score.desc', withKey, 'score DESC NULLS LAST, id'],
    ['order=day,grp.desc', withKey, 'day, grp DESC NULLS LAST, id'],
    ['order=score', withoutKey, 'score ASC NULLS LAST, rowid'],
    ['select=id', withoutKey, 'rowid'],
  ] as const)('%s reads every row once, in order', async (query, table, orderBy) => {
    const want = await expected(orderBy);
    for (const limit of [1, 4, 10]) expect(await allPages(query, table, limit)).toEqual(want);
  });

  it('filters and pages together', async () => {
    expect(await allPages('grp=in.(a,b)&score=is.not_null&order=score.desc', withKey, 3)).toEqual(
      await (await db.runAndReadAll("SELECT id FROM gold.t WHERE grp IN ('a','b') AND score IS NOT NULL ORDER BY score DESC, id")).getRowObjectsJS().map((r) => Number(r.id)),
    );
  });

  it('keeps the order across many row groups and threads, pages larger than a chunk included', async () => {
    // 300,000 rows are several row groups, read by 4 threads; pages of 5,000 span three result chunks.
    const big = await (await DuckDBInstance.create(':memory:', { threads: '4', preserve_insertion_order: 'true' })).connect();
    await big.run(`CREATE SCHEMA gold; CREATE TABLE gold.t AS
      SELECT i AS id, (i * 7919) % 1000 AS grp, CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 104729) % 997 END AS score, DATE '2026-01-01' AS day
      FROM range(300000) r(i)`);
    const columns: Column[] = [{ name: 'id', type: 'BIGINT' }, { name: 'grp', type: 'BIGINT' }, { name: 'score', type: 'BIGINT' }, { name: 'day', type: 'DATE' }];
    const table: PortTable = { schema: 'gold', table: 't', primaryKey: [columns[0]!] };
    const want = (await big.runAndReadAll('SELECT id FROM gold.t WHERE grp < 40 ORDER BY score DESC NULLS LAST, grp, id')).getRowObjectsJS().map((r) => Number(r.id));
    expect(want.length).toBe(12000);
    expect(await allPages('grp=lt.40&order=score.desc,grp', table, 5000, big, columns)).toEqual(want);
    big.closeSync();
  });

  it('pages a view over a Parquet file without a primary key by position in the file, every row once', async () => {
    // A share's view has no rowid; 150,000 rows are two row groups, read by 4 threads.
    const dir = mkdtempSync(join(tmpdir(), 'mesh-row-sql-'));
    const big = await (await DuckDBInstance.create(':memory:', { threads: '4', preserve_insertion_order: 'true', file_search_path: dir })).connect();
    await big.run(`COPY (SELECT (i * 7919) % 150000 AS id, i % 1000 AS grp, NULL::DOUBLE AS score, DATE '2026-01-01' AS day FROM range(150000) r(i)) TO '${dir}/t.parquet' (FORMAT parquet)`);
    await big.run(`CREATE SCHEMA gold; CREATE VIEW gold.t AS SELECT * FROM read_parquet('t.parquet')`);
    const columns: Column[] = [{ name: 'id', type: 'BIGINT' }, { name: 'grp', type: 'BIGINT' }, { name: 'score', type: 'DOUBLE' }, { name: 'day', type: 'DATE' }];
    const want = (await big.runAndReadAll('SELECT id FROM gold.t WHERE grp < 40')).getRowObjectsJS().map((r) => Number(r.id));
    expect(await allPages('grp=lt.40', { schema: 'gold', table: 't', primaryKey: [], view: true }, 5000, big, columns)).toEqual(want);
    expect(await allPages('order=grp.desc', { schema: 'gold', table: 't', primaryKey: [], view: true }, 20_000, big, columns)).toHaveLength(150_000);
    big.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a lookup by the whole primary key without sorting, and finds the same row', async () => {
    const q = parseRowQuery(new URLSearchParams('id=eq.12&order=score.desc'), COLUMNS, { defaultLimit: 10, maxLimit: 100, mode: 'page' });
    const s = pageStatement(withKey, q, undefined);
    expect(s.sql).not.toContain('ORDER BY');
    expect(await allPages('id=eq.12&order=score.desc', withKey, 10)).toEqual([12]);
    // Without a key, or with only part of the filters on it, the page is sorted as asked.
    expect(pageStatement(withoutKey, q, undefined).sql).toContain('ORDER BY');
    const range = parseRowQuery(new URLSearchParams('id=gt.12'), COLUMNS, { defaultLimit: 10, maxLimit: 100, mode: 'page' });
    expect(pageStatement(withKey, range, undefined).sql).toContain('ORDER BY');
  });

  it('signs a cursor with the full key order', () => {
    const q = parseRowQuery(new URLSearchParams('order=grp.desc'), COLUMNS, { defaultLimit: 10, maxLimit: 100, mode: 'page' });
    expect(orderSignature(q, withKey)).toBe('grp.desc,id.asc');
    expect(orderSignature(q, withoutKey)).toBe('grp.desc,rowid.asc');
  });

  it('binds every value: the SQL holds no text from the request', () => {
    const q = parseRowQuery(new URLSearchParams("grp=eq.x'); DROP TABLE t; --&order=grp"), COLUMNS, { defaultLimit: 10, maxLimit: 100, mode: 'page' });
    const s = pageStatement(withKey, q, ["x'--", null]);
    expect(s.sql).not.toContain('DROP');
    expect(s.sql).not.toContain("x'--");
    expect(s.params).toContain("x'); DROP TABLE t; --");
  });
});

describe('value lists', () => {
  it('splits on commas, with double quotes for values holding commas, parentheses or quotes', () => {
    expect(parseList('(a,b,c)', 'p')).toEqual(['a', 'b', 'c']);
    expect(parseList('("a,b",c,"say \\"hi\\"")', 'p')).toEqual(['a,b', 'c', 'say "hi"']);
    expect(parseList('()', 'p')).toEqual(['']);
    expect(() => parseList('a,b', 'p')).toThrow("p: expected a list in parentheses such as (a,b), got 'a,b'");
    expect(() => parseList('("a,b)', 'p')).toThrow('p: a quoted value is not closed');
  });
});
