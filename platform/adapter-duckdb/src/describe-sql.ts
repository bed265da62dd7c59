import type { RelationName } from '@mesh/engine';
import { lit, q, rel } from './materialize-sql';

/** DuckDB's catalog queries for catalog.json and source freshness. */

/** The relations asked for, as a VALUES list to join the catalog functions with. */
export function wantedRelations(relations: RelationName[]): string {
  return `(VALUES ${relations.map((r) => `(${lit(r.database.toLowerCase())}, ${lit(r.schema.toLowerCase())}, ${lit(r.identifier.toLowerCase())})`).join(', ')}) AS w(d, s, t)`;
}

export function columnsSql(relations: RelationName[]): string {
  return `SELECT c.database_name AS d, c.schema_name AS s, c.table_name AS t, c.column_name AS name, c.data_type AS type, c.column_index AS idx, c.comment
    FROM duckdb_columns() c JOIN ${wantedRelations(relations)} ON lower(c.database_name) = w.d AND lower(c.schema_name) = w.s AND lower(c.table_name) = w.t
    ORDER BY c.database_name, c.schema_name, c.table_name, c.column_index`;
}

export function relationsSql(relations: RelationName[]): string {
  const wanted = wantedRelations(relations);
  return `SELECT database_name AS d, schema_name AS s, table_name AS t, 'table' AS kind, comment FROM duckdb_tables() x JOIN ${wanted} ON lower(x.database_name) = w.d AND lower(x.schema_name) = w.s AND lower(x.table_name) = w.t
    UNION ALL
    SELECT database_name, schema_name, view_name, 'view', comment FROM duckdb_views() x JOIN ${wanted} ON lower(x.database_name) = w.d AND lower(x.schema_name) = w.s AND lower(x.view_name) = w.t WHERE NOT x.internal`;
}

/** Bytes a value of a fixed-width type takes; undefined for variable-width types (strings, blobs, nested). */
function fixedWidth(type: string): number | undefined {
  const t = type.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*\d+\)$/.exec(t);
  if (decimal) {
    const p = Number(decimal[1]);
    return p <= 4 ? 2 : p <= 9 ? 4 : p <= 18 ? 8 : 16;
  }
  const widths: Record<string, number> = {
    BOOLEAN: 1, TINYINT: 1, UTINYINT: 1, SMALLINT: 2, USMALLINT: 2, INTEGER: 4, UINTEGER: 4, BIGINT: 8, UBIGINT: 8, HUGEINT: 16, UHUGEINT: 16,
    FLOAT: 4, DOUBLE: 8, DATE: 4, TIME: 8, TIMESTAMP: 8, 'TIMESTAMP WITH TIME ZONE': 8, TIMESTAMP_S: 8, TIMESTAMP_MS: 8, TIMESTAMP_NS: 8, UUID: 16, INTERVAL: 16,
  };
  return widths[t];
}

export const BYTES_MEANING = "The table's data uncompressed: fixed-width values plus every string's bytes (DuckDB stores it compressed).";

/**
 * One SELECT per table giving its row count and the bytes of its data, unioned: the strings' lengths
 * are summed in the database, the fixed-width columns are the row count times their width.
 */
export function statsSql(tables: Array<{ relation: RelationName; key: string; columns: Array<{ name: string; type: string }> }>): string {
  return tables
    .map(({ relation, key, columns }) => {
      const fixed = columns.reduce((sum, c) => sum + (fixedWidth(c.type) ?? 0), 0);
      const variable = columns.filter((c) => fixedWidth(c.type) === undefined).map((c) => `coalesce(sum(strlen(CAST(${q(c.name)} AS VARCHAR))), 0)`);
      const bytes = [`count(*) * ${fixed}`, ...variable].join(' + ');
      return `SELECT ${lit(key)} AS k, count(*) AS n, CAST(${bytes} AS BIGINT) AS b FROM ${rel(relation)}`;
    })
    .join('\nUNION ALL\n');
}

/**
 * The newest load time of a freshness query and the database's now, as milliseconds since the epoch.
 * A TIMESTAMP without a zone counts as UTC, as dbt reads it; DATE and TIMESTAMPTZ values are exact.
 */
export function loadedAtSql(maxLoadedAt: string): string {
  return `SELECT epoch_ms((${maxLoadedAt})) AS max_loaded_at_ms, epoch_ms(now()) AS now_ms`;
}
