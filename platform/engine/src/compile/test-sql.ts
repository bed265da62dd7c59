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
  const from = testInput(test, relation);
  if (meta.namespace === 'dbt_utils') return dbtUtilsTestSql(meta.name, kwargs, from);
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

/** The tested relation, filtered by the test's `where` config first, as dbt does. */
export function testInput(test: TestNode, relation: string): string {
  const where = test.config.where;
  return where ? `(select * from ${relation} where ${where}) as __mesh_test_input` : relation;
}

/**
 * dbt_utils' generic tests, written as dbt_utils writes them (expressions and values are SQL, column
 * names are used as given unless quote_columns is set), so their results match a dbt run.
 */
function dbtUtilsTestSql(name: string, kwargs: Record<string, unknown>, from: string): string {
  const columnName = kwargs.column_name === undefined ? undefined : String(kwargs.column_name);
  switch (name) {
    case 'expression_is_true': {
      const expression = columnName ? `${quoteIdent(columnName)} ${String(kwargs.expression)}` : String(kwargs.expression);
      return `select * from ${from} where not(${expression})`;
    }
    case 'unique_combination_of_columns': {
      const quote = kwargs.quote_columns === true;
      const columns = (kwargs.combination_of_columns as unknown[]).map((c) => (quote ? quoteIdent(String(c)) : String(c))).join(', ');
      return `select ${columns}, count(*) as n_records from ${from} group by ${columns} having count(*) > 1`;
    }
    case 'accepted_range': {
      const column = quoteIdent(columnName!);
      const op = kwargs.inclusive === false ? '' : '=';
      const checks = ['1 = 2'];
      if (kwargs.min_value !== undefined && kwargs.min_value !== null) checks.push(`not ${column} >${op} ${String(kwargs.min_value)}`);
      if (kwargs.max_value !== undefined && kwargs.max_value !== null) checks.push(`not ${column} <${op} ${String(kwargs.max_value)}`);
      return `select * from ${from} where ${checks.join(' or ')}`;
    }
    case 'not_constant': {
      const column = quoteIdent(columnName!);
      return `select count(distinct ${column}) as filler_column from ${from} having count(distinct ${column}) = 1`;
    }
    case 'at_least_one': {
      const column = quoteIdent(columnName!);
      return `select count(${column}) as filler_column from ${from} having count(${column}) = 0`;
    }
    case 'not_empty_string': {
      const column = quoteIdent(columnName!);
      const value = kwargs.trim_whitespaces === false ? column : `trim(${column})`;
      return `select ${column} from ${from} where ${value} = ''`;
    }
    default:
      throw new Error(`unknown dbt_utils test ${name}`);
  }
}
