import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clusterFiles, passwordLine } from './cluster-config';

describe('the configuration of a cluster for a mesh', () => {
  const files = clusterFiles({
    nodes: [
      { id: 'coordinator', coordinator: true, httpPort: 8080, httpsPort: 8443, heap: '1G', queryMemory: '256MB' },
      { id: 'worker-1', coordinator: false, httpPort: 8081, heap: '3G', queryMemory: '1843MB' },
    ],
    home: '/srv/trino',
    pluginDir: '/opt/trino/plugin',
    warehouse: '/mnt/lake',
    jdbc: { url: 'jdbc:postgresql://db:5432/iceberg_catalog', user: 'iceberg', password: 'secret' },
    mesh: { domains: [{ user: 'sales', catalog: 'sales' }, { user: 'finance', catalog: 'finance' }] },
    passwords: { sales: 'a', finance: 'b' },
    tlsPem: '/srv/tls.pem',
    sharedSecret: 'c2VjcmV0',
    queryMemory: '1843MB',
  });

  it('gives every node one Iceberg catalog per domain in the JDBC catalog, files on the shared mount', () => {
    const sales = files.get('/srv/trino/worker-1/etc/catalog/sales.properties')!;
    expect(sales).toMatch(/^connector.name=iceberg$/m);
    expect(sales).toMatch(/^iceberg.jdbc-catalog.catalog-name=sales$/m);
    expect(sales).toMatch(/^iceberg.jdbc-catalog.default-warehouse-dir=local:\/\/\/sales$/m);
    expect(sales).toMatch(/^local.location=\/mnt\/lake$/m);
    expect(files.has('/srv/trino/coordinator/etc/catalog/finance.properties')).toBe(true);
  });

  it('logs users in with passwords over https on the coordinator only, the workers trusting the shared secret', () => {
    const coordinator = files.get('/srv/trino/coordinator/etc/config.properties')!;
    expect(coordinator).toMatch(/^http-server.authentication.type=PASSWORD$/m);
    expect(coordinator).toMatch(/^node-scheduler.include-coordinator=false$/m);
    const worker = files.get('/srv/trino/worker-1/etc/config.properties')!;
    expect(worker).not.toMatch(/authentication/);
    expect(worker).toMatch(/^internal-communication.shared-secret=c2VjcmV0$/m);
    expect(worker).toMatch(/^discovery.uri=http:\/\/127.0.0.1:8080$/m);
    expect(JSON.parse(files.get('/srv/trino/coordinator/etc/rules.json')!)).toHaveProperty('tables');
  });

  it("hashes passwords as Trino's password file checks them (PBKDF2 with HMAC-SHA1)", () => {
    const [user, iterations, salt, hash] = passwordLine('sales', 'a').split(':');
    expect(user).toBe('sales');
    expect(pbkdf2Sync('a', Buffer.from(salt!, 'hex'), Number(iterations), 32, 'sha1').toString('hex')).toBe(hash);
  });
});
