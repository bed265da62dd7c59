import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readContract, type Contract, type ContractModel } from '@mesh/contract';
import { workspaceProjects } from '@mesh/contracts';
import { loadDataProduct, portServes, type DataProduct } from '@mesh/governance';
import { consumerView, publicationFacts, publicationOf, publishedDir, publishedManifestSchema, type PublicationFacts, type PublishedManifest, type PublishedNode } from '@mesh/loom';

/**
 * The published data products of a workspace, as the API serves them: each domain's last publication
 * (manifest, contract, databases) with its output ports. Read from the files the builds publish, and
 * read again when a build publishes anew, so the API always serves a complete publication.
 */

export interface Port {
  name: string;
  description: string;
  node: PublishedNode;
  /** The released shape of the port's model: descriptions and primary key. */
  contract?: ContractModel;
}

export interface Product {
  /** The data product's name (`teddy-sales`), or the domain's when it has no descriptor. */
  name: string;
  domain: string;
  version?: string;
  status: string;
  description: string;
  owner?: { team: string; email: string };
  publishedAt: string;
  dir: string;
  manifest: PublishedManifest;
  /** The manifest as a publication: its public models, rows and grants. */
  facts: PublicationFacts;
  contract?: Contract;
  contractText?: string;
  ports: Map<string, Port>;
}

/** The database a consumer reads a product from, and the columns withheld from it. */
export interface Grant {
  file: string;
  withheld: string[];
}

function latestOf(nodes: PublishedNode[], name: string): PublishedNode | undefined {
  const candidates = nodes.filter((n) => n.name === name);
  return candidates.find((n) => n.version != null && n.version === n.latest_version) ?? candidates.find((n) => n.version == null) ?? candidates[0];
}

function portsOf(facts: PublicationFacts, product: DataProduct | undefined, contract: Contract | undefined): Map<string, Port> {
  const nodes = facts.nodes;
  const contractOf = (n: PublishedNode) => contract?.schema.find((m) => m.name === n.name && String(m.version ?? '') === String(n.version ?? ''));
  const out = new Map<string, Port>();
  if (product) {
    for (const port of product.output_ports) {
      const node = port.version === undefined ? latestOf(nodes, port.model) : nodes.find((n) => portServes(port, { name: n.name, version: n.version === null ? undefined : String(n.version) }));
      if (node) out.set(port.name, { name: port.name, description: port.description ?? node.description, node, contract: contractOf(node) });
    }
    return out;
  }
  for (const name of new Set(nodes.map((n) => n.name))) {
    const node = latestOf(nodes, name)!;
    out.set(name, { name, description: node.description, node, contract: contractOf(node) });
  }
  return out;
}

function readProduct(projectRoot: string, dir: string): Product {
  const manifest = publishedManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const contractPath = join(dir, 'contract.odcs.yaml');
  const contract = existsSync(contractPath) ? readContract(contractPath) : undefined;
  const descriptor = loadDataProduct(projectRoot);
  const facts = publicationFacts(manifest);
  const domain = facts.project;
  return {
    name: descriptor?.name ?? domain,
    domain,
    version: facts.version,
    status: descriptor?.status ?? 'active',
    description: descriptor?.description ?? contract?.description?.purpose ?? '',
    owner: descriptor ? { team: descriptor.owner.team, email: descriptor.owner.email } : undefined,
    publishedAt: manifest.metadata.generated_at,
    dir,
    manifest,
    facts,
    contract,
    contractText: existsSync(contractPath) ? readFileSync(contractPath, 'utf8') : undefined,
    ports: portsOf(facts, descriptor, contract),
  };
}

export class Registry {
  private cache = new Map<string, { stamp: string; product: Product }>();
  private projects: { at: number; roots: string[] } | undefined;

  constructor(readonly workspaceRoot: string) {}

  /** Domain folders, looked up again every few seconds: a new domain appears without a restart. */
  private roots(): string[] {
    if (!this.projects || Date.now() - this.projects.at > 5000) this.projects = { at: Date.now(), roots: workspaceProjects(this.workspaceRoot) };
    return this.projects.roots;
  }

  /** Every published product, re-read when its manifest was replaced (a publication renames a new one in). */
  products(): Product[] {
    const out: Product[] = [];
    for (const root of this.roots()) {
      const dir = publishedDir(join(root, 'target'));
      const manifest = join(dir, 'manifest.json');
      if (!existsSync(manifest)) continue;
      const stat = statSync(manifest);
      const stamp = `${stat.ino}:${stat.mtimeMs}`;
      let entry = this.cache.get(root);
      if (entry?.stamp !== stamp) {
        entry = { stamp, product: readProduct(root, dir) };
        this.cache.set(root, entry);
      }
      // Only DuckDB publications are files this server can open; one inside a database server is read there.
      if (entry.product.facts.adapterType === 'duckdb') out.push(entry.product);
    }
    return out;
  }

  /** A product by its name or its domain's. */
  find(name: string): Product | undefined {
    return this.products().find((p) => p.name === name || p.domain === name);
  }
}

/**
 * What `consumer` may read of a port: the database of its share (or the open one) and the columns left
 * out for it; undefined when the product grants it nothing of this port. The same reading of the
 * grants the loom gives a consumer domain at compile time.
 */
export function grantOf(product: Product, port: Port, consumer: string): Grant | undefined {
  const view = consumerView(publicationOf(product.manifest), consumer);
  if (!view.file || view.refused.has(port.node.unique_id)) return undefined;
  return { file: join(product.dir, view.file), withheld: view.withheld.get(port.node.unique_id)?.columns ?? [] };
}
