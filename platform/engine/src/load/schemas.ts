import { z } from 'zod';
import { registeredEngines, registryGeneration } from '../engines/registry';

/**
 * Schemas for the files a domain team writes. They follow dbt's shapes (dbt_project.yml, properties YAML)
 * so a dbt user's files read the same; strict objects catch typos such as `materalized`. The partial-parse
 * cache keeps properties files as validated here: a change to their schemas needs a new CACHE_VERSION.
 */

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a name of letters, digits and underscores');
const stringList = z.union([z.string().transform((s) => [s]), z.array(z.string())]);

export const materializationSchema = z.enum(['view', 'table', 'incremental', 'ephemeral', 'external']);
export const accessSchema = z.enum(['private', 'protected', 'public']);

const constraintSchema = z.strictObject({
  type: z.enum(['not_null', 'unique', 'primary_key', 'check', 'foreign_key']),
  expression: z.string().optional(),
  name: z.string().optional(),
  columns: z.array(z.string()).optional(),
  to: z.string().optional(),
  to_columns: z.array(z.string()).optional(),
  warn_unenforced: z.boolean().optional(),
  warn_unsupported: z.boolean().optional(),
});

/** A generic test: `unique`, or `{ accepted_values: { values: [...] } }`, or `{ name: ..., test_name: ... }`. */
const testSchema = z.union([
  z.string(),
  z.record(z.string(), z.union([z.record(z.string(), z.unknown()), z.null()])).refine(
    (r) => Object.keys(r).length === 1,
    'a test is a name or a mapping with exactly one key (the test name)',
  ),
]);

const nodeConfigSchema = z.looseObject({
  materialized: materializationSchema.optional(),
  schema: z.string().optional(),
  alias: z.string().optional(),
  tags: stringList.optional(),
  enabled: z.boolean().optional(),
  access: accessSchema.optional(),
  group: z.string().optional(),
  contract: z.strictObject({ enforced: z.boolean(), alias_types: z.boolean().optional() }).optional(),
  unique_key: z.union([z.string(), z.array(z.string())]).optional(),
  incremental_strategy: z.enum(['append', 'merge', 'delete+insert']).optional(),
  full_refresh: z.boolean().optional(),
  column_types: z.record(z.string(), z.string()).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  docs: z.unknown().optional(),
  persist_docs: z.unknown().optional(),
  on_schema_change: z.enum(['ignore', 'fail', 'append_new_columns', 'sync_all_columns']).optional(),
});
export type NodeConfigInput = z.infer<typeof nodeConfigSchema>;

const columnSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  data_type: z.string().optional(),
  tests: z.array(testSchema).optional(),
  data_tests: z.array(testSchema).optional(),
  constraints: z.array(constraintSchema).optional(),
  tags: stringList.optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  quote: z.boolean().optional(),
  policy_tags: z.array(z.string()).optional(),
  config: z.looseObject({ tags: stringList.optional(), meta: z.record(z.string(), z.unknown()).optional() }).optional(),
  docs: z.looseObject({ show: z.boolean().optional(), node_color: z.string().optional() }).optional(),
  // dbt's semantic layer reads these of a column (a time dimension's grain, a dimension or entity); the engine does not.
  granularity: z.string().optional(),
  dimension: z.unknown().optional(),
  entity: z.unknown().optional(),
});
export type ColumnInput = z.infer<typeof columnSchema>;

const versionSchema = z.strictObject({
  v: z.union([z.number(), z.string()]).transform(String),
  defined_in: z.string().optional(),
  description: z.string().optional(),
  deprecation_date: z.union([z.string(), z.date()]).transform((d) => (d instanceof Date ? d.toISOString() : d)).optional(),
  config: nodeConfigSchema.optional(),
  columns: z
    .array(z.union([columnSchema, z.strictObject({ include: z.union([z.string(), z.array(z.string())]), exclude: z.array(z.string()).optional() })]))
    .optional(),
  tests: z.array(testSchema).optional(),
  data_tests: z.array(testSchema).optional(),
});

const modelPropertiesSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  config: nodeConfigSchema.optional(),
  columns: z.array(columnSchema).optional(),
  tests: z.array(testSchema).optional(),
  data_tests: z.array(testSchema).optional(),
  constraints: z.array(constraintSchema).optional(),
  access: accessSchema.optional(),
  group: z.string().optional(),
  latest_version: z.union([z.number(), z.string()]).transform(String).optional(),
  deprecation_date: z.union([z.string(), z.date()]).transform((d) => (d instanceof Date ? d.toISOString() : d)).optional(),
  versions: z.array(versionSchema).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  docs: z.unknown().optional(),
  quote_columns: z.boolean().optional(),
  // dbt's semantic layer reads these of a model (its time spine, semantic model and metrics); the engine does not.
  time_spine: z.looseObject({ standard_granularity_column: z.string() }).optional(),
  semantic_model: z.union([z.boolean(), z.looseObject({})]).optional(),
  primary_entity: z.string().optional(),
  agg_time_dimension: z.string().optional(),
  metrics: z.array(z.unknown()).optional(),
  derived_semantics: z.unknown().optional(),
});
export type ModelPropertiesInput = z.infer<typeof modelPropertiesSchema>;

