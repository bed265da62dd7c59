import { MeshError } from '@mesh/errors';
import { systemClock, type Clock } from './clock';
import type { CronSchedule } from './cron';
import { downstreamOrder, workspaceOrder } from './domain-order';

export interface ScheduledDomain {
  name: string;
  /** Domains whose public models this one reads (its upstreams in the workspace). */
  upstreams: string[];
  /** Whether it declares ingest sources: only then does a run start with an ingest. */
  ingests: boolean;
  schedule?: CronSchedule;
  /** Run once at start when a scheduled time passed while the scheduler was down. */
  catchUp?: boolean;
}

export type StepKind = 'ingest' | 'build';

export interface Step {
  domain: string;
  kind: StepKind;
}

export interface StepResult extends Step {
  status: 'success' | 'error' | 'skipped';
  startedAt: Date;
  finishedAt: Date;
  message?: string;
}

/** One firing of a domain's schedule and what it ran. */
export interface Tick {
  id: string;
  domain: string;
  scheduledFor: Date;
  /** A run the scheduler missed while it was down, run once at start. */
  caughtUp: boolean;
  /**
   * A run of every domain (`mesh schedule --once`) rather than of `domain` and what is downstream of it;
   * `domain` is then the first domain it runs, where the run is recorded.
   */
  everyDomain?: boolean;
  startedAt: Date;
}

export interface TickResult extends Tick {
  finishedAt: Date;
  status: 'success' | 'error' | 'skipped';
  steps: StepResult[];
  /** Why a tick was skipped (its domain was still running). */
  message?: string;
}

export type SchedulerEvent =
  | { kind: 'armed'; domain: string; next: Date }
  | { kind: 'tick-start'; tick: Tick; plan: Step[] }
  | { kind: 'step-start'; tick: Tick; step: Step }
  | { kind: 'step-end'; tick: Tick; result: StepResult }
  | { kind: 'waiting'; tick: Tick; domain: string }
  | { kind: 'tick-end'; result: TickResult };

export interface SchedulerOptions {
  domains: ScheduledDomain[];
  /** Runs one step (in production a child `mesh ingest` or `mesh build`); resolves with its outcome. */
  runStep(step: Step, tick: Tick): Promise<{ ok: boolean; message?: string }>;
  /** When the domain's schedule was last due and run, from the metadata database: for catching up. */
  lastScheduled(domain: string): Promise<Date | undefined>;
  /** Told after every tick, skipped ones too (recording the run, alerting). */
  onTickEnd?(result: TickResult): Promise<void> | void;
  onEvent?(event: SchedulerEvent): void;
  clock?: Clock;
  newId?(): string;
}

