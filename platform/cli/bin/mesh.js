#!/usr/bin/env node
// Starts the CLI from a single bundled file (dist/mesh.cjs): loading ~60 TypeScript modules through a
// loader costs over a second per command, the bundle a fifth of that. The bundle is rebuilt here,
// in about a tenth of a second, whenever a source file of the workspace is newer than it, so it is
// never stale; if esbuild is unavailable the CLI runs from source through tsx.
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(cliRoot, '..', '..');
const bundle = join(cliRoot, 'dist', 'mesh.cjs');

function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '__fixtures__') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const group of ['platform', 'packages']) {
    for (const pkg of readdirSync(join(workspace, group))) {
      const src = join(workspace, group, pkg, 'src');
      if (existsSync(src)) visit(src);
    }
  }
  return newest;
}

async function ensureBundle() {
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) return true;
  try {
    const esbuild = await import('esbuild');
    const tmp = `${bundle}.${process.pid}.tmp`;
    await esbuild.build({
      entryPoints: [join(cliRoot, 'src', 'main.ts')],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // The native DuckDB bindings load their platform binary at run time; they stay a real package.
      external: ['@duckdb/node-api', 'esbuild'],
      logLevel: 'silent',
    });
    renameSync(tmp, bundle);
    return true;
  } catch {
    return false;
  }
}

let main;
if (await ensureBundle()) {
  ({ main } = createRequire(import.meta.url)(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