const freshnessPeriodSchema = z.strictObject({
  count: z.int().positive(),
  period: z.enum(['minute', 'hour', 'day']),
});

/** dbt's `freshness:` block; `null` switches an inherited one off. */
const freshnessSchema = z
  .strictObject({
    warn_after: freshnessPeriodSchema.nullable().optional(),
    error_after: freshnessPeriodSchema.nullable().optional(),
    filter: z.string().nullable().optional(),
  })
  .nullable();
export type FreshnessInput = z.infer<typeof freshnessSchema>;

const sourceConfigSchema = z.looseObject({
  external_location: z.string().optional(),
  enabled: z.boolean().optional(),
  freshness: freshnessSchema.optional(),
  loaded_at_field: z.string().optional(),
  loaded_at_query: z.string().optional(),
});

const sourceTableSchema = z.strictObject({
  name: z.string(),
  identifier: z.string().optional(),
  description: z.string().optional(),
  columns: z.array(columnSchema).optional(),
  tests: z.array(testSchema).optional(),
  data_tests: z.array(testSchema).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  tags: stringList.optional(),
  external_location: z.string().optional(),
  config: sourceConfigSchema.optional(),
  loaded_at_field: z.string().optional(),
  loaded_at_query: z.string().optional(),
  freshness: freshnessSchema.optional(),
});

const sourceSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  database: z.string().optional(),
  schema: z.string().optional(),
  loader: z.string().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  tags: stringList.optional(),
  tables: z.array(sourceTableSchema),
  config: sourceConfigSchema.optional(),
  freshness: freshnessSchema.optional(),
  loaded_at_field: z.string().optional(),
  loaded_at_query: z.string().optional(),
});
export type SourceInput = z.infer<typeof sourceSchema>;

const seedPropertiesSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  config: nodeConfigSchema.optional(),
  columns: z.array(columnSchema).optional(),
  tests: z.array(testSchema).optional(),
  data_tests: z.array(testSchema).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});

const snapshotMetaColumnNamesSchema = z.strictObject({
  dbt_valid_from: z.string().optional(),
  dbt_valid_to: z.string().optional(),
  dbt_scd_id: z.string().optional(),
  dbt_updated_at: z.string().optional(),
  dbt_is_deleted: z.string().optional(),
});

/** A snapshot's configs (dbt's SnapshotConfig); what they mean together is checked when the snapshot is parsed. */
const snapshotConfigSchema = z.looseObject({
  materialized: z.literal('snapshot').optional(),
  strategy: z.string().optional(),
  unique_key: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  updated_at: z.string().optional(),
  check_cols: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  hard_deletes: z.enum(['ignore', 'invalidate', 'new_record']).optional(),
  invalidate_hard_deletes: z.boolean().optional(),
  // null switches off a target_schema set for a folder, so that schema: applies (as in dbt).
  target_schema: z.string().nullable().optional(),
  target_database: z.string().nullable().optional(),
  schema: z.string().optional(),
  database: z.string().optional(),
  alias: z.string().optional(),
  snapshot_meta_column_names: snapshotMetaColumnNamesSchema.optional(),
  dbt_valid_to_current: z.string().optional(),
  tags: stringList.optional(),
  enabled: z.boolean().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  docs: z.unknown().optional(),
  persist_docs: z.unknown().optional(),
});

/** A snapshot described in YAML: properties of a `{% snapshot %}` block, or (with `relation:`) a whole snapshot (dbt 1.9). */
const snapshotPropertiesSchema = z.strictObject({
  name,
  relation: z.string().optional(),
  description: z.string().optional(),
  config: snapshotConfigSchema.optional(),
  columns: z.array(columnSchema).optional(),
  tests: z.array(testSchema).optional(),
  data_tests: z.array(testSchema).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  docs: z.unknown().optional(),
});
export type SnapshotPropertiesInput = z.infer<typeof snapshotPropertiesSchema>;

