import type { DuckDBConnection } from '@mesh/adapter-duckdb';
import { ApiError } from './api-error';

/** Runs a query, interrupting it when it outlives the limit: a slow query answers 503, never holds the server. */
export async function withTimeout<T>(connection: DuckDBConnection, ms: number, work: () => Promise<T>): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, ms);
  try {
    return await work();
  } catch (error) {
    if (timedOut) throw new ApiError(503, 'query_timeout', `the query ran longer than ${ms / 1000}s and was stopped; narrow it with filters or a smaller limit`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
