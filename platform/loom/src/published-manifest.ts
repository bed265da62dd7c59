import { DBT_SCHEMA_URLS, manifestSchema, modelNodeSchema, schemaVersionOf, seedNodeSchema, type Manifest, type ManifestFile, type ManifestModel, type ManifestNode, type ManifestSeed } from '@mesh/artifacts';
import { defaultEngine, type ModelNode } from '@mesh/engine';
import { MeshError } from '@mesh/errors';
import { z } from 'zod';

/**
 * What a project publishes for other projects is a dbt manifest (v12), so real dbt-loom injects it as
 * it injects any dbt project's: the public models in full (relation, columns, versions, contract, no
 * SQL), and every node they depend on, as dbt Cloud's public manifests carry them, plus the project's
 * other models by name and access only, so a ref to one is refused with the reason rather than "not
 * found". Nothing else of the private graph: no SQL, columns or relations of non-public models.
 *
 * What the mesh adds (rows, where the data is, who is granted what) sits where dbt allows it: in each
 * public model's `meta.mesh`. A manifest dbt-core itself wrote (a plain dbt project as an upstream) is
 * read by the same schema; it just has no `meta.mesh`.
 *
 * The manifest makes one version of the publication current (see publication-store.ts): every file it
 * names, databases, shares, contract and external files, lies in that version's folder, which never
 * changes, so a reader of this manifest reads that version whole.
 */

const shareEntrySchema = z.strictObject({
  /** The grantee's database file, relative to the manifest (file-based engines). */
  file: z.string().optional(),
  /** The grantee's schema on the producer's server, readable by its role only (postgres, trino). */
  schema: z.string().optional(),
  /** The catalog holding that schema (trino: the producer's catalog, the grantee's user reads it). */
  catalog: z.string().optional(),
  /**
   * For a share of views: the data file the grantee's view of this model reads, relative to the
   * manifest. Each distinct model and treatment is written once per version and every grantee's views
   * read it; the views name it relative to the version folder.
   */
  data: z.string().optional(),
  port: z.string(),
  pii: z.enum(['masked', 'clear', 'refused']),
  /** Personal columns left out of this share. */
  withheld: z.array(z.string()),
});

/** The version a manifest makes current; the same on every public model. */
export const publicationVersionSchema = z.strictObject({
  id: z.string(),
  /** The version's folder, relative to the manifest. */
  dir: z.string(),
  /** The contract published with the data (ODCS), relative to the manifest. */
  contract: z.string().optional(),
  /** Every file of the version (relative to the manifest) and its size: a copy of another size is torn. */
  files: z.record(z.string(), z.strictObject({ bytes: z.number().int().nonnegative() })),
  /**
   * What was published, as a digest: the tested state of the public models and the settings of the
   * publication (grants, masking key, release). A build that would publish the same state skips it.
   */
  state: z.string(),
  /** How `hash` masking was keyed: the key's fingerprint changes when the producer rotates it. */
  masking: z.strictObject({ method: z.literal('hmac-sha256'), key_id: z.string() }).optional(),
});
export type PublicationVersion = z.infer<typeof publicationVersionSchema>;

/** A public model's publication facts, under `meta.mesh`. */
export const meshFactsSchema = z.strictObject({
  /** The producer's release (its package version) this publication was built at. */
  release: z.string().nullable(),
  /** The version of the publication this manifest makes current. */
  publication: publicationVersionSchema.optional(),
  /** Rows of the model as built. */
  rows: z.number(),
  /** Where every consumer reads it, when the product grants nothing per consumer; relative to the manifest. */
  database: z.strictObject({ file: z.string().optional(), schema: z.string().optional(), catalog: z.string().optional() }).optional(),
  /** The data product and its owner, when it grants its ports to named consumers. */
  product: z.strictObject({ name: z.string(), owner: z.strictObject({ team: z.string(), email: z.string() }) }).optional(),
  /** The output ports serving the model and who may read each. */
  ports: z.array(z.strictObject({ name: z.string(), version: z.string().nullable(), grantees: z.array(z.string()) })).optional(),
  /** Each grantee's share holding the model. */
  shares: z.record(z.string(), shareEntrySchema).optional(),
  /**
   * The files of a public external model, copied beside the manifest (relative paths), for readers of the
   * files rather than the database. Only where every consumer may read the model unmasked.
   */
  files: z.strictObject({ format: z.enum(['parquet', 'csv', 'json']), paths: z.array(z.string()) }).optional(),
});
export type MeshFacts = z.infer<typeof meshFactsSchema>;

