import type { ExternalSpec, SnapshotSpec } from '../types';

export type { ExternalSpec };

/**
 * The engine talks to a database only through this interface. Dialect (how to swap a table atomically,
 * how to read a CSV, how types are spelled) lives in the adapter; the engine decides what to build.
 */

import type { StatementAnswer } from '../jinja/introspection';

export interface RelationName {
  database: string;
  schema: string;
  identifier: string;
}

/**
 * How a personal-data column is published: hashed (an HMAC-SHA256 under the producer's secret key, so
 * it joins across the producer's ports but cannot be looked up), redacted, or emptied.
 */
export type MaskMethod = 'hash' | 'redact' | 'null';

/** What a publication needs beyond the relations: the producer's secret key for `hash` masking. */
export interface PublishOptions {
  /** 32 bytes; required when a relation masks a column by `hash`. */
  maskingKey?: Uint8Array;
}

/** A relation to publish, with the columns to mask, and those to leave out, on the way out. */
export interface PublishRelation extends RelationName {
  masks?: Array<{ column: string; method: MaskMethod }>;
  withheld?: string[];
}

export interface ColumnInfo {
  name: string;
  type: string;
}

/** A column as an enforced contract declares it, with its constraints, for the table's DDL. */
export interface ContractColumn {
  name: string;
  type: string;
  notNull: boolean;
  unique: boolean;
  primaryKey: boolean;
  checks: string[];
}

export type MaterializePlan =
  | { kind: 'view'; relation: RelationName; sql: string }
  | { kind: 'table'; relation: RelationName; sql: string; contract?: ContractColumn[] }
  | {
      kind: 'incremental';
      relation: RelationName;
      sql: string;
      strategy: 'append' | 'merge' | 'delete+insert';
      uniqueKey: string[];
      contract?: ContractColumn[];
    }
  | {
      kind: 'seed';
      relation: RelationName;
      /** Absolute path of the CSV file. */
      path: string;
      /** The path as the user knows it (`seeds/raw_customers.csv`), for errors. */
      file?: string;
      /** Types given by `column_types`, by column name; the others are inferred as dbt infers them. */
      columnTypes: Record<string, string>;
      /** The field separator (`delimiter`; a comma by default). */
      delimiter?: string;
      /** Quote the column names in the table's DDL (`quote_columns`; true by default, as in dbt). */
      quoteColumns?: boolean;
    }
  /**
   * A snapshot: the first build creates the history table from the query; later builds close the
   * versions that changed or went away and add the new ones, in one transaction.
   */
  | { kind: 'snapshot'; relation: RelationName; sql: string; snapshot: SnapshotSpec }
  /** Rows written to files (dbt-duckdb's external materialization) and a view over them. */
  | { kind: 'external'; relation: RelationName; sql: string; external: ExternalSpec };

/** A file an adapter loads into a table (an `external_location` source on a server engine). */
export interface StagedFile {
  relation: RelationName;
  path: string;
}

/** Where an in-database share goes and who may read it. */
/** A view of a share database over a published data file. */
export interface ShareView extends Pick<RelationName, 'schema' | 'identifier'> {
  /** The data file, as the view names it: relative to the folder readers resolve it against. */
  file: string;
  /** The columns as the engine types them, from `publishFile`: the view gives these types. */
  columns: ColumnInfo[];
}

export interface ShareTarget {
  /** The schema that holds the share's views; replaced as a whole. */
  schema: string;
  /** The consumer domain or role granted the share; undefined for a share everyone may read. */
  grantee?: string;
}

/** Where in a statement the database found an error: 1-based line and column of that statement's text. */
export interface SqlErrorPosition {
  line: number;
  column?: number;
}

export interface MaterializeResult {
  /** Rows written: the table's, or for a snapshot the versions it added. */
  rows?: number;
  /** Files an external model wrote, absolute paths. */
  files?: string[];
}

export type RelationKind = 'table' | 'view';

