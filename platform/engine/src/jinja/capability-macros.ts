import { DbtColumn } from './column';
import { Table } from './agate';
import { macro, type NativeMacro } from './macro-api';
import { Relation } from '../parse/relation';

/**
 * The introspection macros every adapter spells the same way here, because each answers through the
 * adapter's declared capabilities rather than its own information-schema SQL: an adapter's dialect names
 * them (`duckdb__get_columns_in_relation`) and they ask the session.
 */

/** `get_columns_in_relation(relation)`: the relation's columns, as `api.Column`s, in their order. */
export function columnsInRelationMacro(): NativeMacro {
  return macro(['relation'], (a, ctx) => {
    if (!(a.relation instanceof Relation)) return [];
    return ctx.ask({ kind: 'columns', relation: a.relation.path }).map((c) => new DbtColumn(c.name, c.type));
  });
}

/**
 * `list_relations_without_caching(schema_relation)`: the relations of a schema as the agate table dbt's
 * adapters return (database, name, schema, type). `textType` is the engine's name for its text columns;
 * `param` the parameter's name in the adapter dbt has (callers may pass it by keyword).
 */
export function relationsInSchemaMacro(textType: string, param = 'schema_relation'): NativeMacro {
  return macro([param], (a, ctx) => {
    const given = a[param];
    const schema = given instanceof Relation ? given : ctx.relation(String(ctx.target.database), given === undefined || given === null ? '' : String(given), '');
    const found = ctx.ask({ kind: 'relations', database: schema.database, schemaPattern: schema.schema, identifierPattern: '%', exclude: '' });
    return new Table({
      columns: ['database', 'name', 'schema', 'type'].map((name) => ({ name, type: textType })),
      rows: found.map((r) => [r.database, r.identifier, r.schema, r.kind]),
    });
  });
}