export const publishedManifestSchema = manifestSchema.superRefine((manifest, ctx) => {
  if (schemaVersionOf(manifest.metadata.dbt_schema_version, 'manifest') !== 12) {
    ctx.addIssue({ code: 'custom', path: ['metadata', 'dbt_schema_version'], message: `expected ${DBT_SCHEMA_URLS.manifest}, got ${String(manifest.metadata.dbt_schema_version)}` });
  }
  for (const [id, node] of Object.entries(manifest.nodes)) {
    const facts = (node.meta as { mesh?: unknown } | undefined)?.mesh;
    if (facts === undefined) continue;
    const parsed = meshFactsSchema.safeParse(facts);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.addIssue({ code: 'custom', path: ['nodes', id, 'meta', 'mesh', ...issue.path.map(String)], message: issue.message });
    }
  }
});
export type PublishedManifest = ManifestFile;
/**
 * A published model or seed as readers use it: a seed (published when `+access: public`, as dbt-loom
 * offers seeds) read with a model's fields, its access from its config, no versions and no contract.
 */
export type PublishedNode = Pick<
  ManifestModel,
  | 'unique_id' | 'name' | 'package_name' | 'path' | 'original_file_path' | 'fqn' | 'description' | 'tags' | 'meta' | 'database' | 'schema'
  | 'alias' | 'relation_name' | 'access' | 'group' | 'version' | 'latest_version' | 'deprecation_date' | 'contract' | 'columns'
  | 'config' | 'checksum' | 'depends_on' | 'docs'
> & { resource_type: 'model' | 'seed' };

/** Who each share is for, what it holds, and who may read each port (a product that grants per consumer). */
export interface PublishedAccess {
  product: string;
  owner: { team: string; email: string };
  ports: Record<string, { model: string; version: string | null; grantees: string[] }>;
  shares: Record<string, {
    file?: string;
    schema?: string;
    catalog?: string;
    /** For a share of views: the data files its views read, relative to the manifest. */
    data?: string[];
    /** `data`: the file this model's view reads (a share of views). */
    models: Record<string, { port: string; pii: 'masked' | 'clear' | 'refused'; withheld: string[]; data?: string }>;
  }>;
}

/** The published files of external models, by unique id. */
export type PublishedFiles = Record<string, NonNullable<MeshFacts['files']>>;

/** A publication as readers use it, whichever tool wrote the manifest. */
export interface PublicationFacts {
  project: string;
  /** The producer's release; undefined for a manifest dbt-core wrote. */
  version?: string;
  /** The version folder the manifest makes current; undefined for a manifest dbt-core wrote. */
  publication?: PublicationVersion;
  adapterType: string;
  generatedAt: string;
  /** The project's own public models, in full. */
  nodes: PublishedNode[];
  /** The project's other models, by name and access: refs to them are refused with the reason. */
  restricted: PublishedNode[];
  rows: Record<string, number>;
  /** The database every consumer reads, when access is not granted per consumer. */
  database?: { file?: string; schema?: string; catalog?: string };
  access?: PublishedAccess;
  /** Files of public external models, by unique id. */
  files?: PublishedFiles;
  /** True when the mesh published it (its public models carry `meta.mesh`). */
  fromMesh: boolean;
}

export function meshFactsOf(node: { meta?: unknown }): MeshFacts | undefined {
  const facts = (node.meta as { mesh?: unknown } | undefined)?.mesh;
  const parsed = meshFactsSchema.safeParse(facts);
  return parsed.success ? parsed.data : undefined;
}

/** Where a share is: a file, or a schema (in a catalog, on engines with one per domain). */
function where(share: { file?: string; schema?: string; catalog?: string }): { file?: string; schema?: string; catalog?: string } {
  if (!share.schema) return { file: share.file };
  return share.catalog ? { schema: share.schema, catalog: share.catalog } : { schema: share.schema };
}

/** A model as it is; a seed with the fields of a model it lacks, its access from its config. */
function asPublishedNode(node: ManifestFile['nodes'][string]): PublishedNode | undefined {
  if (node.resource_type === 'model') return node as PublishedNode;
  if (node.resource_type !== 'seed') return undefined;
  const seed = node as ManifestSeed;
  const access = (seed.config as { access?: unknown }).access;
  return {
    ...seed,
    resource_type: 'seed',
    access: access === 'public' || access === 'private' ? access : 'protected',
    version: null,
    latest_version: null,
    deprecation_date: null,
    contract: { enforced: false, alias_types: true, checksum: null },
    constraints: [],
    language: 'sql',
    refs: [],
    sources: [],
    metrics: [],
    depends_on: { macros: [], nodes: [] },
    compiled_path: null,
    compiled: false,
    compiled_code: null,
    extra_ctes_injected: false,
    extra_ctes: [],
  } as PublishedNode;
}

