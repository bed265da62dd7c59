import { runOracle, type ToolResult } from './venv';

/** Runs datacontract-cli (`datacontract lint <file>`, `datacontract test <file>`) from the venv. */
export function datacontract(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): ToolResult {
  return runOracle('datacontract', args, options);
}
