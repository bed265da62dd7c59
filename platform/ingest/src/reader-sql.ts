import type { EngineDialect, IngestFileSpec } from '@mesh/engine';
import type { SourceConfig } from './config';

/** Reads one file of a source, in the SQL of the engine the domain builds on. */
export type FileReader = NonNullable<EngineDialect['readIngestFile']>;

/** What the engine's reader is asked for: the source's format, CSV dialect and type overrides. */
export function ingestFileSpec(source: SourceConfig, file: string, override?: { columns: string[] }): IngestFileSpec {
  const csv = source.csv && {
    delimiter: source.csv.delimiter, header: source.csv.header, quote: source.csv.quote, escape: source.csv.escape, skip: source.csv.skip,
    nullString: source.csv.null_string, dateFormat: source.csv.date_format, timestampFormat: source.csv.timestamp_format,
  };
  return { file, format: source.loader, csv, types: source.types, textColumns: override?.columns };
}
