import { describe, expect, it } from 'vitest';
import type { ContractColumn } from '@mesh/engine';
import { constraintCheckQuery, constraintChecks, contractTableDdl, createTableAs, deleteInsertStatement, mergeStatement } from './materialize-sql';

const t = { database: 'sales', schema: 'gold', identifier: 'orders' };
const col = (name: string, type: string, extra: Partial<ContractColumn> = {}): ContractColumn => ({ name, type, notNull: false, unique: false, primaryKey: false, checks: [], ...extra });

describe("Trino's materialization statements", () => {
  it('replaces a table in one statement, a new snapshot of the same table', () => {
    expect(createTableAs(t, 'select 1 as id', true)).toBe('CREATE OR REPLACE TABLE "sales"."gold"."orders" AS SELECT * FROM (\nselect 1 as id\n) AS __mesh_model');
    expect(createTableAs(t, 'select 1 as id', false, ['id'])).toMatch(/^CREATE TABLE "sales"."gold"."orders" AS SELECT "id" FROM/);
  });

  it('declares NOT NULL for Trino to refuse, and counts what Iceberg cannot hold', () => {
    const contract = [col('id', 'BIGINT', { primaryKey: true }), col('email', 'VARCHAR', { unique: true }), col('amount', 'DOUBLE', { notNull: true, checks: ['amount >= 0'] }), col('note', 'VARCHAR')];
    expect(contractTableDdl(t, contract)).toBe('CREATE TABLE "sales"."gold"."orders" ("id" bigint NOT NULL, "email" varchar, "amount" double NOT NULL, "note" varchar)');
    const checks = constraintChecks(t, contract);
    expect(checks.map((c) => c.label)).toEqual(['primary key (id)', 'unique (email)', 'check (amount >= 0)']);
    expect(constraintCheckQuery(checks)).toMatch(/^SELECT \(SELECT count\(\*\) FROM \(SELECT "id" FROM .* HAVING count\(\*\) > 1\) AS __mesh_dup\) AS c0, /);
  });

  it('merges on the unique key in one MERGE, appends by column name', () => {
    expect(mergeStatement(t, 'select 1 as id, 2 as v', ['id', 'v'], ['id'])).toBe(
      'MERGE INTO "sales"."gold"."orders" AS __mesh_target USING (\nselect 1 as id, 2 as v\n) AS __mesh_new ON __mesh_target."id" = __mesh_new."id" WHEN MATCHED THEN UPDATE SET "v" = __mesh_new."v" WHEN NOT MATCHED THEN INSERT ("id", "v") VALUES (__mesh_new."id", __mesh_new."v")',
    );
    expect(mergeStatement(t, 'select 1 as id', ['id'], [])).toMatch(/^INSERT INTO "sales"."gold"."orders" \("id"\) SELECT "id" FROM/);
  });

  it('runs delete+insert as one table rewrite, not a DELETE and an INSERT', () => {
    const sql = deleteInsertStatement(t, { ...t, identifier: 'orders__mesh_new' }, ['id', 'v'], ['id']);
    expect(sql).toMatch(/^CREATE OR REPLACE TABLE "sales"."gold"."orders" AS SELECT "id", "v" FROM "sales"."gold"."orders" AS __mesh_target WHERE NOT EXISTS/);
    expect(sql).toMatch(/UNION ALL SELECT "id", "v" FROM "sales"."gold"."orders__mesh_new"$/);
  });
});
