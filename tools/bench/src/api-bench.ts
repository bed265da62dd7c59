import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { addToken, hashToken } from '@mesh/api';
import { landTeddyHistory } from '@mesh/datagen';
import { publicationFacts, publishedManifestSchema, shareFilesRoot } from '@mesh/loom';
import { copyDomains, meshWithEnv, REPO_ROOT } from '@mesh/testing';
import { BENCHMARKS_MD } from './paths';
import { updateBenchmarksFile } from './report';

/**
 * The data product API under load, on loopback, beside the floor it is measured against: `mesh serve`
 * (as its own process, once with its page cache and once with it turned off) and a bare `node:http`
 * server that checks the token's sha256 and runs one prepared DuckDB statement on the same published
 * file (api-baseline-server.ts). wrk drives keyed lookups of order_summary and a 1,000-row page of
 * order_lines, at 16 and at 200 connections, in alternating rounds so that the machine's noise falls on
 * every server alike. Then the peak memory of the server while it streams a large export.
 *
 *   pnpm exec tsx tools/bench/src/api-bench.ts [--seconds 10] [--rounds 3] [--export-rows 10000000] [--dry-run]
 */

const BIN = join(REPO_ROOT, 'platform', 'cli', 'bin', 'mesh.js');
const HERE = join(REPO_ROOT, 'tools', 'bench', 'src');
const LUA = join(HERE, 'wrk-requests.lua');
const ORDERS = '/v1/products/teddy-sales/ports/order_summary/rows';
const LINES = '/v1/products/teddy-sales/ports/order_lines/rows';
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  errors: number;
  /** CPU time of the server process (all its threads) per request, in ms. */
  cpu: number;
  peakRss: number;
}

interface Test {
  name: string;
  connections: number;
  env: Record<string, string>;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds the process has used, its threads included (utime + stime of /proc/pid/stat). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function listen(name: string, command: string[], pattern: RegExp): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m) resolve({ name, child, url: m[1]! });
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${out}`)));
  });
}

const serveMesh = (name: string, root: string) => listen(name, [BIN, 'serve', '--workspace', root, '--port', '0'], /API at (http:\/\/\S+\/)/);

function wrk(server: Server, test: Test, seconds: number, token: string): Promise<Omit<Run, 'cpu' | 'peakRss'> & { requests: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t2', `-c${test.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', LUA, server.url], {
      env: { ...process.env, ...test.env, TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', (e) => reject(new Error(`wrk could not start (${e.message}); install it with: apt-get install wrk`)));
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
      if (code !== 0 || !line) return reject(new Error(`wrk failed (${code}):\n${out}${err}`));
      const r = JSON.parse(line) as Record<string, number>;
      resolve({
        requests: r.requests!,
        rps: r.requests! / (r.duration_us! / 1e6),
        p50: r.p50! / 1000,
        p99: r.p99! / 1000,
        p999: r.p999! / 1000,
        errors: r.connect! + r.read! + r.write! + r.status! + r.timeout!,
      });
    });
  });
}

/** One wrk run against one server, with the server's CPU time and peak resident memory over the run. */
async function measure(server: Server, test: Test, seconds: number, token: string): Promise<Run> {
  const pid = server.child.pid!;
  let peak = rssOf(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
  const cpu0 = cpuOf(pid);
  try {
    const r = await wrk(server, test, seconds, token);
    return { rps: r.rps, p50: r.p50, p99: r.p99, p999: r.p999, errors: r.errors, cpu: ((cpuOf(pid) - cpu0) * 1000) / Math.max(1, r.requests), peakRss: Math.max(peak, rssOf(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const count = (x: number) => Math.round(x).toLocaleString('en-US');
const spread = (xs: number[]) => `${count(Math.min(...xs))}-${count(Math.max(...xs))}`;
const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));

/** Downloads an export while sampling the server's resident memory; returns the peak and the bytes. */
async function exportPeak(url: string, token: string, pid: number) {
  let peak = rssOf(pid);
  const before = peak;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
  const t = performance.now();
  let bytes = 0;
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok || !response.body) throw new Error(`export failed: HTTP ${response.status} ${await response.text()}`);
    for await (const chunk of response.body) bytes += (chunk as Uint8Array).byteLength;
  } finally {
    clearInterval(sampler);
  }
  return { before, peak: Math.max(peak, rssOf(pid)), bytes, seconds: (performance.now() - t) / 1000 };
}

/** A domain whose one public model holds `rows` generated rows, granted to every consumer. */
function bulkDomain(root: string, rows: number): void {
  const dir = join(root, 'bulk');
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'mesh_project.yml'), 'name: bulk\n');
  writeFileSync(join(dir, 'models', 'events.sql'),
    `select range as event_id, 'event ' || range as label, range % 1000 as bucket, timestamp '2026-01-01' + to_seconds(range) as happened_at\nfrom range(${rows})`);
  writeFileSync(join(dir, 'models', 'events.yml'), 'version: 2\nmodels:\n  - name: events\n    config: {access: public}\n    columns: [{name: event_id, constraints: [{type: primary_key}]}]\n');
  writeFileSync(join(dir, 'data_product.yaml'), `name: bulk-events
domain: bulk
owner: {team: Platform, email: platform@example.com}
description: Generated events for the export benchmark.
status: active
classification: internal
output_ports: [{name: events, model: events, format: duckdb}]
access: {grants: [{to: ['*']}]}
`);
}

