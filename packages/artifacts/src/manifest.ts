import { z } from 'zod';
import { baseMetadataShape, metaSchema } from './common';

/**
 * dbt's manifest.json, schema v12, as dbt-core 1.12's artifact classes define it
 * (`dbt.artifacts.schemas.manifest.v12`). Objects are loose: the engine writes exactly dbt's fields, and a
 * reader of a manifest dbt-core wrote must not break on fields a later dbt adds. Fields newer than dbt 1.8
 * (the first v12 writer) are optional, so manifests of every v12 writer read.
 */

const nullableString = z.string().nullable();

export const fileHashSchema = z.looseObject({ name: z.string(), checksum: z.string() });

export const docsConfigSchema = z.looseObject({ show: z.boolean(), node_color: nullableString });

export const constraintSchema = z.looseObject({
  type: z.enum(['check', 'not_null', 'unique', 'primary_key', 'foreign_key', 'custom']),
  name: nullableString.optional(),
  expression: nullableString.optional(),
  warn_unenforced: z.boolean().optional(),
  warn_unsupported: z.boolean().optional(),
  to: nullableString.optional(),
  to_columns: z.array(z.string()).optional(),
});

export const columnInfoSchema = z.looseObject({
  name: z.string(),
  description: z.string(),
  meta: metaSchema,
  data_type: nullableString,
  constraints: z.array(constraintSchema),
  quote: z.boolean().nullable(),
  config: z.looseObject({ meta: metaSchema, tags: z.array(z.string()) }).optional(),
  tags: z.array(z.string()),
  granularity: nullableString.optional(),
  doc_blocks: z.array(z.string()).optional(),
});
export type ColumnInfo = z.infer<typeof columnInfoSchema>;

export const refArgsSchema = z.looseObject({
  name: z.string(),
  package: nullableString,
  version: z.union([z.string(), z.number()]).nullable(),
});

export const dependsOnSchema = z.looseObject({ macros: z.array(z.string()), nodes: z.array(z.string()) });

export const contractSchema = z.looseObject({ enforced: z.boolean(), alias_types: z.boolean(), checksum: nullableString });

/** Fields of every node in `nodes` (dbt's ParsedNode). */
const parsedNodeShape = {
  database: nullableString,
  schema: z.string(),
  name: z.string(),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  fqn: z.array(z.string()),
  alias: z.string(),
  checksum: fileHashSchema,
  tags: z.array(z.string()),
  description: z.string(),
  columns: z.record(z.string(), columnInfoSchema),
  meta: metaSchema,
  group: nullableString,
  docs: docsConfigSchema,
  patch_path: nullableString,
  build_path: nullableString,
  unrendered_config: z.record(z.string(), z.unknown()),
  created_at: z.number(),
  relation_name: nullableString,
  raw_code: z.string(),
  doc_blocks: z.array(z.string()).optional(),
};

/** Fields of nodes with SQL that is compiled: models, tests, snapshots, analyses (dbt's CompiledNode). */
const compiledNodeShape = {
  ...parsedNodeShape,
  language: z.string(),
  refs: z.array(refArgsSchema),
  sources: z.array(z.array(z.string())),
  metrics: z.array(z.array(z.string())),
  functions: z.array(z.array(z.string())).optional(),
  depends_on: dependsOnSchema,
  compiled_path: nullableString,
  compiled: z.boolean(),
  compiled_code: nullableString,
  extra_ctes_injected: z.boolean(),
  extra_ctes: z.array(z.looseObject({ id: z.string(), sql: nullableString })),
  contract: contractSchema,
};

/** Configs accept any key (dbt keeps unknown configs); the ones dbt types are typed. */
const configShape = {
  enabled: z.boolean(),
  alias: nullableString,
  schema: nullableString,
  database: nullableString,
  tags: z.array(z.string()),
  meta: metaSchema,
  group: nullableString,
  materialized: z.string(),
};

export const modelConfigSchema = z.looseObject({
  ...configShape,
  incremental_strategy: nullableString,
  persist_docs: z.record(z.string(), z.unknown()),
  'post-hook': z.array(z.unknown()),
  'pre-hook': z.array(z.unknown()),
  quoting: z.record(z.string(), z.unknown()),
  column_types: z.record(z.string(), z.unknown()),
  full_refresh: z.boolean().nullable(),
  unique_key: z.union([z.string(), z.array(z.string())]).nullable(),
  on_schema_change: nullableString,
  on_configuration_change: z.string(),
  grants: z.record(z.string(), z.unknown()),
  packages: z.array(z.string()),
  docs: docsConfigSchema,
  contract: z.looseObject({ enforced: z.boolean(), alias_types: z.boolean() }),
  access: z.enum(['private', 'protected', 'public']).optional(),
});
export type ModelConfig = z.infer<typeof modelConfigSchema>;