/** setTimeout holds at most about 24.8 days; longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Fires each domain's cron schedule and runs, for the domain and every domain downstream of it, in
 * order: ingest (when it has sources), then build. A domain never runs twice at once: a tick whose own
 * domain is still running is skipped (as cron jobs with overlap protection are), and a chain that reaches
 * a domain busy with another chain waits for it, so downstream domains still see the new upstream data.
 * A failed step skips what is downstream of it.
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly domains: Map<string, ScheduledDomain>;
  private readonly upstreamsOf: Map<string, string[]>;
  private readonly busy = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, unknown>();
  private readonly running = new Set<Promise<TickResult>>();
  private stopped = false;
  private counter = 0;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.domains = new Map(options.domains.map((d) => [d.name, d]));
    this.upstreamsOf = new Map(options.domains.map((d) => [d.name, d.upstreams.filter((u) => this.domains.has(u))]));
  }

  /** The order a tick of `domain` runs its steps in; of every domain when none is named. */
  plan(domain?: string): Step[] {
    const domains = domain === undefined ? workspaceOrder(this.upstreamsOf) : downstreamOrder(this.upstreamsOf, domain);
    return domains.flatMap((d) => [
      ...(this.domains.get(d)?.ingests ? [{ domain: d, kind: 'ingest' as const }] : []),
      { domain: d, kind: 'build' as const },
    ]);
  }

  /** Catches up missed runs (where configured), then arms every schedule. */
  async start(): Promise<void> {
    const now = this.clock.now();
    for (const d of this.domains.values()) {
      if (!d.schedule) continue;
      if (d.catchUp) {
        const last = await this.options.lastScheduled(d.name);
        const due = last && d.schedule.next(last);
        const missed = due && due.getTime() <= now.getTime() ? d.schedule.latestDue(now) : undefined;
        if (missed) this.launch(d.name, missed, true);
      }
      this.arm(d, now);
    }
  }

  /** Stops firing and waits for the runs under way to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const handle of this.timers.values()) this.clock.clearTimer(handle);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  /** Runs a tick of `domain` now, as if its schedule had fired at `scheduledFor`. */
  trigger(domain: string, scheduledFor = this.clock.now(), caughtUp = false): Promise<TickResult> {
    return this.launch(domain, scheduledFor, caughtUp);
  }

  /** Runs every domain once now, each after its upstreams (ingest, then build): `mesh schedule --once`. */
  runOnce(): Promise<TickResult> {
    const first = this.plan()[0]?.domain;
    if (first === undefined) throw new MeshError('E_SCHEDULE_NONE', 'there is no domain to run', { hint: 'Run it at the root of a workspace that has domains.' });
    return this.launch(first, this.clock.now(), false, true);
  }

  private launch(domain: string, scheduledFor: Date, caughtUp: boolean, everyDomain = false): Promise<TickResult> {
    const run = this.tick({ id: this.options.newId?.() ?? `tick-${++this.counter}`, domain, scheduledFor, caughtUp, ...(everyDomain ? { everyDomain } : {}), startedAt: this.clock.now() });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  private arm(d: ScheduledDomain, after: Date): void {
    if (this.stopped || !d.schedule) return;
    const next = d.schedule.next(after);
    if (!next) return;
    this.options.onEvent?.({ kind: 'armed', domain: d.name, next });
    const wait = (): void => {
      const delay = next.getTime() - this.clock.now().getTime();
      if (delay > 0) {
        this.timers.set(d.name, this.clock.setTimer(wait, Math.min(delay, MAX_TIMER_MS)));
        return;
      }
      this.timers.delete(d.name);
      this.arm(d, next);
      void this.launch(d.name, next, false);
    };
    wait();
  }

  private async tick(tick: Tick): Promise<TickResult> {
    const plan = this.plan(tick.everyDomain ? undefined : tick.domain);
    const results: StepResult[] = [];
    const finish = async (status: TickResult['status'], message?: string): Promise<TickResult> => {
      const result: TickResult = { ...tick, finishedAt: this.clock.now(), status, steps: results, message };
      this.options.onEvent?.({ kind: 'tick-end', result });
      await this.options.onTickEnd?.(result);
      return result;
    };
    if (this.busy.has(tick.domain)) return finish('skipped', `the previous run of ${tick.domain} is still running`);
    this.options.onEvent?.({ kind: 'tick-start', tick, plan });
    let failed: string | undefined;
    for (const domain of [...new Set(plan.map((s) => s.domain))]) {
      const steps = plan.filter((s) => s.domain === domain);
      if (failed) {
        const at = this.clock.now();
        for (const step of steps) results.push({ ...step, status: 'skipped', startedAt: at, finishedAt: at, message: `${failed} failed` });
        continue;
      }
      const release = await this.acquire(domain, tick);
      try {
        for (const step of steps) {
          this.options.onEvent?.({ kind: 'step-start', tick, step });
          const startedAt = this.clock.now();
          let outcome: { ok: boolean; message?: string };
          try {
            outcome = await this.options.runStep(step, tick);
          } catch (error) {
            outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
          }
          const result: StepResult = { ...step, status: outcome.ok ? 'success' : 'error', startedAt, finishedAt: this.clock.now(), message: outcome.message };
          results.push(result);
          this.options.onEvent?.({ kind: 'step-end', tick, result });
          if (!outcome.ok) {
            failed = `${step.kind} of ${domain}`;
            break;
          }
        }
      } finally {
        release();
      }
    }
    return finish(failed ? 'error' : 'success');
  }

  /** One run per domain at a time; a chain waits here for a domain another chain is running. */
  private async acquire(domain: string, tick: Tick): Promise<() => void> {
    let told = false;
    while (this.busy.has(domain)) {
      if (!told) this.options.onEvent?.({ kind: 'waiting', tick, domain });
      told = true;
      await this.busy.get(domain);
    }
    let release!: () => void;
    this.busy.set(domain, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.busy.delete(domain);
      release();
    };
  }
}
