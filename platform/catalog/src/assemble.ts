import { nodeView, type NodeView } from '@mesh/artifacts';
import { publicationFacts } from '@mesh/loom';
import type { ManifestFile, RunResultsFile } from './artifacts';
import type { CollectedDomain, CollectedMesh } from './collect';
import { splitRelationName } from './relation-index';
import type { CatalogColumn, CatalogDomain, CatalogNode, CatalogTest, HistoryPoint, NodeKind } from './types';

/**
 * The catalog's domains and nodes from every domain's artifacts, before column lineage. A model that
 * a consumer's manifest carries as an upstream node is taken from its own domain when that domain is
 * in the workspace (it knows the SQL, tests and build); only a domain outside the workspace (a path
 * or URL upstream) is shown from its consumers' copies.
 */

const KINDS = new Set<NodeKind>(['model', 'source', 'seed', 'snapshot']);
const STORED = new Set(['table', 'incremental', 'seed', 'snapshot']);

export interface AssembledNode extends CatalogNode {
  /** Whether the columns are the built relation's, in the query's order (else YAML's order). */
  columnsFromDatabase: boolean;
}

function resultsById(results: RunResultsFile | undefined) {
  return new Map((results?.results ?? []).map((r) => [r.unique_id, r]));
}

function columns(node: NodeView, built: Array<{ name: string; type: string }> | undefined): CatalogColumn[] {
  const declared = new Map(node.columns.map((c) => [c.name.toLowerCase(), c]));
  const column = (name: string, type: string | null): CatalogColumn => {
    const yaml = declared.get(name.toLowerCase());
    return { name, type: type ?? yaml?.data_type ?? null, description: yaml?.description ?? '', tags: yaml?.tags ?? [], lineage: [] };
  };
  if (built?.length) return built.map((c) => column(c.name, c.type));
  return node.columns.map((c) => column(c.name, null));
}

/** Each test's recorded results, oldest first (the store answers newest first). */
function historyByTest(domain: CollectedDomain): Map<string, HistoryPoint[]> {
  const out = new Map<string, HistoryPoint[]>();
  for (const r of domain.history?.tests ?? []) {
    const point = { at: r.finishedAt.toISOString(), status: r.status };
    const list = out.get(r.uniqueId);
    if (list) list.unshift(point);
    else out.set(r.uniqueId, [point]);
  }
  return out;
}

function testsOf(manifest: ManifestFile, results: ReturnType<typeof resultsById>, history: Map<string, HistoryPoint[]>): Map<string, CatalogTest[]> {
  const byNode = new Map<string, CatalogTest[]>();
  for (const test of Object.values(manifest.nodes).map(nodeView)) {
    if (test.resource_type !== 'test') continue;
    const result = results.get(test.unique_id);
    const entry: CatalogTest = {
      id: test.unique_id,
      name: test.name,
      column: test.column_name,
      status: result?.status ?? null,
      failures: result?.failures ?? null,
      message: result?.message ?? null,
      ran_at: result?.timing.at(-1)?.completed_at ?? null,
      history: history.get(test.unique_id) ?? [],
    };
    // A generic test belongs to the model it is attached to; a singular test to every model it reads.
    const targets = test.attached_node ? [test.attached_node] : test.depends_on;
    for (const id of targets) {
      const list = byNode.get(id);
      if (list) list.push(entry);
      else byNode.set(id, [entry]);
    }
  }
  return byNode;
}

const LAYER_OF_KIND: Partial<Record<NodeKind, string>> = { source: 'sources', seed: 'seeds', snapshot: 'snapshots' };

/** The folder a model sits in under models/ (bronze, staging, marts), else its schema. */
function layerOf(kind: NodeKind, path: string | undefined, relation: string[]): string {
  const fixed = LAYER_OF_KIND[kind];
  if (fixed) return fixed;
  const folder = /^models\/([^/]+)\//.exec(path ?? '')?.[1];
  return folder ?? relation.at(-2)?.toLowerCase() ?? 'models';
}

function groupOwner(manifest: ManifestFile, domain: string, group: string | null): string | null {
  if (!group) return null;
  const owner = manifest.groups[`group.${domain}.${group}`]?.owner;
  const email = Array.isArray(owner?.email) ? owner.email.join(', ') : owner?.email;
  return owner?.name ?? email ?? null;
}

function contractVersion(domain: CollectedDomain): string | null {
  return (domain.published ? publicationFacts(domain.published).version : undefined) ?? domain.packageVersion;
}

