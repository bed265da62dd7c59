import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { planSeed, seedError } from '@mesh/adapter-duckdb';
import { MeshError } from '@mesh/errors';
import type { ColumnInfo } from '@mesh/engine';
import { lit } from './dialect';

/**
 * Trino reads no CSV file without a Hive metastore. A seed or CSV source is therefore converted to
 * Parquet by DuckDB's CSV reader, the one that types them on a DuckDB target, so both engines load the
 * same columns with the same types; Trino then adds the Parquet file to an Iceberg table. The rows go
 * from file to file inside DuckDB and never through JavaScript.
 */
export interface Staging {
  /** The folder on this machine. */
  path: string;
  /** The same folder as the Trino catalog's file system names it. */
  location: string;
}

export interface StagedParquet {
  /** The folder written, on this machine, removed once the table no longer needs it. */
  dir: string;
  /** The same folder for Trino's add_files. */
  location: string;
  columns: ColumnInfo[];
}

/** How a seed's file is read (its configs), as for a DuckDB target. */
export interface SeedOptions {
  file?: string;
  columnTypes?: Record<string, string>;
  delimiter?: string;
  quoteColumns?: boolean;
}

/** The converter's scratch table for a seed, in its in-memory DuckDB. */
const SEED_TABLE = { database: 'memory', schema: 'main', identifier: '__mesh_seed' };
const SEED_SQL = '"memory"."main"."__mesh_seed"';

export class CsvConverter {
  private connection?: Promise<DuckDBConnection>;
  private instance?: DuckDBInstance;

  constructor(private readonly staging: Staging | undefined) {}

  private async connect(): Promise<DuckDBConnection> {
    this.connection ??= DuckDBInstance.create(':memory:', { threads: '2' }).then(async (instance) => {
      this.instance = instance;
      return instance.connect();
    });
    return this.connection;
  }

  /**
   * Writes `csv` as `<staging>/<folder>/data.parquet`. `reader` is DuckDB's call that reads the file: the
   * seed reader with its declared column types, or `read_csv_auto` as external sources are read in place.
   */
  async convert(csv: string, folder: string, reader: 'seed' | 'source', seed: SeedOptions = {}): Promise<StagedParquet> {
    if (!this.staging) {
      throw new MeshError('E_TRINO_STAGING', `loading ${csv} needs a staging folder Trino can read`, {
        hint: 'Add staging: {path: <a folder here>, location: <the same folder as the Trino catalog names it>} to the trino target in mesh_project.yml.',
      });
    }
    if (!existsSync(csv)) {
      throw new MeshError('E_SOURCE_FILE', `cannot read ${csv}: no such file`, { hint: 'Check external_location of the source (or the seed file).' });
    }
    const dir = join(this.staging.path, folder);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'data.parquet');
    const c = await this.connect();
    if (reader === 'seed') {
      // Typed and loaded as the DuckDB adapter loads a seed (dbt-duckdb's rules), then written out.
      const plan = { kind: 'seed' as const, relation: SEED_TABLE, path: csv, file: seed.file, columnTypes: seed.columnTypes ?? {}, delimiter: seed.delimiter, quoteColumns: seed.quoteColumns };
      const load = await planSeed(c, plan);
      try {
        await c.run(`DROP TABLE IF EXISTS ${SEED_SQL}`);
        for (const sql of load.create(SEED_TABLE)) await c.run(sql);
        await c.run(`COPY (SELECT * FROM ${SEED_SQL}) TO ${lit(file)} (FORMAT parquet)`);
      } catch (error) {
        throw error instanceof MeshError ? error : await seedError(c, plan, error);
      } finally {
        await c.run(`DROP TABLE IF EXISTS ${SEED_SQL}`).catch(() => undefined);
      }
    } else {
      try {
        await c.run(`COPY (SELECT * FROM read_csv_auto(${lit(csv)})) TO ${lit(file)} (FORMAT parquet)`);
      } catch (error) {
        throw new MeshError('E_SOURCE_FILE', `cannot load ${csv}: ${(error as Error).message.split('\n')[0]}`, { hint: 'Check the file: a header line, then one row per line with the same columns.' });
      }
    }
    const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`);
    const columns = described.getRowObjectsJS().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
    return { dir, location: `${this.staging.location.replace(/\/$/, '')}/${folder}`, columns };
  }

  /** Removes a folder `convert` wrote, once no table reads its file any more. */
  remove(folder: string): void {
    if (this.staging) rmSync(join(this.staging.path, folder), { recursive: true, force: true });
  }

  close(): void {
    if (!this.connection) return;
    void this.connection.then((c) => {
      c.closeSync();
      this.instance?.closeSync();
    });
  }
}
