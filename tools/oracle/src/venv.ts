import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The oracle's virtual environment, made by `bash tools/oracle/setup.sh` (which `.ci/run` calls). */
export const ORACLE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const VENV = join(ORACLE_DIR, '.venv');

export function oracleBin(name: string): string {
  return join(VENV, 'bin', name);
}

export function hasOracle(): boolean {
  return existsSync(oracleBin('dbt')) && existsSync(oracleBin('datacontract'));
}

/** Tests that judge against dbt fail, never skip, where the oracle is missing: a skipped judge proves nothing. */
export function requireOracle(): void {
  if (!hasOracle()) {
    throw new Error(`the dbt/datacontract oracle is not installed in ${VENV}: run \`bash tools/oracle/setup.sh\` (\`bash .ci/run\` does it)`);
  }
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

/** The environment every oracle runs in: no telemetry, no version checks, no colour. */
export function oracleEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    DO_NOT_TRACK: '1',
    DBT_VERSION_CHECK: 'false',
    DBT_USE_COLORS: 'false',
    NO_COLOR: '1',
    PATH: `${join(VENV, 'bin')}:${process.env.PATH ?? ''}`,
    VIRTUAL_ENV: VENV,
    ...extra,
  };
}

/** Runs a program of the venv (`dbt`, `datacontract`, `python`) and waits for it. */
export function runOracle(program: string, args: string[], options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number }): ToolResult {
  requireOracle();
  const r = spawnSync(oracleBin(program), args, {
    cwd: options.cwd,
    encoding: 'utf8',
    env: oracleEnv(options.env),
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}\n${r.stderr}` };
}
