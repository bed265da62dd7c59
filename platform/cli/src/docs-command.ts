import { isAbsolute, join, relative, resolve } from 'node:path';
import { buildCatalog, collectMesh, findTarget, impactOf, meshRoot, serveCatalog, writeSite, type Catalog } from '@mesh/catalog';
import type { Output } from './commands';
import { writeDomainCatalogs } from './catalog-json';

/** Where the site goes unless --out says otherwise: the workspace's own target folder, git-ignored. */
export const DEFAULT_SITE_DIR = join('target', 'catalog');

export interface DocsFlags {
  workspace?: string;
  out?: string;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KB`;

async function catalogOf(flags: DocsFlags, io: Output): Promise<{ root: string; catalog: Catalog }> {
  const root = meshRoot(resolve(flags.workspace ?? process.cwd()));
  const mesh = await collectMesh(root);
  for (const note of mesh.notes) io.err(`note: ${note}`);
  return { root, catalog: await buildCatalog(mesh) };
}

function siteDir(root: string, out: string | undefined): string {
  if (!out) return join(root, DEFAULT_SITE_DIR);
  return isAbsolute(out) ? out : resolve(process.cwd(), out);
}

async function generate(flags: DocsFlags, io: Output): Promise<string> {
  const started = performance.now();
  await writeDomainCatalogs(meshRoot(resolve(flags.workspace ?? process.cwd())), io);
  const { root, catalog } = await catalogOf(flags, io);
  const report = await writeSite(catalog, siteDir(root, flags.out));
  const models = catalog.nodes.filter((n) => n.kind === 'model').length;
  const size = Object.values(report.sizes).reduce((a, b) => a + b, 0);
  io.out(
    `Catalog of ${catalog.domains.length} domains and ${models} models written to ${relative(process.cwd(), report.dir) || '.'} ` +
      `(${kb(size)}, ${((performance.now() - started) / 1000).toFixed(1)}s)`,
  );
  return report.dir;
}

/** `mesh docs generate`: the static catalog site of the whole mesh. */
export async function docsGenerateCommand(flags: DocsFlags, io: Output): Promise<number> {
  await generate(flags, io);
  return 0;
}

/** `mesh docs serve`: generates (unless told not to) and serves the site on localhost until interrupted. */
export async function docsServeCommand(flags: DocsFlags & { port?: string; host?: string; generate?: boolean }, io: Output): Promise<number> {
  const dir = flags.generate === false ? siteDir(meshRoot(resolve(flags.workspace ?? process.cwd())), flags.out) : await generate(flags, io);
  const server = await serveCatalog({ dir, port: flags.port === undefined ? 8080 : Number(flags.port), host: flags.host });
  io.out(`Serving the catalog at ${server.url} (Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** `mesh impact <model|model.column>`: everything downstream of it, in every domain. */
export async function impactCommand(spec: string, flags: DocsFlags & { json?: boolean }, io: Output): Promise<number> {
  const { catalog } = await catalogOf(flags, io);
  const impact = impactOf(catalog, findTarget(catalog, spec));
  if (flags.json) {
    io.out(JSON.stringify(impact, null, 2));
    return 0;
  }
  const start = catalog.nodes.find((n) => n.id === impact.target.node)!;
  const what = `${start.domain}.${start.name}${impact.target.column ? `.${impact.target.column}` : ''}`;
  if (!impact.downstream.length) {
    io.out(`Nothing downstream of ${what}.`);
    return 0;
  }
  io.out(`Downstream of ${what}: ${impact.downstream.length} node${impact.downstream.length === 1 ? '' : 's'} in ${impact.domains.join(', ')}`);
  for (const d of impact.downstream) {
    io.out(`  ${'  '.repeat(d.depth - 1)}${d.domain}.${d.name}${d.columns ? ` (${d.columns.join(', ')})` : ''}${d.access === 'public' ? '  [public]' : ''}`);
  }
  return 0;
}
