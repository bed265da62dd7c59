import { DuckDBInstance, listValue } from '@duckdb/node-api';

/** Statements per query: a list parameter of a few hundred keeps each result small and the round trips few. */
const BATCH = 500;

/**
 * DuckDB's parse trees for many SQL texts, through `json_serialize_sql` in an in-memory database: the
 * parser is DuckDB's own, so every dialect feature a model can use parses exactly as it runs.
 */
export async function parseSqlTrees(sqls: readonly string[]): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const trees: unknown[] = [];
    for (let start = 0; start < sqls.length; start += BATCH) {
      const batch = sqls.slice(start, start + BATCH);
      const reader = await connection.runAndReadAll(
        'select json_serialize_sql(s::varchar) as tree from unnest($1::varchar[]) with ordinality as t(s, i) order by i',
        [listValue([...batch])],
      );
      for (const row of reader.getRows()) trees.push(JSON.parse(String(row[0])));
    }
    return trees;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
