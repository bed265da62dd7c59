import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { copyDomains, copyFixture, mesh, meshAsync, meshProcess, meshWithEnv, queryDb, REPO_ROOT, TEDDY_SMALL_RAW } from '@mesh/testing';

/** Ingestion, run history, status, alerts, the project lock and recovery from a killed build, through the real binary. */

const FIXTURE = join(REPO_ROOT, 'platform', 'cli', 'src', '__fixtures__', 'depot');
const db = (dir: string) => join(dir, 'target', 'depot.duckdb');
const history = (dir: string) => join(dir, '.mesh', 'metadata.duckdb');
const raw = (dir: string, name: string, text: string) => writeFileSync(join(dir, 'raw', name), text);

interface Received {
  url: string;
  alerts: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A webhook receiver on the loopback interface; the first `failFirst` requests get a 503. */
async function receiver(failFirst = 0): Promise<Received> {
  const alerts: Array<Record<string, unknown>> = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.statusCode = ++requests <= failFirst ? 503 : 200;
      if (res.statusCode === 200) alerts.push(JSON.parse(body) as Record<string, unknown>);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, alerts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('mesh ingest and the run history', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyFixture(FIXTURE, 'depot');
  });

  it('loads a new file, skips it unchanged, replaces it when changed, and records every run', async () => {
    const first = mesh(dir, 'ingest');
    expect(first.code, first.output).toBe(0);
    expect(first.stdout).toMatch(/OK +orders -> bronze.orders  raw\/orders_2026-03-01.csv 3 rows in [\d.]+s; created bronze.orders/);
    expect(mesh(dir, 'ingest').stdout).toMatch(/UNCHANGED orders -> bronze.orders  raw\/orders_2026-03-01.csv \(same checksum\)/);
    raw(dir, 'orders_2026-03-01.csv', 'order_id,order_date,amount\n1,2026-03-01,10\n2,2026-03-01,25\n');
    raw(dir, 'orders_2026-03-02.csv', 'order_id,order_date,amount\n3,2026-03-02,5\n4,2026-03-02,7\n');
    const third = mesh(dir, 'ingest');
    expect(third.code, third.output).toBe(0);
    expect(third.stdout).toMatch(/REPLACED +orders -> bronze.orders  raw\/orders_2026-03-01.csv 2 rows \(replacing 3\)/);
    expect(third.stdout).toContain('Done. LOADED=1 REPLACED=1 UNCHANGED=0 ERROR=0 ROWS=4');
    expect(await queryDb(db(dir), `select regexp_extract(_source_file, '[^/]+$') as file, count(*) as n, sum(amount) as amount from bronze.orders group by 1 order by 1`)).toEqual([
      { file: 'orders_2026-03-01.csv', n: 2, amount: 35 },
      { file: 'orders_2026-03-02.csv', n: 2, amount: 12 },
    ]);
    const runs = JSON.parse(mesh(dir, 'runs', '--json').stdout) as Array<{ command: string; status: string; rows: number; trigger: string }>;
    expect(runs.map((r) => [r.command, r.status, r.rows, r.trigger])).toEqual([['ingest', 'success', 4, 'cli'], ['ingest', 'success', 0, 'cli'], ['ingest', 'success', 3, 'cli']]);
  });

