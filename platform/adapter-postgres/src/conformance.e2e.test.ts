import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { MeshError } from '@mesh/errors';
import { describeAdapterConformance } from '@mesh/conformance';
import { PostgresAdapter } from './postgres-adapter';
import { startTestServer, type TestServer } from './test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describeAdapterConformance({
  name: 'postgres',
  style: 'schema-prefixed',
  database: 'conf',
  open: () => PostgresAdapter.open({ target: { host: server.socketDir, port: server.port, database: 'conformance', user: server.user, password_env: 'UNUSED' } }),
  // As the grantee's role, which the share's grant names: PostgreSQL checks the grant, not the suite.
  async readShare(schema, identifier) {
    const client = new pg.Client({ host: server.socketDir, port: server.port, user: server.user, database: 'conformance' });
    await client.connect();
    try {
      await client.query('SET ROLE mesh_conformance');
      return (await client.query(`SELECT * FROM "${schema}"."${identifier}"`)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  },
});

describe('PostgreSQL errors a user can act on', () => {
  it('names the server when it is unreachable', async () => {
    const error = await PostgresAdapter.open({ target: { host: '127.0.0.1', port: 1, database: 'x', password_env: 'P' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_PG_UNREACHABLE' });
    expect((error as MeshError).hint).toMatch(/host: and port:/);
  });

  it('names the password variable when the login is refused', async () => {
    const error = await PostgresAdapter.open({
      target: { host: '127.0.0.1', port: server.port, database: 'postgres', user: 'postgres', password_env: 'TEAM_PG_PASSWORD' },
      env: { TEAM_PG_PASSWORD: 'wrong' },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_PG_AUTH' });
    expect((error as MeshError).hint).toMatch(/TEAM_PG_PASSWORD/);
    // With the right password in the variable, it connects over TCP.
    const ok = await PostgresAdapter.open({ target: { host: '127.0.0.1', port: server.port, database: 'postgres', user: 'postgres', password_env: 'TEAM_PG_PASSWORD' }, env: { TEAM_PG_PASSWORD: server.password } });
    await ok.close();
  });

  it('says what to grant when permission is denied', async () => {
    const admin = await PostgresAdapter.open({ target: { host: server.socketDir, port: server.port, database: 'conformance', user: 'postgres', password_env: 'P' } });
    const s = await admin.session();
    await s.execute("DO $$ BEGIN CREATE ROLE reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    s.close();
    await admin.close();
    const reader = await PostgresAdapter.open({ target: { host: server.socketDir, port: server.port, database: 'conformance', user: 'reader', password_env: 'P' } });
    try {
      const error = await reader.ensureSchemas('other', ['gold']).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'E_PG_PERMISSION' });
    } finally {
      await reader.close();
    }
  });
});
