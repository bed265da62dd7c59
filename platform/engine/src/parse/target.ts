import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { MeshError } from '@mesh/errors';
import type { PostgresTargetConfig, ProjectFile, TargetConfig, TrinoTargetConfig } from '../load/schemas';
import { profileOutput, type ProfileFile } from '../load/profiles';

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
  /** The schema nodes build into unless configured otherwise (`target.schema`; dbt-duckdb's default `main`). */
  schema: string;
  /** Other DuckDB databases to attach before the run (a dbt-duckdb output's `attach:`). */
  attach: Array<{ path: string; alias: string; readOnly: boolean }>;
  /** DuckDB extensions to load when the database opens (a dbt-duckdb output's `extensions:`). */
  extensions: string[];
  /** Where the target came from: the project file's `targets:`, a dbt profile, or the built-in `dev`. */
  source: { kind: 'project' | 'default' } | { kind: 'profile'; file: string; profile: string };
  /** Keys of a dbt profile the engine does not use, said once as warnings. */
  notes: MeshError[];
  /** dbt's `quoting:`: which parts of a relation's name compiled SQL quotes (all, unless the project says otherwise). */
  quoting?: { database?: boolean; schema?: boolean; identifier?: boolean };
  threads: number;
  settings: Record<string, string | number | boolean>;
  relations: RelationStyle;
  externalSources: ExternalSourceMode;
  /** The server to connect to (postgres targets). */
  postgres?: PostgresTargetConfig;
  /** The cluster to connect to, with the user and catalog filled in and paths made absolute (trino targets). */
  trino?: TrinoTargetConfig & { user: string; catalog: string };
  /** Where external models without a location write their files, as dbt-duckdb's `external_root` (default `.`). */
  externalRoot: string;
}

export interface TargetOptions {
  /** The dbt project's profiles.yml, when it has one (see findProfile). */
  profile?: ProfileFile;
  /** Renders a profile's Jinja (`{{ env_var('X') }}`). */
  render?: (text: string) => string;
  /** Where relative profile paths start: the folder the command runs in, as for dbt (default: the process's). */
  cwd?: string;
}

/** dbt-duckdb output keys the engine reads; the others are named in a warning. */
const PROFILE_KEYS = new Set(['type', 'path', 'database', 'schema', 'threads', 'settings', 'extensions', 'attach', 'external_root']);

/**
 * Picks the target: the project file's `targets:` (`--target`, else its `target:`, else `dev`), else the
 * output of a dbt project's profile, else `dev`, a DuckDB file under target/.
 */
export function resolveTarget(project: ProjectFile, root: string, requested?: string, options: TargetOptions = {}): ResolvedTarget {
  const target = pickTarget(project, root, requested, options);
  if (project.quoting) target.quoting = { database: project.quoting.database, schema: project.quoting.schema, identifier: project.quoting.identifier };
  return target;
}

function pickTarget(project: ProjectFile, root: string, requested: string | undefined, options: TargetOptions): ResolvedTarget {
  const targets: Record<string, TargetConfig> = project.targets ?? {};
  if (!project.targets && options.profile?.profile) {
    const fromProfile = profileTarget(options.profile, requested, options);
    if (fromProfile) return fromProfile;
  }
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
  const source = targets[name] ? { kind: 'project' as const } : { kind: 'default' as const };
  const common = { schema: 'main', attach: [], extensions: [], source, notes: [], externalRoot: '.' };
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
    return { name, type: 'trino', path, database: trino.catalog, threads: config.threads ?? 4, settings: {}, relations: 'catalog', externalSources: 'load', trino, ...common };
  }
  if (config.type === 'postgres') {
    // The project's name is its catalog: relations become `<project>_<schema>` in the shared database.
    return { name, type: 'postgres', path, database: project.name, threads: config.threads ?? 4, settings: {}, relations: 'schema-prefixed', externalSources: 'load', postgres: config, ...common };
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
    ...common,
    externalRoot: config.external_root ?? '.',
  };
}

/** A dbt-duckdb output as a target: its path from where the command runs, its schema, threads and settings. */
function profileTarget(profile: ProfileFile, requested: string | undefined, options: TargetOptions): ResolvedTarget | undefined {
  const selected = profileOutput(profile, requested, options.render);
  if (!selected) return undefined;
  const { name, output } = selected;
  const cwd = options.cwd ?? process.cwd();
  const memory = output.path === undefined || output.path === ':memory:';
  const path = memory ? ':memory:' : isAbsolute(output.path!) ? output.path! : resolve(cwd, output.path!);
  const notes: MeshError[] = [];
  const ignored = Object.keys(output).filter((k) => !PROFILE_KEYS.has(k));
  if (ignored.length) {
    notes.push(new MeshError('W_PROFILE_IGNORED', `profile '${profile.profileName}', output '${name}': ${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} not used by the engine`, {
      location: { file: profile.path, line: profile.lineOf([profile.profileName, 'outputs', name, ignored[0]!]) },
      hint: 'The build reads path, database, schema, threads, settings, extensions, attach and external_root of a dbt-duckdb output.',
    }));
  }
  return {
    name,
    type: 'duckdb',
    path,
    database: output.database ?? (memory ? 'memory' : basename(path, extname(path))),
    schema: output.schema ?? 'main',
    threads: output.threads ?? 1,
    settings: output.settings ?? {},
    relations: 'catalog',
    externalSources: 'read',
    attach: (output.attach ?? []).map((a) => {
      const p = isAbsolute(a.path) ? a.path : resolve(cwd, a.path);
      return { path: p, alias: a.alias ?? basename(p, extname(p)), readOnly: a.read_only === true };
    }),
    extensions: (output.extensions ?? []).map((e) => (typeof e === 'string' ? e : e.name)),
    source: { kind: 'profile', file: profile.path, profile: profile.profileName },
    notes,
    externalRoot: output.external_root ?? '.',
  };
}
