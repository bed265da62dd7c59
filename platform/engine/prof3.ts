import { compileProject } from './src/index';
import { relationSql } from './src/compile/relations';
const p = await compileProject({ projectDir: '/tmp/p10k', writeCompiledFiles: false });
const nodes = [...p.dag.nodes.values()];
for (let i = 0; i < 3; i++) {
  let t0 = performance.now();
  for (const n of nodes) relationSql(n);
  console.log('relationSql', (performance.now() - t0).toFixed(0));
  t0 = performance.now();
  for (const n of nodes) n.original_file_path.replace(/^[^/]+\//, '');
  console.log('replace', (performance.now() - t0).toFixed(0));
  t0 = performance.now();
  const pm: Record<string, string[]> = {};
  for (const id of p.dag.nodes.keys()) pm[id] = [...p.dag.parents.get(id)!].sort();
  console.log('parent_map', (performance.now() - t0).toFixed(0));
  t0 = performance.now();
  for (const n of nodes) if ('columns' in n) Object.fromEntries(n.columns.map((c) => [c.name, { name: c.name, description: c.description }]));
  console.log('columns', (performance.now() - t0).toFixed(0));
}
