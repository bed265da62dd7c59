import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { addToken, hashToken, loadApiConfig, removeToken } from '@mesh/api';
import { dayAfter, DEFAULT_LINES, DEFAULT_SEED, LAST_DAY, MAX_LINES, MIN_LINES } from '@mesh/datagen';
import { landNext, writeState, type DemoState } from './landing';
import { nextStepsText } from './next-steps';
import { meshTotals, publicationLines, publications, totalsLine } from './totals';

/**
 * The demo mesh as the company lives it: the shop's and the warehouse's exports land in a folder per
 * domain (the half-year history on a first run, one new day on every run after), one scheduled run
 * (`mesh schedule --once`) ingests what is new into bronze and builds the domains in order, and a summary
 * says what was loaded and published, with the mesh's totals and where to look next.
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MESH = join(REPO, 'platform', 'cli', 'bin', 'mesh.js');
const DOMAINS = ['inventory', 'sales', 'finance'];
const TOKEN_NAME = 'teddy-demo-analysts';

const USAGE = `usage: pnpm demo [--lines N] [--seed N] [--fresh] [--out DIR] [--workspace DIR] [--docs-port N] [--api-port N]`;

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(code);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      lines: { type: 'string', default: String(DEFAULT_LINES) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      fresh: { type: 'boolean', default: false },
      out: { type: 'string' },
      workspace: { type: 'string' },
      'docs-port': { type: 'string', default: '8080' },
      'api-port': { type: 'string', default: '8000' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const integer = (name: string, min: number, max: number): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} takes a whole number from ${min} to ${max}, got '${String(values[name])}'`);
  return n;
};
const lines = integer('lines', MIN_LINES, MAX_LINES);
const seed = integer('seed', 0, 0xffffffff);
const docsPort = integer('docs-port', 1, 65535);
const apiPort = integer('api-port', 1, 65535);
// pnpm runs the script at the root; INIT_CWD is where the user typed it, which relative paths mean.
const cwd = process.env.INIT_CWD ?? process.cwd();
const workspace = resolve(cwd, typeof values.workspace === 'string' ? values.workspace : REPO);
if (!DOMAINS.every((d) => existsSync(join(workspace, 'domains', d, 'mesh_project.yml')))) {
  fail(`${workspace} does not hold the demo domains (domains/inventory, domains/sales, domains/finance)`);
}
const out = resolve(cwd, typeof values.out === 'string' ? values.out : join(workspace, 'data', 'teddy'));
const shown = (path: string) => relative(cwd, path) || '.';
const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

const t0 = performance.now();
const landed = await landNext({ workspace, out, seed, lines, fresh: values.fresh === true });
const tLand = performance.now();
const c = landed.result.counts;
process.stdout.write(
  landed.what.kind === 'history'
    ? `Landed Teddy Retailers' history (2026-01-01 to ${LAST_DAY}, seed ${seed}) in ${shown(out)}: ${landed.result.files.length} files, ` +
      `${count(c.products)} products, ${count(c.stock)} stock entries, ${count(c.customers)} customers, ${count(c.orders)} orders, ${count(c.lines)} order lines (${seconds(tLand - t0)})\n\n`
    : `Landed ${landed.what.day} in ${shown(out)}: ${count(c.orders)} orders, ${count(c.lines)} order lines, ${count(c.stock)} stock entries (${seconds(tLand - t0)})\n\n`,
);

/** The token the analysts read with: kept in the demo's state, made again if api.yml no longer knows it. */
function analystsToken(state: DemoState): string {
  const known = loadApiConfig(workspace).tokens.find((t) => t.name === TOKEN_NAME);
  if (state.token && known?.sha256 === hashToken(state.token)) return state.token;
  if (known) removeToken(workspace, TOKEN_NAME);
  return addToken(workspace, TOKEN_NAME, 'analysts').token;
}

interface Tick {
  code: number;
  runId?: string;
  ingested: string[];
}

/** One scheduled run of every domain, streamed as it goes; its id and each ingest's summary are kept. */
function scheduledRun(fullRefresh: boolean): Promise<Tick> {
  const args = [MESH, 'schedule', '--once', '--workspace', workspace, ...(fullRefresh ? ['--full-refresh'] : [])];
  const child = spawn(process.execPath, args, { cwd: workspace, env: { ...process.env, TEDDY_RAW_DIR: out }, stdio: ['ignore', 'pipe', 'inherit'] });
  const tick: Tick = { code: 1, ingested: [] };
  createInterface({ input: child.stdout }).on('line', (line) => {
    process.stdout.write(`${line}\n`);
    tick.runId ??= /every domain, once \(([0-9a-f]{8})\)/.exec(line)?.[1];
    const done = /^\[(\w+) ingest\] Done\. LOADED=(\d+) REPLACED=(\d+) UNCHANGED=(\d+) ERROR=(\d+) ROWS=(\d+)/.exec(line);
    if (done) {
      const [, domain, loaded, replaced, unchanged, , rows] = done;
      const changed = Number(loaded) + Number(replaced);
      tick.ingested.push(`${domain} ${changed} new file${changed === 1 ? '' : 's'} (${count(Number(rows))} rows)${Number(unchanged) ? `, ${unchanged} unchanged` : ''}`);
    }
  });
  return new Promise((done, reject) => {
    child.on('error', reject);
    child.on('close', (code) => done({ ...tick, code: code ?? 1 }));
  });
}

// A history landed anew replaces what bronze held (an earlier data set's rows, days since removed).
const tick = await scheduledRun(landed.what.kind === 'history');
const tRun = performance.now();
if (tick.code !== 0) {
  process.stderr.write(`\nThe scheduled run failed (exit ${tick.code}); see the errors above. Nothing new was published by the domain that failed or those after it.\n`);
  process.exit(tick.code);
}
const token = analystsToken(landed.state);
writeState(workspace, { ...landed.state, token });

const label = (s: string) => s.padEnd(11);
const indent = ' '.repeat(13);
process.stdout.write('\n');
if (tick.ingested.length) process.stdout.write(`  ${label('Ingested')}${tick.ingested.join('; ')}\n`);
publicationLines(publications(workspace, DOMAINS)).forEach((line, i) => process.stdout.write(`${i === 0 ? `  ${label('Published')}` : indent}${line}\n`));
process.stdout.write(`  ${label('Totals')}${totalsLine(await meshTotals(workspace))}\n`);

const flags = [...(lines !== DEFAULT_LINES ? [`--lines ${lines}`] : []), ...(seed !== DEFAULT_SEED ? [`--seed ${seed}`] : [])];
const steps = nextStepsText({
  cd: resolve(cwd) === workspace ? undefined : workspace,
  docsPort,
  apiPort,
  token,
  runId: tick.runId,
  nextDay: dayAfter(landed.state.days.at(-1) ?? LAST_DAY),
  // From anywhere, when the workspace is not the repository the demo script lives in.
  demoCommand: [workspace === resolve(REPO) ? 'pnpm demo' : `pnpm --dir ${REPO.replace(/\/$/, '')} demo`, ...flags, ...(workspace !== resolve(REPO) ? [`--workspace ${workspace}`] : []), ...(values.out ? [`--out ${out}`] : [])].join(' '),
});
process.stdout.write(`\nWhere to look next\n${steps}\n`);
process.stdout.write(`\nDone in ${seconds(tRun - t0)}: landing ${seconds(tLand - t0)}, ingest and build ${seconds(tRun - tLand)}\n`);
