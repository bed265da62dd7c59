import type { Catalog } from '@mesh/artifacts';

/** What a domain's built database says about its relations: real columns and types, and row counts of tables. */
export interface DatabaseFacts {
  /** Keyed by `schema.table`, lower case; columns in table order. */
  columns: Map<string, Array<{ name: string; type: string }>>;
  rows: Map<string, number>;
}

/**
 * The facts of a domain's catalog.json, which the build (or `mesh docs generate`) wrote from the
 * database through its adapter: the catalog never opens a database itself, so it reads PostgreSQL
 * domains as it reads DuckDB ones, and never locks a file a build is writing.
 */
export function factsFromCatalog(catalog: Catalog): DatabaseFacts {
  const columns = new Map<string, Array<{ name: string; type: string }>>();
  const rows = new Map<string, number>();
  for (const table of [...Object.values(catalog.nodes), ...Object.values(catalog.sources)]) {
    const key = `${table.metadata.schema}.${table.metadata.name}`.toLowerCase();
    columns.set(key, Object.values(table.columns).sort((a, b) => a.index - b.index).map((c) => ({ name: c.name, type: c.type })));
    const count = table.stats.row_count?.value;
    if (typeof count === 'number') rows.set(key, count);
  }
  return { columns, rows };
}
