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
  if (meta.namespace === 'dbt_utils') return dbtUtilsTestSql(meta.name, kwargs, from, test.config.store_failures === true);
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
 * dbt_utils' generic tests when dbt_utils is not installed, written as dbt_utils 1.x writes them (column names
 * and expressions as given, `group_by_columns` grouping, `trim_whitespace`), so results match a dbt run with the
 * package. An installed dbt_utils always runs its own.
 */
function dbtUtilsTestSql(name: string, kwargs: Record<string, unknown>, from: string, storeFailures: boolean): string {
  const columnName = kwargs.column_name === undefined || kwargs.column_name === null ? undefined : String(kwargs.column_name);
  const groupBy = Array.isArray(kwargs.group_by_columns) ? kwargs.group_by_columns.map(String) : [];
  const selectGroup = groupBy.length ? `${groupBy.join(' ,')}, ` : '';
  const groupClause = groupBy.length ? ` group by ${groupBy.join(',')}` : '';
  switch (name) {
    case 'expression_is_true': {
      const expression = columnName ? `${columnName} ${String(kwargs.expression)}` : String(kwargs.expression);
      return `select ${storeFailures ? '*' : '1'} from ${from} where not(${expression})`;
    }
    case 'unique_combination_of_columns': {
      const quote = kwargs.quote_columns === true;
      const columns = (kwargs.combination_of_columns as unknown[]).map((c) => (quote ? quoteIdent(String(c)) : String(c))).join(', ');
      return `with validation_errors as (select ${columns} from ${from} group by ${columns} having count(*) > 1) select * from validation_errors`;
    }
    case 'accepted_range': {
      const op = kwargs.inclusive === false ? '' : '=';
      const checks = ['1 = 2'];
      if (kwargs.min_value !== undefined && kwargs.min_value !== null) checks.push(`not ${columnName} >${op} ${String(kwargs.min_value)}`);
      if (kwargs.max_value !== undefined && kwargs.max_value !== null) checks.push(`not ${columnName} <${op} ${String(kwargs.max_value)}`);
      return `select * from ${from} where ${checks.join(' or ')}`;
    }
    case 'not_constant':
      return `select ${selectGroup}count(distinct ${columnName}) as filler_column from ${from}${groupClause} having count(distinct ${columnName}) = 1`;
    case 'at_least_one': {
      const pruned = groupBy.length ? [...groupBy, ...(groupBy.includes(columnName!) ? [] : [columnName!])] : [columnName!];
      const rows = groupBy.length ? `select ${pruned.join(' ,')} from ${from}` : `select ${pruned.join(' ,')} from ${from} where ${columnName} is not null limit 1`;
      return `select * from (with pruned_rows as (${rows}) select ${selectGroup}count(${columnName}) as filler_column from pruned_rows${groupClause} having count(${columnName}) = 0) validation_errors`;
    }
    case 'not_empty_string': {
      const value = kwargs.trim_whitespace === false ? columnName : `trim(${columnName}) as ${columnName}`;
      return `with all_values as (select ${value} from ${from}), errors as (select * from all_values where ${columnName} = '') select * from errors`;
    }
    default:
      throw new Error(`unknown dbt_utils test ${name}`);
  }
}
