import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { findWorkspaceRoot, workspaceProjects } from '@mesh/contracts';
import { loadProject, parseProject } from '@mesh/engine';
import { MeshError } from '@mesh/errors';
import { loadIngestFile } from '@mesh/ingest';
import { declaredUpstreams } from '@mesh/loom';
import { MetadataStore, metadataPath, type RunRecord } from '@mesh/metadata';
import { parseCron, Scheduler, type ScheduledDomain, type SchedulerEvent, type Step, type Tick, type TickResult } from '@mesh/scheduler';
import { alertRun } from './alert';
import type { Output } from './commands';
import { clock } from './progress';
import { PARENT_RUN_ENV, recordRun } from './run-history';
import { when } from './runs-command';

export interface ScheduleFlags {
  workspace?: string;
  /** Run one tick of this domain now and exit, instead of running the schedules. */
  trigger?: string;
  /** Run every domain once now, upstreams first, and exit. */
  once?: boolean;
  /** With --once or --trigger: every step runs with --full-refresh (sources reloaded, incremental models rebuilt). */
  fullRefresh?: boolean;
}

interface WorkspaceDomain extends ScheduledDomain {
  root: string;
}

/**
 * The workspace's domains with their upstreams (as the loom finds them: package dependencies and
 * `upstreams:`) and their ingest.yml, read once at start: a change to a schedule needs a restart.
 */