export const modelNodeSchema = z.looseObject({
  ...compiledNodeShape,
  resource_type: z.literal('model'),
  config: modelConfigSchema,
  access: z.enum(['private', 'protected', 'public']),
  constraints: z.array(constraintSchema),
  version: z.union([z.string(), z.number()]).nullable(),
  latest_version: z.union([z.string(), z.number()]).nullable(),
  deprecation_date: nullableString,
  primary_key: z.array(z.string()).optional(),
  time_spine: z.unknown().optional(),
});
export type ManifestModel = z.infer<typeof modelNodeSchema>;

export const seedNodeSchema = z.looseObject({
  ...parsedNodeShape,
  resource_type: z.literal('seed'),
  config: modelConfigSchema.extend({ delimiter: z.string(), quote_columns: z.boolean().nullable() }),
  root_path: nullableString,
  depends_on: z.looseObject({ macros: z.array(z.string()) }),
});
export type ManifestSeed = z.infer<typeof seedNodeSchema>;

export const testConfigSchema = z.looseObject({
  ...configShape,
  severity: z.string().regex(/^([Ww][Aa][Rr][Nn]|[Ee][Rr][Rr][Oo][Rr])$/),
  store_failures: z.boolean().nullable(),
  store_failures_as: nullableString,
  where: nullableString,
  limit: z.number().int().nullable(),
  fail_calc: z.string(),
  warn_if: z.string(),
  error_if: z.string(),
});
export type TestConfig = z.infer<typeof testConfigSchema>;

export const singularTestNodeSchema = z.looseObject({
  ...compiledNodeShape,
  resource_type: z.literal('test'),
  config: testConfigSchema,
});

export const testMetadataSchema = z.looseObject({
  name: z.string(),
  kwargs: z.record(z.string(), z.unknown()),
  namespace: nullableString,
});

export const genericTestNodeSchema = singularTestNodeSchema.extend({
  column_name: nullableString,
  file_key_name: nullableString,
  attached_node: nullableString,
  test_metadata: testMetadataSchema,
});
export type ManifestGenericTest = z.infer<typeof genericTestNodeSchema>;
export type ManifestSingularTest = z.infer<typeof singularTestNodeSchema>;

/** Snapshots: dbt requires their config, with a strategy; the rest is a compiled node's. */
export const snapshotNodeSchema = z.looseObject({
  ...compiledNodeShape,
  resource_type: z.literal('snapshot'),
  config: z.looseObject({ ...configShape, strategy: nullableString.optional(), unique_key: z.unknown().optional() }),
  defer_relation: z.unknown().optional(),
});
export type ManifestSnapshot = z.infer<typeof snapshotNodeSchema>;

/** Any other compiled node dbt writes (analysis, operation, sql_operation, function): read, never written. */
const otherNodeSchema = z.looseObject({
  ...compiledNodeShape,
  resource_type: z.enum(['analysis', 'operation', 'sql_operation', 'function']),
  config: z.looseObject({}),
});

/**
 * A node of `nodes`, told apart as dbt tells them: by resource type, and a test is generic when it has
 * test_metadata. A union rather than a discriminated one, since two test shapes share a resource type.
 */
export const manifestNodeSchema = z.union([modelNodeSchema, seedNodeSchema, genericTestNodeSchema, singularTestNodeSchema, snapshotNodeSchema, otherNodeSchema]);
export type ManifestNode = ManifestModel | ManifestSeed | ManifestGenericTest | ManifestSingularTest | ManifestSnapshot;

export const freshnessTimeSchema = z.looseObject({
  count: z.number().int().nullable(),
  period: z.enum(['minute', 'hour', 'day']).nullable(),
});
export const freshnessThresholdSchema = z.looseObject({
  warn_after: freshnessTimeSchema.nullable(),
  error_after: freshnessTimeSchema.nullable(),
  filter: nullableString,
});
export type FreshnessThreshold = z.infer<typeof freshnessThresholdSchema>;

