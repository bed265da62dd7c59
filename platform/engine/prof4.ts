import { compileProject } from './src/index';
const p = await compileProject({ projectDir: '/tmp/p10k', writeCompiledFiles: false });
const nodes = [...p.dag.nodes.values()];
function time(label: string, f: (n: any) => unknown) {
  const out: Record<string, unknown> = {};
  const t0 = performance.now();
  for (const n of nodes) out[n.unique_id] = f(n);
  console.log(label, (performance.now() - t0).toFixed(0));
}
for (let i = 0; i < 2; i++) {
  time('empty', () => ({}));
  time('common', (node) => ({ unique_id: node.unique_id, resource_type: node.resource_type, name: node.name, package_name: node.package_name, path: node.original_file_path, fqn: node.fqn, description: node.description, tags: node.tags, meta: node.meta }));
  time('refs', (node) => node.refs.map((r: any) => ({ name: r.name, package: r.project ?? null, version: r.version ?? null })));
  time('compiled.get', (node) => p.compiled.get(node.unique_id)?.sql ?? null);
  time('config', (node) => ({ config: node.config, depends_on: node.depends_on, raw_code: node.raw_code }));
}
