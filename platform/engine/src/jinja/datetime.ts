import { PyError, splitArgs } from './python';

/**
 * Python's `datetime` as dbt templates reach it: `run_started_at`, `modules.datetime`, `modules.pytz`, and the
 * dates and timestamps a `run_query` returns. Printing follows Python (`2024-01-31`, `2024-01-31 12:00:00+00:00`),
 * so values interpolated into SQL read as they do under dbt.
 */

const pad = (n: number, width = 2) => String(Math.trunc(Math.abs(n))).padStart(width, '0');
const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export class PyTimezone {
  constructor(
    readonly zone: string,
    /** Fixed offset in minutes, or undefined for a named zone whose offset depends on the date. */
    readonly fixedOffset?: number,
  ) {}

  /** Minutes east of UTC at the given UTC instant. */
  offsetAt(utcMillis: number): number {
    if (this.fixedOffset !== undefined) return this.fixedOffset;
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: this.zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(utcMillis));
    const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return Math.round((local - Math.floor(utcMillis / 1000) * 1000) / 60000);
  }

  pyStr(): string {
    return this.zone;
  }

  /** pytz's `localize(naive)`: the naive datetime read as local time in this zone. */
  localize(dt: PyDateTime): PyDateTime {
    const naive = dt.naiveMillis();
    const offset = this.offsetAt(naive - this.offsetAt(naive) * 60000);
    return new PyDateTime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond, this, offset);
  }
}

export const UTC = new PyTimezone('UTC', 0);

