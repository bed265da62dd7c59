import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { withTimeout } from './query-timeout';

describe('query time limit', () => {
  it('interrupts a query that outlives it and answers 503', async () => {
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const started = performance.now();
    const error = await withTimeout(connection, 100, () => connection.runAndReadAll('SELECT count(*) FROM range(1000000000000)')).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).toMatchObject({ status: 503, code: 'query_timeout', message: 'the query ran longer than 0.1s and was stopped; narrow it with filters or a smaller limit' });
    // The connection is usable again.
    expect((await connection.runAndReadAll('SELECT 42 AS x')).getRowObjectsJS()).toEqual([{ x: 42 }]);
  });
});
