import type { DuckDBMaterializedResult } from '@duckdb/node-api';

/** A page as served: the lines DuckDB formatted, and the key of the last one when rows follow it. */
export interface PageRows {
  lines: string[];
  /** The last line's sort key, present only when there is a next page. */
  next?: Array<string | null>;
}

/**
 * Reads the result of a page statement (a line column, then `keys` key columns, `limit + 1` rows at
 * most) straight from its chunks, already in memory: no row objects are made, and only the one key
 * that becomes the next cursor is read.
 */
export function readPage(result: DuckDBMaterializedResult, limit: number, keys: number): PageRows {
  const lines: string[] = [];
  const chunks = result.chunkCount;
  for (let c = 0; c < chunks; c++) {
    const chunk = result.getChunk(c);
    const rows = chunk.rowCount;
    const column = chunk.getColumnVector(0);
    const take = Math.min(rows, limit - lines.length);
    for (let i = 0; i < take; i++) lines.push(column.getItem(i) as string);
    if (lines.length < limit) continue;
    const more = take < rows || result.rowCount > limit;
    if (!more) return { lines };
    const next: Array<string | null> = [];
    for (let k = 1; k <= keys; k++) next.push(chunk.getColumnVector(k).getItem(take - 1) as string | null);
    return { lines, next };
  }
  return { lines };
}

/** Reads every row of a lookup statement (a line column, then the key as text): the lines found per key. */
export function readByKey(result: DuckDBMaterializedResult): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const chunks = result.chunkCount;
  for (let c = 0; c < chunks; c++) {
    const chunk = result.getChunk(c);
    const lines = chunk.getColumnVector(0);
    const keys = chunk.getColumnVector(1);
    for (let i = 0; i < chunk.rowCount; i++) {
      const key = keys.getItem(i) as string;
      const line = lines.getItem(i) as string;
      const list = found.get(key);
      if (list) list.push(line);
      else found.set(key, [line]);
    }
  }
  return found;
}
