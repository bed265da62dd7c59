import { basename, extname, isAbsolute, join } from 'node:path';
import { MeshError } from '@mesh/errors';
import type { ProjectFile, TargetConfig } from '../load/schemas';

export interface ResolvedTarget {
  name: string;
  type: 'duckdb';
  /** Absolute path of the database file. */
  path: string;
  /** The catalog name DuckDB gives the attached file; relations are quoted with it. */
  database: string;
  threads: number;
  settings: Record<string, string | number | boolean>;
}

/** Picks the target (`--target`, else the project's `target:`, else `dev`) and fills in its defaults. */
export function resolveTarget(project: ProjectFile, root: string, requested?: string): ResolvedTarget {
  const targets: Record<string, TargetConfig> = project.targets ?? {};
  const name = requested ?? project.target ?? 'dev';
  // 'dev' is always there: a DuckDB file under target/, unless the project defines its own.
  const config = targets[name] ?? (name === 'dev' ? { type: 'duckdb' as const } : undefined);
  if (!config) {
    const known = [...new Set(['dev', ...Object.keys(targets)])];
    throw new MeshError('E_TARGET_UNKNOWN', `target '${name}' is not defined`, {
      hint: `Define it under targets: in the project file, or use one of: ${known.join(', ')}.`,
    });
  }
  const targetDir = project['target-path'] ?? 'target';
  const rel = config.path ?? join(targetDir, `${project.name}.duckdb`);
  const path = isAbsolute(rel) ? rel : join(root, rel);
  return {
    name,
    type: 'duckdb',
    path,
    database: basename(path, extname(path)),
    threads: config.threads ?? 4,
    settings: config.settings ?? {},
  };
}
