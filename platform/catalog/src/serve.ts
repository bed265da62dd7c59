import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { MeshError } from '@mesh/errors';
import { Hono } from 'hono';
import { SITE_FILES } from './write-site';

export interface ServeOptions {
  dir: string;
  port?: number;
  /** Loopback by default: the catalog shows every domain's schemas and SQL. */
  host?: string;
}

export interface CatalogServer {
  url: string;
  close(): Promise<void>;
}

/** The HTTP app: the site's files, nothing else; every response says not to cache so a regenerated site shows at once. */
export function catalogApp(dir: string): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-cache');
  });
  app.use('*', serveStatic({ root: resolve(dir) }));
  app.notFound((c) => c.text(`Not found: the catalog has ${SITE_FILES.join(', ')}.`, 404));
  return app;
}

/** Serves a generated site on localhost until closed. */
export async function serveCatalog(options: ServeOptions): Promise<CatalogServer> {
  if (!existsSync(join(options.dir, 'index.html'))) {
    throw new MeshError('E_CATALOG_NOT_GENERATED', `${options.dir} holds no generated catalog`, {
      hint: 'Run `mesh docs generate` first (or `mesh docs serve` without --no-generate).',
    });
  }
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: catalogApp(options.dir).fetch, port: options.port ?? 8080, hostname: host }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new MeshError('E_CATALOG_PORT', `port ${options.port} on ${host} is already in use`, { hint: 'Choose another with --port <n> (0 picks a free one).' })
          : error,
      ),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
