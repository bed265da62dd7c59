import { openSync, readSync, closeSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MeshError } from '@mesh/errors';
import type { MaterializePlan, RelationName } from '@mesh/engine';
import { lit, q, rel } from './materialize-sql';

/**
 * Seeds as dbt-duckdb loads them. dbt reads the CSV with agate to pick each column's type (integer,
 * float8, date, timestamp, boolean, text), creates the table with those types and copies the file into it
 * with DuckDB's `COPY ... FROM` (strict: a row with too few or too many fields fails). Here the same type
 * rules run as one aggregate query over the file in DuckDB, then the same CREATE TABLE and COPY; a row
 * that does not load is named by its line.
 */

type SeedPlan = Extract<MaterializePlan, { kind: 'seed' }>;

/** agate's currency symbols, stripped from both ends of a number in this order. */
const CURRENCY = ['؋', '$', 'ƒ', '៛', '¥', '₡', '₱', '£', '€', '¢', '﷼', '₪', '₩', '₭', '₮', '₦', '฿', '₤', '₫'];

/** agate's column names: blank ones become letters (a, b, ... aa), repeated ones get `_2`, `_3`. */
export function agateColumnNames(names: string[]): string[] {
  const out: string[] = [];
  names.forEach((raw, i) => {
    const name = raw || 'abcdefghijklmnopqrstuvwxyz'[i % 26]!.repeat(Math.floor(i / 26) + 1);
    let final = name;
    for (let n = 2; out.includes(final); n++) final = `${name}_${n}`;
    out.push(final);
  });
  return out;
}

/** The first record of a CSV text, as Python's csv module reads it (double quotes, `""` inside quotes). */
export function firstCsvRecord(text: string, delimiter: string): string[] | undefined {
  if (!text) return undefined;
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (text.startsWith(delimiter, i)) {
      fields.push(field);
      field = '';
      i += delimiter.length - 1;
    } else if (ch === '\n' || ch === '\r') break;
    else field += ch;
  }
  fields.push(field);
  return fields;
}

/** The header of a seed file, read from its first 64 KiB (the header is metadata; the rows stay in DuckDB). */
function readHeader(path: string, file: string, delimiter: string): string[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new MeshError('E_SEED_FILE', `cannot read seed ${file}: ${(error as Error).message}`, { location: { file } });
  }
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const bytes = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytes).toString('utf8').replace(/^\uFEFF/, '');
    const record = firstCsvRecord(text, delimiter);
    if (!record) {
      throw new MeshError('E_SEED_EMPTY', `seed ${file} is empty: a seed needs a header row naming its columns`, {
        location: { file, line: 1 },
        hint: 'Write the column names on the first line (code,label,weight), or delete the file.',
      });
    }
    return agateColumnNames(record);
  } finally {
    closeSync(fd);
  }
}

/** The file read with every column as text, the way the type rules look at it. */
function textScan(path: string, delimiter: string, names: string[], extra = ''): string {
  const columns = names.map((n, i) => `${lit(`c${i}`)}: 'VARCHAR'`).join(', ');
  return `read_csv(${lit(path)}, header = true, delim = ${lit(delimiter)}, quote = '"', escape = '"', columns = {${columns}}${extra})`;
}

const trimmed = (col: string) => `regexp_replace(${col}, '^\\s+|\\s+$', '', 'g')`;

/** The column's value as agate's Number sees it, once signs, percent and currency signs are stripped. */
function numberText(v: string): string {
  let s = `regexp_replace(${v}, '^%+|%+$', '', 'g')`;
  s = `(CASE WHEN starts_with(${s}, '-') THEN substr(${s}, 2) ELSE ${s} END)`;
  for (const symbol of CURRENCY) s = `trim(${s}, ${lit(symbol)})`;
  return trimmed(`replace(${s}, ',', '')`);
}

