import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

/** The repository root, for tests that use the real domains and binary. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(REPO_ROOT, 'platform/cli/bin/mesh.js');

/** A fresh copy of a folder in a temp folder, so each test owns its files and database. */
export function copyFixture(source: string, label = 'fixture'): string {
  const dir = mkdtempSync(join(tmpdir(), `mesh-${label}-`));
  cpSync(source, dir, { recursive: true, filter: (src) => !/\/(node_modules|target|\.mesh)(\/|$)/.test(src) });
  return dir;
}

/**
 * The small raw data of the Teddy mesh, with totals worked out by hand (platform/loom/src/teddy-mesh.e2e.test.ts),
 * landed as `pnpm demo` lands the real one: a folder per domain.
 */
export const TEDDY_SMALL_RAW = join(REPO_ROOT, 'platform/loom/src/__fixtures__/teddy-small');

/**
 * The raw tables the Teddy domains' ingest.yml declare, each with its file of the small data set. `mesh
 * ingest` loads DuckDB targets; a domain on a server engine (PostgreSQL, Trino) gets these from the
 * server's own loader, which a test plays by staging the files with the adapter, into `<domain>.bronze`.
 */
export const TEDDY_SMALL_RAW_TABLES: ReadonlyArray<{ domain: string; table: string; path: string }> = [
  ['inventory', 'catalog', 'inventory/catalog.csv'],
  ['inventory', 'stock', 'inventory/stock_2026.csv'],
  ['sales', 'customers', 'sales/customers.csv'],
  ['sales', 'orders', 'sales/orders_2026.csv'],
  ['sales', 'order_products', 'sales/order_products_2026.csv'],
].map(([domain, table, file]) => ({ domain: domain!, table: table!, path: join(TEDDY_SMALL_RAW, file!) }));

const INGESTING = new Set(['build', 'run', 'test']);

/**
 * `mesh <args>` in a copy of a demo domain, reading the small Teddy data. Before a build, run or test of a
 * domain that declares sources (ingest.yml), its files are ingested as a scheduled run would (files
 * already loaded are skipped), so its bronze tables hold them.
 */
export function meshTeddy(dir: string, ...args: string[]): CliResult {
  const env = { TEDDY_RAW_DIR: TEDDY_SMALL_RAW };
  if (INGESTING.has(args[0] ?? '') && existsSync(join(dir, 'ingest.yml'))) {
    const ingested = meshWithEnv(dir, env, 'ingest', '--wait');
    if (ingested.code !== 0) return ingested;
  }
  return meshWithEnv(dir, env, ...args);
}

/**
 * meshTeddy with raw data of the test's own (`env.TEDDY_RAW_DIR`, a copy it changes): ingest first for a
 * build, run or test, as a scheduled run does.
 */
export function meshIngested(dir: string, env: Record<string, string>, ...args: string[]): CliResult {
  if (INGESTING.has(args[0] ?? '') && existsSync(join(dir, 'ingest.yml'))) {
    const ingested = meshWithEnv(dir, env, 'ingest', '--wait');
    if (ingested.code !== 0) return ingested;
  }
  return meshWithEnv(dir, env, ...args);
}

/** A copy of the small Teddy data in a temp folder, for a test that changes it. */
export function teddySmallCopy(label = 'raw'): string {
  const raw = mkdtempSync(join(tmpdir(), `mesh-${label}-`));
  cpSync(TEDDY_SMALL_RAW, raw, { recursive: true });
  return raw;
}

/** meshTeddy without blocking this process (for a test that serves or kills something meanwhile). */
export async function meshTeddyAsync(dir: string, ...args: string[]): Promise<CliResult> {
  const env = { TEDDY_RAW_DIR: TEDDY_SMALL_RAW };
  if (INGESTING.has(args[0] ?? '') && existsSync(join(dir, 'ingest.yml'))) {
    const ingested = await meshAsync(dir, env, 'ingest', '--wait');
    if (ingested.code !== 0) return ingested;
  }
  return meshAsync(dir, env, ...args);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

/** Runs the real `mesh` binary in a child process, as a user would. */
export function mesh(cwd: string, ...args: string[]): CliResult {
  return meshWithEnv(cwd, {}, ...args);
}

export function meshWithEnv(cwd: string, env: Record<string, string>, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}\n${r.stderr}` };
}

export function edit(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

export function write(dir: string, file: string, text: string): void {
  writeFileSync(join(dir, file), text);
}

/**
 * The binary without blocking this process: needed when the test itself serves something the CLI
 * fetches (a blocking spawn would freeze the test's own server).
 */
export function meshAsync(cwd: string, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` }));
  });
}

