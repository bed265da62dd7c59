import type { Dag } from '../graph/dag';
import type { FreshnessPeriod, FreshnessRule, SourceNode } from '../types';
import { relationSql, type RelationNaming } from '../compile/relations';
import type { Adapter } from './adapter';

export type FreshnessStatus = 'pass' | 'warn' | 'error' | 'runtime error';

/** What `source freshness` found for one source table. */
export interface FreshnessResult {
  node: SourceNode;
  status: FreshnessStatus;
  /** The newest load time; the year 1 when the table holds no rows, which is stale past any threshold (as dbt). */
  maxLoadedAt?: Date;
  snapshottedAt?: Date;
  ageSeconds?: number;
  criteria: FreshnessRule;
  /** The database's error, for a runtime error. */
  error?: string;
  started_at: string;
  completed_at: string;
  execution_time: number;
}

const SECONDS: Record<FreshnessPeriod['period'], number> = { minute: 60, hour: 3600, day: 86400 };

/** dbt's rule: stale past error_after is an error, else past warn_after a warning; "past" is strictly older. */
export function freshnessStatus(rule: FreshnessRule, ageSeconds: number): 'pass' | 'warn' | 'error' {
  const exceeded = (p: FreshnessPeriod | undefined) => p !== undefined && ageSeconds > p.count * SECONDS[p.period];
  if (exceeded(rule.error_after)) return 'error';
  if (exceeded(rule.warn_after)) return 'warn';
  return 'pass';
}

/** Sources with a threshold to check: a freshness block with warn_after or error_after. */
export function freshnessSources(dag: Dag, selected: Set<string>, project: string): SourceNode[] {
  return [...dag.nodes.values()].filter(
    (n): n is SourceNode => n.resource_type === 'source' && n.package_name === project && selected.has(n.unique_id) && !!n.freshness && (!!n.freshness.warn_after || !!n.freshness.error_after),
  );
}

/** The SQL whose value is the newest load time: dbt's `max(loaded_at_field)` under the filter, or the loaded_at_query. */
export function maxLoadedAtSql(node: SourceNode, naming: RelationNaming): string | undefined {
  if (node.loaded_at_query) return node.loaded_at_query;
  if (!node.loaded_at_field) return undefined;
  const where = node.freshness?.filter ? ` WHERE ${node.freshness.filter}` : '';
  return `SELECT max(${node.loaded_at_field}) FROM ${relationSql(node, naming)}${where}`;
}

/** A table with no rows was loaded "infinitely long ago", as dbt reads a missing value. */
const YEAR_ONE = new Date('0001-01-01T00:00:00Z');

export interface FreshnessEvents {
  onStart?(node: SourceNode, index: number, total: number): void;
  onEnd?(result: FreshnessResult, index: number, total: number): void;
}

/** Measures each source in turn: one query, run in the database, for its newest load time and its now. */
export async function measureFreshness(sources: SourceNode[], adapter: Adapter, naming: RelationNaming, events: FreshnessEvents = {}): Promise<FreshnessResult[]> {
  const out: FreshnessResult[] = [];
  for (const [i, node] of sources.entries()) {
    events.onStart?.(node, i + 1, sources.length);
    const t0 = performance.now();
    const started = new Date();
    const criteria = node.freshness!;
    const sql = maxLoadedAtSql(node, naming)!;
    let result: FreshnessResult;
    try {
      const { maxLoadedAt, now } = await adapter.loadedAt(sql);
      const newest = maxLoadedAt ?? YEAR_ONE;
      const ageSeconds = (now.getTime() - newest.getTime()) / 1000;
      result = { node, status: freshnessStatus(criteria, ageSeconds), maxLoadedAt: newest, snapshottedAt: now, ageSeconds, criteria, started_at: started.toISOString(), completed_at: new Date().toISOString(), execution_time: (performance.now() - t0) / 1000 };
    } catch (error) {
      result = { node, status: 'runtime error', criteria, error: (error as Error).message.split('\n')[0], started_at: started.toISOString(), completed_at: new Date().toISOString(), execution_time: (performance.now() - t0) / 1000 };
    }
    out.push(result);
    events.onEnd?.(result, i + 1, sources.length);
  }
  return out;
}
