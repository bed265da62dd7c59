import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { landTeddyHistory } from '@mesh/datagen';
import { copyDomains, REPO_ROOT } from '@mesh/testing';
import { parse, stringify } from 'yaml';
import { median, stamp, table } from './report';

/**
 * What a publication costs as the consumers of a product grow: sales built at a given number of order
 * lines, then published with 1, 5 and 20 grantees (grants written into a scratch copy of its
 * data_product.yaml), by this checkout and by another one (`--base`, a checkout of main) in alternating
 * rounds. Each round is one fresh process per checkout that builds sales with that checkout's engine and
 * then calls that checkout's `publish` once per grantee count, timing each call and measuring the
 * version folder it wrote. The grants cycle through pii masked, clear and refused, so the
 * publication holds each personal model in three treatments, as a real product would.
 */

export interface PublishBenchOptions {
  dir: string;
  lines: number;
  grantees: number[];
  rounds: number;
  base?: string;
  log(line: string): void;
}

interface Measure {
  grantees: number;
  publishMs: number;
  bytes: number;
  files: number;
}

interface Round {
  buildMs: number;
  publishes: Measure[];
}

export interface PublishBenchResult {
  lines: number;
  rounds: number;
  sides: Array<{ label: string; tree: string; runs: Round[] }>;
}

const TREATMENTS = ['masked', 'clear', 'refused'] as const;

/** The sales descriptor with `n` grantees of every port, treatments in turn. */
function withGrantees(descriptor: string, n: number): string {
  const product = parse(descriptor) as { output_ports: Array<{ name: string }>; access?: unknown };
  const ports = product.output_ports.map((p) => p.name);
  product.access = {
    grants: Array.from({ length: n }, (_, i) => ({ to: [`consumer_${String(i + 1).padStart(2, '0')}`], ports, pii: TREATMENTS[i % TREATMENTS.length] })),
  };
  return stringify(product);
}

// Run by each checkout's tsx, so each side builds and publishes with its own code.
const RUNNER = `
import { copyFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const [tree, project, variants] = process.argv.slice(-3);
const { runProject } = await import(join(tree, 'platform/engine/src/index.ts'));
const { publish, loadUpstreams } = await import(join(tree, 'platform/loom/src/index.ts'));
const { DuckDBAdapter } = await import(join(tree, 'platform/adapter-duckdb/src/index.ts'));
const grantees = JSON.parse(variants);
function size(dir) {
  let bytes = 0, files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.leases') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) { const s = size(p); bytes += s.bytes; files += s.files; }
    else { bytes += statSync(p).size; files++; }
  }
  return { bytes, files };
}
const t0 = performance.now();
let buildMs = 0;
const publishes = [];
await runProject({
  projectDir: project, command: 'build', upstreams: loadUpstreams,
  openAdapter: (t) => DuckDBAdapter.open({ path: t.path, settings: t.settings }),
  afterRun: async (outcome, adapter) => {
    buildMs = performance.now() - t0;
    if (outcome.results.some((r) => r.status === 'error' || r.status === 'fail')) throw new Error('sales did not build');
    for (const n of grantees) {
      copyFileSync(join(project, 'data_product.' + n + '.yaml'), join(project, 'data_product.yaml'));
      const t = performance.now();
      const result = await publish(outcome, adapter);
      const publishMs = performance.now() - t;
      if (!result?.published || result.current) throw new Error('not published: ' + JSON.stringify(result));
      publishes.push({ grantees: n, publishMs, ...size(join(result.directory, 'versions', result.version)) });
    }
  },
});
process.stdout.write(JSON.stringify({ buildMs, publishes }));
`;

