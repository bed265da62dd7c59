import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { stringify } from 'yaml';
import { MeshError } from '@mesh/errors';
import { tryParseDuration } from '@mesh/governance';
import { parseYamlFile, validateYaml } from '@mesh/validate';

/**
 * `governance/api.yml`: who may call the API (bearer tokens, each mapped to the consumer domain or role
 * whose grants it reads with) and the server's limits. Tokens are stored as their sha256 only: the file
 * may be committed, and a leaked copy of it opens nothing.
 */
export const API_CONFIG_FILE = join('governance', 'api.yml');

const consumerName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a domain or role name in lower case (letters, digits, - and _)');
const duration = z.string().refine((s) => tryParseDuration(s) !== undefined, 'expected a duration such as 10s, 2m or 1h');

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Bytes of a size as DuckDB writes them (`64MB`, `1.5GiB`, `0`): KB is 1000 bytes, KiB 1024. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  return m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : undefined;
}
/** A size in bytes, written as a number of bytes or as DuckDB writes sizes. */
const SIZE_EXPECTED = 'expected a size such as 64MB, 1GiB or 0';
const size = z.union([
  z.number().int().nonnegative(),
  z.string().refine((s) => parseSize(s) !== undefined, SIZE_EXPECTED).transform((s) => parseSize(s)!),
], { error: SIZE_EXPECTED });

export const apiConfigSchema = z.strictObject({
  version: z.literal(1),
  tokens: z.array(z.strictObject({
    /** Who holds the token, for logs and for revoking it. */
    name: z.string().min(1),
    consumer: consumerName,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected the token\'s sha256 as 64 lower-case hex digits (mesh serve token add writes it)'),
  })).default([]),
  limits: z.strictObject({
    /** Rows per page at most; a bigger `limit` is refused with 400. */
    max_page_size: z.number().int().positive().default(10_000),
    default_page_size: z.number().int().positive().default(100),
    /** A page query running longer is interrupted and answered 503. */
    query_timeout: duration.default('10s'),
    /** An export is interrupted after this long. */
    export_timeout: duration.default('10m'),
    /** Longest request URL accepted (query string included). */
    max_url_length: z.number().int().positive().default(8192),
    /** DuckDB memory per published database the server reads, so exports stay bounded. */
    memory_limit: z.string().default('256MB'),
    threads: z.number().int().positive().default(2),
    /** Page queries running at once per published database; more wait their turn, first come first served. */
    connections: z.number().int().positive().default(4),
    /** Answered pages kept per publication version, so a repeated request skips the query; 0 turns it off. */
    page_cache: size.default(64_000_000),
  }).prefault({}),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;
export type ApiLimits = ApiConfig['limits'];

export function parseApiConfig(file: string, text: string): ApiConfig {
  return validateYaml(parseYamlFile(file, text), apiConfigSchema, 'API configuration');
}

export function loadApiConfig(workspaceRoot: string): ApiConfig {
  const path = join(workspaceRoot, API_CONFIG_FILE);
  if (!existsSync(path)) return apiConfigSchema.parse({ version: 1 });
  return parseApiConfig(API_CONFIG_FILE, readFileSync(path, 'utf8'));
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Creates a token for a consumer and records its hash. The token itself is returned once and never
 * written anywhere: whoever runs this hands it to the consumer.
 */
export function addToken(workspaceRoot: string, name: string, consumer: string): { token: string; file: string } {
  if (!consumerName.safeParse(consumer).success) {
    throw new MeshError('E_API_TOKEN', `'${consumer}' is not a consumer name`, { hint: 'Use the consumer domain\'s mesh project name, or a role name, in lower case.' });
  }
  const path = join(workspaceRoot, API_CONFIG_FILE);
  const config = loadApiConfig(workspaceRoot);
  if (config.tokens.some((t) => t.name === name)) {
    throw new MeshError('E_API_TOKEN', `a token named '${name}' already exists in ${API_CONFIG_FILE}`, { hint: 'Choose another name, or remove the old entry to revoke it first.' });
  }
  const token = `mesh_${randomBytes(24).toString('base64url')}`;
  const raw = existsSync(path) ? (parseYamlFile(API_CONFIG_FILE, readFileSync(path, 'utf8')).data as Record<string, unknown>) : { version: 1 };
  const tokens = Array.isArray(raw.tokens) ? raw.tokens : [];
  raw.tokens = [...tokens, { name, consumer, sha256: hashToken(token) }];
  mkdirSync(dirname(path), { recursive: true });
  // Renamed into place: a running server re-reads the file and must never see half of it.
  writeFileSync(`${path}.${process.pid}.tmp`, stringify(raw));
  renameSync(`${path}.${process.pid}.tmp`, path);
  return { token, file: API_CONFIG_FILE };
}

/** Revokes a token: its entry leaves the file, and a running server refuses it within a second. */
export function removeToken(workspaceRoot: string, name: string): { file: string; consumer: string } {
  const path = join(workspaceRoot, API_CONFIG_FILE);
  const config = loadApiConfig(workspaceRoot);
  const entry = config.tokens.find((t) => t.name === name);
  if (!entry) {
    throw new MeshError('E_API_TOKEN', `no token named '${name}' in ${API_CONFIG_FILE}`, {
      hint: `Tokens: ${config.tokens.map((t) => t.name).join(', ') || 'none'} (mesh token list).`,
    });
  }
  const raw = parseYamlFile(API_CONFIG_FILE, readFileSync(path, 'utf8')).data as Record<string, unknown>;
  raw.tokens = (raw.tokens as Array<{ name: string }>).filter((t) => t.name !== name);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, stringify(raw));
  renameSync(tmp, path);
  return { file: API_CONFIG_FILE, consumer: entry.consumer };
}
