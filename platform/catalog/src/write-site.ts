import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeshError } from '@mesh/errors';
import type { Catalog } from './types';

/** The files of a generated site; `index.html` opens from disk as well as from `mesh docs serve`. */
export const SITE_FILES = ['index.html', 'app.js', 'app.css', 'catalog-data.js'] as const;

export interface SiteReport {
  dir: string;
  /** Bytes per file. */
  sizes: Record<string, number>;
}

/**
 * Where the browser app's sources are. From source, next to this module; inside the CLI's single-file
 * bundle this module has no URL of its own, so the package is found by name from the bundle.
 */
function appDir(): string {
  const url = import.meta.url as string | undefined;
  if (url) return join(dirname(fileURLToPath(url)), 'app');
  return join(dirname(createRequire(__filename).resolve('@mesh/catalog/package.json')), 'src', 'app');
}

/** Bundles the app (cytoscape, dagre and the catalog's own search) into one browser script. */
async function bundleApp(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(appDir(), 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * The data as a script, not a JSON file: a page opened from disk (file://) may not fetch, but it may
 * load scripts. `</` is escaped so no description can close the script element.
 */
function dataScript(catalog: Catalog): string {
  return `window.MESH_CATALOG=${JSON.stringify(catalog).replace(/<\//g, '<\\/')};\n`;
}

/** Writes the site into `dir` through a temporary folder, so a server never reads half a site. */
export async function writeSite(catalog: Catalog, dir: string): Promise<SiteReport> {
  const app = appDir();
  const files: Record<(typeof SITE_FILES)[number], string> = {
    'index.html': readFileSync(join(app, 'index.html'), 'utf8'),
    'app.css': readFileSync(join(app, 'app.css'), 'utf8'),
    'app.js': await bundleApp(),
    'catalog-data.js': dataScript(catalog),
  };
  const tmp = `${dir}.${process.pid}.tmp`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dirname(dir), { recursive: true });
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw new MeshError('E_CATALOG_WRITE', `the catalog site could not be written to ${dir}: ${(error as Error).message}`, {
      hint: 'Check that the folder is writable, or choose another with --out <dir>.',
    });
  }
  return { dir, sizes: Object.fromEntries(SITE_FILES.map((f) => [f, statSync(join(dir, f)).size])) };
}
