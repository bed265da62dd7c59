import { compileProject, buildManifest } from './src/index';
const p = await compileProject({ projectDir: '/tmp/p10k', writeCompiledFiles: false });
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const m = buildManifest(p.parsed, p.dag, p.compiled, 'x');
  const t1 = performance.now();
  const s = JSON.stringify(m);
  console.log('build', (t1 - t0).toFixed(0), 'stringify', (performance.now() - t1).toFixed(0), s.length);
}