export const sourceDefinitionSchema = z.looseObject({
  database: nullableString,
  schema: z.string(),
  name: z.string(),
  resource_type: z.literal('source'),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  fqn: z.array(z.string()),
  source_name: z.string(),
  source_description: z.string(),
  loader: z.string(),
  identifier: z.string(),
  quoting: z.looseObject({}),
  loaded_at_field: nullableString,
  loaded_at_query: nullableString.optional(),
  freshness: freshnessThresholdSchema.nullable(),
  external: z.looseObject({ location: nullableString.optional() }).nullable(),
  description: z.string(),
  columns: z.record(z.string(), columnInfoSchema),
  meta: metaSchema,
  source_meta: metaSchema,
  tags: z.array(z.string()),
  config: z.looseObject({ enabled: z.boolean() }),
  patch_path: nullableString,
  unrendered_config: z.record(z.string(), z.unknown()),
  relation_name: nullableString,
  created_at: z.number(),
  doc_blocks: z.array(z.string()).optional(),
});
export type SourceDefinition = z.infer<typeof sourceDefinitionSchema>;

export const macroSchema = z.looseObject({
  name: z.string(),
  resource_type: z.literal('macro'),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  macro_sql: z.string(),
  depends_on: z.looseObject({ macros: z.array(z.string()) }),
  description: z.string(),
  meta: metaSchema,
  docs: docsConfigSchema,
  patch_path: nullableString,
  arguments: z.array(z.looseObject({ name: z.string(), type: nullableString, description: z.string() })),
  created_at: z.number(),
  supported_languages: z.array(z.string()).nullable(),
});
export type Macro = z.infer<typeof macroSchema>;

export const documentationSchema = z.looseObject({
  name: z.string(),
  resource_type: z.literal('doc'),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  block_contents: z.string(),
});
export type Documentation = z.infer<typeof documentationSchema>;

export const groupSchema = z.looseObject({
  name: z.string(),
  resource_type: z.literal('group'),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  owner: z.looseObject({ name: nullableString.optional(), email: z.union([z.string(), z.array(z.string())]).nullable().optional() }),
  description: nullableString.optional(),
  config: z.looseObject({ meta: metaSchema }).optional(),
});
export type Group = z.infer<typeof groupSchema>;

/** Unit tests: dbt requires model, given and expect; the rest is read as it is. */
export const unitTestSchema = z.looseObject({
  model: z.string(),
  given: z.array(z.unknown()),
  expect: z.looseObject({}),
  name: z.string(),
  resource_type: z.literal('unit_test'),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  fqn: z.array(z.string()),
});
export type UnitTest = z.infer<typeof unitTestSchema>;

export const manifestMetadataSchema = z.looseObject({
  ...baseMetadataShape,
  project_name: nullableString.optional(),
  project_id: nullableString.optional(),
  user_id: nullableString.optional(),
  send_anonymous_usage_stats: z.boolean().nullable().optional(),
  adapter_type: nullableString.optional(),
  quoting: z.looseObject({}).optional(),
  run_started_at: nullableString.optional(),
});
export type ManifestMetadata = z.infer<typeof manifestMetadataSchema>;

const map = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

export const manifestSchema = z.looseObject({
  metadata: manifestMetadataSchema,
  nodes: map(manifestNodeSchema),
  sources: map(sourceDefinitionSchema),
  macros: map(macroSchema),
  docs: map(documentationSchema),
  exposures: map(z.looseObject({})),
  metrics: map(z.looseObject({})),
  groups: map(groupSchema),
  selectors: map(z.unknown()),
  disabled: map(z.array(z.unknown())).nullable(),
  parent_map: map(z.array(z.string())).nullable(),
  child_map: map(z.array(z.string())).nullable(),
  group_map: map(z.array(z.string())).nullable(),
  saved_queries: map(z.looseObject({})),
  semantic_models: map(z.looseObject({})),
  unit_tests: map(unitTestSchema),
  functions: map(z.looseObject({})).optional(),
});

/** What the engine writes: the nodes it makes, typed exactly. */
export interface Manifest {
  metadata: ManifestMetadata;
  nodes: Record<string, ManifestNode>;
  sources: Record<string, SourceDefinition>;
  macros: Record<string, Macro>;
  docs: Record<string, Documentation>;
  exposures: Record<string, never>;
  metrics: Record<string, never>;
  groups: Record<string, Group>;
  selectors: Record<string, never>;
  disabled: Record<string, never>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
  group_map: Record<string, string[]>;
  saved_queries: Record<string, never>;
  semantic_models: Record<string, never>;
  unit_tests: Record<string, UnitTest>;
  functions?: Record<string, never>;
}
export type ManifestFile = z.infer<typeof manifestSchema>;

export function isModelEntry(node: { resource_type: string }): node is ManifestModel {
  return node.resource_type === 'model';
}
