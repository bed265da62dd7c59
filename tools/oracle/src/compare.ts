import { basename } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A relation as both sides name it: `schema.name` (lower case). */
export type RelationId = string;

export interface RelationDiff {
  relation: RelationId;
  /** Columns (name and type) of each side, where they differ. */
  columns?: { left: string[]; right: string[] };
  leftRows: number;
  rightRows: number;
  /** Rows in one side and not the other, duplicates counted (EXCEPT ALL both ways). */
  onlyLeft: number;
  onlyRight: number;
  /** A few of those rows, to print in a failing test. */
  sample: Array<Record<string, unknown>>;
}

export interface DatabaseComparison {
  /** Relations both sides have, with their row counts; equal means same columns and same rows. */
  compared: Array<{ relation: RelationId; rows: number; equal: boolean }>;
  onlyLeft: RelationId[];
  onlyRight: RelationId[];
  differences: RelationDiff[];
  /** True when both sides hold the same relations with the same columns and rows. */
  equal: boolean;
}

export interface CompareOptions {
  /** Schemas left out on both sides (dbt's test audit schema, say); information_schema and pg_catalog always are. */
  ignoreSchemas?: string[];
  /** Relations left out on both sides, as `schema.name`. */
  ignoreRelations?: string[];
  /**
   * SQL to put in place of a column before comparing, per `schema.name` and column: for values a tool
   * stamps at run time (`{ 'snapshots.orders_snapshot': { dbt_valid_from: "'<run>'" } }`). The
   * expression may name the column.
   */
  normalise?: Record<RelationId, Record<string, string>>;
  /** Compare column types too (default true); names are always compared. */
  types?: boolean;
  /** Rows of each difference to keep for printing (default 5). */
  sample?: number;
  /** Other databases a side's views read (an upstream project's file), by catalog name. */
  attach?: { left?: Record<string, string>; right?: Record<string, string> };
  /**
   * The folder a side's views resolve relative file paths from (the folder its build ran in): a view over
   * `'data/x.csv'` reads it there, as it did when it was built.
   */
  searchPath?: { left?: string; right?: string };
}

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const lit = (text: string) => `'${text.replaceAll("'", "''")}'`;

interface Column {
  name: string;
  type: string;
}

async function relations(c: DuckDBConnection, catalog: string, ignore: Set<string>): Promise<Map<RelationId, Column[]>> {
  const reader = await c.runAndReadAll(
    `select lower(table_schema) as s, lower(table_name) as t, column_name as c, data_type as d
     from information_schema.columns where table_catalog = ${lit(catalog)} order by table_schema, table_name, ordinal_position`,
  );
  const out = new Map<RelationId, Column[]>();
  for (const row of reader.getRowObjectsJS() as Array<{ s: string; t: string; c: string; d: string }>) {
    if (ignore.has(row.s)) continue;
    const id = `${row.s}.${row.t}`;
    if (!out.has(id)) out.set(id, []);
    out.get(id)!.push({ name: row.c, type: row.d });
  }
  return out;
}

/** DuckDB names an attached file's catalog after the file; views inside it name that catalog. */
function catalogOf(path: string): string {
  return basename(path).replace(/\.[^.]*$/, '');
}

/**
 * Copies every relation of one database into the scratch database as `<side>.<schema>__<name>`. Views
 * name their own catalog, so the file is attached under its own name, one side at a time.
 */
async function snapshotSide(c: DuckDBConnection, path: string, side: string, ignore: Set<string>, attach: Record<string, string>, searchPath: string | undefined): Promise<Map<RelationId, Column[]>> {
  const catalog = catalogOf(path);
  if (searchPath) await c.run(`SET file_search_path = ${lit(searchPath)}`);
  else await c.run('RESET file_search_path');
  const extra = Object.entries(attach).filter(([name]) => name !== catalog);
  for (const [name, file] of extra) await c.run(`ATTACH ${lit(file)} AS ${q(name)} (READ_ONLY)`);
  await c.run(`ATTACH ${lit(path)} AS ${q(catalog)} (READ_ONLY)`);
  try {
    const found = await relations(c, catalog, ignore);
    await c.run(`CREATE SCHEMA IF NOT EXISTS scratch.${q(side)}`);
    for (const id of found.keys()) {
      const [schema, name] = id.split('.') as [string, string];
      await c.run(`CREATE TABLE scratch.${q(side)}.${q(`${schema}__${name}`)} AS SELECT * FROM ${q(catalog)}.${q(schema)}.${q(name)}`);
    }
    return found;
  } finally {
    await c.run(`DETACH ${q(catalog)}`);
    for (const [name] of extra) await c.run(`DETACH ${q(name)}`);
  }
}

/**
 * Compares every relation of two DuckDB files row for row inside DuckDB: the same relation names, the
 * same column names (and types), and the same multiset of rows (EXCEPT ALL both ways).
 */
