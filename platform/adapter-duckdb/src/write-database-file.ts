import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { q } from './materialize-sql';

/** Fills the tables of a database file being written. */
export interface DatabaseFileTables {
  /**
   * Adds `schema.identifier` with the given columns (DuckDB type names) from rows given as text (or
   * null), cast to their types in SQL once all are in. Returns the row count.
   */
  table(schema: string, identifier: string, columns: ReadonlyArray<{ name: string; type: string }>, rows: AsyncIterable<ReadonlyArray<unknown>[]>): Promise<number>;
}

/**
 * Writes a new DuckDB database file at `destination` and moves it in by a rename, so a reader sees the
 * previous file or the whole new one; on failure the previous file is left as it was. For other
 * engines' copies into a file a DuckDB consumer attaches (a Trino share read as its consumer).
 */
export async function writeDatabaseFile(destination: string, fill: (tables: DatabaseFileTables) => Promise<void>): Promise<void> {
  mkdirSync(dirname(destination), { recursive: true });
  const tmp = `${destination}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const instance = await DuckDBInstance.create(tmp);
  const db = await instance.connect();
  const tables: DatabaseFileTables = {
    async table(schema, identifier, columns, pages) {
      const load = `${identifier}__mesh_import`;
      await db.run(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
      await db.run(`CREATE TABLE ${q(schema)}.${q(load)} (${columns.map((c) => `${q(c.name)} VARCHAR`).join(', ')})`);
      const appender = await db.createAppender(load, schema);
      let rows = 0;
      try {
        for await (const page of pages) {
          for (const row of page) {
            for (const value of row) {
              if (value === null || value === undefined) appender.appendNull();
              else appender.appendVarchar(String(value));
            }
            appender.endRow();
            rows++;
          }
        }
      } finally {
        appender.closeSync();
      }
      await db.run(`CREATE TABLE ${q(schema)}.${q(identifier)} AS SELECT ${columns.map((c) => `CAST(${q(c.name)} AS ${c.type}) AS ${q(c.name)}`).join(', ')} FROM ${q(schema)}.${q(load)}`);
      await db.run(`DROP TABLE ${q(schema)}.${q(load)}`);
      return rows;
    },
  };
  try {
    await fill(tables);
  } catch (error) {
    db.closeSync();
    instance.closeSync();
    rmSync(tmp, { force: true });
    throw error;
  }
  db.closeSync();
  instance.closeSync();
  renameSync(tmp, destination);
}