const fixtureFormatSchema = z.enum(['dict', 'csv', 'sql']);
/** Rows as a list of mappings (dict), CSV text (csv) or a query (sql); or a file under tests/fixtures/. */
const fixtureRowsSchema = z.union([z.array(z.record(z.string(), z.unknown())), z.string()]);

const unitTestGivenSchema = z.strictObject({
  input: z.string(),
  format: fixtureFormatSchema.optional(),
  rows: fixtureRowsSchema.optional(),
  fixture: z.string().optional(),
});

/** dbt's `unit_tests:` entry: a model's SQL run on rows given for its inputs, compared with the rows expected. */
const unitTestSchema = z.strictObject({
  name,
  model: z.string(),
  description: z.string().optional(),
  given: z.array(unitTestGivenSchema),
  expect: z.strictObject({
    format: fixtureFormatSchema.optional(),
    rows: fixtureRowsSchema.optional(),
    fixture: z.string().optional(),
  }),
  overrides: z
    .strictObject({
      macros: z.record(z.string(), z.unknown()).optional(),
      vars: z.record(z.string(), z.unknown()).optional(),
      env_vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    })
    .optional(),
  config: z.looseObject({ tags: stringList.optional(), meta: z.record(z.string(), z.unknown()).optional(), enabled: z.boolean().optional() }).optional(),
  versions: z
    .strictObject({
      include: z.array(z.union([z.number(), z.string()]).transform(String)).optional(),
      exclude: z.array(z.union([z.number(), z.string()]).transform(String)).optional(),
    })
    .optional(),
});
export type UnitTestInputSpec = z.infer<typeof unitTestSchema>;

const groupSchema = z.strictObject({
  name,
  owner: z.looseObject({ name: z.string().optional(), email: z.string().optional() }),
  description: z.string().optional(),
});
export type GroupInput = z.infer<typeof groupSchema>;

/** A properties file anywhere under the model or seed paths. */
export const propertiesFileSchema = z.strictObject({
  version: z.union([z.literal(2), z.literal('2')]).optional(),
  models: z.array(modelPropertiesSchema).optional(),
  sources: z.array(sourceSchema).optional(),
  seeds: z.array(seedPropertiesSchema).optional(),
  groups: z.array(groupSchema).optional(),
  macros: z.array(z.unknown()).optional(),
  exposures: z.array(z.unknown()).optional(),
  snapshots: z.array(snapshotPropertiesSchema).optional(),
  analyses: z.array(z.unknown()).optional(),
  unit_tests: z.array(unitTestSchema).optional(),
  // Read by dbt's semantic layer, not by the engine: accepted, and warned about.
  semantic_models: z.array(z.unknown()).optional(),
  metrics: z.array(z.unknown()).optional(),
  saved_queries: z.array(z.unknown()).optional(),
});
export type PropertiesFile = z.infer<typeof propertiesFileSchema>;

/**
 * A target under `targets:`, as far as the engine reads it: its `type` names the engine whose plugin
 * validates the rest (see projectFileSchema), and `threads` is every engine's.
 */
const targetConfigShape = z.looseObject({
  type: z.string(),
  threads: z.number().int().positive().optional(),
});
export type TargetConfig = z.output<typeof targetConfigShape>;

/** An upstream project whose published manifest this project may ref, as dbt-loom's manifests list. */
const upstreamSchema = z.strictObject({
  name,
  /** A workspace package name, a path to a published directory or manifest, or an http(s) URL. */
  from: z.string().optional(),
  version: z.string().optional(),
  optional: z.boolean().optional(),
  /**
   * The DuckDB file with the upstream's data, for an upstream that is a plain dbt project: its
   * `target/manifest.json` says which models are public, this file holds them (relative to this project).
   */
  database: z.string().optional(),
});

/** dbt's `dispatch:` entries: where `adapter.dispatch('x', macro_namespace)` looks, in order. */
export const dispatchSchema = z.array(z.strictObject({
  macro_namespace: z.string(),
  search_order: z.array(z.string()),
}));
export type DispatchConfig = z.infer<typeof dispatchSchema>;

/** Whether relation names are quoted when a template prints them (dbt's `quoting:`). */
export const quotingSchema = z.looseObject({
  database: z.boolean().optional(),
  schema: z.boolean().optional(),
  identifier: z.boolean().optional(),
  column: z.boolean().optional(),
});
export type QuotingConfig = z.infer<typeof quotingSchema>;

/** The comment put on each statement a build runs: a template, or `{comment, append}`; null turns it off. */
export const queryCommentSchema = z.union([
  z.string(),
  z.null(),
  z.strictObject({ comment: z.string().nullable().optional(), append: z.boolean().optional(), 'job-label': z.boolean().optional() }),
]);
export type QueryCommentConfig = z.infer<typeof queryCommentSchema>;

