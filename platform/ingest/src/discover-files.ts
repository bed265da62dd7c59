import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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

/** A file of a source: where it is, and what identifies it. */
export interface SourceFile {
  /** Absolute path, to read it. */
  path: string;
  /**
   * The path within the source's base folder, `/`-separated (`orders_2026-03-01.csv`, `2026-03/e1.ndjson`):
   * the file's identity in the metadata database and in `_source_file`, so moving the whole raw folder,
   * or pointing the variable in `path:` elsewhere, leaves every file the same file.
   */
  key: string;
}

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
): Promise<SourceFile[]> {
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
    if (!isDirectory) return [keyed(dirname(path), path)];
    pattern = join(path, '**');
  }
  const rows = await session.query(`SELECT file FROM glob(${quoteString(pattern)}) ORDER BY file`);
  const files = rows.map((r) => String(r.file));
  const base = pattern === path ? globBase(path) : path;
  return (pattern === path ? files : files.filter((f) => EXTENSIONS[source.loader].test(f))).map((f) => keyed(base, f));
}

/** The folders of a glob before its first wildcard: `/data/raw/orders_*.csv` has base `/data/raw`, as has `/data/raw/{eu,us}/orders.csv`. */
function globBase(pattern: string): string {
  const parts = pattern.split(sep);
  const firstWild = parts.findIndex((p) => GLOB.test(p));
  return parts.slice(0, firstWild).join(sep) || sep;
}

function keyed(base: string, path: string): SourceFile {
  return { path, key: relative(base, path).split(sep).join('/') };
}
