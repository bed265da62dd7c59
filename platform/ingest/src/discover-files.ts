import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { AdapterSession } from '@mesh/engine';
import { quoteString } from '@mesh/engine';
import { MeshError, type SourceLocation } from '@mesh/errors';
import type { SourceConfig } from './config';
import { expandEnv } from './expand-env';

/** File name endings each loader reads when a source names a folder (compressed copies included). */
const EXTENSIONS: Record<SourceConfig['loader'], RegExp> = {
  csv: /\.(csv|tsv|txt)(\.gz|\.zst)?$/i,
  json: /\.json(\.gz|\.zst)?$/i,
  ndjson: /\.(ndjson|jsonl|json)(\.gz|\.zst)?$/i,
  parquet: /\.parquet$/i,
};

const GLOB = /[*?[{]/;

/**
 * The files a source names today, sorted by path so they load in a stable order (date-stamped files
 * load oldest first). A folder means every file of the loader's kind under it; a glob is expanded by
 * DuckDB, the same engine that reads the files; a single file that does not exist is an error, while a
 * glob or folder with nothing in it yet is simply nothing to load.
 */
export async function discoverFiles(
  session: AdapterSession,
  source: SourceConfig,
  options: { root: string; env: Record<string, string | undefined>; location?: SourceLocation },
): Promise<string[]> {
  const expanded = expandEnv(source.path, options.env, options.location);
  const path = isAbsolute(expanded) ? expanded : resolve(options.root, expanded);
  let pattern = path;
  if (!GLOB.test(path)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      throw new MeshError('E_INGEST_PATH', `source '${source.name}': ${path} does not exist`, {
        location: options.location,
        hint: 'Check path: in ingest.yml (relative to the domain folder), or the environment variable it reads.',
      });
    }
    if (!isDirectory) return [path];
    pattern = join(path, '**');
  }
  const rows = await session.query(`SELECT file FROM glob(${quoteString(pattern)}) ORDER BY file`);
  const files = rows.map((r) => String(r.file));
  return pattern === path ? files : files.filter((f) => EXTENSIONS[source.loader].test(f));
}
