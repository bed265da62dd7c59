import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { findWorkspaceRoot, workspaceProjects } from '@mesh/contracts';
import { loadProject, parseProject } from '@mesh/engine';
import { isMeshError, MeshError } from '@mesh/errors';
import { loadIngestFile } from '@mesh/ingest';
import { declaredUpstreams } from '@mesh/loom';
import { MetadataStore, metadataPath, type RunRecord } from '@mesh/metadata';
import { parseCron, Scheduler, type ScheduledDomain, type SchedulerEvent, type Step, type Tick, type TickResult } from '@mesh/scheduler';
import { alertRun } from './alert';
import type { PipelineEvent } from './events';
import { ingest, type IngestResult } from './ingest';
import type { OpenAdapter } from './options';
import { recordRun } from './run-history';
import { build, type DomainRunResult } from './run';

export interface WorkspaceDomain extends ScheduledDomain {
  root: string;
}

/** The scheduler's own events, and each step's pipeline events tagged with the step. */
export type ScheduleEvent =
  | SchedulerEvent
  | { kind: 'step-event'; step: Step; event: PipelineEvent }
  /** A step that ran to its end (failed nodes included), with what its command returns. */
  | { kind: 'step-outcome'; step: Step; outcome: { kind: 'ingest'; result: IngestResult } | { kind: 'build'; result: DomainRunResult } }
  /** About the schedule's own bookkeeping (its history, its alerts), not a step's. */
  | { kind: 'schedule-event'; domain: string; event: PipelineEvent };

export type ScheduleReporter = (event: ScheduleEvent) => void;

export interface ScheduleOptions {
  /** A folder in the workspace: the workspace holding it is scheduled. */
  workspace: string;
  openAdapter: OpenAdapter;
  /** Every step reloads its sources and rebuilds incremental models (one run, never a standing schedule). */
  fullRefresh?: boolean;
  env?: Record<string, string | undefined>;
}

/**
 * The workspace's domains with their upstreams (as the loom finds them: package dependencies and
 * `upstreams:`) and their ingest.yml, read once at start: a change to a schedule needs a restart.
 */
export function workspaceDomains(workspaceRoot: string, env: Record<string, string | undefined> = process.env): WorkspaceDomain[] {
  const domains = workspaceProjects(workspaceRoot).map((root) => {
    const parsed = parseProject(loadProject(root, { cache: false }), { env });
    const config = loadIngestFile(root);
    const s = config?.schedule;
    return {
      root,
      name: parsed.name,
      upstreams: declaredUpstreams(parsed).map((u) => u.name),
      ingests: Boolean(config?.sources.length),
      schedule: s && config ? parseCron(s.cron, s.timezone, { file: config.file, line: config.lineOf(['schedule', 'cron']) }) : undefined,
      catchUp: s?.catch_up,
    };
  });
  const names = new Set(domains.map((d) => d.name));
  return domains.map((d) => ({ ...d, upstreams: d.upstreams.filter((u) => names.has(u)) }));
}

/** A workspace under its schedules: every domain once, one domain and its downstreams, or the cron schedules until stopped. */
export interface WorkspaceSchedule {
  workspaceRoot: string;
  domains: WorkspaceDomain[];
  /** Every domain once now, upstreams first (ingest, then build): `mesh schedule --once`. */
  runOnce(): Promise<TickResult>;
  /** One run of the domain and what is downstream of it now: `mesh schedule --trigger`. */
  trigger(domain: string): Promise<TickResult>;
  /** Arms the cron schedules; fails when no domain has one. Returns the domains scheduled. */
  start(): Promise<WorkspaceDomain[]>;
  /** Stops firing and waits for the runs under way to finish. */
  stop(): Promise<void>;
}

/**
 * Each step is the pipeline's `ingest` or `build` of the domain, run here: it takes the domain's lock
 * (waiting for a build someone started by hand), records its own run, pointing back at the tick, and
 * sends its own alerts. The tick is recorded as a `schedule` run of the domain whose schedule fired.
 */
