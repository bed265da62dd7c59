import { applyColumnLineage, type SqlParser } from './apply-lineage';
import { assemble } from './assemble';
import type { CollectedMesh } from './collect';
import { parseSqlTrees } from './parse-sql';
import { describeProducts } from './products';
import { buildSearchIndex } from './search';
import { CATALOG_SCHEMA_VERSION, type Catalog, type CatalogNode } from './types';

/** The catalog of a collected mesh: domains with their products, nodes with column lineage, and the search index. */
export async function buildCatalog(mesh: CollectedMesh, parse: SqlParser = parseSqlTrees): Promise<Catalog> {
  const { domains, nodes } = assemble(mesh);
  await applyColumnLineage(nodes, parse);
  const plain: CatalogNode[] = nodes.map(({ columnsFromDatabase: _, ...node }) => node);
  describeProducts(domains, plain, mesh.domains);
  return {
    metadata: { schema_version: CATALOG_SCHEMA_VERSION, generated_at: new Date().toISOString(), workspace: mesh.workspace },
    domains,
    nodes: plain,
    search: buildSearchIndex(plain, domains),
  };
}