async function maxOrderId(file: string): Promise<number> {
  const files = shareFilesRoot(file);
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY', ...(files ? { file_search_path: files } : {}) });
  const connection = await instance.connect();
  const id = Number((await connection.runAndReadAll('SELECT max(order_id) AS id FROM gold.order_summary')).getRowObjectsJS()[0]!.id);
  connection.closeSync();
  instance.closeSync();
  return id;
}

/** The same request to each server: the bodies must be byte for byte the same, or the comparison means nothing. */
async function sameAnswers(servers: Server[], token: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const bodies = await Promise.all(servers.map(async (s) => (await fetch(new URL(path, s.url), { headers: { Authorization: `Bearer ${token}` } })).text()));
    const differing = servers.filter((_, i) => bodies[i] !== bodies[0]).map((s) => s.name);
    if (differing.length) throw new Error(`${path}: ${differing.join(', ')} answered differently from ${servers[0]!.name}:\n${bodies.map((b, i) => `${servers[i]!.name}: ${b.slice(0, 300)}`).join('\n')}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      'export-rows': { type: 'string', default: '10000000' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const exportRows = Number(values['export-rows']);
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed; install it with: apt-get install wrk');
  const root = copyDomains(['inventory', 'sales', 'finance'], 'bench-api');
  const uncached = mkdtempSync(join(tmpdir(), 'mesh-bench-api-nocache-'));
  const raw = mkdtempSync(join(tmpdir(), 'mesh-bench-api-raw-'));
  const log = (line: string) => console.error(line);
  const servers: Server[] = [];
  try {
    await landTeddyHistory({ outDir: raw, seed: 42, lines: 45_000 });
    bulkDomain(root, exportRows);
    for (const d of ['inventory', 'sales', 'finance', 'bulk']) {
      const t = performance.now();
      const ingested = existsSync(join(root, d, 'ingest.yml')) ? meshWithEnv(join(root, d), { TEDDY_RAW_DIR: raw }, 'ingest') : undefined;
      if (ingested && ingested.code !== 0) throw new Error(`${d} did not ingest:\n${ingested.output}`);
      const r = meshWithEnv(join(root, d), { TEDDY_RAW_DIR: raw }, 'build');
      if (r.code !== 0) throw new Error(`${d} did not build:\n${r.output}`);
      log(`api: built ${d} in ${((performance.now() - t) / 1000).toFixed(1)}s`);
    }
    const token = addToken(root, 'bench-finance', 'finance').token;
    // The same publication and token, served with the page cache turned off.
    for (const d of ['inventory', 'sales', 'finance']) cpSync(join(root, d), join(uncached, d), { recursive: true });
    cpSync(join(root, 'governance'), join(uncached, 'governance'), { recursive: true });
    writeFileSync(join(uncached, 'governance', 'api.yml'), `${readFileSync(join(root, 'governance', 'api.yml'), 'utf8')}limits:\n  page_cache: '0'\n`);

    const published = join(uncached, 'sales', 'target', 'published');
    const manifest = publishedManifestSchema.parse(JSON.parse(readFileSync(join(published, 'manifest.json'), 'utf8')));
    const shareFile = publicationFacts(manifest).access?.shares.finance?.file;
    if (!shareFile) throw new Error('sales published no share for finance; the benchmark reads order_summary as finance');
    const share = join(published, shareFile);
    const keys = await maxOrderId(share);
    servers.push(await serveMesh('mesh serve', root));
    servers.push(await serveMesh('mesh serve, page cache off', uncached));
    servers.push(await listen('bare node:http + DuckDB', ['--import', 'tsx', join(HERE, 'api-baseline-server.ts'), '--file', share, '--sha256', hashToken(token), '--published-at', manifest.metadata.generated_at], /baseline at (http:\/\/\S+\/)/));
    await sameAnswers(servers, token, [`${ORDERS}?order_id=eq.42`, `${ORDERS}?order_id=eq.${keys}`, `${LINES}?limit=1000`]);

    const tests: Test[] = [
      { name: `keyed lookup, 16 connections (\`order_summary?order_id=eq.N\`, N over ${keys.toLocaleString('en-US')} ids)`, connections: 16, env: { LOOKUP_PATH: `${ORDERS}?order_id=eq.`, KEYS: String(keys) } },
      { name: '1,000-row page, 16 connections (`order_lines?limit=1000`)', connections: 16, env: { PAGE_PATH: `${LINES}?limit=1000` } },
      { name: 'keyed lookup, 200 connections', connections: 200, env: { LOOKUP_PATH: `${ORDERS}?order_id=eq.`, KEYS: String(keys) } },
    ];
    const results = new Map<string, Run[]>();
    for (const test of tests) {
      // A short warm-up of each server first: JIT, prepared statements, and the page cache where there is one.
      for (const server of servers) await wrk(server, test, Math.min(3, seconds), token);
      for (let round = 0; round < rounds; round++) {
        // Alternate who goes first, so no server always runs right after the same neighbour.
        const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
        for (const server of order) {
          const run = await measure(server, test, seconds, token);
          const key = `${test.name}\0${server.name}`;
          results.set(key, [...(results.get(key) ?? []), run]);
          log(`api: ${test.name} | ${server.name} | round ${round + 1}: ${run.rps.toFixed(0)} req/s, p99 ${ms(run.p99)} ms, ${run.cpu.toFixed(3)} ms CPU/req, RSS ${mb(run.peakRss)} MB${run.errors ? `, ${run.errors} errors` : ''}`);
        }
      }
    }

    const exportServer = servers[0]!;
    const csv = await exportPeak(`${exportServer.url}v1/products/bulk-events/ports/events/export?format=csv`, token, exportServer.child.pid!);
    log(`api: csv export ${mb(csv.bytes)} MB in ${csv.seconds.toFixed(1)}s, peak RSS ${mb(csv.peak)} MB`);
    const parquet = await exportPeak(`${exportServer.url}v1/products/bulk-events/ports/events/export?format=parquet`, token, exportServer.child.pid!);
    log(`api: parquet export ${mb(parquet.bytes)} MB in ${parquet.seconds.toFixed(1)}s, peak RSS ${mb(parquet.peak)} MB`);

    const cpu = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const bare = servers[2]!.name;
    const lines = [
      `Measured by \`pnpm exec tsx tools/bench/src/api-bench.ts --seconds ${seconds} --rounds ${rounds}\` on loopback, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpu} cores, load average ${load} at the end (the cores are shared: wrk, the servers and other work compete for them). The demo data (45,000 order lines, seed 42); each server its own process; wrk with 2 threads for ${seconds}s per run, ${rounds} rounds per test in alternating order after a warm-up; medians, with the lowest and highest of the rounds. All three servers answer the benchmark's requests with the same bytes (checked before measuring). "CPU/req" is the server process's CPU time (all threads) per request; "RSS" its peak resident memory during the runs.`,
      '',
      '| test | server | requests/s | range | vs bare | p50 | p99 | p99.9 | CPU/req | peak RSS | errors |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ];
    for (const test of tests) {
      const floor = median(results.get(`${test.name}\0${bare}`)!.map((r) => r.rps));
      for (const server of servers) {
        const runs = results.get(`${test.name}\0${server.name}`)!;
        const rps = median(runs.map((r) => r.rps));
        lines.push(`| ${test.name} | ${server.name} | ${count(rps)} | ${spread(runs.map((r) => r.rps))} | ${(rps / floor).toFixed(2)}x | ${ms(median(runs.map((r) => r.p50)))} ms | ${ms(median(runs.map((r) => r.p99)))} ms (max ${ms(Math.max(...runs.map((r) => r.p99)))}) | ${ms(median(runs.map((r) => r.p999)))} ms | ${median(runs.map((r) => r.cpu)).toFixed(3)} ms | ${mb(Math.max(...runs.map((r) => r.peakRss)))} MB | ${runs.reduce((n, r) => n + r.errors, 0)} |`);
      }
    }
    const rows = exportRows.toLocaleString('en-US');
    lines.push(
      '',
      `Exports from \`mesh serve\` of a generated ${rows}-row port (DuckDB memory limit 256MB per published database, the default):`,
      '',
      '| export | rows | size | time | server RSS before | peak RSS |',
      '|---|---:|---:|---:|---:|---:|',
      `| CSV, written by DuckDB then streamed | ${rows} | ${mb(csv.bytes)} MB | ${csv.seconds.toFixed(1)} s | ${mb(csv.before)} MB | ${mb(csv.peak)} MB |`,
      `| Parquet, written by DuckDB then streamed | ${rows} | ${mb(parquet.bytes)} MB | ${parquet.seconds.toFixed(1)} s | ${mb(parquet.before)} MB | ${mb(parquet.peak)} MB |`,
    );
    const body = lines.join('\n');
    console.log(body);
    if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'api', body);
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
    rmSync(uncached, { recursive: true, force: true });
    rmSync(raw, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
