import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBAdapter } from '@mesh/adapter-duckdb';
import { MeshError } from '@mesh/errors';
import { qualifiedName, type Adapter, type AdapterSession, type ContractColumn, type RelationName, type RelationStyle } from '@mesh/engine';
import { PostgresAdapter } from './postgres-adapter';
import { startTestServer, type TestServer } from './test-server';

/**
 * One suite every engine passes (as Malloy's connections share one): the same plans and the same
 * expectations on DuckDB and on a real PostgreSQL server.
 */
interface Engine {
  name: string;
  style: RelationStyle;
  open(): Promise<Adapter>;
}

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'mesh-conformance-'));
const engines: Engine[] = [
  { name: 'duckdb', style: 'catalog', open: () => DuckDBAdapter.open({ path: join(dir, 'conf.duckdb') }) },
  {
    name: 'postgres',
    style: 'schema-prefixed',
    open: () => PostgresAdapter.open({ target: { host: server.socketDir, port: server.port, database: 'conformance', user: server.user, password_env: 'UNUSED' } }),
  },
];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const col = (name: string, type: string, extra: Partial<ContractColumn> = {}): ContractColumn => ({ name, type, notNull: false, unique: false, primaryKey: false, checks: [], ...extra });

describe.each(engines)('adapter conformance: $name', (engine) => {
  let adapter: Adapter;
  let s: AdapterSession;
  const db = 'conf';
  const r = (identifier: string): RelationName => ({ database: db, schema: 'gold', identifier });
  const name = (identifier: string) => qualifiedName(r(identifier), { relations: engine.style });
  const rows = async (identifier: string, order = 'id') => (await s.query(`SELECT * FROM ${name(identifier)} ORDER BY ${order}`)).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' || v === null ? v : String(v)])));

  beforeAll(async () => {
    adapter = await engine.open();
    // DuckDB's catalog is the file's name; PostgreSQL's schemas carry it as a prefix.
    if (engine.name === 'duckdb') await adapter.ensureSchemas('conf', ['gold']);
    else await adapter.ensureSchemas(db, ['gold']);
    s = await adapter.session();
  });
  afterAll(async () => {
    s?.close();
    await adapter?.close();
  });

  it('builds a table, a view on it, and lists both', async () => {
    expect((await s.materialize({ kind: 'table', relation: r('t'), sql: 'SELECT 1 AS id, \'a\' AS v UNION ALL SELECT 2, \'b\'' }, undefined)).rows).toBe(2);
    await s.materialize({ kind: 'view', relation: r('v'), sql: `SELECT id * 10 AS id FROM ${name('t')}` }, undefined);
    expect(await rows('v')).toEqual([{ id: 10 }, { id: 20 }]);
    const listed = await adapter.listRelations(db);
    expect(listed.get('gold.t')).toBe('table');
    expect(listed.get('gold.v')).toBe('view');
  });

  it('replaces a view whose columns changed, and a view by a table', async () => {
    await s.materialize({ kind: 'view', relation: r('v2'), sql: 'SELECT 1 AS id, 2 AS other' }, undefined);
    await s.materialize({ kind: 'view', relation: r('v2'), sql: 'SELECT 3 AS id' }, 'view');
    expect(await rows('v2')).toEqual([{ id: 3 }]);
    await s.materialize({ kind: 'table', relation: r('v2'), sql: 'SELECT 4 AS id' }, 'view');
    expect((await adapter.listRelations(db)).get('gold.v2')).toBe('table');
  });

  it('swaps atomically: a failed rebuild leaves the previous table intact', async () => {
    await s.materialize({ kind: 'table', relation: r('swap'), sql: 'SELECT 1 AS id' }, undefined);
    await expect(s.materialize({ kind: 'table', relation: r('swap'), sql: 'SELECT CAST(\'x\' AS INTEGER) AS id' }, 'table')).rejects.toThrow();
    expect(await rows('swap')).toEqual([{ id: 1 }]);
    await s.materialize({ kind: 'table', relation: r('swap'), sql: 'SELECT 2 AS id' }, 'table');
    await s.materialize({ kind: 'table', relation: r('swap'), sql: 'SELECT 3 AS id' }, 'table');
    expect(await rows('swap')).toEqual([{ id: 3 }]);
  });

  it('merges incrementally on the unique key, and appends without one', async () => {
    const contract = [col('id', 'INTEGER', { primaryKey: true }), col('v', 'VARCHAR')];
    await s.materialize({ kind: 'table', relation: r('inc'), sql: 'SELECT CAST(1 AS INTEGER) AS id, CAST(\'a\' AS VARCHAR) AS v UNION ALL SELECT 2, \'b\'', contract }, undefined);
    const sql = 'SELECT CAST(2 AS INTEGER) AS id, CAST(\'B\' AS VARCHAR) AS v UNION ALL SELECT 3, \'c\'';
    await s.materialize({ kind: 'incremental', relation: r('inc'), sql, strategy: 'merge', uniqueKey: ['id'], contract }, 'table');
    expect(await rows('inc')).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'B' }, { id: 3, v: 'c' }]);
    await s.materialize({ kind: 'incremental', relation: r('inc'), sql: 'SELECT CAST(\'d\' AS VARCHAR) AS v, CAST(3 AS INTEGER) AS id', strategy: 'delete+insert', uniqueKey: ['id'], contract }, 'table');
    expect(await rows('inc')).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'B' }, { id: 3, v: 'd' }]);
    await s.materialize({ kind: 'table', relation: r('log'), sql: 'SELECT 1 AS id' }, undefined);
    await s.materialize({ kind: 'incremental', relation: r('log'), sql: 'SELECT 1 AS id', strategy: 'append', uniqueKey: [] }, 'table');
    expect(await rows('log')).toEqual([{ id: 1 }, { id: 1 }]);
  });

  it('creates contract tables with real constraints that refuse bad rows, and keeps the old table', async () => {
    const contract = [col('id', 'BIGINT', { primaryKey: true }), col('email', 'VARCHAR', { unique: true }), col('amount', 'DOUBLE', { notNull: true, checks: ['amount >= 0'] })];
    await s.materialize({ kind: 'table', relation: r('c'), sql: 'SELECT CAST(1 AS BIGINT) AS id, \'a@x\' AS email, CAST(1.5 AS FLOAT8) AS amount', contract }, undefined);
    const bad = {
      'a null': 'SELECT CAST(2 AS BIGINT) AS id, \'b@x\' AS email, CAST(NULL AS FLOAT8) AS amount',
      'a failing check': 'SELECT CAST(2 AS BIGINT) AS id, \'b@x\' AS email, CAST(-1 AS FLOAT8) AS amount',
      'a duplicate key': 'SELECT CAST(2 AS BIGINT) AS id, \'b@x\' AS email, CAST(1 AS FLOAT8) AS amount UNION ALL SELECT 2, \'c@x\', 1',
      'a duplicate unique value': 'SELECT CAST(2 AS BIGINT) AS id, \'b@x\' AS email, CAST(1 AS FLOAT8) AS amount UNION ALL SELECT 3, \'b@x\', 1',
    };
    for (const [what, sql] of Object.entries(bad)) {
      await expect(s.materialize({ kind: 'table', relation: r('c'), sql, contract }, 'table'), what).rejects.toThrow();
    }
    expect(await rows('c')).toEqual([{ id: 1, email: 'a@x', amount: 1.5 }]);
    // Rebuilt twice more: constraint names of the swapped-in table never collide with the next build's.
    await s.materialize({ kind: 'table', relation: r('c'), sql: 'SELECT CAST(5 AS BIGINT) AS id, \'e@x\' AS email, CAST(0 AS FLOAT8) AS amount', contract }, 'table');
    await s.materialize({ kind: 'table', relation: r('c'), sql: 'SELECT CAST(6 AS BIGINT) AS id, \'f@x\' AS email, CAST(0 AS FLOAT8) AS amount', contract }, 'table');
    expect(await rows('c')).toEqual([{ id: 6, email: 'f@x', amount: 0 }]);
  });

  it('names types as the contracts do, whatever the engine', async () => {
    expect(await s.canonicalTypes(['int', 'bigint', 'varchar', 'double', 'decimal(18,2)', 'date', 'timestamp', 'boolean'])).toEqual(
      ['INTEGER', 'BIGINT', 'VARCHAR', 'DOUBLE', 'DECIMAL(18,2)', 'DATE', 'TIMESTAMP', 'BOOLEAN'],
    );
    await expect(s.canonicalTypes(['integr'])).rejects.toThrow(MeshError);
    expect(await s.describe('SELECT CAST(1 AS BIGINT) AS a, CAST(\'x\' AS VARCHAR) AS b, CAST(\'2026-01-02\' AS DATE) AS c')).toEqual([
      { name: 'a', type: 'BIGINT' }, { name: 'b', type: 'VARCHAR' }, { name: 'c', type: 'DATE' },
    ]);
  });

  it('loads a seed with typed columns', async () => {
    const csv = join(dir, `seed-${engine.name}.csv`);
    writeFileSync(csv, 'id,name,price,day\n1,"a, b",1.5,2026-01-02\n2,c,2,2026-01-03\n');
    expect((await s.materialize({ kind: 'seed', relation: r('seed'), path: csv, columnTypes: { name: 'varchar' } }, undefined)).rows).toBe(2);
    expect(await s.describe(`SELECT * FROM ${name('seed')}`)).toEqual([
      { name: 'id', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }, { name: 'price', type: 'DOUBLE' }, { name: 'day', type: 'DATE' },
    ]);
    expect((await rows('seed')).map((row) => row.name)).toEqual(['a, b', 'c']);
  });

  it('answers what templates ask while a model runs: statements, columns, relations by name and pattern', async () => {
    await s.materialize({ kind: 'table', relation: r('ask_me'), sql: "SELECT 1 AS id, 'a' AS label, DATE '2024-01-31' AS day, 12.50::decimal(10,2) AS amount" }, undefined);
    const answer = await s.runStatement(`SELECT id, label, day, amount FROM ${name('ask_me')}`, true);
    expect(answer.columns.map((c) => c.name)).toEqual(['id', 'label', 'day', 'amount']);
    expect(answer.rows[0]![0]).toBe(1);
    expect(answer.rows[0]![2]).toEqual({ temporal: 'date', text: '2024-01-31' });
    expect((await s.columnsOf(r('ask_me'))).map((c) => c.name)).toEqual(['id', 'label', 'day', 'amount']);
    expect(await s.relationKind(r('ask_me'))).toBe('table');
    expect(await s.relationKind(r('no_such_relation'))).toBeUndefined();
    const like = await s.relationsLike(db, 'gold', 'ask%', '');
    expect(like.map((x) => `${x.schema}.${x.identifier} ${x.kind}`)).toEqual(['gold.ask_me table']);
  });

  it('runs tests as queries: failures counted in the database', async () => {
    await s.materialize({ kind: 'table', relation: r('tested'), sql: 'SELECT 1 AS id UNION ALL SELECT 1 UNION ALL SELECT NULL' }, undefined);
    const unique = `select id as unique_field, count(*) as n_records from ${name('tested')} where id is not null group by id having count(*) > 1`;
    const [row] = await s.query(`SELECT failures, (failures != 0) AS should_error FROM (SELECT count(*) AS failures FROM (\n${unique}\n) AS __mesh_test) AS __mesh_counts`);
    expect(Number(row!.failures)).toBe(1);
    expect(row!.should_error).toBe(true);
  });
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
