import { baseMetadata, DBT_SCHEMA_URLS, nodeView, type Catalog, type CatalogTable, type ManifestFile, type StatsItem } from '@mesh/artifacts';

/** The parts of a manifest, the engine's own or one read from disk, that say which relations to describe. */
type ManifestRelations = Pick<ManifestFile, 'nodes' | 'sources'> & { metadata: { project_name?: string | null } };
import type { Adapter, RelationFacts, RelationName } from '../execute/adapter';

/** A relation of the project the catalog describes, keyed as dbt keys it. */
interface Described {
  uniqueId: string;
  section: 'nodes' | 'sources';
  relation: RelationName;
}

const STORED = new Set(['table', 'incremental', 'view', 'seed', 'snapshot']);

/**
 * The project's own relations a catalog describes: models (not ephemeral), seeds and snapshots, and
 * sources that are tables in a database. A source read from a file in place has no relation to describe.
 */
export function catalogRelations(manifest: ManifestRelations): Described[] {
  const project = manifest.metadata.project_name;
  const out: Described[] = [];
  for (const entry of Object.values(manifest.nodes)) {
    const node = nodeView(entry);
    if (node.package_name !== project || !node.materialized || !STORED.has(node.materialized) || node.resource_type === 'test') continue;
    out.push({ uniqueId: node.unique_id, section: 'nodes', relation: { database: node.database ?? '', schema: node.schema, identifier: node.identifier } });
  }
  for (const source of Object.values(manifest.sources)) {
    if (source.package_name !== project || source.external?.location) continue;
    out.push({ uniqueId: source.unique_id, section: 'sources', relation: { database: source.database ?? '', schema: source.schema, identifier: source.identifier } });
  }
  return out;
}

function stats(facts: RelationFacts): Record<string, StatsItem> {
  if (facts.rows === undefined) {
    return { has_stats: { id: 'has_stats', label: 'Has Stats?', value: false, include: false, description: 'Indicates whether there are statistics for this table' } };
  }
  const out: Record<string, StatsItem> = {
    row_count: { id: 'row_count', label: 'Row Count', value: facts.rows, include: true, description: 'Rows in the table when the catalog was written' },
  };
  if (facts.bytes !== undefined) out.bytes = { id: 'bytes', label: 'Approximate Size', value: facts.bytes, include: true, description: facts.bytesMeaning ?? null };
  out.has_stats = { id: 'has_stats', label: 'Has Stats?', value: true, include: false, description: 'Indicates whether there are statistics for this table' };
  return out;
}

function table(uniqueId: string, facts: RelationFacts): CatalogTable {
  return {
    metadata: {
      type: facts.kind === 'view' ? 'VIEW' : 'BASE TABLE',
      schema: facts.relation.schema,
      name: facts.relation.identifier,
      database: facts.relation.database,
      comment: facts.comment,
      owner: facts.owner,
    },
    columns: Object.fromEntries(facts.columns.map((c) => [c.name, { type: c.type, index: c.index, name: c.name, comment: c.comment }])),
    stats: stats(facts),
    unique_id: uniqueId,
  };
}

export interface CatalogOptions {
  invocationId: string;
  startedAt: Date;
}

/**
 * dbt's catalog.json (v1) of a project: every relation its manifest names, as the database has it now
 * (column types and order, row counts and sizes of tables). Relations not built yet are left out, as
 * dbt leaves them out.
 */
export async function buildCatalog(manifest: ManifestRelations, adapter: Adapter, options: CatalogOptions): Promise<Catalog> {
  const wanted = catalogRelations(manifest);
  const catalog: Catalog = { metadata: baseMetadata(DBT_SCHEMA_URLS.catalog, options.invocationId, options.startedAt), nodes: {}, sources: {}, errors: null };
  let facts: RelationFacts[];
  try {
    facts = await adapter.describeRelations(wanted.map((w) => w.relation));
  } catch (error) {
    // The build stands; the catalog says what it could not read, as dbt's does.
    catalog.errors = [`describing the relations failed: ${(error as Error).message.split('\n')[0]}`];
    return catalog;
  }
  const key = (r: RelationName) => `${r.database}.${r.schema}.${r.identifier}`.toLowerCase();
  const byRelation = new Map(facts.map((f) => [key(f.relation), f]));
  for (const w of wanted) {
    const found = byRelation.get(key(w.relation));
    if (found) catalog[w.section][w.uniqueId] = table(w.uniqueId, found);
  }
  return catalog;
}
