import type { ExternalSpec } from '@mesh/engine';
import { lit, q } from './materialize-sql';

/** COPY options that take text, quoted as dbt-duckdb quotes them. */
const TEXT_OPTIONS = new Set(['delimiter', 'quote', 'escape', 'null']);

/**
 * The options of the COPY that writes an external model, as dbt-duckdb renders them: the format, a
 * header for CSV, the partition columns in parentheses, then the model's own `options`.
 */
export function copyOptions(spec: ExternalSpec): string {
  const options: Record<string, string | number | boolean> = { ...spec.options, format: spec.format };
  if (spec.delimiter !== undefined) options.delimiter = spec.delimiter;
  if (spec.format === 'csv' && !Object.keys(options).some((k) => k.toLowerCase() === 'header')) options.header = 1;
  if (spec.partitionBy.length) options.partition_by = `(${spec.partitionBy.map(q).join(', ')})`;
  return Object.entries(options)
    .map(([key, value]) => {
      const text = String(value);
      return TEXT_OPTIONS.has(key.toLowerCase()) && !text.startsWith("'") ? `${key} ${lit(text)}` : `${key} ${text}`;
    })
    .join(', ');
}

/** Where the view reads the files back: the file itself, or a glob over the partition folders. */
export function readLocation(spec: ExternalSpec): string {
  if (!spec.partitionBy.length && !spec.options.per_thread_output) return spec.location;
  return `${[spec.location, '*', ...spec.partitionBy.map(() => '*')].join('/')}.${spec.format}`;
}

/**
 * The view over an external model's files, read with DuckDB's reader for the format. A model that
 * returned no rows is written as one row of nulls (an empty file has no columns to read back), which the
 * view filters out.
 */
export function externalViewSql(spec: ExternalSpec, location: string, emptyColumns: string[] | undefined): string {
  // DuckDB finds a compression from a lower-case extension only: the write's compression is passed on.
  const compression = spec.format !== 'parquet' && spec.options.compression !== undefined ? `, compression = ${lit(String(spec.options.compression))}` : '';
  const reader = spec.format === 'parquet'
    ? `read_parquet(${lit(location)}, union_by_name = false)`
    : `read_${spec.format}(${lit(location)}, auto_detect = true${compression})`;
  const where = emptyColumns ? ` where ${['1', ...emptyColumns.map((c) => `${q(c)} is not null`)].join(' and ')}` : '';
  return `select * from ${reader}${where}`;
}
