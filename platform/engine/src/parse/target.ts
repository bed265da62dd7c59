import { isAbsolute, join } from 'node:path';
import { MeshError } from '@mesh/errors';
import type { ProjectFile, TargetConfig } from '../load/schemas';
import { profileOutput, type ProfileFile } from '../load/profiles';
import type { EngineDialect, EngineTarget } from '../engines/engine-plugin';
import { defaultEngine, engineOf } from '../engines/registry';

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
  /** The engine that builds it: a registered engine's type (see registerEngine). */
  type: string;
  /** Absolute path of the database file, for engines that keep one; for others, where one would be. */
  path: string;
  /** The catalog name relations are quoted with: DuckDB's name of the attached file, or the project. */
  database: string;
  /** The schema nodes build into unless configured otherwise (`target.schema`; dbt-duckdb's default `main`). */
  schema: string;
  /** Where the target came from: the project file's `targets:`, a dbt profile, or the built-in `dev`. */
  source: { kind: 'project' | 'default' } | { kind: 'profile'; file: string; profile: string };
  /** Keys of a dbt profile the engine does not use, said once as warnings. */
  notes: MeshError[];
  /** dbt's `quoting:`: which parts of a relation's name compiled SQL quotes (all, unless the project says otherwise). */
  quoting?: { database?: boolean; schema?: boolean; identifier?: boolean };
  threads: number;
  relations: RelationStyle;
  externalSources: ExternalSourceMode;
  /** Where external models without a location write their files, as dbt-duckdb's `external_root` (default `.`). */
  externalRoot: string;
  /** The engine's SQL and error texts. */
  dialect: EngineDialect;
  /** The engine's own settings for opening the database, as its plugin resolved them; read only by that plugin. */
  options: unknown;
}

export interface TargetOptions {
  /** The dbt project's profile, when it has one (see findProfile). */
  profile?: ProfileFile;
  /** Renders a profile's Jinja (`{{ env_var('X') }}`). */
  render?: (text: string) => string;
  /** Where relative profile paths start: the folder the command runs in, as for dbt (default: the process's). */
  cwd?: string;
}

/**
 * Picks the target: the project file's `targets:` (`--target`, else its `target:`, else `dev`), else the
 * output of a dbt project's profile, else `dev`, the default engine's (a DuckDB file under target/).
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
  // 'dev' is always there: the default engine's target with its defaults, unless the project defines its own.
  const config = targets[name] ?? (name === 'dev' ? { type: defaultEngine().type } : undefined);
  if (!config) {
    const known = [...new Set(['dev', ...Object.keys(targets)])];
    throw new MeshError('E_TARGET_UNKNOWN', `target '${name}' is not defined`, {
      hint: `Define it under targets: in the project file, or use one of: ${known.join(', ')}.`,
    });
  }
  const engine = engineOf(config.type);
  const targetDir = project['target-path'] ?? 'target';
  const rel = join(targetDir, `${project.name}.duckdb`);
  const defaultPath = isAbsolute(rel) ? rel : join(root, rel);
  // Validated by the project file's schema already, but a project built in code (tests, tools) is not.
  const parsed = engine.targetSchema.safeParse(config);
  if (!parsed.success) {
    throw new MeshError('E_TARGET_INVALID', `target '${name}' (${config.type}): ${parsed.error.issues.map((i) => `${i.path.join('.') || 'target'}: ${i.message}`).join('; ')}`, {
      hint: `Check targets.${name} in the project file against the ${engine.title} target's keys (docs/engines.md).`,
    });
  }
  const resolved = engine.resolveTarget(parsed.data, { name, project, root, defaultPath });
  const source = targets[name] ? { kind: 'project' as const } : { kind: 'default' as const };
  return fromEngine(name, config.type, resolved, defaultPath, source, engine.dialect);
}

function fromEngine(name: string, type: string, t: EngineTarget<unknown>, defaultPath: string, source: ResolvedTarget['source'], dialect: EngineDialect): ResolvedTarget {
  return {
    name,
    type,
    path: t.path ?? defaultPath,
    database: t.database,
    schema: t.schema ?? 'main',
    source,
    notes: t.notes ?? [],
    threads: t.threads,
    relations: t.relations,
    externalSources: t.externalSources,
    externalRoot: t.externalRoot ?? '.',
    dialect,
    options: t.options,
  };
}

/** A dbt profile's output as a target, by the engine its `type` names: its path from where the command runs. */
function profileTarget(profile: ProfileFile, requested: string | undefined, options: TargetOptions): ResolvedTarget | undefined {
  const selected = profileOutput(profile, requested, options.render);
  if (!selected) return undefined;
  const { name, output, engine, support } = selected;
  const cwd = options.cwd ?? process.cwd();
  const resolved = support.resolve(output, { name, cwd });
  const notes = [...(resolved.notes ?? [])];
  const ignored = Object.keys(output as Record<string, unknown>).filter((k) => !support.keys.includes(k));
  if (ignored.length) {
    notes.push(new MeshError('W_PROFILE_IGNORED', `profile '${profile.profileName}', output '${name}': ${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} not used by the engine`, {
      location: { file: profile.path, line: profile.lineOf([profile.profileName, 'outputs', name, ignored[0]!]) },
      hint: `The build reads ${support.keys.slice(0, -1).join(', ')} and ${support.keys.at(-1)} of a ${engine.type} output.`,
    }));
  }
  const target = fromEngine(name, engine.type, { ...resolved, notes }, resolved.path ?? ':memory:', { kind: 'profile', file: profile.path, profile: profile.profileName }, engine.dialect);
  return target;
}
