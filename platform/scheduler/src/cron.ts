import { Cron } from 'croner';
import { MeshError, type SourceLocation } from '@mesh/errors';

/** A domain's cron expression, read by croner in its timezone. */
export interface CronSchedule {
  readonly expression: string;
  readonly timezone?: string;
  /** The first time the schedule is due strictly after `after`. */
  next(after: Date): Date | undefined;
  /** The last time the schedule was due at or before `at`. */
  latestDue(at: Date): Date | undefined;
}

/** Parses and checks a cron expression and timezone at start, so a typo fails `mesh schedule` with its line, not at 3 a.m. */
export function parseCron(expression: string, timezone: string | undefined, location?: SourceLocation): CronSchedule {
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, paused: true });
    cron.nextRun();
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('. Original error')[0]!;
    throw new MeshError('E_SCHEDULE_CRON', `invalid schedule '${expression}'${timezone ? ` in ${timezone}` : ''}: ${message}`, {
      location,
      hint: 'Write five fields (minute hour day-of-month month day-of-week), or six with seconds first, e.g. "0 6 * * *"; a timezone is an IANA name such as Europe/Amsterdam.',
    });
  }
  return {
    expression,
    timezone,
    next: (after) => cron.nextRun(after) ?? undefined,
    latestDue: (at) => cron.previousRuns(1, new Date(at.getTime() + 1))[0],
  };
}
