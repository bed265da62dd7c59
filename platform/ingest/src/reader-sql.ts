import { quoteIdent, quoteString } from '@mesh/engine';
import type { SourceConfig } from './config';

const structOf = (entries: Array<[string, string]>) => `{${entries.map(([k, v]) => `${quoteString(k)}: ${quoteString(v)}`).join(', ')}}`;

/**
 * The DuckDB table function that reads one file of a source. CSV gets an explicit dialect (comma,
 * double quotes, a header) rather than a sniffed one: a sniffer that guesses a different dialect for a
 * broken file reads it "successfully" as one wide column, where a fixed dialect fails on the broken line.
 * Types are still inferred per column, and `types:` overrides them.
 */
export function readerSql(source: SourceConfig, file: string, override?: { columns: string[] }): string {
  const f = quoteString(file);
  switch (source.loader) {
    case 'csv': {
      const o = source.csv ?? { delimiter: ',', header: true, quote: '"', escape: '"', skip: 0 };
      const args = [
        f,
        `header = ${o.header}`,
        `delim = ${quoteString(o.delimiter)}`,
        `quote = ${quoteString(o.quote)}`,
        `escape = ${quoteString(o.escape)}`,
        `skip = ${o.skip}`,
        ...(o.null_string !== undefined ? [`nullstr = ${quoteString(o.null_string)}`] : []),
        ...(o.date_format ? [`dateformat = ${quoteString(o.date_format)}`] : []),
        ...(o.timestamp_format ? [`timestampformat = ${quoteString(o.timestamp_format)}`] : []),
      ];
      // Reading every column as text with the sniffer off finds the line a file breaks on when the
      // sniffer itself gives up on the file (it reports no line).
      if (override) args.push('auto_detect = false', `columns = ${structOf(override.columns.map((c) => [c, 'VARCHAR']))}`);
      else if (source.types) args.push(`types = ${structOf(Object.entries(source.types))}`);
      return `read_csv(${args.join(', ')})`;
    }
    case 'json':
      return withTypes(`read_json(${f}, format = 'auto')`, source.types);
    case 'ndjson':
      return withTypes(`read_json(${f}, format = 'newline_delimited')`, source.types);
    case 'parquet':
      return withTypes(`read_parquet(${f})`, source.types);
  }
}

/** Readers without a `types` argument get the overrides as casts, which DuckDB applies while reading. */
function withTypes(reader: string, types: Record<string, string> | undefined): string {
  if (!types || !Object.keys(types).length) return reader;
  const casts = Object.entries(types).map(([c, t]) => `CAST(${quoteIdent(c)} AS ${t}) AS ${quoteIdent(c)}`);
  return `(SELECT * REPLACE (${casts.join(', ')}) FROM ${reader})`;
}
