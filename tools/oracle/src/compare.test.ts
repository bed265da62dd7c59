import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { compareDatabases, formatComparison } from './compare';

async function database(dir: string, side: string, sql: string): Promise<string> {
  // Both files have the same name in different folders, as two tools' builds of one project do.
  const path = join(dir, side, 'proj.duckdb');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, side), { recursive: true });
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run(sql);
  c.closeSync();
  instance.closeSync();
  return path;
}

describe('compareDatabases', () => {
  it('finds equal relations equal, views included, whatever the column order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-compare-'));
    const left = await database(dir, 'a', `create schema s; create table s.t as select * from (values (1, 'x'), (2, 'y'), (2, 'y')) v(id, name);
      create view s.v as select id from proj.s.t`);
    const right = await database(dir, 'b', `create schema s; create table s.t as select name, id from (values (2, 'y'), (1, 'x'), (2, 'y')) v(id, name);
      create view s.v as select id from proj.s.t`);
    const result = await compareDatabases(left, right);
    expect(result.equal, formatComparison(result)).toBe(true);
    expect(result.compared).toEqual([{ relation: 's.t', rows: 3, equal: true }, { relation: 's.v', rows: 3, equal: true }]);
  });

  it('reads the files of views that name them relative to each side\'s own project folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-compare-'));
    const { mkdirSync, writeFileSync } = await import('node:fs');
    for (const [side, rows] of [['a', 'id\n1\n2\n'], ['b', 'id\n1\n3\n']] as const) {
      mkdirSync(join(dir, side, 'data'), { recursive: true });
      writeFileSync(join(dir, side, 'data', 'x.csv'), rows);
    }
    // As each tool made them: running in its own project folder.
    const view = (side: string) => `set file_search_path = '${join(dir, side)}'; create view v as select * from read_csv('data/x.csv')`;
    const left = await database(dir, 'a', view('a'));
    const right = await database(dir, 'b', view('b'));
    const result = await compareDatabases(left, right, { searchPath: { left: join(dir, 'a'), right: join(dir, 'b') } });
    expect(result.differences.map((d) => [d.relation, d.onlyLeft, d.onlyRight])).toEqual([['main.v', 1, 1]]);
  });

  it('counts duplicates, missing relations, column types, and normalises stamped columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-compare-'));
    const left = await database(dir, 'a', `create table t as select * from (values (1, now()), (1, now())) v(id, stamped);
      create table only_left(x int); create table typed(x integer)`);
    const right = await database(dir, 'b', `create table t as select * from (values (1, now() - interval 1 day)) v(id, stamped);
      create table only_right(x int); create table typed(x bigint)`);
    const result = await compareDatabases(left, right, { normalise: { 'main.t': { stamped: "null" } } });
    expect(result.equal).toBe(false);
    expect(result.onlyLeft).toEqual(['main.only_left']);
    expect(result.onlyRight).toEqual(['main.only_right']);
    const t = result.differences.find((d) => d.relation === 'main.t')!;
    expect([t.leftRows, t.rightRows, t.onlyLeft, t.onlyRight]).toEqual([2, 1, 1, 0]);
    const typed = result.differences.find((d) => d.relation === 'main.typed')!;
    expect(typed.columns).toEqual({ left: ['x INTEGER'], right: ['x BIGINT'] });
    expect(formatComparison(result, ['dbt', 'mesh'])).toContain('main.t: dbt 2 rows, mesh 1 rows; 1 only in dbt, 0 only in mesh');
  });
});
