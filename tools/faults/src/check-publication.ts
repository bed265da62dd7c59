import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { publicationFacts, publishedManifestSchema, shareFilesRoot, type PublicationFacts } from '@mesh/loom';

/**
 * What a publication on disk is: whole (its manifest names a version folder whose every file has the
 * size the manifest gives, and each database holds exactly the tables and row counts the manifest
 * says), and what data it holds, as a fingerprint per table that is equal for equal content.
 */

export interface Inspection {
  /** Undefined when nothing is published yet. */
  version?: string;
  /** Why the publication is not exactly what its manifest describes; empty when it is. */
  torn: string[];
  /** `shares/finance.duckdb gold.order_summary` -> `rows:hash` of the table's (or view's) content. */
  fingerprint: Map<string, string>;
}

/** One read-only connection to a database file for all the checks of it: opening one costs more than the checks. */
async function withDatabase<T>(path: string, work: (query: (sql: string) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
  // A share of views reads the data files of its version, as a consumer does.
  const files = shareFilesRoot(path);
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', ...(files ? { file_search_path: files } : {}) });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const c = connection;
    return await work(async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJS());
  } finally {
    connection?.closeSync();
    instance.closeSync();
  }
}

/** The databases a manifest names, each with the tables (schema.alias) and row counts it must hold. */
function expectedDatabases(facts: PublicationFacts): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const tableOf = (id: string) => {
    const node = facts.nodes.find((n) => n.unique_id === id)!;
    return `${node.schema}.${node.alias}`;
  };
  if (facts.database?.file) out.set(facts.database.file, new Map(facts.nodes.map((n) => [tableOf(n.unique_id), facts.rows[n.unique_id] ?? -1])));
  for (const share of Object.values(facts.access?.shares ?? {})) {
    if (share.file) out.set(share.file, new Map(Object.keys(share.models).map((id) => [tableOf(id), facts.rows[id] ?? -1])));
  }
  return out;
}

export async function inspectPublication(projectDir: string): Promise<Inspection> {
  const dir = join(projectDir, 'target', 'published');
  const torn: string[] = [];
  const fingerprint = new Map<string, string>();
  if (!existsSync(join(dir, 'manifest.json'))) return { torn, fingerprint };
  const parsed = publishedManifestSchema.safeParse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  if (!parsed.success) return { torn: [`manifest.json does not parse: ${parsed.error.issues[0]?.message}`], fingerprint };
  const facts = publicationFacts(parsed.data);
  const publication = facts.publication;
  if (!publication) return { torn: ['manifest.json names no version'], fingerprint };
  if (!existsSync(join(dir, publication.dir))) torn.push(`version folder ${publication.dir} is missing`);
  for (const [file, { bytes }] of Object.entries(publication.files)) {
    const path = join(dir, file);
    if (!existsSync(path)) torn.push(`${file} is missing`);
    else if (statSync(path).size !== bytes) torn.push(`${file} has ${statSync(path).size} bytes, the manifest says ${bytes}`);
  }
  if (publication.contract && !existsSync(join(dir, publication.contract))) torn.push(`the contract ${publication.contract} is missing`);
  for (const [file, tables] of expectedDatabases(facts)) {
    if (!publication.files[file]) torn.push(`${file} is not among the version's files`);
    if (!existsSync(join(dir, file))) continue;
    const short = file.slice(publication.dir.length + 1);
    await withDatabase(join(dir, file), async (query) => {
      const present = await query(`SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE database_name = current_database()
        UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal`);
      const names = present.map((r) => String(r.t)).sort();
      const wanted = [...tables.keys()].sort();
      if (names.join() !== wanted.join()) torn.push(`${file} holds ${names.join(', ')}; the manifest says ${wanted.join(', ')}`);
      for (const [table, rows] of tables) {
        if (!names.includes(table)) continue;
        const [schema, name] = table.split('.');
        const [row] = await query(`SELECT count(*)::BIGINT AS n, coalesce(bit_xor(hash(t)), 0)::VARCHAR AS h FROM "${schema}"."${name}" t`);
        const n = Number(row!.n);
        if (n !== rows) torn.push(`${file} ${table} has ${n} rows; the manifest says ${rows}`);
        fingerprint.set(`${short} ${table}`, `${n}:${String(row!.h)}`);
      }
    });
  }
  return { version: publication.id, torn, fingerprint };
}

export const sameData = (a: Map<string, string>, b: Map<string, string>): boolean =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/** The reference (clean build of one data version) a fingerprint equals, if any. */
export function matchingVersion(fingerprint: Map<string, string>, references: Map<number, Map<string, string>>): number | undefined {
  for (const [version, reference] of references) if (sameData(fingerprint, reference)) return version;
  return undefined;
}
