import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { MeshError } from '@mesh/errors';
import { createApi } from './app';
import { loadApiConfig } from './config';

export interface ServeApiOptions {
  workspaceRoot: string;
  port?: number;
  /** Loopback unless told otherwise: exposing data is a decision, not a default. */
  host?: string;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the workspace's published data products until closed. */
export async function serveApi(options: ServeApiOptions): Promise<ApiServer> {
  const config = loadApiConfig(options.workspaceRoot);
  const api = createApi({ workspaceRoot: options.workspaceRoot, config });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: api.app.fetch, port: options.port ?? 8000, hostname: host }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE'
        ? new MeshError('E_API_PORT', `port ${options.port} on ${host} is already in use`, { hint: 'Choose another with --port <n> (0 picks a free one).' })
        : error));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    },
  };
}
