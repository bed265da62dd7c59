import type { z } from 'zod';
import type { MeshError } from '@mesh/errors';
import type { Adapter, AdapterCapabilities, RelationName } from '../execute/adapter';
import type { ProjectFile } from '../load/schemas';
import type { ExternalSourceMode, RelationStyle, ResolvedTarget } from '../parse/target';
import type { MacroDialect } from '../jinja/macro-api';

/**
 * What the engine needs to know about a database it builds on, given by the engine's adapter package
 * and registered once (see registerEngine). The engine itself names no database: every choice that
 * depends on one (which keys a target takes, how relations are named, how a file is read in place,
 * what an error message means, how to open a connection) is asked of the target's plugin.
 */

/** What a database error means for the user, as the engine's dialect reads its own message. */
export type DatabaseErrorClass =
  | { kind: 'missing-file'; path: string }
  | { kind: 'missing-relation'; name: string }
  | { kind: 'missing-column'; column: string }
  | { kind: 'conversion' }
  | { kind: 'constraint' }
  | { kind: 'syntax' };

/** A file `mesh ingest` loads, as the engine's file reader is asked for it. */
export interface IngestFileSpec {
  file: string;
  format: 'csv' | 'json' | 'ndjson' | 'parquet';
  /** A CSV's dialect, fixed rather than sniffed. */
  csv?: { delimiter: string; header: boolean; quote: string; escape: string; skip: number; nullString?: string; dateFormat?: string; timestampFormat?: string };
  /** Column types that override what the reader infers. */
  types?: Record<string, string>;
  /** Read exactly these columns, all as text, with type inference off (to find the line a file breaks on). */
  textColumns?: string[];
}

/** The engine's SQL and message texts the shared code needs (Malloy's Dialect, in small). */
export interface EngineDialect {
  /**
   * The SQL that reads a file in place for a source's `external_location` (a path, a glob, or a reader
   * call written out). Required when the engine's targets read files (`externalSources: 'read'`).
   */
  readFile?(location: string): string;
  /** A relation expression reading one file for `mesh ingest`; required when `capabilities.ingest`. */
  readIngestFile?(spec: IngestFileSpec): string;
  /** What an error the database raised means, or undefined for one it does not recognise. */
  classifyError(message: string): DatabaseErrorClass | undefined;
  /** Its spellings of dbt's macros (`duckdb__dateadd`, ...); dbt's defaults where it has none. */
  macros?: MacroDialect;
}

/** Where a target's relative paths start and what the project around it says. */
export interface TargetContext {
  /** The target's name (`dev`, `ci`, ...). */
  name: string;
  project: ProjectFile;
  /** The project's folder, absolute. */
  root: string;
  /** Where a file database of this project lives by default: `<target-path>/<project>.duckdb`, absolute. */
  defaultPath: string;
}

/** The part of a resolved target the plugin decides; the engine adds name, source and quoting. */
export interface EngineTarget<Options> {
  /** Absolute path of the target's database file, for engines that keep one. */
  path?: string;
  /** The catalog relations are quoted with. */
  database: string;
  /** The schema nodes build into by default (dbt's `target.schema`). */
  schema?: string;
  threads: number;
  relations: RelationStyle;
  externalSources: ExternalSourceMode;
  /** Where external models without a location write their files (dbt-duckdb's `external_root`). */
  externalRoot?: string;
  /** Keys of the target's configuration the engine does not use, said as warnings. */
  notes?: MeshError[];
  /** The engine's own settings for opening it (connection, credentials' variable, files). */
  options: Options;
}

/** A dbt `profiles.yml` output type the engine builds (dbt-duckdb's `type: duckdb`). */
export interface ProfileSupport<Output extends z.ZodType, Options> {
  /** The output's schema; loose, so that keys the engine does not use are warned about rather than refused. */
  outputSchema: Output;
  /** The keys of an output it reads; the others are named in one warning. */
  keys: readonly string[];
  resolve(output: z.output<Output>, context: { name: string; cwd: string }): EngineTarget<Options>;
}

/** Tables of one engine's shares, copied into a file a consumer on a file engine attaches. */
export interface ShareImport {
  /** The consumer's own target on the producer's engine: the user the share is read as. */
  target: ResolvedTarget;
  relations: Array<{ from: RelationName; into: { schema: string; identifier: string } }>;
  /** The database file to write, absolute. */
  destination: string;
}

export interface EngineCapabilities extends AdapterCapabilities {
  /**
   * Its shares can be copied into a database file a consumer on another engine attaches (`importShare`):
   * Trino's, read as the consumer's own Trino user and written to a DuckDB file.
   */
  shareImport: boolean;
  /** `mesh ingest` loads files into its tables, read with the dialect's `readIngestFile`. */
  ingest: boolean;
}

export interface OpenOptions {
  readOnly?: boolean;
}

export interface EnginePlugin<Schema extends z.ZodObject = z.ZodObject, Options = unknown> {
  /** The `type:` of its targets, the manifests' `adapter_type`, dbt's `target.type`. */
  readonly type: string;
  /** Its name in messages: `DuckDB`, `PostgreSQL`, `Trino`. */
  readonly title: string;
  /** Where a domain's data lives on it, for messages: `a DuckDB file`, `a PostgreSQL server`. */
  readonly place: string;
  /** A target's keys under `targets:`; `type` must be `z.literal(type)`. */
  readonly targetSchema: Schema;
  readonly capabilities: EngineCapabilities;
  readonly dialect: EngineDialect;
  /** The target a project file's configuration names. */
  resolveTarget(config: z.output<Schema>, context: TargetContext): EngineTarget<Options>;
  /** A dbt profile output it builds, for dbt projects with a `profiles.yml`. */
  readonly profile?: ProfileSupport<z.ZodType, Options>;
  /**
   * Opens the database; loaded on demand, so that compiling never loads a database's bindings.
   * `readOnly` asks for a connection that changes nothing (a file engine opens its file read-only).
   */
  open(target: ResolvedTarget, options: Options, how?: OpenOptions): Promise<Adapter>;
  /**
   * The database for reading while compiling, when it is there (a file that exists, a server that
   * answers soon); undefined otherwise. Never creates a database.
   */
  openExisting(target: ResolvedTarget, options: Options): Promise<Adapter | undefined>;
  /** The target in the run's header: `target/sales.duckdb`, `postgres db:5432/mesh`. */
  describe(target: ResolvedTarget, options: Options, cwd: string): string;
  /**
   * The database a build journal belongs to: the same for every process that builds into it, and
   * different for two databases (a journal of one is never trusted for another).
   */
  identity(target: ResolvedTarget, options: Options): string;
  /** Copies granted share tables to a database file (see `capabilities.shareImport`). */
  importShare?(share: ShareImport, options: Options): Promise<void>;
}

/** A dialect's message patterns, each with the class a match means, tried in order. */
export type ErrorPatterns = ReadonlyArray<readonly [RegExp, (match: RegExpExecArray) => DatabaseErrorClass]>;

/** The class of the first pattern a message matches (a dialect's `classifyError` over its own texts). */
export function classifyByPatterns(patterns: ErrorPatterns, message: string): DatabaseErrorClass | undefined {
  for (const [pattern, kind] of patterns) {
    const m = pattern.exec(message);
    if (m) return kind(m);
  }
  return undefined;
}
