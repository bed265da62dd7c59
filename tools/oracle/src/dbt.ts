import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runOracle, type ToolResult } from './venv';

export interface DbtOptions {
  /** The DuckDB file dbt-duckdb builds into; default `target/<project name>.duckdb`, as the engine does. */
  databasePath?: string;
  /** Extra keys of the dbt-duckdb output (`attach`, `settings`, `extensions`, `threads`). */
  output?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

interface DbtProjectFile {
  name: string;
  profile?: string;
  'target-path'?: string;
}

export function readDbtProject(projectDir: string): DbtProjectFile {
  return parse(readFileSync(join(projectDir, 'dbt_project.yml'), 'utf8')) as DbtProjectFile;
}

/**
 * Writes a profiles.yml for the project's profile with one dbt-duckdb output, `dev`, into
 * `<project>/.oracle/`, and returns that folder (passed as `--profiles-dir`).
 */
export function writeDuckdbProfile(projectDir: string, options: DbtOptions = {}): string {
  const project = readDbtProject(projectDir);
  const targetPath = project['target-path'] ?? 'target';
  const path = options.databasePath ?? join(targetPath, `${project.name}.duckdb`);
  const dir = join(projectDir, '.oracle');
  mkdirSync(dir, { recursive: true });
  const profile = {
    [project.profile ?? project.name]: {
      target: 'dev',
      outputs: { dev: { type: 'duckdb', path: isAbsolute(path) ? path : join(projectDir, path), threads: 4, ...options.output } },
    },
  };
  writeFileSync(join(dir, 'profiles.yml'), stringify(profile));
  return dir;
}

/** Runs the real dbt CLI (dbt-core + dbt-duckdb) on a project, as its users do: `dbt(dir, 'build')`. */
export function dbt(projectDir: string, args: string[], options: DbtOptions = {}): ToolResult {
  mkdirSync(join(projectDir, readDbtProject(projectDir)['target-path'] ?? 'target'), { recursive: true });
  const profiles = writeDuckdbProfile(projectDir, options);
  return runOracle('dbt', [...args, '--profiles-dir', profiles, '--project-dir', projectDir], {
    cwd: projectDir,
    env: options.env,
    timeoutMs: options.timeoutMs,
  });
}
