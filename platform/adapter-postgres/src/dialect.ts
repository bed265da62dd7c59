import { MeshError } from '@mesh/errors';
import { prefixedSchema, type RelationName } from '@mesh/engine';

/**
 * PostgreSQL's side of the engine's vocabulary. Contracts and the engine speak DuckDB's type names
 * (VARCHAR, BIGINT, DOUBLE, ...), so a contract is the same whichever engine builds it: names go to
 * PostgreSQL's spelling on the way in and come back to DuckDB's on the way out.
 */

export const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** One database holds every domain: the engine's `database.schema` folds into the schema `<database>_<schema>`. */
export const pgSchema = (r: Pick<RelationName, 'database' | 'schema'>): string => prefixedSchema(r.database, r.schema);
export const rel = (r: RelationName): string => `${q(pgSchema(r))}.${q(r.identifier)}`;

const TO_PG: Record<string, string> = {
  VARCHAR: 'varchar', STRING: 'varchar', TEXT: 'text', CHAR: 'varchar', BPCHAR: 'varchar',
  DOUBLE: 'double precision', FLOAT8: 'double precision', FLOAT: 'real', FLOAT4: 'real', REAL: 'real',
  HUGEINT: 'numeric(38,0)', INT128: 'numeric(38,0)', UBIGINT: 'numeric(20,0)', UINTEGER: 'bigint', USMALLINT: 'integer', UTINYINT: 'smallint',
  TINYINT: 'smallint', INT1: 'smallint', LONG: 'bigint', INT8: 'bigint', INT4: 'integer', INT: 'integer', SIGNED: 'integer', INT2: 'smallint', SHORT: 'smallint',
  BLOB: 'bytea', BYTEA: 'bytea', DATETIME: 'timestamp', TIMESTAMPTZ: 'timestamptz', BOOL: 'boolean', LOGICAL: 'boolean', JSON: 'jsonb',
};

/** A DuckDB type name as PostgreSQL spells it; names both engines know pass through. */
export function toPgType(type: string): string {
  const t = type.trim().toUpperCase().replace(/\s+/g, ' ');
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'timestamptz';
  const decimal = /^(DECIMAL|NUMERIC)\s*\((\d+)\s*(?:,\s*(\d+))?\)$/.exec(t);
  if (decimal) return `numeric(${decimal[2]},${decimal[3] ?? 0})`;
  if (t === 'DECIMAL' || t === 'NUMERIC') return 'numeric(18,3)'; // DuckDB's default precision
  return TO_PG[t] ?? type;
}

/** PostgreSQL's `format_type()` output as DuckDB names the type: what the contract compares against. */
export function fromPgType(formatted: string): string {
  const t = formatted.toLowerCase();
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(t);
  if (numeric) return `DECIMAL(${numeric[1]},${numeric[2]})`;
  if (/^(character varying|character|text|name)\b/.test(t)) return 'VARCHAR';
  const simple: Record<string, string> = {
    bigint: 'BIGINT', integer: 'INTEGER', smallint: 'SMALLINT', 'double precision': 'DOUBLE', real: 'FLOAT', boolean: 'BOOLEAN',
    date: 'DATE', 'timestamp without time zone': 'TIMESTAMP', 'timestamp with time zone': 'TIMESTAMP WITH TIME ZONE',
    'time without time zone': 'TIME', interval: 'INTERVAL', bytea: 'BLOB', uuid: 'UUID', json: 'JSON', jsonb: 'JSON',
    // An unconstrained numeric (PostgreSQL's sum of bigints) has no DuckDB twin: named as it is, a contract
    // mismatch says to cast it.
    numeric: 'NUMERIC',
  };
  return simple[t] ?? formatted.toUpperCase();
}

/**
 * Masks as DuckDB's publication writes them: `hash` is the same HMAC-SHA256 under the producer's key, in
 * hexadecimal (RFC 2104 written out: sha256 of the outer padded key and the raw sha256 of the inner
 * padded key and the value). Computed while the share's copy is made, so no view definition, readable
 * to every role in the catalog, carries the key.
 */
export function maskExpression(column: string, method: 'hash' | 'redact' | 'null', key?: Uint8Array): string {
  if (method === 'hash') {
    if (!key || key.length > 64) throw new Error('hash masking needs the producer\'s masking key (at most 64 bytes)');
    const pad = (byte: number) => {
      const block = new Uint8Array(64);
      block.set(key);
      return Buffer.from(block.map((b) => b ^ byte)).toString('hex');
    };
    return `encode(sha256(decode('${pad(0x5c)}', 'hex') || sha256(decode('${pad(0x36)}', 'hex') || convert_to(CAST(${q(column)} AS text), 'UTF8'))), 'hex')`;
  }
  if (method === 'redact') return `CASE WHEN ${q(column)} IS NULL THEN NULL ELSE '[redacted]' END`;
  return 'CAST(NULL AS varchar)';
}

/** The role a consumer domain reads shares through; `*` (everyone) is PUBLIC. */
export function consumerRole(grantee: string | undefined): string {
  if (!grantee || grantee === '*') return 'PUBLIC';
  return q(`mesh_${grantee.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`);
}

/** A node-postgres error as the user should hear it: unreachable, refused login, no permission. */
export function pgError(error: unknown, where: { host: string; port: number; database: string; user?: string; passwordEnv: string }): unknown {
  const e = error as { code?: string; message?: string };
  const server = `${where.host}:${where.port}/${where.database}`;
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || e.code === 'EHOSTUNREACH' || (e.code === 'ENOENT' && where.host.startsWith('/'))) {
    return new MeshError('E_PG_UNREACHABLE', `PostgreSQL at ${server} is unreachable (${e.code})`, {
      hint: 'Start the server, or fix host: and port: of the postgres target in mesh_project.yml.',
    });
  }
  if (e.code === '28P01' || e.code === '28000') {
    return new MeshError('E_PG_AUTH', `PostgreSQL refused the login of ${where.user ?? 'the current user'} at ${server}: ${e.message ?? ''}`, {
      hint: `Set the password in the environment variable ${where.passwordEnv} (named by password_env: of the target), or fix user:.`,
    });
  }
  if (e.code === '42501') {
    return new MeshError('E_PG_PERMISSION', `PostgreSQL: ${e.message ?? 'permission denied'}`, {
      hint: `Grant ${where.user ?? 'the user'} what it needs on ${where.database} (CREATE on the database for its schemas, CREATEROLE to publish shares), or read through a share granted to this domain.`,
    });
  }
  return error;
}
