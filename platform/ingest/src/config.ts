import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseAndValidate } from '@mesh/governance';

/**
 * `ingest.yml` in a domain folder: the files the domain loads into bronze (`sources:`), when the
 * scheduler runs it (`schedule:`) and where failures are reported (`alerts:`). Strict objects, so a
 * misspelled key is an error with its line rather than an option silently not applied.
 */
export const INGEST_FILE = 'ingest.yml';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a name of letters, digits and underscores');

const csvOptionsSchema = z.strictObject({
  delimiter: z.string().min(1).default(','),
  header: z.boolean().default(true),
  quote: z.string().max(1).default('"'),
  escape: z.string().max(1).default('"'),
  /** Lines to skip before the header. */
  skip: z.number().int().nonnegative().default(0),
  null_string: z.string().optional(),
  date_format: z.string().optional(),
  timestamp_format: z.string().optional(),
});

export type CsvOptions = z.output<typeof csvOptionsSchema>;

export const sourceSchema = z.strictObject({
  name: identifier,
  description: z.string().optional(),
  loader: z.enum(['csv', 'json', 'ndjson', 'parquet']),
  /** A file, a folder or a glob, relative to the domain folder; `${VAR}` and `${VAR:-default}` read the environment. */
  path: z.string().min(1),
  /** `schema.table` in the domain's database; `bronze.<name>` when left out. */
  target: z.string().regex(/^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$/, 'expected table or schema.table').optional(),
  on_schema_change: z.enum(['fail', 'add_columns']).default('fail'),
  csv: csvOptionsSchema.optional(),
  /** Column types that override what the reader infers, e.g. `{zip: VARCHAR}`. */
  types: z.record(z.string(), z.string()).optional(),
});

export type SourceConfig = z.output<typeof sourceSchema>;

export const scheduleSchema = z.strictObject({
  /** Five or six fields (seconds first), as croner reads them: `0 6 * * *`, `*\/15 * * * *`. */
  cron: z.string().min(1),
  /** IANA name (`Europe/Amsterdam`); the machine's zone when left out. */
  timezone: z.string().optional(),
  /** Run once at start when a scheduled time passed while the scheduler was down. */
  catch_up: z.boolean().default(false),
});

export type ScheduleConfig = z.output<typeof scheduleSchema>;

export const alertsSchema = z.strictObject({
  /** Where a JSON payload is POSTed; `${VAR}` reads the environment, so a secret URL stays out of git. */
  webhook: z.string().min(1),
  on: z.array(z.enum(['failure', 'slo_breach'])).default(['failure', 'slo_breach']),
  /** Attempts after the first, on network errors, 429 and 5xx answers. */
  retries: z.number().int().min(0).max(10).default(3),
});

export type AlertsConfig = z.output<typeof alertsSchema>;

export const ingestFileSchema = z
  .strictObject({
    sources: z.array(sourceSchema).default([]),
    schedule: scheduleSchema.optional(),
    alerts: alertsSchema.optional(),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.sources.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `source '${s.name}' is declared twice (first as sources[${seen.get(s.name)}])` });
      seen.set(s.name, i);
    });
    const targets = new Map<string, string>();
    file.sources.forEach((s, i) => {
      const t = targetOf(s).key;
      if (targets.has(t)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'target'], message: `sources '${targets.get(t)}' and '${s.name}' load the same table ${t}; give each its own target` });
      targets.set(t, s.name);
    });
  });

export type IngestFile = z.output<typeof ingestFileSchema>;

/** A validated `ingest.yml`, with where it is and the line of each entry, for errors found later. */
export interface DomainOperations extends IngestFile {
  file: string;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export function parseIngestFile(file: string, text: string): DomainOperations {
  const { data, lineOf } = parseAndValidate(file, text, ingestFileSchema, {
    what: INGEST_FILE,
    hint: `See "Ingestion, scheduling and runs" in the README for the keys of ${INGEST_FILE}.`,
  });
  return { ...data, file, lineOf };
}

/** The domain's `ingest.yml`, or undefined when the domain has none (it ingests and schedules nothing). */
export function loadIngestFile(projectRoot: string): DomainOperations | undefined {
  const path = join(projectRoot, INGEST_FILE);
  return existsSync(path) ? parseIngestFile(path, readFileSync(path, 'utf8')) : undefined;
}

export interface TargetTable {
  schema: string;
  table: string;
  /** `schema.table`, as written in messages and the metadata database. */
  key: string;
}

export function targetOf(source: Pick<SourceConfig, 'name' | 'target'>): TargetTable {
  const [schema, table] = source.target?.includes('.') ? source.target.split('.') as [string, string] : ['bronze', source.target ?? source.name];
  return { schema, table, key: `${schema}.${table}` };
}