  it('a malformed file is named with its line, loads nothing, keeps earlier files, fails the run and alerts the webhook', async () => {
    const hook = await receiver(1);
    try {
      raw(dir, 'orders_2026-03-03.csv', 'order_id,order_date,amount\n5,2026-03-03,1\n6,2026-03-03,2,extra\n');
      const r = await meshAsync(dir, { MESH_ALERT_WEBHOOK: hook.url, MESH_ALERT_BACKOFF_MS: '10' }, 'ingest');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error[E_INGEST_PARSE] ${join(dir, 'raw', 'orders_2026-03-03.csv')}:3: source 'orders': cannot read orders_2026-03-03.csv at line 3`);
      expect(r.stderr).toContain('Expected Number of Columns: 3 Found: 4');
      expect(r.stderr).toContain('hint: Nothing of this file was loaded and the files before it stay loaded.');
      expect(r.stdout).toMatch(/Alert run\.failed sent to 127\.0\.0\.1:\d+ \(attempt 2\)/);
      expect(await queryDb(db(dir), `select count(*) as n from bronze.orders`)).toEqual([{ n: 4 }]);
      expect(hook.alerts).toHaveLength(1);
      const alert = hook.alerts[0]!;
      expect(alert).toMatchObject({ event: 'run.failed', domain: 'depot', command: 'ingest', status: 'error', breaches: [] });
      expect(alert.failures).toEqual([{ node: 'file.depot.orders:raw/orders_2026-03-03.csv', status: 'error', message: expect.stringContaining('[E_INGEST_PARSE]') }]);
      const [last] = JSON.parse(mesh(dir, 'runs', '--json', '--limit', '1').stdout) as Array<{ run_id: string }>;
      expect(alert.run_id).toBe(last!.run_id);
    } finally {
      await hook.close();
    }
    raw(dir, 'orders_2026-03-03.csv', 'order_id,order_date,amount\n5,2026-03-03,1\n6,2026-03-03,2\n');
    expect(mesh(dir, 'ingest').code).toBe(0);
  });

  it('a new column is refused by default and named', () => {
    raw(dir, 'orders_2026-03-04.csv', 'order_id,order_date,amount,currency\n7,2026-03-04,3,EUR\n');
    const r = mesh(dir, 'ingest');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_INGEST_SCHEMA_DRIFT]');
    expect(r.stderr).toContain('new column currency VARCHAR');
    writeFileSync(join(dir, 'ingest.yml'), readFileSync(join(dir, 'ingest.yml'), 'utf8').replace('on_schema_change: fail', 'on_schema_change: add_columns'));
    const again = mesh(dir, 'ingest');
    expect(again.code, again.output).toBe(0);
    expect(again.stdout).toContain('new column currency VARCHAR: added to the table');
  });

  it('builds on what was ingested; mesh runs show and mesh status tell what happened', () => {
    const build = mesh(dir, 'build');
    expect(build.code, build.output).toBe(0);
    const list = mesh(dir, 'runs');
    expect(list.stdout).toMatch(/\| depot +\| build +\| cli +\|/);
    const [run] = JSON.parse(mesh(dir, 'runs', '--json', '--limit', '1').stdout) as Array<{ run_id: string }>;
    const show = mesh(dir, 'runs', 'show', run!.run_id.slice(0, 8));
    expect(show.code, show.output).toBe(0);
    expect(show.stdout).toContain(`run       ${run!.run_id}`);
    expect(show.stdout).toMatch(/model\.depot\.daily_orders \| model +\| SUCCESS \| 4 +\|/);
    const status = mesh(dir, 'status');
    expect(status.code, status.output).toBe(0);
    expect(status.stdout).toMatch(/depot +\| build [0-9a-f]{8} \| SUCCESS \| \d+s ago/);
    expect(status.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:00:00Z/);
  });

  it('a run that fails before any node runs (a compile error) is recorded too', () => {
    writeFileSync(join(dir, 'models', 'gold', 'broken.sql'), "select * from {{ ref('nowhere') }}");
    const r = mesh(dir, 'build');
    expect(r.code).toBe(2);
    const [run] = JSON.parse(mesh(dir, 'runs', '--json', '--limit', '1').stdout) as Array<{ command: string; status: string; message: string; nodes: number }>;
    expect(run).toMatchObject({ command: 'build', status: 'error', nodes: 0 });
    expect(run!.message).toMatch(/^\[E_REF_NOT_FOUND\]|^\[E_REF/);
  });

  it('mesh runs show names an unknown run', () => {
    const r = mesh(dir, 'runs', 'show', 'ffffffff');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_RUN_UNKNOWN] no run 'ffffffff' in the history");
  });
});

describe('a raw folder that moves', () => {
  it('keeps each file the same file: nothing loads twice, and a changed file replaces only its own rows', async () => {
    const dir = copyFixture(FIXTURE, 'depot-move');
    raw(dir, 'orders_2026-03-02.csv', 'order_id,order_date,amount\n4,2026-03-02,7\n');
    expect(mesh(dir, 'ingest').stdout).toContain('Done. LOADED=2 REPLACED=0 UNCHANGED=0 ERROR=0 ROWS=4');
    const perFile = () => queryDb(db(dir), `select _source_file as file, count(*) as n, sum(amount) as amount from bronze.orders group by 1 order by 1`);
    expect(await perFile()).toEqual([{ file: 'orders_2026-03-01.csv', n: 3, amount: 35 }, { file: 'orders_2026-03-02.csv', n: 1, amount: 7 }]);

    // The exports now land elsewhere, outside the domain, and DEPOT_RAW in ingest.yml points there.
    const landing = join(mkdtempSync(join(tmpdir(), 'mesh-landing-')), 'exports');
    renameSync(join(dir, 'raw'), landing);
    const moved = meshWithEnv(dir, { DEPOT_RAW: landing }, 'ingest');
    expect(moved.code, moved.output).toBe(0);
    expect(moved.stdout).toMatch(/UNCHANGED orders -> bronze.orders  .*exports\/orders_2026-03-01.csv \(same checksum\)/);
    expect(moved.stdout).toContain('Done. LOADED=0 REPLACED=0 UNCHANGED=2 ERROR=0 ROWS=0');
    expect(await perFile()).toEqual([{ file: 'orders_2026-03-01.csv', n: 3, amount: 35 }, { file: 'orders_2026-03-02.csv', n: 1, amount: 7 }]);

    writeFileSync(join(landing, 'orders_2026-03-02.csv'), 'order_id,order_date,amount\n4,2026-03-02,8\n5,2026-03-02,9\n');
    const changed = meshWithEnv(dir, { DEPOT_RAW: landing }, 'ingest');
    expect(changed.stdout).toContain('Done. LOADED=0 REPLACED=1 UNCHANGED=1 ERROR=0 ROWS=2');
    expect(changed.stdout).toMatch(/REPLACED +orders -> bronze.orders  .*orders_2026-03-02.csv 2 rows \(replacing 1\)/);
    expect(await perFile()).toEqual([{ file: 'orders_2026-03-01.csv', n: 3, amount: 35 }, { file: 'orders_2026-03-02.csv', n: 2, amount: 17 }]);
  });
});

describe('reading the history while a run is under way', () => {
  it('mesh runs and mesh status answer while a long ingest runs', async () => {
    const dir = copyFixture(FIXTURE, 'depot-busy');
    expect(mesh(dir, 'ingest').code).toBe(0);
    // Many small files: an ingest that takes several seconds, writing to the history after each file.
    for (let i = 1; i <= 150; i++) raw(dir, `orders_2026-04-${String(i).padStart(3, '0')}.csv`, `order_id,order_date,amount\n${1000 + i},2026-04-01,${i}\n`);
    const ingest = meshProcess(dir, {}, 'ingest');
    await ingest.waitFor(/OK +orders -> bronze.orders  raw\/orders_2026-04-003.csv/);
    const [runs, status] = await Promise.all([meshAsync(dir, {}, 'runs', '--json'), meshAsync(dir, {}, 'status')]);
    expect(ingest.child.exitCode, 'the ingest was still running').toBeNull();
    expect(runs.code, runs.output).toBe(0);
    expect((JSON.parse(runs.stdout) as Array<{ command: string }>).map((r) => r.command)).toEqual(['ingest']);
    expect(status.code, status.output).toBe(0);
    expect(status.stdout).toMatch(/depot +\| ingest [0-9a-f]{8} \| SUCCESS/);
    const done = await ingest.exited;
    expect(done.code, done.output).toBe(0);
    expect(done.stdout).toContain('Done. LOADED=150 REPLACED=0 UNCHANGED=1 ERROR=0 ROWS=150');
  });

  it('names the process when something outside mesh keeps the history open', async () => {
    const dir = copyFixture(FIXTURE, 'depot-held');
    expect(mesh(dir, 'ingest').code).toBe(0);
    const held = await DuckDBInstance.create(history(dir));
    try {
      const r = await meshAsync(dir, { MESH_METADATA_WAIT_MS: '300' }, 'runs');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error[E_METADATA_LOCKED] the metadata database ${history(dir)} is held open by pid ${process.pid}`);
      expect(r.stderr).toContain('hint: Close the DuckDB client that has the file open');
    } finally {
      held.closeSync();
    }
    expect(mesh(dir, 'runs').code).toBe(0);
  });
});

