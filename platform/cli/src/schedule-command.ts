import { resolve } from 'node:path';
import { MeshError } from '@mesh/errors';
import { scheduleWorkspace, type ScheduleEvent } from '@mesh/pipeline';
import { openTargetAdapter, printRunEnd, runningLines, type Output } from './commands';
import { ingestSummary } from './ingest-command';
import { printEvent } from './print-events';
import { clock } from './progress';
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

/** `mesh schedule`: runs the domains' cron schedules until stopped (SIGINT, SIGTERM), one tick with --trigger, or every domain once with --once. */
export async function scheduleCommand(flags: ScheduleFlags, io: Output): Promise<number> {
  if (flags.once && flags.trigger) {
    throw new MeshError('E_SCHEDULE_FLAGS', '--once and --trigger cannot be used together', { hint: '--once runs every domain; --trigger <domain> runs one domain and what is downstream of it.' });
  }
  if (flags.fullRefresh && !flags.once && !flags.trigger) {
    throw new MeshError('E_SCHEDULE_FLAGS', '--full-refresh applies to one run: use it with --once or --trigger <domain>', { hint: 'A scheduler that reloads everything on every tick is never what a schedule means.' });
  }
  const schedule = scheduleWorkspace({
    workspace: resolve(flags.workspace ?? process.cwd()),
    openAdapter: (target) => openTargetAdapter(target),
    fullRefresh: flags.fullRefresh,
  }, (event) => log(event, io));
  if (flags.once) return (await schedule.runOnce()).status === 'success' ? 0 : 1;
  if (flags.trigger) return (await schedule.trigger(flags.trigger)).status === 'success' ? 0 : 1;
  const scheduled = await schedule.start();
  io.out(`${clock()}  Scheduling ${scheduled.map((d) => `${d.name} (${d.schedule!.expression}${d.schedule!.timezone ? ` ${d.schedule!.timezone}` : ''})`).join(', ')}; Ctrl-C stops`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  io.out(`${clock()}  Stopping: waiting for the runs under way to finish`);
  await schedule.stop();
  return 0;
}

/** A step's lines carry the step, as `[sales build]`, since domains run side by side. */
function prefixed(prefix: string, io: Output): Output {
  return { out: (line) => io.out(`${prefix} ${line}`), err: (line) => io.err(`${prefix} ${line}`) };
}

function log(event: ScheduleEvent, io: Output): void {
  switch (event.kind) {
    case 'step-event': {
      const step = prefixed(`[${event.step.domain} ${event.step.kind}]`, io);
      if (event.event.kind === 'compiled') for (const line of runningLines('build', event.event.project)) step.out(line);
      else printEvent(event.event, step);
      return;
    }
    case 'step-outcome': {
      const step = prefixed(`[${event.step.domain} ${event.step.kind}]`, io);
      if (event.outcome.kind === 'ingest') step.out(ingestSummary(event.outcome.result.report));
      else printRunEnd(event.outcome.result, step);
      return;
    }
    case 'schedule-event':
      printEvent(event.event, prefixed(`[${event.domain} schedule]`, io));
      return;
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