export async function compareDatabases(leftPath: string, rightPath: string, options: CompareOptions = {}): Promise<DatabaseComparison> {
  const ignoreSchemas = new Set(['information_schema', 'pg_catalog', ...(options.ignoreSchemas ?? []).map((s) => s.toLowerCase())]);
  const ignoreRelations = new Set((options.ignoreRelations ?? []).map((r) => r.toLowerCase()));
  const sampleSize = options.sample ?? 5;
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(`ATTACH ':memory:' AS scratch`);
    const left = await snapshotSide(c, leftPath, 'left', ignoreSchemas, options.attach?.left ?? {}, options.searchPath?.left);
    const right = await snapshotSide(c, rightPath, 'right', ignoreSchemas, options.attach?.right ?? {}, options.searchPath?.right);
    for (const id of ignoreRelations) {
      left.delete(id);
      right.delete(id);
    }
    const result: DatabaseComparison = {
      compared: [],
      onlyLeft: [...left.keys()].filter((id) => !right.has(id)).sort(),
      onlyRight: [...right.keys()].filter((id) => !left.has(id)).sort(),
      differences: [],
      equal: false,
    };
    for (const [id, leftColumns] of [...left].sort(([a], [b]) => a.localeCompare(b))) {
      const rightColumns = right.get(id);
      if (!rightColumns) continue;
      const [schema, name] = id.split('.') as [string, string];
      const table = `${schema}__${name}`;
      const describe = (cols: Column[]) => cols.map((col) => (options.types === false ? col.name.toLowerCase() : `${col.name.toLowerCase()} ${col.type}`));
      const lcols = describe(leftColumns);
      const rcols = describe(rightColumns);
      const sameColumns = [...lcols].sort().join(',') === [...rcols].sort().join(',');
      const normalise = options.normalise?.[id] ?? {};
      const names = leftColumns.map((col) => col.name).filter((n) => rightColumns.some((r) => r.name.toLowerCase() === n.toLowerCase()));
      const select = (side: string) => {
        const list = names.map((n) => {
          const expr = normalise[n] ?? normalise[n.toLowerCase()];
          return expr ? `(${expr}) as ${q(n)}` : q(n);
        });
        return `select ${list.length ? list.join(', ') : '1 as no_columns'} from scratch.${q(side)}.${q(table)}`;
      };
      const count = async (sql: string) => Number((await c.runAndReadAll(`select count(*)::bigint as n from (${sql})`)).getRowObjectsJS()[0]!.n);
      const leftRows = await count(select('left'));
      const rightRows = await count(select('right'));
      const onlyLeftSql = `(${select('left')}) except all (${select('right')})`;
      const onlyRightSql = `(${select('right')}) except all (${select('left')})`;
      const onlyLeft = await count(onlyLeftSql);
      const onlyRight = await count(onlyRightSql);
      const equal = sameColumns && onlyLeft === 0 && onlyRight === 0;
      result.compared.push({ relation: id, rows: leftRows, equal });
      if (equal) continue;
      const sample: Array<Record<string, unknown>> = [];
      if (onlyLeft + onlyRight > 0 && sampleSize > 0) {
        const rows = await c.runAndReadAll(
          `(select 'left only' as side, * from (${onlyLeftSql}) limit ${sampleSize}) union all (select 'right only' as side, * from (${onlyRightSql}) limit ${sampleSize})`,
        );
        sample.push(...(rows.getRowObjectsJson() as Array<Record<string, unknown>>));
      }
      result.differences.push({
        relation: id,
        columns: sameColumns ? undefined : { left: lcols, right: rcols },
        leftRows,
        rightRows,
        onlyLeft,
        onlyRight,
        sample,
      });
    }
    result.equal = result.onlyLeft.length === 0 && result.onlyRight.length === 0 && result.differences.length === 0;
    return result;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** A comparison as text for a failing test's message. */
export function formatComparison(comparison: DatabaseComparison, labels: [string, string] = ['left', 'right']): string {
  const lines: string[] = [];
  if (comparison.onlyLeft.length) lines.push(`only in ${labels[0]}: ${comparison.onlyLeft.join(', ')}`);
  if (comparison.onlyRight.length) lines.push(`only in ${labels[1]}: ${comparison.onlyRight.join(', ')}`);
  for (const d of comparison.differences) {
    lines.push(`${d.relation}: ${labels[0]} ${d.leftRows} rows, ${labels[1]} ${d.rightRows} rows; ${d.onlyLeft} only in ${labels[0]}, ${d.onlyRight} only in ${labels[1]}`);
    if (d.columns) lines.push(`  columns ${labels[0]}: ${d.columns.left.join(', ')}\n  columns ${labels[1]}: ${d.columns.right.join(', ')}`);
    for (const row of d.sample) lines.push(`  ${JSON.stringify(row).replace('"left only"', `"${labels[0]} only"`).replace('"right only"', `"${labels[1]} only"`)}`);
  }
  return lines.join('\n') || 'equal';
}