export function workspaceDomains(workspaceRoot: string): WorkspaceDomain[] {
  const domains = workspaceProjects(workspaceRoot).map((root) => {
    const parsed = parseProject(loadProject(root, { cache: false }), { env: process.env });
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

/** `mesh schedule`: runs the domains' cron schedules until stopped (SIGINT, SIGTERM), one tick with --trigger, or every domain once with --once. */
export async function scheduleCommand(flags: ScheduleFlags, io: Output): Promise<number> {
  const start = resolve(flags.workspace ?? process.cwd());
  const workspaceRoot = findWorkspaceRoot(start) ?? start;
  const domains = workspaceDomains(workspaceRoot);
  const byName = new Map(domains.map((d) => [d.name, d]));
  const scheduler = new Scheduler({
    domains,
    newId: randomUUID,
    runStep: (step, tick) => runStep(step, tick, byName.get(step.domain)!.root, io, flags.fullRefresh ?? false),
    lastScheduled: (domain) => lastScheduled(byName.get(domain)!.root, domain),
    onTickEnd: (result) => recordTick(byName.get(result.domain)!.root, result, io),
    onEvent: (event) => log(event, io),
  });
  if (flags.once && flags.trigger) {
    throw new MeshError('E_SCHEDULE_FLAGS', '--once and --trigger cannot be used together', { hint: '--once runs every domain; --trigger <domain> runs one domain and what is downstream of it.' });
  }
  if (flags.fullRefresh && !flags.once && !flags.trigger) {
    throw new MeshError('E_SCHEDULE_FLAGS', '--full-refresh applies to one run: use it with --once or --trigger <domain>', { hint: 'A scheduler that reloads everything on every tick is never what a schedule means.' });
  }
  if (flags.once) return (await scheduler.runOnce()).status === 'success' ? 0 : 1;
  if (flags.trigger) {
    if (!byName.has(flags.trigger)) {
      throw new MeshError('E_SCHEDULE_DOMAIN', `no domain named '${flags.trigger}' in ${workspaceRoot}`, { hint: `Domains: ${[...byName.keys()].join(', ')}.` });
    }
    return (await scheduler.trigger(flags.trigger)).status === 'success' ? 0 : 1;
  }
  const scheduled = domains.filter((d) => d.schedule);
  if (!scheduled.length) {
    throw new MeshError('E_SCHEDULE_NONE', `no domain in ${workspaceRoot} has a schedule`, {
      hint: 'Add schedule: {cron: "0 6 * * *"} to a domain\'s ingest.yml (see "Ingestion, scheduling and runs" in the README).',
    });
  }
  io.out(`${clock()}  Scheduling ${scheduled.map((d) => `${d.name} (${d.schedule!.expression}${d.schedule!.timezone ? ` ${d.schedule!.timezone}` : ''})`).join(', ')}; Ctrl-C stops`);
  await scheduler.start();
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  io.out(`${clock()}  Stopping: waiting for the runs under way to finish`);
  await scheduler.stop();
  return 0;
}

/**
 * Each step is a child `mesh ingest` or `mesh build`: it takes the domain's lock (waiting for a build
 * someone started by hand), records its own run and sends its own alerts, and a crash in it cannot take
 * the scheduler down.
 */
function runStep(step: Step, tick: Tick, root: string, io: Output, fullRefresh: boolean): Promise<{ ok: boolean; message?: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [process.argv[1]!, step.kind, '--project-dir', root, '--wait', ...(fullRefresh ? ['--full-refresh'] : [])], {
      env: { ...process.env, [PARENT_RUN_ENV]: tick.id, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C stops the scheduler, which lets the runs under way finish.
      detached: true,
    });
    const prefix = `[${step.domain} ${step.kind}]`;
    createInterface({ input: child.stdout }).on('line', (line) => io.out(`${prefix} ${line}`));
    createInterface({ input: child.stderr }).on('line', (line) => io.err(`${prefix} ${line}`));
    child.on('error', (error) => done({ ok: false, message: `could not start: ${error.message}` }));
    child.on('close', (code, signal) => {
      if (signal) done({ ok: false, message: `killed by ${signal}` });
      else done(code === 0 ? { ok: true } : { ok: false, message: `exit code ${code}` });
    });
  });
}

async function lastScheduled(root: string, domain: string): Promise<Date | undefined> {
  const path = metadataPath(root);
  if (!existsSync(path)) return undefined;
  return MetadataStore.use(path, (store) => store.lastScheduled(domain));
}

/**
 * The tick is a run of the domain whose schedule fired, with one node per step. Its steps alerted for
 * themselves; the tick alerts only for a step that could not (killed, or never started).
 */
async function recordTick(root: string, result: TickResult, io: Output): Promise<void> {
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
  await recordRun(root, run, io);
  const unreported = result.steps.filter((s) => s.status === 'error' && /^(killed by|could not start)/.test(s.message ?? ''));
  if (unreported.length) await alertRun(root, { ...run, nodes: run.nodes.filter((n) => unreported.some((s) => n.uniqueId === `${s.kind}.${s.domain}`)) }, [], io);
}

function log(event: SchedulerEvent, io: Output): void {
  switch (event.kind) {
    case 'armed':
      io.out(`${clock()}  ${event.domain}: next run ${when(event.next)}`);
      return;
    case 'tick-start': {
      const what = event.tick.everyDomain ? 'every domain, once' : `${event.tick.domain}: ${event.tick.caughtUp ? 'catching up the run due' : 'run due'} ${when(event.tick.scheduledFor)}`;
      io.out(`${clock()}  ${what} (${event.tick.id.slice(0, 8)}): ${event.plan.map((s) => `${s.kind} ${s.domain}`).join(', ')}`);
      return;
    }
    case 'waiting':
      io.out(`${clock()}  ${event.tick.domain}: waiting for the run of ${event.domain} under way`);
      return;
    case 'step-end':
      io.out(`${clock()}  ${event.result.kind} ${event.result.domain}: ${event.result.status.toUpperCase()}${event.result.message ? ` (${event.result.message})` : ''}`);
      return;
    case 'tick-end':
      io.out(`${clock()}  ${event.result.everyDomain ? 'every domain' : event.result.domain}: run ${event.result.id.slice(0, 8)} ${event.result.status.toUpperCase()}${event.result.message ? `: ${event.result.message}` : ''}`);
      return;
    case 'step-start':
      return;
  }
}
