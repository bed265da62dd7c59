import { compileProject } from './src/index';
import { nodeEntry } from './src/artifacts/manifest';
const p = await compileProject({ projectDir: '/tmp/p10k', writeCompiledFiles: false });
const nodes = [...p.dag.nodes.values()];
for (let i = 0; i < 3; i++) {
  for (const type of ['model', 'test', 'seed', 'source']) {
    const sel = nodes.filter((n) => n.resource_type === type);
    const t0 = performance.now();
    const out: unknown[] = [];
    for (const n of sel) out.push(nodeEntry(n, p.compiled.get(n.unique_id), p.parsed));
    console.log(type, sel.length, (performance.now() - t0).toFixed(0));
  }
}
