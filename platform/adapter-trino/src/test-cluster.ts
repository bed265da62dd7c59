import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, startTestServer, type TestServer } from '@mesh/adapter-postgres/test-server';
import { trinoTargetSchema } from '@mesh/engine';
import { TrinoClient } from './client';
import { TrinoAdapter } from './trino-adapter';
import { JDBC_CATALOG_DDL, clusterFiles, jvmOptions, type NodeSpec } from './cluster-config';

/**
 * A throwaway Trino cluster for tests and benchmarks: a coordinator and workers as separate JVMs on
 * loopback (free ports, a data folder each), the Iceberg JDBC catalog in a throwaway PostgreSQL, data
 * files in a temporary warehouse folder, https with a certificate made here, a password per user and
 * the mesh's access rules. Started from tools/trino/.server (`bash tools/trino/setup.sh`), stopped by
 * process id.
 */

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TRINO_HOME = process.env.TRINO_HOME ?? join(REPO_ROOT, 'tools/trino/.server');
const TRINO_JAVA_HOME = process.env.TRINO_JAVA_HOME ?? '/usr/lib/jvm/temurin-25-jdk-amd64';

export interface TestClusterOptions {
  /** Each domain's catalog, owned by a user of the same name. */
  domains: string[];
  /** Users that only read shares (consumer roles such as `analysts`). */
  readers?: string[];
  workers?: number;
  /** Heap of each worker; the coordinator gets 1 GiB (it plans, the workers run). */
  workerHeap?: string;
}

export interface TrinoTestCluster {
  host: string;
  /** The coordinator's https port. */
  port: number;
  /** PEM of the certificate the coordinator presents (self-signed, for ca_file:). */
  caFile: string;
  /** Where the adapter writes seeds and CSV sources for Trino to add. */
  staging: { path: string; location: string };
  warehouse: string;
  workers: number;
  /** Process ids of the coordinator and the workers. */
  pids: number[];
  /** Every user's password: a domain's is `<domain>-password`. */
  password(user: string): string;
  /** The trino target of a domain, as mesh_project.yml writes it (password in $MESH_TRINO_PASSWORD). */
  target(domain: string): Record<string, unknown>;
  /** Runs SQL as a user (the admin by default), returning rows as objects. */
  query(sql: string, user?: string): Promise<Array<Record<string, unknown>>>;
  postgres: TestServer;
  stop(): Promise<void>;
}

export const ADMIN = 'admin';

export function assertTrinoInstalled(): void {
  if (!existsSync(join(TRINO_HOME, '.installed'))) {
    throw new Error(`The Trino server is not installed in ${TRINO_HOME}. Run \`bash tools/trino/setup.sh\` (.ci/run does); these tests need a real cluster and are not skipped.`);
  }
  if (!existsSync(join(TRINO_JAVA_HOME, 'bin/java'))) {
    throw new Error(`Trino needs Java 24 or later: no java in ${TRINO_JAVA_HOME} (set TRINO_JAVA_HOME).`);
  }
}

