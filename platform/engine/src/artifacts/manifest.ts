import { createHash } from 'node:crypto';
import {
  baseMetadata,
  DBT_SCHEMA_URLS,
  type ColumnInfo,
  type Documentation,
  type Group,
  type Macro,
  type Manifest,
  type ManifestModel,
  type ManifestNode,
  type ManifestSeed,
  type ManifestSnapshot,
  type ModelConfig,
  type SourceDefinition,
  type TestConfig,
  type UnitTest,
} from '@mesh/artifacts';
import type { Dag } from '../graph/dag';
import type { ParsedProject } from '../parse/parse-project';
import type { ColumnConstraint, ColumnDef, FreshnessPeriod, GraphNode, ModelNode, NodeConfig, SourceNode, TestNode, UnitTestNode, UnitTestRows } from '../types';
import type { CompiledNode } from '../compile/compile';
import { relationSql, type RelationNaming } from '../compile/relations';
import { macroBlocks } from './macro-blocks';

export type { Manifest } from '@mesh/artifacts';

/** Model configs the engine types itself; every other key a project sets is kept as it is, as dbt keeps unknown configs. */
const MODEL_CONFIG_KEYS = new Set(['materialized', 'schema', 'alias', 'tags', 'enabled', 'access', 'group', 'contract', 'unique_key', 'incremental_strategy', 'full_refresh', 'column_types', 'meta', 'severity']);

const DOCS = { show: true, node_color: null };
/** Tests have no contract of their own; one object serves them all (it is only ever serialised). */
const NO_CONTRACT = { enforced: false, alias_types: true, checksum: null };

/** What every node of one manifest shares. */
interface Context {
  project: string;
  naming: RelationNaming;
  createdAt: number;
  /** Columns each model's unique and not_null tests cover, for dbt's inferred primary_key. */
  testedColumns: Map<string, { unique: Set<string>; notNull: Set<string> }>;
}

/** The audit schema dbt-duckdb puts tests in: `<target schema>_dbt_test__audit`. */
const AUDIT_SCHEMA = 'main_dbt_test__audit';

function hooks(value: unknown): Array<{ sql: string; transaction: boolean; index: null }> {
  const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  return list.map((h) => (typeof h === 'string' ? { sql: h, transaction: true, index: null } : (h as { sql: string; transaction: boolean; index: null })));
}

function constraint(c: ColumnConstraint) {
  return { type: c.type, name: c.name ?? null, expression: c.expression ?? null, warn_unenforced: true, warn_unsupported: true, to: null, to_columns: [] };
}

function columnsRecord(columns: ColumnDef[]): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  for (const c of columns) {
    out[c.name] = {
      name: c.name,
      description: c.description,
      meta: c.meta,
      data_type: c.data_type ?? null,
      constraints: c.constraints.map(constraint),
      quote: null,
      config: { meta: c.meta, tags: c.tags },
      tags: c.tags,
      granularity: null,
      doc_blocks: [],
    };
  }
  return out;
}

