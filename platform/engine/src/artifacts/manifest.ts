import type { Dag } from '../graph/dag';
import type { ParsedProject } from '../parse/parse-project';
import type { GraphNode, UnitTestNode, UnitTestRows } from '../types';
import type { CompiledNode } from '../compile/compile';
import { relationSql, type RelationNaming } from '../compile/relations';

/** Bumped on any change a reader of the file would notice; readers check it. */
export const MANIFEST_SCHEMA_VERSION = 'https://mesh.dev/schemas/manifest/v1.json';

export interface Manifest {
  metadata: {
    mesh_schema_version: string;
    dbt_schema_version: string;
    generated_at: string;
    invocation_id: string;
    project_name: string;
    project_version?: string;
    adapter_type: string;
    target_name: string;
  };
  nodes: Record<string, Record<string, unknown>>;
  sources: Record<string, Record<string, unknown>>;
  macros: Record<string, Record<string, unknown>>;
  groups: Record<string, Record<string, unknown>>;
  unit_tests: Record<string, Record<string, unknown>>;
  exposures: Record<string, never>;
  metrics: Record<string, never>;
  semantic_models: Record<string, never>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
  disabled: Record<string, never>;
}

function columnsRecord(node: { columns: Array<{ name: string; description: string; data_type?: string; constraints: unknown[]; tags: string[]; meta: Record<string, unknown> }> }) {
  return Object.fromEntries(
    node.columns.map((c) => [c.name, { name: c.name, description: c.description, data_type: c.data_type ?? null, constraints: c.constraints, tags: c.tags, meta: c.meta, quote: null }]),
  );
}

/**
 * One object literal per kind, no spread: spreading shared fields and then adding ~25 keys made every
 * entry a slow dictionary-mode object, and building the manifest of 20,000 nodes took a second.
 */
