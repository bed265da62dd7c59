import { readFileSync } from 'node:fs';
import { writeDatabaseFile } from '@mesh/adapter-duckdb';
import type { RelationName } from '@mesh/engine';
import type { TrinoTargetConfig } from './engine';
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
  const counts: number[] = [];
  async function* rowsOf(sql: string): AsyncIterable<unknown[][]> {
    try {
      for await (const page of client.pages(sql)) yield page.data ?? [];
    } catch (error) {
      throw trinoError(error, where);
    }
  }
  try {
    await writeDatabaseFile(options.destination, async (file) => {
      for (const r of options.relations) {
        const { columns } = await client.query(`SELECT * FROM ${rel(r.from)} LIMIT 0`).catch((error: unknown) => Promise.reject(trinoError(error, where)));
        // Every value crosses as text and is cast back to its type by DuckDB, in SQL.
        const rows = rowsOf(`SELECT ${columns.map((c) => `CAST(${q(c.name)} AS varchar)`).join(', ')} FROM ${rel(r.from)}`);
        counts.push(await file.table(r.into.schema, r.into.identifier, columns.map((c) => ({ name: c.name, type: fromTrinoType(c.type) })), rows));
      }
    });
  } finally {
    client.close();
  }
  return counts;
}
