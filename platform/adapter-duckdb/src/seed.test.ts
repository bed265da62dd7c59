import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { agateColumnNames, firstCsvRecord, planSeed } from './seed';

async function typesOf(csv: string, columnTypes: Record<string, string> = {}): Promise<Record<string, string>> {
  const path = join(mkdtempSync(join(tmpdir(), 'mesh-seed-')), 's.csv');
  writeFileSync(path, csv);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const plan = await planSeed(connection, { kind: 'seed', relation: { database: 'memory', schema: 'main', identifier: 's' }, path, columnTypes });
    return Object.fromEntries(plan.columns.map((c) => [c.name, c.type]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('seed columns typed by dbt\'s rules (agate), as dbt-duckdb creates them', () => {
  it('integers, numbers with decimals, dates, timestamps of either spelling, booleans, text', async () => {
    expect(await typesOf('a,b,c,d,e,f,g,h,i\n1,1.5,2024-01-05,2024-01-05 10:00:00,2024-01-05T10:00:00Z,TRUE,x,,3.0\n-2,2,2024-1-6,2024-01-06 11:30:00,2024-01-06T11:30,false,,,1e2\n')).toEqual({
      a: 'integer', b: 'float8', c: 'date', d: 'timestamp without time zone', e: 'timestamp without time zone', f: 'boolean', g: 'text', h: 'integer', i: 'integer',
    });
  });

  it('a column mixing timestamp spellings, or an invalid date, is text; column_types wins', async () => {
    expect(await typesOf('a,b,c\n2024-01-05 10:00:00,2024-02-30,7\n2024-01-05T10:00:00,2024-02-01,8\n', { c: 'bigint' })).toEqual({ a: 'text', b: 'text', c: 'bigint' });
  });

  it('names blank and repeated headers as agate does', () => {
    expect(agateColumnNames(['id', '', 'id', 'id'])).toEqual(['id', 'b', 'id_2', 'id_3']);
    expect(firstCsvRecord('"a,1",b\nx,y\n', ',')).toEqual(['a,1', 'b']);
    expect(firstCsvRecord('a|b\n', '|')).toEqual(['a', 'b']);
    expect(firstCsvRecord('', ',')).toBeUndefined();
  });
});
