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
  if (node.external_location) return quoteString(node.external_location);
  return new Relation(node.database, node.schema, node.identifier).toString();
}

export function relationOf(node: ModelNode): Relation {
  return new Relation(node.database, node.schema, node.alias);
}
