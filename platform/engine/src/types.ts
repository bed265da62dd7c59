/** The shapes that flow between the engine's stages: load -> parse -> graph -> compile -> execute -> artifacts. */

export type Materialization = 'view' | 'table' | 'incremental' | 'ephemeral' | 'external' | 'seed' | 'snapshot';
export type Access = 'private' | 'protected' | 'public';
export type ResourceType = 'model' | 'seed' | 'snapshot' | 'source' | 'test' | 'unit_test';

export interface ColumnConstraint {
  type: 'not_null' | 'unique' | 'primary_key' | 'check' | 'foreign_key';
  expression?: string;
  name?: string;
}

export interface ColumnDef {
  name: string;
  description: string;
  data_type?: string;
  constraints: ColumnConstraint[];
  tags: string[];
  meta: Record<string, unknown>;
}

export interface NodeConfig {
  materialized: Materialization;
  schema: string;
  alias?: string;
  tags: string[];
  enabled: boolean;
  access: Access;
  group?: string;
  contract: { enforced: boolean };
  unique_key?: string | string[];
  incremental_strategy?: 'append' | 'merge' | 'delete+insert';
  full_refresh?: boolean;
  column_types?: Record<string, string>;
  severity?: 'error' | 'warn';
  meta: Record<string, unknown>;
  [key: string]: unknown;
}

/** A reference as written in SQL: ref('m'), ref('project', 'm'), ref('m', v=2). */
export interface RefCall {
  project?: string;
  name: string;
  version?: string;
}

export interface SourceCall {
  source: string;
  table: string;
}

export interface BaseNode {
  unique_id: string;
  resource_type: ResourceType;
  name: string;
  /** The project (domain) the node belongs to. */
  package_name: string;
  /** Path relative to the project root, with forward slashes. */
  original_file_path: string;
  fqn: string[];
  description: string;
  tags: string[];
  meta: Record<string, unknown>;
}

/** What dbt does with a row a snapshot's query no longer returns. */
export type HardDeletes = 'ignore' | 'invalidate' | 'new_record';

/** The columns a snapshot adds to its rows, under the names `snapshot_meta_column_names` gives them. */
export interface SnapshotColumnNames {
  dbt_valid_from: string;
  dbt_valid_to: string;
  dbt_scd_id: string;
  dbt_updated_at: string;
  dbt_is_deleted: string;
}

/** How a snapshot finds changed rows and keeps their history (dbt's snapshot configs, checked at parse). */
export interface SnapshotSpec {
  strategy: 'timestamp' | 'check';
  /** Columns (or expressions) that identify a row. */
  uniqueKey: string[];
  /** The timestamp strategy's change column; the check strategy stamps rows with it when given, else with the run time. */
  updatedAt?: string;
  /** The check strategy's columns to compare, or every column of the query. */
  checkCols?: string[] | 'all';
  hardDeletes: HardDeletes;
  columnNames: SnapshotColumnNames;
  /** SQL for `dbt_valid_to` of current rows instead of null (`dbt_valid_to_current`). */
  validToCurrent?: string;
}

/** Where and how an external model's files are written. */
export interface ExternalSpec {
  /** Absolute path of the file, or of the folder of a partitioned write. */
  location: string;
  format: 'parquet' | 'csv' | 'json';
  /** Partition columns (Hive-style folders `col=value/`). */
  partitionBy: string[];
  /** CSV's field delimiter. */
  delimiter?: string;
  /** Further COPY options as written in the model's `options` config (compression, row_group_size...). */
  options: Record<string, string | number | boolean>;
}

export interface ModelNode extends BaseNode {
  resource_type: 'model' | 'seed' | 'snapshot';
  config: NodeConfig;
  columns: ColumnDef[];
  raw_code: string;
  refs: RefCall[];
  sources: SourceCall[];
  /** Unique ids this node depends on, resolved in the graph stage. */
  depends_on: { nodes: string[]; macros: string[] };
  database: string;
  schema: string;
  alias: string;
  /** Model versions (dbt `versions:`); undefined for unversioned models. */
  version?: string;
  latest_version?: string;
  deprecation_date?: string;
  checksum: string;
  /** True for nodes that belong to another project and were injected from its published manifest. */
  external?: boolean;
  /** YAML file that describes the node, for errors. */
  patch_path?: string;
  /** For snapshots: how their history is kept. */
  snapshot?: SnapshotSpec;
  /** For external models: the files their rows are written to. */
  externalFiles?: ExternalSpec;
}

