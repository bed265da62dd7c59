import type { IngestFileSpec } from '@mesh/engine';

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const lit = (value: string) => `'${value.replaceAll("'", "''")}'`;
const structOf = (entries: Array<[string, string]>) => `{${entries.map(([k, v]) => `${lit(k)}: ${lit(v)}`).join(', ')}}`;

/**
 * The DuckDB table function that reads one file for `mesh ingest`. CSV gets an explicit dialect (comma,
 * double quotes, a header) rather than a sniffed one: a sniffer that guesses a different dialect for a
 * broken file reads it "successfully" as one wide column, where a fixed dialect fails on the broken line.
 * Types are still inferred per column, and `types` overrides them.
 */
export function ingestReaderSql(spec: IngestFileSpec): string {
  const f = lit(spec.file);
  switch (spec.format) {
    case 'csv': {
      const o = spec.csv ?? { delimiter: ',', header: true, quote: '"', escape: '"', skip: 0 };
      const args = [
        f,
        `header = ${o.header}`,
        `delim = ${lit(o.delimiter)}`,
        `quote = ${lit(o.quote)}`,
        `escape = ${lit(o.escape)}`,
        `skip = ${o.skip}`,
        ...(o.nullString !== undefined ? [`nullstr = ${lit(o.nullString)}`] : []),
        ...(o.dateFormat ? [`dateformat = ${lit(o.dateFormat)}`] : []),
        ...(o.timestampFormat ? [`timestampformat = ${lit(o.timestampFormat)}`] : []),
      ];
      // Reading every column as text with the sniffer off finds the line a file breaks on when the
      // sniffer itself gives up on the file (it reports no line).
      if (spec.textColumns) args.push('auto_detect = false', `columns = ${structOf(spec.textColumns.map((c) => [c, 'VARCHAR']))}`);
      else if (spec.types) args.push(`types = ${structOf(Object.entries(spec.types))}`);
      return `read_csv(${args.join(', ')})`;
    }
    case 'json':
      return withTypes(`read_json(${f}, format = 'auto')`, spec.types);
    case 'ndjson':
      return withTypes(`read_json(${f}, format = 'newline_delimited')`, spec.types);
    case 'parquet':
      return withTypes(`read_parquet(${f})`, spec.types);
  }
}

/** Readers without a `types` argument get the overrides as casts, which DuckDB applies while reading. */
function withTypes(reader: string, types: Record<string, string> | undefined): string {
  if (!types || !Object.keys(types).length) return reader;
  const casts = Object.entries(types).map(([c, t]) => `CAST(${q(c)} AS ${t}) AS ${q(c)}`);
  return `(SELECT * REPLACE (${casts.join(', ')}) FROM ${reader})`;
}
