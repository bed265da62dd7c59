import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { accessRules, type MeshAccess } from './access-rules';

/**
 * The configuration files of a Trino cluster that runs a mesh: one Iceberg catalog per domain, all in
 * one JDBC catalog database (PostgreSQL) with data files on a file system every node mounts at the same
 * path, password logins over https, and the file-based access rules of `accessRules`. The test clusters
 * write it to loopback nodes; a platform team can start from it for real machines.
 */

export interface NodeSpec {
  id: string;
  coordinator: boolean;
  httpPort: number;
  /** The coordinator's https port for clients. */
  httpsPort?: number;
  /** JVM heap, e.g. `2G`. */
  heap: string;
  /** `query.max-memory-per-node`: what one query may hold on the node; the rest is headroom. */
  queryMemory: string;
}

export interface ClusterSpec {
  nodes: NodeSpec[];
  /** Absolute paths of the config folders are derived from here, one per node. */
  home: string;
  pluginDir: string;
  /** The root the catalogs' `local://` locations name. */
  warehouse: string;
  jdbc: { url: string; user: string; password: string };
  mesh: MeshAccess;
  /** Each user's password, hashed into the password file. */
  passwords: Record<string, string>;
  /** A PEM file with the coordinator's private key and certificate. */
  tlsPem: string;
  /** Shared by the nodes to authenticate their internal calls. */
  sharedSecret: string;
  /** `query.max-memory`: one query across all workers. */
  queryMemory: string;
}

/** PBKDF2 as Trino's password file verifies it: `iterations:salt:hash`, HMAC-SHA1, hex. */
export function passwordLine(user: string, password: string): string {
  const salt = randomBytes(16);
  const iterations = 1000;
  return `${user}:${iterations}:${salt.toString('hex')}:${pbkdf2Sync(password, salt, iterations, 32, 'sha1').toString('hex')}`;
}

const properties = (entries: Record<string, string | number | boolean>) => `${Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;

export function catalogProperties(catalog: string, spec: Pick<ClusterSpec, 'jdbc' | 'warehouse'>): string {
  return properties({
    'connector.name': 'iceberg',
    'iceberg.catalog.type': 'jdbc',
    'iceberg.jdbc-catalog.catalog-name': catalog,
    'iceberg.jdbc-catalog.driver-class': 'org.postgresql.Driver',
    'iceberg.jdbc-catalog.connection-url': spec.jdbc.url,
    'iceberg.jdbc-catalog.connection-user': spec.jdbc.user,
    'iceberg.jdbc-catalog.connection-password': spec.jdbc.password,
    'iceberg.jdbc-catalog.default-warehouse-dir': `local:///${catalog}`,
    // Seeds and CSV sources arrive as Parquet files that the adapter adds to tables.
    'iceberg.add-files-procedure.enabled': true,
    'fs.native-local.enabled': true,
    'local.location': spec.warehouse,
  });
}

/** Every file of every node, keyed by its path under `spec.home`. */
export function clusterFiles(spec: ClusterSpec): Map<string, string> {
  const files = new Map<string, string>();
  const coordinator = spec.nodes.find((n) => n.coordinator)!;
  for (const node of spec.nodes) {
    const etc = `${spec.home}/${node.id}/etc`;
    files.set(`${etc}/config.properties`, properties({
      coordinator: node.coordinator,
      ...(node.coordinator ? { 'node-scheduler.include-coordinator': spec.nodes.length === 1 } : {}),
      'node.environment': 'mesh',
      'node.id': node.id,
      'http-server.http.port': node.httpPort,
      'discovery.uri': `http://127.0.0.1:${coordinator.httpPort}`,
      'plugin.dir': spec.pluginDir,
      'catalog.config-dir': `${etc}/catalog`,
      'internal-communication.shared-secret': spec.sharedSecret,
      'query.max-memory': spec.queryMemory,
      'query.max-memory-per-node': node.queryMemory,
      // Two cores shared with other work: two drivers per task rather than one per core of a big host.
      'task.concurrency': 2,
      ...(node.coordinator
        ? {
            'http-server.https.enabled': true,
            'http-server.https.port': node.httpsPort!,
            'http-server.https.keystore.path': spec.tlsPem,
            'http-server.authentication.type': 'PASSWORD',
            'password-authenticator.config-files': `${etc}/password-authenticator.properties`,
            'access-control.config-files': `${etc}/access-control.properties`,
          }
        : {}),
    }));
    for (const d of spec.mesh.domains) files.set(`${etc}/catalog/${d.catalog}.properties`, catalogProperties(d.catalog, spec));
    if (node.coordinator) {
      files.set(`${etc}/password-authenticator.properties`, properties({ 'password-authenticator.name': 'file', 'file.password-file': `${etc}/password.db`, 'file.refresh-period': '1s' }));
      files.set(`${etc}/password.db`, `${Object.entries(spec.passwords).map(([u, p]) => passwordLine(u, p)).join('\n')}\n`);
      files.set(`${etc}/access-control.properties`, properties({ 'access-control.name': 'file', 'security.config-file': `${etc}/rules.json`, 'security.refresh-period': '1s' }));
      files.set(`${etc}/rules.json`, `${JSON.stringify(accessRules(spec.mesh), null, 2)}\n`);
    }
  }
  return files;
}

/** The JVM's options for a node: a fixed heap, and out of memory means out (the harness sees the exit). */
export function jvmOptions(node: NodeSpec, home: string): string[] {
  return [
    `-Xmx${node.heap}`,
    `-Xms${node.heap}`,
    '-XX:+UseG1GC',
    '-XX:G1HeapRegionSize=32M',
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:ReservedCodeCacheSize=256M',
    '-Djdk.attach.allowAttachSelf=true',
    '-XX:+EnableDynamicAgentLoading',
    '-Dfile.encoding=UTF-8',
    '-Dnode.bind-ip=127.0.0.1',
    '-Dnode.internal-address=127.0.0.1',
    `-Dnode.data-dir=${home}/${node.id}/data`,
    `-Dconfig=${home}/${node.id}/etc/config.properties`,
  ];
}

/** The tables Iceberg's JDBC catalog keeps (schema V1): Trino does not create them itself. */
export const JDBC_CATALOG_DDL = [
  `CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255), property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))`,
  `CREATE TABLE IF NOT EXISTS iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), iceberg_type VARCHAR(5), PRIMARY KEY (catalog_name, table_namespace, table_name))`,
];
