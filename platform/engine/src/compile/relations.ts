import type { GraphNode, ModelNode, SourceNode } from '../types';
import { Relation } from '../parse/relation';

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function ephemeralName(node: ModelNode): string {
  return `__mesh_ephemeral__${node.alias}`;
}

/** How SQL names a node: a three-part relation, an ephemeral CTE, or a file DuckDB reads directly. */
export function relationSql(node: GraphNode): string {
  if (node.resource_type === 'source') return sourceRelationSql(node);
  if (node.resource_type === 'test') return quoteIdent(node.name);
  if (node.config.materialized === 'ephemeral') return quoteIdent(ephemeralName(node));
  return new Relation(node.database, node.schema, node.alias).toString();
}

function sourceRelationSql(node: SourceNode): string {
  if (node.external_location) return externalRelationSql(node.external_location);
  return new Relation(node.database, node.schema, node.identifier).toString();
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