export interface MeshProcess {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Resolves once the output matches, for a test that acts in the middle of a run (kills it, starts another). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<CliResult>;
}

/** The binary as a child process the test controls: it can watch the output as it comes, and kill it. */
export function meshProcess(cwd: string, env: Record<string, string>, ...args: string[]): MeshProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0', ...env } });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); changed(); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); changed(); });
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => { changed(); resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr, output: `${stdout}\n${stderr}` }); });
  });
  const output = () => `${stdout}\n${stderr}`;
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (pattern.test(output())) done(resolve);
      else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`exited before printing ${pattern}:\n${output()}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${output()}`))), timeoutMs);
    const done = (then: () => void) => { clearTimeout(timer); listeners.delete(check); then(); };
    listeners.add(check);
    check();
  });
  return { child, output, waitFor, exited };
}

/**
 * Reads rows straight from a DuckDB file (read-only), to check what a build left behind. A share of a
 * publication (`<version>/shares/<consumer>.duckdb`) is opened as a consumer opens it: its views read
 * their data files relative to the version folder.
 */
export async function queryDb(path: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const shares = dirname(path);
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', ...(basename(shares) === 'shares' ? { file_search_path: dirname(shares) } : {}) });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql);
    const rows = reader.getRowObjectsJS().map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
    connection.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}

/**
 * A copy of domain packages in a temp workspace, with node_modules links for their package
 * dependencies on each other as pnpm makes them, so upstreams are discovered exactly as in the repo.
 */
export function copyDomains(names: readonly string[], label = 'mesh'): string {
  const root = mkdtempSync(join(tmpdir(), `mesh-${label}-`));
  copyDomainsInto(root, names);
  return root;
}

function copyDomainsInto(root: string, names: readonly string[]): void {
  for (const name of names) {
    cpSync(join(REPO_ROOT, 'domains', name), join(root, name), { recursive: true, filter: (src) => !/\/(node_modules|target|\.mesh)(\/|$)/.test(src) });
  }
  const packageDirs = new Map<string, string>();
  for (const name of names) {
    const pkg = JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')) as { name: string };
    packageDirs.set(pkg.name, join(root, name));
  }
  for (const name of names) {
    const pkg = JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const target = packageDirs.get(dep);
      if (!target) continue;
      const link = join(root, name, 'node_modules', dep);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(target, link);
    }
  }
}

/**
 * The repository's mesh workspace copied to a temp folder: the demo domains under domains/, the
 * workspace's governance/ and a .changeset/ folder (which marks a workspace root), and a package.json
 * with node_modules/.bin/mesh, so a command printed or documented as `pnpm exec mesh ...` runs there as
 * written, on the copy.
 */