function domainEntry(d: CollectedDomain): CatalogDomain {
  const p = d.product;
  return {
    name: d.name,
    package_name: d.packageName,
    package_version: d.packageVersion,
    contract_version: (d.published ? publicationFacts(d.published).version : undefined) ?? null,
    released_contracts: d.releasedContracts,
    description: p?.description ?? d.description,
    owner: p ? { team: p.owner.team, email: p.owner.email } : null,
    product: p ? { name: p.name, status: p.status, classification: p.classification } : null,
    output_ports: (p?.output_ports ?? []).map((o) => ({ name: o.name, model: o.model, format: o.format, description: o.description ?? null })),
    input_ports: (p?.input_ports ?? []).map((i) => ({ domain: i.domain ?? i.product ?? '', version: i.version, models: i.models })),
    products: [],
    nodes: [],
    built_at: d.runResults?.metadata.generated_at ?? d.manifest.metadata.generated_at ?? null,
    external: false,
  };
}

function externalDomain(name: string): CatalogDomain {
  return {
    name, package_name: null, package_version: null, contract_version: null, released_contracts: [], description: '',
    owner: null, product: null, output_ports: [], input_ports: [], products: [], nodes: [], built_at: null, external: true,
  };
}

export function assemble(mesh: CollectedMesh): { domains: CatalogDomain[]; nodes: AssembledNode[] } {
  const inWorkspace = new Set(mesh.domains.map((d) => d.name));
  const domains = new Map(mesh.domains.map((d) => [d.name, domainEntry(d)]));
  const nodes = new Map<string, AssembledNode>();
  for (const d of mesh.domains) {
    const results = resultsById(d.runResults);
    const tests = testsOf(d.manifest, results, historyByTest(d));
    const ownerTeam = d.product?.owner.team ?? null;
    for (const entry of [...Object.values(d.manifest.nodes), ...Object.values(d.manifest.sources)].map(nodeView)) {
      const kind = entry.resource_type as NodeKind;
      if (!KINDS.has(kind)) continue;
      const owner = entry.package_name;
      if (owner !== d.name && (inWorkspace.has(owner) || nodes.has(entry.unique_id))) continue;
      const own = owner === d.name;
      const parts = entry.relation_name ? splitRelationName(entry.relation_name) : [];
      const dbKey = own && parts.length >= 2 ? parts.slice(-2).join('.').toLowerCase() : undefined;
      const built = dbKey ? d.database?.columns.get(dbKey) : undefined;
      const result = own ? results.get(entry.unique_id) : undefined;
      const materialized = entry.materialized;
      const access = entry.access;
      const enforced = entry.contract_enforced;
      const group = entry.group;
      nodes.set(entry.unique_id, {
        id: entry.unique_id,
        kind,
        domain: owner,
        name: entry.name,
        layer: layerOf(kind, entry.original_file_path, parts),
        description: entry.description,
        columns: columns(entry, built),
        columnsFromDatabase: built !== undefined && built.length > 0,
        tags: entry.tags,
        access: kind === 'source' ? null : access,
        materialized: kind === 'source' ? null : materialized,
        group,
        owner: groupOwner(d.manifest, owner, group) ?? (own ? ownerTeam : null),
        relation: entry.relation_name,
        path: entry.original_file_path || null,
        compiled_sql: entry.compiled_code,
        tests: tests.get(entry.unique_id) ?? [],
        row_count: dbKey && materialized && STORED.has(materialized) ? (d.database?.rows.get(dbKey) ?? null) : null,
        last_built_at: result?.timing.at(-1)?.completed_at ?? null,
        build_status: result?.status ?? null,
        contract_enforced: enforced,
        contract_version: own && enforced && access === 'public' ? contractVersion(d) : null,
        version: entry.version,
        latest_version: entry.latest_version,
        deprecation_date: entry.deprecation_date,
        parents: own ? (d.manifest.parent_map?.[entry.unique_id] ?? entry.depends_on).filter((p) => !p.startsWith('test.')) : [],
        children: [],
        lineage_warnings: [],
      });
      if (!domains.has(owner)) domains.set(owner, externalDomain(owner));
    }
  }
  for (const node of nodes.values()) {
    node.parents = node.parents.filter((p) => nodes.has(p));
    for (const parent of node.parents) nodes.get(parent)!.children.push(node.id);
    domains.get(node.domain)!.nodes.push(node.id);
  }
  const order: Record<NodeKind, number> = { model: 0, snapshot: 1, seed: 2, source: 3 };
  for (const domain of domains.values()) {
    domain.nodes.sort((a, b) => order[nodes.get(a)!.kind] - order[nodes.get(b)!.kind] || a.localeCompare(b));
  }
  return { domains: [...domains.values()].sort((a, b) => a.name.localeCompare(b.name)), nodes: [...nodes.values()] };
}
