import type { LogicalType } from './schema';

// Every spelling DuckDB accepts for a type, folded onto the name it reports (`typeof`, DESCRIBE), so a
// contract written `int` and a database saying INTEGER agree.
const ALIASES: Record<string, string> = {
  INT: 'INTEGER', INT4: 'INTEGER', INT32: 'INTEGER', INTEGER: 'INTEGER', SIGNED: 'INTEGER',
  INT8: 'BIGINT', INT64: 'BIGINT', LONG: 'BIGINT', BIGINT: 'BIGINT',
  INT2: 'SMALLINT', INT16: 'SMALLINT', SHORT: 'SMALLINT', SMALLINT: 'SMALLINT',
  INT1: 'TINYINT', TINYINT: 'TINYINT',
  HUGEINT: 'HUGEINT', INT128: 'HUGEINT',
  UTINYINT: 'UTINYINT', UINT8: 'UTINYINT',
  USMALLINT: 'USMALLINT', UINT16: 'USMALLINT',
  UINTEGER: 'UINTEGER', UINT32: 'UINTEGER',
  UBIGINT: 'UBIGINT', UINT64: 'UBIGINT',
  UHUGEINT: 'UHUGEINT', UINT128: 'UHUGEINT',
  VARCHAR: 'VARCHAR', STRING: 'VARCHAR', TEXT: 'VARCHAR', CHAR: 'VARCHAR', BPCHAR: 'VARCHAR', NVARCHAR: 'VARCHAR',
  FLOAT: 'FLOAT', FLOAT4: 'FLOAT', REAL: 'FLOAT',
  DOUBLE: 'DOUBLE', FLOAT8: 'DOUBLE', 'DOUBLE PRECISION': 'DOUBLE',
  BOOL: 'BOOLEAN', BOOLEAN: 'BOOLEAN', LOGICAL: 'BOOLEAN',
  DATE: 'DATE',
  TIME: 'TIME', 'TIME WITHOUT TIME ZONE': 'TIME',
  TIMETZ: 'TIME WITH TIME ZONE', 'TIME WITH TIME ZONE': 'TIME WITH TIME ZONE',
  TIMESTAMP: 'TIMESTAMP', DATETIME: 'TIMESTAMP', 'TIMESTAMP WITHOUT TIME ZONE': 'TIMESTAMP',
  TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP WITH TIME ZONE',
  TIMESTAMP_S: 'TIMESTAMP_S', TIMESTAMP_MS: 'TIMESTAMP_MS', TIMESTAMP_NS: 'TIMESTAMP_NS', TIMESTAMP_US: 'TIMESTAMP',
  BLOB: 'BLOB', BYTEA: 'BLOB', BINARY: 'BLOB', VARBINARY: 'BLOB',
  UUID: 'UUID', JSON: 'JSON', INTERVAL: 'INTERVAL', BIT: 'BIT', BITSTRING: 'BIT',
};

// Types whose length argument DuckDB accepts and ignores: VARCHAR(20) is VARCHAR.
const LENGTH_IGNORED = new Set(['VARCHAR', 'BLOB']);
// Nested types whose arguments are `name TYPE` members rather than bare types.
const NAMED_MEMBERS = new Set(['STRUCT', 'UNION']);

/** Splits on commas outside parentheses, brackets and quotes: `a INT, b DECIMAL(18,2)` is two members. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** `name TYPE` with a possibly quoted name; the name keeps its spelling, the type is normalised. */
function normalizeMember(member: string): string {
  const match = /^("(?:[^"]|"")*"|[^\s]+)\s+(.+)$/s.exec(member);
  return match ? `${match[1]} ${normalizeType(match[2]!)}` : normalizeType(member);
}

/**
 * DuckDB's canonical spelling of a type: upper case, single spaces, aliases folded (`int4` -> INTEGER,
 * `text` -> VARCHAR, bare `numeric` -> DECIMAL(18,3)), lists and nested types normalised member by member.
 * Unknown names are only upper-cased, so a user type or a newer DuckDB type still compares stably.
 */
export function normalizeType(type: string): string {
  const t = type.trim().replace(/\s+/g, ' ');
  const list = /^(.*?)\s*\[\s*(\d*)\s*\]$/s.exec(t);
  if (list && list[1]) return `${normalizeType(list[1])}[${list[2]}]`;

  const call = /^([A-Za-z_][A-Za-z0-9_ ]*?)\s*\((.*)\)$/s.exec(t);
  const name = (call ? call[1]! : t).toUpperCase();
  const args = call ? call[2]!.trim() : undefined;

  if (name === 'DECIMAL' || name === 'NUMERIC') {
    if (args === undefined || args === '') return 'DECIMAL(18,3)';
    const [p, s = '0'] = splitTopLevel(args);
    return `DECIMAL(${p},${s})`;
  }
  if (args !== undefined) {
    if (NAMED_MEMBERS.has(name)) return `${name}(${splitTopLevel(args).map(normalizeMember).join(', ')})`;
    if (name === 'MAP' || name === 'LIST') return `${name}(${splitTopLevel(args).map(normalizeType).join(', ')})`;
    // ENUM('a', 'b') keeps its labels exactly: they are data, not spelling.
    if (name === 'ENUM') return `ENUM(${splitTopLevel(args).join(', ')})`;
    const base = ALIASES[name] ?? name;
    return LENGTH_IGNORED.has(base) ? base : `${base}(${args})`;
  }
  return ALIASES[name] ?? name;
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT']);
const NUMBER_TYPES = new Set(['FLOAT', 'DOUBLE']);

/** The base name of a normalised type: DECIMAL for DECIMAL(18,2), STRUCT for STRUCT(a INTEGER). */
export function baseTypeName(normalized: string): string {
  const paren = normalized.indexOf('(');
  return paren === -1 ? normalized : normalized.slice(0, paren);
}

/** Whether a normalised type is a list (`X[]`) or a fixed-size array (`X[3]`). */
export function isListType(normalized: string): boolean {
  return normalized.endsWith(']') || baseTypeName(normalized) === 'LIST';
}

/**
 * The contract's logical type for a DuckDB type. VARCHAR, UUID, JSON, ENUM, BLOB, INTERVAL and types it
 * does not know are strings: that is how they cross a JSON boundary.
 */
export function logicalTypeOf(physicalType: string): LogicalType {
  const t = normalizeType(physicalType);
  if (isListType(t)) return 'array';
  const base = baseTypeName(t);
  if (INTEGER_TYPES.has(base)) return 'integer';
  if (NUMBER_TYPES.has(base) || base === 'DECIMAL') return 'number';
  if (base === 'BOOLEAN') return 'boolean';
  if (base === 'DATE') return 'date';
  if (base.startsWith('TIMESTAMP')) return 'timestamp';
  if (base.startsWith('TIME')) return 'time';
  if (base === 'STRUCT' || base === 'MAP' || base === 'UNION') return 'object';
  return 'string';
}
