import { baseMetadata, DBT_SCHEMA_URLS, type SourcesArtifact } from '@mesh/artifacts';
import type { FreshnessResult } from '../execute/freshness';
import type { FreshnessPeriod } from '../types';

const period = (p: FreshnessPeriod | undefined) => (p ? { count: p.count, period: p.period } : null);

/** dbt's `+00:00` form of a UTC instant, as sources.json writes max_loaded_at and snapshotted_at. */
function utc(date: Date): string {
  return `${date.toISOString().slice(0, -1)}+00:00`;
}

export interface SourcesOptions {
  invocationId: string;
  startedAt: Date;
  elapsed: number;
}

/** dbt's sources.json, schema v3: each source's newest load time, its age and the status it earned. */
export function buildSources(results: FreshnessResult[], options: SourcesOptions): SourcesArtifact {
  return {
    metadata: baseMetadata(DBT_SCHEMA_URLS.sources, options.invocationId, options.startedAt),
    results: results.map((r) => {
      if (r.status === 'runtime error') return { unique_id: r.node.unique_id, error: r.error ?? 'the freshness query failed', status: 'runtime error' as const };
      return {
        unique_id: r.node.unique_id,
        max_loaded_at: utc(r.maxLoadedAt!),
        snapshotted_at: utc(r.snapshottedAt!),
        max_loaded_at_time_ago_in_s: r.ageSeconds!,
        status: r.status,
        criteria: { warn_after: period(r.criteria.warn_after), error_after: period(r.criteria.error_after), filter: r.criteria.filter ?? null },
        adapter_response: {},
        timing: [{ name: 'execute', started_at: r.started_at, completed_at: r.completed_at }],
        thread_id: 'Thread-1',
        execution_time: r.execution_time,
      };
    }),
    elapsed_time: options.elapsed,
  };
}
