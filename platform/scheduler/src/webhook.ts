import { setTimeout as delay } from 'node:timers/promises';
import { MeshError } from '@mesh/errors';

/** What an alert says: which run of which domain failed or breached what. */
export interface AlertPayload {
  event: 'run.failed' | 'slo.breached';
  domain: string;
  run_id: string;
  command: string;
  status: string;
  started_at: string;
  finished_at: string;
  /** Nodes or steps that failed, or the error that stopped the run before any node ran. */
  failures: Array<{ node: string; status: string; message?: string }>;
  breaches: Array<{ slo: string; model: string; column?: string; measured?: number; objective: string; message: string; on_breach?: string }>;
  /** The scheduler's run that started this one, if any. */
  parent_run_id?: string;
}

export interface WebhookOptions {
  /** Attempts after the first; network errors, timeouts, 429 and 5xx are retried, other answers are final. */
  retries?: number;
  /** Wait before the first retry; doubled for each next one. */
  backoffMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?(ms: number): Promise<void>;
}

export interface Delivery {
  attempts: number;
  status: number;
}

/**
 * POSTs the payload as JSON. Retries are bounded (default 3, after 0.5 s, 1 s, 2 s), so a receiver that is
 * down delays a run by seconds, never hangs it. Throws E_ALERT_UNDELIVERED when every attempt failed;
 * callers report that as a warning, since the run's own outcome does not depend on its alert.
 */
export async function sendWebhook(url: string, payload: AlertPayload, options: WebhookOptions = {}): Promise<Delivery> {
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 500;
  const doFetch = options.fetch ?? fetch;
  const wait = options.sleep ?? ((ms: number) => delay(ms));
  const body = JSON.stringify(payload);
  let last = '';
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await wait(backoff * 2 ** (attempt - 2));
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'mesh-alerts' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { attempts: attempt, status: response.status };
      last = `HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 429) {
        throw new MeshError('E_ALERT_REFUSED', `the alert webhook refused the alert: ${last}`, {
          hint: 'Check the webhook URL (alerts.webhook in ingest.yml, or MESH_ALERT_WEBHOOK) and what the receiver expects.',
        });
      }
    } catch (error) {
      if (error instanceof MeshError) throw error;
      last = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
    }
  }
  throw new MeshError('E_ALERT_UNDELIVERED', `the alert for run ${payload.run_id} could not be delivered after ${retries + 1} attempts (${last})`, {
    hint: 'Check that the webhook receiver is up and reachable from this machine.',
  });
}
