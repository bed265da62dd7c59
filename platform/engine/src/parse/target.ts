import { basename, extname, isAbsolute, join } from 'node:path';
import { MeshError } from '@mesh/errors';
import type { PostgresTargetConfig, ProjectFile, TargetConfig, TrinoTargetConfig } from '../load/schemas';

/**
 * How compiled SQL names a relation. `catalog`: `"database"."schema"."name"`, each project a catalog of
 * its own (DuckDB attaches one file per project). `schema-prefixed`: one database holds every project, so
 * the engine's database and schema fold into one schema, `"<database>_<schema>"."name"` (PostgreSQL,
 * which cannot query across databases).
 */
export type RelationStyle = 'catalog' | 'schema-prefixed';

/**
 * How a source with `external_location` is read. `read`: the engine reads the file in place
 * (`read_csv_auto(...)` in the SQL); `load`: the adapter loads it into a staging table before the run,
 * and the SQL names that table.
 */
export type ExternalSourceMode = 'read' | 'load';

export interface ResolvedTarget {
  name: string;
  type: 'duckdb' | 'postgres' | 'trino';
  /** Absolute path of the database file (duckdb targets; for others, where one would be). */
  path: string;
  /** The catalog name relations are quoted with: DuckDB's name of the attached file, or the project. */
  database: string;
  threads: number;
  settings: Record<string, string | number | boolean>;
  relations: RelationStyle;
  externalSources: ExternalSourceMode;
  /** The server to connect to (postgres targets). */
  postgres?: PostgresTargetConfig;
  /** The cluster to connect to, with the user and catalog filled in and paths made absolute (trino targets). */
  trino?: TrinoTargetConfig & { user: string; catalog: string };
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
  const rel = (config.type === 'duckdb' ? config.path : undefined) ?? join(targetDir, `${project.name}.duckdb`);
  const path = isAbsolute(rel) ? rel : join(root, rel);
  if (config.type === 'trino') {
    // One Iceberg catalog per domain: three-part names as on DuckDB, `"<catalog>"."<schema>"."<model>"`.
    const abs = (p: string) => (isAbsolute(p) ? p : join(root, p));
    const trino = {
      ...config,
      user: config.user ?? project.name,
      catalog: config.catalog ?? project.name,
      ca_file: config.ca_file === undefined ? undefined : abs(config.ca_file),
      staging: config.staging && { ...config.staging, path: abs(config.staging.path) },
    };
    return { name, type: 'trino', path, database: trino.catalog, threads: config.threads ?? 4, settings: {}, relations: 'catalog', externalSources: 'load', trino };
  }
  if (config.type === 'postgres') {
    // The project's name is its catalog: relations become `<project>_<schema>` in the shared database.
    return { name, type: 'postgres', path, database: project.name, threads: config.threads ?? 4, settings: {}, relations: 'schema-prefixed', externalSources: 'load', postgres: config };
  }
  return {
    name,
    type: 'duckdb',
    path,
    database: basename(path, extname(path)),
    threads: config.threads ?? 4,
    settings: config.settings ?? {},
    relations: 'catalog',
    externalSources: 'read',
  };
}