export class PyTimedelta {
  constructor(readonly micros: number) {}
  get days(): number {
    return Math.floor(this.micros / 86_400_000_000);
  }
  get seconds(): number {
    return Math.floor((this.micros - this.days * 86_400_000_000) / 1_000_000);
  }
  total_seconds(): number {
    return this.micros / 1_000_000;
  }
  pyStr(): string {
    const days = this.days;
    const rest = Math.floor((this.micros - days * 86_400_000_000) / 1_000_000);
    const hms = `${Math.floor(rest / 3600)}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
    return days ? `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${hms}` : hms;
  }
}

export class PyDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}

  static parse(text: string): PyDate {
    const m = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(text);
    if (!m) throw new PyError('ValueError', `invalid date '${text}'`);
    return new PyDate(Number(m[1]), Number(m[2]), Number(m[3]));
  }

  protected utcMillis(): number {
    return Date.UTC(this.year, this.month - 1, this.day);
  }

  weekday(): number {
    return (new Date(this.utcMillis()).getUTCDay() + 6) % 7;
  }

  isoweekday(): number {
    return this.weekday() + 1;
  }

  isoformat(): string {
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
  }

  strftime(format: unknown): string {
    return strftime(String(format), this.fields());
  }

  protected fields(): StrftimeFields {
    return { year: this.year, month: this.month, day: this.day, hour: 0, minute: 0, second: 0, microsecond: 0, weekday: this.weekday(), offset: undefined, zone: '' };
  }

  replace(...raw: unknown[]): PyDate {
    const { kwargs } = splitArgs(raw);
    return new PyDate(Number(kwargs.year ?? this.year), Number(kwargs.month ?? this.month), Number(kwargs.day ?? this.day));
  }

  plus(delta: PyTimedelta): PyDate {
    const d = new Date(this.utcMillis() + Math.floor(delta.micros / 1000));
    return new PyDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  }

  pyStr(): string {
    return this.isoformat();
  }

  pyEq(other: unknown): boolean {
    return other instanceof PyDate && !(other instanceof PyDateTime) && other.isoformat() === this.isoformat();
  }
}

export class PyDateTime extends PyDate {
  constructor(
    year: number,
    month: number,
    day: number,
    readonly hour = 0,
    readonly minute = 0,
    readonly second = 0,
    readonly microsecond = 0,
    readonly tzinfo: PyTimezone | null = null,
    /** Minutes east of UTC, fixed when the datetime was made. */
    readonly offset: number | undefined = tzinfo ? tzinfo.offsetAt(Date.UTC(year, month - 1, day, hour, minute, second)) : undefined,
  ) {
    super(year, month, day);
  }

  static override parse(text: string): PyDateTime {
    const m = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
    if (!m) throw new PyError('ValueError', `invalid datetime '${text}'`);
    const us = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
    let tz: PyTimezone | null = null;
    if (m[8]) {
      const sign = m[8].startsWith('-') ? -1 : 1;
      const digits = m[8] === 'Z' ? '0000' : m[8].slice(1).replace(':', '').padEnd(4, '0');
      const minutes = m[8] === 'Z' ? 0 : sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
      tz = minutes === 0 ? UTC : new PyTimezone(`UTC${m[8]}`, minutes);
    }
    return new PyDateTime(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), us, tz);
  }

  static fromUtcMillis(ms: number, tz: PyTimezone | null, micros = 0): PyDateTime {
    const offset = tz ? tz.offsetAt(ms) : 0;
    const d = new Date(ms + offset * 60000);
    return new PyDateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), micros || d.getUTCMilliseconds() * 1000, tz, tz ? offset : undefined);
  }

  naiveMillis(): number {
    return Date.UTC(this.year, this.month - 1, this.day, this.hour, this.minute, this.second, Math.floor(this.microsecond / 1000));
  }

  /** The UTC instant; a naive datetime is read as UTC. */
  utcInstant(): number {
    return this.naiveMillis() - (this.offset ?? 0) * 60000;
  }

  protected override fields(): StrftimeFields {
    return { ...super.fields(), hour: this.hour, minute: this.minute, second: this.second, microsecond: this.microsecond, offset: this.offset, zone: this.tzinfo?.zone ?? '' };
  }

  date(): PyDate {
    return new PyDate(this.year, this.month, this.day);
  }

  timestamp(): number {
    return this.utcInstant() / 1000;
  }

  astimezone(tz?: unknown): PyDateTime {
    const zone = tz instanceof PyTimezone ? tz : UTC;
    return PyDateTime.fromUtcMillis(this.utcInstant(), zone, this.microsecond);
  }

  override replace(...raw: unknown[]): PyDateTime {
    const { kwargs } = splitArgs(raw);
    const n = (k: string, v: number) => Number(kwargs[k] ?? v);
    const tz = 'tzinfo' in kwargs ? ((kwargs.tzinfo as PyTimezone | null) ?? null) : this.tzinfo;
    return new PyDateTime(n('year', this.year), n('month', this.month), n('day', this.day), n('hour', this.hour), n('minute', this.minute), n('second', this.second), n('microsecond', this.microsecond), tz);
  }

  override plus(delta: PyTimedelta): PyDateTime {
    const micros = this.microsecond + (delta.micros % 1000);
    return PyDateTime.fromUtcMillis(this.utcInstant() + Math.floor(delta.micros / 1000), this.tzinfo, ((micros % 1_000_000) + 1_000_000) % 1_000_000);
  }

  override isoformat(sep: unknown = 'T'): string {
    const frac = this.microsecond ? `.${pad(this.microsecond, 6)}` : '';
    return `${super.isoformat()}${String(sep)}${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}${frac}${offsetText(this.offset, ':')}`;
  }

  override pyStr(): string {
    return this.isoformat(' ');
  }

  override pyEq(other: unknown): boolean {
    return other instanceof PyDateTime && other.utcInstant() === this.utcInstant() && other.microsecond === this.microsecond;
  }
}

function offsetText(offset: number | undefined, sep: string): string {
  if (offset === undefined) return '';
  const sign = offset < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${sep}${pad(Math.abs(offset) % 60)}`;
}

interface StrftimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  weekday: number;
  offset: number | undefined;
  zone: string;
}

function dayOfYear(f: StrftimeFields): number {
  return Math.round((Date.UTC(f.year, f.month - 1, f.day) - Date.UTC(f.year, 0, 1)) / 86_400_000) + 1;
}

function strftime(format: string, f: StrftimeFields): string {
  return format.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
    switch (c) {
      case 'Y': return pad(f.year, 4);
      case 'y': return pad(f.year % 100);
      case 'm': return pad(f.month);
      case 'd': return pad(f.day);
      case 'H': return pad(f.hour);
      case 'I': return pad(f.hour % 12 || 12);
      case 'p': return f.hour < 12 ? 'AM' : 'PM';
      case 'M': return pad(f.minute);
      case 'S': return pad(f.second);
      case 'f': return pad(f.microsecond, 6);
      case 'j': return pad(dayOfYear(f), 3);
      case 'a': return DAY_NAMES[f.weekday]!.slice(0, 3);
      case 'A': return DAY_NAMES[f.weekday]!;
      case 'w': return String((f.weekday + 1) % 7);
      case 'u': return String(f.weekday + 1);
      case 'b': return MONTH_NAMES[f.month - 1]!.slice(0, 3);
      case 'B': return MONTH_NAMES[f.month - 1]!;
      case 'z': return offsetText(f.offset, '');
      case 'Z': return f.zone;
      case '%': return '%';
      default: return whole;
    }
  });
}

