import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeshError } from '@mesh/errors';
import { DETAIL_FIELDS, type Catalog, type CatalogSummary, type NodeDetail, type NodeSummary } from './types';

/** The files of a generated site; `index.html` opens from disk as well as from `mesh docs serve`. */
export const SITE_FILES = ['index.html', 'app.js', 'graph.js', 'app.css', 'catalog-data.js', 'catalog-search.js', 'catalog-details.js'] as const;

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

/** Bundles a browser script: the app (with the catalog's own search), or the lineage graph (cytoscape, dagre). */
async function bundle(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(appDir(), entry)],
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
 * Data as a script, not a JSON file: a page opened from disk (file://) may not fetch, but it may load
 * scripts. The value is a JSON text handed to JSON.parse, which V8 reads faster than the same data
 * written as a JavaScript literal; `</` is escaped so no description can close the script element.
 */
function dataScript(name: string, value: unknown): string {
  return `window.${name}=JSON.parse(${JSON.stringify(JSON.stringify(value)).replace(/<\//g, '<\\/')});\n`;
}

function split(catalog: Catalog): { summary: CatalogSummary; details: NodeDetail[] } {
  const detail = new Set<string>(DETAIL_FIELDS);
  const details: NodeDetail[] = [];
  const nodes = catalog.nodes.map((node) => {
    const entries = Object.entries(node);
    details.push(Object.fromEntries(entries.filter(([k]) => detail.has(k))) as NodeDetail);
    return Object.fromEntries(entries.filter(([k]) => !detail.has(k))) as NodeSummary;
  });
  return { summary: { metadata: catalog.metadata, domains: catalog.domains, nodes }, details };
}

/** Writes the site into `dir` through a temporary folder, so a server never reads half a site. */
export async function writeSite(catalog: Catalog, dir: string): Promise<SiteReport> {
  const app = appDir();
  const { summary, details } = split(catalog);
  const files: Record<(typeof SITE_FILES)[number], string> = {
    'index.html': readFileSync(join(app, 'index.html'), 'utf8'),
    'app.css': readFileSync(join(app, 'app.css'), 'utf8'),
    'app.js': await bundle('main.ts'),
    'graph.js': await bundle('graph-entry.ts'),
    'catalog-data.js': dataScript('MESH_CATALOG', summary),
    'catalog-search.js': dataScript('MESH_SEARCH', catalog.search),
    'catalog-details.js': dataScript('MESH_DETAILS', details),
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
