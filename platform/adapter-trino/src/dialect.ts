import { MeshError } from '@mesh/errors';
import type { MaskMethod, RelationName } from '@mesh/engine';
import { TrinoHttpError, TrinoQueryError, type TrinoColumn } from './client';

/**
 * Trino's side of the engine's vocabulary. Contracts and the engine speak DuckDB's type names (VARCHAR,
 * BIGINT, DOUBLE, ...), so one contract holds on every engine: names go to Trino's (and Iceberg's)
 * spelling on the way in and come back to DuckDB's on the way out.
 */

export const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;
/** Each domain is a catalog: relations are three-part names, as on DuckDB. */
export const rel = (r: RelationName): string => `${q(r.database)}.${q(r.schema)}.${q(r.identifier)}`;

// Iceberg stores no tinyint or smallint (they are widened to integer) and times to the microsecond.
const TO_TRINO: Record<string, string> = {
  VARCHAR: 'varchar', STRING: 'varchar', TEXT: 'varchar', CHAR: 'varchar', BPCHAR: 'varchar',
  INTEGER: 'integer', INT: 'integer', INT4: 'integer', SIGNED: 'integer', INT32: 'integer',
  BIGINT: 'bigint', INT8: 'bigint', LONG: 'bigint', INT64: 'bigint',
  SMALLINT: 'smallint', INT2: 'smallint', SHORT: 'smallint', TINYINT: 'tinyint', INT1: 'tinyint',
  UTINYINT: 'smallint', USMALLINT: 'integer', UINTEGER: 'bigint', UBIGINT: 'decimal(20,0)', HUGEINT: 'decimal(38,0)', INT128: 'decimal(38,0)',
  DOUBLE: 'double', FLOAT8: 'double', FLOAT: 'real', FLOAT4: 'real', REAL: 'real',
  BOOLEAN: 'boolean', BOOL: 'boolean', LOGICAL: 'boolean',
  DATE: 'date', TIMESTAMP: 'timestamp(6)', DATETIME: 'timestamp(6)', TIMESTAMPTZ: 'timestamp(6) with time zone', TIME: 'time(6)',
  BLOB: 'varbinary', BYTEA: 'varbinary', UUID: 'uuid', JSON: 'json', INTERVAL: 'interval day to second',
};

/** A DuckDB type name as Trino spells it; names Trino knows as they are pass through. */
export function toTrinoType(type: string): string {
  const t = type.trim().toUpperCase().replace(/\s+/g, ' ');
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'timestamp(6) with time zone';
  const decimal = /^(DECIMAL|NUMERIC)\s*\((\d+)\s*(?:,\s*(\d+))?\)$/.exec(t);
  if (decimal) return `decimal(${decimal[2]},${decimal[3] ?? 0})`;
  if (t === 'DECIMAL' || t === 'NUMERIC') return 'decimal(18,3)'; // DuckDB's default precision
  const varchar = /^VARCHAR\s*\(\s*\d+\s*\)$/.exec(t);
  if (varchar) return 'varchar';
  return TO_TRINO[t] ?? type;
}

/** The type Trino reports for a column, as DuckDB names it: what the contract compares against. */
export function fromTrinoType(type: string): string {
  const t = type.toLowerCase().trim();
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  if (/^(varchar|char)\b/.test(t)) return 'VARCHAR';
  if (/^timestamp(\(\d+\))? with time zone$/.test(t)) return 'TIMESTAMP WITH TIME ZONE';
  if (/^timestamp(\(\d+\))?$/.test(t)) return 'TIMESTAMP';
  if (/^time(\(\d+\))?$/.test(t)) return 'TIME';
  const array = /^array\((.*)\)$/.exec(t);
  if (array) return `${fromTrinoType(array[1]!)}[]`;
  const simple: Record<string, string> = {
    bigint: 'BIGINT', integer: 'INTEGER', smallint: 'SMALLINT', tinyint: 'TINYINT', double: 'DOUBLE', real: 'FLOAT',
    boolean: 'BOOLEAN', date: 'DATE', varbinary: 'BLOB', uuid: 'UUID', json: 'JSON',
    'interval day to second': 'INTERVAL', 'interval year to month': 'INTERVAL',
  };
  return simple[t] ?? type.toUpperCase();
}

/**
 * A JSON value of Trino's protocol as the engine's rows carry it (the same as DuckDB's and PostgreSQL's
 * adapters): numbers as numbers, exact decimals as numbers when they fit, dates and timestamps as UTC Dates.
 */
export function fromTrinoValue(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  const t = type.toLowerCase();
  if (t.startsWith('decimal') && typeof value === 'string') return Number.isFinite(Number(value)) ? Number(value) : value;
  if (t === 'date' && typeof value === 'string') return new Date(`${value}T00:00:00Z`);
  if (/^timestamp(\(\d+\))?$/.test(t) && typeof value === 'string') return new Date(`${value.replace(' ', 'T')}Z`);
  return value;
}

/**
 * Masks as DuckDB's publication writes them: `hash` is the same lower-case hex HMAC-SHA256 of the value
 * as text under the producer's key (Trino's own `hmac_sha256`), so masked keys join across engines but
 * cannot be looked up without the key. The key is a literal of the statement, so a share computes it
 * into a table of its own, never into a view whose definition a grantee can read.
 */
export function maskExpression(column: string, method: MaskMethod, key?: Uint8Array): string {
  if (method === 'hash') {
    if (!key) throw new Error("hash masking needs the producer's masking key");
    return `lower(to_hex(hmac_sha256(to_utf8(CAST(${q(column)} AS varchar)), from_hex('${Buffer.from(key).toString('hex')}'))))`;
  }
  if (method === 'redact') return `CASE WHEN ${q(column)} IS NULL THEN NULL ELSE '[redacted]' END`;
  return 'CAST(NULL AS varchar)';
}

export interface ServerDescription {
  url: string;
  user: string;
  passwordEnv: string;
}

/** A network failure, a refused login or Trino's access control, as the user should hear it. */
export function trinoError(error: unknown, where: ServerDescription): unknown {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || e.code === 'EHOSTUNREACH' || e.code === 'ECONNRESET') {
    return new MeshError('E_TRINO_UNREACHABLE', `Trino at ${where.url} is unreachable (${e.code})`, {
      hint: 'Start the cluster, or fix host:, port: and http_scheme: of the trino target in mesh_project.yml.',
    });
  }
  if (e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' || e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new MeshError('E_TRINO_TLS', `the certificate of Trino at ${where.url} is not trusted (${e.code})`, {
      hint: "Point ca_file: of the trino target at the PEM of the authority that signed the cluster's certificate.",
    });
  }
  if (error instanceof TrinoHttpError && error.status === 401) {
    return new MeshError('E_TRINO_AUTH', `Trino refused the login of ${where.user} at ${where.url}`, {
      hint: `Set the password of ${where.user} in the environment variable ${where.passwordEnv} (named by password_env: of the target), or fix user:.`,
    });
  }
  if (error instanceof TrinoQueryError && error.errorName === 'PERMISSION_DENIED') {
    return new MeshError('E_TRINO_PERMISSION', `Trino refused ${where.user}: ${error.message}`, {
      hint: `Trino's access control lets ${where.user} write its own catalog and read only the shares granted to it; read another domain through ref() of a port it grants to this one.`,
    });
  }
  return error;
}

/** Columns as the engine names them (lower case in Iceberg), with DuckDB's type names. */
export function describeColumns(columns: TrinoColumn[]): Array<{ name: string; type: string }> {
  return columns.map((c) => ({ name: c.name, type: fromTrinoType(c.type) }));
}
