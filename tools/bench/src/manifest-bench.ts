/**
 * The manifest's cost in a compile: `build manifest` and `write manifest` of compileProject, measured on
 * a generated project, and the file's size. Run it with the same project in two checkouts, alternating, to
 * compare them side by side:
 *   tsx tools/bench/src/manifest-bench.ts --project <dir> [--rounds 3]
 *   tsx tools/bench/src/manifest-bench.ts --generate <dir> [--models 10000]
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileProject } from '@mesh/engine';
import { generateProject } from '@mesh/testing';

const { values } = parseArgs({ options: { project: { type: 'string' }, generate: { type: 'string' }, models: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '3' } } });

if (values.generate) {
  generateProject(values.generate, { models: Number(values.models) });
  console.log(`generated ${values.models} models in ${values.generate}`);
} else if (values.project) {
  const stages: Record<string, number[]> = { 'build manifest': [], 'write manifest': [], total: [] };
  for (let i = 0; i < Number(values.rounds); i++) {
    const t0 = performance.now();
    await compileProject({ projectDir: values.project, writeCompiledFiles: false, onStage: (name, ms) => stages[name]?.push(ms) });
    stages.total!.push(performance.now() - t0);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bytes = statSync(join(values.project, 'target', 'manifest.json')).size;
  console.log(JSON.stringify({ build: Math.round(median(stages['build manifest']!)), write: Math.round(median(stages['write manifest']!)), total: Math.round(median(stages.total!)), mb: +(bytes / 1e6).toFixed(1) }));
}