describe('two builds of one domain, and a build killed mid-way', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyFixture(FIXTURE, 'depot-lock');
    expect(mesh(dir, 'ingest').code).toBe(0);
    expect(mesh(dir, 'build').code).toBe(0);
  });

  it('the second build fails at once naming the first; with --wait it runs when the first is done', async () => {
    const first = meshProcess(dir, {}, 'build', '--vars', '{heavy: 12000}');
    await first.waitFor(/START table model gold\.heavy/);
    const second = mesh(dir, 'build');
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`error[E_PROJECT_LOCKED] ${join(dir, '.mesh', 'run.lock')}: another build of this project is running (pid ${first.child.pid}, started `);
    expect(second.stderr).toContain('run again with --wait');
    const waiting = meshProcess(dir, {}, 'build', '--wait');
    await waiting.waitFor(new RegExp(`Waiting for the build of pid ${first.child.pid}`));
    const [a, b] = await Promise.all([first.exited, waiting.exited]);
    expect(a.code, a.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    // The waiting build ran after the first finished, not beside it.
    const runs = await queryDb(history(dir), `select started_at, finished_at from runs where command = 'build' order by started_at desc limit 2`);
    expect((runs[0]!.started_at as Date).getTime()).toBeGreaterThanOrEqual((runs[1]!.finished_at as Date).getTime());
    expect(existsSync(join(dir, '.mesh', 'run.lock'))).toBe(false);
  });

  it('kill -9 mid-build leaves a readable database, and the next build takes over the stale lock and succeeds', async () => {
    const doomed = meshProcess(dir, {}, 'build', '--vars', '{heavy: 60000}');
    await doomed.waitFor(/START table model gold\.heavy/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    doomed.child.kill('SIGKILL');
    const killed = await doomed.exited;
    expect(killed.code).toBe(-1);
    expect(JSON.parse(readFileSync(join(dir, '.mesh', 'run.lock'), 'utf8'))).toMatchObject({ pid: doomed.child.pid, command: 'build' });
    // The database opens and still holds the last good tables.
    expect(await queryDb(db(dir), 'select count(*) as n from gold.daily_orders')).toEqual([{ n: 2 }]);
    const next = mesh(dir, 'build');
    expect(next.code, next.output).toBe(0);
    expect(next.stderr).toContain(`note: took over the lock of build pid ${doomed.child.pid}`);
    expect(await queryDb(db(dir), 'select count(*) as n from gold.heavy')).toEqual([{ n: 1 }]);
    expect(existsSync(join(dir, '.mesh', 'run.lock'))).toBe(false);
    // The killed build is in the history, found by the lock it left behind.
    const runs = JSON.parse(mesh(dir, 'runs', '--json', '--limit', '2').stdout) as Array<{ status: string; message: string | null }>;
    expect(runs.map((r) => r.status)).toEqual(['success', 'error']);
    expect(runs[1]!.message).toContain(`[E_RUN_INTERRUPTED] the build of pid ${doomed.child.pid} ended without finishing`);
  });
});

