/**
 * What a filter value must look like for a column's DuckDB type, checked before the query is built so a
 * bad value is a 400 naming the parameter, not a database error. The value is still bound as a
 * parameter and cast by DuckDB: this check is for the message, not for safety.
 */

export type ValueKind = 'integer' | 'number' | 'date' | 'timestamp' | 'boolean' | 'string' | 'uuid';

const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  TINYINT: [-128n, 127n],
  SMALLINT: [-32768n, 32767n],
  INTEGER: [-2147483648n, 2147483647n],
  BIGINT: [-9223372036854775808n, 9223372036854775807n],
  HUGEINT: [-(2n ** 127n), 2n ** 127n - 1n],
  UTINYINT: [0n, 255n],
  USMALLINT: [0n, 65535n],
  UINTEGER: [0n, 4294967295n],
  UBIGINT: [0n, 18446744073709551615n],
  UHUGEINT: [0n, 2n ** 128n - 1n],
};

export function kindOf(type: string): ValueKind | undefined {
  const t = type.toUpperCase();
  if (t in INTEGER_RANGES) return 'integer';
  if (/^(DECIMAL|NUMERIC)(\(.*\))?$/.test(t) || t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL') return 'number';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'VARCHAR' || t.startsWith('VARCHAR(')) return 'string';
  if (t === 'UUID') return 'uuid';
  return undefined;
}

const PATTERNS: Record<Exclude<ValueKind, 'string' | 'integer'>, [RegExp, string]> = {
  number: [/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, 'a number such as 12.5'],
  date: [/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'],
  timestamp: [/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/, 'a timestamp such as 2026-01-31T12:00:00Z'],
  boolean: [/^(true|false)$/, 'true or false'],
  uuid: [/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'a UUID'],
};

/** Undefined when the value fits the type; otherwise what was expected. */
export function checkValue(type: string, value: string): string | undefined {
  const kind = kindOf(type);
  if (kind === undefined || kind === 'string') return undefined;
  if (kind === 'integer') {
    if (!/^[+-]?\d+$/.test(value)) return `expected a whole number for ${type}`;
    const [min, max] = INTEGER_RANGES[type.toUpperCase()]!;
    const n = BigInt(value);
    return n < min || n > max ? `${value} is out of range for ${type} (${min} to ${max})` : undefined;
  }
  const [pattern, expected] = PATTERNS[kind];
  return pattern.test(value) ? undefined : `expected ${expected} for ${type}`;
}
