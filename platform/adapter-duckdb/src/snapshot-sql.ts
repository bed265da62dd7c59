import type { RelationName, SnapshotSpec } from '@mesh/engine';
import { q, rel } from './materialize-sql';

/**
 * DuckDB's SQL for dbt snapshots, row for row what dbt-core's snapshot materialization and
 * dbt-duckdb's merge produce: the same meta columns, the same `dbt_scd_id` hash, the same stamps.
 *
 * `now()` is the transaction's start in DuckDB, so every row one snapshot run stamps gets the same time.
 */

/** dbt-duckdb's snapshot_get_time(). */
export const SNAPSHOT_TIME = 'now()::timestamp';

/** dbt's snapshot_hash_arguments: md5 of the arguments as text, '|' between them. */
export function scdHash(args: string[]): string {
  return `md5(${args.map((a) => `coalesce(cast(${a} as varchar), '')`).join(` || '|' || `)})`;
}

/** The snapshot's stamp: the updated_at column, or the run time for the check strategy without one. */
function stampOf(spec: SnapshotSpec): string {
  return spec.updatedAt ?? SNAPSHOT_TIME;
}

/** `dbt_valid_to` of a current row: null, or `dbt_valid_to_current`, typed like the stamp. */
function currentValidTo(spec: SnapshotSpec): string {
  const stamp = stampOf(spec);
  return `coalesce(nullif(${stamp}, ${stamp}), ${spec.validToCurrent ?? 'null'})`;
}

/** The columns a first run adds to the query's: scd id, updated at, valid from, valid to (and is_deleted). */
export function snapshotCreateSql(spec: SnapshotSpec, sql: string): string {
  const c = spec.columnNames;
  const stamp = stampOf(spec);
  const extra = [
    `${scdHash([...spec.uniqueKey, stamp])} as ${q(c.dbt_scd_id)}`,
    `${stamp} as ${q(c.dbt_updated_at)}`,
    `${stamp} as ${q(c.dbt_valid_from)}`,
    `${currentValidTo(spec)} as ${q(c.dbt_valid_to)}`,
    ...(spec.hardDeletes === 'new_record' ? [`'False' as ${q(c.dbt_is_deleted)}`] : []),
  ];
  return `select *,\n  ${extra.join(',\n  ')}\nfrom (\n${sql}\n) as __mesh_snapshot_source`;
}

/** A composite key is joined column by column as `dbt_unique_key_<n>`; a single one as `dbt_unique_key`. */
function keyColumns(spec: SnapshotSpec): string[] {
  return spec.uniqueKey.length === 1 ? ['dbt_unique_key'] : spec.uniqueKey.map((_, i) => `dbt_unique_key_${i + 1}`);
}

function keyFields(spec: SnapshotSpec): string {
  const names = keyColumns(spec);
  return spec.uniqueKey.map((k, i) => `${k} as ${names[i]}`).join(', ');
}

function keyJoin(spec: SnapshotSpec, left: string, right: string): string {
  return keyColumns(spec).map((k) => `${left}.${k} = ${right}.${k}`).join(' and ');
}

/** What the staging query needs to know of the two tables, read from the database before it is built. */
export interface SnapshotColumns {
  /** The query's columns, in order. */
  query: string[];
  /** The history table's columns. */
  target: string[];
  /** For the check strategy: the columns compared (check_cols as the database names them, or the query's). */
  checked?: string[];
}

/** The expression that says a source row differs from the current version it matches. */
function rowChanged(spec: SnapshotSpec, columns: SnapshotColumns): string {
  const c = spec.columnNames;
  if (spec.strategy === 'timestamp') return `(snapshotted_data.${q(c.dbt_valid_from)} < source_data.${spec.updatedAt})`;
  const target = new Set(columns.target);
  const checked = columns.checked ?? columns.query;
  // A compared column the history table lacks is a new column: every row counts as changed, as in dbt.
  if (checked.some((col) => !target.has(col))) return '(TRUE)';
  const differs = checked.map((col) => {
    const a = `snapshotted_data.${q(col)}`;
    const b = `source_data.${q(col)}`;
    return `${a} != ${b} or ((${a} is null) and not (${b} is null)) or ((not ${a} is null) and (${b} is null))`;
  });
  return `(${differs.join(' or ')})`;
}

