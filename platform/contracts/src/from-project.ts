import { logicalTypeOf, normalizeType, type Contract, type ContractModel, type ContractProperty, type ContractServer, type QualityRule, type SlaProperty } from '@mesh/contract';
import type { CompiledProject, GraphNode, ModelNode, TestNode } from '@mesh/engine';
import { resolveVersion } from '@mesh/model-versions';
import { ruleOfCheck, ruleOfTest, type RuleContext } from './quality-rules';
import { contractServers } from './servers';

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
  /** Where the data the contract describes can be read (its ODCS servers). */
  servers?: ContractServer[];
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

function modelEntry(node: ModelNode, tests: TestNode[], owners: Map<string, string>, ctx: RuleContext, actual?: Array<{ name: string; type: string }>): ContractModel {
  const actualType = new Map((actual ?? []).map((c) => [c.name.toLowerCase(), c.type]));
  const columnTests = (column: string) => tests.filter((t) => t.column_name?.toLowerCase() === column.toLowerCase());
  const columnNames = new Set(node.columns.map((c) => c.name.toLowerCase()));
  const properties = node.columns.map((c): ContractProperty => {
    const declared = c.data_type ?? actualType.get(c.name.toLowerCase());
    const physicalType = declared ? normalizeType(declared) : undefined;
    const kinds = new Set(c.constraints.map((k) => k.type));
    const testNames = new Set(columnTests(c.name).map((t) => t.test_metadata?.name));
    const rules = columnTests(c.name).map((t) => ruleOfTest(t, ctx));
    const quality: QualityRule[] = [
      ...c.constraints.filter((k) => k.type === 'check' && k.expression).map((k) => ruleOfCheck(k.expression!)),
      ...rules.flatMap((r) => (r.quality ? [r.quality] : [])),
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
      relationships: rules.flatMap((r) => (r.relationship ? [r.relationship] : [])),
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
    // A model-level relationship has no column here to hang a foreign key on: it stays a dbt test.
    quality: tests
      .filter((t) => !t.column_name || !columnNames.has(t.column_name.toLowerCase()))
      .map((t) => ruleOfTest(t, { tableOf: () => undefined }).quality)
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
  const models = publicModels(project);
  // A foreign key can point at a table of this contract: a public model of the project, by ref.
  const ctx: RuleContext = {
    tableOf: (ref) => {
      if (ref.project && ref.project !== name) return undefined;
      const target = resolveVersion(models.filter((m) => m.name === ref.name), ref.version, (m) => ({ version: m.version, latestVersion: m.latest_version }));
      return target?.alias;
    },
  };
  const contract: Contract = {
    id: `urn:mesh:${name}`,
    name,
    version: options.version,
    domain: name,
    status: options.product?.status ?? 'active',
    servers: options.servers ?? contractServers(project.parsed),
    schema: models.map((m) => modelEntry(m, tests.get(m.unique_id) ?? [], owners, ctx, options.actualTypes?.get(m.unique_id))),
    slaProperties: options.product?.sla ?? [],
    roles: [],
  };
  if (options.product?.owner) contract.team = { ...options.product.owner };
  const purpose = options.product?.purpose ?? project.parsed.files.project.description;
  if (purpose) contract.description = { purpose };
  return contract;
}