function nodeEntry(node: GraphNode, compiled: CompiledNode | undefined, naming: RelationNaming): Record<string, unknown> {
  if (node.resource_type === 'source') {
    return {
      unique_id: node.unique_id,
      resource_type: node.resource_type,
      name: node.name,
      package_name: node.package_name,
      path: node.original_file_path.replace(/^[^/]+\//, ''),
      original_file_path: node.original_file_path,
      fqn: node.fqn,
      description: node.description,
      tags: node.tags,
      meta: node.meta,
      source_name: node.source_name,
      identifier: node.identifier,
      database: node.database,
      schema: node.schema,
      relation_name: relationSql(node, naming),
      columns: columnsRecord(node),
      loader: node.loader ?? '',
      patch_path: node.patch_path,
      external_location: node.external_location ?? null,
      source_description: node.source_description ?? '',
      loaded_at_field: node.loaded_at_field ?? null,
      freshness: node.freshness ?? null,
      source_meta: {},
      config: { enabled: true, tags: node.tags, meta: node.meta, freshness: node.freshness ?? null, event_time: null },
    };
  }
  if (node.resource_type === 'test') {
    return {
      unique_id: node.unique_id,
      resource_type: node.resource_type,
      name: node.name,
      package_name: node.package_name,
      path: node.original_file_path.replace(/^[^/]+\//, ''),
      original_file_path: node.original_file_path,
      fqn: node.fqn,
      description: node.description,
      tags: node.tags,
      meta: node.meta,
      config: node.config,
      columns: {},
      test_metadata: node.test_metadata ?? null,
      column_name: node.column_name ?? null,
      attached_node: node.attached_node ?? null,
      raw_code: node.raw_code,
      compiled_code: compiled?.sql ?? null,
      compiled: compiled !== undefined,
      depends_on: node.depends_on,
      refs: node.refs.map((r) => ({ name: r.name, package: r.project ?? null, version: r.version ?? null })),
      sources: node.sources.map((s) => [s.source, s.table]),
      checksum: { name: 'sha256', checksum: node.checksum },
    };
  }
  if (node.resource_type === 'unit_test') return unitTestEntry(node);
  const entry: Record<string, unknown> = {
    unique_id: node.unique_id,
    resource_type: node.resource_type,
    name: node.name,
    package_name: node.package_name,
    path: node.original_file_path.replace(/^[^/]+\//, ''),
    original_file_path: node.original_file_path,
    fqn: node.fqn,
    description: node.description,
    tags: node.tags,
    meta: node.meta,
    database: node.database,
    schema: node.schema,
    alias: node.alias,
    // The compiler named the relation already, with the same target's naming.
    relation_name: node.config.materialized === 'ephemeral' ? null : (compiled?.relation ?? relationSql(node, naming)),
    config: node.config,
    columns: columnsRecord(node),
    raw_code: node.raw_code,
    compiled_code: compiled?.sql ?? null,
    compiled: compiled !== undefined,
    depends_on: node.depends_on,
    refs: node.refs.map((r) => ({ name: r.name, package: r.project ?? null, version: r.version ?? null })),
    sources: node.sources.map((s) => [s.source, s.table]),
    access: node.config.access,
    group: node.config.group ?? null,
    version: node.version ?? null,
    latest_version: node.latest_version ?? null,
    deprecation_date: node.deprecation_date ?? null,
    contract: { enforced: node.config.contract.enforced, alias_types: true, checksum: null },
    constraints: [],
    checksum: { name: 'sha256', checksum: node.checksum },
    patch_path: node.patch_path ?? null,
    external: node.external === true,
  };
  return node.resource_type === 'snapshot' ? snapshotEntry(entry) : entry;
}

/** Keys of a model entry dbt's snapshot node does not have: snapshots have no access, versions or contract. */
const MODEL_ONLY = ['access', 'version', 'latest_version', 'deprecation_date', 'contract', 'constraints', 'external'] as const;

/** dbt's snapshot node: a model's entry without what only models have. Snapshots are few; the copy is cheap. */
function snapshotEntry(model: Record<string, unknown>): Record<string, unknown> {
  const entry: Record<string, unknown> = { ...model, language: 'sql' };
  for (const key of MODEL_ONLY) delete entry[key];
  return entry;
}

function fixtureEntry(rows: UnitTestRows, fixture: string | undefined): Record<string, unknown> {
  if (rows.format === 'sql') return { format: 'sql', rows: rows.sql, fixture: fixture ?? null };
  if (rows.format === 'seed') return { format: 'dict', rows: null, fixture: null };
  return { format: rows.format, rows: rows.rows, fixture: fixture ?? null };
}

/** dbt's unit test definition, in the manifest's own `unit_tests` section. */
function unitTestEntry(node: UnitTestNode): Record<string, unknown> {
  const overrides = node.overrides;
  const hasOverrides = Object.keys(overrides.macros).length + Object.keys(overrides.vars).length + Object.keys(overrides.env_vars).length > 0;
  return {
    unique_id: node.unique_id,
    resource_type: node.resource_type,
    name: node.name,
    package_name: node.package_name,
    path: node.original_file_path.replace(/^[^/]+\//, ''),
    original_file_path: node.original_file_path,
    fqn: node.fqn,
    description: node.description,
    model: node.model,
    given: node.given.map((g) => ({ input: g.input, ...fixtureEntry(g.rows, g.fixture) })),
    expect: fixtureEntry(node.expect, node.expect.fixture),
    overrides: hasOverrides ? overrides : null,
    depends_on: node.depends_on,
    config: node.config,
    checksum: node.checksum,
    versions: node.versions ?? null,
    version: node.version ?? null,
  };
}

/** Most nodes have one parent or child, or none: those need no sort. */
function sortedCopy(ids: string[]): string[] {
  return ids.length < 2 ? ids.slice() : ids.slice().sort();
}

/** dbt's manifest.json, field for field where dbt has one, so the ecosystem (and our other projects) can read it. */
export function buildManifest(parsed: ParsedProject, dag: Dag, compiled: Map<string, CompiledNode>, invocationId: string): Manifest {
  const nodes: Manifest['nodes'] = {};
  const sources: Manifest['sources'] = {};
  const unit_tests: Manifest['unit_tests'] = {};
  for (const node of dag.nodes.values()) {
    const entry = nodeEntry(node, compiled.get(node.unique_id), parsed.target);
    if (node.resource_type === 'source') sources[node.unique_id] = entry;
    else if (node.resource_type === 'unit_test') unit_tests[node.unique_id] = entry;
    else nodes[node.unique_id] = entry;
  }
  const macros: Manifest['macros'] = {};
  for (const m of parsed.macros) {
    const id = `macro.${m.package}.${m.name}`;
    macros[id] = { unique_id: id, name: m.name, package_name: m.package, original_file_path: m.path };
  }
  const groups: Manifest['groups'] = {};
  for (const g of parsed.groups) {
    groups[`group.${parsed.name}.${g.name}`] = { unique_id: `group.${parsed.name}.${g.name}`, name: g.name, package_name: parsed.name, owner: g.owner, description: g.description ?? null };
  }
  const parent_map: Record<string, string[]> = {};
  const child_map: Record<string, string[]> = {};
  for (const id of dag.nodes.keys()) {
    parent_map[id] = sortedCopy(dag.parents.get(id)!);
    child_map[id] = sortedCopy(dag.children.get(id)!);
  }
  return {
    metadata: {
      mesh_schema_version: MANIFEST_SCHEMA_VERSION,
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      generated_at: new Date().toISOString(),
      invocation_id: invocationId,
      project_name: parsed.name,
      project_version: parsed.files.project.version,
      adapter_type: parsed.target.type,
      target_name: parsed.target.name,
    },
    nodes,
    sources,
    macros,
    groups,
    unit_tests,
    exposures: {},
    metrics: {},
    semantic_models: {},
    parent_map,
    child_map,
    disabled: {},
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
    saved_queries: {},
    unit_tests: manifest.unit_tests,
    functions: {},
  };
}