export function scheduleWorkspace(options: ScheduleOptions, report: ScheduleReporter = () => {}): WorkspaceSchedule {
  const workspaceRoot = findWorkspaceRoot(options.workspace) ?? options.workspace;
  const env = options.env ?? process.env;
  const domains = workspaceDomains(workspaceRoot, env);
  const byName = new Map(domains.map((d) => [d.name, d]));
  // Steps that failed before they could record a run of their own (a lock never freed): the tick alerts for them.
  const unrecorded = new Set<string>();
  const runStep = async (step: Step, tick: Tick): Promise<{ ok: boolean; message?: string }> => {
    const stepReport = (event: PipelineEvent) => report({ kind: 'step-event', step, event });
    const stepOptions = {
      projectDir: byName.get(step.domain)!.root,
      wait: true,
      fullRefresh: options.fullRefresh,
      openAdapter: options.openAdapter,
      origin: { trigger: 'schedule', parentRunId: tick.id },
      env,
    } as const;
    try {
      if (step.kind === 'ingest') {
        const result = await ingest(stepOptions, stepReport);
        report({ kind: 'step-outcome', step, outcome: { kind: 'ingest', result } });
        return result.ok ? { ok: true } : { ok: false, message: `${result.report.errors.length} file${result.report.errors.length === 1 ? '' : 's'} failed to load` };
      }
      const result = await build(stepOptions, stepReport);
      report({ kind: 'step-outcome', step, outcome: { kind: 'build', result } });
      return result.ok ? { ok: true } : { ok: false, message: buildFailure(result) };
    } catch (error) {
      const typed = isMeshError(error) ? error : new MeshError('E_STEP_FAILED', error instanceof Error ? error.message : String(error));
      stepReport({ kind: 'error', error: typed });
      if (typed.code === 'E_PROJECT_LOCKED') unrecorded.add(`${step.kind}.${step.domain}.${tick.id}`);
      return { ok: false, message: `[${typed.code}] ${typed.message}` };
    }
  };
  const scheduler = new Scheduler({
    domains,
    newId: randomUUID,
    runStep,
    lastScheduled: (domain) => lastScheduled(byName.get(domain)!.root, domain),
    onTickEnd: (result) => recordTick(byName.get(result.domain)!.root, result, unrecorded, env, (event) => report({ kind: 'schedule-event', domain: result.domain, event })),
    onEvent: report,
  });
  return {
    workspaceRoot,
    domains,
    runOnce: () => scheduler.runOnce(),
    trigger: (domain) => {
      if (!byName.has(domain)) {
        throw new MeshError('E_SCHEDULE_DOMAIN', `no domain named '${domain}' in ${workspaceRoot}`, { hint: `Domains: ${[...byName.keys()].join(', ')}.` });
      }
      return scheduler.trigger(domain);
    },
    start: async () => {
      const scheduled = domains.filter((d) => d.schedule);
      if (!scheduled.length) {
        throw new MeshError('E_SCHEDULE_NONE', `no domain in ${workspaceRoot} has a schedule`, {
          hint: 'Add schedule: {cron: "0 6 * * *"} to a domain\'s ingest.yml (see "Ingestion, scheduling and runs" in docs/operations.md).',
        });
      }
      await scheduler.start();
      return scheduled;
    },
    stop: () => scheduler.stop(),
  };
}

function buildFailure(result: DomainRunResult): string {
  const failed = result.outcome.results.filter((r) => r.status === 'error' || r.status === 'fail').length;
  const parts = [...(failed ? [`${failed} node${failed === 1 ? '' : 's'} failed`] : []), ...(result.refused ? [`not published: ${result.refused}`] : [])];
  return parts.join('; ');
}

async function lastScheduled(root: string, domain: string): Promise<Date | undefined> {
  const path = metadataPath(root);
  if (!existsSync(path)) return undefined;
  return MetadataStore.use(path, (store) => store.lastScheduled(domain));
}

/**
 * The tick is a run of the domain whose schedule fired, with one node per step. Its steps alerted for
 * themselves; the tick alerts only for a step that could not.
 */
async function recordTick(root: string, result: TickResult, unrecorded: Set<string>, env: Record<string, string | undefined>, report: (event: PipelineEvent) => void): Promise<void> {
  const run: RunRecord = {
    runId: result.id,
    project: result.domain,
    command: 'schedule',
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    status: result.status,
    message: result.message ?? (result.caughtUp ? 'caught up a run missed while the scheduler was down' : result.everyDomain ? 'every domain, once (mesh schedule --once)' : undefined),
    trigger: 'schedule',
    scheduledFor: result.scheduledFor,
    nodes: result.steps.map((s) => ({
      uniqueId: `${s.kind}.${s.domain}`,
      resourceType: 'step',
      status: s.status,
      elapsedS: (s.finishedAt.getTime() - s.startedAt.getTime()) / 1000,
      finishedAt: s.finishedAt,
      message: s.message,
    })),
  };
  await recordRun(root, run, report);
  const key = (s: Step) => `${s.kind}.${s.domain}.${result.id}`;
  const alone = result.steps.filter((s) => s.status === 'error' && unrecorded.has(key(s)));
  for (const s of result.steps) unrecorded.delete(key(s));
  if (alone.length) await alertRun(root, { ...run, nodes: run.nodes.filter((n) => alone.some((s) => n.uniqueId === `${s.kind}.${s.domain}`)) }, [], report, env);
}
