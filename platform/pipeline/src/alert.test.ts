import { describe, expect, it } from 'vitest';
import type { RunRecord } from '@mesh/metadata';
import { alertPayload } from './alert';

const run = (status: RunRecord['status'], nodes: RunRecord['nodes'] = [], message?: string): RunRecord => ({
  runId: 'r1', project: 'sales', command: 'build', startedAt: new Date('2026-03-02T06:00:00Z'), finishedAt: new Date('2026-03-02T06:01:00Z'), status, nodes, message,
});
const node = (uniqueId: string, status: string, message?: string) => ({ uniqueId, resourceType: 'model', status, elapsedS: 1, finishedAt: new Date('2026-03-02T06:00:30Z'), message });
const breach = { slo: 'freshness' as const, model: 'order_summary', measured: 90000, objective: '<= 24h', status: 'breach' as const, message: 'newest value is 1d 1h old', onBreach: 'warn' };

describe('alert payload', () => {
  it('is a run.failed naming the failing nodes, with the breaches beside them', () => {
    const payload = alertPayload(run('error', [node('model.sales.a', 'success'), node('model.sales.b', 'error', 'Binder Error'), node('test.sales.t', 'fail')]), [breach]);
    expect(payload).toEqual({
      event: 'run.failed', domain: 'sales', run_id: 'r1', command: 'build', status: 'error',
      started_at: '2026-03-02T06:00:00.000Z', finished_at: '2026-03-02T06:01:00.000Z',
      failures: [{ node: 'model.sales.b', status: 'error', message: 'Binder Error' }, { node: 'test.sales.t', status: 'fail', message: undefined }],
      breaches: [{ slo: 'freshness', model: 'order_summary', column: undefined, measured: 90000, objective: '<= 24h', message: 'newest value is 1d 1h old', on_breach: 'warn' }],
    });
  });

  it('is an slo.breached for a successful run that breached an SLO', () => {
    expect(alertPayload(run('success', [node('model.sales.a', 'success')]), [breach])?.event).toBe('slo.breached');
  });

  it('names the error of a run that failed before any node ran', () => {
    expect(alertPayload(run('error', [], '[E_REF_NOT_FOUND] unknown ref'), [])?.failures).toEqual([{ node: 'build', status: 'error', message: '[E_REF_NOT_FOUND] unknown ref' }]);
  });

  it('is nothing for a run that went well', () => {
    expect(alertPayload(run('success', [node('model.sales.a', 'success')]), [{ ...breach, status: 'pass' }])).toBeUndefined();
  });
});
