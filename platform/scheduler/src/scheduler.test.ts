import { describe, expect, it } from 'vitest';
import { FakeClock, sleep } from './clock';
import { parseCron } from './cron';
import { downstreamOrder, workspaceOrder } from './domain-order';
import { Scheduler, type ScheduledDomain, type Step, type TickResult } from './scheduler';
import { formatError } from '@mesh/errors';

const MIN = 60_000;
const start = new Date('2026-03-02T00:00:00Z');

/** The Teddy mesh: sales reads inventory, finance reads both. */
const graph = new Map([['inventory', []], ['sales', ['inventory']], ['finance', ['inventory', 'sales']]]);

function mesh(clock: FakeClock, domains: ScheduledDomain[], options: { stepMs?: (s: Step) => number; fail?: (s: Step) => boolean; last?: Record<string, Date> } = {}) {
  const log: string[] = [];
  const ticks: TickResult[] = [];
  let running = 0;
  let maxRunning = 0;
  const active = new Set<string>();
  const scheduler = new Scheduler({
    domains,
    clock,
    runStep: async (step) => {
      // The no-overlap rule, checked where it matters: a domain is never in two steps at once.
      expect(active.has(step.domain)).toBe(false);
      active.add(step.domain);
      maxRunning = Math.max(maxRunning, ++running);
      log.push(`${clock.now().toISOString().slice(11, 16)} ${step.kind} ${step.domain}`);
      await sleep(clock, options.stepMs?.(step) ?? MIN);
      running--;
      active.delete(step.domain);
      return options.fail?.(step) ? { ok: false, message: 'exit code 1' } : { ok: true };
    },
    lastScheduled: async (d) => options.last?.[d],
    onTickEnd: (r) => void ticks.push(r),
  });
  return { scheduler, log, ticks, maxRunning: () => maxRunning };
}

const domain = (name: string, cron?: string, extra: Partial<ScheduledDomain> = {}): ScheduledDomain => ({
  name, upstreams: graph.get(name) ?? [], ingests: false, schedule: cron ? parseCron(cron, 'UTC') : undefined, ...extra,
});

describe('domain order', () => {
  it('runs a domain and then everything downstream of it, upstreams first', () => {
    expect(downstreamOrder(graph, 'inventory')).toEqual(['inventory', 'sales', 'finance']);
    expect(downstreamOrder(graph, 'sales')).toEqual(['sales', 'finance']);
    expect(downstreamOrder(graph, 'finance')).toEqual(['finance']);
  });
});