function timedelta(...raw: unknown[]): PyTimedelta {
  const { args, kwargs } = splitArgs(raw);
  const v = (name: string, i: number) => Number(kwargs[name] ?? args[i] ?? 0);
  const micros = v('days', 0) * 86_400_000_000 + v('seconds', 1) * 1_000_000 + v('microseconds', 2) + v('milliseconds', 3) * 1000
    + v('minutes', 4) * 60_000_000 + v('hours', 5) * 3_600_000_000 + v('weeks', 6) * 604_800_000_000;
  return new PyTimedelta(micros);
}

function timezoneOf(name: unknown): PyTimezone {
  const zone = String(name);
  if (zone.toUpperCase() === 'UTC') return UTC;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new PyError('ValueError', `unknown time zone '${zone}'`);
  }
  return new PyTimezone(zone);
}

/** `datetime - timedelta`, `datetime + timedelta`, `datetime - datetime`, as Python computes them. */
export function temporalArithmetic(a: unknown, b: unknown, sign: 1 | -1): unknown {
  if (a instanceof PyDate && b instanceof PyTimedelta) return a.plus(new PyTimedelta(sign * b.micros));
  if (sign === 1 && a instanceof PyTimedelta && b instanceof PyDate) return b.plus(a);
  if (sign === -1 && a instanceof PyDateTime && b instanceof PyDateTime) return new PyTimedelta((a.utcInstant() - b.utcInstant()) * 1000 + (a.microsecond % 1000) - (b.microsecond % 1000));
  if (sign === -1 && a instanceof PyDate && b instanceof PyDate) return new PyTimedelta((Date.UTC(a.year, a.month - 1, a.day) - Date.UTC(b.year, b.month - 1, b.day)) * 1000);
  if (a instanceof PyTimedelta && b instanceof PyTimedelta) return new PyTimedelta(a.micros + sign * b.micros);
  return undefined;
}

/** `modules.datetime`: the datetime, date, timedelta and timezone types, as far as dbt code uses them. */
export function datetimeModule(now: () => PyDateTime): Record<string, unknown> {
  const datetime = Object.assign(
    (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      const n = (name: string, i: number, fallback = 0) => Number(kwargs[name] ?? args[i] ?? fallback);
      const tz = (kwargs.tzinfo ?? args[7] ?? null) as PyTimezone | null;
      const dt = new PyDateTime(n('year', 0), n('month', 1), n('day', 2), n('hour', 3), n('minute', 4), n('second', 5), n('microsecond', 6), null);
      return tz ? tz.localize(dt) : dt;
    },
    {
      now: (tz?: unknown) => (tz instanceof PyTimezone ? now().astimezone(tz) : now().astimezone(UTC).replace({ tzinfo: null, __keywords: true })),
      utcnow: () => now().astimezone(UTC).replace({ tzinfo: null, __keywords: true }),
      today: () => now().astimezone(UTC).replace({ tzinfo: null, __keywords: true }),
      strptime: (text: unknown) => PyDateTime.parse(String(text)),
      fromisoformat: (text: unknown) => PyDateTime.parse(String(text)),
      fromtimestamp: (seconds: unknown, tz?: unknown) => PyDateTime.fromUtcMillis(Number(seconds) * 1000, tz instanceof PyTimezone ? tz : null),
    },
  );
  const date = Object.assign((year: unknown, month: unknown, day: unknown) => new PyDate(Number(year), Number(month), Number(day)), {
    today: () => now().date(),
    fromisoformat: (text: unknown) => PyDate.parse(String(text)),
  });
  return { datetime, date, timedelta, timezone: { utc: UTC } };
}

export const pytzModule = { timezone: timezoneOf, utc: UTC, UTC };
