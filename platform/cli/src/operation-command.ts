import { formatError, MeshError } from '@mesh/errors';
import { runOperation } from '@mesh/pipeline';
import { openTargetAdapter, selection, type CommonFlags, type Output } from './commands';
import { parseVars } from './parse-vars';
import { printEvent } from './print-events';

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
  const result = await runOperation({ ...selection(flags), macro, args, wait: flags.wait, openAdapter: (target) => openTargetAdapter(target) }, (event) => printEvent(event, io));
  if (result.error) io.err(formatError(result.error));
  return result.ok ? 0 : 1;
}
