import type { GraphNode, ModelNode, SourceNode } from '../types';
import { Relation } from '../parse/relation';
import type { ResolvedTarget } from '../parse/target';

/** What of the target decides how compiled SQL names relations. */
export type RelationNaming = Pick<ResolvedTarget, 'relations' | 'externalSources'> & Partial<Pick<ResolvedTarget, 'quoting'>>;

/** DuckDB's: three-part names, files read in place. */
export const CATALOG_NAMING: RelationNaming = { relations: 'catalog', externalSources: 'read' };

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function ephemeralName(node: ModelNode): string {
  return `__mesh_ephemeral__${node.alias}`;
}

/** How SQL names a node: a relation, an ephemeral CTE, or a file DuckDB reads directly. */
export function relationSql(node: GraphNode, naming: RelationNaming = CATALOG_NAMING): string {
  if (node.resource_type === 'source') return sourceRelationSql(node, naming);
  if (node.resource_type === 'test' || node.resource_type === 'unit_test') return quoteIdent(node.name);
  if (node.config.materialized === 'ephemeral') return quoteIdent(ephemeralName(node));
  return qualifiedName({ database: node.database, schema: node.schema, identifier: node.alias }, naming);
}

/**
 * A relation's quoted name in the target's style. With `schema-prefixed`, an empty database names the
 * schema as it is (an upstream's share schema on the same server).
 */
export function qualifiedName(relation: { database: string; schema: string; identifier: string }, naming: Pick<RelationNaming, 'relations' | 'quoting'> = CATALOG_NAMING): string {
  const quoting = naming.quoting;
  const part = (name: string, quote: boolean | undefined) => (quote === false ? name : quoteIdent(name));
  if (naming.relations === 'catalog') {
    if (!quoting) return new Relation(relation.database, relation.schema, relation.identifier).toString();
    const parts = relation.database ? [part(relation.database, quoting.database)] : [];
    return [...parts, part(relation.schema, quoting.schema), part(relation.identifier, quoting.identifier)].join('.');
  }
  return `${part(prefixedSchema(relation.database, relation.schema), quoting?.schema)}.${part(relation.identifier, quoting?.identifier)}`;
}

/** The one schema that holds `database.schema` where a single database holds every project. */
export function prefixedSchema(database: string, schema: string): string {
  return database ? `${database}_${schema}` : schema;
}

/** Where the adapter stages an external source when the target loads files rather than reading them. */
export function stagedSourceRelation(node: SourceNode): { database: string; schema: string; identifier: string } {
  return { database: node.database, schema: node.schema, identifier: node.identifier };
}

function sourceRelationSql(node: SourceNode, naming: RelationNaming): string {
  if (node.external_location && naming.externalSources === 'read') return externalRelationSql(node.external_location);
  return qualifiedName(stagedSourceRelation(node), naming);
}

/**
 * A file a source reads in place, as dbt-duckdb reads external_location: a reader call written out is
 * used as it is; a path or glob gets DuckDB's reader for its extension (CSV, Parquet, JSON).
 */
export function externalRelationSql(location: string): string {
  if (/^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(/.test(location)) return location.trim();
  const path = location.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (path.endsWith('.parquet')) return `read_parquet(${quoteString(location)})`;
  if (path.endsWith('.csv') || path.endsWith('.tsv') || path.endsWith('.txt')) return `read_csv_auto(${quoteString(location)})`;
  if (path.endsWith('.json') || path.endsWith('.ndjson') || path.endsWith('.jsonl')) return `read_json_auto(${quoteString(location)})`;
  // Other names (a table function's own syntax, an extension's format) are left to DuckDB's replacement scan.
  return quoteString(location);
}

export function relationOf(node: ModelNode): Relation {
  return new Relation(node.database, node.schema, node.alias);
}
