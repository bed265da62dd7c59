import { badParameter } from './api-error';
import { checkValue, kindOf } from './column-types';

/**
 * The query string of a rows request, parsed and checked against the port's columns before any SQL is
 * written. Filters follow PostgREST: `?total_value=gt.1000&order_status=in.(open,paid)`.
 * Column names are only ever taken from the port's own columns; values are only ever bound.
 */

export interface Column {
  name: string;
  /** The DuckDB type of the column in the published table. */
  type: string;
}

export const OPERATORS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'between', 'is'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Filter {
  column: Column;
  op: Operator;
  /** One value, two for between, any number for in; `is` holds `null` or `not_null`. */
  values: string[];
}

export interface Sort {
  column: Column;
  descending: boolean;
}

export const FORMATS = ['json', 'ndjson', 'csv', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];

export interface RowQuery {
  select: Column[];
  filters: Filter[];
  order: Sort[];
  /** Rows per page; undefined for an export of every row. */
  limit?: number;
  cursor?: string;
  format: Format;
}

export interface ParseOptions {
  defaultLimit: number;
  maxLimit: number;
  /** Pages (rows) or a whole export. */
  mode: 'page' | 'export';
  /** The format the Accept header asked for, used when `format` is not given. */
  accepted?: Format;
}

const RESERVED = new Set(['select', 'order', 'limit', 'cursor', 'format']);
const MAX_IN_VALUES = 1000;

/** `(a,b,"c,d")`: comma-separated, double quotes for values holding commas or parentheses. */
export function parseList(text: string, parameter: string): string[] {
  if (!text.startsWith('(') || !text.endsWith(')')) throw badParameter(parameter, `expected a list in parentheses such as (a,b), got '${text}'`);
  const body = text.slice(1, -1);
  const out: string[] = [];
  let i = 0;
  while (i <= body.length) {
    let value = '';
    if (body[i] === '"') {
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\' && i + 1 < body.length) i++;
        value += body[i++];
      }
      if (body[i] !== '"') throw badParameter(parameter, 'a quoted value is not closed');
      i++;
      if (i < body.length && body[i] !== ',') throw badParameter(parameter, 'expected a comma after a quoted value');
    } else {
      const end = body.indexOf(',', i);
      value = body.slice(i, end === -1 ? body.length : end);
      i = end === -1 ? body.length : end;
    }
    out.push(value);
    i++;
  }
  return out;
}

function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) throw badParameter(name, 'given more than once');
  return all[0];
}

function columnNamed(columns: Map<string, Column>, name: string, parameter: string): Column {
  const column = columns.get(name);
  if (!column) throw badParameter(parameter, `'${name}' is not a column of this port (columns: ${[...columns.keys()].join(', ')})`);
  return column;
}

function parseFilter(column: Column, raw: string, parameter: string): Filter {
  const dot = raw.indexOf('.');
  const op = (dot === -1 ? raw : raw.slice(0, dot)) as Operator;
  if (dot === -1 || !OPERATORS.includes(op)) {
    throw badParameter(parameter, `expected <operator>.<value> with an operator among ${OPERATORS.join(', ')} (e.g. ${column.name}=eq.42), got '${raw}'`);
  }
  const rest = raw.slice(dot + 1);
  if (op === 'is') {
    if (rest !== 'null' && rest !== 'not_null') throw badParameter(parameter, `is takes null or not_null, got '${rest}'`);
    return { column, op, values: [rest] };
  }
  if (!kindOf(column.type)) throw badParameter(parameter, `column ${column.name} (${column.type}) cannot be filtered on; only is.null and is.not_null apply`);
  const values = op === 'in' || op === 'between' ? parseList(rest, parameter) : [rest];
  if (op === 'between' && values.length !== 2) throw badParameter(parameter, `between takes two values, (low,high); got ${values.length}`);
  if (op === 'in' && (values.length === 0 || values.length > MAX_IN_VALUES)) throw badParameter(parameter, `in takes 1 to ${MAX_IN_VALUES} values; got ${values.length}`);
  for (const value of values) {
    const problem = checkValue(column.type, value);
    if (problem) throw badParameter(parameter, `'${value}': ${problem}`);
  }
  return { column, op, values };
}

export function parseRowQuery(params: URLSearchParams, portColumns: Column[], options: ParseOptions): RowQuery {
  const columns = new Map(portColumns.map((c) => [c.name, c]));
  const selectText = single(params, 'select');
  const select = selectText === undefined || selectText === '' ? portColumns : selectText.split(',').map((name) => columnNamed(columns, name.trim(), 'select'));
  if (new Set(select.map((c) => c.name)).size !== select.length) throw badParameter('select', 'names a column twice');

  const orderText = single(params, 'order');
  const order: Sort[] = [];
  for (const part of orderText ? orderText.split(',') : []) {
    const m = /^([^.]+)(?:\.(asc|desc))?$/.exec(part.trim());
    if (!m) throw badParameter('order', `expected column or column.asc / column.desc, got '${part}'`);
    const column = columnNamed(columns, m[1]!, 'order');
    if (!kindOf(column.type)) throw badParameter('order', `column ${column.name} (${column.type}) cannot be sorted on`);
    if (order.some((o) => o.column.name === column.name)) throw badParameter('order', `names ${column.name} twice`);
    order.push({ column, descending: m[2] === 'desc' });
  }

  const formatText = single(params, 'format');
  if (formatText !== undefined && !FORMATS.includes(formatText as Format)) throw badParameter('format', `expected one of ${FORMATS.join(', ')}, got '${formatText}'`);
  const format = (formatText as Format | undefined) ?? options.accepted ?? (options.mode === 'export' ? 'csv' : 'json');
  if (options.mode === 'export' && format === 'json') throw badParameter('format', 'an export streams ndjson, csv or parquet; json is paginated (use the rows endpoint)');

  const limitText = single(params, 'limit');
  let limit: number | undefined = options.mode === 'page' ? options.defaultLimit : undefined;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > options.maxLimit) {
      throw badParameter('limit', `expected a whole number from 1 to ${options.maxLimit}, got '${limitText}'`);
    }
    limit = Number(limitText);
  }
  const cursor = single(params, 'cursor');
  if (cursor !== undefined && options.mode === 'export') throw badParameter('cursor', 'an export has no pages; leave cursor out');

  const filters: Filter[] = [];
  for (const [name, value] of params) {
    if (RESERVED.has(name)) continue;
    filters.push(parseFilter(columnNamed(columns, name, name), value, name));
  }
  return { select, filters, order, limit, cursor, format };
}
