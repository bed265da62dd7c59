import { createServer, type IncomingMessage } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DuckDBAdapter } from '@mesh/adapter-duckdb';
import type { ResolvedTarget } from '@mesh/engine';
import { isMeshError } from '@mesh/errors';
import { copyFixture, queryDb } from '@mesh/testing';
import { describe, expect, it } from 'vitest';
import { build, compile, ingest, list, runDomain, scheduleWorkspace, type PipelineEvent, type ScheduleEvent } from './index';

const FIXTURE = join(import.meta.dirname, '__fixtures__', 'depot');
const openAdapter = (target: ResolvedTarget) => DuckDBAdapter.open({ path: target.path });
// No machine-wide webhook leaks into these runs.
const env = { PATH: process.env.PATH };

function recorder() {
  const events: PipelineEvent[] = [];
  return { events, report: (e: PipelineEvent) => events.push(e), kinds: () => events.map((e) => e.kind) };
}

const metadata = (dir: string) => join(dir, '.mesh', 'metadata.duckdb');
const warehouse = (dir: string) => join(dir, 'target', 'depot.duckdb');

describe('a domain through the pipeline', () => {
  it('ingests, builds, measures its SLOs and publishes, saying so through events and its outcome', async () => {
    const dir = copyFixture(FIXTURE, 'pipeline');
    const loaded = recorder();
    const ingested = await ingest({ projectDir: dir, openAdapter, env }, loaded.report);
    expect(ingested.ok).toBe(true);
    expect(ingested.report.files.map((f) => [f.outcome, f.rows])).toEqual([['loaded', 3]]);
    expect(loaded.kinds()).toEqual(['ingest-start', 'ingest-file']);

    const built = recorder();
    const result = await build({ projectDir: dir, openAdapter, env }, built.report);
    expect(result.ok).toBe(true);
    expect(result.refused).toBeUndefined();
    expect(result.outcome.results.map((r) => [r.unique_id.split('.').slice(0, 1)[0], r.status]).sort()).toEqual([['model', 'success'], ['test', 'pass'], ['test', 'pass']]);
    expect(result.slos.map((s) => [s.slo, s.model, s.status])).toEqual([['row_count', 'daily_orders', 'pass']]);
    expect(result.publication).toMatchObject({ published: true, version: expect.stringMatching(/^\d{8}T\d{9}Z-/), current: false, models: [{ unique_id: 'model.depot.daily_orders', rows: 2 }] });
    // The events come in the order a face prints them: header, nodes, SLOs, publication.
    const kinds = built.kinds().filter((k) => k !== 'node-start' && k !== 'node-end');
    expect(kinds).toEqual(['compiled', 'slos', 'published']);
    expect(built.kinds().filter((k) => k === 'node-end')).toHaveLength(3);

    expect(await queryDb(warehouse(dir), 'select order_date::varchar as d, orders, amount from gold.daily_orders order by 1')).toEqual([
      { d: '2026-03-01', orders: 2, amount: 30 },
      { d: '2026-03-02', orders: 1, amount: 5 },
    ]);
    expect(await queryDb(metadata(dir), 'select command, status, trigger from runs order by started_at')).toEqual([
      { command: 'ingest', status: 'success', trigger: 'cli' },
      { command: 'build', status: 'success', trigger: 'cli' },
    ]);
    expect(existsSync(join(dir, 'target', 'published', 'manifest.json'))).toBe(true);
  });

  it('a failing SLO refuses the publication and keeps the last one, as an outcome, not an exit', async () => {
    const dir = copyFixture(FIXTURE, 'pipeline-slo');
    await ingest({ projectDir: dir, openAdapter, env });
    const first = await build({ projectDir: dir, openAdapter, env });
    expect(first.ok).toBe(true);
    const manifest = join(dir, 'target', 'published', 'manifest.json');
    const before = readFileSync(manifest, 'utf8');
    const product = join(dir, 'data_product.yaml');
    writeFileSync(product, readFileSync(product, 'utf8').replace('min: 1', 'min: 10'));
    const { events, report } = recorder();
    const second = await build({ projectDir: dir, openAdapter, env }, report);
    expect(second.ok).toBe(false);
    expect(second.refused).toBe('E_SLO_BREACHED');
    expect(second.outcome.results.every((r) => r.status === 'success' || r.status === 'pass')).toBe(true);
    const refusal = events.find((e) => e.kind === 'publish-refused');
    expect(refusal?.kind === 'publish-refused' && refusal.error.message).toBe('depot was not published: 1 SLO with on_breach: fail is not met');
    expect(readFileSync(manifest, 'utf8')).toBe(before);
  });

  it('a project that does not compile throws its error, and the failed run is in the history', async () => {
    const dir = copyFixture(FIXTURE, 'pipeline-broken');
    writeFileSync(join(dir, 'models', 'gold', 'broken.sql'), "select * from {{ ref('missing') }}");
    const error = await build({ projectDir: dir, openAdapter, env }).catch((e: unknown) => e);
    expect(isMeshError(error)).toBe(true);
    const rows = await queryDb(metadata(dir), 'select command, status, message from runs');
    expect(rows).toEqual([{ command: 'build', status: 'error', message: expect.stringContaining((error as Error).message) }]);
  });

  it('one writer per project: a second run fails naming the first, or waits for it when told to', async () => {
    const dir = copyFixture(FIXTURE, 'pipeline-lock');
    await ingest({ projectDir: dir, openAdapter, env });
    const first = build({ projectDir: dir, openAdapter, env });
    // The first run holds the lock from its first step; the second starts once it is taken.
    await new Promise((r) => setTimeout(r, 20));
    const refused = await runDomain('run', { projectDir: dir, openAdapter, env }).catch((e: unknown) => e);
    expect(isMeshError(refused) && refused.code).toBe('E_PROJECT_LOCKED');
    const waiting = recorder();
    const [a, b] = await Promise.all([first, runDomain('run', { projectDir: dir, openAdapter, env, wait: true }, waiting.report)]);
    expect([a.ok, b.ok]).toEqual([true, true]);
    expect(waiting.kinds()[0]).toBe('lock-wait');
  });

  it('sends the alert of a failed run to the webhook, and says it did', async () => {
    const dir = copyFixture(FIXTURE, 'pipeline-alert');
    await ingest({ projectDir: dir, openAdapter, env });
    writeFileSync(join(dir, 'models', 'gold', 'broken.sql'), 'select no_such_column from {{ ref("daily_orders") }}');
    const received: unknown[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const { events, report } = recorder();
      const result = await build({ projectDir: dir, openAdapter, env: { ...env, MESH_ALERT_WEBHOOK: url } }, report);
      expect(result.ok).toBe(false);
      expect(events.find((e) => e.kind === 'alert-sent')).toMatchObject({ event: 'run.failed', attempts: 1 });
      expect(received).toEqual([expect.objectContaining({ event: 'run.failed', domain: 'depot', command: 'build', failures: [expect.objectContaining({ node: 'model.depot.broken', status: 'error' })] })]);
    } finally {
      server.close();
    }
  });

  it('compiles and lists without opening the database', async () => {
    const dir = copyFixture(FIXTURE, 'pipeline-compile');
    const compiled = await compile({ projectDir: dir });
    expect(compiled.project.compiled.size).toBeGreaterThan(0);
    expect(compiled.stages.map((s) => s.stage)).toContain('write manifest');
    expect(existsSync(join(dir, 'target', 'manifest.json'))).toBe(true);
    const models = await list({ projectDir: dir, resourceType: 'model' });
    expect(models.map((n) => n.unique_id)).toEqual(['model.depot.daily_orders']);
    expect(existsSync(warehouse(dir))).toBe(false);
  });
});

