import { expandEnv, loadIngestFile } from '@mesh/ingest';
import type { RunRecord, SloMeasurement } from '@mesh/metadata';
import { sendWebhook, type AlertPayload } from '@mesh/scheduler';
import type { SloResult } from '@mesh/governance';
import type { Reporter } from './events';

/** Set for a whole machine or CI (every domain alerts there) when a domain's ingest.yml names no webhook. */
export const ALERT_WEBHOOK_ENV = 'MESH_ALERT_WEBHOOK';

type Env = Record<string, string | undefined>;

interface AlertTarget {
  url: string;
  on: Array<'failure' | 'slo_breach'>;
  retries: number;
}

function alertTarget(root: string, env: Env): AlertTarget | undefined {
  const config = loadIngestFile(root);
  const alerts = config?.alerts;
  if (alerts) {
    const location = { file: config.file, line: config.lineOf(['alerts', 'webhook']) };
    return { url: expandEnv(alerts.webhook, env, location), on: alerts.on, retries: alerts.retries };
  }
  const url = env[ALERT_WEBHOOK_ENV];
  return url ? { url, on: ['failure', 'slo_breach'], retries: 3 } : undefined;
}

/** The payload for a finished run, or undefined when it neither failed nor breached an SLO. */
export function alertPayload(run: RunRecord, slos: ReadonlyArray<SloMeasurement & { onBreach?: string }>): AlertPayload | undefined {
  const failures = run.status === 'error'
    ? run.nodes.filter((n) => n.status === 'error' || n.status === 'fail').map((n) => ({ node: n.uniqueId, status: n.status, message: n.message }))
    : [];
  if (run.status === 'error' && !failures.length) failures.push({ node: run.command, status: 'error', message: run.message });
  const breaches = slos.filter((s) => s.status !== 'pass').map((s) => ({
    slo: s.slo, model: s.model, column: s.column, measured: s.measured, objective: s.objective, message: s.message, on_breach: s.onBreach,
  }));
  if (!failures.length && !breaches.length) return undefined;
  return {
    event: failures.length ? 'run.failed' : 'slo.breached',
    domain: run.project,
    run_id: run.runId,
    command: run.command,
    status: run.status,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt.toISOString(),
    failures,
    breaches,
    ...(run.parentRunId ? { parent_run_id: run.parentRunId } : {}),
  };
}

/**
 * Sends the run's alert to the domain's webhook when it failed or breached an SLO. An alert that cannot
 * be delivered is a warning: the run's outcome stays what the run made it.
 */
export async function alertRun(root: string, run: RunRecord, slos: SloResult[] | SloMeasurement[], report: Reporter, env: Env = process.env): Promise<void> {
  try {
    const payload = alertPayload(run, slos);
    if (!payload) return;
    const target = alertTarget(root, env);
    if (!target || !target.on.includes(payload.event === 'run.failed' ? 'failure' : 'slo_breach')) return;
    const delivery = await sendWebhook(target.url, payload, { retries: target.retries, backoffMs: Number(env.MESH_ALERT_BACKOFF_MS ?? 500) });
    report({ kind: 'alert-sent', event: payload.event, host: new URL(target.url).host, attempts: delivery.attempts });
  } catch (error) {
    report({ kind: 'warning', error });
  }
}
