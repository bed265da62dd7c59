import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '@mesh/cli';
import { REPO_ROOT } from '@mesh/testing';
import { checkCommand, readWorkspace, type CheapRun } from './check-command';
import { pageCommands } from './extract-commands';

const MESH = join(REPO_ROOT, 'platform', 'cli', 'bin', 'mesh.js');
const workspace = readWorkspace(REPO_ROOT, buildProgram());
const shown = pageCommands(REPO_ROOT);

/** The real binary on every mesh command the pages show: each answers --help, the read-only ones run as written. */
describe('the mesh commands README.md and docs/ show', () => {
  it('run as written where they are quick and change nothing (each mesh command at least with --help)', () => {
    const runs = new Map<string, CheapRun>();
    for (const c of shown) for (const r of checkCommand(c, workspace).runs) runs.set(`${r.cwd}\u0000${r.args.join(' ')}`, r);
    expect(runs.size).toBeGreaterThan(10);
    const failed: string[] = [];
    for (const r of runs.values()) {
      const result = spawnSync(process.execPath, [MESH, ...r.args], { cwd: r.cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
      if (result.status !== 0) failed.push(`mesh ${r.args.join(' ')} in ${r.cwd} exited ${result.status}:\n${result.stdout}${result.stderr}`);
    }
    expect(failed).toEqual([]);
  }, 120_000);
});
