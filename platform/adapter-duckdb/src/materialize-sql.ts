import type { ContractColumn, MaterializePlan, RelationKind, RelationName } from '@mesh/engine';

export const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const rel = (r: RelationName): string => `${q(r.database)}.${q(r.schema)}.${q(r.identifier)}`;
export const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

function tmpName(r: RelationName, suffix: string): RelationName {
  return { ...r, identifier: `${r.identifier}__mesh_${suffix}` };
}

function createTableDdl(target: RelationName, columns: ContractColumn[]): string {
  const defs = columns.map((c) => `${q(c.name)} ${c.type}${c.notNull || c.primaryKey ? ' NOT NULL' : ''}${c.unique && !c.primaryKey ? ' UNIQUE' : ''}`);
  const pk = columns.filter((c) => c.primaryKey).map((c) => q(c.name));
  if (pk.length) defs.push(`PRIMARY KEY (${pk.join(', ')})`);
  for (const c of columns) for (const check of c.checks) defs.push(`CHECK (${check})`);
  return `CREATE TABLE ${rel(target)} (${defs.join(', ')})`;
}

function dropExisting(relation: RelationName, existing: RelationKind | undefined): string[] {
  if (!existing) return [];
  return [`DROP ${existing === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${rel(relation)}`];
}

/**
 * The statements for one materialization, in three groups: `build` creates the new data (its last statement
 * reports the row count), `swap` puts it in place. The adapter runs build and swap inside one transaction,
 * so a failure anywhere leaves the old relation untouched.
 */
export interface StatementPlan {
  build: string[];
  swap: string[];
}

/**
 * A new table is created in place (the transaction makes that atomic: a failure leaves nothing). An
 * existing one is rebuilt beside it as `<name>__mesh_tmp` and swapped in: drop, rename, commit.
 */
export function replaceTable(target: RelationName, existing: RelationKind | undefined, create: (into: RelationName) => string[]): StatementPlan {
  if (!existing) return { build: create(target), swap: [] };
  const tmp = tmpName(target, 'tmp');
  return { build: create(tmp), swap: [...dropExisting(target, existing), `ALTER TABLE ${rel(tmp)} RENAME TO ${q(target.identifier)}`] };
}

/** The plans built by statements alone; snapshots and external models read the database between steps. */
export type StatementMaterializePlan = Exclude<MaterializePlan, { kind: 'snapshot' | 'external' }>;

export function materializeStatements(plan: StatementMaterializePlan, existing: RelationKind | undefined): StatementPlan {
  const target = plan.relation;
  switch (plan.kind) {
    case 'view':
      return {
        build: [],
        swap: [...(existing === 'table' ? dropExisting(target, existing) : []), `CREATE OR REPLACE VIEW ${rel(target)} AS (\n${plan.sql}\n)`],
      };
    case 'seed':
      // A seed's columns are typed from its file first (see seed.ts); the adapter plans it there.
      throw new Error('seeds are planned by planSeed, which reads the file');
    case 'table':
      return replaceTable(target, existing, (into) =>
        plan.contract
          ? [
              createTableDdl(into, plan.contract),
              `INSERT INTO ${rel(into)} (${plan.contract.map((c) => q(c.name)).join(', ')}) SELECT ${plan.contract.map((c) => q(c.name)).join(', ')} FROM (\n${plan.sql}\n) AS __mesh_model`,
            ]
          : [`CREATE TABLE ${rel(into)} AS (\n${plan.sql}\n)`],
      );
    case 'incremental': {
      if (existing !== 'table') {
        return materializeStatements({ kind: 'table', relation: target, sql: plan.sql, contract: plan.contract }, existing);
      }
      const fresh = q(`${target.identifier}__mesh_new`);
      const build = [`DROP TABLE IF EXISTS temp.${fresh}`, `CREATE TEMP TABLE ${fresh} AS (\n${plan.sql}\n)`];
      const swap: string[] = [];
      if (plan.strategy !== 'append' && plan.uniqueKey.length) {
        const match = plan.uniqueKey.map((k) => `${rel(target)}.${q(k)} = __mesh_new.${q(k)}`).join(' AND ');
        swap.push(`DELETE FROM ${rel(target)} WHERE EXISTS (SELECT 1 FROM temp.${fresh} AS __mesh_new WHERE ${match})`);
      }
      swap.push(`INSERT INTO ${rel(target)} BY NAME SELECT * FROM temp.${fresh}`, `DROP TABLE temp.${fresh}`);
      return { build, swap };
    }
  }
}