describe('the workspace schedule', () => {
  it('runs ingest then build of a domain in this process as one schedule run, its steps pointing back at it', async () => {
    const dir = copyFixture(FIXTURE, 'pipeline-schedule');
    const events: ScheduleEvent[] = [];
    const schedule = scheduleWorkspace({ workspace: dir, openAdapter, env }, (e) => events.push(e));
    expect(schedule.domains.map((d) => [d.name, d.ingests, d.schedule?.expression])).toEqual([['depot', true, '0 * * * *']]);
    const tick = await schedule.trigger('depot');
    expect(tick.status).toBe('success');
    expect(tick.steps.map((s) => [s.kind, s.status])).toEqual([['ingest', 'success'], ['build', 'success']]);
    const stepEvents = events.flatMap((e) => (e.kind === 'step-event' ? [`${e.step.kind}:${e.event.kind}`] : []));
    expect(stepEvents).toContain('ingest:ingest-file');
    expect(stepEvents).toContain('build:published');
    const outcomes = events.flatMap((e) => (e.kind === 'step-outcome' ? [[e.step.kind, e.outcome.result.ok]] : []));
    expect(outcomes).toEqual([['ingest', true], ['build', true]]);
    const runs = await queryDb(metadata(dir), 'select run_id, command, trigger, parent_run_id from runs order by started_at');
    expect(runs.map((r) => [r.command, r.trigger, r.parent_run_id])).toEqual([
      // The tick started first, and is recorded when its last step is done.
      ['schedule', 'schedule', null],
      ['ingest', 'schedule', tick.id],
      ['build', 'schedule', tick.id],
    ]);
    expect(() => schedule.trigger('nowhere')).toThrow(/no domain named 'nowhere'/);
  });
});