/** A relation as the database describes it, for catalog.json. */
export interface RelationFacts {
  relation: RelationName;
  kind: RelationKind;
  comment: string | null;
  owner: string | null;
  /** In table order, with the database's type names; `index` counts from 1. */
  columns: Array<{ name: string; type: string; index: number; comment: string | null }>;
  /** Tables only: the row count, and the bytes of their data as the engine can tell them. */
  rows?: number;
  bytes?: number;
  /** What `bytes` measures, for the docs site's tooltip. */
  bytesMeaning?: string;
}

/** The comment put on every statement a node runs (dbt's `query-comment`). */
export interface QueryComment {
  text: string;
  /** After the statement rather than before it. */
  append: boolean;
}

/** A statement with the query comment on it; a comment-closing marker in the text cannot end it early. */
export function commented(sql: string, comment: QueryComment | undefined): string {
  if (!comment?.text) return sql;
  const text = `/* ${comment.text.replaceAll('*/', '* /')} */`;
  return comment.append ? `${sql}\n${text}` : `${text}\n${sql}`;
}

export interface AdapterSession {
  /** Put on every statement the session runs while it is set; the runner sets it per node. */
  queryComment?: QueryComment;
  /** Runs statements that return nothing of interest. */
  execute(sql: string): Promise<void>;
  /** Runs a query whose result is small (test failures shown, counts, descriptions). */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Columns and types the query would return, without running it. */
  describe(sql: string): Promise<ColumnInfo[]>;
  /** The database's own spelling of each type (`int` -> `INTEGER`); throws on a type it does not know. */
  canonicalTypes(types: string[]): Promise<string[]>;
  /**
   * Where `sql` (a query, alone) fails to parse or bind, relative to its own text; undefined when it
   * plans, or when the database gives no position. Used to point an error at the model file's line.
   */
  errorPosition(sql: string): Promise<SqlErrorPosition | undefined>;
  /** Builds a relation; atomic: on failure the previous relation is left as it was. */
  materialize(plan: MaterializePlan, existing: RelationKind | undefined): Promise<MaterializeResult>;
  /**
   * Introspection while a template renders at run time, as dbt's adapters answer it: a statement of
   * `run_query` or `{% call statement %}` (its rows when `fetch`), the columns of a relation, whether a
   * relation exists, the relations of a schema matching patterns.
   */
  runStatement(sql: string, fetch: boolean): Promise<StatementAnswer>;
  /** Columns of a relation in order, with the database's type names; an error when it does not exist. */
  columnsOf(relation: RelationName): Promise<ColumnInfo[]>;
  /** What a relation is, or undefined when there is none (names compared as the database compares them). */
  relationKind(relation: RelationName): Promise<RelationKind | undefined>;
  /** Relations whose schema and name match SQL ILIKE patterns (`%`, `_`), minus names matching `exclude` (when not empty). */
  relationsLike(database: string, schemaPattern: string, identifierPattern: string, exclude: string): Promise<Array<RelationName & { kind: RelationKind }>>;
  close(): void;
}

/** What an engine can do, declared by its adapter rather than discovered by probing for methods. */
export interface AdapterCapabilities {
  /**
   * How consumers get the public models: `files`, a database file per share that consumers attach,
   * holding copies (`publish`); `views`, each distinct relation written once to a data file
   * (`publishFile`) and a database file per share holding only views over the files granted to it
   * (`publishViews`), so a publication costs the same for one consumer or twenty; `schemas`, share
   * schemas inside the engine that consumers on the same engine read in place (`publishShare`,
   * `dropStaleShares`).
   */
  shares: 'files' | 'views' | 'schemas';
  /**
   * Share schemas are made anew for each publication and read the data as it was tested (Iceberg
   * snapshots), so a publication appears whole when its manifest names them, and a later build changes
   * nothing a consumer reads until that build is published in turn.
   */
  pinnedShares: boolean;
  /** Builds snapshot history tables (`materialize` with kind `snapshot`); a run that needs them is refused before it starts where not. */
  snapshots: boolean;
  /** Writes models to files with a view over them (`materialize` with kind `external`), as dbt-duckdb does. */
  externalFiles: boolean;
  /** Copies relations into a database file of their own (`exportTables`): the data a contract's server names. */
  tableExport: boolean;
}