export async function startTestCluster(options: TestClusterOptions): Promise<TrinoTestCluster> {
  assertTrinoInstalled();
  const workers = options.workers ?? 1;
  const home = mkdtempSync(join(tmpdir(), 'mesh-trino-'));
  const warehouse = join(home, 'warehouse');
  mkdirSync(join(warehouse, '_staging'), { recursive: true });
  const postgres = await startTestServer();
  const processes: ChildProcess[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(processes.map((p) => stopProcess(p)));
    postgres.stop();
    rmSync(home, { recursive: true, force: true });
  };
  // A test process that dies leaves no JVM behind.
  const onExit = () => {
    for (const p of processes) if (p.exitCode === null) p.kill('SIGKILL');
  };
  process.once('exit', onExit);
  try {
    const admin = new pg.Client({ host: postgres.socketDir, port: postgres.port, user: postgres.user, database: 'postgres' });
    await admin.connect();
    await admin.query('CREATE DATABASE iceberg_catalog');
    await admin.end();
    const catalogDb = new pg.Client({ host: postgres.socketDir, port: postgres.port, user: postgres.user, database: 'iceberg_catalog' });
    await catalogDb.connect();
    for (const ddl of JDBC_CATALOG_DDL) await catalogDb.query(ddl);
    await catalogDb.end();

    const pem = join(home, 'tls.pem');
    const caFile = join(home, 'ca.pem');
    const key = join(home, 'tls.key');
    const cert = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', caFile, '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
    if (cert.status !== 0) throw new Error(`openssl failed: ${cert.stderr}`);
    writeFileSync(pem, `${readFileSync(key, 'utf8')}${readFileSync(caFile, 'utf8')}`);

    const users = [ADMIN, ...options.domains, ...(options.readers ?? [])];
    const password = (user: string) => `${user}-password`;
    const coordinatorHttp = await freePort();
    const httpsPort = await freePort();
    const workerHeap = options.workerHeap ?? '1536M';
    const heapMb = (h: string) => (/g$/i.test(h) ? Number.parseFloat(h) * 1024 : Number.parseFloat(h));
    // A query may hold 60% of a worker's heap there; Trino keeps 30% as headroom by default.
    const workerQuery = `${Math.floor(heapMb(workerHeap) * 0.6)}MB`;
    const nodes: NodeSpec[] = [{ id: 'coordinator', coordinator: true, httpPort: coordinatorHttp, httpsPort, heap: '1G', queryMemory: '256MB' }];
    for (let i = 1; i <= workers; i++) nodes.push({ id: `worker-${i}`, coordinator: false, httpPort: await freePort(), heap: workerHeap, queryMemory: workerQuery });
    const files = clusterFiles({
      nodes,
      home,
      pluginDir: join(TRINO_HOME, 'plugin'),
      warehouse,
      jdbc: { url: `jdbc:postgresql://127.0.0.1:${postgres.port}/iceberg_catalog`, user: postgres.user, password: postgres.password },
      mesh: { domains: options.domains.map((d) => ({ user: d, catalog: d })), readers: options.readers, admin: ADMIN },
      passwords: Object.fromEntries(users.map((u) => [u, password(u)])),
      tlsPem: pem,
      sharedSecret: Buffer.from(`mesh-test-cluster-${home}`).toString('base64'),
      queryMemory: `${Math.floor(heapMb(workerHeap) * 0.6 * workers)}MB`,
    });
    for (const [path, text] of files) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    const java = join(TRINO_JAVA_HOME, 'bin/java');
    for (const node of nodes) {
      const data = join(home, node.id, 'data');
      mkdirSync(data, { recursive: true });
      const log = openSync(join(home, node.id, 'server.log'), 'a');
      const child = spawn(java, [...jvmOptions(node, home), '-cp', `${join(TRINO_HOME, 'lib')}/*`, 'io.trino.server.TrinoServer'], {
        cwd: data,
        stdio: ['ignore', log, log],
        env: { ...process.env, JAVA_HOME: TRINO_JAVA_HOME },
      });
      processes.push(child);
    }
    const client = (user: string) => new TrinoClient({ url: `https://127.0.0.1:${httpsPort}`, user, password: password(user), ca: readFileSync(caFile, 'utf8'), source: 'mesh-test-cluster' });
    const adminClient = client(ADMIN);
    await waitForNodes(adminClient, nodes.length, processes, home, nodes);
    const clients = new Map<string, TrinoClient>([[ADMIN, adminClient]]);
    const cluster: TrinoTestCluster = {
      host: '127.0.0.1',
      port: httpsPort,
      caFile,
      staging: { path: join(warehouse, '_staging'), location: 'local:///_staging' },
      warehouse,
      workers,
      pids: processes.map((p) => p.pid!),
      password,
      target: (domain) => ({ type: 'trino', host: '127.0.0.1', port: httpsPort, user: domain, ca_file: caFile, staging: { path: join(warehouse, '_staging'), location: 'local:///_staging' } }),
      async query(sql, user = ADMIN) {
        if (!clients.has(user)) clients.set(user, client(user));
        const result = await clients.get(user)!.query(sql);
        return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
      },
      postgres,
      async stop() {
        for (const c of clients.values()) c.close();
        process.removeListener('exit', onExit);
        await stop();
      },
    };
    return cluster;
  } catch (error) {
    await stop();
    process.removeListener('exit', onExit);
    throw error;
  }
}

/** Every node started and registered as active with the coordinator, or the log of the one that exited. */
async function waitForNodes(client: TrinoClient, expected: number, processes: ChildProcess[], home: string, nodes: NodeSpec[]): Promise<void> {
  const deadline = Date.now() + 240_000;
  let last = '';
  while (Date.now() < deadline) {
    const dead = processes.findIndex((p) => p.exitCode !== null);
    if (dead >= 0) {
      const log = readFileSync(join(home, nodes[dead]!.id, 'server.log'), 'utf8');
      throw new Error(`Trino ${nodes[dead]!.id} exited (${processes[dead]!.exitCode}) while starting:\n${log.split('\n').filter((l) => /ERROR|Exception|^\d\)/.test(l)).slice(0, 15).join('\n')}`);
    }
    try {
      const result = await client.query(`SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'`);
      if (Number(result.rows[0]?.[0]) === expected) return;
      last = `${String(result.rows[0]?.[0])} of ${expected} nodes active`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the Trino test cluster did not start within 240 s: ${last}`);
}

/** SIGTERM (Trino shuts down in a second or two), then SIGKILL if it has not exited. */
async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Fills raw tables into each domain's catalog (`<domain>.bronze.<table>`), as that domain's own user, the
 * way a loader feeding the cluster would: `mesh ingest` loads DuckDB targets, and a domain on Trino reads
 * its bronze sources from tables like these. Each file is staged as Parquet by the adapter itself.
 */
export async function stageRawTables(cluster: TrinoTestCluster, tables: ReadonlyArray<{ domain: string; table: string; path: string }>): Promise<void> {
  for (const domain of new Set(tables.map((t) => t.domain))) {
    const target = trinoTargetSchema.parse(cluster.target(domain));
    const catalog = target.catalog ?? domain;
    const adapter = await TrinoAdapter.open({ target: { ...target, user: target.user ?? domain, catalog }, env: { [target.password_env]: cluster.password(domain) } });
    try {
      await adapter.stageFiles(tables.filter((t) => t.domain === domain).map((t) => ({ relation: { database: catalog, schema: 'bronze', identifier: t.table }, path: t.path })));
    } finally {
      await adapter.close();
    }
  }
}

