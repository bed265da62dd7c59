import { ApiError } from './api-error';
import type { Column, Filter, RowQuery } from './row-query';

/**
 * SQL for a rows request. Identifiers come only from the published table's own columns (quoted); every
 * value from the request, cursor values included, is a bound parameter cast to the column's type.
 * Pages are keyset-paginated: the order asked for, then the primary key (or the row id) to make it
 * total, so page n costs the same as page 1.
 */

export interface Statement {
  sql: string;
  params: Array<string | boolean | null>;
}

export interface PortTable {
  schema: string;
  table: string;
  /** The primary key columns (from the contract), present in the published table. */
  primaryKey: Column[];
  /**
   * A view (a share's view over a Parquet file), which has no rowid: a table without a primary key is
   * paged by its position in the file instead, which a single file keeps from one query to the next.
   */
  view?: boolean;
}

interface SortKey {
  expr: string;
  /** The same key read from the page subquery's output. */
  outer: string;
  type: string;
  descending: boolean;
  name: string;
}

const ROWID = '"__mesh_rowid"';

export const qi = (name: string) => `"${name.replaceAll('"', '""')}"`;
const ql = (text: string) => `'${text.replaceAll("'", "''")}'`;

class Params {
  readonly values: Array<string | boolean | null> = [];
  bind(value: string | boolean | null, type?: string): string {
    this.values.push(value);
    return type ? `CAST($${this.values.length} AS ${type})` : `$${this.values.length}`;
  }
}

function filterSql(f: Filter, p: Params): string {
  const c = qi(f.column.name);
  const t = f.column.type;
  switch (f.op) {
    case 'eq': return `${c} = ${p.bind(f.values[0]!, t)}`;
    case 'neq': return `${c} <> ${p.bind(f.values[0]!, t)}`;
    case 'lt': return `${c} < ${p.bind(f.values[0]!, t)}`;
    case 'lte': return `${c} <= ${p.bind(f.values[0]!, t)}`;
    case 'gt': return `${c} > ${p.bind(f.values[0]!, t)}`;
    case 'gte': return `${c} >= ${p.bind(f.values[0]!, t)}`;
    case 'in': return `${c} IN (${f.values.map((v) => p.bind(v, t)).join(', ')})`;
    case 'between': return `${c} BETWEEN ${p.bind(f.values[0]!, t)} AND ${p.bind(f.values[1]!, t)}`;
    case 'is': return f.values[0] === 'null' ? `${c} IS NULL` : `${c} IS NOT NULL`;
  }
}

/** The order asked for, made total by the primary key, or by the row id when the table has none. */
function sortKeys(query: RowQuery, table: PortTable): SortKey[] {
  const keys: SortKey[] = query.order.map((o) => ({ expr: qi(o.column.name), outer: qi(o.column.name), type: o.column.type, descending: o.descending, name: o.column.name }));
  const ordered = new Set(query.order.map((o) => o.column.name));
  const missing = table.primaryKey.filter((c) => !ordered.has(c.name));
  if (table.primaryKey.length) keys.push(...missing.map((c) => ({ expr: qi(c.name), outer: qi(c.name), type: c.type, descending: false, name: c.name })));
  else keys.push({ expr: 'rowid', outer: ROWID, type: 'BIGINT', descending: false, name: 'rowid' });
  return keys;
}

/** The signature a cursor carries, so it is not replayed against another order. */
/** The DuckDB type of each key of the order, as a cursor carries them. */
export function orderTypes(query: RowQuery, table: PortTable): string[] {
  return sortKeys(query, table).map((k) => k.type);
}

export function orderSignature(query: RowQuery, table: PortTable): string {
  return sortKeys(query, table).map((k) => `${k.name}.${k.descending ? 'desc' : 'asc'}`).join(',');
}

/**
 * Rows strictly after the cursor's key, in key order with nulls last: each key compares as the pair
 * (is null, value), so a null key sorts after every value and equal nulls tie.
 */
function afterSql(keys: SortKey[], values: Array<string | null>, p: Params): string {
  const parts: Array<{ expr: string; value: string; descending: boolean }> = [];
  keys.forEach((k, i) => {
    const v = values[i] ?? null;
    parts.push({ expr: `(${k.expr} IS NULL)`, value: p.bind(v === null), descending: false });
    parts.push({ expr: k.expr, value: p.bind(v, k.type), descending: k.descending });
  });
  const disjuncts = parts.map((part, i) => {
    const equal = parts.slice(0, i).map((q) => `${q.expr} IS NOT DISTINCT FROM ${q.value}`);
    return [...equal, `${part.expr} ${part.descending ? '<' : '>'} ${part.value}`].join(' AND ');
  });
  return `(${disjuncts.map((d) => `(${d})`).join(' OR ')})`;
}

function lineExpr(select: Column[], format: 'json' | 'ndjson' | 'csv'): string {
  if (format === 'csv') {
    return `concat_ws(',', ${select.map((c) => `CASE WHEN ${qi(c.name)} IS NULL THEN '' ELSE '"' || replace(CAST(${qi(c.name)} AS VARCHAR), '"', '""') || '"' END`).join(', ')})`;
  }
  return `to_json({${select.map((c) => `${ql(c.name)}: ${qi(c.name)}`).join(', ')}})`;
}

