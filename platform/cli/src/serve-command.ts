import { resolve } from 'node:path';
import { addToken, assertKnownConsumer, loadApiConfig, removeToken, serveApi } from '@mesh/api';
import { meshRoot } from '@mesh/catalog';
import type { Output } from './commands';

export interface ServeFlags {
  workspace?: string;
  port?: string;
  host?: string;
}

const rootOf = (flags: { workspace?: string }) => meshRoot(resolve(flags.workspace ?? process.cwd()));

/** `mesh serve`: the data product API over every published product of the workspace, until interrupted. */
export async function serveCommand(flags: ServeFlags, io: Output): Promise<number> {
  const port = flags.port === undefined ? 8000 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`error[E_CLI_PORT] --port must be a port number from 0 to 65535, got '${flags.port}'`);
    return 2;
  }
  const root = rootOf(flags);
  const tokens = loadApiConfig(root).tokens.length;
  const server = await serveApi({ workspaceRoot: root, port, host: flags.host });
  io.out(`Serving the data product API at ${server.url} (${tokens} token${tokens === 1 ? '' : 's'}; GET ${server.url}v1/products; Ctrl-C to stop)`);
  if (!tokens) io.err('warning: governance/api.yml has no tokens, so every data request is refused; add one with mesh token add --name <who> --consumer <domain or role>');
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** `mesh token add`: a new API token for a consumer; printed once, stored only as its hash. */
export function tokenAddCommand(flags: { workspace?: string; name: string; consumer: string; quiet?: boolean }, io: Output): number {
  const root = rootOf(flags);
  assertKnownConsumer(root, flags.consumer);
  const { token, file } = addToken(root, flags.name, flags.consumer);
  // For a script: TOKEN=$(mesh token add ... --quiet).
  if (flags.quiet) {
    io.out(token);
    return 0;
  }
  io.out(`Added token '${flags.name}' for consumer '${flags.consumer}' to ${file} (stored as its sha256).`);
  io.out(`Token (shown once, hand it to its holder): ${token}`);
  return 0;
}

/** `mesh token list`: who holds a token and for which consumer; never the tokens themselves. */
export function tokenListCommand(flags: { workspace?: string }, io: Output): number {
  const tokens = loadApiConfig(rootOf(flags)).tokens;
  if (!tokens.length) io.out('No API tokens.');
  for (const t of tokens) io.out(`${t.name.padEnd(24)} ${t.consumer.padEnd(16)} sha256:${t.sha256.slice(0, 12)}…`);
  return 0;
}

/** `mesh token remove`: revokes a token; a running `mesh serve` refuses it within a second. */
export function tokenRemoveCommand(flags: { workspace?: string; name: string }, io: Output): number {
  const { file, consumer } = removeToken(rootOf(flags), flags.name);
  io.out(`Removed token '${flags.name}' (consumer '${consumer}') from ${file}; a running mesh serve refuses it from now on.`);
  return 0;
}
