import { z } from 'zod';
import { baseMetadataShape } from './common';
import { freshnessThresholdSchema } from './manifest';
import { timingInfoSchema } from './run-results';

/** dbt's sources.json, schema v3 (`dbt.artifacts.schemas.freshness`): what `source freshness` found. */

export const FRESHNESS_STATUSES = ['pass', 'warn', 'error', 'runtime error'] as const;
export type FreshnessStatus = (typeof FRESHNESS_STATUSES)[number];

export const freshnessOutputSchema = z.looseObject({
  unique_id: z.string(),
  /** The newest `loaded_at_field` value, as an ISO timestamp (UTC). */
  max_loaded_at: z.string(),
  /** When the database was asked, in its own clock. */
  snapshotted_at: z.string(),
  max_loaded_at_time_ago_in_s: z.number(),
  status: z.enum(FRESHNESS_STATUSES),
  criteria: freshnessThresholdSchema,
  adapter_response: z.record(z.string(), z.unknown()),
  timing: z.array(timingInfoSchema),
  thread_id: z.string(),
  execution_time: z.number(),
});
export type FreshnessOutput = z.infer<typeof freshnessOutputSchema>;

/** A source whose freshness could not be measured (the query failed). */
export const freshnessRuntimeErrorSchema = z.looseObject({
  unique_id: z.string(),
  error: z.union([z.string(), z.number()]).nullable(),
  status: z.literal('runtime error'),
});
export type FreshnessRuntimeError = z.infer<typeof freshnessRuntimeErrorSchema>;

export const sourcesSchema = z.looseObject({
  metadata: z.looseObject(baseMetadataShape),
  results: z.array(z.union([freshnessOutputSchema, freshnessRuntimeErrorSchema])),
  elapsed_time: z.number(),
});
export type SourcesArtifact = z.infer<typeof sourcesSchema>;
