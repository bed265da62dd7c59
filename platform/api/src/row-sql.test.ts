import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
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

async function allPages(query: string, table: PortTable, limit: number): Promise<number[]> {
  const ids: number[] = [];
  let after: Array<string | null> | undefined;
  for (let page = 0; page < 100; page++) {
    const q = parseRowQuery(new URLSearchParams(`${query}&limit=${limit}`), COLUMNS, { defaultLimit: 10, maxLimit: 100, mode: 'page' });
    const s = pageStatement(table, q, after);
    const rows = (await db.runAndReadAll(s.sql, s.params)).getRowObjectsJS();
    const shown = rows.slice(0, limit);
    ids.push(...shown.map((r) => JSON.parse(String(r.line)).id as number));
    if (rows.length <= limit) return ids;
    after = shown[shown.length - 1]!.cursor_key as Array<string | null>;
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
