import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RelationName, TrinoTargetConfig } from '@mesh/engine';
import { TrinoClient } from './client';
import { fromTrinoType, q, rel, trinoError } from './dialect';

/**
 * A DuckDB consumer of a Trino domain: its share, read from Trino as the consumer's own Trino user (so
 * what the producer did not grant, Trino refuses), written into a DuckDB file the consumer attaches. Both
 * engines have to meet somewhere, and DuckDB here loads no Trino or Iceberg extension: the rows cross as
 * text pages of Trino's protocol (exact: bigints and decimals are cast to text by Trino) and are typed
 * again by DuckDB in SQL. A copy per consumer, made once per publication: a share's views are pinned to
 * snapshots, so the same share schema always reads the same rows.
 */
export interface ImportedRelation {
  /** The share's view on Trino. */
  from: RelationName;
  /** Where it lands in the DuckDB file (the producer's schema and model name). */
  into: { schema: string; identifier: string };
}

export interface ImportShareOptions {
  /** The consumer's trino target: its user, password variable and the cluster. */
  target: Pick<TrinoTargetConfig, 'host' | 'port' | 'http_scheme' | 'password_env' | 'ca_file'> & { user: string };
  env?: Record<string, string | undefined>;
  relations: ImportedRelation[];
  /** The DuckDB file to write, replaced whole by a rename. */
  destination: string;
}

export async function importShare(options: ImportShareOptions): Promise<number[]> {
  const t = options.target;
  const env = options.env ?? process.env;
  const url = `${t.http_scheme}://${t.host}:${t.port}`;
  const client = new TrinoClient({ url, user: t.user, password: env[t.password_env], ca: t.ca_file ? readFileSync(t.ca_file, 'utf8') : undefined });
  const where = { url, user: t.user, passwordEnv: t.password_env };
  mkdirSync(dirname(options.destination), { recursive: true });
  const tmp = `${options.destination}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const instance = await DuckDBInstance.create(tmp);
  const db = await instance.connect();
  const counts: number[] = [];
  try {
    for (const r of options.relations) {
      const { columns } = await client.query(`SELECT * FROM ${rel(r.from)} LIMIT 0`).catch((error: unknown) => Promise.reject(trinoError(error, where)));
      const load = `${r.into.identifier}__mesh_import`;
      await db.run(`CREATE SCHEMA IF NOT EXISTS ${q(r.into.schema)}`);
      await db.run(`CREATE TABLE ${q(r.into.schema)}.${q(load)} (${columns.map((c) => `${q(c.name)} VARCHAR`).join(', ')})`);
      const appender = await db.createAppender(load, r.into.schema);
      let rows = 0;
      try {
        for await (const page of client.pages(`SELECT ${columns.map((c) => `CAST(${q(c.name)} AS varchar)`).join(', ')} FROM ${rel(r.from)}`)) {
          for (const row of page.data ?? []) {
            for (const value of row) {
              if (value === null || value === undefined) appender.appendNull();
              else appender.appendVarchar(String(value));
            }
            appender.endRow();
            rows++;
          }
        }
      } catch (error) {
        throw trinoError(error, where);
      } finally {
        appender.closeSync();
      }
      await db.run(`CREATE TABLE ${q(r.into.schema)}.${q(r.into.identifier)} AS SELECT ${columns.map((c) => `CAST(${q(c.name)} AS ${fromTrinoType(c.type)}) AS ${q(c.name)}`).join(', ')} FROM ${q(r.into.schema)}.${q(load)}`);
      await db.run(`DROP TABLE ${q(r.into.schema)}.${q(load)}`);
      counts.push(rows);
    }
  } catch (error) {
    db.closeSync();
    instance.closeSync();
    rmSync(tmp, { force: true });
    throw error;
  } finally {
    client.close();
  }
  db.closeSync();
  instance.closeSync();
  renameSync(tmp, options.destination);
  return counts;
}
