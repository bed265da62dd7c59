import { randomBytes } from 'node:crypto';
import type { ContractColumn, RelationKind, RelationName } from '@mesh/engine';
import { q, rel, toPgType } from './dialect';

export const tmpName = (r: RelationName, suffix: string): RelationName => ({ ...r, identifier: `${r.identifier}__mesh_${suffix}` });

/**
 * Contract DDL with real constraints. Constraints are named with a token of this build: an index keeps
 * its name when its table is renamed, so the names of `<model>__mesh_tmp`'s indexes would collide with
 * those of the table it replaced at the next rebuild.
 */
export function createTableDdl(target: RelationName, columns: ContractColumn[]): string {
  const token = randomBytes(4).toString('hex');
  let n = 0;
  const name = (kind: string) => q(`${target.identifier.slice(0, 40)}_${kind}_${token}_${n++}`);
  const defs = columns.map((c) => `${q(c.name)} ${toPgType(c.type)}${c.notNull || c.primaryKey ? ' NOT NULL' : ''}${c.unique && !c.primaryKey ? ` CONSTRAINT ${name('key')} UNIQUE` : ''}`);
  const pk = columns.filter((c) => c.primaryKey).map((c) => q(c.name));
  if (pk.length) defs.push(`CONSTRAINT ${name('pkey')} PRIMARY KEY (${pk.join(', ')})`);
  for (const c of columns) for (const check of c.checks) defs.push(`CONSTRAINT ${name('check')} CHECK (${check})`);
  return `CREATE TABLE ${rel(target)} (${defs.join(', ')})`;
}

/** Fills a table from the model's SQL: into the contract's columns, or as CREATE TABLE AS. */
export function createTableStatements(into: RelationName, sql: string, contract: ContractColumn[] | undefined): string[] {
  if (!contract) return [`CREATE TABLE ${rel(into)} AS (\n${sql}\n)`];
  const cols = contract.map((c) => q(c.name)).join(', ');
  return [createTableDdl(into, contract), `INSERT INTO ${rel(into)} (${cols}) SELECT ${cols} FROM (\n${sql}\n) AS __mesh_model`];
}

/**
 * Puts a table built beside the target in its place: drop the old relation, rename. Run in the build's
 * transaction (PostgreSQL's DDL is transactional), so readers see the old table or the new one.
 */
export function swapStatements(target: RelationName, tmp: RelationName, existing: RelationKind | undefined): string[] {
  const drop = existing ? [`DROP ${existing === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${rel(target)}`] : [];
  return [...drop, `ALTER TABLE ${rel(tmp)} RENAME TO ${q(target.identifier)}`];
}

/**
 * Merges the rows of `fresh` (a temporary table) into the target. `merge` is PostgreSQL 15's MERGE on the
 * unique key (a source row matching twice is an error, as in dbt); `delete+insert` deletes the keys, then
 * inserts; `append` inserts. Columns go by name, as DuckDB's INSERT BY NAME.
 */
export function mergeStatements(target: RelationName, fresh: string, columns: string[], strategy: 'append' | 'merge' | 'delete+insert', uniqueKey: string[]): string[] {
  const cols = columns.map(q);
  const insert = `INSERT INTO ${rel(target)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${q(fresh)}`;
  if (strategy === 'append' || !uniqueKey.length) return [insert];
  const on = uniqueKey.map((k) => `__mesh_target.${q(k)} = __mesh_new.${q(k)}`).join(' AND ');
  if (strategy === 'delete+insert') {
    return [`DELETE FROM ${rel(target)} AS __mesh_target USING ${q(fresh)} AS __mesh_new WHERE ${on}`, insert];
  }
  const keys = new Set(uniqueKey.map((k) => k.toLowerCase()));
  const updates = columns.filter((c) => !keys.has(c.toLowerCase())).map((c) => `${q(c)} = __mesh_new.${q(c)}`);
  return [
    `MERGE INTO ${rel(target)} AS __mesh_target USING ${q(fresh)} AS __mesh_new ON ${on}` +
      (updates.length ? ` WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}` : '') +
      ` WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${columns.map((c) => `__mesh_new.${q(c)}`).join(', ')})`,
  ];
}

/**
 * A seed's columns typed as dbt types them on DuckDB (INTEGER, DOUBLE, BOOLEAN, DATE, TIMESTAMP, else
 * VARCHAR), decided by one aggregate over the staged text: the rows stay in the database.
 */
export function seedTypeProbe(staged: RelationName, columns: string[]): string {
  const probes = columns.flatMap((c, i) => {
    const v = `NULLIF(btrim(${q(c)}), '')`;
    return [
      `bool_and(${v} ~ '^[-+]?[0-9]{1,18}$') AS i${i}`,
      `bool_and(${v} ~ '^[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$') AS d${i}`,
      `bool_and(lower(${v}) IN ('true', 'false')) AS b${i}`,
      `bool_and(${v} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') AS t${i}`,
      `bool_and(${v} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?$') AS s${i}`,
    ];
  });
  return `SELECT ${probes.join(', ')} FROM ${rel(staged)}`;
}

export function seedColumnType(probe: Record<string, unknown>, i: number): string {
  // As dbt types seeds (dbt-duckdb's rules): whole numbers are INTEGER, and a column with no value at all
  // (bool_and over nothing is NULL) is INTEGER too.
  if (probe[`i${i}`] !== false) return 'INTEGER';
  if (probe[`d${i}`] === true) return 'DOUBLE';
  if (probe[`b${i}`] === true) return 'BOOLEAN';
  if (probe[`t${i}`] === true) return 'DATE';
  if (probe[`s${i}`] === true) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** The header of a CSV file: its first record, split on commas outside quotes. */
export function parseCsvHeader(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field.trim());
      field = '';
    } else field += ch;
  }
  out.push(field.replace(/\r$/, '').trim());
  return out;
}