/** A CSV header in the same quoting as the rows. */
export function csvHeader(select: Column[]): string {
  return select.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(',');
}

function whereSql(query: RowQuery, p: Params, extra: string[] = []): string {
  const conditions = [...query.filters.map((f) => filterSql(f, p)), ...extra];
  return conditions.length ? `\nWHERE ${conditions.join('\n  AND ')}` : '';
}

const relation = (t: PortTable) => t.view && !t.primaryKey.length
  ? `(SELECT *, row_number() OVER () - 1 AS rowid FROM ${qi(t.schema)}.${qi(t.table)}) AS ${qi(t.table)}`
  : `${qi(t.schema)}.${qi(t.table)}`;

/** A page statement, and how many key columns follow its line column. */
export interface PageStatement extends Statement {
  keys: number;
}

/** Whether the filters pin every primary key column to one value: the page holds one row at most. */
function pinsPrimaryKey(table: PortTable, query: RowQuery): boolean {
  return table.primaryKey.length > 0 && table.primaryKey.every((k) => query.filters.some((f) => f.op === 'eq' && f.column.name === k.name));
}

/**
 * One page: a line of JSON or CSV per row, plus the row's key for the next cursor; one row more than the
 * page tells whether there is a next page. The page is cut first and formatted after, so only its own
 * rows are turned into JSON, not every row the sort looked at; the outer query keeps the inner one's
 * order (DuckDB preserves it through a projection; the databases are opened with
 * preserve_insertion_order stated). A lookup by the whole primary key has one row at most and needs no
 * sort: it is a plain filtered scan, as cheap as the engine makes it.
 */
export function pageStatement(table: PortTable, query: RowQuery, after: Array<string | null> | undefined): PageStatement {
  if (query.format === 'parquet') throw new ApiError(400, 'bad_parameter', 'format: parquet is served by the export endpoint', 'format');
  const p = new Params();
  const keys = sortKeys(query, table);
  const line = lineExpr(query.select, query.format);
  const limit = Number(query.limit) + 1;
  if (!after && pinsPrimaryKey(table, query)) {
    const keyColumns = keys.map((k, i) => `CAST(${k.expr} AS VARCHAR) AS "__mesh_k${i}"`).join(', ');
    return { sql: `SELECT ${line} AS line, ${keyColumns}\nFROM ${relation(table)}${whereSql(query, p)}\nLIMIT ${limit}`, params: p.values, keys: keys.length };
  }
  const where = whereSql(query, p, after ? [afterSql(keys, after, p)] : []);
  const orderBy = keys.map((k) => `${k.expr} ${k.descending ? 'DESC' : 'ASC'} NULLS LAST`).join(', ');
  const keyColumns = keys.map((k, i) => `CAST(${k.outer} AS VARCHAR) AS "__mesh_k${i}"`).join(', ');
  const rowid = table.primaryKey.length ? '' : `, rowid AS ${ROWID}`;
  const sql = `SELECT ${line} AS line, ${keyColumns}
FROM (
  SELECT *${rowid}
  FROM ${relation(table)}${where}
  ORDER BY ${orderBy}
  LIMIT ${limit}
) AS page`;
  return { sql, params: p.values, keys: keys.length };
}

/**
 * Many lookups by the primary key at once, for requests that differ only in the key's value: one query
 * costs DuckDB nearly the same for one key as for dozens. Rows come with their key as text, so each
 * request gets its own. The list of values is padded to a power of two (repeating the last value), so
 * a few statement shapes cover every batch and each is planned once per connection.
 */
export function lookupStatement(table: PortTable, query: RowQuery, values: readonly string[]): PageStatement {
  const key = table.primaryKey[0]!;
  const p = new Params();
  let size = 1;
  while (size < values.length) size *= 2;
  const list = Array.from({ length: size }, (_, i) => p.bind(values[Math.min(i, values.length - 1)]!, key.type));
  const sql = `SELECT ${lineExpr(query.select, query.format === 'parquet' ? 'json' : query.format)} AS line, CAST(${qi(key.name)} AS VARCHAR) AS "__mesh_k0"
FROM ${relation(table)}
WHERE ${qi(key.name)} IN (${list.join(', ')})`;
  return { sql, params: p.values, keys: 1 };
}

/** Every matching row, for DuckDB to COPY to a file in the export's format. */
export function exportStatement(table: PortTable, query: RowQuery): Statement {
  const p = new Params();
  const where = whereSql(query, p);
  const order = query.order.length ? `\nORDER BY ${query.order.map((o) => `${qi(o.column.name)} ${o.descending ? 'DESC' : 'ASC'} NULLS LAST`).join(', ')}` : '';
  const limit = query.limit ? `\nLIMIT ${Number(query.limit)}` : '';
  return { sql: `SELECT ${query.select.map((c) => qi(c.name)).join(', ')}\nFROM ${relation(table)}${where}${order}${limit}`, params: p.values };
}