const DECIMAL = "'^[+-]?((\\d(_?\\d)*)(\\.(\\d(_?\\d)*)?)?|\\.\\d(_?\\d)*)([eE][+-]?\\d(_?\\d)*)?$'";
const SPECIAL = "'^[+-]?(inf|infinity|s?nan\\d*)$'";
const DATE = "'^\\d{4}-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\\d|0[1-9]|[1-9])$'";
const DATETIME = "'^\\d{4}-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\\d|0[1-9]|[1-9]) (2[0-3]|[01]\\d|\\d):([0-5]\\d|\\d):([0-5]\\d|\\d)$'";
const ISO_DATETIME = "'^(\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4}-\\d{3}|\\d{7}|\\d{4}-?W\\d{2}(-?\\d)?)T\\d{2}(:?\\d{2}(:?\\d{2})?)?([.,]\\d+)?(Z|[+-]\\d{2}(:?\\d{2})?)?$'";

/** Per column: whether every value passes each of agate's types, and the most decimal places of a number. */
function probeSql(path: string, delimiter: string, names: string[]): string {
  const parts = names.flatMap((_, i) => {
    const v = `v${i}`;
    const isNull = `(${v} IS NULL OR lower(${v}) IN ('', 'null'))`;
    const n = `n${i}`;
    const digits = `regexp_extract(replace(${n}, '_', ''), '^[+-]?(\\d*)(?:\\.(\\d*))?', 1) || regexp_extract(replace(${n}, '_', ''), '^[+-]?(\\d*)(?:\\.(\\d*))?', 2)`;
    const fraction = `length(regexp_extract(replace(${n}, '_', ''), '^[+-]?\\d*(?:\\.(\\d*))?', 1))`;
    const exponent = `coalesce(try_cast(regexp_extract(replace(${n}, '_', ''), '[eE]([+-]?\\d+)$', 1) AS BIGINT), 0)`;
    const places = `CASE WHEN ltrim(${digits}, '0') = '' THEN 0 ELSE greatest(0, ${fraction} - ${exponent} - (length(${digits}) - length(rtrim(${digits}, '0')))) END`;
    const number = `regexp_full_match(${n}, ${DECIMAL})`;
    return [
      `bool_and(${isNull} OR ${number} OR regexp_full_match(lower(${n}), ${SPECIAL})) AS number${i}`,
      `max(CASE WHEN ${isNull} OR NOT ${number} THEN 0 ELSE ${places} END) AS places${i}`,
      `bool_and(${isNull} OR (regexp_full_match(${v}, ${DATE}) AND try_strptime(${v}, '%Y-%m-%d') IS NOT NULL)) AS date${i}`,
      `bool_and(${isNull} OR (regexp_full_match(${v}, ${DATETIME}) AND try_strptime(${v}, '%Y-%m-%d %H:%M:%S') IS NOT NULL)) AS datetime${i}`,
      `bool_and(${isNull} OR regexp_full_match(${v}, ${ISO_DATETIME})) AS iso${i}`,
      `bool_and(${isNull} OR lower(${trimmed(`replace(${v}, ',', '')`)}) IN ('true', 'false')) AS boolean${i}`,
    ];
  });
  const values = names.map((_, i) => `${trimmed(q(`c${i}`))} AS v${i}`).join(', ');
  const numbers = names.map((_, i) => `${numberText(`v${i}`)} AS n${i}`).join(', ');
  return `SELECT ${parts.join(',\n  ')}\nFROM (SELECT *, ${numbers} FROM (SELECT ${values} FROM ${textScan(path, delimiter, names)}))`;
}