describe('scheduler', () => {
  it('fires on the cron expression and runs ingest then build for the domain and its downstream domains in order', async () => {
    const clock = new FakeClock(start);
    const { scheduler, log, ticks } = mesh(clock, [domain('inventory', '0 * * * *', { ingests: true }), domain('sales', undefined, { ingests: true }), domain('finance')]);
    await scheduler.start();
    await clock.advance(2 * 60 * MIN + 30 * MIN);
    await scheduler.stop();
    expect(log).toEqual([
      '01:00 ingest inventory', '01:01 build inventory', '01:02 ingest sales', '01:03 build sales', '01:04 build finance',
      '02:00 ingest inventory', '02:01 build inventory', '02:02 ingest sales', '02:03 build sales', '02:04 build finance',
    ]);
    expect(ticks.map((t) => [t.domain, t.scheduledFor.toISOString(), t.status, t.steps.length])).toEqual([
      ['inventory', '2026-03-02T01:00:00.000Z', 'success', 5],
      ['inventory', '2026-03-02T02:00:00.000Z', 'success', 5],
    ]);
  });

  it('never overlaps a run of the same domain: a tick of a domain still running is skipped', async () => {
    const clock = new FakeClock(start);
    // Every 10 minutes, but a build takes 25: the 00:20 tick finds 00:10's still running.
    const { scheduler, log, ticks, maxRunning } = mesh(clock, [domain('finance', '*/10 * * * *')], { stepMs: () => 25 * MIN });
    await scheduler.start();
    await clock.advance(65 * MIN);
    await scheduler.stop();
    expect(log).toEqual(['00:10 build finance', '00:40 build finance']);
    // In the order they finished: the skipped ones at once, each run when its build was done.
    expect(ticks.map((t) => `${t.scheduledFor.toISOString().slice(11, 16)} ${t.status}`)).toEqual([
      '00:20 skipped', '00:30 skipped', '00:10 success', '00:50 skipped', '01:00 skipped', '00:40 success',
    ]);
    expect(ticks[0]!.message).toBe('the previous run of finance is still running');
    expect(maxRunning()).toBe(1);
  });

  it('lets a chain wait for a downstream domain another chain is running, then run it after', async () => {
    const clock = new FakeClock(start);
    const { scheduler, log } = mesh(clock, [domain('inventory', '0 1 * * *'), domain('sales'), domain('finance', '58 0 * * *')], { stepMs: (s) => (s.domain === 'finance' ? 5 * MIN : MIN) });
    await scheduler.start();
    await clock.advance(2 * 60 * MIN);
    await scheduler.stop();
    // finance (00:58-01:03) still runs when inventory's chain reaches it at 01:02: it waits until 01:03.
    expect(log).toEqual(['00:58 build finance', '01:00 build inventory', '01:01 build sales', '01:03 build finance']);
  });

  it('runs every domain once, upstreams first, as one run recorded on the first (mesh schedule --once)', async () => {
    const clock = new FakeClock(start);
    // Two roots: an independent domain runs too, once, and finance is built once, after both of its upstreams.
    const { scheduler, log, ticks } = mesh(clock, [domain('sales', undefined, { ingests: true }), domain('finance'), domain('inventory', '0 6 * * *', { ingests: true }), domain('crm', undefined, { ingests: true })]);
    expect(workspaceOrder(graph)).toEqual(['inventory', 'sales', 'finance']);
    const result = scheduler.runOnce();
    await clock.advance(10 * MIN);
    const tick = await result;
    expect(log).toEqual(['00:00 ingest crm', '00:01 build crm', '00:02 ingest inventory', '00:03 build inventory', '00:04 ingest sales', '00:05 build sales', '00:06 build finance']);
    expect([tick.domain, tick.everyDomain, tick.status]).toEqual(['crm', true, 'success']);
    expect(ticks).toHaveLength(1);
  });

  it('skips what is downstream of a failed step', async () => {
    const clock = new FakeClock(start);
    const { scheduler, ticks } = mesh(clock, [domain('inventory'), domain('sales'), domain('finance')], { fail: (s) => s.domain === 'sales' });
    const result = scheduler.trigger('inventory');
    await clock.advance(10 * MIN);
    const tick = await result;
    expect(tick.status).toBe('error');
    expect(tick.steps.map((s) => `${s.kind} ${s.domain} ${s.status}`)).toEqual(['build inventory success', 'build sales error', 'build finance skipped']);
    expect(tick.steps[2]!.message).toBe('build of sales failed');
    expect(ticks).toHaveLength(1);
  });

  it('runs one missed run at start when catch_up is set, from the last scheduled run', async () => {
    const clock = new FakeClock(new Date('2026-03-02T09:30:00Z'));
    // Hourly; the scheduler last ran the 06:00 tick and was down for 07:00, 08:00 and 09:00.
    const { scheduler, log, ticks } = mesh(clock, [domain('sales', '0 * * * *', { catchUp: true }), domain('finance', '0 * * * *')], { last: { sales: new Date('2026-03-02T06:00:00Z'), finance: new Date('2026-03-02T06:00:00Z') } });
    await scheduler.start();
    await clock.advance(20 * MIN);
    await scheduler.stop();
    expect(log).toEqual(['09:30 build sales', '09:31 build finance']);
    expect(ticks.map((t) => [t.domain, t.scheduledFor.toISOString(), t.caughtUp])).toEqual([['sales', '2026-03-02T09:00:00.000Z', true]]);
  });

  it('does not catch up when nothing was missed, or when it never ran', async () => {
    const clock = new FakeClock(new Date('2026-03-02T09:30:00Z'));
    const { scheduler, log } = mesh(clock, [domain('sales', '0 * * * *', { catchUp: true }), domain('inventory', '0 * * * *', { catchUp: true })], { last: { sales: new Date('2026-03-02T09:00:00Z') } });
    await scheduler.start();
    await clock.advance(10 * MIN);
    await scheduler.stop();
    expect(log).toEqual([]);
  });

  it('refuses a bad cron expression or timezone with the place it was written', () => {
    expect(formatError((() => { try { parseCron('61 * * * *', undefined, { file: 'ingest.yml', line: 4 }); } catch (e) { return e; } })()))
      .toContain("error[E_SCHEDULE_CRON] ingest.yml:4: invalid schedule '61 * * * *': CronPattern: Invalid value for minute: 61");
    expect(() => parseCron('0 * * * *', 'Mars/Olympus')).toThrow(/invalid schedule '0 \* \* \* \*' in Mars\/Olympus/);
  });

  it('reads the expression in its timezone', () => {
    const cron = parseCron('0 6 * * *', 'Europe/Amsterdam');
    expect(cron.next(new Date('2026-03-02T00:00:00Z'))?.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(cron.latestDue(new Date('2026-03-02T05:00:00Z'))?.toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });
});
