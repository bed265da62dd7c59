#!/usr/bin/env node
// Starts the CLI from a single bundled file (dist/mesh.cjs): loading ~60 TypeScript modules through a
// loader costs over a second per command, the bundle a fifth of that. The bundle is rebuilt here,
// in about a tenth of a second, whenever a source file of the workspace is newer than it, so it is
// never stale; if esbuild is unavailable the CLI runs from source through tsx. V8 keeps the bundle's
// compiled code in dist/mesh.cjs.v8cache: compiling 3 MB of JavaScript took a tenth of a second per command.
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(cliRoot, '..', '..');
const bundle = join(cliRoot, 'dist', 'mesh.cjs');

function newestSource() {
  // This file holds the bundle's build options: a change to it makes a new bundle too.
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
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
      // import() becomes require(): Node 20 runs no dynamic import from a vm.Script (see loadBundle).
      supported: { 'dynamic-import': false },
      logLevel: 'silent',
    });
    renameSync(tmp, bundle);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the bundle as require() would, through a vm.Script that can use and make a V8 code cache. The cache
 * names the bundle it was made from (inode, size and time): V8 itself only checks a source's length.
 */
function loadBundle() {
  const cacheFile = `${bundle}.v8cache`;
  // One open file for the stamp and the text: a bundle renamed into place meanwhile cannot mix the two.
  const fd = openSync(bundle, 'r');
  const stat = fstatSync(fd);
  const source = readFileSync(fd, 'utf8');
  closeSync(fd);
  const stamp = Buffer.from(`${stat.ino}:${stat.size}:${stat.mtimeMs}:${process.version}:${process.arch}\n`);
  let cachedData;
  try {
    const stored = readFileSync(cacheFile);
    if (stored.subarray(0, stamp.length).equals(stamp)) cachedData = stored.subarray(stamp.length);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
  });
  const module = { exports: {}, filename: bundle };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  if (!cachedData || script.cachedDataRejected) {
    // Made once the command has run, so the code it compiled on the way is in the cache too.
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]));
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only install runs without the cache.
      }
    });
  }
  return module.exports;
}

let main;
if (await ensureBundle()) {
  ({ main } = loadBundle());
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
