import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster from the machine's Debian packages, for tests: initdb into a temporary
 * folder, started on a free port with its unix socket in that folder, stopped and removed afterwards.
 * Local socket logins are trusted; TCP logins need the password (to test refused logins).
 */
export interface TestServer {
  /** The folder holding the unix socket: a `host:` for node-postgres. */
  socketDir: string;
  port: number;
  user: string;
  /** The superuser's password, for TCP logins on 127.0.0.1. */
  password: string;
  version: string;
  stop(): void;
}

/** The newest installed server's bin folder; the Debian package puts it under /usr/lib/postgresql/<version>/bin. */
export function findPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin. Install them with ' +
        '`apt-get install -y --no-install-recommends postgresql` (.ci/run does this); these tests need a real server and are not skipped.',
    );
  }
  return join(root, versions[0]!, 'bin');
}

/** A TCP port free on loopback now, for a test server to listen on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startTestServer(): Promise<TestServer> {
  const bin = findPostgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'mesh-pg-'));
  // The server refuses to run as root: as root, the cluster belongs to the postgres system user.
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] as const : [join(bin, cmd), args] as const;
    const out = spawnSync(full[0], [...full[1]], { encoding: 'utf8', cwd: dir });
    if (out.status !== 0) throw new Error(`${cmd} failed (${out.status}): ${out.stderr || out.stdout}`);
    return out.stdout;
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const password = 'mesh-test-password';
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`);
  if (asRoot) execFileSync('chown', ['postgres', pwfile]);
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const version = run('postgres', ['--version']).trim();
  // The socket folder must be reachable by the test process when it is not the server's user.
  if (asRoot) chmodSync(dir, 0o755);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { socketDir: dir, port, user: 'postgres', password, version, stop };
}
