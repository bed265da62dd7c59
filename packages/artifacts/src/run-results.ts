import { z } from 'zod';
import { baseMetadataShape } from './common';

/** dbt's run_results.json, schema v6 (`dbt.artifacts.schemas.run`). */

export const timingInfoSchema = z.looseObject({
  name: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});

export const RUN_STATUSES = ['success', 'error', 'skipped', 'pass', 'fail', 'warn', 'partial success', 'no-op', 'reused', 'runtime error'] as const;

export const runResultSchema = z.looseObject({
  status: z.enum(RUN_STATUSES),
  timing: z.array(timingInfoSchema),
  thread_id: z.string(),
  execution_time: z.number(),
  /** What the adapter reported: `rows_affected`, `code`, `_message`, as dbt-duckdb does. */
  adapter_response: z.record(z.string(), z.unknown()),
  message: z.string().nullable(),
  failures: z.number().int().nullable(),
  unique_id: z.string(),
  compiled: z.boolean().nullable(),
  compiled_code: z.string().nullable(),
  relation_name: z.string().nullable(),
  batch_results: z.unknown().optional(),
});
export type RunResult = z.infer<typeof runResultSchema>;

export const runResultsSchema = z.looseObject({
  metadata: z.looseObject(baseMetadataShape),
  results: z.array(runResultSchema),
  elapsed_time: z.number(),
  /** The invocation's arguments: `which` (the command), `select`, `exclude`, `target`, `vars`... */
  args: z.record(z.string(), z.unknown()),
});
export type RunResults = z.infer<typeof runResultsSchema>;
