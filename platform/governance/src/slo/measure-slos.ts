import type { AdapterSession } from '@mesh/engine';
import type { SloMeasurement } from '@mesh/metadata';
import type { DataProduct } from '../data-product';
import { parseDuration } from '../duration';
import type { SloModel, SloSetupProblem, SloTarget } from './slo-targets';

/**
 * Measures the SLOs on the built tables. Every figure is computed by the database (counts, a maximum);
 * only one row of aggregates per model comes back, never the data.
 */

export interface MeasureOptions {
  now: Date;
  /** When each model last built successfully, for freshness measured by load time. */
  lastBuilt: Map<string, Date>;
}

export interface SloResult extends SloMeasurement {
  onBreach: 'fail' | 'warn';
}

const qi = (name: string) => `"${name.replaceAll('"', '""')}"`;
const pct = (x: number) => `${(Math.floor(x * 10000) / 100).toString()}%`;

/** `93600` seconds reads as `1d 2h`: the two largest units are enough to judge staleness. */
export function formatAge(seconds: number): string {
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(seconds));
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n && parts.length < 2) parts.push(`${n}${unit}`);
    else if (parts.length) break;
  }
  return parts.join(' ') || '0s';
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
  return undefined;
}

async function completeness(session: AdapterSession, target: SloTarget, model: SloModel, columns: string[], min: number): Promise<SloResult[]> {
  const counts = columns.map((c, i) => `count(${qi(c)}) AS c${i}`).join(', ');
  const row = (await session.query(`SELECT count(*) AS total, ${counts} FROM ${model.relation}`))[0]!;
  const total = Number(row.total);
  return columns.map((column, i) => {
    const present = Number(row[`c${i}`]);
    const share = total === 0 ? 1 : present / total;
    const pass = share >= min;
    return {
      slo: 'completeness', model: model.name, column, measured: share, objective: `>= ${min}`, status: pass ? 'pass' : 'breach', onBreach: target.onBreach,
      message: `${pct(share)} of ${total.toLocaleString('en-US')} rows have ${column} (${(total - present).toLocaleString('en-US')} null); the objective is at least ${pct(min)}`,
    };
  });
}

async function freshness(session: AdapterSession, target: SloTarget, model: SloModel, column: string | undefined, maxAge: string, options: MeasureOptions): Promise<SloResult> {
  const limit = parseDuration(maxAge) / 1000;
  const base = { slo: 'freshness' as const, model: model.name, column, objective: `<= ${maxAge}`, onBreach: target.onBreach };
  let latest: Date | undefined;
  let what: string;
  if (column) {
    const value = (await session.query(`SELECT max(${qi(column)}) AS latest FROM ${model.relation}`))[0]?.latest;
    if (value === null || value === undefined) return { ...base, status: 'breach', message: `${column} has no value in any row, so the data's age is unknown` };
    latest = toDate(value);
    if (!latest) return { ...base, status: 'error', message: `${column} holds ${String(value)}, which is not a date or timestamp` };
    what = `the newest ${column} (${latest.toISOString().replace('T', ' ').replace(/\.000Z$/, ' UTC')})`;
  } else {
    latest = options.lastBuilt.get(model.uniqueId);
    if (!latest) return { ...base, status: 'breach', message: 'no successful build of the model is recorded' };
    what = `the last load (${latest.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')})`;
  }
  const age = (options.now.getTime() - latest.getTime()) / 1000;
  const pass = age <= limit;
  return { ...base, measured: age, status: pass ? 'pass' : 'breach', message: `${what} is ${formatAge(age)} old; the objective is at most ${maxAge}` };
}

async function rowCount(session: AdapterSession, target: SloTarget, model: SloModel, min: number | undefined, max: number | undefined): Promise<SloResult> {
  const rows = Number((await session.query(`SELECT count(*) AS n FROM ${model.relation}`))[0]!.n);
  const objective = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `>= ${min}` : `<= ${max}`;
  const pass = (min === undefined || rows >= min) && (max === undefined || rows <= max);
  const range = min !== undefined && max !== undefined ? `between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}` : min !== undefined ? `at least ${min.toLocaleString('en-US')}` : `at most ${max!.toLocaleString('en-US')}`;
  return { slo: 'row_count', model: model.name, measured: rows, objective, status: pass ? 'pass' : 'breach', onBreach: target.onBreach, message: `${rows.toLocaleString('en-US')} rows; the objective is ${range}` };
}

export async function measureSlos(
  session: AdapterSession,
  product: DataProduct,
  setup: { targets: SloTarget[]; problems: SloSetupProblem[] },
  options: MeasureOptions,
): Promise<SloResult[]> {
  const slos = product.slos;
  const out: SloResult[] = setup.problems.map((p) => ({ slo: p.slo, model: p.model, column: p.column, objective: '', status: 'error', onBreach: p.onBreach, message: p.message }));
  if (!slos) return out;
  const described = new Map<string, string[]>();
  const columnsOf = async (model: SloModel) => {
    if (!described.has(model.uniqueId)) described.set(model.uniqueId, (await session.describe(`SELECT * FROM ${model.relation}`)).map((c) => c.name));
    return described.get(model.uniqueId)!;
  };
  const find = (columns: string[], name: string) => columns.find((c) => c.toLowerCase() === name.toLowerCase());
  const problem = (target: SloTarget, model: string, message: string, column?: string): SloResult =>
    ({ slo: target.slo, model, column, objective: '', status: 'error', onBreach: target.onBreach, message });

  for (const target of setup.targets) {
    const matched = new Set<string>();
    for (const model of target.models) {
      try {
        const actual = await columnsOf(model);
        if (target.slo === 'completeness') {
          const columns = target.columns ? target.columns.map((c) => find(actual, c)).filter((c): c is string => c !== undefined) : model.required;
          columns.forEach((c) => matched.add(c.toLowerCase()));
          if (columns.length) out.push(...(await completeness(session, target, model, columns, slos.completeness!.min)));
        } else if (target.slo === 'freshness') {
          const wanted = target.columns?.[0];
          const column = wanted ? find(actual, wanted) : undefined;
          if (wanted && !column) {
            // A column named without a model applies to the ports that have it; a named model must have it.
            if (target.named) out.push(problem(target, model.name, `model '${model.name}' has no column '${wanted}'`, wanted));
            continue;
          }
          if (column) matched.add(column.toLowerCase());
          out.push(await freshness(session, target, model, column, slos.freshness!.max_age, options));
        } else {
          out.push(await rowCount(session, target, model, slos.row_count!.min, slos.row_count!.max));
        }
      } catch (error) {
        out.push(problem(target, model.name, `could not be measured: ${(error as Error).message.split('\n')[0]}`));
      }
    }
    const where = target.models.map((m) => m.name).join(', ') || '(none)';
    for (const column of target.columns ?? []) {
      if (matched.has(column.toLowerCase()) || (target.slo === 'freshness' && target.named)) continue;
      out.push(problem(target, where, `column '${column}' is in none of the models the ${target.slo} SLO covers (${where})`, column));
    }
  }
  return out;
}

/** A breach, or an SLO that could not be measured, fails the build when its on_breach says so. */
export function failingSlos(results: SloResult[]): SloResult[] {
  return results.filter((r) => r.status !== 'pass' && r.onBreach === 'fail');
}
