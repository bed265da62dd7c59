import { formatError, MeshError } from '@mesh/errors';
import { runOperation } from '@mesh/engine';
import { lockProject, openTargetAdapter, projectOptions, type CommonFlags, type Output } from './commands';
import { clock } from './progress';
import { parseVars } from './parse-vars';

/**
 * `mesh run-operation <macro> --args '{...}'`: calls a macro of the project or of an installed package at run
 * time, against the project's database, as `dbt run-operation` does.
 */
export async function runOperationCommand(macro: string, flags: CommonFlags & { args?: string; wait?: boolean }, io: Output): Promise<number> {
  let args: Record<string, unknown>;
  try {
    args = parseVars(flags.args);
  } catch (error) {
    throw new MeshError('E_CLI_ARGS', ((error as MeshError).message ?? '').replace('--vars', '--args'), { hint: "Pass the macro's keyword arguments as a mapping: --args '{table: orders, days: 7}'." });
  }
  const lock = await lockProject(flags.projectDir, 'run-operation', flags, io);
  try {
    io.out(`${clock()}  Running with the macro ${macro}`);
    const outcome = await runOperation({ ...projectOptions(flags), macro, args, openAdapter: (target) => openTargetAdapter(target) });
    for (const line of outcome.logs) io.out(`${clock()}  ${line}`);
    if (outcome.result.status === 'error') {
      const e = outcome.result.error;
      io.err(formatError(new MeshError(e?.code ?? 'E_SQL', outcome.result.message, { hint: e?.hint, location: e?.file ? { file: e.file, line: e.line } : undefined })));
      return 1;
    }
    return 0;
  } finally {
    lock.release();
  }
}