/** dbt's path: relative to the resource's folder (models/, seeds/, tests/); empty for nodes of another project. */
function pathOf(node: GraphNode): string {
  return node.original_file_path.replace(/^[^/]+\//, '');
}

function modelConfig(config: NodeConfig): ModelConfig {
  const out: ModelConfig = {
    enabled: config.enabled,
    alias: config.alias ?? null,
    schema: config.schema ?? null,
    database: null,
    tags: config.tags,
    meta: config.meta,
    group: config.group ?? null,
    materialized: config.materialized,
    incremental_strategy: config.incremental_strategy ?? null,
    persist_docs: {},
    'post-hook': hooks(config['post-hook']),
    'pre-hook': hooks(config['pre-hook']),
    quoting: {},
    column_types: config.column_types ?? {},
    full_refresh: config.full_refresh ?? null,
    unique_key: config.unique_key ?? null,
    on_schema_change: 'ignore',
    on_configuration_change: 'apply',
    grants: {},
    packages: [],
    docs: DOCS,
    contract: { enforced: config.contract.enforced, alias_types: true },
    access: config.access,
  };
  for (const key of Object.keys(config)) {
    if (MODEL_CONFIG_KEYS.has(key) || key === 'post-hook' || key === 'pre-hook') continue;
    out[key] = config[key];
  }
  return out;
}

function primaryKey(node: ModelNode, ctx: Context): string[] {
  const declared = node.columns.filter((c) => c.constraints.some((k) => k.type === 'primary_key')).map((c) => c.name);
  if (declared.length) return declared;
  const tested = ctx.testedColumns.get(node.unique_id);
  // dbt infers a single-column key from a column that is both unique and not_null.
  const both = tested ? [...tested.unique].filter((c) => tested.notNull.has(c)) : [];
  return both.length === 1 ? both : [];
}

/**
 * One object literal per kind, no spread: spreading shared fields and then adding ~40 keys made every
 * entry a slow dictionary-mode object, and building the manifest of 20,000 nodes took a second.
 */
function modelEntry(node: ModelNode, compiled: CompiledNode | undefined, ctx: Context): ManifestModel {
  // A node injected from another project's publication: dbt's external node, with no file here.
  const external = node.external === true;
  const code = compiled?.sql ?? null;
  return {
    database: node.database,
    schema: node.schema,
    name: node.name,
    resource_type: 'model',
    package_name: node.package_name,
    path: external ? '' : pathOf(node),
    original_file_path: external ? '' : node.original_file_path,
    unique_id: node.unique_id,
    fqn: node.fqn,
    alias: node.alias,
    checksum: { name: 'sha256', checksum: node.checksum },
    config: modelConfig(node.config),
    tags: node.tags,
    description: node.description,
    columns: columnsRecord(node.columns),
    meta: node.meta,
    group: node.config.group ?? null,
    docs: DOCS,
    patch_path: node.patch_path ? `${node.package_name}://${node.patch_path}` : null,
    build_path: null,
    unrendered_config: {},
    created_at: ctx.createdAt,
    // The compiler named the relation already, with the same target's naming.
    relation_name: node.config.materialized === 'ephemeral' ? null : (compiled?.relation ?? relationSql(node, ctx.naming)),
    raw_code: node.raw_code,
    doc_blocks: [],
    language: 'sql',
    refs: node.refs.map((r) => ({ name: r.name, package: r.project ?? null, version: r.version ?? null })),
    sources: node.sources.map((s) => [s.source, s.table]),
    metrics: [],
    functions: [],
    depends_on: node.depends_on,
    compiled_path: code === null ? null : `target/compiled/${ctx.project}/${node.original_file_path}`,
    compiled: code !== null,
    compiled_code: code,
    extra_ctes_injected: code !== null,
    extra_ctes: [],
    contract: { enforced: node.config.contract.enforced, alias_types: true, checksum: null },
    access: node.config.access,
    constraints: [],
    version: node.version ?? null,
    latest_version: node.latest_version ?? null,
    deprecation_date: node.deprecation_date ?? null,
    primary_key: primaryKey(node, ctx),
    time_spine: null,
  };
}

function seedEntry(node: ModelNode, ctx: Context): ManifestSeed {
  const config = modelConfig(node.config);
  return {
    database: node.database,
    schema: node.schema,
    name: node.name,
    resource_type: 'seed',
    package_name: node.package_name,
    path: pathOf(node),
    original_file_path: node.original_file_path,
    unique_id: node.unique_id,
    fqn: node.fqn,
    alias: node.alias,
    checksum: { name: 'sha256', checksum: node.checksum },
    config: { ...config, delimiter: typeof node.config.delimiter === 'string' ? node.config.delimiter : ',', quote_columns: typeof node.config.quote_columns === 'boolean' ? node.config.quote_columns : null },
    tags: node.tags,
    description: node.description,
    columns: columnsRecord(node.columns),
    meta: node.meta,
    group: node.config.group ?? null,
    docs: DOCS,
    patch_path: node.patch_path ? `${node.package_name}://${node.patch_path}` : null,
    build_path: null,
    unrendered_config: {},
    created_at: ctx.createdAt,
    relation_name: relationSql(node, ctx.naming),
    raw_code: '',
    doc_blocks: [],
    root_path: null,
    depends_on: { macros: [] },
  };
}

/** dbt's snapshot node: a compiled node like a model's, without what only models have (access, versions, contract). */
function snapshotEntry(node: ModelNode, compiled: CompiledNode | undefined, ctx: Context): ManifestSnapshot {
  const code = compiled?.sql ?? null;
  const spec = node.snapshot;
  return {
    database: node.database,
    schema: node.schema,
    name: node.name,
    resource_type: 'snapshot',
    package_name: node.package_name,
    path: pathOf(node),
    original_file_path: node.original_file_path,
    unique_id: node.unique_id,
    fqn: node.fqn,
    alias: node.alias,
    checksum: { name: 'sha256', checksum: node.checksum },
    config: {
      ...modelConfig(node.config),
      materialized: 'snapshot',
      strategy: spec?.strategy ?? null,
      unique_key: spec ? (spec.uniqueKey.length === 1 ? spec.uniqueKey[0]! : spec.uniqueKey) : null,
      updated_at: spec?.updatedAt ?? null,
      check_cols: spec?.checkCols ?? null,
      hard_deletes: spec?.hardDeletes ?? null,
      snapshot_meta_column_names: spec ? { ...spec.columnNames } : {},
      dbt_valid_to_current: spec?.validToCurrent ?? null,
    },
    tags: node.tags,
    description: node.description,
    columns: columnsRecord(node.columns),
    meta: node.meta,
    group: node.config.group ?? null,
    docs: DOCS,
    patch_path: node.patch_path ? `${node.package_name}://${node.patch_path}` : null,
    build_path: null,
    unrendered_config: {},
    created_at: ctx.createdAt,
    relation_name: compiled?.relation ?? relationSql(node, ctx.naming),
    raw_code: node.raw_code,
    doc_blocks: [],
    language: 'sql',
    refs: node.refs.map((r) => ({ name: r.name, package: r.project ?? null, version: r.version ?? null })),
    sources: node.sources.map((s) => [s.source, s.table]),
    metrics: [],
    functions: [],
    depends_on: node.depends_on,
    compiled_path: code === null ? null : `target/compiled/${ctx.project}/${node.original_file_path}`,
    compiled: code !== null,
    compiled_code: code,
    extra_ctes_injected: code !== null,
    extra_ctes: [],
    contract: NO_CONTRACT,
    defer_relation: null,
  };
}

function fixtureEntry(rows: UnitTestRows, fixture: string | undefined): Record<string, unknown> {
  if (rows.format === 'sql') return { format: 'sql', rows: rows.sql, fixture: fixture ?? null };
  if (rows.format === 'seed') return { format: 'dict', rows: null, fixture: null };
  return { format: rows.format, rows: rows.rows, fixture: fixture ?? null };
}

/** dbt's unit test definition, in the manifest's own `unit_tests` section. */
function unitTestEntry(node: UnitTestNode, ctx: Context): UnitTest {
  const overrides = node.overrides;
  const hasOverrides = Object.keys(overrides.macros).length + Object.keys(overrides.vars).length + Object.keys(overrides.env_vars).length > 0;
  return {
    model: node.model,
    given: node.given.map((g) => ({ input: g.input, ...fixtureEntry(g.rows, g.fixture) })),
    expect: fixtureEntry(node.expect, node.expect.fixture),
    name: node.name,
    resource_type: 'unit_test',
    package_name: node.package_name,
    path: pathOf(node),
    original_file_path: node.original_file_path,
    unique_id: node.unique_id,
    fqn: node.fqn,
    description: node.description,
    overrides: hasOverrides ? overrides : null,
    depends_on: node.depends_on,
    config: { ...node.config },
    checksum: node.checksum,
    schema: null,
    created_at: ctx.createdAt,
    versions: node.versions ?? null,
    version: node.version ?? null,
  };
}

function testConfig(node: TestNode): TestConfig {
  const c = node.config;
  return {
    enabled: c.enabled,
    alias: null,
    schema: c.schema ?? 'dbt_test__audit',
    database: null,
    tags: c.tags,
    meta: {},
    group: null,
    materialized: 'test',
    severity: c.severity.toUpperCase(),
    store_failures: c.store_failures ?? null,
    store_failures_as: null,
    where: c.where ?? null,
    limit: c.limit ?? null,
    fail_calc: c.fail_calc,
    warn_if: c.warn_if,
    error_if: c.error_if,
  };
}

/** The properties-file key a generic test is declared under, as dbt records it: `models.orders`, `sources.raw`. */
function fileKeyName(node: TestNode, dag: Dag): string | null {
  const attached = node.attached_node ? dag.nodes.get(node.attached_node) : undefined;
  if (!attached) return null;
  if (attached.resource_type === 'source') return `sources.${attached.source_name}`;
  return `${attached.resource_type}s.${attached.name}`;
}

function testEntry(node: TestNode, compiled: CompiledNode | undefined, ctx: Context, dag: Dag, database: string): ManifestNode {
  const code = compiled?.sql ?? null;
  const stored = node.config.store_failures === true;
  const relation = stored ? relationSql({ ...node, resource_type: 'test' }, ctx.naming) : null;
  const refs = node.refs.map((r) => ({ name: r.name, package: r.project ?? null, version: r.version ?? null }));
  const sources = node.sources.map((s) => [s.source, s.table]);
  const meta = node.test_metadata;
  // Two literals rather than one spread into the other: a spread copy of ~40 keys is a slow
  // dictionary-mode object, and a big project has tens of thousands of tests.
  if (!meta) {
    return {
      database, schema: node.config.schema ?? AUDIT_SCHEMA, name: node.name, resource_type: 'test', package_name: node.package_name,
      path: pathOf(node), original_file_path: node.original_file_path, unique_id: node.unique_id, fqn: node.fqn, alias: node.name,
      checksum: { name: 'sha256', checksum: node.checksum }, config: testConfig(node), tags: node.tags, description: node.description,
      columns: {}, meta: node.meta, group: null, docs: DOCS, patch_path: null, build_path: null, unrendered_config: {},
      created_at: ctx.createdAt, relation_name: relation, raw_code: node.raw_code, doc_blocks: [], language: 'sql', refs, sources,
      metrics: [], functions: [], depends_on: node.depends_on,
      compiled_path: code === null ? null : `target/compiled/${ctx.project}/${node.original_file_path}`,
      compiled: code !== null, compiled_code: code, extra_ctes_injected: code !== null, extra_ctes: [], contract: NO_CONTRACT,
    };
  }
  return {
    database, schema: node.config.schema ?? AUDIT_SCHEMA, name: node.name, resource_type: 'test', package_name: node.package_name,
    path: `${node.name}.sql`, original_file_path: node.original_file_path, unique_id: node.unique_id, fqn: node.fqn, alias: node.name,
    checksum: { name: 'sha256', checksum: node.checksum }, config: testConfig(node), tags: node.tags, description: node.description,
    columns: {}, meta: node.meta, group: null, docs: DOCS, patch_path: null, build_path: null, unrendered_config: {},
    created_at: ctx.createdAt, relation_name: relation, raw_code: node.raw_code, doc_blocks: [], language: 'sql', refs, sources,
    metrics: [], functions: [], depends_on: node.depends_on,
    compiled_path: code === null ? null : `target/compiled/${ctx.project}/${node.original_file_path}/${node.name}.sql`,
    compiled: code !== null, compiled_code: code, extra_ctes_injected: code !== null, extra_ctes: [], contract: NO_CONTRACT,
    column_name: node.column_name ?? null, file_key_name: fileKeyName(node, dag), attached_node: node.attached_node ?? null,
    test_metadata: { name: meta.name, kwargs: meta.kwargs, namespace: meta.namespace ?? null },
  };
}

const period = (p: FreshnessPeriod | undefined) => (p ? { count: p.count, period: p.period } : null);

function sourceEntry(node: SourceNode, ctx: Context): SourceDefinition {
  const freshness = node.freshness
    ? { warn_after: period(node.freshness.warn_after), error_after: period(node.freshness.error_after), filter: node.freshness.filter ?? null }
    : null;
  return {
    database: node.database,
    schema: node.schema,
    name: node.name,
    resource_type: 'source',
    package_name: node.package_name,
    path: pathOf(node),
    original_file_path: node.original_file_path,
    unique_id: node.unique_id,
    fqn: node.fqn,
    source_name: node.source_name,
    source_description: node.source_description ?? '',
    loader: node.loader ?? '',
    identifier: node.identifier,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: node.loaded_at_field ?? null,
    loaded_at_query: node.loaded_at_query ?? null,
    freshness,
    // A file read in place (dbt-duckdb's external_location), as dbt-external-tables records it.
    external: node.external_location ? { location: node.external_location, file_format: null, row_format: null, tbl_properties: null, partitions: null } : null,
    description: node.description,
    columns: columnsRecord(node.columns),
    meta: node.meta,
    source_meta: node.source_meta ?? {},
    tags: node.tags,
    config: { enabled: true, event_time: null, freshness, loaded_at_field: node.loaded_at_field ?? null, loaded_at_query: node.loaded_at_query ?? null, meta: node.meta, tags: node.tags },
    patch_path: null,
    unrendered_config: {},
    relation_name: relationSql(node, ctx.naming),
    created_at: ctx.createdAt,
    unrendered_database: null,
    unrendered_schema: null,
    doc_blocks: [],
  };
}

function macrosOf(parsed: ParsedProject, createdAt: number): Record<string, Macro> {
  const out: Record<string, Macro> = {};
  // The project's macros and those of its installed packages, each under its own package's name, as dbt lists them.
  const sources = [
    ...parsed.files.macros.map((file) => ({ file, pkg: parsed.name })),
    ...parsed.files.packages.flatMap((p) => p.macros.map((file) => ({ file, pkg: p.name }))),
  ];
  for (const { file, pkg } of sources) {
    for (const block of macroBlocks(file.text)) {
      const id = `macro.${pkg}.${block.name}`;
      out[id] = {
        name: block.name,
        resource_type: 'macro',
        package_name: pkg,
        path: file.path,
        original_file_path: file.path,
        unique_id: id,
        macro_sql: block.sql,
        depends_on: { macros: [] },
        description: '',
        meta: {},
        docs: DOCS,
        patch_path: null,
        arguments: block.arguments.map((name) => ({ name, type: null, description: '' })),
        created_at: createdAt,
        supported_languages: null,
      };
    }
  }
  return out;
}

function groupsOf(parsed: ParsedProject): Record<string, Group> {
  const out: Record<string, Group> = {};
  for (const file of parsed.files.properties) {
    for (const g of file.data.groups ?? []) {
      const id = `group.${parsed.name}.${g.name}`;
      out[id] = {
        name: g.name,
        resource_type: 'group',
        package_name: parsed.name,
        path: file.path.replace(/^[^/]+\//, ''),
        original_file_path: file.path,
        unique_id: id,
        owner: { name: g.owner.name ?? null, email: g.owner.email ?? null },
        description: g.description ?? null,
        config: { meta: {} },
      };
    }
  }
  return out;
}

/** The project's front page on dbt's docs site: its description, under dbt's `__overview__` name. */
function overview(parsed: ParsedProject): Record<string, Documentation> {
  const id = `doc.${parsed.name}.__overview__`;
  const description = parsed.files.project.description ?? '';
  return {
    [id]: {
      name: '__overview__',
      resource_type: 'doc',
      package_name: parsed.name,
      path: 'overview.md',
      original_file_path: parsed.files.projectFilePath,
      unique_id: id,
      block_contents: `### ${parsed.name}\n\n${description}`.trim(),
    },
  };
}

function testedColumns(dag: Dag): Context['testedColumns'] {
  const out: Context['testedColumns'] = new Map();
  for (const node of dag.nodes.values()) {
    if (node.resource_type !== 'test' || !node.attached_node || !node.column_name) continue;
    const kind = node.test_metadata?.name;
    if (kind !== 'unique' && kind !== 'not_null') continue;
    let entry = out.get(node.attached_node);
    if (!entry) out.set(node.attached_node, (entry = { unique: new Set(), notNull: new Set() }));
    (kind === 'unique' ? entry.unique : entry.notNull).add(node.column_name);
  }
  return out;
}

/** Most nodes have one parent or child, or none: those need no sort. */
function sortedCopy(ids: string[]): string[] {
  return ids.length < 2 ? ids.slice() : ids.slice().sort();
}

export interface ManifestOptions {
  invocationId: string;
  /** When the invocation started (metadata.invocation_started_at). */
  startedAt: Date;
}

/**
 * dbt's manifest.json, schema v12, valid against the JSON schema dbt-core builds from its artifact
 * classes: dbt docs, dbt-loom and dbt's own state comparison read it. What the mesh knows beyond dbt
 * goes in nodes' `meta` or in files of its own.
 */
export function buildManifest(parsed: ParsedProject, dag: Dag, compiled: Map<string, CompiledNode>, options: ManifestOptions): Manifest {
  const createdAt = Date.now() / 1000;
  const ctx: Context = { project: parsed.name, naming: parsed.target, createdAt, testedColumns: testedColumns(dag) };
  const nodes: Manifest['nodes'] = {};
  const sources: Manifest['sources'] = {};
  const unitTests: Manifest['unit_tests'] = {};
  const groupMap: Record<string, string[]> = {};
  for (const node of dag.nodes.values()) {
    if (node.resource_type === 'source') {
      sources[node.unique_id] = sourceEntry(node, ctx);
      continue;
    }
    if (node.resource_type === 'test') {
      nodes[node.unique_id] = testEntry(node, compiled.get(node.unique_id), ctx, dag, parsed.target.database);
      continue;
    }
    if (node.resource_type === 'unit_test') {
      unitTests[node.unique_id] = unitTestEntry(node, ctx);
      continue;
    }
    nodes[node.unique_id] =
      node.resource_type === 'seed' ? seedEntry(node, ctx)
      : node.resource_type === 'snapshot' ? snapshotEntry(node, compiled.get(node.unique_id), ctx)
      : modelEntry(node, compiled.get(node.unique_id), ctx);
    const group = node.config.group;
    if (group && node.package_name === parsed.name) (groupMap[group] ??= []).push(node.unique_id);
  }
  const parent_map: Record<string, string[]> = {};
  const child_map: Record<string, string[]> = {};
  for (const id of dag.nodes.keys()) {
    parent_map[id] = sortedCopy(dag.parents.get(id)!);
    child_map[id] = sortedCopy(dag.children.get(id)!);
  }
  return {
    metadata: {
      ...baseMetadata(DBT_SCHEMA_URLS.manifest, options.invocationId, options.startedAt),
      project_name: parsed.name,
      // dbt's project id: the md5 of the project name.
      project_id: createHash('md5').update(parsed.name).digest('hex'),
      user_id: null,
      send_anonymous_usage_stats: false,
      adapter_type: parsed.target.type,
      quoting: { database: true, schema: true, identifier: true, column: null },
      run_started_at: options.startedAt.toISOString(),
    },
    nodes,
    sources,
    macros: macrosOf(parsed, createdAt),
    docs: overview(parsed),
    exposures: {},
    metrics: {},
    groups: groupsOf(parsed),
    selectors: {},
    disabled: {},
    parent_map,
    child_map,
    group_map: groupMap,
    saved_queries: {},
    semantic_models: {},
    unit_tests: unitTests,
  };
}

/** dbt's `graph` at run time (its flat graph): the manifest's nodes, sources, unit tests and groups by unique id. */
export function runGraphOf(manifest: Manifest): Record<string, unknown> {
  return {
    nodes: manifest.nodes,
    sources: manifest.sources,
    exposures: manifest.exposures,
    metrics: manifest.metrics,
    groups: manifest.groups,
    semantic_models: manifest.semantic_models,
    saved_queries: manifest.saved_queries,
    unit_tests: manifest.unit_tests,
    functions: {},
  };
}
