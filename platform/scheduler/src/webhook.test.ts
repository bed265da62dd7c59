import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { formatError } from '@mesh/errors';
import { sendWebhook, type AlertPayload } from './webhook';

const payload: AlertPayload = {
  event: 'run.failed', domain: 'sales', run_id: 'r-1', command: 'build', status: 'error',
  started_at: '2026-03-02T00:00:00.000Z', finished_at: '2026-03-02T00:01:00.000Z',
  failures: [{ node: 'model.sales.orders', status: 'error', message: 'Binder Error' }], breaches: [],
};

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real receiver on the loopback interface answering with the given statuses in turn. */
async function receiver(statuses: number[]): Promise<{ url: string; received: Array<{ body: unknown; type?: string }> }> {
  const received: Array<{ body: unknown; type?: string }> = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ body: JSON.parse(body), type: req.headers['content-type'] });
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hooks/mesh`, received };
}

const noWait = { sleep: async () => {} };

describe('alert webhook', () => {
  it('posts the JSON payload', async () => {
    const r = await receiver([200]);
    expect(await sendWebhook(r.url, payload, noWait)).toEqual({ attempts: 1, status: 200 });
    expect(r.received).toEqual([{ body: payload, type: 'application/json' }]);
  });

  it('retries 5xx and 429 answers with growing waits, then delivers', async () => {
    const r = await receiver([503, 429, 500, 204]);
    const waits: number[] = [];
    const delivery = await sendWebhook(r.url, payload, { sleep: async (ms) => void waits.push(ms), backoffMs: 100 });
    expect(delivery).toEqual({ attempts: 4, status: 204 });
    expect(waits).toEqual([100, 200, 400]);
    expect(r.received).toHaveLength(4);
  });

  it('gives up after the bounded retries with a clear error', async () => {
    const r = await receiver([500, 500, 500]);
    const error = await sendWebhook(r.url, payload, { ...noWait, retries: 2 }).catch((e: unknown) => e);
    expect(formatError(error)).toContain('error[E_ALERT_UNDELIVERED] the alert for run r-1 could not be delivered after 3 attempts (HTTP 500)');
    expect(r.received).toHaveLength(3);
  });

  it('does not retry an answer that will not change (4xx)', async () => {
    const r = await receiver([404]);
    const error = await sendWebhook(r.url, payload, noWait).catch((e: unknown) => e);
    expect(formatError(error)).toContain('E_ALERT_REFUSED');
    expect(r.received).toHaveLength(1);
  });

  it('retries a receiver that is not listening (a network error)', async () => {
    const r = await receiver([]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await sendWebhook(r.url, payload, { ...noWait, retries: 1 }).catch((e: unknown) => e);
    expect(formatError(error)).toMatch(/after 2 attempts \(fetch failed: .*ECONNREFUSED/);
  });
});
