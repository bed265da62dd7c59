import { compileProject } from './src/index';
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  await compileProject({ projectDir: '/tmp/p10k', writeCompiledFiles: true });
  console.log('compile', (performance.now() - t0).toFixed(0));
}
