import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateProject } from '@mesh/testing';

/**
 * `mesh compile` of two checkouts side by side (a baseline and a change), whole processes in alternating
 * rounds on copies of one generated project, so both see the same machine load. Warm rounds keep target/
 * (the partial-parse cache); cold rounds empty it first.
 *
 *   pnpm exec tsx tools/bench/src/compile-ab.ts --base <checkout> --head <checkout> [--models 10000] [--rounds 5] [--cold]
 *
 * A checkout is a folder with the repository installed (`pnpm install`); its `platform/cli/bin/mesh.js` runs.
 */

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    head: { type: 'string' },
    models: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    cold: { type: 'boolean', default: false },
  },
});
if (!values.base || !values.head) {
  console.error('usage: compile-ab.ts --base <checkout> --head <checkout> [--models N] [--rounds N] [--cold]');
  process.exit(2);
}

const root = mkdtempSync(join(tmpdir(), 'mesh-compile-ab-'));
generateProject(join(root, 'base'), { models: Number(values.models) });
cpSync(join(root, 'base'), join(root, 'head'), { recursive: true });
const sides = [
  { name: 'base', bin: join(values.base, 'platform/cli/bin/mesh.js'), dir: join(root, 'base'), ms: [] as number[] },
  { name: 'head', bin: join(values.head, 'platform/cli/bin/mesh.js'), dir: join(root, 'head'), ms: [] as number[] },
];
// One untimed run each: builds the CLI bundle and, for warm rounds, the partial-parse cache.
for (const side of sides) spawnSync(process.execPath, [side.bin, 'compile', '--project-dir', side.dir]);
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const side of sides) {
    if (values.cold) rmSync(join(side.dir, 'target'), { recursive: true, force: true });
    const r = spawnSync(process.execPath, [side.bin, 'compile', '--project-dir', side.dir], { encoding: 'utf8' });
    const reported = /Compiled \d+ nodes in ([\d.]+)s/.exec(r.stdout)?.[1];
    if (!reported) throw new Error(`${side.name}: mesh compile failed\n${r.stdout}${r.stderr}`);
    side.ms.push(Number(reported) * 1000);
    console.log(`round ${round} ${side.name}: ${reported} s`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const side of sides) {
  console.log(`${side.name}: median ${(median(side.ms) / 1000).toFixed(2)} s, min ${(Math.min(...side.ms) / 1000).toFixed(2)} s, max ${(Math.max(...side.ms) / 1000).toFixed(2)} s (${values.cold ? 'cold' : 'warm'}, ${values.models} models)`);
}
rmSync(root, { recursive: true, force: true });
