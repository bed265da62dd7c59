import { extname, isAbsolute, join } from 'node:path';
import { MeshError, type SourceLocation } from '@mesh/errors';
import type { ExternalSpec } from '../execute/adapter';

const FORMATS = ['parquet', 'csv', 'json'] as const;
const COMPRESSION: Record<string, string> = { '.gz': 'gzip', '.zst': 'zstd' };

export interface ExternalContext {
  /** The relation's identifier, which names the default file. */
  identifier: string;
  /** The folder default locations go in (dbt-duckdb's `external_root`). */
  externalRoot: string;
  /** Relative locations resolve here, as dbt-duckdb resolves them against the folder it runs in. */
  cwd: string;
  locate(key: string): SourceLocation;
  warn(error: MeshError): void;
}

function scalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * dbt-duckdb's external materialization configs as it reads them: `location` (default
 * `<external_root>/<identifier>.<format>`), `format` (else the location's extension, else csv when a
 * delimiter is set, else parquet), `delimiter`, and `options` for COPY (`partition_by` among them).
 */
export function externalSpec(config: Record<string, unknown>, ctx: ExternalContext): ExternalSpec {
  function fail(key: string, message: string, hint: string): never {
    throw new MeshError('E_EXTERNAL_CONFIG', `external model ${ctx.identifier}: ${message}`, { location: ctx.locate(key), hint });
  }
  const rawOptions = config.options ?? {};
  if (typeof rawOptions !== 'object' || rawOptions === null || Array.isArray(rawOptions)) {
    fail('options', 'options must be a mapping of COPY options', "Write options={'partition_by': 'region', 'compression': 'zstd'}.");
  }
  const options: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(rawOptions as Record<string, unknown>)) {
    if (!scalar(value)) fail('options', `options.${key} must be text, a number or a boolean`, `Write options={'${key}': '...'}.`);
    options[key] = value as string | number | boolean;
  }
  if (config.partition_by !== undefined && options.partition_by === undefined) {
    ctx.warn(new MeshError('W_EXTERNAL_CONFIG', `external model ${ctx.identifier}: partition_by outside options is ignored, as dbt-duckdb ignores it`, {
      location: ctx.locate('partition_by'),
      hint: "Write options={'partition_by': '...'} to write one folder per value.",
    }));
  }
  const partitionText = options.partition_by === undefined ? undefined : String(options.partition_by);
  delete options.partition_by;
  const partitionBy = partitionText === undefined ? [] : partitionText.replace(/^\s*\(|\)\s*$/g, '').split(',').map((c) => c.trim()).filter(Boolean);
  if (partitionText !== undefined && !partitionBy.length) fail('options', 'options.partition_by names no column', "Write options={'partition_by': 'region'} or 'region, day'.");

  const delimiterValue = config.delimiter ?? options.delimiter;
  delete options.delimiter;
  const delimiter = delimiterValue === undefined || delimiterValue === null ? undefined : String(delimiterValue);
  const declared = config.format ?? options.format;
  delete options.format;
  if (declared !== undefined && declared !== null && !(FORMATS as readonly string[]).includes(String(declared).toLowerCase())) {
    fail('format', `format '${String(declared)}' is not one dbt-duckdb writes`, `Use one of ${FORMATS.join(', ')}.`);
  }

  const rawLocation = config.location;
  if (rawLocation !== undefined && rawLocation !== null && (typeof rawLocation !== 'string' || !rawLocation.trim())) {
    fail('location', `location must be a path, got ${JSON.stringify(rawLocation)}`, "Write location='output/orders.parquet'.");
  }
  if (typeof rawLocation === 'string' && /^[a-z0-9]+:\/\//i.test(rawLocation)) {
    fail('location', `location ${rawLocation} is remote; the engine writes local files only`, 'Write to a local path; copy the files to object storage after the build.');
  }
  const location = typeof rawLocation === 'string'
    ? rawLocation
    : `${ctx.externalRoot.replace(/\/+$/, '')}/${ctx.identifier}${partitionBy.length ? '' : `.${String(declared ?? 'parquet').toLowerCase()}`}`;

  let format = declared === undefined || declared === null ? undefined : String(declared).toLowerCase();
  if (!format) {
    let ext = extname(location).toLowerCase();
    const compression = COMPRESSION[ext];
    if (compression) {
      ext = extname(location.slice(0, -ext.length)).toLowerCase();
      if (options.compression === undefined) options.compression = compression;
    }
    format = ext ? ext.slice(1) : delimiter !== undefined ? 'csv' : 'parquet';
    if (!(FORMATS as readonly string[]).includes(format)) {
      fail('location', `location ${location} ends in .${format}, not a format dbt-duckdb writes`, `Name the file .parquet, .csv or .json, or set format to one of ${FORMATS.join(', ')}.`);
    }
  }
  if (delimiter !== undefined && format !== 'csv') {
    fail('delimiter', `delimiter is set, but the model is written as ${format}`, `Set format='csv' (a delimiter is CSV's), or name the file .csv in location.`);
  }
  return {
    location: isAbsolute(location) ? location : join(ctx.cwd, location),
    format: format as ExternalSpec['format'],
    partitionBy,
    delimiter,
    options,
  };
}
