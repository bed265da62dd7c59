import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MeshError } from '@mesh/errors';
import type { ColumnInfo, MaterializePlan, MaterializeResult, RelationKind } from '@mesh/engine';
import { copyOptions, externalViewSql, readLocation } from './external-sql';
import { lit, q, rel } from './materialize-sql';
import { isStagingOnly, snapshotCreateSql, snapshotMergeSql, snapshotStagingSql } from './snapshot-sql';

/** What these materializations need of a session: they read the database between their statements. */
export interface MaterializeSteps {
  execute(sql: string): Promise<void>;
  /** Runs a statement and returns the row count DuckDB reports for it. */
  count(sql: string): Promise<number>;
  columns(sql: string): Promise<ColumnInfo[]>;
  rollback(): Promise<void>;
}

async function inTransaction<T>(db: MaterializeSteps, steps: () => Promise<T>): Promise<T> {
  await db.execute('BEGIN TRANSACTION');
  try {
    const result = await steps();
    await db.execute('COMMIT');
    return result;
  } catch (error) {
    await db.rollback();
    throw error;
  }
}

const names = async (db: MaterializeSteps, sql: string) => (await db.columns(sql)).map((c) => c.name);

/**
 * A snapshot run, in one transaction: the first creates the history table; later ones stage the changes
 * in a temporary table, add the query's new columns to the history, close the versions that changed or
 * went away, and insert the new ones. A failure anywhere leaves the history as it was.
 */
export function materializeSnapshot(db: MaterializeSteps, plan: Extract<MaterializePlan, { kind: 'snapshot' }>, existing: RelationKind | undefined): Promise<MaterializeResult> {
  const { relation, sql, snapshot: spec } = plan;
  if (existing === 'view') {
    return Promise.reject(new MeshError('E_SNAPSHOT_TARGET', `${rel(relation)} is a view; a snapshot keeps its history in a table`, {
      hint: 'Drop the view, or give the snapshot another alias or target_schema.',
    }));
  }
  return inTransaction(db, async () => {
    if (!existing) return { rows: await db.count(`CREATE TABLE ${rel(relation)} AS (\n${snapshotCreateSql(spec, sql)}\n)`) };
    const target = await names(db, `SELECT * FROM ${rel(relation)}`);
    const meta = spec.columnNames;
    const needed = [meta.dbt_scd_id, meta.dbt_valid_from, meta.dbt_valid_to, ...(spec.hardDeletes === 'new_record' ? [meta.dbt_is_deleted] : [])];
    const missing = needed.filter((n) => !target.some((t) => t.toLowerCase() === n.toLowerCase()));
    if (missing.length) {
      throw new MeshError('E_SNAPSHOT_TARGET', `${rel(relation)} is not a snapshot table: it has no column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, {
        hint: spec.hardDeletes === 'new_record' && missing.length === 1 && missing[0] === meta.dbt_is_deleted
          ? `hard_deletes='new_record' needs ${meta.dbt_is_deleted}, which a snapshot built with another hard_deletes setting lacks; add the column or rebuild the history.`
          : 'The relation was built by something else, or snapshot_meta_column_names changed; give the snapshot another alias, or rename the columns back.',
      });
    }
    const query = await names(db, sql);
    const checked = spec.strategy !== 'check' ? undefined
      : spec.checkCols === 'all' ? query
      : await names(db, `select ${(spec.checkCols ?? []).join(', ')} from (\n${sql}\n) as __mesh_check`);
    const table = q(`${relation.identifier}__mesh_snapshot`);
    await db.execute(`DROP TABLE IF EXISTS temp.${table}`);
    await db.execute(`CREATE TEMP TABLE ${table} AS (\n${snapshotStagingSql(spec, sql, relation, { query, target, checked })}\n)`);
    const staged = (await db.columns(`SELECT * FROM temp.${table}`)).filter((c) => !isStagingOnly(c.name));
    const known = new Set(target.map((t) => t.toLowerCase()));
    // Columns the query gained since the history began are added, as dbt's create_columns does.
    for (const column of staged.filter((c) => !known.has(c.name.toLowerCase()))) {
      await db.execute(`ALTER TABLE ${rel(relation)} ADD COLUMN ${q(column.name)} ${column.type}`);
    }
    const [update, insert] = snapshotMergeSql(spec, relation, `temp.${table}`, staged.map((c) => c.name));
    await db.execute(update!);
    const rows = await db.count(insert!);
    await db.execute(`DROP TABLE temp.${table}`);
    return { rows };
  });
}

/** A file, or every file under a folder (a partitioned write), as absolute paths in a stable order. */
function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => listFiles(join(path, entry.name)));
}

/**
 * An external model: its rows are written beside their final place, moved in once complete (the old
 * files kept aside until the view over the new ones is committed), so a failure leaves the previous
 * files and view as they were.
 */
export async function materializeExternal(db: MaterializeSteps, plan: Extract<MaterializePlan, { kind: 'external' }>, existing: RelationKind | undefined): Promise<MaterializeResult> {
  const { relation, sql, external: spec } = plan;
  const staging = q(`${relation.identifier}__mesh_external`);
  const written = `${spec.location}.mesh-${process.pid}.tmp`;
  const previous = `${spec.location}.mesh-${process.pid}.old`;
  let moved = false;
  await db.execute('BEGIN TRANSACTION');
  try {
    await db.execute(`DROP TABLE IF EXISTS temp.${staging}`);
    const rows = await db.count(`CREATE TEMP TABLE ${staging} AS (\n${sql}\n)`);
    let emptyColumns: string[] | undefined;
    if (rows === 0) {
      // An empty file has no columns to read back; dbt-duckdb writes one row of nulls and filters it out.
      emptyColumns = await names(db, `SELECT * FROM temp.${staging}`);
      await db.execute(`INSERT INTO temp.${staging} VALUES (${emptyColumns.map(() => 'NULL').join(', ')})`);
    }
    mkdirSync(dirname(spec.location), { recursive: true });
    rmSync(written, { recursive: true, force: true });
    await db.execute(`COPY temp.${staging} TO ${lit(written)} (${copyOptions(spec)})`);
    await db.execute(`DROP TABLE temp.${staging}`);
    rmSync(previous, { recursive: true, force: true });
    if (existsSync(spec.location)) renameSync(spec.location, previous);
    renameSync(written, spec.location);
    moved = true;
    if (existing === 'table') await db.execute(`DROP TABLE ${rel(relation)}`);
    await db.execute(`CREATE OR REPLACE VIEW ${rel(relation)} AS (\n${externalViewSql(spec, readLocation(spec), emptyColumns)}\n)`);
    await db.execute('COMMIT');
    rmSync(previous, { recursive: true, force: true });
    return { rows, files: listFiles(spec.location) };
  } catch (error) {
    await db.rollback();
    rmSync(written, { recursive: true, force: true });
    if (moved) {
      rmSync(spec.location, { recursive: true, force: true });
      if (existsSync(previous)) renameSync(previous, spec.location);
    }
    throw error;
  }
}
