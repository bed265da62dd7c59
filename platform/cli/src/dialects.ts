import type { MacroDialect } from '@mesh/engine';
import { duckdbDialect } from '@mesh/adapter-duckdb/macro-dialect';
import { postgresDialect } from '@mesh/adapter-postgres/macro-dialect';
import { trinoDialect } from '@mesh/adapter-trino/macro-dialect';

/**
 * The spellings of dbt's macros for the target's engine, from its adapter package. Only the dialect modules
 * are loaded here: compiling needs no database driver.
 */
export function dialectFor(targetType: string): MacroDialect | undefined {
  if (targetType === 'duckdb') return duckdbDialect;
  if (targetType === 'postgres') return postgresDialect;
  if (targetType === 'trino') return trinoDialect;
  return undefined;
}