/** agate's pick, in its order (Integer, Number, Date, DateTime, ISODateTime, Boolean, Text), as dbt-duckdb spells it. */
function pickType(probe: Record<string, unknown>, i: number): string {
  // bool_and over no rows is NULL: agate keeps its first type then, which dbt spells integer.
  const passes = (key: string) => probe[`${key}${i}`] !== false;
  if (passes('number')) return Number(probe[`places${i}`] ?? 0) > 0 ? 'float8' : 'integer';
  if (passes('date')) return 'date';
  if (passes('datetime') || passes('iso')) return 'timestamp without time zone';
  if (passes('boolean')) return 'boolean';
  return 'text';
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Array<Record<string, unknown>>> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

export interface SeedLoad {
  columns: Array<{ name: string; type: string }>;
  create(into: RelationName): string[];
}

/** Works out the seed's columns and their types, then the statements that create and fill its table. */
export async function planSeed(connection: DuckDBConnection, plan: SeedPlan): Promise<SeedLoad> {
  const delimiter = plan.delimiter ?? ',';
  const file = plan.file ?? plan.path;
  const names = readHeader(plan.path, file, delimiter);
  const overrides = plan.columnTypes;
  let probe: Record<string, unknown> = {};
  if (names.some((n) => overrides[n] === undefined)) {
    try {
      [probe = {}] = await rows(connection, probeSql(plan.path, delimiter, names));
    } catch (error) {
      throw await seedError(connection, plan, error);
    }
  }
  const columns = names.map((name, i) => ({ name, type: overrides[name] ?? pickType(probe, i) }));
  const quote = plan.quoteColumns !== false;
  return {
    columns,
    create: (into) => [
      `CREATE TABLE ${rel(into)} (${columns.map((c) => `${quote ? q(c.name) : c.name} ${c.type}`).join(', ')})`,
      `COPY ${rel(into)} FROM ${lit(plan.path)} (FORMAT CSV, HEADER TRUE, DELIMITER ${lit(delimiter)})`,
    ],
  };
}

/**
 * A seed that does not load, said with the file and the line of the first bad row: the file is read
 * again with DuckDB's rejects table, which records each row it cannot read and why.
 */
export async function seedError(connection: DuckDBConnection, plan: SeedPlan, error: unknown): Promise<MeshError> {
  const file = plan.file ?? plan.path;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  const delimiter = plan.delimiter ?? ',';
  let names: string[] | undefined;
  try {
    names = readHeader(plan.path, file, delimiter);
  } catch {
    names = undefined;
  }
  let rejects: Array<Record<string, unknown>> = [];
  if (names) {
    try {
      await connection.run('DROP TABLE IF EXISTS temp.__mesh_seed_rejects; DROP TABLE IF EXISTS temp.__mesh_seed_scans');
      await connection.run(`SELECT count(*) FROM ${textScan(plan.path, delimiter, names, ", store_rejects = true, rejects_table = '__mesh_seed_rejects', rejects_scan = '__mesh_seed_scans'")}`);
      rejects = await rows(connection, 'SELECT line, error_type, csv_line, error_message FROM temp.__mesh_seed_rejects ORDER BY line LIMIT 5');
    } catch {
      rejects = [];
    }
  }
  const first = rejects[0];
  const expected = names?.length ?? 0;
  if (first) {
    const fields = String(first.csv_line ?? '').split(delimiter).length;
    const what = first.error_type === 'MISSING COLUMNS' || first.error_type === 'TOO MANY COLUMNS'
      ? `a row with ${fields} field${fields === 1 ? '' : 's'} where the header has ${expected}`
      : String(first.error_message ?? first.error_type).split('\n')[0];
    return new MeshError('E_SEED_PARSE', `seed ${file} does not load: line ${String(first.line)} has ${what}`, {
      location: { file, line: Number(first.line) },
      details: rejects.map((r) => `line ${String(r.line)}: ${String(r.csv_line ?? '')}`).join('\n'),
      hint: `Give every row the ${expected} fields of the header (an empty field is a null: A,alpha,), and quote values holding a '${delimiter}' or a line break.`,
    });
  }
  return new MeshError('E_SEED_PARSE', `seed ${file} does not load: ${message}`, {
    location: { file },
    hint: 'Check the file is CSV with a header row, the delimiter config matches it, and column_types names DuckDB types the values fit.',
  });
}
