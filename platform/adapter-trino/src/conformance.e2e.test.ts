import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAdapterConformance } from '@mesh/conformance';
import type { MeshError } from '@mesh/errors';
import { projectFileSchema, resolveTarget } from '@mesh/engine';
import { TrinoAdapter } from './trino-adapter';
import { startTestCluster, type TrinoTestCluster } from './test-cluster';

let cluster: TrinoTestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ domains: ['conf'], readers: ['conformance'] });
}, 300_000);
afterAll(async () => cluster?.stop(), 60_000);

/** The target as a project file declares it, with the engine's defaults filled in. */
function target(overrides: Record<string, unknown> = {}) {
  const project = projectFileSchema.parse({ name: 'conf', target: 'trino', targets: { trino: { ...cluster.target('conf'), ...overrides } } });
  return resolveTarget(project, '/').trino!;
}

describeAdapterConformance({
  name: 'trino',
  style: 'catalog',
  database: 'conf',
  open: () => TrinoAdapter.open({ target: target(), env: { MESH_TRINO_PASSWORD: cluster.password('conf') } }),
  // As the grantee's own Trino user: Trino's access control decides what it may read.
  readShare: (schema, identifier) => cluster.query(`SELECT * FROM conf."${schema}"."${identifier}"`, 'conformance'),
});

describe('Trino errors a user can act on', () => {
  it('names the password variable when the login is refused', async () => {
    const error = await TrinoAdapter.open({ target: target({ password_env: 'TEAM_TRINO_PASSWORD' }), env: { TEAM_TRINO_PASSWORD: 'wrong' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_TRINO_AUTH' });
    expect((error as MeshError).hint).toMatch(/TEAM_TRINO_PASSWORD/);
  });

  it('names the cluster when it is unreachable, and the catalog when the cluster has none for the domain', async () => {
    expect(await TrinoAdapter.open({ target: target({ port: 1 }), env: {} }).catch((e: unknown) => e)).toMatchObject({ code: 'E_TRINO_UNREACHABLE' });
    const error = await TrinoAdapter.open({ target: target({ catalog: 'nowhere' }), env: { MESH_TRINO_PASSWORD: cluster.password('conf') } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_TRINO_CATALOG' });
    expect((error as MeshError).hint).toMatch(/etc\/catalog\/nowhere.properties/);
  });

  it('refuses a certificate it was not told to trust', async () => {
    const error = await TrinoAdapter.open({ target: target({ ca_file: undefined }), env: { MESH_TRINO_PASSWORD: cluster.password('conf') } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_TRINO_TLS' });
  });

  it('runs on a coordinator and a worker, each its own process', async () => {
    const nodes = await cluster.query(`SELECT node_id, coordinator, state FROM system.runtime.nodes ORDER BY node_id`);
    expect(nodes).toEqual([
      { node_id: 'coordinator', coordinator: true, state: 'active' },
      { node_id: 'worker-1', coordinator: false, state: 'active' },
    ]);
    expect(new Set(cluster.pids).size).toBe(2);
  });
});
