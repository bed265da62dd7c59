/** The six months the demo company's history covers. */
export const FIRST_DAY = '2026-01-01';
export const LAST_DAY = '2026-06-30';

export interface Day {
  /** YYYY-MM-DD, precomputed because millions of rows print it. */
  iso: string;
  /** 0 for the first month of the range. */
  month: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
}

const MS_PER_DAY = 86_400_000;

function buildDays(): Day[] {
  const first = Date.parse(`${FIRST_DAY}T00:00:00Z`);
  const last = Date.parse(`${LAST_DAY}T00:00:00Z`);
  const firstMonth = new Date(first).getUTCMonth();
  const days: Day[] = [];
  for (let t = first; t <= last; t += MS_PER_DAY) {
    const date = new Date(t);
    days.push({
      iso: date.toISOString().slice(0, 10),
      month: date.getUTCMonth() - firstMonth,
      weekday: date.getUTCDay(),
    });
  }
  return days;
}

export const DAYS: readonly Day[] = buildDays();
export const MONTH_COUNT = (DAYS.at(-1)?.month ?? 0) + 1;

/** Indexes into DAYS of every day of one month of the range. */
export function daysOfMonth(month: number): number[] {
  const indexes: number[] = [];
  DAYS.forEach((day, index) => {
    if (day.month === month) indexes.push(index);
  });
  return indexes;
}

/** YYYY-MM-DD of a day index; a bad index is a bug in a generator, hence the throw. */
export function isoDate(dayIndex: number): string {
  const day = DAYS[dayIndex];
  if (!day) throw new RangeError(`day index ${dayIndex} is outside ${FIRST_DAY}..${LAST_DAY}`);
  return day.iso;
}