/** Current versions in the history table: valid_to null, or dbt_valid_to_current. */
function currentRows(spec: SnapshotSpec, table: string): string {
  const validTo = `${table}${q(spec.columnNames.dbt_valid_to)}`;
  return spec.validToCurrent ? `(${validTo} = ${spec.validToCurrent} or ${validTo} is null)` : `${validTo} is null`;
}

/**
 * The changes of one run, one row each: `insert` for a new key or a new version of a changed row,
 * `update` to close the version a change replaces, `delete` to close the version of a row the query no
 * longer returns (hard_deletes invalidate and new_record), and for new_record a row marking the deletion.
 * Selected in dbt's column order, so the union lines up as dbt's does.
 */
export function snapshotStagingSql(spec: SnapshotSpec, sql: string, target: RelationName, columns: SnapshotColumns): string {
  const c = spec.columnNames;
  const stamp = stampOf(spec);
  const newRecord = spec.hardDeletes === 'new_record';
  const tracksDeletes = spec.hardDeletes === 'invalidate' || newRecord;
  const [firstKey] = keyColumns(spec);
  const changed = rowChanged(spec, columns);
  const reinserted = newRecord ? ` or snapshotted_data.${q(c.dbt_is_deleted)} = 'True'` : '';
  const latestIsDeletion = newRecord
    ? `not (snapshotted_data.${q(c.dbt_is_deleted)} = 'True' and ${currentRows(spec, 'snapshotted_data.')})`
    : '';
  const ctes = [
    `snapshot_query as (\n${sql}\n)`,
    `snapshotted_data as (\n  select *, ${keyFields(spec)}\n  from ${rel(target)}\n  where ${currentRows(spec, '')}\n)`,
    `insertions_source_data as (\n  select *, ${keyFields(spec)},\n    ${stamp} as ${q(c.dbt_updated_at)},\n    ${stamp} as ${q(c.dbt_valid_from)},\n    ${currentValidTo(spec)} as ${q(c.dbt_valid_to)},\n    ${scdHash([...spec.uniqueKey, stamp])} as ${q(c.dbt_scd_id)}\n  from snapshot_query\n)`,
    `updates_source_data as (\n  select *, ${keyFields(spec)},\n    ${stamp} as ${q(c.dbt_updated_at)},\n    ${stamp} as ${q(c.dbt_valid_from)},\n    ${stamp} as ${q(c.dbt_valid_to)}\n  from snapshot_query\n)`,
    ...(tracksDeletes ? [`deletes_source_data as (\n  select *, ${keyFields(spec)}\n  from snapshot_query\n)`] : []),
    `insertions as (\n  select 'insert' as dbt_change_type, source_data.*${newRecord ? `, 'False' as ${q(c.dbt_is_deleted)}` : ''}\n  from insertions_source_data as source_data\n  left outer join snapshotted_data on ${keyJoin(spec, 'snapshotted_data', 'source_data')}\n  where snapshotted_data.${firstKey} is null\n     or (snapshotted_data.${firstKey} is not null and (${changed}${reinserted}))\n)`,
    `updates as (\n  select 'update' as dbt_change_type, source_data.*, snapshotted_data.${q(c.dbt_scd_id)}${newRecord ? `, snapshotted_data.${q(c.dbt_is_deleted)}` : ''}\n  from updates_source_data as source_data\n  join snapshotted_data on ${keyJoin(spec, 'snapshotted_data', 'source_data')}\n  where (${changed}${reinserted})\n)`,
  ];
  if (tracksDeletes) {
    ctes.push(
      `deletes as (\n  select 'delete' as dbt_change_type, source_data.*,\n    ${SNAPSHOT_TIME} as ${q(c.dbt_valid_from)},\n    ${SNAPSHOT_TIME} as ${q(c.dbt_updated_at)},\n    ${SNAPSHOT_TIME} as ${q(c.dbt_valid_to)},\n    snapshotted_data.${q(c.dbt_scd_id)}${newRecord ? `, snapshotted_data.${q(c.dbt_is_deleted)}` : ''}\n  from snapshotted_data\n  left join deletes_source_data as source_data on ${keyJoin(spec, 'snapshotted_data', 'source_data')}\n  where source_data.${firstKey} is null${newRecord ? `\n    and ${latestIsDeletion}` : ''}\n)`,
    );
  }
  if (newRecord) {
    // The query's columns as the deleted row last had them (null where the history table lacks one).
    const target = new Set(columns.target);
    const values = columns.query.map((col) => `${target.has(col) ? 'snapshotted_data' : 'source_data'}.${q(col)}`);
    const keys = keyColumns(spec).map((k) => `snapshotted_data.${k} as ${k}`);
    ctes.push(
      `deletion_records as (\n  select 'insert' as dbt_change_type,\n    ${[...values, ...keys].join(',\n    ')},\n    ${SNAPSHOT_TIME} as ${q(c.dbt_valid_from)},\n    ${SNAPSHOT_TIME} as ${q(c.dbt_updated_at)},\n    snapshotted_data.${q(c.dbt_valid_to)} as ${q(c.dbt_valid_to)},\n    ${scdHash([`snapshotted_data.${q(c.dbt_scd_id)}`, SNAPSHOT_TIME])} as ${q(c.dbt_scd_id)},\n    'True' as ${q(c.dbt_is_deleted)}\n  from snapshotted_data\n  left join deletes_source_data as source_data on ${keyJoin(spec, 'snapshotted_data', 'source_data')}\n  where source_data.${firstKey} is null\n    and ${latestIsDeletion}\n)`,
    );
  }
  const parts = ['select * from insertions', 'select * from updates', ...(tracksDeletes ? ['select * from deletes'] : []), ...(newRecord ? ['select * from deletion_records'] : [])];
  return `with ${ctes.join(',\n')}\n${parts.join('\nunion all\n')}`;
}

