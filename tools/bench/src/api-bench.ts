import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { addToken } from '@mesh/api';
import { landTeddyHistory } from '@mesh/datagen';
import { copyDomains, meshWithEnv, REPO_ROOT } from '@mesh/testing';
import { BENCHMARKS_MD } from './paths';
import { updateBenchmarksFile } from './report';

/**
 * The data product API under load, on loopback only: requests per second and latency percentiles for a
 * keyed lookup and a 1,000-row page on the demo data (45,000 order lines), then the peak memory of the
 * server process while it streams a 10-million-row export as CSV and as Parquet.
 */

const BIN = join(REPO_ROOT, 'platform', 'cli', 'bin', 'mesh.js');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function startServer(root: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--workspace', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /API at (http:\/\/\S+\/)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
}

async function load(url: string, token: string, seconds: number, path: (i: number) => string) {
  let i = 0;
  const result = await autocannon({
    url,
    connections: 8,
    duration: seconds,
    headers: { Authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (req) => ({ ...req, path: path(i++) }) }],
  });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total };
}

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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, 'export-rows': { type: 'string', default: '10000000' }, 'dry-run': { type: 'boolean', default: false } } });
  const seconds = Number(values.seconds);
  const exportRows = Number(values['export-rows']);
  const root = copyDomains(['inventory', 'sales', 'finance'], 'bench-api');
  const raw = mkdtempSync(join(tmpdir(), 'mesh-bench-api-raw-'));
  const log = (line: string) => console.error(line);
  let server: ChildProcess | undefined;
  try {
    const data = await landTeddyHistory({ outDir: raw, seed: 42, lines: 45_000 });
    bulkDomain(root, exportRows);
    for (const d of ['inventory', 'sales', 'finance', 'bulk']) {
      const t = performance.now();
      const ingested = existsSync(join(root, d, 'ingest.yml')) ? meshWithEnv(join(root, d), { TEDDY_RAW_DIR: raw }, 'ingest') : undefined;
      if (ingested && ingested.code !== 0) throw new Error(`${d} did not ingest:\n${ingested.output}`);
      const r = meshWithEnv(join(root, d), { TEDDY_RAW_DIR: raw }, 'build');
      if (r.code !== 0) throw new Error(`${d} did not build:\n${r.output}`);
      log(`api: built ${d} in ${((performance.now() - t) / 1000).toFixed(1)}s`);
    }
    const finance = addToken(root, 'bench-finance', 'finance').token;
    const started = await startServer(root);
    server = started.child;
    const orders = data.counts.orders;
    log(`api: serving at ${started.url}; ${seconds}s per load test`);
    const lookup = await load(started.url, finance, seconds, (i) => `/v1/products/teddy-sales/ports/order_summary/rows?order_id=eq.${1 + ((i * 7919) % orders)}`);
    log(`api: keyed lookup ${lookup.rps.toFixed(0)} req/s, p99 ${lookup.p99} ms`);
    const page = await load(started.url, finance, seconds, () => '/v1/products/teddy-sales/ports/order_lines/rows?limit=1000');
    log(`api: 1,000-row page ${page.rps.toFixed(0)} req/s, p99 ${page.p99} ms`);
    const csv = await exportPeak(`${started.url}v1/products/bulk-events/ports/events/export?format=csv`, finance, server.pid!);
    log(`api: csv export ${mb(csv.bytes)} MB in ${csv.seconds.toFixed(1)}s, peak RSS ${mb(csv.peak)} MB`);
    const parquet = await exportPeak(`${started.url}v1/products/bulk-events/ports/events/export?format=parquet`, finance, server.pid!);
    log(`api: parquet export ${mb(parquet.bytes)} MB in ${parquet.seconds.toFixed(1)}s, peak RSS ${mb(parquet.peak)} MB`);

    const rows = exportRows.toLocaleString('en-US');
    const body = [
      `Measured by \`pnpm exec tsx tools/bench/src/api-bench.ts\` on loopback: \`mesh serve\` as its own process, autocannon with 8 connections for ${seconds}s per test, the demo data (45,000 order lines, seed 42), and a generated ${rows}-row port for the exports. The server's DuckDB memory limit is its default, 256MB per published database; autocannon runs on the same two cores as the server.`,
      '',
      '| test | requests/s | p50 | p99 |',
      '|---|---:|---:|---:|',
      `| keyed lookup (\`order_summary?order_id=eq.N\`, JSON) | ${lookup.rps.toFixed(0)} | ${lookup.p50} ms | ${lookup.p99} ms |`,
      `| 1,000-row page (\`order_lines?limit=1000\`, JSON) | ${page.rps.toFixed(0)} | ${page.p50} ms | ${page.p99} ms |`,
      '',
      '| export | rows | size | time | server RSS before | peak RSS |',
      '|---|---:|---:|---:|---:|---:|',
      `| CSV, written by DuckDB then streamed | ${rows} | ${mb(csv.bytes)} MB | ${csv.seconds.toFixed(1)} s | ${mb(csv.before)} MB | ${mb(csv.peak)} MB |`,
      `| Parquet, written by DuckDB then streamed | ${rows} | ${mb(parquet.bytes)} MB | ${parquet.seconds.toFixed(1)} s | ${mb(parquet.before)} MB | ${mb(parquet.peak)} MB |`,
    ].join('\n');
    console.log(body);
    if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'api', body);
  } finally {
    server?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
    rmSync(raw, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