function mesh(tree: string, cwd: string, command: string, raw: string): void {
  const r = spawnSync(join(tree, 'node_modules', '.bin', 'mesh'), [command], { cwd, encoding: 'utf8', env: { ...process.env, TEDDY_RAW_DIR: raw }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`mesh ${command} in ${cwd} (${tree}) failed:\n${r.stdout}\n${r.stderr}`);
}

export async function runPublishBench(options: PublishBenchOptions): Promise<PublishBenchResult> {
  const raw = join(options.dir, 'raw');
  await landTeddyHistory({ outDir: raw, lines: options.lines, seed: 42 });
  const trees = [{ label: 'this checkout', tree: REPO_ROOT }, ...(options.base ? [{ label: `base (${options.base})`, tree: resolve(options.base) }] : [])];
  const runner = join(options.dir, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  const sides = trees.map((t) => ({ ...t, runs: [] as Round[], root: '' }));
  try {
    for (const side of sides) {
      // Each side its own copy, ingested and with inventory built by its own CLI.
      side.root = copyDomains(['inventory', 'sales'], `publish-bench-${sides.indexOf(side)}`);
      if (existsSync(join(side.root, 'inventory', 'ingest.yml'))) mesh(side.tree, join(side.root, 'inventory'), 'ingest', raw);
      mesh(side.tree, join(side.root, 'inventory'), 'build', raw);
      mesh(side.tree, join(side.root, 'sales'), 'ingest', raw);
      const descriptor = readFileSync(join(side.root, 'sales', 'data_product.yaml'), 'utf8');
      for (const n of options.grantees) writeFileSync(join(side.root, 'sales', `data_product.${n}.yaml`), withGrantees(descriptor, n));
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const tsx = join(side.tree, 'node_modules', 'tsx', 'dist', 'loader.mjs');
        const r = spawnSync(process.execPath, ['--import', tsx, runner, side.tree, join(side.root, 'sales'), JSON.stringify(options.grantees)], {
          encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, TEDDY_RAW_DIR: raw },
        });
        if (r.status !== 0) throw new Error(`${side.label}: ${r.stderr}`);
        const run = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('{"buildMs"'))) as Round;
        side.runs.push(run);
        options.log(`round ${round + 1} ${side.label}: build ${(run.buildMs / 1000).toFixed(1)} s; ${run.publishes.map((p) => `${p.grantees} grantee(s) ${(p.publishMs / 1000).toFixed(2)} s ${(p.bytes / 1e6).toFixed(0)} MB`).join(', ')}`);
      }
    }
  } finally {
    for (const side of sides) if (side.root) rmSync(side.root, { recursive: true, force: true });
    rmSync(raw, { recursive: true, force: true });
  }
  return { lines: options.lines, rounds: options.rounds, sides: sides.map(({ label, tree, runs }) => ({ label, tree, runs })) };
}

export function publishMarkdown(r: PublishBenchResult, command: string): string {
  const rows: string[][] = [];
  for (const side of r.sides) {
    const counts = side.runs[0]!.publishes.map((p) => p.grantees);
    const at = (n: number) => ({
      ms: median(side.runs.map((run) => run.publishes.find((p) => p.grantees === n)!.publishMs)),
      bytes: median(side.runs.map((run) => run.publishes.find((p) => p.grantees === n)!.bytes)),
      files: side.runs[0]!.publishes.find((p) => p.grantees === n)!.files,
    });
    const first = at(counts[0]!);
    const build = median(side.runs.map((run) => run.buildMs));
    for (const n of counts) {
      const m = at(n);
      rows.push([
        side.label, n === counts[0] ? `${(build / 1000).toFixed(1)} s` : '', String(n),
        `${(m.ms / 1000).toFixed(2)} s`, `${(m.ms / first.ms).toFixed(2)}x`,
        `${(m.bytes / 1e6).toFixed(0)} MB`, `${(m.bytes / first.bytes).toFixed(2)}x`, String(m.files),
      ]);
    }
  }
  return [
    stamp(),
    '',
    `sales at ${r.lines.toLocaleString('en-US')} order lines, median of ${r.rounds} alternating round${r.rounds === 1 ? '' : 's'}. Command: \`${command}\`.`,
    '',
    table(['checkout', 'sales build', 'grantees', 'publish', 'vs 1 grantee', 'version folder', 'vs 1 grantee', 'files'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
  ].join('\n');
}
