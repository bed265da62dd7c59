import { join } from 'node:path';
import { ORACLE_DIR, runOracle } from './venv';

export type ArtifactKind = 'manifest' | 'run_results' | 'catalog' | 'sources';

export interface ArtifactVerdict {
  kind: ArtifactKind;
  path: string;
  /** Every JSON-schema error, `nodes/<id>/<field>: message`; empty when valid. */
  errors: string[];
  /** Whether dbt-core's artifact class (`read_and_check_versions`) read the file. */
  loaded: boolean;
  load_error: string | null;
}

const SCRIPT = join(ORACLE_DIR, 'py', 'check_artifacts.py');

/**
 * Judges artifact files with dbt-core's own classes (`dbt.artifacts.schemas...`): validated against the
 * JSON schema each class generates, then read with its loader, as dbt-core reads a previous run's files.
 */
export function checkDbtArtifacts(files: Partial<Record<ArtifactKind, string>> | Array<[ArtifactKind, string]>, cwd = ORACLE_DIR): ArtifactVerdict[] {
  const args = (Array.isArray(files) ? files : Object.entries(files)).map(([kind, path]) => `${kind}=${path}`);
  const r = runOracle('python', [SCRIPT, ...args], { cwd });
  if (r.code !== 0) throw new Error(`check_artifacts.py failed:\n${r.output}`);
  return JSON.parse(r.stdout) as ArtifactVerdict[];
}

/** The JSON schemas dbt-core builds from its artifact classes, by kind. */
export function dbtJsonSchemas(): Record<ArtifactKind, Record<string, unknown>> {
  const r = runOracle('python', [SCRIPT, '--schemas'], { cwd: ORACLE_DIR });
  if (r.code !== 0) throw new Error(`check_artifacts.py failed:\n${r.output}`);
  return JSON.parse(r.stdout) as Record<ArtifactKind, Record<string, unknown>>;
}

/** A verdict as text for a failing test: each file's first errors and the loader's refusal. */
export function formatVerdicts(verdicts: ArtifactVerdict[], limit = 15): string {
  return verdicts
    .filter((v) => v.errors.length || !v.loaded)
    .map((v) => [`${v.kind} ${v.path}: ${v.errors.length} schema errors${v.loaded ? '' : `, not loaded: ${v.load_error}`}`, ...v.errors.slice(0, limit).map((e) => `  ${e}`)].join('\n'))
    .join('\n') || 'all valid';
}

/** The single-page docs site dbt-core ships (`dbt docs generate` copies it into target/). */
export function dbtDocsPage(): string {
  const r = runOracle('python', ['-c', 'import os, dbt.task.docs as d; print(os.path.join(os.path.dirname(d.__file__), "index.html"))'], { cwd: ORACLE_DIR });
  if (r.code !== 0) throw new Error(`cannot find dbt's docs page:\n${r.output}`);
  return r.stdout.trim();
}