/** The grants spread over the public models' facts, put back together per port and per share. */
function accessOf(nodes: Array<{ node: PublishedNode; facts: MeshFacts }>): PublishedAccess | undefined {
  const product = nodes.find((n) => n.facts.product)?.facts.product;
  if (!product) return undefined;
  const access: PublishedAccess = { product: product.name, owner: product.owner, ports: {}, shares: {} };
  for (const { node, facts } of nodes) {
    for (const port of facts.ports ?? []) access.ports[port.name] = { model: node.name, version: port.version, grantees: port.grantees };
    for (const [consumer, share] of Object.entries(facts.shares ?? {})) {
      const entry = (access.shares[consumer] ??= { ...where(share), models: {} });
      entry.models[node.unique_id] = { port: share.port, pii: share.pii, withheld: share.withheld, ...(share.data ? { data: share.data } : {}) };
      if (share.data && !(entry.data ??= []).includes(share.data)) entry.data.push(share.data);
    }
  }
  return access;
}

export function publicationFacts(manifest: PublishedManifest): PublicationFacts {
  const project = manifest.metadata.project_name ?? '';
  const own = Object.values(manifest.nodes).flatMap((n) => (n.package_name === project ? (asPublishedNode(n) ?? []) : []));
  const published = own.filter((n) => n.access === 'public' && n.config.materialized !== 'ephemeral');
  const withFacts = published.flatMap((node) => {
    const facts = meshFactsOf(node);
    return facts ? [{ node, facts }] : [];
  });
  const first = withFacts[0]?.facts;
  return {
    project,
    version: first?.release ?? undefined,
    ...(first?.publication ? { publication: first.publication } : {}),
    // dbt writes adapter_type on every manifest; one without it was built on the default engine.
    adapterType: manifest.metadata.adapter_type ?? defaultEngine().type,
    generatedAt: manifest.metadata.generated_at,
    nodes: published,
    restricted: own.filter((n) => !published.includes(n)),
    rows: Object.fromEntries(withFacts.map(({ node, facts }) => [node.unique_id, facts.rows])),
    database: first?.database,
    access: accessOf(withFacts),
    ...(withFacts.some(({ facts }) => facts.files) ? { files: Object.fromEntries(withFacts.flatMap(({ node, facts }) => (facts.files ? [[node.unique_id, facts.files]] : []))) } : {}),
    fromMesh: withFacts.length > 0,
  };
}

/** What the producer knows when it publishes: the rows of each public model, and who may read what. */
export interface PublicationInput {
  release?: string;
  publication?: PublicationVersion;
  adapterType: string;
  rows: Map<string, number>;
  /** The database every consumer reads, when access is not granted per consumer. */
  database?: { file?: string; schema?: string; catalog?: string };
  access?: PublishedAccess;
  /** The copied files of public external models, by unique id. */
  files?: PublishedFiles;
}

/** The public models and, transitively, every node they depend on, sources left out. */
function dependencyClosure(manifest: Manifest, publicIds: string[]): Set<string> {
  const out = new Set<string>();
  const stack = [...publicIds];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id) || !manifest.nodes[id]) continue;
    out.add(id);
    const node = manifest.nodes[id] as { depends_on?: { nodes?: string[] } };
    for (const parent of node.depends_on?.nodes ?? []) if (!parent.startsWith('source.')) stack.push(parent);
  }
  return out;
}

/** A model by name and access only: what dbt-loom needs to inject it, no SQL, columns or relation. */
function stub(node: ManifestNode, keepDependencies: boolean): ManifestNode {
  const base = {
    ...node,
    path: '',
    original_file_path: '',
    description: '',
    columns: {},
    meta: {},
    tags: [],
    patch_path: null,
    raw_code: '',
    relation_name: null,
    unrendered_config: {},
  };
  if (node.resource_type === 'seed') return { ...base, resource_type: 'seed', config: node.config, depends_on: { macros: [] } } as ManifestNode;
  if (node.resource_type !== 'model' && node.resource_type !== 'snapshot') return base as ManifestNode;
  const compiled = node as ManifestModel;
  return {
    ...base,
    compiled: false,
    compiled_code: null,
    compiled_path: null,
    extra_ctes_injected: false,
    refs: [],
    sources: [],
    depends_on: { macros: [], nodes: keepDependencies ? compiled.depends_on.nodes.filter((p) => !p.startsWith('source.')) : [] },
    constraints: compiled.constraints ?? [],
    primary_key: [],
  } as ManifestNode;
}

