import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { writeDuckdbProfile } from '@mesh/oracle';
import { MESH_BIN } from '../paths';
import { firstError } from './run-project';

/**
 * What stands behind the first error mesh stops a project at. A compile stops at its first error, so a
 * project refused for an unknown dbt_project.yml key shows nothing of what would fail next. Here, in a
 * scratch copy that is never measured, each blocker a mechanical edit can remove (an unknown top-level key,
 * a python model file) is removed and `mesh compile` run again, until it compiles or stops at one no edit
 * can remove. The chain tells the engineers the order in which the fixes unlock the project.
 */
export interface Blocker {
  error: string;
  /** The edit made to look behind it, or undefined for the last blocker. */
  removed?: string;
}

const MAX_ROUNDS = 8;

function compile(projectDir: string): { code: number; error?: string } {
  const r = spawnSync(MESH_BIN, ['compile', '--profiles-dir', writeDuckdbProfile(projectDir)], { cwd: projectDir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  return { code: r.status ?? -1, error: r.status === 0 ? undefined : firstError(output) ?? output.trim().split('\n').slice(-2).join(' / ') };
}

/** The edit that removes this blocker, applied; undefined when no mechanical edit can. */
function peel(projectDir: string, error: string): string | undefined {
  const keys = /dbt_project\.yml:\d+: project file: \(top level\): unknown keys? ((?:'[^']+'(?:, )?)+)/.exec(error);
  if (keys) {
    const names = [...keys[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    const file = join(projectDir, 'dbt_project.yml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    for (const name of names) doc.delete(name);
    writeFileSync(file, doc.toString());
    return `removed ${names.map((n) => `'${n}'`).join(', ')} from dbt_project.yml`;
  }
  const python = /python models are not supported: (\S+\.py)/.exec(error);
  if (python && existsSync(join(projectDir, python[1]!))) {
    rmSync(join(projectDir, python[1]!));
    return `deleted ${python[1]}`;
  }
  return undefined;
}

export function probeBlockers(checkout: string, projectSubdir: string, scratch: string): Blocker[] {
  const root = join(scratch, 'probe');
  cpSync(checkout, root, { recursive: true, verbatimSymlinks: true });
  const projectDir = join(root, projectSubdir);
  const chain: Blocker[] = [];
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const r = compile(projectDir);
      if (r.code === 0) {
        if (chain.length) chain.push({ error: 'compiles' });
        return chain;
      }
      const removed = peel(projectDir, r.error!);
      chain.push({ error: r.error!, removed });
      if (!removed) return chain;
    }
    return chain;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
