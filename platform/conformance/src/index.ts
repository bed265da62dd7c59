import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { qualifiedName, type Adapter, type AdapterSession, type ContractColumn, type RelationName, type RelationStyle } from '@mesh/engine';

/**
 * One suite every engine passes (as Malloy's connections share one): the same plans and the same
 * expectations whatever the adapter. Capabilities an adapter declares decide which of the optional parts run.
 */
export interface ConformanceEngine {
  name: string;
  /** How the engine's compiled SQL names relations (the target's `relations`). */
  style: RelationStyle;
  /** The database the suite builds into: a DuckDB catalog, a PostgreSQL schema prefix, a Trino catalog. */
  database: string;
  /** Opens the adapter; called once the test file's own beforeAll (a server starting) has run. */
  open(): Promise<Adapter>;
  /** Reads a relation as another user would, for engines that share inside the database (`shares: 'schemas'`). */
  readShare?(schema: string, identifier: string): Promise<Array<Record<string, unknown>>>;
}

const col = (name: string, type: string, extra: Partial<ContractColumn> = {}): ContractColumn => ({ name, type, notNull: false, unique: false, primaryKey: false, checks: [], ...extra });

const plainRow = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' || v === null ? v : String(v)]));

export function describeAdapterConformance(engine: ConformanceEngine): void {
  describe(`adapter conformance: ${engine.name}`, () => {
    let adapter: Adapter;
    let s: AdapterSession;
    const dir = mkdtempSync(join(tmpdir(), 'mesh-conformance-'));
    const db = engine.database;
    const r = (identifier: string): RelationName => ({ database: db, schema: 'gold', identifier });
    const name = (identifier: string) => qualifiedName(r(identifier), { relations: engine.style });
    const rows = async (identifier: string, order = 'id') => (await s.query(`SELECT * FROM ${name(identifier)} ORDER BY ${order}`)).map(plainRow);

    beforeAll(async () => {
      adapter = await engine.open();
      await adapter.ensureSchemas(db, ['gold']);
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

    it('enforces contract constraints: bad rows are refused and the old table is kept', async () => {
      const contract = [col('id', 'BIGINT', { primaryKey: true }), col('email', 'VARCHAR', { unique: true }), col('amount', 'DOUBLE', { notNull: true, checks: ['amount >= 0'] })];
      await s.materialize({ kind: 'table', relation: r('c'), sql: 'SELECT CAST(1 AS BIGINT) AS id, \'a@x\' AS email, CAST(1.5 AS DOUBLE PRECISION) AS amount', contract }, undefined);
      const bad = {
        'a null': 'SELECT CAST(2 AS BIGINT) AS id, \'b@x\' AS email, CAST(NULL AS DOUBLE PRECISION) AS amount',
        'a failing check': 'SELECT CAST(2 AS BIGINT) AS id, \'b@x\' AS email, CAST(-1 AS DOUBLE PRECISION) AS amount',
        'a duplicate key': 'SELECT CAST(2 AS BIGINT) AS id, \'b@x\' AS email, CAST(1 AS DOUBLE PRECISION) AS amount UNION ALL SELECT 2, \'c@x\', 1',
        'a duplicate unique value': 'SELECT CAST(2 AS BIGINT) AS id, \'b@x\' AS email, CAST(1 AS DOUBLE PRECISION) AS amount UNION ALL SELECT 3, \'b@x\', 1',
      };
      for (const [what, sql] of Object.entries(bad)) {
        await expect(s.materialize({ kind: 'table', relation: r('c'), sql, contract }, 'table'), what).rejects.toThrow();
      }
      expect(await rows('c')).toEqual([{ id: 1, email: 'a@x', amount: 1.5 }]);
      // Rebuilt twice more: whatever the engine names or keeps of a constraint never collides with the next build's.
      await s.materialize({ kind: 'table', relation: r('c'), sql: 'SELECT CAST(5 AS BIGINT) AS id, \'e@x\' AS email, CAST(0 AS DOUBLE PRECISION) AS amount', contract }, 'table');
      await s.materialize({ kind: 'table', relation: r('c'), sql: 'SELECT CAST(6 AS BIGINT) AS id, \'f@x\' AS email, CAST(0 AS DOUBLE PRECISION) AS amount', contract }, 'table');
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
        { name: 'id', type: 'INTEGER' }, { name: 'name', type: 'VARCHAR' }, { name: 'price', type: 'DOUBLE' }, { name: 'day', type: 'DATE' },
      ]);
      expect((await rows('seed')).map((row) => row.name)).toEqual(['a, b', 'c']);
      // Loaded again over the first load: the same rows, not twice as many.
      expect((await s.materialize({ kind: 'seed', relation: r('seed'), path: csv, columnTypes: { name: 'varchar' } }, 'table')).rows).toBe(2);
      expect((await rows('seed')).length).toBe(2);
    });

    it('answers what templates ask while a model runs: statements, columns, relations by name and pattern', async () => {
      await s.materialize({ kind: 'table', relation: r('ask_me'), sql: "SELECT 1 AS id, 'a' AS label, DATE '2024-01-31' AS day, CAST(12.50 AS DECIMAL(10,2)) AS amount" }, undefined);
      const answer = await s.runStatement(`SELECT id, label, day, amount FROM ${name('ask_me')}`, true);
      expect(answer.columns.map((c) => c.name)).toEqual(['id', 'label', 'day', 'amount']);
      expect(answer.rows[0]![0]).toBe(1);
      expect(answer.rows[0]![2]).toEqual({ temporal: 'date', text: '2024-01-31' });
      expect(answer.rows[0]![3]).toEqual({ number: '12.50' });
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

    it('publishes a share in the engine: masked columns computed, withheld ones left out', async (context) => {
      if (adapter.capabilities.shares !== 'schemas' || !engine.readShare) return context.skip('this engine publishes files, attached by consumers');
      await s.materialize({ kind: 'table', relation: r('people'), sql: 'SELECT 1 AS id, \'ann@x\' AS email, \'Ann\' AS name' }, undefined);
      const schema = `${db}_share_conformance_v1`;
      const counts = await adapter.publishShare!([{ ...r('people'), masks: [{ column: 'email', method: 'hash' }], withheld: ['name'] }], { schema, grantee: 'conformance' }, { maskingKey: new Uint8Array(32).fill(7) });
      expect(counts).toEqual([1]);
      const [shared] = await engine.readShare(schema, 'people');
      expect(Object.keys(shared!).sort()).toEqual(['email', 'id']);
      // The keyed hash every engine computes alike: HMAC-SHA256 of the text under the producer's key.
      expect(shared!.email).toBe(createHmac('sha256', new Uint8Array(32).fill(7)).update('ann@x').digest('hex'));
      if (adapter.capabilities.pinnedShares) {
        // The share reads the snapshot it was published with: a rebuild changes nothing it shows.
        await s.materialize({ kind: 'table', relation: r('people'), sql: 'SELECT 2 AS id, \'bob@x\' AS email, \'Bob\' AS name' }, 'table');
        expect((await engine.readShare(schema, 'people')).map((p) => p.id)).toEqual([1]);
      }
      await adapter.dropStaleShares!(db, []);
      await expect(engine.readShare(schema, 'people')).rejects.toThrow();
    });
  });
}