export function copyWorkspace(label = 'workspace'): string {
  const root = mkdtempSync(join(tmpdir(), `mesh-${label}-`));
  mkdirSync(join(root, 'domains'));
  copyDomainsInto(join(root, 'domains'), ['inventory', 'sales', 'finance']);
  cpSync(join(REPO_ROOT, 'governance'), join(root, 'governance'), { recursive: true, filter: (src) => !src.endsWith('api.yml') });
  mkdirSync(join(root, '.changeset'));
  cpSync(join(REPO_ROOT, '.changeset', 'config.json'), join(root, '.changeset', 'config.json'));
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ name: 'mesh-workspace-copy', private: true, type: 'module' }, null, 2)}\n`);
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules', '.bin', 'mesh'), join(root, 'node_modules', '.bin', 'mesh'));
  return root;
}

/**
 * A file of a project's current publication (`shares/finance.duckdb`, `contract.odcs.yaml`): in the
 * version folder its manifest names. Undefined when nothing is published.
 */
export function publishedFile(projectDir: string, relative: string): string {
  return versionFile(join(projectDir, 'target', 'published'), relative);
}

/**
 * What a published manifest (dbt v12) says of its publication, from its public models' `meta.mesh`:
 * read here without the loom, which tests this package serves depend on.
 */
export interface PublishedFactsOnDisk {
  publication?: { id: string; dir: string; contract?: string; files: Record<string, { bytes: number }> };
  rows: Record<string, number>;
  database?: { file?: string; schema?: string };
  shares: Record<string, { file?: string; schema?: string }>;
}

export function publicationFactsOf(manifest: unknown): PublishedFactsOnDisk {
  type Facts = { publication?: PublishedFactsOnDisk['publication']; rows?: number; database?: PublishedFactsOnDisk['database']; shares?: PublishedFactsOnDisk['shares'] };
  const nodes = Object.values((manifest as { nodes?: Record<string, { unique_id: string; meta?: { mesh?: Facts } }> }).nodes ?? {});
  const out: PublishedFactsOnDisk = { rows: {}, shares: {} };
  for (const node of nodes) {
    const facts = node.meta?.mesh;
    if (!facts) continue;
    out.publication ??= facts.publication;
    out.database ??= facts.database;
    if (facts.rows !== undefined) out.rows[node.unique_id] = facts.rows;
    for (const [consumer, share] of Object.entries(facts.shares ?? {})) out.shares[consumer] ??= { file: share.file, schema: share.schema };
  }
  return out;
}

/** A file of the version a published folder's manifest names (a producer's, or a consumer's cache of it). */
export function versionFile(dir: string, relative: string): string {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return join(dir, relative);
  }
  const publication = publicationFactsOf(manifest).publication;
  return publication ? join(dir, publication.dir, relative) : join(dir, relative);
}

/** The HMAC-SHA256 a producer's `hash` masking gives a value, computed by Node as an independent judge. */
export function hmacHex(key: Uint8Array, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/**
 * A copy of the workspace's domains in a temp folder that nx can run in: its own nx.json, package.json
 * and nx cache, the domains copied (their node_modules links are relative, so they point inside the
 * copy), and the platform, packages and root node_modules linked from the repository.
 */
export function nxWorkspace(label = 'nx'): string {
  const root = mkdtempSync(join(tmpdir(), `mesh-${label}-`));
  for (const file of ['nx.json', 'package.json', 'pnpm-workspace.yaml']) cpSync(join(REPO_ROOT, file), join(root, file));
  for (const link of ['node_modules', 'platform', 'packages', 'governance', 'tools']) symlinkSync(join(REPO_ROOT, link), join(root, link));
  cpSync(join(REPO_ROOT, 'domains'), join(root, 'domains'), { recursive: true, verbatimSymlinks: true, filter: (src) => !/\/(target|\.mesh)(\/|$)/.test(src) });
  return root;
}

/** `nx run-many -t build` over the Teddy domains in an nx workspace, with which tasks came from the cache. */
export function nxBuild(root: string, env: Record<string, string>): { code: number; output: string; cached: string[] } {
  const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'nx'), ['run-many', '-t', 'build', '--projects=@teddy/*', '--outputStyle=stream'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...env },
  });
  const output = `${r.stdout}\n${r.stderr}`;
  const cached = [...output.matchAll(/> nx run @teddy\/(\w+):build\s+\[(?:local|existing outputs match the) cache\]/g)].map((m) => m[1]!).sort();
  return { code: r.status ?? -1, output, cached };
}
export * from './faults';
export { generateProject, PROJECT_NAME, TRIVIAL_PROJECT_NAME, type GenerateOptions as GenerateProjectOptions, type GeneratedProject } from './generate-project';

/**
 * The totals a reviewer checks first when the Teddy mesh moves engines: the same SQL on every engine,
 * given the engine's name of a domain's gold schema (`gold` on DuckDB, `sales_gold` on PostgreSQL, `sales.gold` on Trino).
 */
export const TEDDY_TOTALS: Array<{ domain: string; sql: (schema: string) => string }> = [
  { domain: 'inventory', sql: (s) => `select count(*) as n, sum(price_cents) as total from ${s}.products` },
  { domain: 'inventory', sql: (s) => `select count(*) as n, sum(quantity) as quantity, sum(avg_purchase_price) as price from ${s}.stock_product` },
  { domain: 'sales', sql: (s) => `select count(*) as n, sum(total_value) as total from ${s}.order_summary` },
  { domain: 'sales', sql: (s) => `select count(*) as n, sum(customer_tlv) as total from ${s}.customer_summary` },
  { domain: 'finance', sql: (s) => `select count(*) as n, sum(order_cost) as cost from ${s}.orders_cost` },
  { domain: 'finance', sql: (s) => `select count(*) as n, sum(order_revenue) as revenue, sum(order_cost) as cost, sum(order_pl) as pl from ${s}.orders_pl` },
];
