import type { CompiledProject, FreshnessResult, GraphNode, HookSql, NodeResult, SourceNode } from '@mesh/engine';
import type { SloResult } from '@mesh/governance';
import type { FileEvent } from '@mesh/ingest';
import type { PublishResult } from '@mesh/loom';
import type { LockHolder } from '@mesh/metadata';
import type { MeshError } from '@mesh/errors';

/**
 * What a command tells its face while it works. The pipeline prints nothing: the CLI turns these into
 * dbt's log lines, the scheduler prefixes them with the step, a server could stream them.
 */
export type PipelineEvent =
  /** Something the user should see that does not fail the command (compile warnings, undeliverable alerts, history not written). */
  | { kind: 'warning'; error: unknown }
  | { kind: 'lock-wait'; holder: LockHolder }
  | { kind: 'lock-stale'; holder: LockHolder }
  /** The project compiled; the database is about to open. */
  | { kind: 'compiled'; project: CompiledProject }
  | { kind: 'operation-start'; macro: string }
  /** A message the project logged while it was parsed (dbt's {{ log(..., info=true) }}). */
  | { kind: 'log'; message: string }
  /** An on-run-start or on-run-end hook starting (no result) or done. */
  | { kind: 'hook'; hook: HookSql; result?: NodeResult }
  | { kind: 'node-start'; node: GraphNode; index: number; total: number }
  | { kind: 'node-end'; node: GraphNode; result: NodeResult; index: number; total: number }
  /** The data product's SLOs measured after the run, and those whose models did not build. */
  | { kind: 'slos'; results: SloResult[]; unmeasured: SloResult[] }
  | { kind: 'published'; publication: Extract<PublishResult, { published: true }> }
  /** The gate (contract, SLOs) refused the publication: an error of the build. */
  | { kind: 'publish-refused'; error: MeshError }
  /** Nothing to publish, or not publishable, without it being a failure (no public models, a selection). */
  | { kind: 'not-published'; project: string; reason: string }
  | { kind: 'alert-sent'; event: 'run.failed' | 'slo.breached'; host: string; attempts: number }
  /** Sources with a freshness but no loaded_at_field: not checked. */
  | { kind: 'freshness-unmeasured'; sources: SourceNode[] }
  | { kind: 'freshness-start'; node: SourceNode; index: number; total: number }
  | { kind: 'freshness-end'; result: FreshnessResult; index: number; total: number }
  | { kind: 'ingest-start'; project: string; sources: number; path: string; fullRefresh: boolean }
  | { kind: 'ingest-file'; file: FileEvent; root: string }
  /** A failure the command carries on past (a file that did not load); its outcome says it failed. */
  | { kind: 'error'; error: MeshError };

export type Reporter = (event: PipelineEvent) => void;

/** For callers that want the outcome only. */
export const silent: Reporter = () => {};
