import { baseMetadata, DBT_SCHEMA_URLS, type RunResults } from '@mesh/artifacts';
import type { NodeResult } from '../execute/results';

export interface RunResultsOptions {
  invocationId: string;
  startedAt: Date;
  elapsed: number;
  /** The invocation's arguments; `which` is the command, as dbt names it. */
  args: Record<string, unknown>;
}

/**
 * dbt's run_results.json, schema v6: one entry per executed node. A failed node's error code and hint
 * are the CLI's to print and the run history's to keep; the file carries dbt's message.
 */
export function buildRunResults(results: NodeResult[], options: RunResultsOptions): RunResults {
  return {
    metadata: baseMetadata(DBT_SCHEMA_URLS.runResults, options.invocationId, options.startedAt),
    results: results.map((r) => ({
      status: r.status,
      timing: [{ name: 'execute', started_at: r.started_at, completed_at: r.completed_at }],
      thread_id: r.thread_id,
      execution_time: r.execution_time,
      adapter_response: r.rows === undefined ? {} : { _message: r.message, rows_affected: r.rows },
      message: r.message,
      failures: r.failures ?? null,
      unique_id: r.unique_id,
      compiled: r.compiled_code !== undefined,
      compiled_code: r.compiled_code ?? null,
      relation_name: r.relation_name ?? null,
      batch_results: null,
    })),
    elapsed_time: options.elapsed,
    args: options.args,
  };
}
