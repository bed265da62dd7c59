import { failingSlos, type SloResult } from '@mesh/governance';
import { formatTable } from '@mesh/text-table';

const STATUS: Record<SloResult['status'], string> = { pass: 'met', breach: 'BREACHED', error: 'ERROR' };

export function sloTable(results: Array<Omit<SloResult, 'onBreach'> & { onBreach?: string; measuredAt?: Date }>): string {
  return formatTable(
    ['status', 'slo', 'model', 'column', 'detail', ...(results.some((r) => r.measuredAt) ? ['measured at'] : [])],
    results.map((r) => ({
      status: STATUS[r.status] + (r.status !== 'pass' && r.onBreach ? ` (${r.onBreach})` : ''),
      slo: r.slo,
      model: r.model,
      column: r.column ?? '',
      detail: r.message,
      ...(r.measuredAt ? { 'measured at': r.measuredAt.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') } : {}),
    })),
    { maxWidth: 100 },
  );
}

/** The SLO line after a run, and the table of those not met. */
export function sloLines(results: SloResult[], unmeasured: SloResult[]): string[] {
  const met = results.filter((r) => r.status === 'pass').length;
  const failing = failingSlos(results).length;
  const warned = results.length - met - failing;
  const parts = [`${met} met`, ...(warned ? [`${warned} breached (warn)`] : []), ...(failing ? [`${failing} breached (fail)`] : []), ...(unmeasured.length ? [`${unmeasured.length} not measured (their models did not build)`] : [])];
  const notMet = [...results.filter((r) => r.status !== 'pass'), ...unmeasured];
  return [`SLOs: ${parts.join(', ')}`, ...(notMet.length ? [sloTable(notMet)] : [])];
}
