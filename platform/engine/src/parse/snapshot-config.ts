import { MeshError, type SourceLocation } from '@mesh/errors';
import type { HardDeletes, SnapshotColumnNames, SnapshotSpec } from '../types';

/** Where a config key of one snapshot was set, to point an error at the file, line and key. */
export type LocateKey = (key: string) => SourceLocation;

const COLUMN_NAMES: ReadonlyArray<keyof SnapshotColumnNames> = ['dbt_valid_from', 'dbt_valid_to', 'dbt_scd_id', 'dbt_updated_at', 'dbt_is_deleted'];
const HARD_DELETES: readonly HardDeletes[] = ['ignore', 'invalidate', 'new_record'];

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.trim() !== '');
}

/**
 * Checks a snapshot's merged configs as dbt's SnapshotConfig does (a strategy and a unique_key; the
 * timestamp strategy's updated_at; the check strategy's check_cols) and turns them into the spec the
 * adapter builds from. Every refusal names the key and where it was set.
 */
export function snapshotSpec(name: string, config: Record<string, unknown>, locate: LocateKey): SnapshotSpec {
  function fail(key: string, message: string, hint: string): never {
    throw new MeshError('E_SNAPSHOT_CONFIG', `snapshot ${name}: ${message}`, { location: locate(key), hint });
  }
  const materialized = config.materialized;
  if (materialized !== undefined && materialized !== 'snapshot') {
    fail('materialized', `materialized is '${String(materialized)}'; a snapshot is always materialized as a snapshot`, 'Remove materialized from the snapshot\'s config.');
  }
  const strategy = config.strategy;
  if (strategy === undefined || strategy === null || strategy === '') {
    fail('strategy', "strategy is not set: a snapshot needs a 'strategy' and a 'unique_key'", "Set strategy='timestamp' (with updated_at) or strategy='check' (with check_cols).");
  }
  if (strategy !== 'timestamp' && strategy !== 'check') {
    fail('strategy', `strategy '${String(strategy)}' is not supported`, "Use strategy='timestamp' (rows stamped by an updated_at column) or strategy='check' (rows compared on check_cols); custom strategy macros are not run.");
  }
  const key = config.unique_key;
  if (key === undefined || key === null || key === '' || (Array.isArray(key) && key.length === 0)) {
    fail('unique_key', "unique_key is not set: a snapshot needs a 'strategy' and a 'unique_key'", "Set unique_key to the column that identifies a row, or a list of columns: unique_key=['id', 'region'].");
  }
  if (typeof key !== 'string' && !isStringList(key)) {
    fail('unique_key', `unique_key must be a column or a list of columns, got ${JSON.stringify(key)}`, "Write unique_key='id' or unique_key=['id', 'region'].");
  }
  const uniqueKey = typeof key === 'string' ? [key] : (key as string[]);

  const updatedAt = config.updated_at;
  if (updatedAt !== undefined && updatedAt !== null && (typeof updatedAt !== 'string' || !updatedAt.trim())) {
    fail('updated_at', `updated_at must name a column, got ${JSON.stringify(updatedAt)}`, "Write updated_at='updated_at', the column that changes when the row does.");
  }
  const checkCols = config.check_cols;
  let check: SnapshotSpec['checkCols'];
  if (strategy === 'timestamp') {
    if (!updatedAt) fail('updated_at', 'the timestamp strategy needs updated_at', "Set updated_at to the column stamped when a row changes, or use strategy='check' with check_cols.");
    if (checkCols !== undefined && checkCols !== null) fail('check_cols', "a 'timestamp' snapshot should not have 'check_cols'", "Remove check_cols, or use strategy='check'.");
  } else {
    if (checkCols === undefined || checkCols === null || checkCols === '') {
      fail('check_cols', 'the check strategy needs check_cols', "Set check_cols to the columns to compare (a list), or 'all'.");
    }
    if (typeof checkCols === 'string') {
      if (checkCols !== 'all') fail('check_cols', `invalid value for 'check_cols': ${checkCols}`, "Expected 'all' or a list of columns: check_cols=['status', 'amount'].");
      check = 'all';
    } else if (isStringList(checkCols)) check = checkCols;
    else fail('check_cols', `check_cols must be 'all' or a list of columns, got ${JSON.stringify(checkCols)}`, "Write check_cols=['status', 'amount'] or check_cols='all'.");
  }

  const legacy = config.invalidate_hard_deletes;
  const hard = config.hard_deletes;
  if (legacy !== undefined && legacy !== null && hard !== undefined && hard !== null) {
    fail('hard_deletes', 'both invalidate_hard_deletes and hard_deletes are set', "Keep hard_deletes (ignore, invalidate or new_record); invalidate_hard_deletes=true is the older spelling of hard_deletes='invalidate'.");
  }
  if (legacy !== undefined && legacy !== null && typeof legacy !== 'boolean') {
    fail('invalidate_hard_deletes', `invalidate_hard_deletes must be true or false, got ${JSON.stringify(legacy)}`, "Use hard_deletes='invalidate' instead.");
  }
  if (hard !== undefined && hard !== null && !HARD_DELETES.includes(hard as HardDeletes)) {
    fail('hard_deletes', `invalid setting for hard_deletes: ${JSON.stringify(hard)}`, `Use one of ${HARD_DELETES.join(', ')}.`);
  }
  const hardDeletes: HardDeletes = legacy === true ? 'invalidate' : ((hard as HardDeletes | undefined) ?? 'ignore');

  const names = config.snapshot_meta_column_names;
  const columnNames: SnapshotColumnNames = { dbt_valid_from: 'dbt_valid_from', dbt_valid_to: 'dbt_valid_to', dbt_scd_id: 'dbt_scd_id', dbt_updated_at: 'dbt_updated_at', dbt_is_deleted: 'dbt_is_deleted' };
  if (names !== undefined && names !== null) {
    if (typeof names !== 'object' || Array.isArray(names)) {
      fail('snapshot_meta_column_names', 'snapshot_meta_column_names must map meta columns to names', 'Write snapshot_meta_column_names: {dbt_valid_from: valid_from, dbt_valid_to: valid_to}.');
    }
    for (const [meta, column] of Object.entries(names as Record<string, unknown>)) {
      if (!COLUMN_NAMES.includes(meta as keyof SnapshotColumnNames)) {
        fail('snapshot_meta_column_names', `snapshot_meta_column_names has no column '${meta}'`, `Rename one of ${COLUMN_NAMES.join(', ')}.`);
      }
      if (column === null || column === undefined) continue;
      if (typeof column !== 'string' || !column.trim()) fail('snapshot_meta_column_names', `snapshot_meta_column_names.${meta} must be a column name`, `Write ${meta}: my_${meta.replace(/^dbt_/, '')}.`);
      columnNames[meta as keyof SnapshotColumnNames] = column as string;
    }
  }
  const validToCurrent = config.dbt_valid_to_current;
  if (validToCurrent !== undefined && validToCurrent !== null && (typeof validToCurrent !== 'string' || !validToCurrent.trim())) {
    fail('dbt_valid_to_current', `dbt_valid_to_current must be SQL for a timestamp, got ${JSON.stringify(validToCurrent)}`, "Write dbt_valid_to_current: \"'9999-12-31'::timestamp\".");
  }
  return {
    strategy,
    uniqueKey,
    updatedAt: updatedAt ? (updatedAt as string) : undefined,
    checkCols: check,
    hardDeletes,
    columnNames,
    validToCurrent: validToCurrent ? (validToCurrent as string) : undefined,
  };
}