/** Staging columns that only join the changes to the history; they are not written to it. */
export function isStagingOnly(column: string): boolean {
  return /^dbt_change_type$|^dbt_unique_key(_\d+)?$/i.test(column);
}

/**
 * Applies the staged changes as dbt-duckdb does: closes the current versions that were updated or
 * deleted, then inserts the new versions.
 */
export function snapshotMergeSql(spec: SnapshotSpec, target: RelationName, staging: string, insertColumns: string[]): string[] {
  const c = spec.columnNames;
  const validTo = `__mesh_target.${q(c.dbt_valid_to)}`;
  const current = spec.validToCurrent ? `(${validTo} = ${spec.validToCurrent} or ${validTo} is null)` : `${validTo} is null`;
  const cols = insertColumns.map(q).join(', ');
  return [
    `update ${rel(target)} as __mesh_target set ${q(c.dbt_valid_to)} = __mesh_source.${q(c.dbt_valid_to)} from ${staging} as __mesh_source where __mesh_source.${q(c.dbt_scd_id)}::text = __mesh_target.${q(c.dbt_scd_id)}::text and __mesh_source.dbt_change_type::text in ('update', 'delete') and ${current}`,
    `insert into ${rel(target)} (${cols}) select ${insertColumns.map((col) => `__mesh_source.${q(col)}`).join(', ')} from ${staging} as __mesh_source where __mesh_source.dbt_change_type::text = 'insert'`,
  ];
}
