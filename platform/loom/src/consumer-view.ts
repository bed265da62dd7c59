import { publicationFacts, type PublishedAccess, type PublishedManifest } from './published-manifest';

/**
 * What one consumer may see of an upstream's publication: the database it attaches, the public models it
 * was not granted (each with the reason and who to ask), and the personal columns left out for it.
 */
export interface ConsumerView {
  /** Relative to the manifest; undefined when nothing is granted to the consumer. */
  file?: string;
  /**
   * The data files the views of that database read, relative to the manifest, for a share of views:
   * fetched with it, and resolved against the version folder (`dir`).
   */
  data?: string[];
  /** The version folder, relative to the manifest, that the views' paths are resolved against. */
  dir?: string;
  /** The schema to read on the producer's server, for publications inside a database. */
  schema?: string;
  /** The catalog of that schema, on engines with a catalog per domain. */
  catalog?: string;
  refused: Map<string, { reason: string; hint: string }>;
  withheld: Map<string, { columns: string[]; hint: string }>;
}

const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

/** A publication as the view needs it: from a published manifest, or from a descriptor and a released contract. */
export interface Publication {
  project: string;
  /** The database for everyone, when access is not granted per consumer. */
  openFile?: string;
  openSchema?: string;
  openCatalog?: string;
  access?: PublishedAccess;
  /** The version folder, relative to the manifest. */
  dir?: string;
  nodes: Array<{ unique_id: string; name: string; version?: string | null }>;
}

/** A published manifest as the view reads it. */
export function publicationOf(manifest: PublishedManifest): Publication {
  const facts = publicationFacts(manifest);
  return {
    project: facts.project,
    openFile: facts.database?.file,
    openSchema: facts.database?.schema,
    openCatalog: facts.database?.catalog,
    access: facts.access,
    dir: facts.publication?.dir,
    nodes: facts.nodes.map((n) => ({ unique_id: n.unique_id, name: n.name, version: n.version === null ? null : String(n.version) })),
  };
}

export function consumerView(publication: Publication, consumer: string): ConsumerView {
  const view: ConsumerView = { file: publication.openFile, schema: publication.openSchema, catalog: publication.openCatalog, refused: new Map(), withheld: new Map() };
  const access = publication.access;
  if (!access) return view;
  const upstream = publication.project;
  const share = access.shares[consumer] ?? access.shares['*'];
  view.file = share?.file;
  if (share?.data) {
    view.data = share.data;
    view.dir = publication.dir;
  }
  view.schema = share?.schema;
  view.catalog = share?.catalog;
  const ask = `${access.owner.team} (${access.owner.email})`;
  const grantedPorts = Object.entries(access.ports).filter(([, p]) => p.grantees.includes(consumer) || p.grantees.includes('*')).map(([name]) => name);
  for (const node of publication.nodes) {
    const id = node.unique_id;
    const entry = share?.models[id];
    if (entry) {
      if (entry.withheld.length) {
        view.withheld.set(id, {
          columns: entry.withheld,
          hint: `'${upstream}' grants '${entry.port}' to '${consumer}' with pii: refused, which leaves out its personal data (${entry.withheld.join(', ')}). Ask ${ask} for a grant with pii: masked or clear, or do without the column.`,
        });
      }
      continue;
    }
    const port = Object.entries(access.ports).find(([, p]) => p.model === node.name && (p.version == null || p.version === (node.version ?? '')));
    const elsewhere = grantedPorts.length ? `, or use a port granted to '${consumer}': ${list(grantedPorts)}` : '';
    view.refused.set(id, port
      ? {
          reason: `'${upstream}' does not grant its output port '${port[0]}' to '${consumer}' (granted to: ${port[1].grantees.length ? list(port[1].grantees) : 'nobody'}).`,
          hint: `Ask ${ask} to add '${consumer}' to a grant of '${port[0]}' under access.grants in the data_product.yaml of '${upstream}'${elsewhere}.`,
        }
      : {
          reason: `'${upstream}' serves ${node.name} in no output port of its data product '${access.product}'.`,
          hint: `Ask ${ask} to add an output port for ${node.name} to the data_product.yaml of '${upstream}' and grant it to '${consumer}'${elsewhere}.`,
        });
  }
  return view;
}
