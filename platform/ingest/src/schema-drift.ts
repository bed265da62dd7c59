import type { ColumnInfo } from '@mesh/engine';

/** How a file's columns differ from the table it loads into. */
export interface ColumnChange {
  kind: 'added' | 'missing' | 'retyped';
  column: string;
  /** The table's type (missing, retyped). */
  tableType?: string;
  /** The file's type (added, retyped). */
  fileType?: string;
}

const INTEGERS = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT'];
const UNSIGNED = ['UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'];

/**
 * Whether a value of the file's type always fits the table's column, so loading it is no change of
 * schema: the reader infers types per file, and a file whose ids all fit in INTEGER must still load
 * into a BIGINT column. Anything fits text; integers fit wider integers and floating point; dates fit
 * timestamps. Narrowing (DOUBLE into BIGINT) and unrelated types are real changes.
 */
export function fitsInto(fileType: string, tableType: string): boolean {
  const f = fileType.toUpperCase();
  const t = tableType.toUpperCase();
  if (f === t || t === 'VARCHAR') return true;
  for (const family of [INTEGERS, UNSIGNED]) {
    if (family.includes(f) && family.includes(t)) return family.indexOf(f) <= family.indexOf(t);
  }
  if ((INTEGERS.includes(f) || UNSIGNED.includes(f)) && (t === 'DOUBLE' || t.startsWith('DECIMAL'))) return true;
  if (f === 'FLOAT' && t === 'DOUBLE') return true;
  if (f === 'DATE' && (t === 'TIMESTAMP' || t === 'TIMESTAMP WITH TIME ZONE')) return true;
  return f === 'TIMESTAMP' && t === 'TIMESTAMP WITH TIME ZONE';
}

/** Columns the file adds, lacks, or carries with a type that does not fit the table (names compared as DuckDB does, ignoring case). */
export function schemaDrift(table: ColumnInfo[], file: ColumnInfo[]): ColumnChange[] {
  const inTable = new Map(table.map((c) => [c.name.toLowerCase(), c]));
  const inFile = new Map(file.map((c) => [c.name.toLowerCase(), c]));
  const changes: ColumnChange[] = [];
  for (const [key, c] of inFile) {
    const t = inTable.get(key);
    if (!t) changes.push({ kind: 'added', column: c.name, fileType: c.type });
    else if (!fitsInto(c.type, t.type)) changes.push({ kind: 'retyped', column: c.name, tableType: t.type, fileType: c.type });
  }
  for (const [key, t] of inTable) {
    if (!inFile.has(key)) changes.push({ kind: 'missing', column: t.name, tableType: t.type });
  }
  return changes;
}

export function describeChange(c: ColumnChange): string {
  if (c.kind === 'added') return `new column ${c.column} ${c.fileType}`;
  if (c.kind === 'missing') return `column ${c.column} ${c.tableType} is missing`;
  return `column ${c.column} is ${c.fileType} in the file, ${c.tableType} in the table`;
}