export interface SourceNode extends BaseNode {
  resource_type: 'source';
  source_name: string;
  identifier: string;
  database: string;
  schema: string;
  columns: ColumnDef[];
  /** A file or glob DuckDB reads directly (dbt-duckdb's external_location). */
  external_location?: string;
  loader?: string;
  patch_path?: string;
  /** The description and meta of the source the table belongs to (dbt's source_description, source_meta). */
  source_description?: string;
  source_meta?: Record<string, unknown>;
  /** The column (or expression) saying when a row was loaded, for `source freshness`. */
  loaded_at_field?: string;
  /** A query giving the last load time instead of max(loaded_at_field). */
  loaded_at_query?: string;
  /** The freshness promise, table over source; null when switched off (`freshness: null`). */
  freshness?: FreshnessRule | null;
}

export interface FreshnessPeriod {
  count: number;
  period: 'minute' | 'hour' | 'day';
}

/** dbt's freshness thresholds: a source older than warn_after warns, older than error_after errors. */
export interface FreshnessRule {
  warn_after?: FreshnessPeriod;
  error_after?: FreshnessPeriod;
  /** A WHERE clause the max(loaded_at_field) is computed under. */
  filter?: string;
}

/** dbt's test configs. A test fails when its failures meet error_if, else warns when they meet warn_if. */
export interface TestConfig {
  severity: 'error' | 'warn';
  tags: string[];
  enabled: boolean;
  /** Filters the tested relation first (`where: "status = 'active'"`). */
  where?: string;
  /** Comparisons of the failure count, as SQL: `!=0` (the default), `>10`. */
  warn_if: string;
  error_if: string;
  /** How failures are counted over the failing rows (default `count(*)`). */
  fail_calc: string;
  /** How many failing rows to show. */
  limit?: number;
  /** Keep the failing rows in a table `<schema>.<test name>` (dbt-duckdb's `main_dbt_test__audit` unless set). */
  store_failures?: boolean;
  schema?: string;
}

export interface TestNode extends BaseNode {
  resource_type: 'test';
  /** The relation and compiled file name: the name, or dbt's shortened one for names of 64 characters or more. */
  alias: string;
  config: TestConfig;
  /** For generic tests: the test name, its arguments and its package (`dbt_utils`); singular tests have raw SQL. */
  test_metadata?: { name: string; kwargs: Record<string, unknown>; namespace?: string };
  column_name?: string;
  /** For a generic test defined by a `{% test %}` macro: the package that holds the macro (the project's own, or an installed one). */
  macro_package?: string;
  /** The model (or seed/source) a generic test is attached to. */
  attached_node?: string;
  raw_code: string;
  refs: RefCall[];
  sources: SourceCall[];
  depends_on: { nodes: string[]; macros: string[] };
  checksum: string;
}

/** Rows of a unit test's input or expectation: a list of mappings (dict, csv) or a query (sql). */
export type UnitTestRows =
  /** `lines`: each row's line in the properties file (dict rows), for errors that name a row. */
  | { format: 'dict' | 'csv'; rows: Array<Record<string, unknown>>; lines?: number[] }
  | { format: 'sql'; sql: string }
  /** An input seed given without rows: the seed's own rows, as dbt reads its file. */
  | { format: 'seed' };

/** A `given:` entry: the ref or source of the tested model it stands in for, and its rows. */
export interface UnitTestInput {
  /** As written: `ref('stg_orders')`, `source('raw', 'orders')`, `this`. */
  input: string;
  call: { ref: RefCall } | { source: SourceCall } | { this: true };
  rows: UnitTestRows;
  /** Where the entry is, for errors at run time. */
  line?: number;
  fixture?: string;
}

export interface UnitTestNode extends BaseNode {
  resource_type: 'unit_test';
  /** The tested model's name, and its version for a versioned model. */
  model: string;
  version?: string;
  config: { enabled: boolean; tags: string[]; meta: Record<string, unknown> };
  given: UnitTestInput[];
  expect: UnitTestRows & { line?: number; fixture?: string };
  overrides: { macros: Record<string, unknown>; vars: Record<string, unknown>; env_vars: Record<string, string> };
  versions?: { include?: string[]; exclude?: string[] };
  /** The tested model, as a ref resolved in the graph stage (`depends_on.nodes[0]`). */
  refs: RefCall[];
  sources: SourceCall[];
  depends_on: { nodes: string[]; macros: string[] };
  checksum: string;
  /** The properties file line of the entry. */
  line?: number;
}

export type GraphNode = ModelNode | SourceNode | TestNode | UnitTestNode;

/** Nodes that build a relation others can ref: models, seeds and snapshots. */
export function isModelLike(node: GraphNode): node is ModelNode {
  return node.resource_type === 'model' || node.resource_type === 'seed' || node.resource_type === 'snapshot';
}
