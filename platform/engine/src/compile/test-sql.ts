import type { TestNode } from '../types';
import { quoteIdent, quoteString } from './relations';

function literal(value: unknown, quote: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (!quote || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return quoteString(String(value));
}

/**
 * The SQL of a generic test: a query whose rows are the failures, so counting and showing the first
 * ones both happen in the database. `relation` and `toRelation` are already compiled relation names.
 */
export function genericTestSql(test: TestNode, relation: string, toRelation?: string): string {
  const meta = test.test_metadata!;
  const kwargs = meta.kwargs;
  const column = quoteIdent(String(kwargs.column_name));
  const where = test.config.where;
  const from = where ? `(select * from ${relation} where ${where}) as __mesh_test_input` : relation;
  switch (meta.name) {
    case 'not_null':
      return `select * from ${from} where ${column} is null`;
    case 'unique':
      return `select ${column} as unique_field, count(*) as n_records from ${from} where ${column} is not null group by ${column} having count(*) > 1`;
    case 'accepted_values': {
      const quote = kwargs.quote !== false;
      const values = (kwargs.values as unknown[]).map((v) => literal(v, quote)).join(', ');
      return `select ${column} as value_field, count(*) as n_records from ${from} where ${column} is not null and ${column} not in (${values}) group by ${column}`;
    }
    case 'relationships': {
      const field = quoteIdent(String(kwargs.field));
      return `select child.${column} as from_field from ${from} as child left join ${toRelation} as parent on child.${column} = parent.${field} where child.${column} is not null and parent.${field} is null`;
    }
    default:
      throw new Error(`unknown generic test ${meta.name}`);
  }
}
