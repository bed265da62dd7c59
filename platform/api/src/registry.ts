import { engineOf, isRegisteredEngine } from '@mesh/engine';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolveVersion } from '@mesh/model-versions';
import { dirname, join } from 'node:path';
import { readContract, type Contract, type ContractModel } from '@mesh/contract';
import { workspaceProjects } from '@mesh/contracts';
import { loadDataProduct, portServes, type DataProduct } from '@mesh/governance';
import { consumerView, contractPathOf, pinPublication, publicationOf, publishedDir, type ConsumerView, type PinnedPublication, type PublicationFacts, type PublishedManifest, type PublishedNode } from '@mesh/loom';
import { FolderWatch } from './folder-watch';

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
  /**
   * This publication's identity: a new publication is a new Product with a new version, so whatever is
   * derived from one (grants, plans, open databases, cached pages) is kept per version and dropped with it.
   */
  publicationId: string;
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
  return resolveVersion(nodes.filter((n) => n.name === name), undefined, (n) => ({ version: n.version, latestVersion: n.latest_version }));
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

function readProduct(projectRoot: string, pinned: PinnedPublication, publicationId: string): Product {
  const { manifest, facts, dir } = pinned;
  const contractPath = join(dir, contractPathOf(facts));
  const contract = existsSync(contractPath) ? readContract(contractPath) : undefined;
  const descriptor = loadDataProduct(projectRoot);
  const domain = facts.project;
  return {
    name: descriptor?.name ?? domain,
    domain,
    version: facts.version,
    status: descriptor?.status ?? 'active',
    description: descriptor?.description ?? contract?.description?.purpose ?? '',
    owner: descriptor ? { team: descriptor.owner.team, email: descriptor.owner.email } : undefined,
    publishedAt: manifest.metadata.generated_at,
    publicationId,
    dir,
    manifest,
    facts,
    contract,
    contractText: existsSync(contractPath) ? readFileSync(contractPath, 'utf8') : undefined,
    ports: portsOf(facts, descriptor, contract),
  };
}

export interface RegistryOptions {
  /** Called with a publication that a newer one of the same domain replaced, or that was withdrawn. */
  onRetire?: (product: Product) => void;
}

interface Domain {
  dir: string;
  manifest: string;
  /** The publication folder and the one holding it, so a folder renamed in is seen too. */
  watch: FolderWatch;
}

export class Registry {
  private cache = new Map<string, Product>();
  private domains = new Map<string, Domain>();
  private projects: { at: number; roots: string[] } | undefined;
  /** Product and domain names to the domain folder that publishes them, as last read. */
  private names = new Map<string, string>();
  /** The version each domain's product is read from, leased so it stays on disk while it is served. */
  private pins = new Map<string, PinnedPublication>();

  constructor(readonly workspaceRoot: string, private readonly options: RegistryOptions = {}) {}

  /** Domain folders, looked up again every few seconds: a new domain appears without a restart. */
  private roots(): string[] {
    if (!this.projects || Date.now() - this.projects.at > 5000) this.projects = { at: Date.now(), roots: workspaceProjects(this.workspaceRoot) };
    return this.projects.roots;
  }

  /**
   * The current publication of one domain folder: its manifest is stat'ed only when its folder may have
   * changed, and read again only when a publication renamed a new one in. Only publications of file
   * engines (DuckDB) are files this server can open; one inside a database server is read there.
   */
  private current(root: string): Product | undefined {
    let domain = this.domains.get(root);
    if (!domain) {
      const dir = publishedDir(join(root, 'target'));
      domain = { dir, manifest: join(dir, 'manifest.json'), watch: new FolderWatch([dir, dirname(dir)]) };
      this.domains.set(root, domain);
    }
    let product = this.cache.get(root);
    if (!domain.watch.changed()) return product && servesFiles(product.facts.adapterType) ? product : undefined;
    domain.watch.looking();
    const stat = statSync(domain.manifest, { throwIfNoEntry: false });
    const id = stat ? `${domain.dir}#${stat.ino}:${stat.mtimeMs}:${stat.size}` : undefined;
    const dir = domain.dir;
    if (product?.publicationId !== id) {
      if (product) this.options.onRetire?.(product);
      this.pins.get(root)?.release();
      this.pins.delete(root);
      const pinned = id ? pinPublication(dir, { reader: 'serve' }) : undefined;
      if (pinned) this.pins.set(root, pinned);
      product = pinned && id ? readProduct(root, pinned, id) : undefined;
      if (product) this.cache.set(root, product);
      else this.cache.delete(root);
      if (product) for (const name of [product.name, product.domain]) this.names.set(name, root);
    }
    return product && servesFiles(product.facts.adapterType) ? product : undefined;
  }

  /** Every published product, each as of its current publication. */
  products(): Product[] {
    const out: Product[] = [];
    for (const root of this.roots()) {
      const product = this.current(root);
      if (product) out.push(product);
    }
    return out;
  }

  /** Stops watching the publication folders and drops the leases on the versions served. */
  close(): void {
    for (const domain of this.domains.values()) domain.watch.close();
    for (const pinned of this.pins.values()) pinned.release();
    this.pins.clear();
  }

  /** Whether `product` is still the publication its domain serves (no newer one seen since). */
  isCurrent(product: Product): boolean {
    for (const p of this.cache.values()) if (p === product) return true;
    return false;
  }

  /** A product by its name or its domain's: only that domain's manifest is looked at, unless the name is new. */
  find(name: string): Product | undefined {
    const root = this.names.get(name);
    if (root !== undefined) {
      const product = this.current(root);
      if (product && (product.name === name || product.domain === name)) return product;
    }
    return this.products().find((p) => p.name === name || p.domain === name);
  }
}

const views = new WeakMap<Product, Map<string, ConsumerView>>();

/** The loom's reading of a publication's grants for one consumer, worked out once per publication. */
function viewOf(product: Product, consumer: string): ConsumerView {
  let byConsumer = views.get(product);
  if (!byConsumer) views.set(product, (byConsumer = new Map()));
  let view = byConsumer.get(consumer);
  if (!view) byConsumer.set(consumer, (view = consumerView(publicationOf(product.manifest), consumer)));
  return view;
}

/**
 * What `consumer` may read of a port: the database of its share (or the open one) and the columns left
 * out for it; undefined when the product grants it nothing of this port. The same reading of the
 * grants the loom gives a consumer domain at compile time.
 */
export function grantOf(product: Product, port: Port, consumer: string): Grant | undefined {
  const view = viewOf(product, consumer);
  if (!view.file || view.refused.has(port.node.unique_id)) return undefined;
  return { file: join(product.dir, view.file), withheld: view.withheld.get(port.node.unique_id)?.columns ?? [] };
}

/** Whether a publication is a database file (its engine shares files, not schemas), which this server opens itself. */
function servesFiles(type: string): boolean {
  return isRegisteredEngine(type) && engineOf(type).capabilities.shares !== 'schemas';
}
