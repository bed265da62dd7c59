import type { ContractColumn, RelationName } from '@mesh/engine';
import { q, rel, toTrinoType } from './dialect';

/**
 * The statements of Trino's materializations. Trino's Iceberg connector commits each statement on its
 * own (no multi-statement transactions), so every swap a reader could see is one statement: a table is
 * rebuilt by `CREATE OR REPLACE TABLE ... AS`, which commits a new snapshot of the same table or nothing.
 */

export const tmpName = (r: RelationName, suffix: string): RelationName => ({ ...r, identifier: `${r.identifier}__mesh_${suffix}` });

const model = (sql: string) => `SELECT * FROM (\n${sql}\n) AS __mesh_model`;

/** A table from a query: a new one, or a new snapshot of the one there (atomic, the history kept). */
export function createTableAs(target: RelationName, sql: string, replace: boolean, columns?: string[]): string {
  const select = columns ? `SELECT ${columns.map(q).join(', ')} FROM (\n${sql}\n) AS __mesh_model` : model(sql);
  return `CREATE ${replace ? 'OR REPLACE ' : ''}TABLE ${rel(target)} AS ${select}`;
}

/** A staging table shaped as the contract says; Trino refuses a NULL in a NOT NULL column on insert. */
export function contractTableDdl(target: RelationName, columns: ContractColumn[]): string {
  const defs = columns.map((c) => `${q(c.name)} ${toTrinoType(c.type)}${c.notNull || c.primaryKey ? ' NOT NULL' : ''}`);
  return `CREATE TABLE ${rel(target)} (${defs.join(', ')})`;
}

export function insertContractRows(into: RelationName, sql: string, columns: ContractColumn[]): string {
  const cols = columns.map((c) => q(c.name)).join(', ');
  return `INSERT INTO ${rel(into)} (${cols}) SELECT ${cols} FROM (\n${sql}\n) AS __mesh_model`;
}

/** A contract constraint Trino does not enforce, as a count of the rows that break it. */
export interface ConstraintCheck {
  label: string;
  sql: string;
}

/**
 * Iceberg tables have no primary keys, unique or check constraints: they are checked by counting the
 * breaking rows of the staged table, before anything is swapped in.
 */
export function constraintChecks(staged: RelationName, columns: ContractColumn[]): ConstraintCheck[] {
  const checks: ConstraintCheck[] = [];
  const duplicates = (cols: string[], where: string) =>
    `SELECT count(*) FROM (SELECT ${cols.join(', ')} FROM ${rel(staged)}${where} GROUP BY ${cols.join(', ')} HAVING count(*) > 1) AS __mesh_dup`;
  const pk = columns.filter((c) => c.primaryKey).map((c) => q(c.name));
  if (pk.length) checks.push({ label: `primary key (${columns.filter((c) => c.primaryKey).map((c) => c.name).join(', ')})`, sql: duplicates(pk, '') });
  for (const c of columns) {
    if (c.unique && !c.primaryKey) checks.push({ label: `unique (${c.name})`, sql: duplicates([q(c.name)], ` WHERE ${q(c.name)} IS NOT NULL`) });
    for (const check of c.checks) checks.push({ label: `check (${check})`, sql: `SELECT count(*) FROM ${rel(staged)} WHERE NOT (${check})` });
  }
  return checks;
}

/** One query for all checks: `c0, c1, ...` are the breaking rows of each. */
export function constraintCheckQuery(checks: ConstraintCheck[]): string {
  return `SELECT ${checks.map((c, i) => `(${c.sql}) AS c${i}`).join(', ')}`;
}

/**
 * Merges new rows into the target as one statement, so one snapshot: `MERGE` on the unique key
 * (a source row matching twice is an error, as in dbt), or an `INSERT` by column name to append.
 */
export function mergeStatement(target: RelationName, sql: string, columns: string[], uniqueKey: string[]): string {
  const cols = columns.map(q);
  if (!uniqueKey.length) return `INSERT INTO ${rel(target)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM (\n${sql}\n) AS __mesh_new`;
  const on = uniqueKey.map((k) => `__mesh_target.${q(k)} = __mesh_new.${q(k)}`).join(' AND ');
  const keys = new Set(uniqueKey.map((k) => k.toLowerCase()));
  const updates = columns.filter((c) => !keys.has(c.toLowerCase())).map((c) => `${q(c)} = __mesh_new.${q(c)}`);
  return `MERGE INTO ${rel(target)} AS __mesh_target USING (\n${sql}\n) AS __mesh_new ON ${on}` +
    (updates.length ? ` WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}` : '') +
    ` WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((c) => `__mesh_new.${c}`).join(', ')})`;
}

/**
 * `delete+insert` as one snapshot: the table is written anew from its rows whose key the new rows do
 * not have, plus the new rows. A DELETE then an INSERT would be two commits, and a build killed between
 * them would lose the deleted rows for good.
 */
export function deleteInsertStatement(target: RelationName, staged: RelationName, columns: string[], uniqueKey: string[]): string {
  const cols = columns.map(q).join(', ');
  const on = uniqueKey.map((k) => `__mesh_target.${q(k)} = __mesh_new.${q(k)}`).join(' AND ');
  return `CREATE OR REPLACE TABLE ${rel(target)} AS SELECT ${cols} FROM ${rel(target)} AS __mesh_target WHERE NOT EXISTS (SELECT 1 FROM ${rel(staged)} AS __mesh_new WHERE ${on}) UNION ALL SELECT ${cols} FROM ${rel(staged)}`;
}
