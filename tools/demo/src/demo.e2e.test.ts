import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { copyWorkspace, REPO_ROOT } from '@mesh/testing';

const LINES = 2_000;
const DEMO = join(REPO_ROOT, 'tools', 'demo', 'src', 'demo.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The demo as `pnpm demo` runs it (pnpm sets INIT_CWD to where it was typed). */
function demo(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', DEMO, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, INIT_CWD: cwd, FORCE_COLOR: '0' } });
  return { code: r.status ?? -1, stdout: r.stdout, output: `${r.stdout}\n${r.stderr}` };
}

/** The commands under "Where to look next", in order, each as printed. */
function printedCommands(stdout: string): string[] {
  const section = stdout.slice(stdout.indexOf('\nWhere to look next\n'));
  const lines = section.split('\n').slice(2);
  return lines.slice(0, lines.findIndex((l) => !l.startsWith('  '))).map((l) => l.trim()).filter((l) => !l.startsWith('#'));
}

/** A pasted command, as a shell runs it. */
const shell = (cwd: string, command: string) => {
  const r = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status ?? -1, stdout: r.stdout, output: `${r.stdout}\n${r.stderr}` };
};

/** A pasted command that keeps running (a server), in its own process group so it is stopped whole. */
function background(cwd: string, command: string, ready: RegExp): Promise<ChildProcess> {
  const child = spawn('sh', ['-c', command], { cwd, detached: true, env: { ...process.env, FORCE_COLOR: '0' } });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} printed no ${ready} in 60 s:\n${output}`)), 60_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`)));
  });
}

const stop = (child: ChildProcess | undefined) => {
  if (child?.pid) process.kill(-child.pid, 'SIGTERM');
};

describe('pnpm demo: land, ingest and build in one scheduled run, then where to look next', () => {
  let workspace: string;
  let first: ReturnType<typeof demo>;
  let commands: string[];
  const servers: ChildProcess[] = [];
  let ports: { docs: number; api: number };

  beforeAll(async () => {
    workspace = copyWorkspace('demo');
    ports = { docs: await freePort(), api: await freePort() };
    first = demo(workspace, '--workspace', workspace, '--lines', String(LINES), '--docs-port', String(ports.docs), '--api-port', String(ports.api));
    if (first.code !== 0) throw new Error(first.output);
    commands = printedCommands(first.stdout);
  }, 240_000);

  afterAll(() => servers.forEach(stop));

  it('lands the history per domain and loads every file into bronze in one scheduled run, domains in order', () => {
    expect(first.stdout).toMatch(/^Landed Teddy Retailers' history \(2026-01-01 to 2026-06-30, seed 42\) in data\/teddy: 20 files/);
    expect(first.stdout).toMatch(/every domain, once \([0-9a-f]{8}\): ingest inventory, build inventory, ingest sales, build sales, build finance\n/);
    const steps = [...first.stdout.matchAll(/^\d\d:\d\d:\d\d {2}(ingest|build) (\w+): SUCCESS$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(steps).toEqual(['ingest inventory', 'build inventory', 'ingest sales', 'build sales', 'build finance']);
    expect(first.stdout).toMatch(/\[sales ingest\] .*OK +orders -> bronze\.orders +\.\.\/\.\.\/data\/teddy\/sales\/orders_2026-01\.csv/);
    expect(first.stdout).toContain('Ingested   inventory 7 new files');
    expect(first.stdout).toMatch(/Published {2}inventory 1\.0\.0 +products 50, stock_product \d+\n +sales 2\.0\.0 +customer_summary/);
  });

  it("prints the mesh's totals as DuckDB finds them in the landed files", async () => {
    const landed = join(workspace, 'data', 'teddy');
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const [truth] = (await duck.runAndReadAll(`
      WITH lines AS (SELECT * FROM read_csv('${landed}/sales/order_products_*.csv')),
           prices AS (SELECT * FROM read_csv('${landed}/inventory/catalog.csv'))
      SELECT count(DISTINCT l.order_id) AS orders, sum(p.price_cents * l.product_quantity) AS revenue
      FROM lines l JOIN prices p USING (product_id)`)).getRowObjectsJS();
    duck.closeSync();
    const money = (cents: number) => (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
    expect(first.stdout).toContain(`Totals     ${Number(truth!.orders).toLocaleString('en-US')} orders (delivered `);
    expect(first.stdout).toContain(`revenue ${money(Number(truth!.revenue))}, cost `);
  });

  it('prints commands for the catalog, the API, impact and the run history that work when pasted', async () => {
    expect(commands.slice(0, 4)).toEqual([
      `pnpm exec mesh docs serve --port ${ports.docs}`,
      `pnpm exec mesh serve --port ${ports.api}`,
      expect.stringMatching(new RegExp(`^curl -s -H 'Authorization: Bearer mesh_[\\w-]+' 'http://127\\.0\\.0\\.1:${ports.api}/v1/products/teddy-sales/ports/order_summary/rows\\?order_status=eq\\.open&order=total_value\\.desc&limit=3'$`)),
      'pnpm exec mesh impact inventory.products.price_cents',
    ]);

    servers.push(await background(workspace, commands[0]!, /Serving the catalog at /));
    const home = await fetch(`http://127.0.0.1:${ports.docs}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<title>');

    servers.push(await background(workspace, commands[1]!, /Serving the data product API at /));
    const curl = shell(workspace, commands[2]!);
    expect(curl.code, curl.output).toBe(0);
    const page = JSON.parse(curl.stdout) as { data: Array<{ order_status: string; total_value: number }> };
    expect(page.data).toHaveLength(3);
    expect(page.data.every((r) => r.order_status === 'open')).toBe(true);
    expect(page.data[0]!.total_value).toBeGreaterThanOrEqual(page.data[2]!.total_value);

    const impact = shell(workspace, commands[3]!);
    expect(impact.code, impact.output).toBe(0);
    expect(impact.stdout).toContain('sales.order_summary (total_value)  [public]');

    const [runs, show] = [commands[4]!, commands[5]!];
    expect(show).toMatch(/^pnpm exec mesh runs show [0-9a-f]{8}$/);
    expect(shell(workspace, runs).stdout).toMatch(/\| sales +\| ingest +\| schedule /);
    const steps = shell(workspace, show);
    expect(steps.code, steps.output).toBe(0);
    expect(steps.stdout).toMatch(/build\.finance +\| step +\| SUCCESS/);
  }, 180_000);

  it('lands the next day on the next run and ingests only its files', () => {
    const next = commands.at(-1)!;
    expect(next).toBe(`pnpm --dir ${REPO_ROOT.replace(/\/$/, '')} demo --lines ${LINES} --workspace ${workspace}`);
    const second = shell(workspace, next);
    expect(second.code, second.output).toBe(0);
    expect(second.stdout).toMatch(/Landed 2026-07-01 in .*: \d+ orders, \d+ order lines, \d+ stock entries/);
    const loaded = [...second.stdout.matchAll(/\] \d\d:\d\d:\d\d {2}OK +\w+ -> [\w.]+ +(\S+)/g)].map((m) => m[1]!.replace(/.*\//, ''));
    expect(loaded).toEqual(['stock_2026-07-01.csv', 'orders_2026-07-01.csv', 'order_products_2026-07-01.csv']);
    expect(second.stdout).toMatch(/Ingested {3}inventory 1 new file \(\d+ rows\), 7 unchanged; sales 2 new files \(\d+ rows\), 13 unchanged/);
    expect(second.stdout).toContain('# The next morning: lands 2026-07-02 and ingests only its files');
  }, 180_000);
});
