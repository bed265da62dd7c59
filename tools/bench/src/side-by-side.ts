import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateProject } from '@mesh/testing';
import { REPO_ROOT } from './paths';

/**
 * The compile of one generated project by two checkouts of the workspace, in alternating rounds, so both
 * meet the same load on a shared machine:
 *
 *   pnpm exec tsx tools/bench/src/side-by-side.ts --base <other checkout> [--models N] [--rounds N] [--cold] [--cli]
 *
 * By default each round is a fresh process per checkout that compiles once in-process to warm up (and fill
 * the partial-parse cache), then times one `compileProject`; wall and CPU time are both reported, CPU time
 * being the steadier where other work shares the cores. `--cold` empties target/ before the timed compile
 * (no partial-parse cache). `--cli` times the whole `mesh compile` process instead, as the CLI reports it
 * (a checkout there must have been installed with `pnpm install`).
 */

const USAGE = 'Usage: tsx tools/bench/src/side-by-side.ts --base <checkout> [--models 10000] [--rounds 5] [--cold] [--cli]';

const RUNNER = `
import { rmSync } from 'node:fs';
import { join } from 'node:path';
const [engine, dir, mode] = process.argv.slice(-3);
const { compileProject } = await import(engine);
if (mode === 'cold') rmSync(join(dir, 'target'), { recursive: true, force: true });
else await compileProject({ projectDir: dir });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await compileProject({ projectDir: dir });
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000 }));
`;

type Time = { wall: number; cpu?: number };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One timed compile in-process: a fresh node process that loads the checkout's engine from source. */
function inProcess(tree: string, runner: string, dir: string, cold: boolean): Time {
  const tsx = join(tree, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  const engine = join(tree, 'platform', 'engine', 'src', 'index.ts');
  const r = spawnSync(process.execPath, ['--import', tsx, runner, engine, dir, cold ? 'cold' : 'warm'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${tree}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Time;
}

/** One `mesh compile` process, timed as the CLI reports its compile. */
function cliCompile(tree: string, dir: string, cold: boolean): Time {
  if (cold) rmSync(join(dir, 'target'), { recursive: true, force: true });
  const r = spawnSync(process.execPath, [join(tree, 'platform/cli/bin/mesh.js'), 'compile', '--project-dir', dir], { encoding: 'utf8' });
  const reported = /Compiled \d+ nodes in ([\d.]+)s/.exec(r.stdout)?.[1];
  if (!reported) throw new Error(`${tree}: mesh compile failed\n${r.stdout}${r.stderr}`);
  return { wall: Number(reported) * 1000 };
}

function main(): number {
  const { values } = parseArgs({
    options: { base: { type: 'string' }, models: { type: 'string' }, rounds: { type: 'string' }, cold: { type: 'boolean' }, cli: { type: 'boolean' } },
    strict: true,
  });
  if (!values.base) {
    console.error(USAGE);
    return 2;
  }
  const trees = { this: REPO_ROOT, base: resolve(values.base) };
  const models = Number(values.models ?? 10_000);
  const rounds = Number(values.rounds ?? 5);
  const cold = values.cold === true;
  const root = mkdtempSync(join(tmpdir(), 'mesh-side-by-side-'));
  const runner = join(root, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  const times: Record<keyof typeof trees, Time[]> = { this: [], base: [] };
  try {
    // One project per checkout: each keeps its own target/ and partial-parse cache.
    const dirs = { this: join(root, 'this'), base: join(root, 'base') };
    for (const dir of Object.values(dirs)) generateProject(dir, { models });
    // The CLI's warm rounds start from a filled cache, as the in-process runner's warm-up gives it.
    if (values.cli && !cold) for (const side of ['this', 'base'] as const) cliCompile(trees[side], dirs[side], false);
    for (let round = 0; round < rounds; round++) {
      for (const side of (round % 2 ? ['base', 'this'] : ['this', 'base']) as Array<keyof typeof trees>) {
        const t = values.cli ? cliCompile(trees[side], dirs[side], cold) : inProcess(trees[side], runner, dirs[side], cold);
        times[side].push(t);
        console.error(`round ${round + 1} ${side}: ${(t.wall / 1000).toFixed(2)} s wall${t.cpu === undefined ? '' : `, ${(t.cpu / 1000).toFixed(2)} s CPU`}`);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const row = (side: keyof typeof trees) => {
    const cpu = times[side].map((t) => t.cpu).filter((c): c is number => c !== undefined);
    return `| ${side === 'this' ? 'this checkout' : `base (${trees.base})`} | ${secs(median(times[side].map((t) => t.wall)))} | ${cpu.length ? secs(median(cpu)) : '-'} |`;
  };
  const what = `${cold ? 'Cold' : 'Warm'} ${values.cli ? '`mesh compile` process' : '`compileProject`'}`;
  console.log(`${what} of ${models.toLocaleString('en-US')} generated models, median of ${rounds} alternating rounds:\n\n| checkout | wall | CPU |\n| --- | ---: | ---: |\n${row('this')}\n${row('base')}`);
  return 0;
}

process.exitCode = main();
