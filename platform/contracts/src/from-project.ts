import { logicalTypeOf, normalizeType, type Contract, type ContractModel, type ContractProperty, type QualityRule, type SlaProperty } from '@mesh/contract';
import { parseRelationshipTo, type CompiledProject, type GraphNode, type ModelNode, type RefCall, type TestNode } from '@mesh/engine';

/** What the domain says about itself as a product: owner and service levels (from its data product descriptor). */
export interface ProductInfo {
  owner?: { name: string; email?: string };
  status?: Contract['status'];
  purpose?: string;
  sla?: SlaProperty[];
}

export interface ContractOptions {
  /** The contract's version: the domain package's version. */
  version: string;
  product?: ProductInfo;
  /**
   * Column types as the database reports them for built relations, by unique id. They fill in columns
   * declared without a data_type, so a contract is complete even where the YAML is not.
   */
  actualTypes?: Map<string, Array<{ name: string; type: string }>>;
}

/** The project's own public models, as a consumer can ref them: what the contract promises. */
export function publicModels(project: Pick<CompiledProject, 'dag' | 'parsed'>): ModelNode[] {
  const out: ModelNode[] = [];
  for (const n of project.dag.nodes.values()) {
    if (n.resource_type !== 'model' || n.external || n.package_name !== project.parsed.name) continue;
    if (n.config.access === 'public' && n.config.materialized !== 'ephemeral') out.push(n);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || Number(a.version ?? 0) - Number(b.version ?? 0));
}

/** The model a relationships test points at: `to` is written as dbt has it, `ref('customers')`. */
function refName(written: unknown): string | undefined {
  const to = typeof written === 'string' ? parseRelationshipTo(written) : written;
  if (to && typeof to === 'object' && 'ref' in to) {
    const ref = (to as { ref: RefCall }).ref;
    return `${ref.project ? `${ref.project}.` : ''}${ref.name}${ref.version ? `.v${ref.version}` : ''}`;
  }
  if (to && typeof to === 'object' && 'source' in to) {
    const s = (to as { source: { source: string; table: string } }).source;
    return `${s.source}.${s.table}`;
  }
  return undefined;
}

/** A generic test as a quality rule; not_null and unique are carried by required/unique instead. */
function ruleOf(test: TestNode): QualityRule | undefined {
  const meta = test.test_metadata;
  if (!meta || meta.name === 'not_null' || meta.name === 'unique') return undefined;
  const rule: QualityRule = { type: 'library', rule: meta.name };
  if (meta.name === 'accepted_values' && Array.isArray(meta.kwargs.values)) rule.validValues = meta.kwargs.values as Array<string | number | boolean>;
  if (meta.name === 'relationships') {
    const to = refName(meta.kwargs.to);
    if (to) rule.references = `${to}.${String(meta.kwargs.field)}`;
  }
  if (test.config.severity === 'warn') rule.severity = 'warn';
  return rule;
}

function testsByModel(nodes: Iterable<GraphNode>): Map<string, TestNode[]> {
  const out = new Map<string, TestNode[]>();
  for (const n of nodes) {
    if (n.resource_type !== 'test' || !n.attached_node || !n.config.enabled) continue;
    const list = out.get(n.attached_node) ?? [];
    list.push(n);
    out.set(n.attached_node, list);
  }
  return out;
}

function classificationOf(tags: string[], meta: Record<string, unknown>): string | undefined {
  if (typeof meta.classification === 'string') return meta.classification;
  return tags.includes('pii') ? 'pii' : undefined;
}

function modelEntry(node: ModelNode, tests: TestNode[], owners: Map<string, string>, actual?: Array<{ name: string; type: string }>): ContractModel {
  const actualType = new Map((actual ?? []).map((c) => [c.name.toLowerCase(), c.type]));
  const columnTests = (column: string) => tests.filter((t) => t.column_name?.toLowerCase() === column.toLowerCase());
  const columnNames = new Set(node.columns.map((c) => c.name.toLowerCase()));
  const properties = node.columns.map((c): ContractProperty => {
    const declared = c.data_type ?? actualType.get(c.name.toLowerCase());
    const physicalType = declared ? normalizeType(declared) : undefined;
    const kinds = new Set(c.constraints.map((k) => k.type));
    const testNames = new Set(columnTests(c.name).map((t) => t.test_metadata?.name));
    const quality: QualityRule[] = [
      ...c.constraints.filter((k) => k.type === 'check' && k.expression).map((k): QualityRule => ({ type: 'sql', rule: 'check', expression: k.expression })),
      ...columnTests(c.name).map(ruleOf).filter((r): r is QualityRule => r !== undefined),
    ];
    const property: ContractProperty = {
      name: c.name,
      physicalType,
      logicalType: physicalType ? logicalTypeOf(physicalType) : 'string',
      required: kinds.has('not_null') || kinds.has('primary_key') || testNames.has('not_null'),
      unique: kinds.has('unique') || kinds.has('primary_key') || testNames.has('unique'),
      primaryKey: kinds.has('primary_key'),
      tags: c.tags,
      quality,
    };
    if (c.description) property.description = c.description;
    const classification = classificationOf(c.tags, c.meta);
    if (classification) property.classification = classification;
    return property;
  });
  const entry: ContractModel = {
    name: node.name,
    version: node.version ?? null,
    latestVersion: node.version ? (node.latest_version ?? null) : null,
    physicalName: `${node.schema}.${node.alias}`,
    physicalType: node.config.materialized,
    logicalType: 'object',
    tags: node.tags,
    // Tests on columns the contract does not list still guard the model, so they stay at its level.
    quality: tests
      .filter((t) => !t.column_name || !columnNames.has(t.column_name.toLowerCase()))
      .map(ruleOf)
      .filter((r): r is QualityRule => r !== undefined),
    properties,
  };
  if (node.deprecation_date) entry.deprecationDate = node.deprecation_date;
  if (node.description) entry.description = node.description;
  const owner = node.config.group ? owners.get(node.config.group) : undefined;
  if (owner) entry.owner = owner;
  return entry;
}

/**
 * The contract a project offers now: its public models (each version of a versioned one) with their
 * columns, types, constraints and tests, under the given version. Built from the compiled project, so
 * it needs no database; pass `actualTypes` after a build to complete undeclared types.
 */
export function contractFromProject(project: Pick<CompiledProject, 'dag' | 'parsed'>, options: ContractOptions): Contract {
  const tests = testsByModel(project.dag.nodes.values());
  const owners = new Map(project.parsed.groups.map((g) => [g.name, g.owner.email ?? g.owner.name ?? g.name]));
  const name = project.parsed.name;
  const contract: Contract = {
    apiVersion: 'v3.0.2',
    kind: 'DataContract',
    id: `urn:mesh:${name}`,
    name,
    version: options.version,
    domain: name,
    status: options.product?.status ?? 'active',
    schema: publicModels(project).map((m) => modelEntry(m, tests.get(m.unique_id) ?? [], owners, options.actualTypes?.get(m.unique_id))),
    slaProperties: options.product?.sla ?? [],
    roles: [],
  };
  if (options.product?.owner) contract.team = { ...options.product.owner };
  const purpose = options.product?.purpose ?? project.parsed.files.project.description;
  if (purpose) contract.description = { purpose };
  return contract;
}
