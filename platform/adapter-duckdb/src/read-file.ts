/** Quotes a string literal for DuckDB. */
function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A file a source reads in place, as dbt-duckdb reads external_location: a reader call written out is
 * used as it is; a path or glob gets DuckDB's reader for its extension (CSV, Parquet, JSON).
 */
export function readFileSql(location: string): string {
  if (/^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(/.test(location)) return location.trim();
  const path = location.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (path.endsWith('.parquet')) return `read_parquet(${quoteString(location)})`;
  if (path.endsWith('.csv') || path.endsWith('.tsv') || path.endsWith('.txt')) return `read_csv_auto(${quoteString(location)})`;
  if (path.endsWith('.json') || path.endsWith('.ndjson') || path.endsWith('.jsonl')) return `read_json_auto(${quoteString(location)})`;
  // Other names (a table function's own syntax, an extension's format) are left to DuckDB's replacement scan.
  return quoteString(location);
}
