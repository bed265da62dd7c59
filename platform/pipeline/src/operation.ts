import { runOperation as runMacro, type OperationOutcome } from '@mesh/engine';
import { MeshError } from '@mesh/errors';
import { silent, type Reporter } from './events';
import { lockProject } from './lock';
import { projectOptions, type DatabaseOptions, type ProjectSelection } from './options';

export interface RunOperationOptions extends ProjectSelection, Omit<DatabaseOptions, 'origin'> {
  /** The macro as dbt names it: `name`, or `package.name`. */
  macro: string;
  /** Its keyword arguments. */
  args?: Record<string, unknown>;
}

export interface RunOperationResult {
  outcome: OperationOutcome;
  /** The macro's failure, with its file and line when the database said where. */
  error?: MeshError;
  ok: boolean;
}

/** `mesh run-operation`: a macro of the project or an installed package, called against its database under the project's lock. */
export async function runOperation(options: RunOperationOptions, report: Reporter = silent): Promise<RunOperationResult> {
  const lock = await lockProject(options.projectDir, 'run-operation', options.wait, report);
  try {
    report({ kind: 'operation-start', macro: options.macro });
    const outcome = await runMacro({ ...projectOptions(options), macro: options.macro, args: options.args ?? {}, openAdapter: options.openAdapter });
    for (const message of outcome.logs) report({ kind: 'log', message });
    if (outcome.result.status !== 'error') return { outcome, ok: true };
    const e = outcome.result.error;
    const error = new MeshError(e?.code ?? 'E_SQL', outcome.result.message, { hint: e?.hint, location: e?.file ? { file: e.file, line: e.line } : undefined });
    return { outcome, error, ok: false };
  } finally {
    lock.release();
  }
}
