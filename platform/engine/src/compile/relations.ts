import type { GraphNode, ModelNode, SourceNode } from '../types';
import { Relation } from '../parse/relation';
import type { ResolvedTarget } from '../parse/target';
import type { EngineDialect } from '../engines/engine-plugin';

/** What of the target decides how compiled SQL names relations: its style, and the dialect's file reader. */
export type RelationNaming = Pick<ResolvedTarget, 'relations' | 'externalSources'> & Partial<Pick<ResolvedTarget, 'quoting'>> & { dialect?: Pick<EngineDialect, 'readFile'> };

/** Three-part names; external sources named as the tables they are loaded into. */
export const CATALOG_NAMING: RelationNaming = { relations: 'catalog', externalSources: 'load' };

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function ephemeralName(node: ModelNode): string {
  return `__mesh_ephemeral__${node.alias}`;
}

/** How SQL names a node: a relation, an ephemeral CTE, or a file the engine reads in place. */
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
  if (node.external_location && naming.externalSources === 'read') {
    if (!naming.dialect?.readFile) throw new Error('a target that reads files in place has a dialect without readFile');
    return naming.dialect.readFile(node.external_location);
  }
  return qualifiedName(stagedSourceRelation(node), naming);
}

export function relationOf(node: ModelNode): Relation {
  return new Relation(node.database, node.schema, node.alias);
}