export interface Adapter {
  readonly type: string;
  readonly capabilities: AdapterCapabilities;
  session(): Promise<AdapterSession>;
  /** Relations that exist now in the given database, keyed `schema.identifier` (lower case). */
  listRelations(database: string): Promise<Map<string, RelationKind>>;
  ensureSchemas(database: string, schemas: string[]): Promise<void>;
  /**
   * Makes another database readable under a name, read-only (an upstream project's published data).
   * `files` is the folder the relative paths of its views are resolved against (a share of views).
   */
  attach(name: string, path: string, options?: { files?: string }): Promise<void>;
  /**
   * Copies relations into a new database file at `destination`, replacing any previous file atomically,
   * so readers never see a half-written one. Returns the row count of each relation copied.
   */
  publish(relations: PublishRelation[], destination: string, options?: PublishOptions): Promise<number[]>;
  /**
   * For `shares: 'views'`: writes one relation, masked and trimmed, to a data file at `destination`
   * (replaced atomically). Returns its row count and its columns as the engine types them.
   */
  publishFile?(relation: PublishRelation, destination: string, options?: PublishOptions): Promise<{ rows: number; columns: ColumnInfo[] }>;
  /**
   * For `shares: 'views'`: writes a database file at `destination` (replaced atomically) that holds
   * nothing but views, each reading a file written by `publishFile` by its path relative to `root`,
   * the folder a reader names when it attaches the database (`attach`'s `files`).
   */
  publishViews?(views: ShareView[], destination: string, root: string): Promise<void>;
  /**
   * Loads files into staging tables before a run, for targets that load `external_location` sources
   * rather than read them in place (`externalSources: 'load'`). Each table is replaced atomically.
   */
  stageFiles?(files: StagedFile[]): Promise<void>;
  /**
   * For engines that share inside the database (a server every consumer reaches): publishes relations
   * as views in a schema of their own, readable by the grantee's role only. File-based engines leave it
   * out and publish copies with `publish`.
   */
  publishShare?(relations: PublishRelation[], share: ShareTarget, options?: PublishOptions): Promise<number[]>;
  /**
   * Describes the relations that exist among `relations` (missing ones are left out): columns and
   * their types from the database's own catalog, row counts and sizes of tables. Written to catalog.json.
   */
  describeRelations(relations: RelationName[]): Promise<RelationFacts[]>;
  /**
   * For `source freshness`: the newest load time a query gives (`max(loaded_at)` or a loaded_at_query)
   * and the database's own now, both as UTC instants; null when the relation has no rows.
   */
  loadedAt(sql: string): Promise<{ maxLoadedAt: Date | null; now: Date }>;
  /**
   * Copies each relation, masked and with withheld columns left out as `publish` does, into one new
   * database file as `main.<name>`, replacing any previous file atomically. Returns each one's rows.
   * Only where `capabilities.tableExport` says so.
   */
  exportTables(tables: Array<{ relation: PublishRelation; name: string }>, destination: string, options?: PublishOptions): Promise<number[]>;
  /** Removes share schemas of a producer that its latest publication no longer names (revoked grants). */
  dropStaleShares?(producer: string, keep: string[]): Promise<void>;
  /** Every statement run, in order, when statement logging is on (benchmarks replay them). */
  readonly statementLog?: string[];
  close(): Promise<void>;
}

export function relationKey(relation: Pick<RelationName, 'schema' | 'identifier'>): string {
  return `${relation.schema}.${relation.identifier}`.toLowerCase();
}
