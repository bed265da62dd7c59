import type { NodeResult } from '../execute/results';

export const RUN_RESULTS_SCHEMA_VERSION = 'https://mesh.dev/schemas/run-results/v1.json';

/** dbt's run_results.json shape: one entry per executed node. */
export function buildRunResults(results: NodeResult[], invocationId: string, elapsed: number, args: Record<string, unknown>) {
  return {
    metadata: {
      mesh_schema_version: RUN_RESULTS_SCHEMA_VERSION,
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
      generated_at: new Date().toISOString(),
      invocation_id: invocationId,
    },
    results: results.map((r) => ({
      unique_id: r.unique_id,
      status: r.status,
      timing: [{ name: 'execute', started_at: r.started_at, completed_at: r.completed_at }],
      thread_id: r.thread_id,
      execution_time: r.execution_time,
      adapter_response: r.rows === undefined ? {} : { rows_affected: r.rows },
      message: r.message,
      failures: r.failures ?? null,
      compiled: r.compiled_code !== undefined,
      compiled_code: r.compiled_code ?? null,
      relation_name: r.relation_name ?? null,
      error: r.error ?? null,
    })),
    elapsed_time: elapsed,
    args,
  };
}