/** A public model (or seed) as consumers see it: everything but its SQL, with the publication's facts in meta.mesh. */
function publicEntry(node: ManifestNode, facts: MeshFacts): ManifestNode {
  if (node.resource_type === 'seed') {
    const seed = seedNodeSchema.parse({ ...node, raw_code: '', meta: { ...node.meta, mesh: facts } });
    seed.config = { ...seed.config, meta: { ...seed.config.meta, mesh: facts } };
    return seed;
  }
  if (node.resource_type !== 'model') throw new Error(`${node.unique_id}: only models and seeds are published`);
  const entry = modelNodeSchema.parse({
    ...node,
    raw_code: '',
    compiled: false,
    compiled_code: null,
    compiled_path: null,
    extra_ctes_injected: false,
    meta: { ...node.meta, mesh: facts },
    depends_on: { macros: [], nodes: node.depends_on.nodes.filter((p) => !p.startsWith('source.')) },
  });
  entry.config = { ...entry.config, meta: { ...entry.config.meta, mesh: facts } };
  return entry;
}

function factsFor(node: { unique_id: string; name: string; version?: string | number | null }, input: PublicationInput): MeshFacts {
  const facts: MeshFacts = { release: input.release ?? null, ...(input.publication ? { publication: input.publication } : {}), rows: input.rows.get(node.unique_id) ?? 0 };
  if (input.database) facts.database = input.database;
  const files = input.files?.[node.unique_id];
  if (files) facts.files = files;
  const access = input.access;
  if (access) {
    facts.product = { name: access.product, owner: access.owner };
    facts.ports = Object.entries(access.ports)
      .filter(([, p]) => p.model === node.name && (p.version === null || p.version === (node.version === null || node.version === undefined ? null : String(node.version))))
      .map(([name, p]) => ({ name, version: p.version, grantees: p.grantees }));
    facts.shares = {};
    for (const [consumer, share] of Object.entries(access.shares)) {
      const held = share.models[node.unique_id];
      if (held) facts.shares[consumer] = { ...where(share), ...(held.data ? { data: held.data } : {}), port: held.port, pii: held.pii, withheld: held.withheld };
    }
  }
  return facts;
}

/**
 * The published manifest of a build: a dbt v12 manifest of the public models, the nodes they depend on,
 * and the project's other models as stubs. `models` are the public models the publication holds.
 */
export function buildPublishedManifest(manifest: Manifest, models: ModelNode[], input: PublicationInput): Manifest {
  const project = manifest.metadata.project_name ?? '';
  const publicIds = models.map((m) => m.unique_id);
  const closure = dependencyClosure(manifest, publicIds);
  const nodes: Manifest['nodes'] = {};
  for (const id of publicIds) {
    const node = manifest.nodes[id]!;
    nodes[id] = publicEntry(node, factsFor(node as { unique_id: string; name: string; version?: string | null }, input));
  }
  for (const id of closure) if (!nodes[id]) nodes[id] = stub(manifest.nodes[id]!, true);
  for (const [id, node] of Object.entries(manifest.nodes)) {
    if (nodes[id] || node.package_name !== project || node.resource_type !== 'model') continue;
    nodes[id] = stub(node, false);
  }
  const ids = Object.keys(nodes);
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = Object.fromEntries(ids.map((id) => [id, [] as string[]]));
  for (const id of ids) {
    const parents = ((nodes[id] as { depends_on?: { nodes?: string[] } }).depends_on?.nodes ?? []).filter((p) => nodes[p]);
    parentMap[id] = parents;
    for (const p of parents) childMap[p]!.push(id);
  }
  return {
    metadata: { ...manifest.metadata, adapter_type: input.adapterType },
    nodes,
    sources: {},
    macros: {},
    docs: {},
    exposures: {},
    metrics: {},
    groups: Object.fromEntries(Object.entries(manifest.groups).filter(([, g]) => Object.values(nodes).some((n) => n.group === g.name))),
    selectors: {},
    disabled: {},
    parent_map: parentMap,
    child_map: childMap,
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: {},
  };
}

/** Parses a published manifest's text (a mesh publication, or a manifest dbt-core wrote); `where` names it in errors. */
export function parsePublishedManifest(text: string, where: string): PublishedManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MeshError('E_UPSTREAM_MANIFEST', `the published manifest at ${where} is not valid JSON: ${(error as Error).message}`, {
      hint: 'Publish the upstream again (mesh build in its folder).',
    });
  }
  const result = publishedManifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new MeshError('E_UPSTREAM_MANIFEST', `the manifest at ${where} is not a dbt manifest v12 this version reads: ${issue.path.join('.')}: ${issue.message}`, {
      hint: 'Publish the upstream again (mesh build), or for a dbt project build it with dbt-core 1.8 or later (dbt build writes target/manifest.json).',
    });
  }
  return result.data;
}

/** The published contract's path relative to the manifest: in its version folder. */
export function contractPathOf(facts: Pick<PublicationFacts, 'publication'>): string {
  return facts.publication?.contract ?? 'contract.odcs.yaml';
}
