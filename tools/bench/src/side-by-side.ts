import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateProject } from '@mesh/testing';
import { REPO_ROOT } from './paths';

/**
 * The warm compile of one generated project by two checkouts of the workspace, in alternating rounds,
 * so both meet the same load on a shared machine: `pnpm exec tsx tools/bench/src/side-by-side.ts --base
 * <other checkout> [--models N] [--rounds N]`. Each round is a fresh process per checkout that compiles
 * once to warm up (and fill the partial-parse cache), then times one compile; wall and CPU time are both
 * reported, CPU time being the steadier where other work shares the cores.
 */

const USAGE = 'Usage: tsx tools/bench/src/side-by-side.ts --base <checkout> [--models 10000] [--rounds 5]';

const RUNNER = `
const [engine, dir] = process.argv.slice(-2);
const { compileProject } = await import(engine);
await compileProject({ projectDir: dir });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await compileProject({ projectDir: dir });
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000 }));
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): number {
  const { values } = parseArgs({ options: { base: { type: 'string' }, models: { type: 'string' }, rounds: { type: 'string' } }, strict: true });
  if (!values.base) {
    console.error(USAGE);
    return 2;
  }
  const trees = { this: REPO_ROOT, base: resolve(values.base) };
  const models = Number(values.models ?? 10_000);
  const rounds = Number(values.rounds ?? 5);
  const root = mkdtempSync(join(tmpdir(), 'mesh-side-by-side-'));
  const runner = join(root, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  const times: Record<keyof typeof trees, Array<{ wall: number; cpu: number }>> = { this: [], base: [] };
  try {
    // One project per checkout: each keeps its own target/ and partial-parse cache.
    const dirs = { this: join(root, 'this'), base: join(root, 'base') };
    for (const dir of Object.values(dirs)) generateProject(dir, { models });
    for (let round = 0; round < rounds; round++) {
      for (const side of (round % 2 ? ['base', 'this'] : ['this', 'base']) as Array<keyof typeof trees>) {
        const tsx = join(trees[side], 'node_modules', 'tsx', 'dist', 'loader.mjs');
        const engine = join(trees[side], 'platform', 'engine', 'src', 'index.ts');
        const r = spawnSync(process.execPath, ['--import', tsx, runner, engine, dirs[side]], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (r.status !== 0) throw new Error(`${side}: ${r.stderr}`);
        const t = JSON.parse(r.stdout) as { wall: number; cpu: number };
        times[side].push(t);
        console.error(`round ${round + 1} ${side}: ${(t.wall / 1000).toFixed(2)} s wall, ${(t.cpu / 1000).toFixed(2)} s CPU`);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const row = (side: keyof typeof trees) => `| ${side === 'this' ? 'this checkout' : `base (${trees.base})`} | ${(median(times[side].map((t) => t.wall)) / 1000).toFixed(2)} s | ${(median(times[side].map((t) => t.cpu)) / 1000).toFixed(2)} s |`;
  console.log(`Warm \`compileProject\` of ${models.toLocaleString('en-US')} generated models, median of ${rounds} alternating rounds:\n\n| checkout | wall | CPU |\n| --- | ---: | ---: |\n${row('this')}\n${row('base')}`);
  return 0;
}

process.exitCode = main();