const configTree = z.record(z.string(), z.unknown());

/**
 * `mesh_project.yml` and `dbt_project.yml`: dbt's keys (name, version, paths, vars, `models:` folder
 * configs, dispatch, flags, quoting, query-comment, restrict-access) plus the mesh's own: targets and
 * upstream projects. Keys dbt reads and the engine has no use for are accepted as they are.
 */
const projectFileShape = z.strictObject({
  name,
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  'config-version': z.number().optional(),
  description: z.string().optional(),
  profile: z.string().optional(),
  'project-root': z.string().optional(),
  'model-paths': z.array(z.string()).optional(),
  /** dbt's older names for model-paths and seed-paths. */
  'source-paths': z.array(z.string()).optional(),
  'data-paths': z.array(z.string()).optional(),
  'seed-paths': z.array(z.string()).optional(),
  'macro-paths': z.array(z.string()).optional(),
  'test-paths': z.array(z.string()).optional(),
  'target-path': z.string().optional(),
  'clean-targets': z.array(z.string()).optional(),
  'log-path': z.string().optional(),
  'packages-install-path': z.string().optional(),
  'require-dbt-version': z.union([z.string(), z.array(z.string())]).optional(),
  'analysis-paths': z.array(z.string()).optional(),
  'snapshot-paths': z.array(z.string()).optional(),
  'docs-paths': z.array(z.string()).optional(),
  'asset-paths': z.array(z.string()).optional(),
  'function-paths': z.array(z.string()).optional(),
  'osi-paths': z.array(z.string()).optional(),
  'on-run-start': z.union([z.string(), z.array(z.string()), z.null()]).optional(),
  'on-run-end': z.union([z.string(), z.array(z.string()), z.null()]).optional(),
  dispatch: dispatchSchema.optional(),
  quoting: quotingSchema.optional(),
  'query-comment': queryCommentSchema.optional(),
  'restrict-access': z.boolean().optional(),
  flags: z.record(z.string(), z.unknown()).optional(),
  'dbt-cloud': z.record(z.string(), z.unknown()).optional(),
  packages: z.array(z.unknown()).optional(),
  snapshots: configTree.optional(),
  analyses: configTree.optional(),
  vars: configTree.optional(),
  models: configTree.optional(),
  seeds: configTree.optional(),
  tests: configTree.optional(),
  data_tests: configTree.optional(),
  unit_tests: configTree.optional(),
  sources: configTree.optional(),
  exposures: configTree.optional(),
  metrics: configTree.optional(),
  'semantic-models': configTree.optional(),
  'saved-queries': configTree.optional(),
  functions: configTree.optional(),
  target: z.string().optional(),
  targets: z.record(z.string(), targetConfigShape).optional(),
  upstreams: z.array(upstreamSchema).optional(),
});
export type ProjectFile = z.infer<typeof projectFileShape>;

let built: { generation: number; schema: typeof projectFileShape } | undefined;

/**
 * The project file's schema with the targets of every registered engine: a target is checked by its
 * engine's own schema, chosen by `type`, so an unknown key is an error at its line and an unknown type
 * lists the engines there are.
 */
export function projectFileSchema(): typeof projectFileShape {
  const generation = registryGeneration();
  if (built?.generation === generation) return built.schema;
  const engines = registeredEngines();
  const [first, ...rest] = engines.map((e) => e.targetSchema);
  const target = first ? z.discriminatedUnion('type', [first, ...rest]) : targetConfigShape;
  // The engines' schemas are their own; the file's type stays the engine-neutral shape.
  const schema = projectFileShape.extend({ targets: z.record(z.string(), target).optional() }) as unknown as typeof projectFileShape;
  built = { generation, schema };
  return schema;
}

/**
 * An installed package's dbt_project.yml. A package is someone else's project: keys the engine does not read
 * are left alone rather than refused.
 */
export const packageProjectSchema = z.looseObject({
  name,
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  'model-paths': z.array(z.string()).optional(),
  'seed-paths': z.array(z.string()).optional(),
  'macro-paths': z.array(z.string()).optional(),
  'test-paths': z.array(z.string()).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  models: z.record(z.string(), z.unknown()).optional(),
  seeds: z.record(z.string(), z.unknown()).optional(),
  tests: z.record(z.string(), z.unknown()).optional(),
  data_tests: z.record(z.string(), z.unknown()).optional(),
  dispatch: dispatchSchema.optional(),
  /** Whether the package's protected models stay its own (dbt's `restrict-access`). */
  'restrict-access': z.boolean().optional(),
});
export type PackageProject = z.infer<typeof packageProjectSchema>;
