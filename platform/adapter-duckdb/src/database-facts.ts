import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

/** What a domain's built database says about its relations: real columns and types, and row counts of tables. */
export interface DatabaseFacts {
  /** Keyed by `schema.table`, lower case; columns in table order. */
  columns: Map<string, Array<{ name: string; type: string }>>;
  rows: Map<string, number>;
}

export type DatabaseFactsResult = { facts: DatabaseFacts } | { facts: undefined; problem: string };

const key = (schema: string, table: string) => `${schema}.${table}`.toLowerCase();
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Tables per counting query: one UNION ALL of counts instead of a round trip each. */
const COUNT_BATCH = 200;

/**
 * Opens the database read-only, so a catalog never changes or locks what it documents. A database
 * another process is writing cannot be opened; the catalog then says so instead of failing.
 */
export async function readDatabaseFacts(path: string): Promise<DatabaseFactsResult> {
  if (!existsSync(path)) return { facts: undefined, problem: `${path} does not exist (the domain was not built)` };
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  } catch (error) {
    return { facts: undefined, problem: `${path} could not be opened: ${(error as Error).message.split('\n')[0]}` };
  }
  const connection = await instance.connect();
  try {
    const columns = new Map<string, Array<{ name: string; type: string }>>();
    const cols = await connection.runAndReadAll(
      `select schema_name, table_name, column_name, data_type from duckdb_columns()
       where database_name = current_database() and not internal order by schema_name, table_name, column_index`,
    );
    for (const [schema, table, column, type] of cols.getRows()) {
      const k = key(String(schema), String(table));
      let entry = columns.get(k);
      if (!entry) columns.set(k, (entry = []));
      entry.push({ name: String(column), type: String(type) });
    }
    const tables = (
      await connection.runAndReadAll(`select schema_name, table_name from duckdb_tables() where database_name = current_database() and not internal`)
    ).getRows().map(([schema, table]) => [String(schema), String(table)] as const);
    const rows = new Map<string, number>();
    for (let i = 0; i < tables.length; i += COUNT_BATCH) {
      const sql = tables
        .slice(i, i + COUNT_BATCH)
        .map(([schema, table]) => `select ${literal(key(schema, table))} as k, count(*) as n from ${quote(schema)}.${quote(table)}`)
        .join('\nunion all\n');
      for (const [k, n] of (await connection.runAndReadAll(sql)).getRows()) rows.set(String(k), Number(n));
    }
    return { facts: { columns, rows } };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