describe('mesh schedule', () => {
  it('runs ingest then build of a domain as one schedule run, its steps recorded and pointing back at it', () => {
    const dir = copyFixture(FIXTURE, 'depot-schedule');
    const r = mesh(dir, 'schedule', '--trigger', 'depot', '--workspace', dir);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/depot: run due .*: ingest depot, build depot/);
    expect(r.stdout).toMatch(/\[depot ingest\] .*OK +orders -> bronze.orders/);
    expect(r.stdout).toMatch(/\[depot build\] .*OK table model gold.daily_orders/);
    const runs = JSON.parse(mesh(dir, 'runs', '--json').stdout) as Array<{ run_id: string; command: string; trigger: string; parent_run_id: string | null }>;
    const tick = runs.find((x) => x.command === 'schedule')!;
    expect(runs.filter((x) => x.command !== 'schedule').map((x) => [x.command, x.trigger, x.parent_run_id])).toEqual([['build', 'schedule', tick.run_id], ['ingest', 'schedule', tick.run_id]]);
    const show = mesh(dir, 'runs', 'show', tick.run_id);
    expect(show.stdout).toMatch(/ingest\.depot \| step +\| SUCCESS/);
    expect(show.stdout).toMatch(/build\.depot +\| step +\| SUCCESS/);
  });

  it('runs a domain and then its downstream domains in order (Teddy: inventory, sales, finance)', () => {
    const root = copyDomains(['inventory', 'sales', 'finance'], 'schedule');
    const data = join(REPO_ROOT, 'platform', 'loom', 'src', '__fixtures__', 'teddy-small');
    const r = meshWithEnv(root, { TEDDY_RAW_DIR: data }, 'schedule', '--trigger', 'inventory', '--workspace', root);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain(': ingest inventory, build inventory, ingest sales, build sales, build finance');
    expect(r.stdout).toMatch(/\[sales ingest\] .*OK +orders -> bronze.orders  .*orders_2026.csv 5 rows/);
    const order = [...r.stdout.matchAll(/build (\w+): SUCCESS/g)].map((m) => m[1]);
    expect(order).toEqual(['inventory', 'sales', 'finance']);
  });

  it('runs every domain once with --once; run again, it loads only a file that landed since; --full-refresh reloads all', () => {
    const root = copyDomains(['inventory', 'sales', 'finance'], 'once');
    const raw = copyFixture(TEDDY_SMALL_RAW, 'once-raw');
    const once = (...flags: string[]) => meshWithEnv(root, { TEDDY_RAW_DIR: raw }, 'schedule', '--once', '--workspace', root, ...flags);
    const first = once();
    expect(first.code, first.output).toBe(0);
    expect(first.stdout).toMatch(/every domain, once \([0-9a-f]{8}\): ingest inventory, build inventory, ingest sales, build sales, build finance\n/);
    expect(first.stdout).toMatch(/every domain: run [0-9a-f]{8} SUCCESS/);
    writeFileSync(join(raw, 'sales', 'orders_2026-07-01.csv'), 'order_id,customer_id,order_status,order_date\n200,3,open,2026-07-01\n');
    writeFileSync(join(raw, 'sales', 'order_products_2026-07-01.csv'), 'transaction_id,order_id,product_id,product_quantity\n9,200,1,4\n');
    const second = once();
    expect(second.code, second.output).toBe(0);
    const loaded = [...second.stdout.matchAll(/\[(\w+) ingest\] \S+ +OK +\w+ -> \S+ +(\S+) (\d+) rows/g)].map((m) => `${m[1]} ${m[2]!.split('/').pop()} ${m[3]}`);
    expect(loaded).toEqual(['sales orders_2026-07-01.csv 1', 'sales order_products_2026-07-01.csv 1']);
    expect(second.stdout).toContain('[sales ingest] Done. LOADED=2 REPLACED=0 UNCHANGED=3 ERROR=0 ROWS=2');
    expect(second.stdout).toContain('[inventory ingest] Done. LOADED=0 REPLACED=0 UNCHANGED=2 ERROR=0 ROWS=0');
    const refreshed = once('--full-refresh');
    expect(refreshed.code, refreshed.output).toBe(0);
    expect(refreshed.stdout).toContain('[sales ingest] Done. LOADED=5 REPLACED=0 UNCHANGED=0 ERROR=0 ROWS=');
    const runs = JSON.parse(mesh(root, 'runs', '--json', '--project-dir', root, '--command', 'schedule').stdout) as Array<{ domain: string; message: string }>;
    expect(runs.map((r) => [r.domain, r.message])).toEqual(Array(3).fill(['inventory', 'every domain, once (mesh schedule --once)']));
    expect(once('--trigger', 'sales').stderr).toContain('error[E_SCHEDULE_FLAGS] --once and --trigger cannot be used together');
  }, 240_000);

  it('refuses a bad cron expression with the file and line', () => {
    const dir = copyFixture(FIXTURE, 'depot-cron');
    writeFileSync(join(dir, 'ingest.yml'), readFileSync(join(dir, 'ingest.yml'), 'utf8').replace("cron: '0 * * * *'", "cron: '0 25 * * *'"));
    const r = mesh(dir, 'schedule', '--workspace', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error[E_SCHEDULE_CRON] ${join(dir, 'ingest.yml')}:9: invalid schedule '0 25 * * *' in UTC: CronPattern: Invalid value for hour: 25`);
  });
});

